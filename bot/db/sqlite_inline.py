"""SQLite for the async engine, run in the event loop's thread: no worker thread, no driver
coroutines.

The usual ``sqlite+aiosqlite`` driver hands every call (each statement, fetch and commit) to a
thread of its own and wakes the loop when it is done; SQLAlchemy then bridges each of those
coroutines back into its synchronous core with a greenlet switch. Measured here, that costs
about 0.2 ms a statement on top of the 0.1 ms SQLAlchemy itself needs, for work that takes
SQLite some microseconds on a local file. In the embedded mode updates that write already
take turns (:class:`bot.db.engine.WriteGate`), so the thread buys no concurrency.

:class:`InlineSQLiteDialect` is SQLAlchemy's own ``pysqlite`` dialect (the standard library's
``sqlite3``, the same SQL, types and transaction handling as ``aiosqlite``, which wraps it),
declared usable by the async engine. ``AsyncSession`` still runs its work in a greenlet, but
the driver never has to leave it. :func:`create_engine <bot.db.engine.create_engine>` uses it
for ``sqlite+aiosqlite`` URLs, so the setting keeps its documented form.

The price: a statement blocks the loop while it runs. That is why the write gate matters: a
write that waited for SQLite's lock (``busy_timeout``) would hold up the loop, and with it the
transaction it waits for. Every write of the bot goes through the gate, and in WAL mode readers
never wait. Connections refuse use from another thread (``check_same_thread``), so a call that
strayed from the loop would fail loudly.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import pool
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.engine.interfaces import DBAPICursor, ExecutionContext
from sqlalchemy.util import await_

__all__ = ["DRIVER", "InlineSQLiteDialect", "inline_url"]

DRIVER = "inline"


class InlineSQLiteDialect(SQLiteDialect_pysqlite):
    """``sqlite3`` called directly from the event loop's thread, under the async engine."""

    driver = DRIVER
    is_async = True
    supports_statement_cache = True

    @classmethod
    def get_pool_class(cls, url: URL) -> type[pool.Pool]:
        if cls._is_url_file_db(url):
            return pool.AsyncAdaptedQueuePool
        return pool.StaticPool  # one in-memory database, shared

    def create_connect_args(self, url: URL) -> Any:
        args, options = super().create_connect_args(url)
        options["check_same_thread"] = True
        options["factory"] = _Connection
        return args, options

    # ``AsyncConnection.execute`` insists that a statement went through the event loop at
    # least once (a guard against synchronous drivers used by mistake): each statement awaits
    # an already finished coroutine, one greenlet switch there and back, no loop iteration.
    def do_execute(
        self,
        cursor: DBAPICursor,
        statement: str,
        parameters: Any,
        context: ExecutionContext | None = None,  # noqa: ARG002 (the dialect API's)
    ) -> None:
        await_(_done())
        cursor.execute(statement, parameters)

    def do_execute_no_params(
        self,
        cursor: DBAPICursor,
        statement: str,
        context: ExecutionContext | None = None,  # noqa: ARG002 (the dialect API's)
    ) -> None:
        await_(_done())
        cursor.execute(statement)

    def do_executemany(
        self,
        cursor: DBAPICursor,
        statement: str,
        parameters: Any,
        context: ExecutionContext | None = None,  # noqa: ARG002 (the dialect API's)
    ) -> None:
        await_(_done())
        cursor.executemany(statement, parameters)


async def _done() -> None:
    return None


class _Cursor(sqlite3.Cursor):
    async def _async_soft_close(self) -> None:
        """What SQLAlchemy's async results call on a driver's cursor once executed; the
        standard cursor needs nothing (its rows are read on demand, in this thread)."""


class _Connection(sqlite3.Connection):
    def cursor(self, factory: Any = _Cursor) -> Any:
        return super().cursor(factory)


registry.register(f"sqlite.{DRIVER}", __name__, "InlineSQLiteDialect")


def inline_url(url: str | URL) -> URL:
    """The same database, through :class:`InlineSQLiteDialect`."""
    return make_url(url).set(drivername=f"sqlite+{DRIVER}")
