"""Delivering reminders against the in-process fake Bot API: once, in the person's language,
through 429s, blocks, server errors, quiet hours and crashes; and the scheduler around it.

Data is written straight through the repositories into a migrated SQLite file. Time is the
test's: the delivery and the rate limiter get the :class:`FakeClock` and a recording sleep
that only moves it, so nothing sleeps for real. Only the scheduler test that checks a job
fires on time uses the wall clock, for half a second.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import Response, SendMessage, TelegramMethod
from aiogram.methods.base import TelegramType
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import Reminder, User
from bot.db.repositories.interviews import InterviewRepository
from bot.db.repositories.reminders import ReminderRepository
from bot.db.repositories.users import UserRepository
from bot.domain.clock import Clock
from bot.domain.reminders import ReminderKind, ReminderStatus, Snooze
from bot.scheduler.delivery import (
    MAX_ATTEMPTS,
    MAX_RETRY_AFTER_WAITS,
    STUCK_AFTER,
    ReminderDelivery,
)
from bot.scheduler.limiter import RateLimiter
from bot.scheduler.runner import HORIZON, ReminderScheduler, jobstore_url
from bot.telegram.i18n import create_i18n
from bot.telegram.keyboards.callbacks import DraftCb, ReminderCb
from tests.clock import FakeClock
from tests.fakeapi.core import FakeTelegram, SentMessage
from tests.fakeapi.session import make_bot

TOKEN = "123456:TEST-token"
ANNA, JOHN = 1001, 2002
QUIET = (time(22, 0), time(9, 0))


# --- the world of one test ----------------------------------------------------------------


class FakeTime:
    """Sleeping only records the wait and moves the fake clock; monotonic time follows it."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.delivery_sleeps: list[float] = []
        self.limiter_sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.clock.now.timestamp()

    async def sleep(self, seconds: float) -> None:
        self.delivery_sleeps.append(seconds)
        self.clock.advance(seconds=seconds)
        await asyncio.sleep(0)

    async def limiter_sleep(self, seconds: float) -> None:
        """Let the sends already allowed go first (as they would in real time), then wait."""
        self.limiter_sleeps.append(seconds)
        for _ in range(10):
            await asyncio.sleep(0)
        self.clock.advance(seconds=seconds)
        await asyncio.sleep(0)


@dataclass
class Timetable:
    """Records what the delivery puts back on the timetable."""

    rescheduled: list[tuple[int, datetime]]

    def schedule(self, reminder_id: int, due: datetime) -> None:
        self.rescheduled.append((reminder_id, due))

    def unschedule(self, reminder_id: int) -> None:
        pass


@dataclass
class World:
    fake: FakeTelegram
    bot: Bot
    sessionmaker: async_sessionmaker[AsyncSession]
    clock: FakeClock
    faketime: FakeTime
    rescheduled: list[tuple[int, datetime]] = field(default_factory=list)

    def delivery(
        self, *, clock: Clock | None = None, kind: type[ReminderDelivery] = ReminderDelivery
    ) -> ReminderDelivery:
        limiter = RateLimiter(clock=self.faketime.monotonic, sleep=self.faketime.limiter_sleep)
        return kind(
            bot=self.bot,
            sessionmaker=self.sessionmaker,
            i18n=create_i18n("ru"),
            clock=clock or self.clock,
            limiter=limiter,
            sleep=self.faketime.sleep,
            planner=Timetable(self.rescheduled),
        )

    async def person(
        self,
        user_id: int = ANNA,
        *,
        language: str = "ru",
        timezone: str = "Europe/Moscow",
        quiet: tuple[time, time] | None = QUIET,
        now: datetime | None = None,
    ) -> int:
        """A person who consented (in the database) and wrote to the bot (in the fake)."""
        self.fake.user(
            user_id,
            first_name="Анна" if language == "ru" else "John",
            language_code=language,
            started=True,
        )
        async with self.sessionmaker() as session:
            await UserRepository(session).create(
                user_id=user_id,
                language=language,
                signature="Анна Иванова" if language == "ru" else "John Smith",
                timezone=timezone,
                now=now or self.clock(),
                quiet_start=quiet[0] if quiet else None,
                quiet_end=quiet[1] if quiet else None,
            )
            await session.commit()
        return user_id

    async def interview(
        self, user_id: int, company: str = "Acme & Co", position: str = "Backend"
    ) -> int:
        async with self.sessionmaker() as session:
            interview = await InterviewRepository(session).add(
                user_id=user_id,
                now=self.clock(),
                company=company,
                position=position,
                contact_name=None,
                channel="email",
                contact_address="hr@example.com",
                last_stage_on=date(2026, 11, 24),
                all_stages_done=True,
                next_stage_on=None,
                outcome="waiting",
                priorities=[],
            )
            await session.commit()
            return interview.id

    async def reminder(
        self,
        user_id: int,
        due: datetime,
        *,
        kind: ReminderKind = ReminderKind.SEND,
        interview_id: int | None = None,
        company: str = "Acme & Co",
        now: datetime | None = None,
    ) -> int:
        """A pending reminder (each in its own interview unless one is given: adding a
        reminder replaces the pending one of the same interview)."""
        if interview_id is None:
            interview_id = await self.interview(user_id, company)
        async with self.sessionmaker() as session:
            reminder = await ReminderRepository(session).add(
                user_id=user_id,
                interview_id=interview_id,
                kind=kind,
                due_at=due,
                now=now or self.clock(),
            )
            await session.commit()
            return reminder.id

    async def stored(self, reminder_id: int) -> Reminder:
        async with self.sessionmaker() as session:
            reminder = await ReminderRepository(session).get(reminder_id)
        assert reminder is not None
        return reminder

    async def stored_user(self, user_id: int) -> User:
        async with self.sessionmaker() as session:
            user = await UserRepository(session).get(user_id)
        assert user is not None
        return user

    async def set_status(
        self, reminder_id: int, status: ReminderStatus, at: datetime, **fields: Any
    ) -> None:
        async with self.sessionmaker() as session:
            repo = ReminderRepository(session)
            reminder = await repo.get(reminder_id)
            assert reminder is not None
            await repo.set_status(reminder, status, at, **fields)
            await session.commit()

    def sent(self, chat_id: int = ANNA) -> list[SentMessage]:
        return self.fake.bot_messages(chat_id)

    def send_calls(self) -> int:
        return len(self.fake.calls_to("sendMessage"))


