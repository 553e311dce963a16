"""Telegram's limits for bots: about 30 messages a second overall, one a second per chat."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable


class RateLimiter:
    """Sending slots: the chat's own (one a second), then a global one (1/30 s apart).

    Global slots are a grid of ``1 / per_second``; each send takes the first free slot from
    the moment its chat allows it. A chat that must wait holds a slot in the future only,
    so other chats take the free slots before it: no caller waits longer than its own
    limits require.
    """

    def __init__(
        self,
        *,
        per_second: float = 29.0,  # a little under Telegram's 30: timing jitter costs 429s
        per_chat_interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.per_second = per_second
        self._interval = 1.0 / per_second
        self._per_chat = per_chat_interval
        self._clock = clock
        self._sleep = sleep
        self._taken: set[int] = set()
        self._next_chat: dict[int, float] = {}
        self._lock = asyncio.Lock()

    def _slot(self, ready: float) -> float:
        index = math.ceil(ready / self._interval - 1e-9)
        while index in self._taken:
            index += 1
        self._taken.add(index)
        if len(self._taken) > 10_000:  # forget slots long past
            horizon = math.floor(self._clock() / self._interval)
            self._taken = {taken for taken in self._taken if taken >= horizon}
        return index * self._interval

    async def acquire(self, chat_id: int) -> float:
        """Wait for this chat's next free slot; returns how long it waited."""
        async with self._lock:
            now = self._clock()
            ready = max(now, self._next_chat.get(chat_id, 0.0))
            start = max(ready, self._slot(ready))
            self._next_chat[chat_id] = start + self._per_chat
            if len(self._next_chat) > 10_000:
                self._next_chat = {k: v for k, v in self._next_chat.items() if v > now}
        wait = start - now
        if wait > 0:
            await self._sleep(wait)
        return max(wait, 0.0)
