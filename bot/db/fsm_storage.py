"""FSM storage in the bot's own database: a conversation survives a restart, even ``kill -9``.

Inside an update the state is read and written through that update's session, so it is
committed (or rolled back) together with everything else the update changed; SQLite never
sees two writers from one update. Outside an update each call is its own short transaction.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import (
    BaseStorage,
    DefaultKeyBuilder,
    KeyBuilder,
    StateType,
    StorageKey,
)
from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.context import current_session
from bot.db.models import FsmRecord


def _utcnow() -> datetime:
    return datetime.now(UTC)


class SQLAlchemyStorage(BaseStorage):
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
            yield own

    async def _upsert(self, key: StorageKey, values: dict[str, Any]) -> None:
        record_key = self._key_builder.build(key)
        row = {"key": record_key, "updated_at": self._clock(), **values}
        async with self._session() as session:
            dialect = session.get_bind().dialect.name
            if dialect == "postgresql":
                statement: Any = postgresql.insert(FsmRecord).values(row)
            elif dialect == "sqlite":
                statement = sqlite.insert(FsmRecord).values(row)
            else:  # pragma: no cover - only the two supported backends
                raise RuntimeError(f"unsupported database {dialect}")
            statement = statement.on_conflict_do_update(
                index_elements=[FsmRecord.key],
                set_={name: statement.excluded[name] for name in (*values, "updated_at")},
            )
            await session.execute(statement)
            await session.execute(
                delete(FsmRecord).where(
                    FsmRecord.key == record_key,
                    FsmRecord.state.is_(None),
                    FsmRecord.data.is_(None),
                )
            )

    async def _load(self, key: StorageKey) -> FsmRecord | None:
        async with self._session() as session:
            result = await session.execute(
                select(FsmRecord).where(FsmRecord.key == self._key_builder.build(key))
            )
            return result.scalar_one_or_none()

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        await self._upsert(key, {"state": value})

    async def get_state(self, key: StorageKey) -> str | None:
        record = await self._load(key)
        return record.state if record else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._upsert(key, {"data": dict(data) or None})

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        record = await self._load(key)
        return dict(record.data) if record and record.data else {}

    async def close(self) -> None:
        """The engine belongs to the application, which disposes of it."""