@pytest.fixture
async def world(
    sessionmaker: async_sessionmaker[AsyncSession], clock: FakeClock
) -> AsyncIterator[World]:
    fake = FakeTelegram(TOKEN, clock=clock)
    bot = make_bot(fake, TOKEN)
    try:
        yield World(fake, bot, sessionmaker, clock, FakeTime(clock))
    finally:
        await bot.session.close()


# --- a due reminder, once, in the person's language ---------------------------------------

SNOOZE_RU = ["⏰ Через час", "⏰ Завтра", "⏰ Через 3 дня"]
SNOOZE_EN = ["⏰ In an hour", "⏰ Tomorrow", "⏰ In 3 days"]
CASES = {
    "ru-send": (
        "ru",
        ReminderKind.SEND,
        "⏰ Пора написать: Acme & Co — Backend. Черновик готов — это займёт минуту.",
        [["📝 Показать черновик"], SNOOZE_RU, ["✅ Готово", "🔕 Не напоминать"]],
    ),
    "en-send": (
        "en",
        ReminderKind.SEND,
        "⏰ Time to write: Acme & Co — Backend. The draft is ready, it takes a minute.",
        [["📝 Show the draft"], SNOOZE_EN, ["✅ Done", "🔕 Stop reminding"]],
    ),
    "ru-follow-up": (
        "ru",
        ReminderKind.FOLLOW_UP,
        "📨 Acme & Co — Backend: ответили на ваш запрос обратной связи?",
        [
            ["✅ Да, обратная связь пришла"],
            ["🤐 Нет ответа", "🚫 Отказались"],
            SNOOZE_RU,
            ["✅ Готово", "🔕 Не напоминать"],
        ],
    ),
    "en-stage": (
        "en",
        ReminderKind.STAGE,
        "🔁 How did the next stage go? Acme & Co — Backend",
        [["📌 Record the outcome"], SNOOZE_EN, ["✅ Done", "🔕 Stop reminding"]],
    ),
}


@pytest.mark.parametrize(("language", "kind", "text", "buttons"), CASES.values(), ids=CASES)
async def test_a_due_reminder_is_sent_once_in_the_persons_language(
    world: World, language: str, kind: ReminderKind, text: str, buttons: list[list[str]]
) -> None:
    user_id = await world.person(language=language)
    reminder_id = await world.reminder(user_id, world.clock() - timedelta(minutes=1), kind=kind)
    interview_id = (await world.stored(reminder_id)).interview_id

    assert await world.delivery().deliver(reminder_id) == "sent"

    [message] = world.sent(user_id)
    assert message.text == text
    assert message.entity_texts("bold") == ["Acme & Co"]
    assert message.button_texts == buttons
    data = message.callback_data
    assert ReminderCb(action="snooze", id=reminder_id, value=Snooze.HOUR).pack() in data
    assert ReminderCb(action="done", id=reminder_id).pack() in data
    assert ReminderCb(action="stop", id=reminder_id).pack() in data
    if kind is ReminderKind.SEND:
        assert DraftCb(action="show", id=interview_id).pack() in data
    stored = await world.stored(reminder_id)
    assert stored.status == ReminderStatus.SENT
    assert stored.sent_at == world.clock()
    assert stored.message_id == message.message_id
    assert stored.attempts == 1
    assert world.faketime.delivery_sleeps == []
    assert world.rescheduled == []


