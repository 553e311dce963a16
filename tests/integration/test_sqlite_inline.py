"""The embedded SQLite runs its statements in the event loop's thread, and behaves as before:
errors, rollbacks, isolation between connections, closing."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util.concurrency import await_

from bot.db import sqlite_inline
from bot.db.context import connection_of
from bot.db.engine import create_sessionmaker
from bot.db.sqlite_inline import InlineAdaptedConnection, InlineConnection


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


async def test_several_rows_counts_and_returning_come_back_as_with_aiosqlite(
    notes: AsyncEngine,
) -> None:
    async with notes.begin() as connection:
        added = await connection.execute(
            text("INSERT INTO notes (id, body) VALUES (:id, :body)"),
            [{"id": number, "body": f"заметка {number}"} for number in range(1, 6)],
        )
        assert added.rowcount == 5
        changed = await connection.execute(
            text("UPDATE notes SET body = body || '!' WHERE id > :id"), {"id": 3}
        )
        assert changed.rowcount == 2
        returned = await connection.execute(
            text("INSERT INTO notes (body) VALUES ('новая') RETURNING id, body")
        )
        assert tuple(returned.one()) == (6, "новая")
    async with notes.connect() as connection:
        first = await connection.execute(text("SELECT id, body FROM notes ORDER BY id"))
        second = await connection.execute(text("SELECT count(*) FROM notes"))
        # both results were read from their cursors when they ran: the first is whole,
        # though a second statement ran on the connection since
        assert second.scalar_one() == 6
        assert list(first.keys()) == ["id", "body"]
        assert [tuple(row) for row in first.all()][3:] == [
            (4, "заметка 4!"),
            (5, "заметка 5!"),
            (6, "новая"),
        ]


async def test_a_statement_waits_once_not_three_times(
    notes: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    waits: list[object] = []

    def counting(awaitable: Any) -> Any:
        waits.append(awaitable)
        return await_(awaitable)

    monkeypatch.setattr(sqlite_inline, "await_", counting)
    async with notes.begin() as connection:
        raw = await connection.get_raw_connection()
        assert isinstance(raw.dbapi_connection, InlineAdaptedConnection)
        await connection.execute(text("INSERT INTO notes VALUES (1, 'одна')"))
        await connection.execute(text("SELECT body FROM notes"))
    # one wait for each statement (SQLAlchemy requires one); opening and closing cursors,
    # the commit: none
    assert len(waits) == 2


async def test_a_session_keeps_its_connection_until_the_transaction_ends(
    notes: AsyncEngine,
) -> None:
    sessionmaker = create_sessionmaker(notes)
    async with sessionmaker() as session:
        first = await connection_of(session)
        await first.execute(text("INSERT INTO notes VALUES (1, 'в первой транзакции')"))
        assert await connection_of(session) is first
        await session.commit()
        second = await connection_of(session)
        assert second is not first
        await second.execute(text("INSERT INTO notes VALUES (2, 'во второй')"))
        await session.rollback()
        third = await connection_of(session)
        assert (await third.execute(text("SELECT id FROM notes"))).scalars().all() == [1]
