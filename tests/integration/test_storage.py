"""Repositories and FSM storage on every backend the bot supports."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta, timezone

import pytest
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, StorageKey
from aiogram.fsm.storage.redis import RedisStorage
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.db.context import current_session
from bot.db.engine import create_engine, create_sessionmaker
from bot.db.fsm_redis import ErasableRedisStorage
from bot.db.fsm_storage import AfterCommitStorage, SQLAlchemyStorage
from bot.db.models import FsmRecord
from bot.db.repositories.users import UserRepository
from bot.telegram.states import Onboarding
from tests.databases import NO_REDIS, REDIS_URL

NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)


@pytest.fixture
async def db(any_db_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine: AsyncEngine = create_engine(any_db_url)
    yield create_sessionmaker(engine)
    await engine.dispose()


async def test_user_round_trip_keeps_aware_utc_datetimes(
    db: async_sessionmaker[AsyncSession],
) -> None:
    moscow_time = NOW.astimezone(timezone(timedelta(hours=3)))
    async with db() as session, session.begin():
        await UserRepository(session).create(
            user_id=7_000_000_001,  # Telegram ids exceed 32 bits
            language="ru",
            signature="Анна Иванова",
            timezone="Europe/Moscow",
            now=moscow_time,
        )
    async with db() as session:
        user = await UserRepository(session).get(7_000_000_001)
    assert user is not None
    assert user.signature == "Анна Иванова"
    assert user.consented_at == NOW
    assert user.consented_at.tzinfo is not None
    assert user.consented_at.utcoffset() == timedelta(0)
    assert (user.quiet_start, user.quiet_end) == (time(22), time(9))
    assert user.onboarded_at is None


async def test_naive_datetimes_are_refused(db: async_sessionmaker[AsyncSession]) -> None:
    with pytest.raises(Exception, match="naive datetime"):
        async with db() as session, session.begin():
            await UserRepository(session).create(
                user_id=1,
                language="ru",
                signature="A",
                timezone="UTC",
                now=NOW.replace(tzinfo=None),
            )


async def test_update_changes_settings_and_touches_updated_at(
    db: async_sessionmaker[AsyncSession],
) -> None:
    async with db() as session, session.begin():
        repo = UserRepository(session)
        user = await repo.create(user_id=5, language="ru", signature="A", timezone="UTC", now=NOW)
        later = NOW + timedelta(hours=1)
        await repo.update(user, later, timezone="Asia/Omsk", quiet_start=None, quiet_end=None)
    async with db() as session:
        stored = await UserRepository(session).get(5)
    assert stored is not None
    assert stored.timezone == "Asia/Omsk"
    assert stored.quiet_start is None
    assert stored.updated_at == NOW + timedelta(hours=1)


async def test_repository_does_not_commit(db: async_sessionmaker[AsyncSession]) -> None:
    async with db() as session:
        await UserRepository(session).create(
            user_id=9, language="en", signature="B", timezone="UTC", now=NOW
        )
        await session.rollback()
    async with db() as session:
        assert await UserRepository(session).get(9) is None


# --- FSM storage --------------------------------------------------------------------------


@pytest.fixture(params=["database", "redis"])
async def fsm_storage(
    request: pytest.FixtureRequest, db: async_sessionmaker[AsyncSession]
) -> AsyncIterator[BaseStorage]:
    if request.param == "redis":
        if not REDIS_URL:
            pytest.skip(NO_REDIS)
        prefix = f"test-{uuid.uuid4().hex}"
        storage: BaseStorage = RedisStorage.from_url(
            REDIS_URL, key_builder=DefaultKeyBuilder(prefix=prefix, with_destiny=True)
        )
    else:
        storage = SQLAlchemyStorage(db)
    yield storage
    await storage.close()


KEY = StorageKey(bot_id=42, chat_id=100, user_id=100)


async def test_fsm_state_and_data_persist_independently(fsm_storage: BaseStorage) -> None:
    assert await fsm_storage.get_state(KEY) is None
    assert await fsm_storage.get_data(KEY) == {}

    await fsm_storage.set_state(KEY, Onboarding.signature)
    await fsm_storage.set_data(KEY, {"prompt_id": 17, "name": "Анна"})
    assert await fsm_storage.get_state(KEY) == Onboarding.signature.state
    assert await fsm_storage.get_data(KEY) == {"prompt_id": 17, "name": "Анна"}

    await fsm_storage.set_state(KEY, Onboarding.timezone)
    assert await fsm_storage.get_data(KEY) == {"prompt_id": 17, "name": "Анна"}
    assert await fsm_storage.update_data(KEY, {"step": 2}) == {
        "prompt_id": 17,
        "name": "Анна",
        "step": 2,
    }

    other = StorageKey(bot_id=42, chat_id=200, user_id=200)
    assert await fsm_storage.get_state(other) is None

    await fsm_storage.set_state(KEY, None)
    await fsm_storage.set_data(KEY, {})
    assert await fsm_storage.get_state(KEY) is None
    assert await fsm_storage.get_data(KEY) == {}


async def test_fsm_state_survives_a_new_storage_instance(
    db: async_sessionmaker[AsyncSession],
) -> None:
    first = SQLAlchemyStorage(db)
    await first.set_state(KEY, Onboarding.gender)
    await first.set_data(KEY, {"prompt_id": 3})
    second = SQLAlchemyStorage(db)
    assert await second.get_state(KEY) == Onboarding.gender.state
    assert await second.get_data(KEY) == {"prompt_id": 3}


async def test_inside_an_update_the_conversation_moves_with_the_commit(
    db: async_sessionmaker[AsyncSession],
) -> None:
    """Through the update's session: the handler sees its own changes at once, the database
    only at the commit, and a rolled-back update leaves the conversation where it was."""
    storage = SQLAlchemyStorage(db)
    await storage.set_state(KEY, Onboarding.signature)

    async with db() as session:
        token = current_session.set(session)
        try:
            await storage.set_state(KEY, Onboarding.gender)
            await storage.update_data(KEY, {"name": "Анна"})
            assert await storage.get_state(KEY) == Onboarding.gender.state
            assert await storage.get_data(KEY) == {"name": "Анна"}
            async with db() as elsewhere:  # another connection: nothing written yet
                row = await elsewhere.get(
                    FsmRecord, DefaultKeyBuilder(with_destiny=True).build(KEY)
                )
            assert row is not None
            assert row.state == Onboarding.signature.state
            await session.rollback()
        finally:
            current_session.reset(token)
    assert await storage.get_state(KEY) == Onboarding.signature.state
    assert await storage.get_data(KEY) == {}

    async with db() as session:
        token = current_session.set(session)
        try:
            await storage.set_state(KEY, None)  # the conversation ends: its row goes
            await storage.set_state(KEY, Onboarding.timezone)  # and a new one starts
            await storage.set_data(KEY, {"step": 1})
            await session.commit()
        finally:
            current_session.reset(token)
    assert await storage.get_state(KEY) == Onboarding.timezone.state
    assert await storage.get_data(KEY) == {"step": 1}


async def test_in_redis_an_updates_changes_are_written_only_after_its_commit(
    db: async_sessionmaker[AsyncSession],
) -> None:
    if not REDIS_URL:
        pytest.skip(NO_REDIS)
    key_builder = DefaultKeyBuilder(prefix=f"test-{uuid.uuid4().hex}", with_destiny=True)
    redis = RedisStorage.from_url(REDIS_URL, key_builder=key_builder)
    storage = AfterCommitStorage(redis)
    await storage.set_state(KEY, Onboarding.signature)  # outside an update: at once
    assert await redis.get_state(KEY) == Onboarding.signature.state

    for commits in (False, True):
        async with db() as session:
            token = current_session.set(session)
            try:
                await storage.set_state(KEY, Onboarding.gender)
                await storage.update_data(KEY, {"name": "Анна"})
                assert await storage.get_state(KEY) == Onboarding.gender.state
                assert await storage.get_data(KEY) == {"name": "Анна"}
                assert await redis.get_state(KEY) == Onboarding.signature.state
            finally:
                current_session.reset(token)
            if commits:
                await session.commit()
                await storage.write_pending(session)
            else:
                await session.rollback()  # the update failed: nothing is written
                assert await redis.get_state(KEY) == Onboarding.signature.state
                assert await redis.get_data(KEY) == {}
    assert await redis.get_state(KEY) == Onboarding.gender.state
    assert await redis.get_data(KEY) == {"name": "Анна"}
    await storage.close()


@pytest.fixture(params=["database", "redis"])
async def erasable(
    request: pytest.FixtureRequest, db: async_sessionmaker[AsyncSession]
) -> AsyncIterator[SQLAlchemyStorage | AfterCommitStorage]:
    """The conversation storage as the bot builds it, in the database or in Redis."""
    if request.param == "database":
        yield SQLAlchemyStorage(db)
        return
    if not REDIS_URL:
        pytest.skip(NO_REDIS)
    key_builder = DefaultKeyBuilder(prefix=f"test-{uuid.uuid4().hex}", with_destiny=True)
    redis = ErasableRedisStorage.from_url(REDIS_URL, key_builder=key_builder)
    yield AfterCommitStorage(redis)
    if left := [key async for key in redis.redis.scan_iter(f"{key_builder.prefix}:*")]:
        await redis.redis.delete(*left)
    await redis.close()


async def test_forgetting_a_person_takes_effect_with_the_commit_only(
    db: async_sessionmaker[AsyncSession], erasable: SQLAlchemyStorage | AfterCommitStorage
) -> None:
    private = StorageKey(bot_id=42, chat_id=100, user_id=100)
    group = StorageKey(bot_id=42, chat_id=-100200, user_id=100)
    others = StorageKey(bot_id=42, chat_id=-100200, user_id=200, thread_id=100)
    topic = StorageKey(bot_id=42, chat_id=-100200, user_id=100, thread_id=7)
    for key in (private, group, others):
        await erasable.set_state(key, Onboarding.signature)
        await erasable.set_data(key, {"name": "Анна"})

    for commits in (False, True):
        async with db() as session:
            token = current_session.set(session)
            try:
                await erasable.set_state(group, Onboarding.gender)  # this update's own changes
                await erasable.set_state(topic, Onboarding.gender)  # a new one
                await erasable.forget(100)
                assert await erasable.get_state(group) is None  # the update sees them erased
                assert await erasable.get_state(topic) is None
                assert await erasable.get_data(private) == {}
            finally:
                current_session.reset(token)
            if not commits:
                await session.rollback()  # the update failed: nothing is erased
                assert await erasable.get_state(group) == Onboarding.signature.state
                assert await erasable.get_data(private) == {"name": "Анна"}
                continue
            await session.commit()
            if isinstance(erasable, AfterCommitStorage):
                await erasable.write_pending(session)
    for key in (private, group, topic):
        assert await erasable.get_state(key) is None
        assert await erasable.get_data(key) == {}
    assert await erasable.get_state(others) == Onboarding.signature.state
    assert await erasable.get_data(others) == {"name": "Анна"}
