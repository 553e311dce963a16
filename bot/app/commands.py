"""The command menu: registered with setMyCommands in every language and listed by /help."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeDefault,
)
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import lazy_gettext as __
from babel.support import LazyProxy

from bot.domain.preferences import RUSSIAN_SPEAKING

logger = logging.getLogger(__name__)

COMMANDS: tuple[tuple[str, LazyProxy], ...] = (
    ("start", __("Start, or return to the main menu")),
    ("new", __("Tell me about a new interview")),
    ("list", __("Your interviews")),
    ("draft", __("The letter to send now")),
    ("reminders", __("Planned reminders")),
    ("feedback", __("Record the feedback you got")),
    ("plan", __("Your improvement plan")),
    ("stats", __("Statistics: how often employers answer")),
    ("tips", __("Advice on feedback")),
    ("privacy", __("What I keep about you")),
    ("export", __("A copy of your data")),
    ("delete", __("Erase everything")),
    ("settings", __("Language, signature, time zone, quiet hours")),
    ("help", __("What the bot can do")),
    ("cancel", __("Stop the current step")),
)


def bot_commands(i18n: I18n, locale: str) -> list[BotCommand]:
    with i18n.context(), i18n.use_locale(locale):
        return [BotCommand(command=name, description=str(text)) for name, text in COMMANDS]


async def register_commands(bot: Bot, i18n: I18n) -> None:
    """The menu of private chats (the bot works only there: in a group, typing «/» offers
    none of its commands): English by default; Russian for the languages the interface maps
    to Russian. A menu an earlier version left for every chat is removed."""
    scope = BotCommandScopeAllPrivateChats()
    await bot.set_my_commands(bot_commands(i18n, "en"), scope=scope)
    russian = bot_commands(i18n, "ru")
    for language in sorted(RUSSIAN_SPEAKING):
        await bot.set_my_commands(russian, scope=scope, language_code=language)
    everywhere = BotCommandScopeDefault()
    await bot.delete_my_commands(scope=everywhere)
    for language in sorted(RUSSIAN_SPEAKING):
        await bot.delete_my_commands(scope=everywhere, language_code=language)


async def set_chat_commands(bot: Bot, i18n: I18n, chat_id: int, locale: str) -> None:
    """After a person picks a language, their menu follows it whatever their app's language."""
    await bot.set_my_commands(
        bot_commands(i18n, locale), scope=BotCommandScopeChat(chat_id=chat_id)
    )
