"""Reminder rules with injected time: what to remind about, quiet hours, snoozes, time zones,
and the rate limiter that keeps delivery inside Telegram's limits."""

from __future__ import annotations

import asyncio
import heapq
from bisect import bisect_left
from collections.abc import Coroutine
from datetime import UTC, datetime, time, timedelta
from itertools import count, pairwise
from typing import Any

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from bot.domain.preferences import get_tz
from bot.domain.reminders import (
    ReminderKind,
    Snooze,
    after_quiet_hours,
    in_quiet_hours,
    plan,
    same_local_time,
    snoozed,
)
from bot.domain.timing import Action, Reason, Recommendation
from bot.scheduler.limiter import RateLimiter

MOSCOW = "Europe/Moscow"  # UTC+3, no DST
KAMCHATKA = "Asia/Kamchatka"  # UTC+12, no DST: the local day differs from the UTC day
PLUS_FIVE = "UTC+05:00"  # a typed fixed offset
BERLIN = "Europe/Berlin"  # CET/CEST: 29 March and 25 October 2026 change the clocks
ZONES = (MOSCOW, KAMCHATKA, PLUS_FIVE, BERLIN, "UTC")

NIGHT = (time(22, 0), time(9, 0))  # the default: crosses midnight
EARLY = (time(0, 0), time(7, 0))  # does not cross midnight
OFF = (None, None)

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)  # Thursday, 12:00 in Moscow


Wall = tuple[int, int, int, int, int]  # year, month, day, hour, minute


