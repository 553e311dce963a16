"""Conversations in Redis (several replicas): the per-person lock across replicas, and
state changes written only once the update's transaction has committed."""

from __future__ import annotations

import asyncio
import copy
import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, KeyBuilder, StateType, StorageKey
from aiogram.fsm.storage.redis import RedisEventIsolation
from redis.asyncio import Redis
from redis.asyncio.lock import Lock
from redis.exceptions import LockError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.context import current_session

logger = logging.getLogger(__name__)


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


_PENDING = "bot.db.fsm_redis.pending"  # session.info: the update's state changes, not yet written


class AfterCommitStorage(BaseStorage):
    """Conversation state outside the database (Redis), moved only by updates that succeed.

    Inside an update (a session in :data:`bot.db.context.current_session`) a change is kept
    with the update's session and written by :meth:`write_pending` once the update's
    transaction has committed; a rolled-back update writes none, so its person is asked the
    same question again rather than the next one about an answer that was never saved. The
    update reads its own changes. Outside an update, calls go straight to the store.
    """

    def __init__(self, inner: BaseStorage) -> None:
        self.inner = inner

    @staticmethod
    def _pending() -> dict[StorageKey, dict[str, Any]] | None:
        session = current_session.get()
        if session is None:
            return None
        pending: dict[StorageKey, dict[str, Any]] = session.info.setdefault(_PENDING, {})
        return pending

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        pending = self._pending()
        if pending is None:
            await self.inner.set_state(key, state)
            return
        pending.setdefault(key, {})["state"] = state.state if isinstance(state, State) else state

    async def get_state(self, key: StorageKey) -> str | None:
        pending = self._pending()
        if pending is not None and "state" in pending.get(key, {}):
            state: str | None = pending[key]["state"]
            return state
        return await self.inner.get_state(key)

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        pending = self._pending()
        if pending is None:
            await self.inner.set_data(key, data)
            return
        pending.setdefault(key, {})["data"] = copy.deepcopy(dict(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        pending = self._pending()
        if pending is not None and "data" in pending.get(key, {}):
            data: dict[str, Any] = copy.deepcopy(pending[key]["data"])
            return data
        return await self.inner.get_data(key)

    async def write_pending(self, session: AsyncSession) -> None:
        """Write what the update changed (after its commit)."""
        pending: dict[StorageKey, dict[str, Any]] = session.info.pop(_PENDING, {})
        for key, changes in pending.items():
            if "state" in changes:
                await self.inner.set_state(key, changes["state"])
            if "data" in changes:
                await self.inner.set_data(key, changes["data"])

    async def close(self) -> None:
        await self.inner.close()
