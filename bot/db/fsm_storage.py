"""Conversation state (aiogram FSM): in the bot's own database (:class:`SQLAlchemyStorage`),
or elsewhere (Redis) behind :class:`AfterCommitStorage`.

In the database the state survives a restart, even ``kill -9``.

Inside an update the state is read and written through that update's session
(:data:`bot.db.context.current_session`): a change is written when the update's transaction
commits, together with the data it describes, and a rolled-back update leaves the
conversation where it was. Outside an update (aiogram reads the state before the update's
session opens; start-up; tests) each call is a short transaction of its own.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, Protocol, runtime_checkable

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import (
    DEFAULT_DESTINY,
    BaseStorage,
    DefaultKeyBuilder,
    KeyBuilder,
    StateType,
    StorageKey,
)
from sqlalchemy import inspect, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.context import current_session
from bot.db.models import FsmRecord

_LOADED = "bot.db.fsm_storage.records"  # session.info: the records this session has read


def _copied(data: dict[str, Any]) -> dict[str, Any]:
    """A copy of conversation data, which is JSON wherever it is kept: a handler that changes
    what it read changes nothing until it writes it back."""
    copied: dict[str, Any] = json.loads(json.dumps(data))
    return copied


def _utcnow() -> datetime:
    return datetime.now(UTC)


class PersonKeys:
    """Every storage key of one person's conversations, in any chat.

    aiogram's :class:`DefaultKeyBuilder` writes ``<prefix>:<bot?>:<chat>:<topic?>:<user>:
    <destiny?>:<part?>``: whatever the chat (private, a group, a forum topic), the person's
    keys start with the prefix and end with their id and the destiny. ``head`` and ``tail``
    are those two ends, for a pattern (SQL ``LIKE``, Redis ``SCAN MATCH``) with a wildcard
    between them.
    """

    def __init__(self, key_builder: KeyBuilder, user_id: int) -> None:
        if not isinstance(key_builder, DefaultKeyBuilder):
            msg = f"cannot find a person's keys made by {type(key_builder).__name__}"
            raise TypeError(msg)
        self.separator = separator = key_builder.separator
        self.head = key_builder.prefix + separator
        self.tail = separator + str(user_id)
        if key_builder.with_destiny:
            self.tail += separator + DEFAULT_DESTINY

    def like(self) -> str:
        """A SQL ``LIKE`` pattern (escape character ``\\``)."""

        def escaped(text: str) -> str:
            return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")

        return escaped(self.head) + "%" + escaped(self.tail)

    def matches(self, key: str) -> bool:
        return (
            key.startswith(self.head)
            and key.endswith(self.tail)
            and len(key) > len(self.head) + len(self.tail)
        )


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
            token = current_session.set(own)  # a read and a write in one call share it
            try:
                yield own
            finally:
                current_session.reset(token)

    async def _record(self, session: AsyncSession, key: str) -> FsmRecord | None:
        """The conversation's row as this session sees it (its own changes included: a new
        record is not flushed, so ``session.get`` alone would not find it)."""
        loaded: dict[str, FsmRecord | None] = session.info.setdefault(_LOADED, {})
        if key not in loaded:
            loaded[key] = await session.get(FsmRecord, key)
        return loaded[key]

    async def _write(self, key: StorageKey, state: str | None, data: dict[str, Any]) -> None:
        record_key = self._key_builder.build(key)
        async with self._session() as session:
            record = await self._record(session, record_key)
            loaded: dict[str, FsmRecord | None] = session.info[_LOADED]
            if state is None and not data:  # nothing to remember: no row
                if record is not None:
                    if inspect(record).persistent:
                        await session.delete(record)
                    else:
                        session.expunge(record)
                    loaded[record_key] = None
                return
            if record is None:
                record = FsmRecord(key=record_key)
                session.add(record)
                loaded[record_key] = record
            record.state = state
            record.data = _copied(data) or None  # the caller's dict stays the caller's
            record.updated_at = self._clock()

    async def _read(self, key: StorageKey) -> tuple[str | None, dict[str, Any]]:
        async with self._session() as session:
            record = await self._record(session, self._key_builder.build(key))
        if record is None:
            return None, {}
        return record.state, _copied(record.data or {})

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        async with self._session():  # one transaction for the read and the write
            _state, data = await self._read(key)
            await self._write(key, state.state if isinstance(state, State) else state, data)

    async def get_state(self, key: StorageKey) -> str | None:
        return (await self._read(key))[0]

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        async with self._session():
            state, _data = await self._read(key)
            await self._write(key, state, dict(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return (await self._read(key))[1]

    async def forget(self, user_id: int) -> None:
        """Delete the person's conversations in every chat (in the update's transaction)."""
        keys = PersonKeys(self._key_builder, user_id)
        async with self._session() as session:
            loaded: dict[str, FsmRecord | None] = session.info.setdefault(_LOADED, {})
            found = await session.scalars(
                select(FsmRecord).where(FsmRecord.key.like(keys.like(), escape="\\"))
            )
            for row in found:
                if keys.matches(row.key):
                    loaded[row.key] = row
            for key, record in loaded.items():
                if record is None or not keys.matches(key):
                    continue
                if inspect(record).persistent:
                    await session.delete(record)
                else:  # added by this update, never written
                    session.expunge(record)
                loaded[key] = None

    async def close(self) -> None:
        """The engine belongs to the application, which disposes of it."""


_PENDING = "bot.db.fsm_storage.pending"  # session.info: the update's state changes, not yet written
_FORGOTTEN = "bot.db.fsm_storage.forgotten"  # session.info: people whose conversations go


@runtime_checkable
class ForgetsPeople(Protocol):
    """A store that can erase all of one person's conversations."""

    async def forget(self, user_id: int) -> None: ...


