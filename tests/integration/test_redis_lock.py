"""The per-conversation Redis lock across replicas: renewed while its update runs, gone soon
after its holder dies, and never a failure for an update that lost it."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator

import pytest
from aiogram.fsm.storage.base import DefaultKeyBuilder, StorageKey
from redis.asyncio import Redis

from bot.db.fsm_redis import RenewedLockIsolation
from tests.databases import NO_REDIS, REDIS_URL

pytestmark = pytest.mark.skipif(REDIS_URL is None, reason=NO_REDIS)

TIMEOUT = 0.3  # seconds: short, so that the tests wait on the real clock only a little


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    assert REDIS_URL is not None
    client = Redis.from_url(REDIS_URL)
    yield client
    await client.aclose()


def isolation_on(redis: Redis) -> RenewedLockIsolation:
    # Each test its own prefix: nothing shared with other tests on the same Redis.
    builder = DefaultKeyBuilder(prefix=f"test-{uuid.uuid4().hex}", with_destiny=True)
    return RenewedLockIsolation(redis, builder, timeout=TIMEOUT)


KEY = StorageKey(bot_id=1, chat_id=1001, user_id=1001)


async def test_an_update_slower_than_the_timeout_keeps_the_lock(redis: Redis) -> None:
    replica_a = isolation_on(redis)
    replica_b = RenewedLockIsolation(redis, replica_a.key_builder, timeout=TIMEOUT)
    order: list[str] = []

    async def slow_update() -> None:
        async with replica_a.lock(KEY):
            order.append("a starts")
            await asyncio.sleep(TIMEOUT * 4)  # four timeouts: without renewal it would expire
            order.append("a ends")

    async def next_update() -> None:
        await asyncio.sleep(TIMEOUT / 3)  # a has it by now
        async with replica_b.lock(KEY):
            order.append("b starts")

    await asyncio.wait_for(asyncio.gather(slow_update(), next_update()), timeout=5)
    assert order == ["a starts", "a ends", "b starts"]
    assert await redis.keys(replica_a.key_builder.build(KEY, "lock")) == []  # released


async def test_the_lock_of_a_dead_replica_frees_itself_within_the_timeout(redis: Redis) -> None:
    isolation = isolation_on(redis)
    name = isolation.key_builder.build(KEY, "lock")
    # A replica killed mid-update: it took the lock and will never renew or release it.
    assert await redis.set(name, "dead-replica-token", px=int(TIMEOUT * 1000), nx=True)

    began = time.monotonic()
    async with isolation.lock(KEY):
        waited = time.monotonic() - began
    assert TIMEOUT / 2 < waited < TIMEOUT + 1.0


async def test_a_lock_lost_mid_update_is_logged_not_raised(
    redis: Redis, caplog: pytest.LogCaptureFixture
) -> None:
    isolation = isolation_on(redis)
    name = isolation.key_builder.build(KEY, "lock")
    finished = False
    with caplog.at_level(logging.WARNING):
        async with isolation.lock(KEY):
            await redis.delete(name)  # as if it expired while the process stalled
            await asyncio.sleep(TIMEOUT / 2)  # the next renewal finds it gone
            finished = True
    assert finished
    assert any("expired before its update finished" in r.getMessage() for r in caplog.records)
