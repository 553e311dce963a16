"""Engine and session factory: SQLite (the embedded default) or PostgreSQL.

SQLite runs in WAL mode with ``synchronous=NORMAL`` and a busy timeout: readers never wait,
and a writer that finds another one in progress waits for it in aiosqlite's thread (the
event loop goes on meanwhile). The driver opens a transaction only at a transaction's first
write, and an update writes only at its commit (the session does not autoflush), so a write
transaction lasts a few statements and never spans a call to Telegram.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import ORMExecuteState, Session

logger = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 10_000
CHECKPOINT_BUSY_TIMEOUT_MS = 1_000  # how long the checkpoint after an erasure may wait
# An update keeps its connection from its first statement to its end, Telegram's answers
# included: enough connections for the people served at once (SQLite connections are cheap).
SQLITE_POOL_SIZE = 20
SQLITE_POOL_OVERFLOW = 80
# The same on PostgreSQL, where each connection is a server process: 20 kept, up to 40 at a
# peak (two replicas stay well within the server's default max_connections of 100). SQLAlchemy's
# default (5 + 10) made the 16th update at once wait for a connection through the others'
# Telegram round trips (docs/benchmarks.md).
POSTGRES_POOL_SIZE = 20
POSTGRES_POOL_OVERFLOW = 20


def ensure_sqlite_directory(url: str) -> None:
    """Create the folder of a file-based SQLite database so a fresh clone just runs."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return
    if parsed.database == ":memory:" or parsed.database.startswith("file:"):
        return
    Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    # Deleted content is overwritten with zeros, not left in free pages (an erasure is real
    # whatever this machine's SQLite was built with).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """An async engine; SQLite gets WAL, foreign keys and a busy timeout."""
    if make_url(url).get_backend_name() == "sqlite":
        ensure_sqlite_directory(url)
        database = make_url(url).database or ":memory:"
        in_memory = database == ":memory:" or "mode=memory" in url
        pool: dict[str, Any] = (
            {}
            if in_memory
            else {"pool_size": SQLITE_POOL_SIZE, "max_overflow": SQLITE_POOL_OVERFLOW}
        )
        engine = create_async_engine(url, echo=echo, **pool)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(
        url,
        echo=echo,
        pool_pre_ping=True,
        pool_size=POSTGRES_POOL_SIZE,
        max_overflow=POSTGRES_POOL_OVERFLOW,
    )


async def empty_wal(session: AsyncSession) -> None:
    """On SQLite, copy the write-ahead log into the database file and empty it: what was just
    deleted (overwritten with zeros in the file: ``secure_delete``) does not linger in the
    log's older frames. Call it after the commit (a checkpoint runs outside transactions).
    It never fails its caller: a checkpoint that cannot finish (a reader on an older snapshot
    or another writer past the busy timeout) is logged, and the old frames stay until later
    writes overwrite them or the bot stops (the last connection closed removes the log)."""
    engine = session.bind
    if not isinstance(engine, AsyncEngine) or engine.dialect.name != "sqlite":
        return
    try:
        async with engine.connect() as connection:
            # It waits for readers on older snapshots, and new writers wait for it: briefly.
            await connection.exec_driver_sql(f"PRAGMA busy_timeout={CHECKPOINT_BUSY_TIMEOUT_MS}")
            try:
                result = await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                busy, frames, copied = tuple(result.one())
            finally:
                await connection.exec_driver_sql(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    except DBAPIError as error:
        logger.warning("WAL checkpoint failed: %s", type(error.orig).__name__)
        return
    if busy:
        logger.warning("WAL checkpoint busy: %s of %s frames copied, the log kept", copied, frames)


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that write only when told to (flush or commit), not before every query."""
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


_WROTE = "bot.db.engine.wrote"


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _context: Any) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE] = True


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _ended(session: Session) -> None:
    session.info.pop(_WROTE, None)


def has_written(session: AsyncSession) -> bool:
    """Whether the session's transaction has sent a write to the database (a flush or a
    bulk statement): on SQLite it holds the database's write lock until it ends."""
    return bool(session.info.get(_WROTE))
