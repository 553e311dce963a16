"""Pure parsing and defaults for a person's preferences (no aiogram, no database)."""

from __future__ import annotations

import re
import unicodedata
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from enum import StrEnum
from functools import cache
from typing import Final

SUPPORTED_LOCALES: Final = ("ru", "en")
RUSSIAN_SPEAKING: Final = frozenset({"ru", "uk", "be", "kk"})
SIGNATURE_MAX: Final = 64
MAX_OFFSET_MINUTES: Final = 14 * 60
MIN_OFFSET_MINUTES: Final = -12 * 60


class Gender(StrEnum):
    """The Russian grammatical form used when a draft speaks of its author."""

    MASCULINE = "m"
    FEMININE = "f"
    NEUTRAL = "n"


@dataclass(frozen=True, slots=True)
class RussianZone:
    """A time-zone button: its UTC offset in hours and the IANA name it stands for."""

    offset: int
    name: str


RUSSIAN_ZONES: Final = (
    RussianZone(2, "Europe/Kaliningrad"),
    RussianZone(3, "Europe/Moscow"),
    RussianZone(4, "Europe/Samara"),
    RussianZone(5, "Asia/Yekaterinburg"),
    RussianZone(6, "Asia/Omsk"),
    RussianZone(7, "Asia/Novosibirsk"),
    RussianZone(8, "Asia/Irkutsk"),
    RussianZone(9, "Asia/Yakutsk"),
    RussianZone(10, "Asia/Vladivostok"),
    RussianZone(11, "Asia/Magadan"),
    RussianZone(12, "Asia/Kamchatka"),
)

# Typed city names people use for the Russian zones (lower case, both languages).
_CITY_ZONES: Final = {
    "калининград": "Europe/Kaliningrad",
    "москва": "Europe/Moscow",
    "мск": "Europe/Moscow",
    "санкт-петербург": "Europe/Moscow",
    "петербург": "Europe/Moscow",
    "спб": "Europe/Moscow",
    "самара": "Europe/Samara",
    "екатеринбург": "Asia/Yekaterinburg",
    "омск": "Asia/Omsk",
    "новосибирск": "Asia/Novosibirsk",
    "красноярск": "Asia/Krasnoyarsk",
    "иркутск": "Asia/Irkutsk",
    "якутск": "Asia/Yakutsk",
    "владивосток": "Asia/Vladivostok",
    "магадан": "Asia/Magadan",
    "камчатка": "Asia/Kamchatka",
    "петропавловск-камчатский": "Asia/Kamchatka",
    "moscow": "Europe/Moscow",
    "london": "Europe/London",
    "berlin": "Europe/Berlin",
}

_OFFSET_RE: Final = re.compile(
    r"^(?:(?:utc|gmt|мск)\s*)?([+\-−])\s*(\d{1,2})(?:[:.]?(\d{2}))?$", re.IGNORECASE
)


def resolve_locale(language_code: str | None, default: str = "ru") -> str:
    """Map Telegram's ``language_code`` to an interface language: ru/uk/be/kk → ru, else en."""
    if not language_code:
        return default
    base = language_code.split("-")[0].lower()
    if base in RUSSIAN_SPEAKING:
        return "ru"
    return "en"


@cache
def _iana_names() -> dict[str, str]:
    return {name.lower(): name for name in zoneinfo.available_timezones()}


def _offset_name(minutes: int) -> str:
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{mins:02d}"


class TimezoneOffsetError(ValueError):
    """A typed UTC offset outside −12…+14 hours."""


