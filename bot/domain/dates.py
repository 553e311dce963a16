"""Dates people type, in Russian and English: ``25.11``, ``2026-11-25``, ``вчера``, ``3 days ago``.

Pure: the caller passes ``today`` in the person's time zone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Final

MAX_PAST_DAYS: Final = 365
MAX_FUTURE_DAYS: Final = 365
NEAR_DAYS: Final = 31


class DateProblem(StrEnum):
    UNREADABLE = "unreadable"
    NO_SUCH_DAY = "no_such_day"
    IN_FUTURE = "in_future"
    TOO_OLD = "too_old"
    IN_PAST = "in_past"
    TOO_FAR = "too_far"


@dataclass(frozen=True, slots=True)
class DateError:
    problem: DateProblem


_WORDS: Final = {
    "сегодня": 0,
    "today": 0,
    "вчера": 1,
    "yesterday": 1,
    "позавчера": 2,
    "завтра": -1,
    "tomorrow": -1,
    "послезавтра": -2,
}

_MONTHS: Final = {
    "янв": 1, "jan": 1, "фев": 2, "feb": 2, "мар": 3, "mar": 3, "апр": 4, "apr": 4,
    "мая": 5, "май": 5, "may": 5, "июн": 6, "jun": 6, "июл": 7, "jul": 7, "авг": 8,
    "aug": 8, "сен": 9, "sep": 9, "окт": 10, "oct": 10, "ноя": 11, "nov": 11, "дек": 12,
    "dec": 12,
}  # fmt: skip

_AGO_RE: Final = re.compile(
    r"^(\d{1,3})\s*(?:день|дн(?:я|ей)?|д|days?|d)\.?\s*(?:назад|ago)$", re.IGNORECASE
)
_IN_RE: Final = re.compile(r"^(?:через|in)\s+(\d{1,3})\s*(?:день|дн(?:я|ей)?|д|days?|d)\.?$")
_DOTTED_RE: Final = re.compile(r"^(\d{1,2})[./-](\d{1,2})(?:[./-](\d{2}|\d{4}))?$")
_ISO_RE: Final = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_NAMED_RE: Final = re.compile(r"^(\d{1,2})\s+([a-zа-яё]+)\.?(?:\s+(\d{4}))?$")
_NAMED_EN_RE: Final = re.compile(r"^([a-z]+)\.?\s+(\d{1,2})(?:,?\s+(\d{4}))?$")


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _month(word: str) -> int | None:
    return next((number for prefix, number in _MONTHS.items() if word.startswith(prefix)), None)


def _day_month(day: int, month: int, year: int | None, today: date, future: bool) -> date | None:
    """A day and month without a year: the nearest such date on the side the question asks
    for, unless the same date on the other side is within a month (then it is most likely
    what the person meant, and the caller explains why it does not fit)."""
    if year is not None:
        return _safe_date(year, month, day)
    candidates = [
        found
        for offset in range(-4, 5)
        if (found := _safe_date(today.year + offset, month, day)) is not None
    ]
    if not candidates:
        return None
    nearest = min(candidates, key=lambda found: abs((found - today).days))
    allowed = [found for found in candidates if (found >= today) == future or found == today]
    if not allowed or abs((nearest - today).days) <= NEAR_DAYS:
        return nearest
    return min(allowed, key=lambda found: abs((found - today).days))


def _read(text: str, today: date, future: bool) -> date | DateError:
    value = " ".join(text.strip().lower().replace("ё", "е").split())
    if value in _WORDS:
        return today - timedelta(days=_WORDS[value])
    if match := _AGO_RE.match(value):
        return today - timedelta(days=int(match.group(1)))
    if match := _IN_RE.match(value):
        return today + timedelta(days=int(match.group(1)))
    if match := _ISO_RE.match(value):
        parsed = _safe_date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        return parsed or DateError(DateProblem.NO_SUCH_DAY)
    if match := _DOTTED_RE.match(value):
        day, month, year_text = int(match.group(1)), int(match.group(2)), match.group(3)
        year = None if year_text is None else int(year_text) + (2000 if len(year_text) == 2 else 0)
        parsed = _day_month(day, month, year, today, future)
        return parsed or DateError(DateProblem.NO_SUCH_DAY)
    for pattern, day_group, month_group in ((_NAMED_RE, 1, 2), (_NAMED_EN_RE, 2, 1)):
        if match := pattern.match(value):
            named_month = _month(match.group(month_group))
            if named_month is None:
                return DateError(DateProblem.UNREADABLE)
            named_year = int(match.group(3)) if match.group(3) else None
            parsed = _day_month(int(match.group(day_group)), named_month, named_year, today, future)
            return parsed or DateError(DateProblem.NO_SUCH_DAY)
    return DateError(DateProblem.UNREADABLE)


def parse_past_date(text: str, today: date) -> date | DateError:
    """A day that has happened: not in the future, at most a year ago."""
    result = _read(text, today, future=False)
    if isinstance(result, DateError):
        return result
    if result > today:
        return DateError(DateProblem.IN_FUTURE)
    if (today - result).days > MAX_PAST_DAYS:
        return DateError(DateProblem.TOO_OLD)
    return result


def parse_future_date(text: str, today: date) -> date | DateError:
    """A day still ahead (today included), at most a year away."""
    result = _read(text, today, future=True)
    if isinstance(result, DateError):
        return result
    if result < today:
        return DateError(DateProblem.IN_PAST)
    if (result - today).days > MAX_FUTURE_DAYS:
        return DateError(DateProblem.TOO_FAR)
    return result
