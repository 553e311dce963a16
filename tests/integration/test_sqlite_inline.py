"""The embedded SQLite runs its statements in the event loop's thread, and behaves as before:
errors, rollbacks, isolation between connections, closing."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import create_engine
from bot.db.sqlite_inline import InlineConnection


@pytest.fixture
async def notes(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'notes.sqlite3'}")
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
    yield engine
    await engine.dispose()


async def test_statements_run_in_the_loop_thread_with_no_worker_thread(
    notes: AsyncEngine,
) -> None:
    threads = {thread.ident for thread in threading.enumerate()}
    async with notes.connect() as first, notes.connect() as second:
        assert first.dialect.driver == "aiosqlite"
        raw = await first.get_raw_connection()
        assert isinstance(raw.driver_connection, InlineConnection)
        await first.execute(text("INSERT INTO notes VALUES (1, 'первая')"))
        await first.commit()
        assert (await second.execute(text("SELECT body FROM notes"))).scalar_one() == "первая"
    # The connections refuse use from a thread other than their creator's: had any call gone
    # elsewhere, it would have raised. And no thread was started for them.
    assert {thread.ident for thread in threading.enumerate()} == threads


async def test_errors_rollbacks_and_isolation_are_as_with_a_worker_thread(
    notes: AsyncEngine,
) -> None:
    async with notes.begin() as connection:
        await connection.execute(text("INSERT INTO notes VALUES (1, 'сохранена')"))

    async with notes.connect() as writer, notes.connect() as reader:
        await writer.execute(text("INSERT INTO notes VALUES (2, 'не зафиксирована')"))
        # another connection does not see what is not committed
        assert (await reader.execute(text("SELECT count(*) FROM notes"))).scalar_one() == 1
        await reader.rollback()
        with pytest.raises(IntegrityError):
            await writer.execute(text("INSERT INTO notes VALUES (1, 'дубликат')"))
        await writer.rollback()
        rows = (await writer.execute(text("SELECT id, body FROM notes"))).all()
        assert [tuple(row) for row in rows] == [(1, "сохранена")]


async def test_many_tasks_share_the_pool_and_closing_does_not_hang(notes: AsyncEngine) -> None:
    async def add(number: int) -> None:
        async with notes.begin() as connection:
            await connection.execute(
                text("INSERT INTO notes (body) VALUES (:body)"), {"body": f"заметка {number}"}
            )

    async def count() -> int:
        async with notes.connect() as connection:
            return int((await connection.execute(text("SELECT count(*) FROM notes"))).scalar_one())

    # Writers take turns in the bot (the write gate): here one after another; readers run
    # concurrently, each on a connection of its own.
    for number in range(20):
        await add(number)
    assert await asyncio.gather(*(count() for _ in range(5))) == [20] * 5
    await asyncio.wait_for(notes.dispose(), timeout=5)