async def test_two_deliverers_racing_for_the_same_reminders_send_each_once(world: World) -> None:
    """Two processes (two deliveries, no shared batch) claim the same due reminders
    at the same moment: each one's conditional UPDATE lets exactly one of them win."""
    user_ids = [await world.person(ANNA + n) for n in range(5)]
    reminder_ids = [await world.reminder(user_id, world.clock()) for user_id in user_ids]
    first = world.delivery()
    second = world.delivery()

    outcomes = await asyncio.gather(
        *(first.deliver(n) for n in reminder_ids), *(second.deliver(n) for n in reminder_ids)
    )

    assert sorted(outcomes) == ["sent"] * 5 + ["skipped"] * 5
    for user_id in user_ids:
        assert len(world.sent(user_id)) == 1
    assert world.send_calls() == 5


async def test_above_the_free_rate_reminders_go_as_paid_broadcasts(world: World) -> None:
    user_id = await world.person()
    reminder_id = await world.reminder(user_id, world.clock())
    delivery = world.delivery()
    delivery.paid_broadcast = True
    assert await delivery.deliver(reminder_id) == "sent"
    [call] = world.fake.calls_to("sendMessage")
    assert call.params.get("allow_paid_broadcast") in {True, "true"}

    other = await world.reminder(user_id, world.clock(), company="Beta")
    world.clock.advance(seconds=2)
    assert await world.delivery().deliver(other) == "sent"
    assert "allow_paid_broadcast" not in world.fake.calls_to("sendMessage")[-1].params


async def test_two_triggers_at_once_and_one_later_send_one_message(world: World) -> None:
    """The conditional UPDATE of the claim lets exactly one sender win."""
    user_id = await world.person()
    reminder_id = await world.reminder(user_id, world.clock())
    delivery = world.delivery()

    outcomes = await asyncio.gather(delivery.deliver(reminder_id), delivery.deliver(reminder_id))
    assert sorted(outcomes) == ["sent", "skipped"]
    world.clock.advance(minutes=5)
    assert await delivery.deliver(reminder_id) == "skipped"
    assert await world.delivery().deliver(reminder_id) == "skipped"  # another process, too

    assert len(world.sent(user_id)) == 1
    assert world.send_calls() == 1
    stored = await world.stored(reminder_id)
    assert (stored.status, stored.attempts) == (ReminderStatus.SENT, 1)


async def test_a_reminder_not_yet_due_is_not_sent(world: World) -> None:
    user_id = await world.person()
    due = world.clock() + timedelta(hours=1)
    reminder_id = await world.reminder(user_id, due)
    delivery = world.delivery()

    assert await delivery.deliver(reminder_id) == "skipped"
    assert world.send_calls() == 0
    stored = await world.stored(reminder_id)
    assert (stored.status, stored.attempts, stored.due_at) == (ReminderStatus.PENDING, 0, due)

    world.clock.advance(hours=1)
    assert await delivery.deliver(reminder_id) == "sent"
    assert len(world.sent(user_id)) == 1


# --- Telegram's limits ----------------------------------------------------------------------


async def test_429_is_waited_out_and_the_reminder_arrives(world: World) -> None:
    user_id = await world.person()
    reminder_id = await world.reminder(user_id, world.clock())
    world.fake.fail_next("sendMessage", error_code=429, retry_after=3, times=2)
    started = world.clock()

    assert await world.delivery().deliver(reminder_id) == "sent"

    assert world.faketime.delivery_sleeps == [3, 3]
    statuses = [call.status for call in world.fake.calls_to("sendMessage")]
    assert statuses == [429, 429, 200]
    assert len(world.sent(user_id)) == 1
    stored = await world.stored(reminder_id)
    assert (stored.status, stored.attempts) == (ReminderStatus.SENT, 1)
    assert stored.sent_at == started + timedelta(seconds=6)
    assert world.rescheduled == []


async def test_429_without_end_puts_the_reminder_back_for_later(world: World) -> None:
    user_id = await world.person()
    reminder_id = await world.reminder(user_id, world.clock())
    world.fake.fail_next("sendMessage", error_code=429, retry_after=2, times=MAX_RETRY_AFTER_WAITS)

    assert await world.delivery().deliver(reminder_id) == "retry"

    assert world.faketime.delivery_sleeps == [2] * MAX_RETRY_AFTER_WAITS
    assert world.sent(user_id) == []
    stored = await world.stored(reminder_id)
    assert stored.status == ReminderStatus.PENDING
    assert stored.due_at > world.clock()
    assert world.rescheduled == [(reminder_id, stored.due_at)]


async def test_the_rate_limiter_spaces_messages_to_one_chat(world: World) -> None:
    user_id = await world.person()
    first = await world.reminder(user_id, world.clock(), company="Alpha")
    second = await world.reminder(user_id, world.clock(), company="Beta")
    delivery = world.delivery()

    outcomes = await asyncio.gather(delivery.deliver(first), delivery.deliver(second))
    assert list(outcomes) == ["sent", "sent"]

    assert world.faketime.limiter_sleeps == [pytest.approx(1.0)]
    calls = world.fake.calls_to("sendMessage")
    assert [call.params["chat_id"] for call in calls] == [user_id, user_id]
    assert (calls[1].at - calls[0].at).total_seconds() >= 1.0
    assert len(world.sent(user_id)) == 2


