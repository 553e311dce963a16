"""SQLite statements run in the event loop's thread instead of aiosqlite's worker thread.

aiosqlite hands every call (each statement, fetch, commit) to a thread of its own and wakes
the event loop when it is done: two thread switches and a wake-up through the loop's
self-pipe per call, for work that takes SQLite some microseconds on a local file. In the
embedded mode, transactions that write already take turns (:class:`bot.db.engine.WriteGate`),
so the thread buys no concurrency; it only adds CPU time and latency to every update.

:class:`InlineConnection` is aiosqlite's connection with that hand-off removed: a call runs at
once in the calling thread, and its awaitable is already complete. The driver stays aiosqlite
and SQLAlchemy's ``sqlite+aiosqlite`` dialect is used unchanged; :func:`use_inline_connections`
makes an engine's pool open these connections, adapted by :class:`InlineAdaptedConnection`,
whose :class:`InlineCursor` drives the ``sqlite3`` cursor itself. It relies on internals of
aiosqlite's ``Connection`` (the ``_execute`` hand-off, its ``_tx`` queue, the ``sqlite3``
connection it holds) and of SQLAlchemy's adapter classes it subclasses, hence the version
ranges in ``pyproject.toml``; the tests in ``tests/integration/test_sqlite_inline.py`` fail if
any of them changes.

The price: a statement blocks the loop while it runs. That is why the write gate matters: a
write that waited for SQLite's lock (``busy_timeout``) would hold up the loop, and with it the
transaction it waits for. Every write goes through the gate (it is taken just before a
transaction's first write), and in WAL mode readers never wait. The connections refuse use
from another thread (``check_same_thread``), so a call that strayed from the loop would fail
loudly.
"""

from __future__ import annotations

import asyncio
import collections
import sqlite3
from collections.abc import Callable, Generator
from typing import Any, cast

import aiosqlite
from sqlalchemy import event
from sqlalchemy.connectors.asyncio import AsyncAdapt_dbapi_connection
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
)
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_

__all__ = [
    "InlineAdaptedConnection",
    "InlineConnection",
    "InlineCursor",
    "connect_inline",
    "use_inline_connections",
]


class _RunNow:
    """Stands in for aiosqlite's queue to its worker: runs each call as it is put."""

    def put_nowait(self, item: tuple[asyncio.Future[Any] | None, Callable[[], Any]]) -> None:
        future, function = item
        try:
            result = function()
        except BaseException as error:  # handed to the caller, as the worker thread does
            if future is None:
                raise
            if not future.done():
                future.set_exception(error)
            return
        if future is not None and not future.done():
            future.set_result(result)


class InlineConnection(aiosqlite.Connection):
    """An aiosqlite connection whose calls run in the caller's thread (no worker thread)."""

    def __init__(self, connector: Callable[[], sqlite3.Connection], iter_chunk_size: int) -> None:
        super().__init__(connector, iter_chunk_size)
        # aiosqlite's own call sites (connect, stop) and SQLAlchemy's isolation-level setter
        # put (future, function) pairs on this queue; they now run at once.
        self._tx = _RunNow()  # type: ignore[assignment]

    def __await__(self) -> Generator[Any, None, aiosqlite.Connection]:
        return self._connect().__await__()  # the worker thread is never started

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)


def connect_inline(database: str, *, iter_chunk_size: int = 64, **kwargs: Any) -> InlineConnection:
    """``aiosqlite.connect`` with the same arguments, giving an :class:`InlineConnection`."""
    kwargs["check_same_thread"] = True  # every call comes from the loop's thread

    def connector() -> sqlite3.Connection:
        connection: sqlite3.Connection = sqlite3.connect(database, **kwargs)
        return connection

    return InlineConnection(connector, iter_chunk_size)


