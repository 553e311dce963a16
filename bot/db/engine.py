"""Engine and session factory for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.util.concurrency import await_

from bot.db.sqlite_inline import InlineAdaptedConnection, use_inline_connections

SQLITE_BUSY_TIMEOUT_MS = 10_000
SQLITE_POOL_SIZE = 10
SQLITE_POOL_OVERFLOW = -1  # no limit: a transaction never waits for a connection while
# holding the write gate that the holders of every connection wait for


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
    cursor.close()


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """An async engine; SQLite gets WAL, foreign keys and a busy timeout."""
    if make_url(url).get_backend_name() == "sqlite":
        ensure_sqlite_directory(url)
        # An update keeps its connection from its first read to its commit, Telegram's
        # answers included; SQLite connections cost little, so many updates can be in flight.
        engine = create_async_engine(
            url, echo=echo, pool_size=SQLITE_POOL_SIZE, max_overflow=SQLITE_POOL_OVERFLOW
        )
        use_inline_connections(engine)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        WriteGate.for_engine(engine)  # its writes take turns from the start
        return engine
    return create_async_engine(url, echo=echo, pool_pre_ping=True)


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


_HOLDS_GATE = "bot.db.engine.holds_write_gate"
_WRITE_GATES: weakref.WeakKeyDictionary[Engine, WriteGate] = weakref.WeakKeyDictionary()


def _reads_only(statement: str) -> bool:
    return statement.lstrip()[:6].upper() == "SELECT"


class WriteGate:
    """SQLite has a single writer: transactions that write take turns in-process.

    Without it, two updates whose transactions overlap make SQLite refuse one of them
    ("database is locked") as soon as both write; and a statement waiting for SQLite's lock
    would hold up the event loop (:mod:`bot.db.sqlite_inline`). PostgreSQL needs no gate.

    The gate of an engine (:meth:`for_engine`) is taken by a transaction's first statement
    that is not a SELECT, just before it runs, and given back once SQLite's commit or
    rollback of that transaction has returned: a transaction holds it only from its first
    write to its end. An update reads, talks to Telegram, and writes its changes at the end,
    so it holds the gate for those last statements only; the time Telegram takes to answer
    its calls no longer makes everyone else's updates wait. :meth:`hold` takes it for a whole
    block instead (the scheduler's short transactions). It is re-entrant for the task that
    holds it, and only for that task: a task it starts (``asyncio.wait_for`` on Python 3.11
    starts one) waits for the gate like any other.
    """

    def __init__(self, *, enabled: bool) -> None:
        self._lock = asyncio.Lock() if enabled else None
        self._owner: asyncio.Task[Any] | None = None

    @property
    def single_writer(self) -> bool:
        """True on SQLite: writes wait for the gate, so an update writes as late as it can."""
        return self._lock is not None

    @property
    def taken(self) -> bool:
        return self._lock is not None and self._lock.locked()

    @classmethod
    def for_engine(cls, engine: AsyncEngine) -> WriteGate:
        """The engine's gate (one per engine), taken by its transactions' first writes."""
        sync_engine = engine.sync_engine
        gate = _WRITE_GATES.get(sync_engine)
        if gate is None:
            gate = _WRITE_GATES[sync_engine] = cls(enabled=engine.dialect.name == "sqlite")
            if gate.single_writer:
                gate._watch(sync_engine)
        return gate

    async def acquire(self) -> bool:
        """Take the gate for the current task; False when there is nothing to give back (no
        gate, or this task holds it already)."""
        task = asyncio.current_task()
        if self._lock is None or (task is not None and self._owner is task):
            return False
        await self._lock.acquire()
        self._owner = task
        return True

    def release(self) -> None:
        if self._lock is not None and self._lock.locked():
            self._owner = None
            self._lock.release()

    @asynccontextmanager
    async def hold(self) -> AsyncIterator[None]:
        taken = await self.acquire()
        try:
            yield
        finally:
            if taken:
                self.release()

    def _watch(self, engine: Engine) -> None:
        def before_write(connection: Connection, _cursor: Any, statement: str, *_args: Any) -> None:
            if _HOLDS_GATE in connection.info or _reads_only(statement):
                return
            # Runs inside SQLAlchemy's greenlet, before the statement: waiting for the gate
            # here lets the event loop go on with other updates meanwhile.
            if await_(self.acquire()):
                connection.info[_HOLDS_GATE] = True

        def give_back(record: Any) -> None:
            info = getattr(record, "info", None)
            if info is not None and info.pop(_HOLDS_GATE, False):
                self.release()

        def connected(dbapi_connection: Any, record: Any) -> None:
            # Given back right after SQLite's commit or rollback returns (a failed commit
            # keeps its lock, and the gate, until the rollback that follows).
            if isinstance(dbapi_connection, InlineAdaptedConnection):
                dbapi_connection.on_transaction_end = partial(give_back, record)

        def discarded(_dbapi_connection: Any, record: Any, *_args: Any) -> None:
            # A connection back in the pool, invalidated after an error, or dropped by the
            # garbage collector with the gate gives it back too.
            give_back(record)

        event.listen(engine, "before_cursor_execute", before_write)
        event.listen(engine.pool, "connect", connected)
        for moment in ("checkin", "invalidate", "detach"):
            event.listen(engine.pool, moment, discarded)
