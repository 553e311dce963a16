"""Use cases that look across the person's interviews: /stats."""

from __future__ import annotations

from bot.db.models import Interview, JournalEntry, User
from bot.db.repositories.interviews import InterviewRepository
from bot.db.repositories.journal import JournalRepository
from bot.domain.journal import EntryFacts
from bot.domain.stats import InterviewFacts, Stats, compute_stats
from bot.services.work import Work


def interview_facts(interview: Interview) -> InterviewFacts:
    return InterviewFacts(
        outcome=interview.outcome,
        request_sent_at=interview.request_sent_at,
        reply=interview.reply,
        replied_at=interview.replied_at,
        archived=interview.archived_at is not None,
    )


def entry_facts(entry: JournalEntry) -> EntryFacts:
    return EntryFacts(
        entry.interview_id,
        entry.kind,
        tuple(entry.areas or ()),
        entry.sentiment,
        entry.text,
        entry.created_at,
    )


class Insights:
    def __init__(self, work: Work) -> None:
        self._session = work.session

    async def stats(self, user: User) -> Stats:
        interviews = await InterviewRepository(self._session).all_for_user(user.id)
        entries = await JournalRepository(self._session).for_user(user.id)
        return compute_stats(
            [interview_facts(i) for i in interviews], [entry_facts(e) for e in entries]
        )
