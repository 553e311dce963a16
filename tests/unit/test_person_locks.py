"""One person's updates take turns; the locks last only while someone holds or waits."""

from __future__ import annotations

import asyncio

from aiogram.fsm.storage.base import StorageKey
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.telegram.middlewares.fsm import PersonLocks
from tests.clock import FakeClock
from tests.harness import running_app


def key(person: int) -> StorageKey:
    return StorageKey(bot_id=1, chat_id=person, user_id=person)


async def test_one_persons_updates_take_turns_and_others_do_not_wait() -> None:
    locks = PersonLocks()
    events: list[str] = []
    first_in, release_first = asyncio.Event(), asyncio.Event()

    async def update(person: int, name: str, hold: asyncio.Event | None = None) -> None:
        async with locks.lock(key(person)):
            events.append(f"{name} in")
            if hold is not None:
                first_in.set()
                await hold.wait()
            events.append(f"{name} out")

    first = asyncio.create_task(update(7, "anna 1", release_first))
    await first_in.wait()
    second = asyncio.create_task(update(7, "anna 2"))
    await update(8, "boris")  # another person goes straight through
    await asyncio.sleep(0)
    assert events == ["anna 1 in", "boris in", "boris out"]
    assert locks.active == 1  # Anna's: held, and awaited

    release_first.set()
    await asyncio.gather(first, second)
    assert events[3:] == ["anna 1 out", "anna 2 in", "anna 2 out"]
    assert locks.active == 0  # nobody active: nothing kept


async def test_a_waiter_cancelled_before_its_turn_leaves_nothing_behind() -> None:
    locks = PersonLocks()
    holding, release = asyncio.Event(), asyncio.Event()

    async def holder() -> None:
        async with locks.lock(key(7)):
            holding.set()
            await release.wait()

    async def waiter() -> None:  # pragma: no cover - cancelled before it gets the lock
        async with locks.lock(key(7)):
            raise AssertionError("cancelled while waiting: never runs")

    held = asyncio.create_task(holder())
    await holding.wait()
    waiting = asyncio.create_task(waiter())
    await asyncio.sleep(0)
    waiting.cancel()
    await asyncio.gather(waiting, return_exceptions=True)
    assert locks.active == 1  # the holder's
    release.set()
    await held
    assert locks.active == 0
    async with locks.lock(key(7)):  # and the person can come again
        assert locks.active == 1


async def test_after_many_people_the_bot_keeps_no_lock(
    sessionmaker: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    """In the embedded mode a lock per person ever seen would grow with the audience."""
    locks = PersonLocks()
    async with running_app(sessionmaker, clock, events_isolation=locks) as app:
        assert app.dp.fsm.events_isolation is locks  # empty, yet not replaced by a default
        people = [app.person() for _ in range(40)]
        await asyncio.gather(*(person.send("/start") for person in people))
        assert all(app.fake.bot_messages(person.chat_id) for person in people)
        assert locks.active == 0