LIMITER_HOLDS_OTHER_CHATS = (
    "bot/scheduler/limiter.py RateLimiter.acquire: the global slot is reserved at the chat's "
    "delayed start (self._next_any = start + interval), so a message to another chat waits "
    "behind one chat's 1 s spacing: waits are 0, 1.0, 1.033 s instead of 0, 1.0, 0.033 s"
)


async def test_a_message_to_another_chat_does_not_wait_behind_one_chats_spacing() -> None:
    """Three sends asked for at the same instant: two to Anna, one to John. Only Anna's
    second must wait (a second); John's goes in the next global slot (1/30 s)."""
    waits: dict[int, float] = {}

    async def no_sleep(_seconds: float) -> None:
        await asyncio.sleep(0)

    limiter = RateLimiter(per_second=30, per_chat_interval=1.0, clock=lambda: 0.0, sleep=no_sleep)
    await limiter.acquire(ANNA)
    waits[ANNA] = await limiter.acquire(ANNA)
    waits[JOHN] = await limiter.acquire(JOHN)

    assert waits[ANNA] == pytest.approx(1.0)
    assert waits[JOHN] <= 2 / 30


# --- the person blocked the bot ---------------------------------------------------------------


async def test_403_deactivates_the_person_and_cancels_their_reminders(world: World) -> None:
    anna = await world.person(ANNA)
    john = await world.person(JOHN, language="en")
    due = await world.reminder(anna, world.clock(), company="Alpha")
    also_due = await world.reminder(anna, world.clock(), company="Beta")
    later = await world.reminder(anna, world.clock() + timedelta(days=1), company="Gamma")
    johns = await world.reminder(john, world.clock(), company="Delta")
    world.fake.block(anna)
    delivery = world.delivery()

    assert await delivery.deliver(due) == "blocked"

    assert not (await world.stored_user(anna)).is_active
    for reminder_id in (due, also_due, later):
        assert (await world.stored(reminder_id)).status == ReminderStatus.CANCELLED
    assert world.sent(anna) == []
    assert [call.status for call in world.fake.calls_to("sendMessage")] == [403]
    assert world.rescheduled == []

    assert await delivery.deliver(also_due) == "skipped"  # cancelled: nothing is tried
    assert world.send_calls() == 1
    # somebody else is not affected
    assert (await world.stored_user(john)).is_active
    assert await delivery.deliver(johns) == "sent"
    assert len(world.sent(john)) == 1


async def test_a_pending_reminder_of_an_inactive_person_is_cancelled_unsent(world: World) -> None:
    anna = await world.person()
    reminder_id = await world.reminder(anna, world.clock())
    async with world.sessionmaker() as session:
        users = UserRepository(session)
        user = await users.get(anna)
        assert user is not None
        await users.update(user, world.clock(), is_active=False)
        await session.commit()

    assert await world.delivery().deliver(reminder_id) == "cancelled"
    assert world.send_calls() == 0
    assert (await world.stored(reminder_id)).status == ReminderStatus.CANCELLED


# --- network and other errors -----------------------------------------------------------------


@pytest.mark.parametrize("error_code", [500, 502, 400])
async def test_errors_retry_later_then_fail_after_the_cap(world: World, error_code: int) -> None:
    user_id = await world.person()
    reminder_id = await world.reminder(user_id, world.clock())
    delivery = world.delivery()
    delays: list[timedelta] = []

    for attempt in range(1, MAX_ATTEMPTS):
        world.fake.fail_next("sendMessage", error_code=error_code)
        assert await delivery.deliver(reminder_id) == "retry", f"attempt {attempt}"
        stored = await world.stored(reminder_id)
        assert (stored.status, stored.attempts) == (ReminderStatus.PENDING, attempt)
        assert world.rescheduled[-1] == (reminder_id, stored.due_at)
        delays.append(stored.due_at - world.clock())
        assert await delivery.deliver(reminder_id) == "skipped"  # not due again yet
        world.clock.now = stored.due_at

    assert delays == [
        timedelta(minutes=1),
        timedelta(minutes=5),
        timedelta(minutes=30),
        timedelta(minutes=30),
    ]
    world.fake.fail_next("sendMessage", error_code=error_code)
    assert await delivery.deliver(reminder_id) == "failed"
    stored = await world.stored(reminder_id)
    assert (stored.status, stored.attempts) == (ReminderStatus.FAILED, MAX_ATTEMPTS)
    assert len(world.rescheduled) == MAX_ATTEMPTS - 1

    world.clock.advance(hours=1)
    assert await delivery.deliver(reminder_id) == "skipped"
    assert world.sent(user_id) == []
    assert world.send_calls() == MAX_ATTEMPTS
    assert world.faketime.delivery_sleeps == []


