"""Groups, supergroups and channels: the bot works in the private chat only.

This router comes before every other one and takes every message and button press from a chat
that is not private, so no feature below it runs there: no conversation starts, no record or
consent is made, nothing personal is shown. A command meant for the bot (or a mention of it, or
a reply to it) gets a short note with a button that opens the private chat; anything else in
the group is someone else's conversation and gets no answer; a button pressed there gets the
note as an alert. Inline mode is not touched: its results go only to the person who typed the
query, whatever chat they type it in.
"""

from __future__ import annotations

import logging

from aiogram import Bot, F, Router
from aiogram.enums import ChatType, MessageEntityType
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.filters import BaseFilter
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.app.commands import COMMANDS

logger = logging.getLogger(__name__)

START_PARAMETER = "group"
"""What the deep link passes to /start in the private chat (shown as «/start group»)."""
OUR_COMMANDS = frozenset(name for name, _text in COMMANDS)


class AddressedToBot(BaseFilter):
    """A group message meant for this bot: one of its commands (``/export``, ``/export@bot``),
    any command that names it, a mention of ``@bot`` or a reply to one of its messages.

    A bare unknown command is left alone: in a group it is usually another bot's.
    """

    async def __call__(self, message: Message, bot: Bot) -> bool:
        me = await bot.me()  # getMe once per Bot, then aiogram's cached copy
        username = (me.username or "").casefold()
        text = message.text or message.caption or ""
        if text.startswith("/"):
            command, _at, mention = text.split(maxsplit=1)[0][1:].partition("@")
            if mention:
                return mention.casefold() == username
            return command.casefold() in OUR_COMMANDS
        reply = message.reply_to_message
        if reply is not None and reply.from_user is not None and reply.from_user.id == me.id:
            return True
        entities = message.entities or message.caption_entities or []
        return any(
            entity.type == MessageEntityType.MENTION
            and entity.extract_from(text).casefold() == f"@{username}"
            for entity in entities
        )


def private_chat_keyboard(username: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("💬 Open the private chat"),
        url=f"https://t.me/{username}?start={START_PARAMETER}",
    )
    return builder.as_markup()


async def private_chat_note(message: Message, bot: Bot) -> None:
    me = await bot.me()
    text = _(
        "🔒 I only work in a private chat, so that what you tell me stays between us. "
        "Open it with the button below."
    )
    try:
        await message.reply(
            text,
            reply_markup=private_chat_keyboard(me.username or ""),
            allow_sending_without_reply=True,
        )
    except (TelegramBadRequest, TelegramForbiddenError) as error:
        # A group where the bot may not write (muted, removed): nothing to say it with.
        logger.info("group note not sent: %s", error.message)


async def private_chat_alert(callback: CallbackQuery, bot: Bot) -> None:
    me = await bot.me()
    await callback.answer(
        _(
            "🔒 I only work in a private chat, so that what you tell me stays between us. "
            "Write to me: @{bot}"
        ).format(bot=me.username or ""),
        show_alert=True,
    )


async def not_for_me(_event: Message) -> None:
    """Someone else's conversation in the group: not a word."""


def create_router() -> Router:
    router = Router(name="groups")
    in_group = F.chat.type != ChatType.PRIVATE
    router.message.filter(in_group)
    router.edited_message.filter(in_group)
    # A button under a message in a group; a press on an inline-mode message has no chat and
    # is not taken here.
    router.callback_query.filter(F.message.chat.type != ChatType.PRIVATE)
    router.message.register(private_chat_note, AddressedToBot())
    router.message.register(not_for_me)
    router.edited_message.register(not_for_me)
    router.callback_query.register(private_chat_alert)
    return router
