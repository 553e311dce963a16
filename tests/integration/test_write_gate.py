"""SQLite's write gate: a transaction takes it at its first write and gives it back at its
end; readers never wait for it; writers take turns instead of failing with «database is
locked» (or holding up the event loop on SQLite's lock)."""

from __future__ import annotations

import asyncio
import gc

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import WriteGate, create_engine, create_sessionmaker


async def test_a_transaction_holds_the_gate_from_its_first_write_to_its_end(
    notes: AsyncEngine,
) -> None:
    gate = WriteGate.for_engine(notes)
    assert gate is WriteGate.for_engine(notes)  # one gate for the engine
    async with notes.connect() as connection:
        await connection.execute(text("SELECT count(*) FROM notes"))
        assert not gate.taken  # reading takes nothing
        await connection.execute(text("INSERT INTO notes VALUES (1, 'первая')"))
        assert gate.taken
        await connection.commit()
        assert not gate.taken

        await connection.execute(text("INSERT INTO notes VALUES (2, 'отменённая')"))
        assert gate.taken
        await connection.rollback()
        assert not gate.taken

        await connection.execute(text("UPDATE notes SET body = 'брошенная' WHERE id = 1"))
        assert gate.taken
    assert not gate.taken  # closed without a commit: rolled back, the gate given back
    async with notes.connect() as connection:
        rows = (await connection.execute(text("SELECT id, body FROM notes"))).all()
    assert [tuple(row) for row in rows] == [(1, "первая")]


async def test_a_connection_discarded_while_writing_gives_the_gate_back(
    notes: AsyncEngine,
) -> None:
    gate = WriteGate.for_engine(notes)
    async with notes.connect() as first, notes.connect() as second:
        await first.execute(text("INSERT INTO notes VALUES (1, 'потерянная')"))
        assert gate.taken
        waiting = asyncio.ensure_future(
            second.execute(text("INSERT INTO notes VALUES (2, 'следующая')"))
        )
        for _ in range(10):
            await asyncio.sleep(0)
        assert not waiting.done()  # the second writer waits for the gate...
        await first.invalidate()  # ...until the first connection breaks, as after an error
        # SQLite's lock went with the connection before the gate was taken again: the
        # waiting write goes through at once instead of failing with «database is locked»
        await asyncio.wait_for(waiting, timeout=5)
        await second.commit()
    assert not gate.taken
    async with notes.connect() as connection:
        rows = (await connection.execute(text("SELECT id FROM notes"))).scalars().all()
    assert rows == [2]


@pytest.mark.filterwarnings("ignore:The garbage collector is trying to clean up")
async def test_a_connection_dropped_without_closing_gives_the_gate_back(
    notes: AsyncEngine,
) -> None:
    gate = WriteGate.for_engine(notes)
    sessionmaker = create_sessionmaker(notes)

    async def forgetful() -> None:
        session = sessionmaker()  # never committed nor closed: a bug, not a frozen bot
        await session.execute(text("INSERT INTO notes VALUES (1, 'брошенная')"))

    await forgetful()
    gc.collect()
    assert not gate.taken
    async with notes.begin() as connection:
        await asyncio.wait_for(
            connection.execute(text("INSERT INTO notes VALUES (2, 'следующая')")), timeout=5
        )


async def test_writers_take_turns_and_readers_do_not_wait(notes: AsyncEngine) -> None:
    async with notes.connect() as first, notes.connect() as second:
        await first.execute(text("INSERT INTO notes VALUES (1, 'от первого')"))
        # the first holds the gate (and SQLite's lock): the second still reads at once...
        assert (await second.execute(text("SELECT count(*) FROM notes"))).scalar_one() == 0
        await second.rollback()

        async def second_writes() -> None:
            await second.execute(text("INSERT INTO notes VALUES (2, 'от второго')"))
            await second.commit()

        # ...and its write waits for the first's commit, without blocking the loop
        waiting = asyncio.ensure_future(second_writes())
        for _ in range(20):
            await asyncio.sleep(0)
        assert not waiting.done()
        await first.commit()
        await asyncio.wait_for(waiting, timeout=5)
    async with notes.connect() as connection:
        count = (await connection.execute(text("SELECT count(*) FROM notes"))).scalar_one()
    assert count == 2


async def test_a_task_holding_the_gate_for_a_block_writes_in_it(notes: AsyncEngine) -> None:
    gate = WriteGate.for_engine(notes)

    async def job() -> None:
        async with gate.hold(), notes.begin() as connection:
            await connection.execute(text("INSERT INTO notes VALUES (1, 'из задачи')"))
            async with gate.hold():  # re-entrant
                await connection.execute(text("INSERT INTO notes VALUES (2, 'и ещё')"))

    await asyncio.wait_for(job(), timeout=5)
    assert not gate.taken


async def test_postgresql_gets_no_gate() -> None:
    engine = create_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    try:
        gate = WriteGate.for_engine(engine)
        assert not gate.single_writer
        async with gate.hold():
            assert not gate.taken
    finally:
        await engine.dispose()


async def test_a_writer_holding_the_gate_never_waits_for_a_connection(notes: AsyncEngine) -> None:
    """Updates keep their connection from their first read to their commit, Telegram's
    answers included, and wait for the gate at their first write; a writer that holds the
    gate must then still get a connection, however many are out."""
    gate = WriteGate.for_engine(notes)
    readers = [await asyncio.wait_for(notes.connect(), timeout=5) for _ in range(80)]

    async def scheduler_job() -> None:
        async with gate.hold(), notes.begin() as connection:
            await connection.execute(text("INSERT INTO notes VALUES (1, 'из планировщика')"))

    try:
        for reader in readers:
            await reader.execute(text("SELECT count(*) FROM notes"))
        await asyncio.wait_for(scheduler_job(), timeout=5)
    finally:
        for reader in readers:
            await reader.close()