async def test_after_a_server_error_the_retry_delivers(world: World) -> None:
    user_id = await world.person()
    reminder_id = await world.reminder(user_id, world.clock())
    delivery = world.delivery()
    world.fake.fail_next("sendMessage", error_code=500)

    assert await delivery.deliver(reminder_id) == "retry"
    [(rescheduled_id, due)] = world.rescheduled
    assert (rescheduled_id, due) == (reminder_id, world.clock() + timedelta(minutes=1))
    world.clock.now = due
    assert await delivery.deliver(reminder_id) == "sent"

    assert len(world.sent(user_id)) == 1
    stored = await world.stored(reminder_id)
    assert (stored.status, stored.attempts, stored.sent_at) == (ReminderStatus.SENT, 2, due)


# --- quiet hours ------------------------------------------------------------------------------

QUIET_CASES = {
    # due at local time → delivered at local time (Moscow is UTC+3 all year)
    "23:30 → 09:00 next day": (
        datetime(2026, 11, 26, 20, 30, tzinfo=UTC),
        datetime(2026, 11, 27, 6, 0, tzinfo=UTC),
    ),
    "02:00 → 09:00 same day": (
        datetime(2026, 11, 26, 23, 0, tzinfo=UTC),
        datetime(2026, 11, 27, 6, 0, tzinfo=UTC),
    ),
}


@pytest.mark.parametrize(("due", "delivered"), QUIET_CASES.values(), ids=QUIET_CASES)
async def test_a_reminder_due_in_quiet_hours_waits_until_they_end(
    world: World, due: datetime, delivered: datetime
) -> None:
    user_id = await world.person(timezone="Europe/Moscow", quiet=QUIET)
    reminder_id = await world.reminder(user_id, due)
    world.clock.now = due
    delivery = world.delivery()

    assert await delivery.deliver(reminder_id) == "deferred"

    assert world.send_calls() == 0
    stored = await world.stored(reminder_id)
    assert (stored.status, stored.due_at) == (ReminderStatus.PENDING, delivered)
    assert world.rescheduled == [(reminder_id, delivered)]

    world.clock.now = delivered - timedelta(minutes=1)
    assert await delivery.deliver(reminder_id) == "skipped"
    world.clock.now = delivered
    assert await delivery.deliver(reminder_id) == "sent"
    assert len(world.sent(user_id)) == 1


# --- a crash in the middle of sending ---------------------------------------------------------


async def test_a_reminder_stuck_in_sending_is_reset_and_delivered_once(world: World) -> None:
    user_id = await world.person()
    now = world.clock()
    stuck = await world.reminder(user_id, now - timedelta(minutes=20), company="Alpha")
    in_flight = await world.reminder(user_id, now - timedelta(minutes=20), company="Beta")
    # Claimed by a process that died 11 minutes ago; the other was claimed 5 minutes ago.
    await world.set_status(stuck, ReminderStatus.SENDING, now - STUCK_AFTER - timedelta(minutes=1))
    await world.set_status(in_flight, ReminderStatus.SENDING, now - timedelta(minutes=5))
    delivery = world.delivery()

    assert await delivery.deliver(stuck) == "skipped"  # not pending: nobody may claim it
    assert await delivery.due_now() == [stuck]
    assert (await world.stored(stuck)).status == ReminderStatus.PENDING
    assert (await world.stored(in_flight)).status == ReminderStatus.SENDING

    assert await delivery.deliver(stuck) == "sent"
    assert await delivery.deliver(stuck) == "skipped"
    assert await delivery.due_now() == []
    [message] = world.sent(user_id)
    assert "Alpha" in (message.text or "")
    assert (await world.stored(stuck)).status == ReminderStatus.SENT


class KilledError(Exception):
    """The process dies here: ``kill -9`` after Telegram answered, before the «sent» mark."""


@dataclass
class KilledBeforeTheSentMark(ReminderDelivery):
    """Telegram has the message, the database never hears of it."""

    async def mark_sent(self, reminder_id: int, message_id: int) -> None:
        raise KilledError


REPEAT = {
    "ru": "Если это напоминание уже приходило — извините за повтор: бот перезапускался.",
    "en": "If you already got this reminder, sorry for the repeat: the bot was restarted.",
}
FIRST_COPY = {
    "ru": "⏰ Пора написать: Acme & Co — Backend. Черновик готов — это займёт минуту.",
    "en": "⏰ Time to write: Acme & Co — Backend. The draft is ready, it takes a minute.",
}


