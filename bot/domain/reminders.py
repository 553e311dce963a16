"""Reminder rules, pure: what to remind about, when, and how quiet hours and snoozes move it.

Times are UTC instants; the person's zone and quiet hours give them their local meaning.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from typing import Final

from bot.domain.preferences import get_tz
from bot.domain.timing import Action, Recommendation

SNOOZE_MORNING: Final = time(10, 0)


class ReminderKind(StrEnum):
    SEND = "send"  # time to send the request / thank-you
    FOLLOW_UP = "follow_up"  # "did they answer?" after «Sent»
    STAGE = "stage"  # "how did the next stage go?"


class ReminderStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DONE = "done"
    CANCELLED = "cancelled"
    FAILED = "failed"


class Snooze(StrEnum):
    HOUR = "1h"
    TOMORROW = "tomorrow"
    THREE_DAYS = "3d"


class Answer(StrEnum):
    """What the person says to «did they answer?»."""

    YES = "yes"
    DECLINED = "declined"
    NO = "no"


KIND_FOR_ACTION: Final = {
    Action.REQUEST: ReminderKind.SEND,
    Action.THANKS_OFFER: ReminderKind.SEND,
    Action.FOLLOW_UP: ReminderKind.FOLLOW_UP,
    Action.CHECK_AFTER_STAGE: ReminderKind.STAGE,
}


def plan(rec: Recommendation, now: datetime) -> tuple[ReminderKind, datetime] | None:
    """The reminder a recommendation calls for, if any (never in the past)."""
    kind = KIND_FOR_ACTION.get(rec.action)
    if kind is None or rec.moment is None:
        return None
    return kind, max(rec.moment, now)


def in_quiet_hours(moment: datetime, zone: str, start: time | None, end: time | None) -> bool:
    if start is None or end is None or start == end:
        return False
    local = moment.astimezone(get_tz(zone)).time()
    if start < end:
        return start <= local < end
    return local >= start or local < end  # the range crosses midnight


def after_quiet_hours(
    moment: datetime, zone: str, start: time | None, end: time | None
) -> datetime:
    """A reminder due in the quiet hours waits until they end; it is never dropped."""
    if not in_quiet_hours(moment, zone, start, end):
        return moment
    assert end is not None
    tz = get_tz(zone)
    local = moment.astimezone(tz)
    day = local.date()
    if local.time() >= end:
        day += timedelta(days=1)
    instant = moment.astimezone(UTC)
    for fold in (0, 1):  # the end may fall in the repeated autumn hour: take the later one
        candidate = datetime.combine(day, end, tzinfo=tz).replace(fold=fold)
        if candidate.astimezone(UTC) >= instant:
            return candidate.astimezone(UTC)
    next_day = datetime.combine(day + timedelta(days=1), end, tzinfo=tz)
    return next_day.astimezone(UTC)


def snoozed(option: Snooze, now: datetime, zone: str) -> datetime:
    """In an hour; tomorrow at 10:00; in three days at the same time."""
    if option is Snooze.HOUR:
        return now + timedelta(hours=1)
    tz = get_tz(zone)
    local = now.astimezone(tz)
    if option is Snooze.TOMORROW:
        return datetime.combine(local.date() + timedelta(days=1), SNOOZE_MORNING, tzinfo=tz)
    return (local + timedelta(days=3)).astimezone(tz)


def same_local_time(moment: datetime, old_zone: str, new_zone: str) -> datetime:
    """After a time-zone change a reminder keeps its wall-clock time in the new zone."""
    local = moment.astimezone(get_tz(old_zone)).replace(tzinfo=None)
    return datetime.combine(local.date(), local.time(), tzinfo=get_tz(new_zone))
