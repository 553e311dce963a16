"""On SQLite a deletion is real: overwritten in the file, and the write-ahead log emptied."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import create_engine, create_sessionmaker, empty_wal

SECRET = "Секретная компания «Рога и копыта»"


def _without_secure_delete(dbapi_connection: Any, _record: Any) -> None:
    """What a SQLite built without ``SQLITE_SECURE_DELETE`` starts with."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA secure_delete=OFF")
    cursor.close()


def on_disk(path: Path) -> bytes:
    """The database file and its write-ahead log, as bytes."""
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


async def test_every_connection_overwrites_what_is_deleted(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}")
    # as if this machine's SQLite were built without it: the bot turns it on all the same
    event.listen(engine.sync_engine, "connect", _without_secure_delete, insert=True)
    try:
        async with engine.connect() as first, engine.connect() as second:
            for connection in (first, second):
                secure = await connection.exec_driver_sql("PRAGMA secure_delete")
                assert secure.scalar_one() == 1
    finally:
        await engine.dispose()


async def test_after_an_erasure_nothing_is_left_in_the_file_or_its_log(
    notes: AsyncEngine, tmp_path: Path
) -> None:
    path = tmp_path / "notes.sqlite3"
    sessionmaker = create_sessionmaker(notes)
    async with sessionmaker() as session, session.begin():
        await session.execute(text("INSERT INTO notes (body) VALUES (:body)"), {"body": SECRET})
        await session.execute(text("INSERT INTO notes (body) VALUES ('someone else')"))
    assert SECRET.encode() in on_disk(path)

    async with sessionmaker() as session:
        await session.execute(text("DELETE FROM notes WHERE body = :body"), {"body": SECRET})
        await session.commit()
        assert SECRET.encode() in on_disk(path)  # the log still holds the page it was on
        await empty_wal(session)

    assert path.with_name("notes.sqlite3-wal").stat().st_size == 0
    assert SECRET.encode() not in on_disk(path)
    assert b"someone else" in on_disk(path)


async def test_a_busy_checkpoint_is_logged_and_does_not_fail(
    notes: AsyncEngine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sessionmaker = create_sessionmaker(notes)
    async with sessionmaker() as session, session.begin():
        await session.execute(text("INSERT INTO notes (body) VALUES (:body)"), {"body": SECRET})
    async with notes.connect() as reader:
        await reader.exec_driver_sql("BEGIN")
        await reader.exec_driver_sql("SELECT count(*) FROM notes")  # a snapshot held open
        async with sessionmaker() as session:
            await session.execute(text("DELETE FROM notes"))
            await session.commit()
            with caplog.at_level(logging.INFO, logger="bot.db.engine"):
                await empty_wal(session)
        await reader.exec_driver_sql("COMMIT")

    [record] = caplog.records
    assert record.levelno == logging.WARNING
    assert record.getMessage().startswith("WAL checkpoint busy")
    assert (tmp_path / "notes.sqlite3-wal").stat().st_size > 0  # kept for now
