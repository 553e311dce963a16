"""Use cases around reminders: plan one («Remind me»), the buttons on a delivered one
(snooze, done, stop, cancel, «did they answer?»), the planned ones (/reminders), cancel
them, move them after a time-zone change or out of quiet hours.

Each change is put on (or taken off) the timetable once it is committed (:class:`Work`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.db.models import Interview, Reminder, User
from bot.db.repositories.interviews import InterviewRepository
from bot.db.repositories.reminders import ReminderRepository
from bot.domain.paging import Paged, window
from bot.domain.reminders import (
    Answer,
    ReminderKind,
    ReminderStatus,
    Snooze,
    after_quiet_hours,
    plan,
    same_local_time,
    snoozed,
)
from bot.domain.timing import recommend_for
from bot.services.work import Work


@dataclass(frozen=True, slots=True)
class About:
    """A reminder with the interview it is about."""

    reminder: Reminder
    interview: Interview


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
        due = self._out_of_quiet_hours(user, due)
        await self.cancel(interview_id=interview.id)
        reminder = await self._repo.add(
            user_id=user.id, interview_id=interview.id, kind=kind, due_at=due, now=now
        )
        self._work.schedule(reminder.id, reminder.due_at)
        return reminder

    async def remind(
        self, user: User, interview: Interview, option: Snooze | None
    ) -> Reminder | None:
        """«Remind me»: at the recommended moment (``option`` ``None``; ``None`` back if
        nothing is recommended), or at a snooze option, about what is recommended (a letter
        if nothing is)."""
        now = self._work.now()
        planned = plan(recommend_for(interview, user, now), now)
        if option is None:
            if planned is None:
                return None
            kind, due = planned
        else:
            kind = planned[0] if planned else ReminderKind.SEND
            due = snoozed(option, now, user.timezone)
        return await self.plan(user, interview, kind, due)

    async def find(self, user: User, reminder_id: int) -> About | None:
        """The person's reminder with its interview; someone else's id finds nothing."""
        reminder = await self._repo.get_for_user(reminder_id, user.id)
        if reminder is None:
            return None
        interviews = InterviewRepository(self._work.session)
        interview = await interviews.get_for_user(reminder.interview_id, user.id)
        return None if interview is None else About(reminder, interview)

    async def planned(self, user: User, page: int, size: int) -> Paged[About]:
        """One page of the person's pending reminders, soonest first, with their interviews
        (a person has at most one pending reminder an interview)."""
        pending = await self._repo.pending(user_id=user.id)
        at = window(len(pending), page, size)
        shown = pending[at.offset : at.offset + size]
        interviews = await InterviewRepository(self._work.session).get_many_for_users(
            {(reminder.interview_id, user.id) for reminder in shown}
        )
        return Paged.of(
            [
                About(reminder, interviews[reminder.interview_id])
                for reminder in shown
                if reminder.interview_id in interviews
            ],
            at,
        )

    async def snooze(self, user: User, about: About, option: Snooze) -> Reminder:
        """A pending reminder moves to the option's time (/reminders «Move»); a delivered
        one is done and comes again then, replacing the interview's pending one."""
        reminder = about.reminder
        due = snoozed(option, self._work.now(), user.timezone)
        if reminder.status == ReminderStatus.PENDING:
            await self.move(user, reminder, due)
            return reminder
        await self._close(reminder, ReminderStatus.DONE)
        return await self.plan(user, about.interview, ReminderKind(reminder.kind), due)

    async def move(
        self, user: User, reminder: Reminder, due: datetime, *, attempts: int | None = None
    ) -> None:
        """The reminder is pending again, at ``due`` out of the person's quiet hours (never
        in the past), and back on the timetable after the commit. ``attempts``: the
        delivery attempts to count (the scheduler's: a claim counts one)."""
        due = self._out_of_quiet_hours(user, due)
        fields = {} if attempts is None else {"attempts": attempts}
        await self._repo.set_status(
            reminder, ReminderStatus.PENDING, self._work.now(), due_at=due, **fields
        )
        self._work.schedule(reminder.id, due)

    async def done(self, reminder: Reminder) -> None:
        """Done with it (the person acted, or records the outcome)."""
        await self._close(reminder, ReminderStatus.DONE)

    async def stop(self, about: About) -> None:
        """Done with it, and no more reminders about its interview."""
        await self._close(about.reminder, ReminderStatus.DONE)
        await self.cancel(interview_id=about.interview.id)

    async def cancel_one(self, reminder: Reminder) -> None:
        """This reminder is cancelled and off the timetable (a job may be left for it even
        once claimed: the reconciler delivers without one)."""
        await self._close(reminder, ReminderStatus.CANCELLED)

    async def answered(self, about: About, how: Answer) -> None:
        """«Did they answer?»: the reminder is done; a refusal is recorded on the interview,
        which needs no more reminders."""
        await self._close(about.reminder, ReminderStatus.DONE)
        if how is Answer.DECLINED:
            now = self._work.now()
            await InterviewRepository(self._work.session).update(
                about.interview, now, reply="declined", replied_at=now
            )
            await self.cancel(interview_id=about.interview.id)

    async def cancel(self, *, interview_id: int | None = None, user_id: int | None = None) -> int:
        """Cancel the pending reminders of an interview or of a person; how many."""
        pending = await self._repo.pending(user_id=user_id, interview_id=interview_id)
        for reminder in pending:
            await self._close(reminder, ReminderStatus.CANCELLED)
        return len(pending)

    async def forget(self, *, interview_id: int | None = None, user_id: int | None = None) -> None:
        """Take the pending reminders of an interview or a person about to be deleted (with
        their reminders) off the timetable."""
        for reminder in await self._repo.pending(user_id=user_id, interview_id=interview_id):
            self._work.unschedule(reminder.id)

    async def move_to_new_zone(self, user: User, old_zone: str) -> None:
        """Pending reminders keep their local time after the person changes time zone."""
        for reminder in await self._repo.pending(user_id=user.id):
            await self.move(
                user, reminder, same_local_time(reminder.due_at, old_zone, user.timezone)
            )

    async def _close(self, reminder: Reminder, status: ReminderStatus) -> None:
        """Done or cancelled, and off the timetable (where it has no job, nothing happens)."""
        await self._repo.set_status(reminder, status, self._work.now())
        self._work.unschedule(reminder.id)

    def _out_of_quiet_hours(self, user: User, due: datetime) -> datetime:
        due = max(due, self._work.now())
        return after_quiet_hours(due, user.timezone, user.quiet_start, user.quiet_end)
