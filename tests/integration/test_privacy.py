"""/privacy, /export and /delete: the person's right to see, copy and erase their data."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

import pytest
from aiogram.fsm.storage.base import DefaultKeyBuilder, StorageKey
from redis.asyncio import Redis
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.base import Base
from bot.db.fsm_redis import ErasableRedisStorage
from bot.db.fsm_storage import AfterCommitStorage
from bot.db.models import FsmRecord, Interview, Reminder, User
from bot.db.repositories.interviews import InterviewRepository
from bot.db.repositories.reminders import ReminderRepository
from bot.telegram.states import Intake
from tests.clock import FakeClock
from tests.databases import NO_REDIS, REDIS_URL
from tests.harness import BotApp, Person, running_app


async def with_interview(app: BotApp, person: Person, company: str, clock: FakeClock) -> None:
    async with app.sessionmaker() as session, session.begin():
        interview = await InterviewRepository(session).add(
            user_id=person.user.id,
            now=clock.now,
            company=company,
            position="Python-разработчик",
            contact_name=None,
            channel="phone",
            contact_address=None,
            last_stage_on=clock.now.date(),
            all_stages_done=True,
            next_stage_on=None,
            outcome="waiting",
            rejection_tone=None,
            result_on=None,
            last_contact_on=None,
            priorities=["tech"],
        )
        await ReminderRepository(session).add(
            user_id=person.user.id,
            interview_id=interview.id,
            kind="send",
            due_at=clock.now + timedelta(days=1),
            now=clock.now,
        )


async def count(app: BotApp, model: type[User | Interview | Reminder | FsmRecord]) -> int:
    async with app.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_privacy_for_a_stranger_says_nothing_is_kept(app: BotApp) -> None:
    stranger = app.person(7)
    replies = await stranger.send("/privacy")
    assert "🔒 Ваши данные" in (replies[0].text or "")
    assert "Пока я ничего о вас не храню." in (replies[0].text or "")
    assert await count(app, User) == 0


async def test_export_sends_only_the_persons_own_data(app: BotApp, clock: FakeClock) -> None:
    anna = await app.person(1001).onboarded()
    boris = await app.person(1002).onboarded()
    await with_interview(app, anna, "Яндекс", clock)
    await with_interview(app, boris, "Озон", clock)

    await anna.send("/privacy")
    assert anna.buttons() == ["📦 Выгрузить мои данные", "🗑 Удалить всё"]
    await anna.press("📦 Выгрузить мои данные")
    document = app.fake.documents[-1]
    assert document.chat_id == anna.chat_id
    assert (document.file_name or "").endswith(".json")
    data = json.loads(document.content)
    assert data["person"]["id"] == anna.user.id
    assert data["person"]["signature"] == "Анна Иванова"
    assert data["person"]["calendar"] == "ru"  # Europe/Moscow: the Russian working calendar
    assert [item["company"] for item in data["interviews"]] == ["Яндекс"]
    assert len(data["reminders"]) == 1
    assert "Озон" not in document.content.decode()


async def test_delete_erases_everything_after_confirmation(app: BotApp, clock: FakeClock) -> None:
    anna = await app.person(1001).onboarded()
    boris = await app.person(1002).onboarded()
    await with_interview(app, anna, "Яндекс", clock)
    await with_interview(app, boris, "Озон", clock)
    await anna.send("/new")  # a conversation in progress is erased too
    await anna.send("/delete")
    assert anna.buttons() == ["🗑 Да, удалить всё", "Нет, оставить"]
    await anna.press("Нет, оставить")
    assert anna.last.text == "Ничего не удалено."
    assert await count(app, Interview) == 2

    await anna.send("/delete")
    await anna.press("🗑 Да, удалить всё")
    assert "Я больше ничего о вас не храню" in (anna.last.text or "")
    assert app.fake.last_reply_markup(anna.chat_id) == {"remove_keyboard": True}
    async with app.sessionmaker() as session:
        assert await session.get(User, anna.user.id) is None
        assert await session.get(User, boris.user.id) is not None
    assert await count(app, Interview) == 1
    assert await count(app, Reminder) == 1
    async with app.sessionmaker() as session:
        for table in Base.metadata.sorted_tables:  # every table: nothing about Anna remains
            rows = (await session.execute(select(table))).mappings().all()
            for row in rows:
                assert anna.user.id not in {row.get("user_id"), row.get("id")}, table.name
                assert f":{anna.user.id}:" not in str(row.get("key", "")), table.name
    replies = await anna.send("/settings")
    assert "Сначала отправьте /start" in (replies[0].text or "")


async def test_delete_needs_consent_first(app: BotApp) -> None:
    stranger = app.person(9)
    replies = await stranger.send("/delete")
    assert "Сначала отправьте /start" in (replies[0].text or "")


# --- conversations in every chat --------------------------------------------------------------

GROUP = -1001234567890


@dataclass
class Conversations:
    """The bot with its conversations in the database, or in Redis (as with ``REDIS_URL``)."""

    app: BotApp
    key_builder: DefaultKeyBuilder
    redis: ErasableRedisStorage | None = None

    async def keys(self) -> set[str]:
        """Every key the storage keeps."""
        if self.redis is not None:
            found = self.redis.redis.scan_iter(f"{self.key_builder.prefix}:*")
            return {key.decode() async for key in found}
        async with self.app.sessionmaker() as session:
            return set(await session.scalars(select(FsmRecord.key)))

    def of(self, *conversations: StorageKey) -> set[str]:
        """The keys these conversations are kept under."""
        parts: list[Literal["state", "data"] | None] = ["state", "data"] if self.redis else [None]
        return {self.key_builder.build(key, part) for key in conversations for part in parts}


@pytest.fixture(params=["database", "redis"])
async def conversations(
    request: pytest.FixtureRequest, sessionmaker: async_sessionmaker[AsyncSession], clock: FakeClock
) -> AsyncIterator[Conversations]:
    if request.param == "database":
        async with running_app(sessionmaker, clock) as app:
            yield Conversations(app, DefaultKeyBuilder(with_destiny=True))
        return
    if not REDIS_URL:
        pytest.skip(NO_REDIS)
    key_builder = DefaultKeyBuilder(prefix=f"test-{uuid.uuid4().hex}", with_destiny=True)
    redis = ErasableRedisStorage(Redis.from_url(REDIS_URL), key_builder=key_builder)
    try:
        async with running_app(sessionmaker, clock, storage=AfterCommitStorage(redis)) as app:
            stored = Conversations(app, key_builder, redis)
            yield stored
            if left := await stored.keys():
                await redis.redis.delete(*left)
    finally:
        await redis.close()


async def test_delete_erases_the_persons_conversations_in_every_chat(
    conversations: Conversations,
) -> None:
    app = conversations.app
    anna = await app.person(1001).onboarded()
    boris = await app.person(1002).onboarded()
    storage = app.dp.fsm.storage
    bot_id = app.bot.id
    annas = (
        StorageKey(bot_id, anna.chat_id, anna.user.id),
        StorageKey(bot_id, GROUP, anna.user.id),  # a /new begun in a group
        StorageKey(bot_id, GROUP, anna.user.id, thread_id=boris.user.id),  # in a forum topic
    )
    in_annas_topic = StorageKey(bot_id, GROUP, boris.user.id, thread_id=anna.user.id)
    for key in (*annas[1:], in_annas_topic):
        await storage.set_state(key, Intake.company)
        await storage.set_data(key, {"company": "Секретная компания"})
    await boris.send("/new")
    await anna.send("/new")  # and one in the private chat
    before = await conversations.keys()
    assert conversations.of(*annas) <= before

    await anna.send("/delete")
    await anna.press("🗑 Да, удалить всё")

    assert "Я больше ничего о вас не храню" in (anna.last.text or "")
    assert await conversations.keys() == before - conversations.of(*annas)
    for key in annas:
        assert await storage.get_state(key) is None
        assert await storage.get_data(key) == {}
    # Boris's conversations, in the same group (in a topic numbered as Anna) and in private
    assert await storage.get_data(in_annas_topic) == {"company": "Секретная компания"}
    assert await storage.get_state(StorageKey(bot_id, boris.chat_id, boris.user.id)) is not None
