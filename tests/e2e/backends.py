"""The backends the end-to-end tests run on, and reads of their data that work on both.

``sqlite``: a file in the test's ``tmp_path`` (``E2E.db_path``), migrated by the bot at
start-up; the FSM state in its ``fsm_states`` table; the job store a file next to it.

``postgres+redis``: ``TEST_POSTGRES_URL``, reset and migrated for each test, holds the data
and the APScheduler job store (its ``apscheduler_jobs`` table); ``TEST_REDIS_URL``, emptied
for each test, holds the FSM state. Skipped when either variable is unset.

The helpers read (or write) through SQLAlchemy with the URL the bot itself was given, and
the job store through the URL the bot derives from it (:func:`jobstore_url`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from redis.asyncio import Redis
from sqlalchemy import func, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.pool import NullPool

from bot.db.base import Base
from bot.db.engine import create_engine, create_sessionmaker
from bot.db.models import FsmRecord
from bot.scheduler.runner import jobstore_url
from tests.databases import (
    NO_POSTGRES,
    NO_REDIS,
    POSTGRES_URL,
    REDIS_URL,
    fresh_postgres,
    sqlite_url,
)
from tests.e2e.process import E2E, REPLY_TIMEOUT

SQLITE = "sqlite"
POSTGRES_REDIS = "postgres+redis"
BACKENDS = (SQLITE, POSTGRES_REDIS)

SQLITE_ONLY = pytest.mark.parametrize("backend", [SQLITE], indirect=True)
"""For a test that touches no database: one run is enough."""
POSTGRES_REDIS_ONLY = pytest.mark.parametrize("backend", [POSTGRES_REDIS], indirect=True)

CHAT_LOCKS = "fsm:*:lock"
"""aiogram's Redis event isolation: one lock per chat while an update of it is handled."""
LOCK_POLL_INTERVAL = 0.01
"""Between two looks for chat locks: their release is not an event the test can wait on."""


@dataclass(frozen=True)
class Backend:
    name: str
    database_url: str
    redis_url: str = ""
    """Empty: the bot keeps its FSM state in the database."""


async def prepare(name: str, directory: Path) -> Backend:
    """The backend ``name``, empty and ready for a test whose files go in ``directory``."""
    if name == SQLITE:
        # The file E2E.db_path names; the bot creates and migrates it when it starts.
        return Backend(SQLITE, sqlite_url(directory / "bot.sqlite3"))
    assert name == POSTGRES_REDIS, name
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    if not REDIS_URL:
        pytest.skip(NO_REDIS)
    await asyncio.to_thread(fresh_postgres, POSTGRES_URL)  # it runs its own event loop
    redis = Redis.from_url(REDIS_URL)
    try:
        await redis.flushdb()
    finally:
        await redis.aclose()
    return Backend(POSTGRES_REDIS, POSTGRES_URL, REDIS_URL)


@dataclass
class BackendE2E(E2E):
    """An :class:`E2E` whose bot processes run on ``backend`` unless told otherwise."""

    backend: Backend

    @property
    def database_url(self) -> str:
        return self.backend.database_url

    def env(self, **overrides: str) -> dict[str, str]:
        backend = {"DATABASE_URL": self.backend.database_url, "REDIS_URL": self.backend.redis_url}
        return super().env(**(backend | overrides))

    async def wait_idle(self, timeout: float = REPLY_TIMEOUT) -> None:
        """As :meth:`E2E.wait_idle`, and with Redis also every chat lock released.

        aiogram holds an update's Redis lock around the whole update, log line included: it is
        released a moment after the line. A process killed in that moment leaves the lock for
        its 60 s timeout, and the next process waits that long for the chat's next update. So
        a test that kills the bot "at rest" waits for this too; with SQLite the locks are in
        the process's memory and die with it.
        """
        await super().wait_idle(timeout)
        if not self.backend.redis_url:
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        redis = Redis.from_url(self.backend.redis_url, decode_responses=True)
        try:
            while held := await redis.keys(CHAT_LOCKS):
                if loop.time() > deadline:
                    pytest.fail(f"chat locks still held after {timeout}s: {held}\n{self.report()}")
                await asyncio.sleep(LOCK_POLL_INTERVAL)
        finally:
            await redis.aclose()

    async def fsm_keys(self) -> list[str]:
        """Keys of the FSM records (state and data, not the transient chat locks) in the
        storage the bot uses: Redis, or the database."""
        if not self.backend.redis_url:
            async with sessions(self.database_url) as sessionmaker, sessionmaker() as session:
                return list((await session.scalars(select(FsmRecord.key))).all())
        redis = Redis.from_url(self.backend.redis_url, decode_responses=True)
        try:
            return [key for key in map(str, await redis.keys("*")) if not key.endswith(":lock")]
        finally:
            await redis.aclose()


# --- the database, directly --------------------------------------------------------------------


@asynccontextmanager
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on the bot's database, its engine disposed of afterwards."""
    engine = create_engine(database_url)
    try:
        yield create_sessionmaker(engine)
    finally:
        await engine.dispose()


async def table_names(database_url: str) -> set[str]:
    async with sessions(database_url) as sessionmaker, sessionmaker() as session:
        connection = await session.connection()
        return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))


async def rows(database_url: str, table: str, **equal: object) -> list[dict[str, Any]]:
    """The rows of ``table`` whose columns equal ``equal``, by primary key, as Python values
    (dates as ``date``, not as the text SQLite stores)."""
    columns = Base.metadata.tables[table]
    query = (
        select(columns)
        .where(*(columns.c[name] == value for name, value in equal.items()))
        .order_by(*columns.primary_key.columns)
    )
    async with sessions(database_url) as sessionmaker, sessionmaker() as session:
        return [dict(row) for row in (await session.execute(query)).mappings()]


async def count(database_url: str, table: str, **equal: object) -> int:
    columns = Base.metadata.tables[table]
    query = (
        select(func.count())
        .select_from(columns)
        .where(*(columns.c[name] == value for name, value in equal.items()))
    )
    async with sessions(database_url) as sessionmaker, sessionmaker() as session:
        return int((await session.execute(query)).scalar_one())


def _job_ids(url: str) -> set[str]:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        assert Path(parsed.database or "").is_file(), f"no job store at {url}"
    engine = sqlalchemy.create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return set(connection.scalars(sqlalchemy.text("SELECT id FROM apscheduler_jobs")))
    finally:
        engine.dispose()


async def planned_jobs(database_url: str) -> set[str]:
    """Job ids in the bot's persistent job store (a file next to SQLite, a table in
    PostgreSQL), read through the synchronous URL the bot uses, off the event loop."""
    return await asyncio.to_thread(_job_ids, jobstore_url(database_url))
