"""Keyboards shared by several features."""

from __future__ import annotations

from collections.abc import Callable

from aiogram.filters.callback_data import CallbackData
from aiogram.types import ReplyKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from aiogram.utils.keyboard import InlineKeyboardBuilder, ReplyKeyboardBuilder

from bot.domain.preferences import RUSSIAN_ZONES, Gender
from bot.telegram.i18n import N_

# Reply-keyboard labels; handlers match them in every language.
MENU_NEW = N_("➕ New interview")
MENU_LIST = N_("📋 My interviews")
MENU_SETTINGS = N_("⚙️ Settings")
MENU_HELP = N_("❓ Help")

GENDER_LABELS = {
    Gender.MASCULINE: __("Masculine: «был бы признателен»"),
    Gender.FEMININE: __("Feminine: «была бы признательна»"),
    Gender.NEUTRAL: __("Neutral, no gendered words"),
}


def zone_label(offset: int) -> str:
    cities = {
        2: _("Kaliningrad"),
        3: _("Moscow"),
        4: _("Samara"),
        5: _("Yekaterinburg"),
        6: _("Omsk"),
        7: _("Novosibirsk"),
        8: _("Irkutsk"),
        9: _("Yakutsk"),
        10: _("Vladivostok"),
        11: _("Magadan"),
        12: _("Kamchatka"),
    }
    return f"UTC+{offset} {cities[offset]}"


def main_menu() -> ReplyKeyboardMarkup:
    builder = ReplyKeyboardBuilder()
    builder.button(text=_(MENU_NEW))
    builder.button(text=_(MENU_LIST))
    builder.button(text=_(MENU_SETTINGS))
    builder.button(text=_(MENU_HELP))
    builder.adjust(2, 2)
    return builder.as_markup(
        resize_keyboard=True,
        is_persistent=True,
        input_field_placeholder=_("Choose an action"),
    )


def gender_buttons(builder: InlineKeyboardBuilder, make: Callable[[str], CallbackData]) -> None:
    for gender, label in GENDER_LABELS.items():
        builder.button(text=str(label), callback_data=make(gender))


def zone_buttons(builder: InlineKeyboardBuilder, make: Callable[[str], CallbackData]) -> None:
    for zone in RUSSIAN_ZONES:
        builder.button(text=zone_label(zone.offset), callback_data=make(str(zone.offset)))


def page_buttons(
    builder: InlineKeyboardBuilder, page: int, pages: int, make: Callable[[int], CallbackData]
) -> int:
    """«◀» and «▶» to the neighbouring pages of a list (``make`` builds a page's button data),
    none on a single page; returns how many were added (one row, for ``adjust``)."""
    added = 0
    if page > 0:
        builder.button(text="◀", callback_data=make(page - 1))
        added += 1
    if page < pages - 1:
        builder.button(text="▶", callback_data=make(page + 1))
        added += 1
    return added


def page_from(value: str) -> int:
    """The page a list's button carries in its ``value``: 0 for none or anything else."""
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 9 else 0
