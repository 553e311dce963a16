"""FSM storage in the bot's own database: a conversation survives a restart, even ``kill -9``.

Inside an update the state is read and written through that update's session, so it is
committed (or rolled back) together with everything else the update changed; SQLite never
sees two writers from one update. :class:`bot.fsm_buffer.TransactionalStorage` in front of it
reads a conversation once per update (:meth:`load`) and writes it once (:meth:`store`).
Outside an update each call is its own short transaction.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, cast

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import (
    BaseStorage,
    DefaultKeyBuilder,
    KeyBuilder,
    StateType,
    StorageKey,
)
from sqlalchemy import Table, bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.sql import Executable

from bot.db.context import connection_of, current_session
from bot.db.dialects import insert_for
from bot.db.models import FsmRecord

# Built once: building a statement costs more than running it through SQLAlchemy's cache.
_TABLE = cast(Table, FsmRecord.__table__)
_LOAD = select(FsmRecord.state, FsmRecord.data).where(FsmRecord.key == bindparam("key"))
_DELETE = delete(_TABLE).where(_TABLE.c.key == bindparam("key"))


@functools.cache
def _upsert(dialect: str) -> Executable:
    statement = insert_for(dialect)(_TABLE)
    upsert: Executable = statement.on_conflict_do_update(
        index_elements=[_TABLE.c.key],
        set_={name: statement.excluded[name] for name in ("state", "data", "updated_at")},
    )
    return upsert


def _utcnow() -> datetime:
    return datetime.now(UTC)


class SQLAlchemyStorage(BaseStorage):
    writes_in_transaction = True  # see bot.fsm_buffer.RecordStore

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        key_builder: KeyBuilder | None = None,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._key_builder = key_builder or DefaultKeyBuilder(with_destiny=True)
        self._clock = clock

    @asynccontextmanager
    async def _session(self) -> AsyncIterator[AsyncSession]:
        session = current_session.get()
        if session is not None:
            yield session
            return
        async with self._sessionmaker() as own, own.begin():
            token = current_session.set(own)  # a read and a write in one call share it
            try:
                yield own
            finally:
                current_session.reset(token)

    async def load(self, key: StorageKey) -> tuple[str | None, dict[str, Any]]:
        """State and data of one conversation, in one query."""
        async with self._session() as session:
            connection = await connection_of(session)  # Core statements: no ORM execute path
            row = (await connection.execute(_LOAD, {"key": self._key_builder.build(key)})).first()
        if row is None:
            return None, {}
        return row.state, dict(row.data) if row.data else {}

    async def store(self, key: StorageKey, state: str | None, data: dict[str, Any]) -> None:
        """Write both in one statement; a conversation with neither leaves no row."""
        record_key = self._key_builder.build(key)
        async with self._session() as session:
            connection = await connection_of(session)
            if state is None and not data:
                await connection.execute(_DELETE, {"key": record_key})
                return
            statement = _upsert(connection.dialect.name)
            row = {"key": record_key, "state": state, "data": data, "updated_at": self._clock()}
            await connection.execute(statement, row)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        async with self._session():  # one transaction for the read and the write
            _state, data = await self.load(key)
            await self.store(key, state.state if isinstance(state, State) else state, data)

    async def get_state(self, key: StorageKey) -> str | None:
        return (await self.load(key))[0]

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        async with self._session():
            state, _data = await self.load(key)
            await self.store(key, state, dict(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return (await self.load(key))[1]

    async def close(self) -> None:
        """The engine belongs to the application, which disposes of it."""
