"""Drive the real dispatcher like a person in Telegram, in-process, through the fake API."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Literal

from aiogram import Bot, Dispatcher
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.types import Update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app.config import Settings
from bot.app.factory import create_dispatcher
from bot.app.metrics import Metrics
from bot.app.metrics import install as install_metrics
from bot.db.fsm_storage import SQLAlchemyStorage
from bot.telegram.i18n import create_i18n
from bot.telegram.middlewares.fsm import PersonLocks
from bot.telegram.middlewares.telegram import install as install_request_middlewares
from tests.clock import FakeClock
from tests.fakeapi.core import FakeTelegram, FakeUser, SentMessage
from tests.fakeapi.session import make_bot

TOKEN = "123456:TEST-token"
_update_ids = itertools.count(1, 100_000)


def make_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {"bot_token": TOKEN, "database_url": "sqlite+aiosqlite://"}
    values.update(overrides)
    return Settings(_env_file=None, **values)


# The buttons of /start, consent and onboarding as a person sees them, by interface language.
ONBOARDING_BUTTONS: dict[str, dict[str, str]] = {
    "ru": {
        "consent": "✅ Согласиться и начать",
        "keep_signature": "Оставить «{name}»",
        "skip": "Пропустить →",
        "masculine": "Мужской род: «был бы признателен»",
        "feminine": "Женский род: «была бы признательна»",
        "neutral": "Нейтрально, без указания рода",
        "keep_zone": "Оставить Europe/Moscow",
    },
    "en": {
        "consent": "✅ I agree, let's start",
        "keep_signature": "Keep «{name}»",
        "keep_zone": "Keep Europe/Moscow",
    },
}


class Person:
    """One Telegram user talking to the bot."""

    def __init__(self, app: BotApp, user: FakeUser) -> None:
        self.app = app
        self.user = user

    @property
    def chat_id(self) -> int:
        return self.user.id

    async def onboarded(
        self,
        *,
        gender: Literal["masculine", "feminine", "neutral"] | None = None,
        timezone: str | None = None,
        consent_only: bool = False,
    ) -> Person:
        """Send /start, agree, keep the signature from Telegram, choose the Russian wording
        form (Russian only: ``gender``, or skip it) and keep Europe/Moscow or type ``timezone``.

        The buttons are pressed by their text in the person's language: Russian for a ``ru``
        client, English otherwise. ``consent_only`` stops at the signature question.
        """
        language = "ru" if self.user.language_code == "ru" else "en"
        texts = ONBOARDING_BUTTONS[language]
        await self.send("/start")
        await self.press(texts["consent"])
        if consent_only:
            return self
        name = " ".join(part for part in (self.user.first_name, self.user.last_name) if part)
        await self.press(texts["keep_signature"].format(name=name))
        if language == "ru":
            await self.press(texts[gender or "skip"])
        else:
            assert gender is None, "the Russian wording form is asked in Russian only"
        if timezone is None:
            await self.press(texts["keep_zone"])
        else:
            await self.send(timezone)
        assert self.reply_buttons(), "onboarding did not finish"
        return self

    async def send(self, text: str) -> list[SentMessage]:
        return await self.app.feed(self.app.fake.send_text(self.user, text), self.chat_id)

    async def send_sticker(self) -> list[SentMessage]:
        return await self.app.feed(self.app.fake.send_sticker(self.user), self.chat_id)

    async def edit(self, message: SentMessage, text: str) -> list[SentMessage]:
        """Edit one of this person's own text messages (Telegram sends ``edited_message``)."""
        update = self.app.fake.edit_text(self.user, message.message_id, text)
        return await self.app.feed(update, self.chat_id)

    @property
    def said(self) -> list[SentMessage]:
        """This person's own messages in the private chat, oldest first."""
        return self.app.fake.user_messages(self.chat_id)

    async def tap_menu(self, text: str) -> list[SentMessage]:
        """Tap a reply-keyboard button (the client sends its text)."""
        return await self.app.feed(self.app.fake.press_reply_button(self.user, text), self.chat_id)

    async def press(self, button_text: str, message_id: int | None = None) -> list[SentMessage]:
        update = self.app.fake.press_button(self.user, button_text, message_id)
        return await self.app.feed(update, self.chat_id)

    async def press_data(
        self, message_id: int, data: str, *, forge: bool = False
    ) -> list[SentMessage]:
        update = self.app.fake.press(self.user, message_id, data, forge=forge)
        return await self.app.feed(update, self.chat_id)

    @property
    def last(self) -> SentMessage:
        message = self.app.fake.last_message(self.chat_id)
        assert message is not None, "the bot has not written to this chat"
        return message

    def buttons(self, message: SentMessage | None = None) -> list[str]:
        target = message or self.last
        return [text for row in target.button_texts for text in row]

    def reply_buttons(self) -> list[str]:
        keyboard = self.app.fake.reply_keyboard(self.chat_id) or {}
        return [
            button if isinstance(button, str) else button["text"]
            for row in keyboard.get("keyboard", [])
            for button in row
        ]

    def answers(self) -> list[str]:
        """Texts of callback answers (toasts and alerts) the bot showed this person."""
        return [
            answer.text
            for answer in self.app.fake.callback_answers
            if answer.text and answer.user_id == self.user.id
        ]


class BotApp:
    """The dispatcher wired as in production, with an in-process fake Telegram."""

    def __init__(
        self,
        fake: FakeTelegram,
        bot: Bot,
        dp: Dispatcher,
        sessionmaker: async_sessionmaker[AsyncSession],
        metrics: Metrics,
    ) -> None:
        self.fake = fake
        self.bot = bot
        self.dp = dp
        self.sessionmaker = sessionmaker
        self.metrics = metrics

    def person(
        self,
        user_id: int = 1001,
        *,
        first_name: str = "Анна",
        last_name: str | None = "Иванова",
        language_code: str | None = "ru",
    ) -> Person:
        user = self.fake.user(
            user_id, first_name=first_name, last_name=last_name, language_code=language_code
        )
        return Person(self, user)

    async def feed(self, update: dict[str, Any], chat_id: int) -> list[SentMessage]:
        before = len(self.fake.messages(chat_id))
        parsed = Update.model_validate(update, context={"bot": self.bot})
        await self.dp.feed_update(self.bot, parsed)
        return [m for m in self.fake.messages(chat_id)[before:] if m.from_bot]


@asynccontextmanager
async def running_app(
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: FakeClock,
    *,
    storage: BaseStorage | None = None,
    events_isolation: BaseEventIsolation | None = None,
    **settings: Any,
) -> AsyncIterator[BotApp]:
    # Update ids keep growing across "restarts", as Telegram's do for one bot.
    fake = FakeTelegram(TOKEN, clock=clock, first_update_id=next(_update_ids))
    bot = make_bot(fake, TOKEN)
    install_request_middlewares(bot)
    metrics = Metrics()
    install_metrics(bot, metrics)
    i18n = create_i18n("ru")
    dp = create_dispatcher(
        settings=make_settings(**settings),
        sessionmaker=sessionmaker,
        storage=storage or SQLAlchemyStorage(sessionmaker),
        events_isolation=events_isolation or PersonLocks(),
        i18n=i18n,
        clock=clock,
        metrics=metrics,
    )
    try:
        yield BotApp(fake, bot, dp, sessionmaker, metrics)
    finally:
        await bot.session.close()
