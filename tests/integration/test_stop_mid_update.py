"""An update cut off by a stop (SIGTERM cancels polling; the web server gives up on a request)
still runs to its end, and the person's conversation stays locked until it has: another
replica cannot read a state that is about to change."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import StorageKey
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.fsm_storage import SQLAlchemyStorage
from bot.telegram.middlewares.fsm import PersonLocks
from tests.clock import FakeClock
from tests.harness import running_app


class WatchedIsolation(PersonLocks):
    """The per-person lock, counting how many updates hold it."""

    def __init__(self) -> None:
        super().__init__()
        self.held = 0

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncIterator[None]:
        async with super().lock(key):
            self.held += 1
            try:
                yield
            finally:
                self.held -= 1


async def test_a_cancelled_update_finishes_and_keeps_the_lock_until_then(
    sessionmaker: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    isolation = WatchedIsolation()
    storage = SQLAlchemyStorage(sessionmaker)
    started, release = asyncio.Event(), asyncio.Event()
    async with running_app(sessionmaker, clock, storage=storage, events_isolation=isolation) as app:

        @app.dp.message(Command("slow"))
        async def slow(_message: Message, state: FSMContext) -> None:
            started.set()
            await release.wait()
            await state.update_data(note="записано")

        anna = app.person()
        feeding = asyncio.create_task(anna.send("/slow"))
        await asyncio.wait_for(started.wait(), timeout=5)
        feeding.cancel()
        await asyncio.gather(feeding, return_exceptions=True)
        assert feeding.cancelled()

        # The caller is gone, the update is not: it still holds the person's lock.
        assert isolation.held == 1
        release.set()
        await asyncio.wait_for(app.dp["updates_in_flight"].drain(5), timeout=6)

        assert isolation.held == 0
        key = StorageKey(bot_id=app.bot.id, chat_id=anna.chat_id, user_id=anna.chat_id)
        assert await storage.get_data(key) == {"note": "записано"}  # committed, not cut short


async def test_an_update_failing_after_its_caller_stopped_is_logged(
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    started, release = asyncio.Event(), asyncio.Event()
    async with running_app(sessionmaker, clock) as app:

        @app.dp.message(Command("slow"))
        async def slow(_message: Message) -> None:
            started.set()
            await release.wait()
            raise RuntimeError("the database went away")

        feeding = asyncio.create_task(app.person().send("/slow"))
        await asyncio.wait_for(started.wait(), timeout=5)
        feeding.cancel()
        await asyncio.gather(feeding, return_exceptions=True)
        with caplog.at_level(logging.ERROR, logger="bot.updates"):
            release.set()
            await asyncio.wait_for(app.dp["updates_in_flight"].drain(5), timeout=6)
            await asyncio.sleep(0)  # the done callbacks run on the next turn of the loop

    [failure] = [r for r in caplog.records if "after its caller stopped" in r.getMessage()]
    assert failure.exc_info is not None
    assert "the database went away" in str(failure.exc_info[1])