class AfterCommitStorage(BaseStorage):
    """Conversation state outside the database (Redis), moved only by updates that succeed.

    Inside an update (a session in :data:`bot.db.context.current_session`) a change is kept
    with the update's session and written by :meth:`write_pending` once the update's
    transaction has committed; a rolled-back update writes none, so its person is asked the
    same question again rather than the next one about an answer that was never saved. The
    update reads its own changes, and reads each conversation from the store once. Outside
    an update, calls go straight to the store.
    """

    def __init__(self, inner: BaseStorage) -> None:
        self.inner = inner

    @staticmethod
    def _view(key: StorageKey) -> dict[str, Any] | None:
        """The update's view of one conversation: what it read or wrote (``changed``: the
        fields to write after the commit). The person's lock keeps it true for the update."""
        session = current_session.get()
        if session is None:
            return None
        views: dict[StorageKey, dict[str, Any]] = session.info.setdefault(_PENDING, {})
        if key not in views:
            views[key] = {"changed": set()}
            if key.user_id in session.info.get(_FORGOTTEN, ()):  # erased by this update
                views[key].update(state=None, data={})
        return views[key]

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        view = self._view(key)
        if view is None:
            await self.inner.set_state(key, state)
            return
        view["state"] = state.state if isinstance(state, State) else state
        view["changed"].add("state")

    async def get_state(self, key: StorageKey) -> str | None:
        view = self._view(key)
        if view is None:
            return await self.inner.get_state(key)
        if "state" not in view:
            view["state"] = await self.inner.get_state(key)
        state: str | None = view["state"]
        return state

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        view = self._view(key)
        if view is None:
            await self.inner.set_data(key, data)
            return
        view["data"] = _copied(dict(data))
        view["changed"].add("data")

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        view = self._view(key)
        if view is None:
            return await self.inner.get_data(key)
        if "data" not in view:
            view["data"] = await self.inner.get_data(key)
        return _copied(view["data"])

    async def forget(self, user_id: int) -> None:
        """Erase the person's conversations in every chat: inside an update, after its
        commit (and before what the update wrote since); from now on the update reads them
        as empty."""
        if not isinstance(self.inner, ForgetsPeople):
            msg = f"{type(self.inner).__name__} cannot erase a person's conversations"
            raise TypeError(msg)
        session = current_session.get()
        if session is None:
            await self.inner.forget(user_id)
            return
        session.info.setdefault(_FORGOTTEN, set()).add(user_id)
        views: dict[StorageKey, dict[str, Any]] = session.info.setdefault(_PENDING, {})
        for key, view in views.items():
            if key.user_id == user_id:
                view.update(state=None, data={}, changed=set())

    async def write_pending(self, session: AsyncSession) -> None:
        """Write what the update changed (after its commit)."""
        forgotten: set[int] = session.info.pop(_FORGOTTEN, set())
        inner = self.inner
        if forgotten and isinstance(inner, ForgetsPeople):  # erased before what came after
            await asyncio.gather(*(inner.forget(user_id) for user_id in forgotten))
        views: dict[StorageKey, dict[str, Any]] = session.info.pop(_PENDING, {})
        writes: list[Awaitable[None]] = []
        for key, view in views.items():
            if "state" in view["changed"]:
                writes.append(self.inner.set_state(key, view["state"]))
            if "data" in view["changed"]:
                writes.append(self.inner.set_data(key, view["data"]))
        await asyncio.gather(*writes)  # one round trip's wait for all of them

    async def close(self) -> None:
        await self.inner.close()
