"""The settings card and its parts."""

from __future__ import annotations

from datetime import datetime
from html import escape

from aiogram.utils.i18n import gettext as _

from bot.db.models import User
from bot.domain.calendar import CalendarCode
from bot.domain.preferences import Gender, format_clock, get_tz, utc_offset_label
from bot.telegram.keyboards.common import GENDER_LABELS

LANGUAGE_NAMES = {"ru": "Русский", "en": "English"}


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


def gender_name(code: str) -> str:
    try:
        return str(GENDER_LABELS[Gender(code)])
    except ValueError:
        return str(GENDER_LABELS[Gender.NEUTRAL])


def timezone_text(name: str, now: datetime) -> str:
    local = now.astimezone(get_tz(name))
    label = utc_offset_label(name, now)
    shown = name if name.startswith("UTC") else f"{name} ({label})"
    return _("{zone}, local time now {time}").format(zone=shown, time=local.strftime("%H:%M"))


def calendar_name(code: str) -> str:
    """Whose working days the person counts (a button label and the card's value)."""
    if code == CalendarCode.RU:
        return _("Russian production calendar")
    return _("Monday–Friday, no holidays")


def quiet_hours_text(user: User) -> str:
    if user.quiet_start is None or user.quiet_end is None:
        return _("off: reminders may come at any hour")
    return _("{start}–{end}; reminders due then come at {end}").format(
        start=format_clock(user.quiet_start), end=format_clock(user.quiet_end)
    )


def settings_lines(user: User, now: datetime) -> list[str]:
    return [
        _("🌐 Language: {value}").format(value=language_name(user.language)),
        _("✍️ Signature: {value}").format(value=escape(user.signature)),
        _("👤 Russian wording: {value}").format(value=gender_name(user.gender)),
        _("🕒 Time zone: {value}").format(value=timezone_text(user.timezone, now)),
        _("📅 Working days: {value}").format(value=calendar_name(user.calendar)),
        _("🌙 Quiet hours: {value}").format(value=quiet_hours_text(user)),
    ]


def settings_card(user: User, now: datetime) -> str:
    return "\n".join(
        [_("<b>⚙️ Settings</b>"), "", *settings_lines(user, now), "", _("Choose what to change:")]
    )
