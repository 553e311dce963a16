"""Conversation state in Redis, read and written as a whole (one round trip each way).

aiogram's :class:`RedisStorage` keeps the state and the data under two keys and reads or
writes each with its own command. :class:`bot.fsm_buffer.TransactionalStorage` asks for both
at once: here that is one ``MGET``, and one ``MULTI``/``EXEC`` pipeline that writes (or
deletes) both keys together, so a replica dying between the two cannot leave a state with
the wrong data.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, cast

from aiogram.fsm.storage.base import KeyBuilder, StorageKey
from aiogram.fsm.storage.redis import RedisEventIsolation, RedisStorage
from redis.asyncio import Redis
from redis.asyncio.lock import Lock
from redis.exceptions import LockError

logger = logging.getLogger(__name__)


class RedisRecordStorage(RedisStorage):
    writes_in_transaction = False  # Redis is outside the database: written after the commit

    def _keys(self, key: StorageKey) -> tuple[str, str]:
        return self.key_builder.build(key, "state"), self.key_builder.build(key, "data")

    async def load(self, key: StorageKey) -> tuple[str | None, dict[str, Any]]:
        state, data = await self.redis.mget(self._keys(key))
        if isinstance(state, bytes):
            state = state.decode("utf-8")
        if data is None:
            return state, {}
        if isinstance(data, bytes):
            data = data.decode("utf-8")
        return state, cast(dict[str, Any], self.json_loads(data))

    async def store(self, key: StorageKey, state: str | None, data: dict[str, Any]) -> None:
        state_key, data_key = self._keys(key)
        async with self.redis.pipeline(transaction=True) as pipe:
            if state is None:
                pipe.delete(state_key)
            else:
                pipe.set(state_key, state, ex=self.state_ttl)
            if data:
                pipe.set(data_key, self.json_dumps(data), ex=self.data_ttl)
            else:
                pipe.delete(data_key)
            await pipe.execute()


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