@pytest.mark.parametrize("language", ["ru", "en"])
async def test_a_copy_sent_again_after_a_crash_says_it_may_repeat_the_first(
    world: World, language: str
) -> None:
    """Killed after Telegram had the reminder and before it was marked sent: the claim
    expires after STUCK_AFTER, the scheduler's reconciliation resets it and sends it again
    (never lost: the Bot API has no idempotent send), and that copy says it may be a
    repeat. The first copy does not."""
    user_id = await world.person(language=language)
    reminder_id = await world.reminder(user_id, world.clock())
    with pytest.raises(KilledError):
        await world.delivery(kind=KilledBeforeTheSentMark).deliver(reminder_id)
    [first] = world.sent(user_id)
    assert first.text == FIRST_COPY[language]
    assert first.entity_texts("italic") == []

    reminders = ReminderScheduler(world.delivery(), None)  # the next process
    reminders.scheduler.start(paused=True)
    try:
        world.clock.advance(minutes=9)  # the claim still holds: nothing is sent twice yet
        await reminders.reconcile()
        assert len(world.sent(user_id)) == 1
        assert (await world.stored(reminder_id)).status == ReminderStatus.SENDING

        world.clock.advance(minutes=2)  # past STUCK_AFTER: reset, and sent again
        await reminders.reconcile()
        await reminders.reconcile()  # once
    finally:
        await reminders.shutdown()

    first, again = world.sent(user_id)
    assert again.text == f"{FIRST_COPY[language]}\n\n{REPEAT[language]}"
    assert again.entity_texts("italic") == [REPEAT[language]]
    assert again.entity_texts("bold") == ["Acme & Co"]
    assert again.button_texts == first.button_texts  # its buttons act as the first one's
    stored = await world.stored(reminder_id)
    assert (stored.status, stored.message_id) == (ReminderStatus.SENT, again.message_id)


async def test_an_ordinary_delivery_and_a_retry_after_an_error_say_nothing_of_a_repeat(
    world: World,
) -> None:
    """Only a reset claim adds the line: a retry after Telegram refused (a 500, so nothing
    reached the person) and every other reminder of a person whose reminder was repeated go
    out as they are."""
    user_id = await world.person()
    repeated = await world.reminder(user_id, world.clock(), company="Alpha")
    with pytest.raises(KilledError):
        await world.delivery(kind=KilledBeforeTheSentMark).deliver(repeated)
    refused = await world.reminder(user_id, world.clock(), company="Beta")
    ordinary = await world.reminder(user_id, world.clock(), company="Gamma")
    delivery = world.delivery()
    world.fake.fail_next("sendMessage", error_code=500)
    assert await delivery.deliver(refused) == "retry"
    assert await delivery.deliver(ordinary) == "sent"

    world.clock.advance(minutes=11)
    due = await delivery.due_now()
    assert sorted(due) == sorted([repeated, refused])
    assert [await delivery.deliver(n) for n in due] == ["sent", "sent"]

    texts = {
        company: [m.text or "" for m in world.sent(user_id) if company in (m.text or "")]
        for company in ("Alpha", "Beta", "Gamma")
    }
    assert [REPEAT["ru"] in text for text in texts["Alpha"]] == [False, True]
    assert [REPEAT["ru"] in text for text in texts["Beta"]] == [False]
    assert [REPEAT["ru"] in text for text in texts["Gamma"]] == [False]


async def test_a_claim_reset_before_anything_was_sent_still_says_it_may_repeat(
    world: World,
) -> None:
    """Killed between the claim and the send: the bot cannot tell this from a send Telegram
    got, so the only copy says it may be a repeat; the person is never left without it."""
    user_id = await world.person(language="en")
    reminder_id = await world.reminder(user_id, world.clock())
    await world.set_status(reminder_id, ReminderStatus.SENDING, world.clock(), attempts=1)
    world.clock.advance(minutes=11)
    delivery = world.delivery()

    assert await delivery.due_now() == [reminder_id]
    assert await delivery.deliver(reminder_id) == "sent"

    [message] = world.sent(user_id)
    assert message.text == f"{FIRST_COPY['en']}\n\n{REPEAT['en']}"


LONG_RETRY_AFTER_DUPLICATES = (
    "bot/scheduler/delivery.py ReminderDelivery.deliver sleeps out TelegramRetryAfter (up to "
    "MAX_RETRY_AFTER_WAITS times) while the reminder stays «sending» with an old updated_at; "
    "once the waits pass STUCK_AFTER (10 min) due_now() resets it to pending and the "
    "reconciler sends it, then the waiting delivery sends it again: two messages"
)


async def test_a_long_flood_wait_is_not_taken_for_a_crash(world: World) -> None:
    """A long «retry after» goes back to the timetable instead of holding the claim, so the
    reconciler never mistakes it for a crashed send, and it is sent exactly once."""
    user_id = await world.person()
    reminder_id = await world.reminder(user_id, world.clock())
    slept: list[float] = []

    async def record(seconds: float) -> None:
        slept.append(seconds)

    first = world.delivery()
    first.sleep = record
    world.fake.fail_next("sendMessage", error_code=429, retry_after=700)
    assert await first.deliver(reminder_id) == "retry"
    assert slept == []
    stored = await world.stored(reminder_id)
    assert stored.status == ReminderStatus.PENDING
    assert stored.due_at == world.clock() + timedelta(seconds=700)

    reconciler = world.delivery()
    for minutes in (1, 5, 11):  # the reconciler runs every minute meanwhile
        world.clock.advance(minutes=minutes)
        for due_id in await reconciler.due_now():
            await reconciler.deliver(due_id)
    assert len(world.sent(user_id)) == 1, "the reminder was sent twice"
    assert (await world.stored(reminder_id)).status == ReminderStatus.SENT


