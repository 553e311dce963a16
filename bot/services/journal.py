"""Use cases around the feedback journal: record what an interview brought (feedback, none,
declined) or the person's reflection, list, edit and delete entries, and the plan of next
steps with the ones ticked off. Every entry is looked up with its owner."""

from __future__ import annotations

from bot.db.models import Interview, JournalEntry, User
from bot.db.repositories.interviews import InterviewRepository
from bot.db.repositories.journal import JournalRepository, PlanRepository
from bot.domain.journal import AreaPlan, EntryKind, Sentiment, build_plan
from bot.domain.paging import Paged, window
from bot.services.insights import entry_facts
from bot.services.reminders import Reminders
from bot.services.work import Work


class Journal:
    def __init__(self, work: Work) -> None:
        self._work = work
        self._repo = JournalRepository(work.session)
        self._plan = PlanRepository(work.session)
        self._interviews = InterviewRepository(work.session)

    async def entry(self, user: User, entry_id: int) -> JournalEntry | None:
        """The person's entry; someone else's id finds nothing."""
        return await self._repo.get_for_user(entry_id, user.id)

    async def interview_of(self, user: User, entry: JournalEntry) -> Interview | None:
        """The interview an entry is about (``None``: it is gone)."""
        return await self._interviews.get_for_user(entry.interview_id, user.id)

    async def entries(self, user: User, interview: Interview) -> list[JournalEntry]:
        """What the person noted about the interview, oldest first."""
        return await self._repo.for_interview(interview.id, user.id)

    async def page(
        self, user: User, interview: Interview, page: int, size: int
    ) -> Paged[JournalEntry]:
        """One page of what the person noted about the interview, newest first."""
        at = window(await self._repo.count_for_interview(interview.id, user.id), page, size)
        items = await self._repo.page_for_interview(
            interview.id, user.id, offset=at.offset, limit=size
        )
        return Paged.of(items, at)

    async def delete(self, user: User, entry: JournalEntry) -> Interview | None:
        """Delete an entry; the interview whose journal it was in (``None``: it is gone)."""
        await self._repo.delete_for_user(entry.id, user.id)
        return await self.interview_of(user, entry)

    async def record(
        self,
        user: User,
        interview: Interview,
        kind: EntryKind,
        *,
        text: str | None,
        areas: list[str],
        sentiment: Sentiment | None = None,
        entry_id: int | None = None,
    ) -> None:
        """What the interview brought: feedback, none, or a refusal; with ``entry_id`` (one
        of this interview's entries) it replaces that entry. The interview notes the reply,
        and an answer that came cancels its «did they answer?» reminders."""
        now = self._work.now()
        fields = {"kind": kind, "text": text, "areas": areas, "sentiment": sentiment}
        edited = await self._repo.get_for_user(entry_id, user.id) if entry_id else None
        if edited is not None and edited.interview_id == interview.id:
            await self._repo.update(edited, now, **fields)
        else:
            await self._repo.add(user_id=user.id, interview_id=interview.id, now=now, **fields)
        reply = (
            "declined"
            if kind is EntryKind.DECLINED
            else "feedback"
            if kind is EntryKind.FEEDBACK
            else interview.reply
        )
        await self._interviews.update(
            interview, now, reply=reply, replied_at=interview.replied_at or now
        )
        if kind is not EntryKind.NONE:  # an answer came: no more «did they answer?»
            await Reminders(self._work).cancel(interview_id=interview.id)

    async def reflect(self, user: User, interview_id: int, text: str) -> Interview | None:
        """The person's own reflection on an interview, as one entry (``None``: the
        interview is gone, nothing was saved)."""
        interview = await self._interviews.get_for_user(interview_id, user.id)
        if interview is None:
            return None
        await self._repo.add(
            user_id=user.id,
            interview_id=interview.id,
            now=self._work.now(),
            kind=EntryKind.REFLECTION,
            text=text,
            areas=[],
            sentiment=None,
        )
        return interview

    async def plan(self, user: User) -> list[AreaPlan]:
        """The areas the journal names, the most frequent first, with their steps and
        which of them are done."""
        entries = await self._repo.for_user(user.id)
        return build_plan([entry_facts(e) for e in entries], await self._plan.done(user.id))

    async def toggle_step(self, user: User, area: str, step: str) -> list[AreaPlan]:
        """Tick a step of the plan off, or back on; the plan after it."""
        await self._plan.toggle(user.id, area, step, self._work.now())
        return await self.plan(user)
