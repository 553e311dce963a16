"""Conversation state read once and written once per update, when its transaction commits.

Handlers read and write the state many times in one update (a step loads the draft, saves
it, moves to the next state). :class:`TransactionalStorage` keeps an update's view of each
conversation in a buffer: the first read loads it (state and data together, one query where
the store can), later reads and every write stay in memory, and the result is written once:

* with the FSM in the bot's own database, just before the update's transaction commits and
  in it, so the state moves together with the data it describes;
* with Redis (several replicas) the state lives outside the database, so it is written right
  after the commit, and only then: a rolled-back update would otherwise have moved on to the
  next question about an answer that was never saved.

A rolled-back update writes nothing. Outside an update (start-up, tests) calls go straight to
the store.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Mapping
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey

logger = logging.getLogger("bot.fsm")

_UNSET: Any = object()


@runtime_checkable
class RecordStore(Protocol):
    """A store that reads and writes a conversation's state and data in one operation."""

    writes_in_transaction: bool
    """True when writes go through the update's database session (before its commit)."""

    async def load(self, key: StorageKey) -> tuple[str | None, dict[str, Any]]: ...

    async def store(self, key: StorageKey, state: str | None, data: dict[str, Any]) -> None: ...


@dataclass
class _View:
    state: str | None = _UNSET
    data: dict[str, Any] = _UNSET
    changed: set[str] = field(default_factory=set)


@dataclass
class Buffer:
    views: dict[StorageKey, _View] = field(default_factory=dict)


_current: ContextVar[Buffer | None] = ContextVar("fsm_buffer", default=None)

_SCALARS = (str, int, float, bool, type(None))


def copied(value: Any) -> Any:
    """A deep copy of conversation data: each read and write gets its own, so a handler that
    changes what it read changes nothing until it writes it back. The data is JSON-shaped
    (both stores keep JSON), which this copies several times faster than ``copy.deepcopy``;
    anything else is left to ``deepcopy``."""
    if isinstance(value, dict):
        return {key: copied(item) for key, item in value.items()}
    if isinstance(value, list):
        return [copied(item) for item in value]
    if isinstance(value, _SCALARS):
        return value
    return copy.deepcopy(value)


def _state_name(state: StateType) -> str | None:
    return state.state if isinstance(state, State) else state


class TransactionalStorage(BaseStorage):
    def __init__(self, inner: BaseStorage) -> None:
        self.inner = inner
        self._records = inner if isinstance(inner, RecordStore) else None

    @property
    def writes_in_transaction(self) -> bool:
        """Flush before the database commit (True) or after it (False)."""
        return self._records is not None and self._records.writes_in_transaction

    def begin(self) -> tuple[Buffer, Token[Buffer | None]]:
        """Start buffering this update's reads and writes (in the current context)."""
        buffer = Buffer()
        return buffer, _current.set(buffer)

    def end(self, token: Token[Buffer | None]) -> None:
        _current.reset(token)

    async def flush(self, buffer: Buffer) -> None:
        """Write what the update changed: one write a conversation."""
        for key, view in buffer.views.items():
            if not view.changed:
                continue
            try:
                if self._records is not None:
                    await self._fill(key, view)
                    await self._records.store(key, view.state, view.data)
                else:
                    if "state" in view.changed:
                        await self.inner.set_state(key, view.state)
                    if "data" in view.changed:
                        await self.inner.set_data(key, view.data)
            except Exception:
                logger.exception("conversation state not saved")
                raise
            view.changed.clear()

    async def _fill(self, key: StorageKey, view: _View) -> None:
        if view.state is not _UNSET and view.data is not _UNSET:
            return
        if self._records is not None:
            state, data = await self._records.load(key)
        else:
            state = await self.inner.get_state(key) if view.state is _UNSET else view.state
            data = await self.inner.get_data(key) if view.data is _UNSET else view.data
        if view.state is _UNSET:
            view.state = state
        if view.data is _UNSET:
            view.data = data

    def _view(self, key: StorageKey) -> _View | None:
        buffer = _current.get()
        if buffer is None:
            return None
        view = buffer.views.get(key)
        if view is None:
            view = buffer.views[key] = _View()
        return view

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        view = self._view(key)
        if view is None:
            await self.inner.set_state(key, state)
            return
        view.state = _state_name(state)
        view.changed.add("state")

    async def get_state(self, key: StorageKey) -> str | None:
        view = self._view(key)
        if view is None:
            return await self.inner.get_state(key)
        if view.state is _UNSET:
            if self._records is not None:
                await self._fill(key, view)
            else:
                view.state = await self.inner.get_state(key)
        return view.state

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        view = self._view(key)
        if view is None:
            await self.inner.set_data(key, data)
            return
        view.data = copied(dict(data))
        view.changed.add("data")

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        view = self._view(key)
        if view is None:
            return await self.inner.get_data(key)
        if view.data is _UNSET:
            if self._records is not None:
                await self._fill(key, view)
            else:
                view.data = await self.inner.get_data(key)
        data: dict[str, Any] = copied(view.data)
        return data

    async def close(self) -> None:
        await self.inner.close()
