"""Use cases around interviews: save one from the intake with its recommendation, list,
archive, delete, the letters' options, a letter noted as sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from bot.db.models import Interview, JournalEntry, Reminder, User
from bot.db.repositories.interviews import InterviewRepository
from bot.db.repositories.reminders import ReminderRepository
from bot.domain.paging import window
from bot.domain.reminders import ReminderKind, plan
from bot.domain.timing import Recommendation, recommend_for
from bot.services.journal import Journal
from bot.services.reminders import Reminders
from bot.services.work import Work

REMIND_THEN_MIN: Final = timedelta(minutes=5)
"""A reminder closer than this is not worth offering or planning."""


@dataclass(frozen=True, slots=True)
class Saved:
    interview: Interview
    recommendation: Recommendation
    offer: tuple[ReminderKind, datetime] | None
    """The reminder the person may ask for (the recommended moment)."""
    stage_check: Reminder | None
    """The check-in after the next stage, planned at once."""
    now: datetime


def _offer(
    planned: tuple[ReminderKind, datetime] | None, now: datetime
) -> tuple[ReminderKind, datetime] | None:
    if (
        planned is not None
        and planned[0] is ReminderKind.STAGE
        and planned[1] <= now + REMIND_THEN_MIN
    ):
        return None  # the stage date has passed: asking again right away helps nobody
    return planned


@dataclass(frozen=True, slots=True)
class Page:
    items: list[Interview]
    page: int
    pages: int
    total: int
    archived_exist: bool
    """Whether the person has archived interviews (the list offers the archive)."""


@dataclass(frozen=True, slots=True)
class SentNoted:
    first: bool
    """False: it had been noted already, nothing changed."""
    recommendation: Recommendation
    follow_up_check: Reminder | None
    """«Did they answer?», planned after a request."""


class Interviews:
    def __init__(self, work: Work) -> None:
        self._work = work
        self._repo = InterviewRepository(work.session)

    async def get(self, user: User, interview_id: int) -> Interview | None:
        """The person's interview; someone else's id finds nothing."""
        return await self._repo.get_for_user(interview_id, user.id)

    async def page(self, user: User, page: int, size: int, *, archived: bool = False) -> Page:
        """One page of the list, newest first (a page past the end shows the last one)."""
        at = window(await self._repo.count(user.id, archived=archived), page, size)
        items = await self._repo.page(user.id, archived=archived, offset=at.offset, limit=size)
        archived_exist = archived or bool(await self._repo.count(user.id, archived=True))
        return Page(items, at.page, at.pages, at.total, archived_exist)

    async def recent(self, user: User, limit: int) -> list[Interview]:
        """The newest interviews not archived."""
        return await self._repo.page(user.id, archived=False, offset=0, limit=limit)

    async def journal(self, user: User, interview: Interview) -> list[JournalEntry]:
        """What the person noted about the interview, oldest first."""
        return await Journal(self._work).entries(user, interview)

    async def archive(self, interview: Interview) -> None:
        """Out of the list; an archived interview needs no more reminders."""
        await self._repo.update(interview, self._work.now(), archived_at=self._work.now())
        await Reminders(self._work).cancel(interview_id=interview.id)

    async def restore(self, interview: Interview) -> None:
        await self._repo.update(interview, self._work.now(), archived_at=None)

    async def delete(self, user: User, interview: Interview) -> None:
        """The interview, its journal and its reminders (their jobs too)."""
        await Reminders(self._work).forget(interview_id=interview.id)
        await self._repo.delete_for_user(interview.id, user.id)

    async def change_draft(
        self, interview: Interview, *, tone: str | None = None, language: str | None = None
    ) -> None:
        """The tone or language the person wants their letters in."""
        changes = {"draft_tone": tone, "draft_language": language}
        chosen = {name: value for name, value in changes.items() if value is not None}
        await self._repo.update(interview, self._work.now(), **chosen)

    async def note_sent(
        self, user: User, interview: Interview, column: str, *, ask_for_answer: bool
    ) -> SentNoted:
        """The person sent a letter (``column``: which one); after a request, plan the
        check whether the employer answered."""
        now = self._work.now()
        first = getattr(interview, column) is None
        if first:
            await self._repo.update(interview, now, **{column: now})
        recommendation = recommend_for(interview, user, now)
        planned = plan(recommendation, now)
        check = None
        if first and ask_for_answer and planned is not None:
            check = await Reminders(self._work).plan(user, interview, planned[0], planned[1])
        return SentNoted(first, recommendation, check)

    async def save(
        self,
        user: User,
        fields: dict[str, Any],
        interview_id: int | None = None,
        *,
        update_id: int | None = None,
    ) -> Saved | None:
        """Save a new interview, or the person's changes to one (``None``: it is gone), and
        work out what to do next. Changed facts cancel the reminders planned from the old
        ones. ``update_id``: the Telegram update that saves it (see :meth:`saved_in`)."""
        work = self._work
        reminders = Reminders(work)
        if interview_id is not None:
            interview = await self._repo.get_for_user(interview_id, user.id)
            if interview is None:
                return None
            await self._repo.update(interview, work.now(), saved_in_update=update_id, **fields)
            await reminders.cancel(interview_id=interview.id)
        else:
            interview = await self._repo.add(
                user_id=user.id, now=work.now(), saved_in_update=update_id, **fields
            )
        return await self._outlook(user, interview)

    async def saved_in(self, user: User, update_id: int) -> Saved | None:
        """What this update saved already, told again. On SQLite a Save is committed before
        it is answered; if the process dies in between, Telegram sends the same update again
        and finds the conversation over: it is told what was saved, not that the card is
        outdated (a second tap, another update, still is)."""
        interview = await self._repo.saved_in_update(user.id, update_id)
        if interview is None:
            return None
        now = self._work.now()
        recommendation = recommend_for(interview, user, now)
        pending = await ReminderRepository(self._work.session).pending(interview_id=interview.id)
        stage_check = next((n for n in pending if n.kind == ReminderKind.STAGE), None)
        offer = _offer(plan(recommendation, now), now)
        if offer is not None and offer[0] is ReminderKind.STAGE:
            offer = None  # a check-in after the stage is planned, not offered
        return Saved(interview, recommendation, offer, stage_check, now)

    async def _outlook(self, user: User, interview: Interview) -> Saved:
        work = self._work
        reminders = Reminders(work)
        now = work.now()
        recommendation = recommend_for(interview, user, now)
        planned = _offer(plan(recommendation, now), now)
        stage_check = None
        if planned is not None and planned[0] is ReminderKind.STAGE:
            stage_check = await reminders.plan(user, interview, planned[0], planned[1])
            planned = None
        return Saved(interview, recommendation, planned, stage_check, now)
