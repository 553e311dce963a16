"""Conversations in Redis: the per-person lock across replicas, and erasing a person's
conversations (imported only when ``REDIS_URL`` is set: the ``redis`` extra)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiogram.fsm.storage.base import KeyBuilder, StorageKey
from aiogram.fsm.storage.redis import RedisEventIsolation, RedisStorage
from redis.asyncio import Redis
from redis.asyncio.lock import Lock
from redis.exceptions import LockError

from bot.db.fsm_storage import PersonKeys

logger = logging.getLogger(__name__)
SCAN_COUNT = 1000  # keys Redis looks at per SCAN round trip


def _glob_escaped(text: str) -> str:
    return "".join(f"\\{char}" if char in "\\*?[]" else char for char in text)


class ErasableRedisStorage(RedisStorage):
    """aiogram's Redis storage that can also erase all of one person's conversations."""

    async def forget(self, user_id: int) -> None:
        """Delete the state and data of the person's conversations in every chat (their
        locks stay: one may be held by the update erasing them). ``SCAN`` walks the whole
        key space; an erasure is rare."""
        keys = PersonKeys(self.key_builder, user_id)
        pattern = _glob_escaped(keys.head) + "*" + _glob_escaped(keys.tail + keys.separator) + "*"
        found = []
        async for raw in self.redis.scan_iter(match=pattern, count=SCAN_COUNT):
            key = raw.decode() if isinstance(raw, bytes) else str(raw)
            conversation, _, part = key.rpartition(keys.separator)
            if part in {"state", "data"} and keys.matches(conversation):
                found.append(key)
        if found:
            await self.redis.delete(*found)


class RenewedLockIsolation(RedisEventIsolation):
    """One person's updates take turns across replicas: a Redis lock per conversation.

    The lock expires ``timeout`` seconds after its holder stops renewing it, so when a replica
    dies mid-update (``kill -9``) the person waits seconds, not a minute. While the update
    runs, the lock is renewed every third of that time: an update slower than ``timeout``
    (a slow Bot API answer, retries) keeps it, and no other replica starts on the same
    conversation meanwhile. If the lock is lost all the same (the process stalled longer
    than ``timeout``), that is logged; the update, already committed, is not failed for it.
    """

    def __init__(self, redis: Redis, key_builder: KeyBuilder, *, timeout: float) -> None:
        super().__init__(redis=redis, key_builder=key_builder)
        self.timeout = timeout

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncIterator[None]:
        name = self.key_builder.build(key, "lock")
        held = Lock(self.redis, name, timeout=self.timeout, raise_on_release_error=False)
        async with held:
            renewal = asyncio.create_task(self._renew(held, name))
            try:
                yield None
            finally:
                renewal.cancel()
                await asyncio.gather(renewal, return_exceptions=True)

    async def _renew(self, held: Lock, name: str) -> None:
        try:
            while True:
                await asyncio.sleep(self.timeout / 3)
                await held.reacquire()  # back to the full timeout
        except LockError:
            logger.warning("lock %s expired before its update finished", name)
