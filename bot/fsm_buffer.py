"""Conversation state that moves only when the update's transaction commits.

With Redis (several replicas) the state lives outside the database, so a failed update would
roll its data back while its state had already moved on: the person would be asked the
next question about an answer that was never saved. :class:`TransactionalStorage` keeps an
update's state writes in a buffer (reads see them) and writes them to Redis after the
commit; a rolled-back update writes nothing. Outside an update (the error handler, start-up)
writes go straight through.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Mapping
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey

logger = logging.getLogger("bot.fsm")

_UNSET: Any = object()


@dataclass
class _Writes:
    state: str | None = _UNSET
    data: dict[str, Any] | None = None


@dataclass
class Buffer:
    writes: dict[StorageKey, _Writes] = field(default_factory=dict)


_current: ContextVar[Buffer | None] = ContextVar("fsm_buffer", default=None)


def _state_name(state: StateType) -> str | None:
    return state.state if isinstance(state, State) else state


class TransactionalStorage(BaseStorage):
    def __init__(self, inner: BaseStorage) -> None:
        self.inner = inner

    def begin(self) -> tuple[Buffer, Token[Buffer | None]]:
        """Start buffering this update's writes (in the current context)."""
        buffer = Buffer()
        return buffer, _current.set(buffer)

    def end(self, token: Token[Buffer | None]) -> None:
        _current.reset(token)

    async def commit(self, buffer: Buffer) -> None:
        """Write what the committed update changed."""
        for key, writes in buffer.writes.items():
            try:
                if writes.state is not _UNSET:
                    await self.inner.set_state(key, writes.state)
                if writes.data is not None:
                    await self.inner.set_data(key, writes.data)
            except Exception:
                logger.exception("conversation state not saved after a committed update")
                raise

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        buffer = _current.get()
        if buffer is None:
            await self.inner.set_state(key, state)
            return
        buffer.writes.setdefault(key, _Writes()).state = _state_name(state)

    async def get_state(self, key: StorageKey) -> str | None:
        buffer = _current.get()
        writes = buffer.writes.get(key) if buffer is not None else None
        if writes is not None and writes.state is not _UNSET:
            return writes.state
        return await self.inner.get_state(key)

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        buffer = _current.get()
        if buffer is None:
            await self.inner.set_data(key, data)
            return
        buffer.writes.setdefault(key, _Writes()).data = copy.deepcopy(dict(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        buffer = _current.get()
        writes = buffer.writes.get(key) if buffer is not None else None
        if writes is not None and writes.data is not None:
            return copy.deepcopy(writes.data)
        return await self.inner.get_data(key)

    async def close(self) -> None:
        await self.inner.close()
