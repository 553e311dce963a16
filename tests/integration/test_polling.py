"""Long polling (bot/app/polling.py): different people at once, one person's updates in order,
a batch confirmed to Telegram only once every update in it has been handled."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from aiogram import Dispatcher
from aiogram.types import Message, Update

from bot.app.polling import Polling, in_conversations
from tests.fakeapi.core import FakeTelegram
from tests.fakeapi.session import make_bot


@dataclass
class Recorder:
    """A handler that writes down when each text starts and ends, and can be held."""

    events: list[str] = field(default_factory=list)
    held: dict[str, asyncio.Event] = field(default_factory=dict)
    started: dict[str, asyncio.Event] = field(default_factory=dict)
    ended: dict[str, asyncio.Event] = field(default_factory=dict)

    def hold(self, text: str) -> asyncio.Event:
        self.held[text] = asyncio.Event()
        return self.held[text]

    def has_started(self, text: str) -> asyncio.Event:
        return self.started.setdefault(text, asyncio.Event())

    async def handled(self, text: str) -> None:
        await asyncio.wait_for(self.ended.setdefault(text, asyncio.Event()).wait(), timeout=5)

    async def handle(self, message: Message) -> None:
        text = message.text or ""
        self.events.append(f"start {text}")
        self.has_started(text).set()
        if text in self.held:
            await self.held[text].wait()
        if text == "boom":
            raise RuntimeError("the handler failed")
        self.events.append(f"end {text}")
        self.ended.setdefault(text, asyncio.Event()).set()


@dataclass
class Polled:
    fake: FakeTelegram
    recorder: Recorder
    stop: asyncio.Event
    task: asyncio.Task[None]

    def unconfirmed(self) -> list[str]:
        return [u["message"]["text"] for u in self.fake.pending_updates()]


@asynccontextmanager
async def polling() -> AsyncIterator[Polled]:
    fake = FakeTelegram()
    bot = make_bot(fake)
    recorder = Recorder()
    dp = Dispatcher()
    dp.message.register(recorder.handle)
    stop = asyncio.Event()
    task = asyncio.create_task(Polling(dp, bot, timeout=1).run(stop))
    polled = Polled(fake, recorder, stop, task)
    try:
        yield polled
    finally:
        stop.set()
        for event in recorder.held.values():
            event.set()
        await asyncio.wait_for(task, timeout=5)
        await bot.session.close()


async def test_a_batch_is_confirmed_only_once_every_update_in_it_is_handled() -> None:
    async with polling() as p:
        anna, boris = p.fake.user(1001, started=True), p.fake.user(1002, started=True)
        release = p.recorder.hold("анна 1")
        p.fake.send_text(anna, "анна 1")
        p.fake.send_text(boris, "борис 1")
        await asyncio.wait_for(p.recorder.has_started("анна 1").wait(), timeout=5)
        await p.recorder.handled("борис 1")

        # Boris is answered, Anna's update is still being handled: nothing is confirmed,
        # so a crash now would have Telegram send both again.
        assert p.unconfirmed() == ["анна 1", "борис 1"]

        release.set()
        assert await p.fake.wait_idle(5)
        assert p.unconfirmed() == []


async def test_different_people_at_once_and_one_persons_updates_in_order() -> None:
    async with polling() as p:
        anna, boris = p.fake.user(1001, started=True), p.fake.user(1002, started=True)
        release = p.recorder.hold("анна 1")
        for person, text in [(anna, "анна 1"), (anna, "анна 2"), (boris, "борис 1")]:
            p.fake.send_text(person, text)

        # Boris goes through while Anna's first update waits (served one after another,
        # this would never happen)...
        await p.recorder.handled("борис 1")
        # ...and Anna's second update waits for her first.
        assert "start анна 2" not in p.recorder.events

        release.set()
        assert await p.fake.wait_idle(5)
        annas = [e for e in p.recorder.events if "анна" in e]
        assert annas == ["start анна 1", "end анна 1", "start анна 2", "end анна 2"]


async def test_a_failed_update_does_not_hold_up_the_others() -> None:
    async with polling() as p:
        anna, boris = p.fake.user(1001, started=True), p.fake.user(1002, started=True)
        p.fake.send_text(anna, "boom")
        p.fake.send_text(anna, "анна 2")
        p.fake.send_text(boris, "борис 1")
        assert await p.fake.wait_idle(5)
        assert "end анна 2" in p.recorder.events
        assert "end борис 1" in p.recorder.events
        assert not p.task.done()  # polling goes on


async def test_a_stop_finishes_the_batch_in_hand_and_confirms_it() -> None:
    async with polling() as p:
        anna = p.fake.user(1001, started=True)
        release = p.recorder.hold("анна 1")
        p.fake.send_text(anna, "анна 1")
        await asyncio.wait_for(p.recorder.has_started("анна 1").wait(), timeout=5)

        p.stop.set()
        await asyncio.sleep(0)
        assert not p.task.done()  # the update in hand is not cut off
        release.set()
        await asyncio.wait_for(p.task, timeout=5)
        assert "end анна 1" in p.recorder.events
        assert p.unconfirmed() == []  # a restart will not be sent it again


def test_a_batch_is_split_by_conversation_in_telegrams_order() -> None:
    fake = FakeTelegram()
    anna, boris = fake.user(1001, started=True), fake.user(1002, started=True)
    for person, text in [(anna, "a1"), (boris, "b1"), (anna, "a2"), (boris, "b2"), (anna, "a3")]:
        fake.send_text(person, text)
    batch = [Update.model_validate(u) for u in fake.pending_updates()]
    groups = [[u.message.text for u in group if u.message] for group in in_conversations(batch)]
    assert groups == [["a1", "a2", "a3"], ["b1", "b2"]]