def parse_timezone(text: str) -> str | None:
    """Return a canonical time-zone name for typed input, or ``None`` if it means nothing.

    Accepts IANA names (any case), ``UTC``, offsets such as ``UTC+5``, ``+3``, ``GMT-03:30``,
    ``МСК+2`` and a few Russian city names. Raises :class:`TimezoneOffsetError` for an offset
    that no place on Earth uses.
    """
    value = " ".join(text.strip().split())
    if not value or len(value) > 64:
        return None
    lowered = value.lower()
    if lowered in {"utc", "gmt", "z"}:
        return "UTC"
    if lowered in _CITY_ZONES:
        return _CITY_ZONES[lowered]
    iana = _iana_names().get(lowered.replace(" ", "_"))
    if iana is not None:
        return iana
    match = _OFFSET_RE.match(value)
    if match is None:
        return None
    sign_text, hours_text, minutes_text = match.groups()
    hours, minutes = int(hours_text), int(minutes_text or 0)
    if minutes >= 60:
        return None
    total = hours * 60 + minutes
    if lowered.startswith("мск"):
        total += 180 if sign_text == "+" else -180
        sign_text = "+" if total >= 0 else "-"
        total = abs(total)
    signed = total if sign_text == "+" else -total
    if not MIN_OFFSET_MINUTES <= signed <= MAX_OFFSET_MINUTES:
        raise TimezoneOffsetError(value)
    if signed == 0:
        return "UTC"
    return _offset_name(signed)


def get_tz(name: str) -> tzinfo:
    """The tzinfo for a canonical name produced by :func:`parse_timezone`."""
    if name == "UTC":
        return UTC
    if name.startswith("UTC") and len(name) == 9:
        sign = 1 if name[3] == "+" else -1
        hours, minutes = int(name[4:6]), int(name[7:9])
        return timezone(sign * timedelta(hours=hours, minutes=minutes), name)
    return zoneinfo.ZoneInfo(name)


def utc_offset_label(name: str, now: datetime) -> str:
    """``UTC+3`` / ``UTC+5:30`` / ``UTC−3`` for a zone at the given moment."""
    offset = now.astimezone(get_tz(name)).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "−"
    hours, mins = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{mins:02d}" if mins else "")


def default_signature(first_name: str, last_name: str | None) -> str:
    """The signature prefilled from the Telegram name, cut to the allowed length."""
    full = " ".join(part.strip() for part in (first_name, last_name or "") if part.strip())
    return " ".join(full.split())[:SIGNATURE_MAX]


_BLANK_LOOKALIKES: Final = frozenset("\u2800\u3164\u115f\u1160\uffa0")


def clean_text(text: str) -> str:
    """Collapse whitespace and drop invisible characters people use to send "empty" messages.

    An empty result means the person sent nothing usable.
    """
    visible = "".join(
        " " if char in _BLANK_LOOKALIKES else char
        for char in text
        if unicodedata.category(char) != "Cf"
    )
    return " ".join(visible.split())


clean_signature = clean_text


_TIME_RE: Final = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?$")
_RANGE_SPLIT: Final = re.compile(r"\s*(?:-|–|—|до|to)\s*", re.IGNORECASE)


def _parse_clock(text: str) -> time | None:
    match = _TIME_RE.match(text.strip())
    if match is None:
        return None
    hours, minutes = int(match.group(1)), int(match.group(2) or 0)
    if hours == 24 and minutes == 0:
        hours = 0
    if hours > 23 or minutes > 59:
        return None
    return time(hours, minutes)


def parse_quiet_hours(text: str) -> tuple[time, time] | None:
    """Parse ``22-9``, ``22:30–07:00``, ``с 23 до 8``; ``None`` when it is not a range."""
    value = text.strip().lower()
    value = value.removeprefix("с ").removeprefix("from ").strip()
    parts = _RANGE_SPLIT.split(value)
    if len(parts) != 2:
        return None
    start, end = _parse_clock(parts[0]), _parse_clock(parts[1])
    if start is None or end is None or start == end:
        return None
    return start, end


def format_clock(value: time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


def local_today(now: datetime, zone: str) -> date:
    """The person's calendar date at ``now``."""
    return now.astimezone(get_tz(zone)).date()