def local(zone: str, year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    """A wall-clock time in ``zone`` as a UTC instant."""
    return datetime(year, month, day, hour, minute, tzinfo=get_tz(zone)).astimezone(UTC)


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# --- plan() -------------------------------------------------------------------------------


def recommendation(action: Action, moment: datetime | None) -> Recommendation:
    return Recommendation(action, Reason.SAME_DAY, moment, None)


@pytest.mark.parametrize(
    ("action", "kind"),
    [
        (Action.REQUEST, ReminderKind.SEND),
        (Action.THANKS_OFFER, ReminderKind.SEND),
        (Action.FOLLOW_UP, ReminderKind.FOLLOW_UP),
        (Action.CHECK_AFTER_STAGE, ReminderKind.STAGE),
        (Action.THANKS_FEEDBACK, None),
        (Action.WAIT, None),
        (Action.STOP, None),
    ],
)
def test_plan_gives_the_reminder_each_action_calls_for(
    action: Action, kind: ReminderKind | None
) -> None:
    later = NOW + timedelta(days=1, hours=3)
    planned = plan(recommendation(action, later), NOW)
    assert planned == (None if kind is None else (kind, later))


def test_every_action_is_covered_by_the_plan_table() -> None:
    covered = {
        Action.REQUEST,
        Action.THANKS_OFFER,
        Action.FOLLOW_UP,
        Action.CHECK_AFTER_STAGE,
        Action.THANKS_FEEDBACK,
        Action.WAIT,
        Action.STOP,
    }
    assert covered == set(Action)


@pytest.mark.parametrize("action", list(Action))
def test_plan_without_a_moment_plans_nothing(action: Action) -> None:
    assert plan(recommendation(action, None), NOW) is None


@pytest.mark.parametrize(
    ("action", "kind"),
    [
        (Action.REQUEST, ReminderKind.SEND),
        (Action.FOLLOW_UP, ReminderKind.FOLLOW_UP),
        (Action.CHECK_AFTER_STAGE, ReminderKind.STAGE),
    ],
)
def test_plan_never_schedules_in_the_past(action: Action, kind: ReminderKind) -> None:
    overdue = NOW - timedelta(days=2)
    assert plan(recommendation(action, overdue), NOW) == (kind, NOW)


# --- quiet hours: in_quiet_hours ----------------------------------------------------------


QUIET_CASES = [
    # zone, quiet hours, local wall clock, quiet?
    (MOSCOW, NIGHT, (2026, 11, 26, 21, 59), False),
    (MOSCOW, NIGHT, (2026, 11, 26, 22, 0), True),  # the start is quiet
    (MOSCOW, NIGHT, (2026, 11, 26, 23, 59), True),
    (MOSCOW, NIGHT, (2026, 11, 27, 0, 0), True),
    (MOSCOW, NIGHT, (2026, 11, 27, 8, 59), True),
    (MOSCOW, NIGHT, (2026, 11, 27, 9, 0), False),  # the end is not
    (MOSCOW, NIGHT, (2026, 11, 27, 12, 0), False),
    (MOSCOW, EARLY, (2026, 11, 26, 23, 59), False),
    (MOSCOW, EARLY, (2026, 11, 27, 0, 0), True),
    (MOSCOW, EARLY, (2026, 11, 27, 6, 59), True),
    (MOSCOW, EARLY, (2026, 11, 27, 7, 0), False),
    (MOSCOW, EARLY, (2026, 11, 27, 22, 0), False),
    (KAMCHATKA, NIGHT, (2026, 11, 26, 21, 59), False),
    (KAMCHATKA, NIGHT, (2026, 11, 26, 22, 0), True),
    (KAMCHATKA, NIGHT, (2026, 11, 27, 8, 59), True),
    (KAMCHATKA, NIGHT, (2026, 11, 27, 9, 0), False),
    (KAMCHATKA, EARLY, (2026, 11, 27, 3, 0), True),
    (PLUS_FIVE, NIGHT, (2026, 11, 26, 22, 0), True),
    (PLUS_FIVE, NIGHT, (2026, 11, 27, 9, 0), False),
    (PLUS_FIVE, EARLY, (2026, 11, 27, 0, 0), True),
    (PLUS_FIVE, EARLY, (2026, 11, 27, 7, 0), False),
    # Berlin on the nights the clocks change (the local wall clock is what counts)
    (BERLIN, NIGHT, (2026, 3, 28, 22, 0), True),
    (BERLIN, NIGHT, (2026, 3, 29, 3, 30), True),  # just after the spring jump
    (BERLIN, NIGHT, (2026, 3, 29, 8, 59), True),
    (BERLIN, NIGHT, (2026, 3, 29, 9, 0), False),
    (BERLIN, NIGHT, (2026, 10, 24, 21, 59), False),
    (BERLIN, NIGHT, (2026, 10, 24, 22, 0), True),
    (BERLIN, NIGHT, (2026, 10, 25, 9, 0), False),
    (BERLIN, EARLY, (2026, 10, 25, 6, 59), True),
    (BERLIN, EARLY, (2026, 10, 25, 7, 0), False),
]


@pytest.mark.parametrize(("zone", "quiet", "wall", "expected"), QUIET_CASES)
def test_in_quiet_hours(zone: str, quiet: tuple[time, time], wall: Wall, expected: bool) -> None:
    assert in_quiet_hours(local(zone, *wall), zone, *quiet) is expected


def test_berlin_quiet_hours_follow_the_local_clock_across_dst() -> None:
    # 22:00 is 21:00 UTC in winter and 20:00 UTC in summer
    assert in_quiet_hours(utc(2026, 3, 28, 21, 0), BERLIN, *NIGHT)
    assert not in_quiet_hours(utc(2026, 3, 28, 20, 59), BERLIN, *NIGHT)
    assert in_quiet_hours(utc(2026, 10, 24, 20, 0), BERLIN, *NIGHT)
    assert not in_quiet_hours(utc(2026, 10, 24, 19, 59), BERLIN, *NIGHT)
    # 09:00 is 07:00 UTC in summer and 08:00 UTC in winter
    assert not in_quiet_hours(utc(2026, 3, 29, 7, 0), BERLIN, *NIGHT)
    assert in_quiet_hours(utc(2026, 10, 25, 7, 59), BERLIN, *NIGHT)
    assert not in_quiet_hours(utc(2026, 10, 25, 8, 0), BERLIN, *NIGHT)


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("hour", range(24))
def test_without_quiet_hours_nothing_is_quiet(zone: str, hour: int) -> None:
    moment = local(zone, 2026, 11, 26, hour, 30)
    assert not in_quiet_hours(moment, zone, *OFF)
    assert not in_quiet_hours(moment, zone, time(22, 0), None)
    assert not in_quiet_hours(moment, zone, None, time(9, 0))
    assert after_quiet_hours(moment, zone, *OFF) == moment


# --- quiet hours: after_quiet_hours -------------------------------------------------------


AFTER_CASES = [
    # zone, quiet hours, local wall clock, expected local wall clock
    (MOSCOW, NIGHT, (2026, 11, 26, 22, 0), (2026, 11, 27, 9, 0)),  # exactly the start
    (MOSCOW, NIGHT, (2026, 11, 26, 23, 30), (2026, 11, 27, 9, 0)),
    (MOSCOW, NIGHT, (2026, 11, 27, 0, 0), (2026, 11, 27, 9, 0)),
    (MOSCOW, NIGHT, (2026, 11, 27, 3, 15), (2026, 11, 27, 9, 0)),
    (MOSCOW, NIGHT, (2026, 11, 27, 9, 0), (2026, 11, 27, 9, 0)),  # exactly the end
    (MOSCOW, NIGHT, (2026, 11, 27, 21, 59), (2026, 11, 27, 21, 59)),
    (MOSCOW, EARLY, (2026, 11, 27, 0, 0), (2026, 11, 27, 7, 0)),
    (MOSCOW, EARLY, (2026, 11, 27, 6, 59), (2026, 11, 27, 7, 0)),
    (MOSCOW, EARLY, (2026, 11, 27, 7, 0), (2026, 11, 27, 7, 0)),
    (MOSCOW, EARLY, (2026, 11, 26, 23, 59), (2026, 11, 26, 23, 59)),
    (KAMCHATKA, NIGHT, (2026, 11, 26, 23, 0), (2026, 11, 27, 9, 0)),
    (KAMCHATKA, NIGHT, (2026, 11, 27, 1, 0), (2026, 11, 27, 9, 0)),
    (KAMCHATKA, EARLY, (2026, 11, 27, 2, 0), (2026, 11, 27, 7, 0)),
    (PLUS_FIVE, NIGHT, (2026, 11, 26, 22, 0), (2026, 11, 27, 9, 0)),
    (PLUS_FIVE, EARLY, (2026, 11, 27, 5, 0), (2026, 11, 27, 7, 0)),
    # Berlin: the night of the spring jump is an hour shorter, of the autumn one longer
    (BERLIN, NIGHT, (2026, 3, 28, 23, 0), (2026, 3, 29, 9, 0)),
    (BERLIN, NIGHT, (2026, 3, 29, 1, 30), (2026, 3, 29, 9, 0)),
    (BERLIN, NIGHT, (2026, 10, 24, 22, 0), (2026, 10, 25, 9, 0)),
    (BERLIN, EARLY, (2026, 10, 25, 4, 0), (2026, 10, 25, 7, 0)),
]


@pytest.mark.parametrize(("zone", "quiet", "wall", "expected"), AFTER_CASES)
def test_after_quiet_hours(zone: str, quiet: tuple[time, time], wall: Wall, expected: Wall) -> None:
    moved = after_quiet_hours(local(zone, *wall), zone, *quiet)
    assert moved.tzinfo is not None
    assert moved == local(zone, *expected)


def test_after_quiet_hours_in_berlin_in_utc() -> None:
    # 00:00 CET on the spring night (23:00 UTC) → 09:00 CEST = 07:00 UTC
    assert after_quiet_hours(utc(2026, 3, 28, 23, 0), BERLIN, *NIGHT) == utc(2026, 3, 29, 7, 0)
    # 22:00 CEST on the autumn night (20:00 UTC) → 09:00 CET = 08:00 UTC
    assert after_quiet_hours(utc(2026, 10, 24, 20, 0), BERLIN, *NIGHT) == utc(2026, 10, 25, 8, 0)


def test_quiet_hours_ending_in_the_skipped_spring_hour_move_forward() -> None:
    # 02:30 does not exist in Berlin on 29 March 2026: the reminder comes at 03:30 CEST.
    # (Compared in UTC: PEP 495 makes a time in a gap unequal to every other zone's time.)
    moved = after_quiet_hours(local(BERLIN, 2026, 3, 29, 1, 0), BERLIN, time(0, 0), time(2, 30))
    assert moved.astimezone(UTC) == utc(2026, 3, 29, 1, 30)


def test_quiet_hours_ending_in_the_repeated_autumn_hour_never_move_back() -> None:
    # 01:10 UTC is the second 02:10 (CET) in Berlin; quiet until 02:30 ends at 01:30 UTC
    moment = utc(2026, 10, 25, 1, 10)
    assert in_quiet_hours(moment, BERLIN, time(0, 0), time(2, 30))
    moved = after_quiet_hours(moment, BERLIN, time(0, 0), time(2, 30))
    assert moved >= moment
    assert moved == utc(2026, 10, 25, 1, 30)


# --- quiet hours: properties --------------------------------------------------------------

CLOCK_CHANGES = (utc(2026, 3, 29, 1, 0), utc(2026, 10, 25, 1, 0))  # in Berlin
moments = st.one_of(
    st.datetimes(
        min_value=datetime(2020, 1, 1),  # noqa: DTZ001 - hypothesis wants naive bounds
        max_value=datetime(2035, 12, 31),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
    # the nights the clocks change, where wall-clock arithmetic goes wrong first
    st.builds(
        lambda change, minutes: change + timedelta(minutes=minutes),
        st.sampled_from(CLOCK_CHANGES),
        st.integers(-26 * 60, 26 * 60),
    ),
)
clock_times = st.times().map(lambda value: value.replace(second=0, microsecond=0))


@st.composite
def quiet_hours(draw: st.DrawFn) -> tuple[time | None, time | None]:
    if draw(st.booleans()) and draw(st.booleans()):
        return None, None
    start, end = draw(clock_times), draw(clock_times)
    assume(start != end)
    return start, end


@settings(max_examples=400, deadline=None)
@given(moment=moments, zone=st.sampled_from(ZONES), quiet=quiet_hours())
def test_after_quiet_hours_properties(
    moment: datetime, zone: str, quiet: tuple[time | None, time | None]
) -> None:
    moved = after_quiet_hours(moment, zone, *quiet)
    if not in_quiet_hours(moment, zone, *quiet):
        assert moved == moment  # outside quiet hours nothing moves
        return
    assert moved >= moment  # never earlier
    assert not in_quiet_hours(moved.astimezone(UTC), zone, *quiet)  # never inside them
    assert moved - moment <= timedelta(hours=25)  # and never more than a night away


# --- snoozes ------------------------------------------------------------------------------


@pytest.mark.parametrize("zone", ZONES)
def test_snooze_for_an_hour(zone: str) -> None:
    assert snoozed(Snooze.HOUR, NOW, zone) == NOW + timedelta(hours=1)


SNOOZE_CASES = [
    # option, zone, local now, expected local
    (Snooze.TOMORROW, MOSCOW, (2026, 11, 26, 12, 0), (2026, 11, 27, 10, 0)),
    (Snooze.TOMORROW, MOSCOW, (2026, 11, 26, 23, 30), (2026, 11, 27, 10, 0)),
    # 00:30 local is still the evening before in UTC: tomorrow is the next LOCAL day
    (Snooze.TOMORROW, MOSCOW, (2026, 11, 27, 0, 30), (2026, 11, 28, 10, 0)),
    (Snooze.TOMORROW, MOSCOW, (2026, 11, 27, 8, 0), (2026, 11, 28, 10, 0)),
    (Snooze.TOMORROW, KAMCHATKA, (2026, 11, 27, 1, 0), (2026, 11, 28, 10, 0)),
    (Snooze.TOMORROW, PLUS_FIVE, (2026, 11, 26, 20, 0), (2026, 11, 27, 10, 0)),
    (Snooze.TOMORROW, BERLIN, (2026, 3, 28, 12, 0), (2026, 3, 29, 10, 0)),  # into summer
    (Snooze.TOMORROW, BERLIN, (2026, 10, 24, 12, 0), (2026, 10, 25, 10, 0)),  # into winter
    (Snooze.THREE_DAYS, MOSCOW, (2026, 11, 26, 12, 0), (2026, 11, 29, 12, 0)),
    (Snooze.THREE_DAYS, KAMCHATKA, (2026, 11, 27, 1, 0), (2026, 11, 30, 1, 0)),
    (Snooze.THREE_DAYS, PLUS_FIVE, (2026, 11, 26, 9, 45), (2026, 11, 29, 9, 45)),
    (Snooze.THREE_DAYS, BERLIN, (2026, 3, 27, 12, 0), (2026, 3, 30, 12, 0)),  # same wall time
    (Snooze.THREE_DAYS, BERLIN, (2026, 10, 23, 12, 0), (2026, 10, 26, 12, 0)),
]


@pytest.mark.parametrize(("option", "zone", "now", "expected"), SNOOZE_CASES)
def test_snooze(option: Snooze, zone: str, now: Wall, expected: Wall) -> None:
    assert snoozed(option, local(zone, *now), zone) == local(zone, *expected)


def test_tomorrow_is_the_next_day_in_the_persons_zone_not_in_utc() -> None:
    now = utc(2026, 11, 26, 13, 0)  # Thursday in UTC, already Friday 01:00 in Kamchatka
    assert snoozed(Snooze.TOMORROW, now, KAMCHATKA) == utc(2026, 11, 27, 22, 0)  # Sat 10:00
    assert snoozed(Snooze.TOMORROW, now, MOSCOW) == utc(2026, 11, 27, 7, 0)  # Fri 10:00
    assert snoozed(Snooze.TOMORROW, now, "UTC") == utc(2026, 11, 27, 10, 0)


def test_three_days_across_dst_keeps_the_wall_clock_not_72_hours() -> None:
    now = utc(2026, 3, 27, 11, 0)  # Friday 12:00 CET
    assert snoozed(Snooze.THREE_DAYS, now, BERLIN) == utc(2026, 3, 30, 10, 0)  # 12:00 CEST


@settings(max_examples=200, deadline=None)
@given(now=moments, zone=st.sampled_from(ZONES), option=st.sampled_from(list(Snooze)))
def test_a_snooze_is_always_later(now: datetime, zone: str, option: Snooze) -> None:
    assert snoozed(option, now, zone) > now


# --- time-zone change ---------------------------------------------------------------------


def test_moscow_ten_becomes_yekaterinburg_ten() -> None:
    due = local(MOSCOW, 2026, 11, 27, 10, 0)
    assert due == utc(2026, 11, 27, 7, 0)
    moved = same_local_time(due, MOSCOW, "Asia/Yekaterinburg")
    assert moved == utc(2026, 11, 27, 5, 0)
    assert moved.astimezone(get_tz("Asia/Yekaterinburg")).time() == time(10, 0)


@pytest.mark.parametrize(
    ("old", "new", "due", "expected"),
    [
        (MOSCOW, KAMCHATKA, utc(2026, 11, 27, 7, 0), utc(2026, 11, 26, 22, 0)),
        (KAMCHATKA, MOSCOW, utc(2026, 11, 26, 22, 0), utc(2026, 11, 27, 7, 0)),
        (MOSCOW, PLUS_FIVE, utc(2026, 11, 27, 7, 0), utc(2026, 11, 27, 5, 0)),
        (MOSCOW, BERLIN, utc(2026, 7, 1, 7, 0), utc(2026, 7, 1, 8, 0)),  # summer: +2
        (MOSCOW, BERLIN, utc(2026, 12, 1, 7, 0), utc(2026, 12, 1, 9, 0)),  # winter: +1
        (BERLIN, "UTC", utc(2026, 7, 1, 8, 0), utc(2026, 7, 1, 10, 0)),
        (MOSCOW, MOSCOW, utc(2026, 11, 27, 7, 0), utc(2026, 11, 27, 7, 0)),
    ],
)
def test_same_local_time(old: str, new: str, due: datetime, expected: datetime) -> None:
    moved = same_local_time(due, old, new)
    assert moved == expected
    assert moved.astimezone(get_tz(new)).replace(tzinfo=None) == due.astimezone(
        get_tz(old)
    ).replace(tzinfo=None)


# --- the rate limiter ---------------------------------------------------------------------


class VirtualTime:
    """A monotonic clock that only moves when every caller is asleep, and a recording sleep.

    Callers run concurrently, as delivery tasks do; when all of them sleep, time jumps to the
    earliest wake-up. Nothing waits on the real clock.
    """

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = count()

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        await self.until(self.now + seconds)

    async def until(self, moment: float) -> None:
        woken: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (moment, next(self._order), woken))
        await woken

    async def run(self, jobs: list[Coroutine[Any, Any, Sent]]) -> list[Sent]:
        tasks = [asyncio.create_task(job) for job in jobs]
        while True:
            for _ in range(20):  # let every runnable task reach its next sleep
                await asyncio.sleep(0)
            running = sum(not task.done() for task in tasks)
            if not running:
                return [task.result() for task in tasks]
            assert len(self._sleepers) == running, "a caller is blocked on something else"
            moment, _order, woken = heapq.heappop(self._sleepers)
            self.now = max(self.now, moment)
            woken.set_result(None)


Sent = tuple[int, float]  # chat, when the message went out


async def send_all(
    asks: list[tuple[int, float]], **options: float
) -> tuple[list[Sent], VirtualTime]:
    """Each (chat, arrival) asks the limiter at its arrival time; returns when each sent."""
    time_ = VirtualTime()
    rate = RateLimiter(clock=time_, sleep=time_.sleep, **{"per_second": 30.0, **options})

    async def one(chat: int, arrival: float) -> Sent:
        if arrival > 0:
            await time_.until(arrival)
        await rate.acquire(chat)
        return chat, time_.now

    return await time_.run([one(chat, arrival) for chat, arrival in asks]), time_


def most_in_one_second(sends: list[Sent]) -> int:
    """The most messages inside any one-second window (a float hair's tolerance)."""
    moments = sorted(moment for _chat, moment in sends)
    return max(
        bisect_left(moments, start + 1.0 - 1e-9) - index for index, start in enumerate(moments)
    )


def closest_per_chat(sends: list[Sent]) -> float:
    """The shortest time between two messages to the same chat (inf if no chat got two)."""
    gaps = [
        later - earlier
        for chat in {chat for chat, _moment in sends}
        for earlier, later in pairwise(sorted(m for c, m in sends if c == chat))
    ]
    return min(gaps, default=float("inf"))


async def test_at_most_thirty_a_second_overall_and_no_slower() -> None:
    sends, time_ = await send_all([(chat, 0.0) for chat in range(1, 91)])
    assert most_in_one_second(sends) <= 30
    moments = [moment for _chat, moment in sends]
    assert moments == pytest.approx([index / 30 for index in range(90)])
    assert max(time_.sleeps) == pytest.approx(89 / 30)


async def test_the_overall_rate_is_configurable() -> None:
    sends, _time = await send_all([(chat, 0.0) for chat in range(1, 2001)], per_second=1000)
    assert most_in_one_second(sends) <= 1000
    assert max(moment for _chat, moment in sends) == pytest.approx(1999 / 1000)


async def test_one_chat_gets_at_most_one_message_a_second() -> None:
    sends, time_ = await send_all([(7, 0.0), (7, 0.0), (7, 0.0)])
    assert [moment for _chat, moment in sends] == pytest.approx([0.0, 1.0, 2.0])
    assert time_.sleeps == pytest.approx([1.0, 2.0])  # slept exactly what was needed


async def test_a_chat_that_was_quiet_long_enough_does_not_wait() -> None:
    sends, time_ = await send_all([(7, 0.0), (7, 0.4), (7, 6.0)])
    assert [moment for _chat, moment in sends] == pytest.approx([0.0, 1.0, 6.0])
    assert time_.sleeps == pytest.approx([0.6])


async def test_different_chats_wait_only_for_the_overall_rate() -> None:
    sends, _time = await send_all([(1, 0.0), (2, 0.0), (3, 0.0)])
    assert [moment for _chat, moment in sends] == pytest.approx([0.0, 1 / 30, 2 / 30])


async def test_a_busy_chat_does_not_hold_back_the_others() -> None:
    sends, _time = await send_all([(1, 0.0), (1, 0.0), (2, 0.0)])
    assert sends[1][1] == pytest.approx(1.0)  # chat 1 waits its second
    assert sends[2][1] <= 2 / 30 + 1e-9  # chat 2 only waits for the overall rate


async def test_one_message_a_second_per_chat_holds_when_the_queue_is_busy() -> None:
    # 35 other chats first: chat 1's first message leaves late (at 35/30 s), so its second
    # message must still wait a whole second after that, not after the reserved slot
    asks = [(chat, 0.0) for chat in range(2, 37)] + [(1, 0.0), (1, 0.0)]
    sends, _time = await send_all(asks)
    assert most_in_one_second(sends) <= 30
    assert closest_per_chat(sends) >= 1.0 - 1e-9


@settings(max_examples=60, deadline=None)
@given(
    asks=st.lists(
        st.tuples(st.integers(1, 80), st.floats(0, 3, allow_nan=False)),
        min_size=1,
        max_size=120,
        unique_by=lambda ask: ask[0],
    )
)
def test_never_more_than_thirty_a_second_for_any_arrivals(asks: list[tuple[int, float]]) -> None:
    sends, _time = asyncio.run(send_all(asks))
    assert most_in_one_second(sends) <= 30
    for (chat, arrival), (sent_chat, moment) in zip(asks, sends, strict=True):
        assert sent_chat == chat
        assert moment >= arrival


async def test_one_message_a_second_per_chat_after_a_global_wait() -> None:
    # chat 2's first message waits 1/30 s for chat 1's global slot
    sends, _time = await send_all([(1, 0.0), (2, 0.0), (2, 0.0)])
    assert [moment for chat, moment in sends if chat == 2] == pytest.approx([1 / 30, 1 + 1 / 30])


@settings(max_examples=60, deadline=None)
@example(asks=[(1, 0.0), (2, 0.0), (2, 0.0)])
@given(
    asks=st.lists(
        st.tuples(st.integers(1, 4), st.floats(0, 5, allow_nan=False)), min_size=1, max_size=30
    )
)
def test_never_two_messages_to_a_chat_within_a_second_for_any_arrivals(
    asks: list[tuple[int, float]],
) -> None:
    sends, _time = asyncio.run(send_all(asks))
    assert closest_per_chat(sends) >= 1.0 - 1e-9
