"""Use cases around reminders: plan one, snooze it, move them after a time-zone change."""

from __future__ import annotations

from datetime import datetime

from bot.db.models import Interview, Nudge, User
from bot.db.repositories.nudges import NudgeRepository
from bot.domain.reminders import NudgeKind, after_quiet_hours, same_local_time


async def plan_nudge(
    repo: NudgeRepository,
    user: User,
    interview: Interview,
    kind: NudgeKind,
    due: datetime,
    now: datetime,
) -> Nudge:
    """A reminder at ``due`` (out of the person's quiet hours), replacing a pending one."""
    due = after_quiet_hours(max(due, now), user.timezone, user.quiet_start, user.quiet_end)
    return await repo.add(
        user_id=user.id, interview_id=interview.id, kind=kind, due_at=due, now=now
    )


async def move_to_new_zone(
    repo: NudgeRepository, user: User, old_zone: str, now: datetime
) -> list[Nudge]:
    """Pending reminders keep their local time after the person changes time zone."""
    moved = []
    for nudge in await repo.pending(user_id=user.id):
        due = same_local_time(nudge.due_at, old_zone, user.timezone)
        due = after_quiet_hours(max(due, now), user.timezone, user.quiet_start, user.quiet_end)
        nudge.due_at = due
        nudge.updated_at = now
        moved.append(nudge)
    return moved
