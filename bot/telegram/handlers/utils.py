"""Small helpers handlers share: edits that tolerate a double tap or a vanished message, and
the refusal of a typed answer."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import InlineKeyboardMarkup, MaybeInaccessibleMessageUnion, Message

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Refused:
    """A typed answer that cannot be taken; ``text`` tells the person why."""

    text: str


_HARMLESS = ("message is not modified", "message to edit not found", "message can't be edited")


def _harmless(error: TelegramBadRequest) -> bool:
    return any(part in error.message for part in _HARMLESS)


async def edit_text(
    message: MaybeInaccessibleMessageUnion | None,
    text: str,
    reply_markup: InlineKeyboardMarkup | None = None,
    **kwargs: Any,
) -> bool:
    """Edit a bot message in place; ``False`` if it could not be (then send a new one).

    A message without text (a forged button's query can name the /export document) cannot
    be edited so: ``False`` too, without asking Telegram."""
    if not isinstance(message, Message) or message.text is None:
        return False
    try:
        await message.edit_text(text, reply_markup=reply_markup, **kwargs)
    except TelegramBadRequest as error:
        if not _harmless(error):
            raise
        return "not modified" in error.message
    return True


async def drop_keyboard(bot: Bot, chat_id: int, message_id: int | None) -> None:
    """Remove the buttons of an answered question so they cannot be pressed again."""
    if message_id is None:
        return
    try:
        await bot.edit_message_reply_markup(
            chat_id=chat_id, message_id=message_id, reply_markup=None
        )
    except TelegramBadRequest as error:
        if not _harmless(error):
            raise


async def edit_card(
    bot: Bot, chat_id: int, message_id: int, text: str, reply_markup: InlineKeyboardMarkup
) -> None:
    """Redraw a card the bot sent earlier (known by its id) in place; a card that is gone or
    already shows this is left as it is."""
    try:
        await bot.edit_message_text(
            text=text, chat_id=chat_id, message_id=message_id, reply_markup=reply_markup
        )
    except TelegramBadRequest as error:
        if not _harmless(error):
            raise
