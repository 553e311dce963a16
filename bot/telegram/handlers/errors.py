"""The last line of defence: log the failure with the update id, apologize to the person."""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.types import ErrorEvent
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.telegram.i18n import locale_for

logger = logging.getLogger("bot.errors")


async def on_error(event: ErrorEvent, bot: Bot, i18n: I18n, **data: Any) -> bool:
    update = event.update
    logger.error(
        "update=%s failed: %s",
        update.update_id,
        type(event.exception).__name__,
        exc_info=event.exception,
    )
    chat = data.get("event_chat")
    locale = data.get("locale") or locale_for(
        None, data.get("event_from_user"), i18n.default_locale
    )
    with i18n.context(), i18n.use_locale(locale):
        text = _(
            "😔 Sorry, something went wrong on my side. What you saved before is safe; "
            "please try again in a moment."
        )
    try:
        if update.callback_query is not None:
            try:
                await update.callback_query.answer(text, show_alert=True)
            except TelegramBadRequest:
                # The handler had answered the query already: say it in the chat instead.
                if chat is None:
                    raise
                await bot.send_message(chat.id, text)
        elif chat is not None:
            await bot.send_message(chat.id, text)
    except TelegramAPIError as error:
        logger.warning("update=%s apology not delivered: %s", update.update_id, error.message)
    return True
