"""Conversation state around the update's transaction.

aiogram's own FSM middleware takes the person's lock and reads their state in one step,
before any middleware of ours runs: the read would be a transaction of its own, ahead of the
update's. Here the two are split: :class:`PersonLock` (outside the transaction, inside
:class:`bot.telegram.middlewares.db.UpdatesInFlight`, so a cancelled update keeps it until its end)
serializes one person's updates across the whole update, the commit and the state written
after it; the state is read inside the transaction by aiogram's middleware without a lock
of its own (see :func:`bot.app.factory.create_dispatcher`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from contextlib import asynccontextmanager
from typing import Any, cast

from aiogram import BaseMiddleware, Bot
from aiogram.fsm.middleware import FSMContextMiddleware
from aiogram.fsm.storage.base import BaseEventIsolation, StorageKey
from aiogram.types import TelegramObject

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class PersonLock(BaseMiddleware):
    def __init__(self, fsm: FSMContextMiddleware) -> None:
        self._fsm = fsm  # resolves whose conversation an update belongs to, holds the lock

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        context = self._fsm.resolve_event_context(cast(Bot, data["bot"]), data)
        if context is None:
            return await handler(event, data)
        async with self._fsm.events_isolation.lock(key=context.key):
            return await handler(event, data)


class _Turn:
    """A person's lock and how many of their updates hold it or wait for it."""

    __slots__ = ("lock", "users")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.users = 0


class PersonLocks(BaseEventIsolation):
    """One process's per-person locks (the embedded mode; replicas lock in Redis).

    aiogram's ``SimpleEventIsolation`` keeps a lock for every person it has ever seen, for
    the life of the process; here a person's lock exists only while one of their updates
    holds it or waits for it, so memory follows the people active right now, not everyone
    who ever wrote to the bot.
    """

    def __init__(self) -> None:
        self._turns: dict[Hashable, _Turn] = {}

    @property
    def active(self) -> int:
        """People whose updates run or wait now. (Not ``__len__``: an isolation with none
        would be falsy, and ``isolation or default`` would replace it.)"""
        return len(self._turns)

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncIterator[None]:
        turn = self._turns.get(key)
        if turn is None:
            turn = self._turns[key] = _Turn()
        turn.users += 1
        try:
            async with turn.lock:
                yield
        finally:  # released, or cancelled while waiting: either way this update is done
            turn.users -= 1
            if turn.users == 0:
                del self._turns[key]

    async def close(self) -> None:
        self._turns.clear()
