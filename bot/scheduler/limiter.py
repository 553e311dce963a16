"""Telegram's limits for bots: about 30 messages a second overall, one a second per chat."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


class RateLimiter:
    """Reserves sending slots; a caller waits for its slot, never more than needed."""

    def __init__(
        self,
        *,
        per_second: float = 30.0,
        per_chat_interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._interval = 1.0 / per_second
        self._per_chat = per_chat_interval
        self._clock = clock
        self._sleep = sleep
        self._next_any = 0.0
        self._next_chat: dict[int, float] = {}
        self._lock = asyncio.Lock()

    async def acquire(self, chat_id: int) -> float:
        """Wait for the next free slot for this chat; returns how long it waited."""
        async with self._lock:
            now = self._clock()
            start = max(now, self._next_any, self._next_chat.get(chat_id, 0.0))
            self._next_any = start + self._interval
            self._next_chat[chat_id] = start + self._per_chat
            if len(self._next_chat) > 10_000:
                self._next_chat = {k: v for k, v in self._next_chat.items() if v > now}
        wait = start - now
        if wait > 0:
            await self._sleep(wait)
        return wait
