"""Formatting shared by every view: safe echo of input, dates in the person's language."""

from __future__ import annotations

from datetime import date
from html import escape

from aiogram.utils.i18n import get_i18n
from babel.dates import format_date


def quote_input(text: str, limit: int = 40) -> str:
    """Echo a person's text back safely: escaped and cut to a readable length."""
    cleaned = " ".join(text.split())
    if len(cleaned) > limit:
        cleaned = cleaned[: limit - 1] + "…"
    return escape(cleaned)


def page_mark(page: int, pages: int) -> str:
    """`` · 2/5`` after a list's title; nothing when the list fits one page."""
    return f" · {page + 1}/{pages}" if pages > 1 else ""


def human_date(value: date, today: date | None = None) -> str:
    """``25 ноября`` / ``November 25``; the year only when it is not the current one."""
    locale = get_i18n().current_locale
    same_year = today is not None and value.year == today.year
    pattern = ("d MMMM" if locale == "ru" else "MMMM d") if same_year else "long"
    return format_date(value, pattern, locale=locale)
