"""Use cases around reminders: plan one, cancel them, move them after a time-zone change.

Each change is put on (or taken off) the timetable once it is committed (:class:`Work`).
"""

from __future__ import annotations

from datetime import datetime

from bot.db.models import Interview, Reminder, User
from bot.db.repositories.reminders import ReminderRepository
from bot.domain.reminders import ReminderKind, ReminderStatus, after_quiet_hours, same_local_time
from bot.services.work import Work


class Reminders:
    def __init__(self, work: Work) -> None:
        self._work = work
        self._repo = ReminderRepository(work.session)

    async def plan(
        self, user: User, interview: Interview, kind: ReminderKind, due: datetime
    ) -> Reminder:
        """A reminder at ``due`` (out of the person's quiet hours, never in the past),
        replacing the interview's pending one."""
        now = self._work.now()
        due = after_quiet_hours(max(due, now), user.timezone, user.quiet_start, user.quiet_end)
        await self.cancel(interview_id=interview.id)
        reminder = await self._repo.add(
            user_id=user.id, interview_id=interview.id, kind=kind, due_at=due, now=now
        )
        self._work.schedule(reminder.id, reminder.due_at)
        return reminder

    def reschedule(self, reminder: Reminder) -> None:
        """Put a reminder whose time changed back on the timetable (after the commit)."""
        self._work.schedule(reminder.id, reminder.due_at)

    async def cancel(self, *, interview_id: int | None = None, user_id: int | None = None) -> int:
        """Cancel the pending reminders of an interview or of a person; how many."""
        now = self._work.now()
        pending = await self._repo.pending(user_id=user_id, interview_id=interview_id)
        for reminder in pending:
            reminder.status = ReminderStatus.CANCELLED
            reminder.updated_at = now
            self._work.unschedule(reminder.id)
        return len(pending)

    async def forget(self, *, interview_id: int | None = None, user_id: int | None = None) -> None:
        """Take the pending reminders of an interview or a person about to be deleted (with
        their reminders) off the timetable."""
        for reminder in await self._repo.pending(user_id=user_id, interview_id=interview_id):
            self._work.unschedule(reminder.id)

    async def move_to_new_zone(self, user: User, old_zone: str) -> list[Reminder]:
        """Pending reminders keep their local time after the person changes time zone."""
        now = self._work.now()
        moved = []
        for reminder in await self._repo.pending(user_id=user.id):
            due = same_local_time(reminder.due_at, old_zone, user.timezone)
            due = after_quiet_hours(max(due, now), user.timezone, user.quiet_start, user.quiet_end)
            reminder.due_at = due
            reminder.updated_at = now
            self._work.schedule(reminder.id, due)
            moved.append(reminder)
        return moved