class InlineCursor(AsyncAdapt_aiosqlite_cursor):
    """SQLAlchemy's cursor for aiosqlite, minus the awaiting: it drives the ``sqlite3`` cursor
    directly. SQLAlchemy's own waits on every open, execute and close of a cursor (a hop out
    of its greenlet and back, an ``asyncio.Lock`` and aiosqlite's wrappers, for calls that
    are already complete on an :class:`InlineConnection`): three hops for each statement,
    where this one makes one."""

    __slots__ = ()

    def __init__(self, adapt_connection: AsyncAdapt_dbapi_connection) -> None:
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        try:
            cursor = cast("InlineConnection", self._connection)._conn.cursor()
        except ValueError as error:  # closed: reported as aiosqlite's adapter does
            adapt_connection._handle_exception(error)
        self._cursor = cast("Any", cursor)
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        # One hop out of the greenlet per statement remains: SQLAlchemy's async connection
        # insists that a statement awaited something (its check for a sync driver).
        await_(self._run(operation, parameters))

    async def _run(self, operation: Any, parameters: Any) -> None:
        cursor = cast("sqlite3.Cursor", self._cursor)
        if parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        if cursor.description:
            self._rows = collections.deque(cursor.fetchall())

    def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
        await_(self._run_many(operation, seq_of_parameters))

    async def _run_many(self, operation: Any, seq_of_parameters: Any) -> None:
        cast("sqlite3.Cursor", self._cursor).executemany(operation, seq_of_parameters)

    def setinputsizes(self, *inputsizes: Any) -> None:
        """Nothing to do for SQLite."""

    async def _async_soft_close(self) -> None:
        if self._soft_closed_memoized:
            return
        cursor = cast("sqlite3.Cursor", self._cursor)
        self._soft_closed_memoized = self._soft_closed_memoized.union(
            {"description": cursor.description}
        )
        cursor.close()

    def close(self) -> None:
        self._rows.clear()
        if not self._soft_closed_memoized:
            cast("sqlite3.Cursor", self._cursor).close()


class InlineAdaptedConnection(AsyncAdapt_aiosqlite_connection):
    """SQLAlchemy's adapter for an aiosqlite connection, with :class:`InlineCursor` s and
    commits, rollbacks, closing and the isolation level done on the ``sqlite3`` connection
    directly. ``on_transaction_end`` is called after each commit or rollback (the write gate,
    :class:`bot.db.engine.WriteGate`, is given back there)."""

    __slots__ = ("on_transaction_end",)

    _cursor_cls = InlineCursor

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        self.on_transaction_end: Callable[[], None] | None = None

    def _sqlite(self) -> sqlite3.Connection | None:
        connection: sqlite3.Connection | None = self._connection._connection
        return connection

    @property
    def isolation_level(self) -> str | None:
        return cast("str | None", self._connection.isolation_level)

    @isolation_level.setter
    def isolation_level(self, value: str | None) -> None:
        connection = self._sqlite()
        if connection is not None:
            connection.isolation_level = cast("Any", value)

    def commit(self) -> None:
        if (connection := self._sqlite()) is not None:
            connection.commit()
            self._ended()

    def rollback(self) -> None:
        if (connection := self._sqlite()) is not None:
            connection.rollback()
            self._ended()

    def _ended(self) -> None:
        if self.on_transaction_end is not None:
            self.on_transaction_end()

    def terminate(self) -> None:
        """Close at once. SQLAlchemy's own closes in a task of its own and yields to the loop
        meanwhile, while SQLite's lock is still held."""
        self._connection.stop()


def use_inline_connections(engine: AsyncEngine) -> None:
    """Make the pool of an ``sqlite+aiosqlite`` engine open :class:`InlineConnection` s,
    adapted by :class:`InlineAdaptedConnection`."""

    @event.listens_for(engine.sync_engine, "do_connect")
    def _inline(
        dialect: Any, _record: Any, cargs: Any, cparams: dict[str, Any]
    ) -> InlineAdaptedConnection:
        connection = await_(connect_inline(*cargs, **cparams))
        return InlineAdaptedConnection(dialect.dbapi, cast("Any", connection))
