"""The per-person lock of the embedded mode (aiogram's FSM middleware takes it)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from contextlib import asynccontextmanager
from typing import Any

from aiogram.fsm.storage.base import BaseEventIsolation, StorageKey
from aiogram.types import TelegramObject

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


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