SHUTDOWN_CANCELS_DELIVERY = (
    "bot/scheduler/runner.py ReminderScheduler.shutdown: scheduler.shutdown(wait=False) makes "
    "APScheduler's AsyncIOExecutor cancel running jobs, so a delivery whose message Telegram "
    "already accepted is cancelled before it is marked sent (bot/__main__.py calls it on "
    "SIGTERM); it stays «sending», is reset 10 minutes later and is sent again"
)


@dataclass
class StallingDelivery(ReminderDelivery):
    """Marks a reminder sent only once ``released`` is set, as behind a slow database."""

    released: asyncio.Event = field(default_factory=asyncio.Event)

    async def mark_sent(self, reminder_id: int, message_id: int) -> None:
        await self.released.wait()
        await super().mark_sent(reminder_id, message_id)


async def test_a_clean_stop_does_not_lose_track_of_a_message_in_flight(world: World) -> None:
    user_id = await world.person()
    reminder_id = await world.reminder(user_id, world.clock())
    delivery = world.delivery(kind=StallingDelivery)
    assert isinstance(delivery, StallingDelivery)
    reminders = ReminderScheduler(delivery, None)
    reminders.start()  # the start-up reconciliation delivers the due reminder
    try:
        # Telegram has the message; marking it sent waits for the database.
        await world.fake.wait_for(lambda: len(world.sent(user_id)) == 1, timeout=5)
    finally:
        await reminders.shutdown(grace=0.2)  # SIGTERM: what bot/__main__.py does on the way out
        delivery.released.set()
    for _ in range(500):  # the shielded «sent» mark lands, in the database's own thread
        if (await world.stored(reminder_id)).status == ReminderStatus.SENT:
            break
        await asyncio.sleep(0.01)

    # The next start, more than STUCK_AFTER later: the reconciliation runs again.
    world.clock.advance(minutes=11)
    after_restart = world.delivery()
    for due_id in await after_restart.due_now():
        await after_restart.deliver(due_id)

    assert (await world.stored(reminder_id)).status == ReminderStatus.SENT
    assert len(world.sent(user_id)) == 1, "the reminder was sent twice"


DEFERRAL_IS_AN_ATTEMPT = (
    "bot/db/repositories/reminders.py ReminderRepository.claim increments attempts before "
    "bot/scheduler/delivery.py _claim defers for quiet hours, so a deferral counts as a "
    "delivery attempt: after one night the retry delays shift (5 min, not 1 min, first) and "
    "the reminder is marked failed after 4 sends instead of MAX_ATTEMPTS = 5"
)


async def test_waiting_for_quiet_hours_to_end_is_not_a_delivery_attempt(world: World) -> None:
    user_id = await world.person(quiet=QUIET)
    night = datetime(2026, 11, 26, 20, 30, tzinfo=UTC)  # 23:30 in Moscow
    reminder_id = await world.reminder(user_id, night)
    world.clock.now = night
    delivery = world.delivery()
    assert await delivery.deliver(reminder_id) == "deferred"

    outcomes = []
    for _ in range(MAX_ATTEMPTS):
        world.clock.now = (await world.stored(reminder_id)).due_at
        world.fake.fail_next("sendMessage", error_code=500)
        outcomes.append(await delivery.deliver(reminder_id))

    assert world.send_calls() == MAX_ATTEMPTS
    assert outcomes == ["retry"] * (MAX_ATTEMPTS - 1) + ["failed"]


# --- the scheduler --------------------------------------------------------------------------


async def test_a_scheduled_job_delivers_the_reminder_on_time(world: World) -> None:
    """The only test on the wall clock: a date job half a second ahead."""

    def wall() -> datetime:
        return datetime.now(UTC)

    world.fake.clock = wall
    start = wall()
    user_id = await world.person(quiet=None, now=start)  # the wall clock may be at night
    due = start + timedelta(seconds=0.5)
    reminder_id = await world.reminder(user_id, due, now=start)
    delivery = world.delivery(clock=wall)
    delivery.limiter = RateLimiter()
    reminders = ReminderScheduler(delivery, None)
    reminders.start()
    try:
        reminders.schedule(reminder_id, due)
        await world.fake.wait_for(lambda: len(world.sent(user_id)) == 1, timeout=5)
        # The job marks it sent right after Telegram answered; shutting down before that
        # would cancel it mid-way.
        async with asyncio.timeout(2):
            while (await world.stored(reminder_id)).status != ReminderStatus.SENT:
                await asyncio.sleep(0.01)
        assert reminders.scheduler.get_job(f"reminder:{reminder_id}") is None
    finally:
        await reminders.shutdown()

    [call] = world.fake.calls_to("sendMessage")
    assert due <= call.at < due + timedelta(seconds=3)
    stored = await world.stored(reminder_id)
    assert (stored.attempts, stored.message_id) == (1, world.sent(user_id)[0].message_id)


