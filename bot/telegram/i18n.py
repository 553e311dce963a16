"""Translations: gettext catalogs in ``locales/`` through aiogram's I18n."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiogram.types import TelegramObject
from aiogram.types import User as TelegramUser
from aiogram.utils.i18n import I18n, I18nMiddleware

from bot.db.models import User
from bot.domain.preferences import SUPPORTED_LOCALES, resolve_locale

LOCALES_DIR = Path(__file__).resolve().parents[2] / "locales"
DOMAIN = "messages"


def create_i18n(default_locale: str = "ru", path: Path = LOCALES_DIR) -> I18n:
    return I18n(path=path, default_locale=default_locale, domain=DOMAIN)


def locale_for(user: User | None, telegram_user: TelegramUser | None, default: str) -> str:
    """The stored choice first, then Telegram's language, then the configured default."""
    if user is not None and user.language in SUPPORTED_LOCALES:
        return user.language
    if telegram_user is not None and telegram_user.language_code:
        return resolve_locale(telegram_user.language_code, default)
    return default


class UserI18nMiddleware(I18nMiddleware):
    """Picks the interface language for every update (runs after the user middleware).

    The choice is also left in ``data["locale"]``: the error handler runs after the update's
    transaction was rolled back, when the person's record can no longer be read.
    """

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:  # noqa: ARG002
        locale = locale_for(data.get("user"), data.get("event_from_user"), self.i18n.default_locale)
        data["locale"] = locale
        return locale


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark a msgid for extraction where it is translated later (e.g. reply-keyboard labels)."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    """Plural-aware translation in the current locale (Russian has three forms)."""
    from aiogram.utils.i18n import gettext  # noqa: PLC0415 - the context-bound function

    return gettext(singular, plural, n)


def translations(i18n: I18n, message: str) -> frozenset[str]:
    """A message in every available language: reply-keyboard buttons match any of them."""
    return frozenset(i18n.gettext(message, locale=locale) for locale in SUPPORTED_LOCALES)