async def test_reconcile_delivers_what_has_no_job_and_plans_what_is_coming(world: World) -> None:
    user_id = await world.person()
    now = world.clock()
    due = await world.reminder(user_id, now - timedelta(minutes=3), company="Alpha")
    soon = now + HORIZON / 4
    upcoming = await world.reminder(user_id, soon, company="Beta")
    later = now + HORIZON / 2
    misplanned = await world.reminder(user_id, later, company="Gamma")
    far = await world.reminder(user_id, now + HORIZON + timedelta(minutes=1), company="Delta")
    reminders = ReminderScheduler(world.delivery(), None)
    reminders.scheduler.start(paused=True)  # jobs are planned, none runs
    try:
        reminders.schedule(misplanned, later + timedelta(hours=5))  # a stale job
        await reminders.reconcile()

        [message] = world.sent(user_id)
        assert "Alpha" in (message.text or "")
        assert (await world.stored(due)).status == ReminderStatus.SENT
        planned = {job.id: job.next_run_time for job in reminders.scheduler.get_jobs()}
        assert planned == {f"reminder:{upcoming}": soon, f"reminder:{misplanned}": later}
        assert f"reminder:{far}" not in planned

        await reminders.reconcile()  # again: nothing sent twice, nothing planned twice
        assert len(world.sent(user_id)) == 1
        assert {job.id for job in reminders.scheduler.get_jobs()} == set(planned)
    finally:
        await reminders.shutdown()


async def test_a_retry_is_put_on_the_timetable(world: World) -> None:
    user_id = await world.person()
    reminder_id = await world.reminder(user_id, world.clock())
    reminders = ReminderScheduler(world.delivery(), None)
    reminders.scheduler.start(paused=True)
    world.fake.fail_next("sendMessage", error_code=500)
    try:
        await reminders.reconcile()
        job = reminders.scheduler.get_job(f"reminder:{reminder_id}")
        assert job is not None
        assert job.next_run_time == world.clock() + timedelta(minutes=1)
        assert job.args == (reminder_id,)
        assert job.misfire_grace_time >= timedelta(days=1).total_seconds()
    finally:
        await reminders.shutdown()
    assert world.sent(user_id) == []


@pytest.mark.parametrize(
    ("database_url", "expected"),
    [
        ("sqlite+aiosqlite:///data/bot.sqlite3", "sqlite:///data/bot.jobs.sqlite3"),
        ("sqlite+aiosqlite:////srv/bot/bot.sqlite3", "sqlite:////srv/bot/bot.jobs.sqlite3"),
        ("sqlite+aiosqlite:///data/bot.db", "sqlite:///data/bot.jobs.sqlite3"),
        ("sqlite+aiosqlite:///data/bot", "sqlite:///data/bot.jobs.sqlite3"),
        ("sqlite+aiosqlite://", "sqlite://"),
        ("sqlite+aiosqlite:///:memory:", "sqlite://"),
        (
            "postgresql+asyncpg://bot:s3cret@db:5432/feedback",
            "postgresql+psycopg://bot:s3cret@db:5432/feedback",
        ),
    ],
)
def test_jobstore_url(database_url: str, expected: str) -> None:
    assert jobstore_url(database_url) == expected


class AnswerLostOnce(BaseRequestMiddleware):
    """The next sendMessage reaches Telegram, and its answer is lost on the way back."""

    def __init__(self) -> None:
        self.armed = True

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        response = await make_request(bot, method)
        if self.armed and isinstance(method, SendMessage):
            self.armed = False
            raise TelegramNetworkError(method=method, message="answer lost")
        return response


@pytest.mark.parametrize("language", ["ru", "en"])
async def test_a_retry_after_an_unanswered_send_says_it_may_repeat_the_first(
    world: World, language: str
) -> None:
    """A send that got no answer (a network error: Telegram may have the message) is retried
    later, and that copy says it may be a repeat; a refusal (a 500) does not (above)."""
    user_id = await world.person(language=language)
    reminder_id = await world.reminder(user_id, world.clock())
    world.bot.session.middleware(AnswerLostOnce())
    delivery = world.delivery()
    assert await delivery.deliver(reminder_id) == "retry"
    [first] = world.sent(user_id)
    assert first.text == FIRST_COPY[language]

    world.clock.advance(minutes=5)
    assert await delivery.deliver(reminder_id) == "sent"
    first, again = world.sent(user_id)
    assert again.text == f"{FIRST_COPY[language]}\n\n{REPEAT[language]}"
