"""Use cases around interviews: save one from the intake, with its recommendation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from bot.db.models import Interview, Nudge, User
from bot.db.repositories.interviews import InterviewRepository
from bot.domain.reminders import NudgeKind, plan
from bot.domain.timing import Recommendation, facts_of, recommend
from bot.services.reminders import Reminders
from bot.services.work import Work

REMIND_THEN_MIN: Final = timedelta(minutes=5)
"""A reminder closer than this is not worth offering or planning."""


@dataclass(frozen=True, slots=True)
class Saved:
    interview: Interview
    recommendation: Recommendation
    offer: tuple[NudgeKind, datetime] | None
    """The reminder the person may ask for (the recommended moment)."""
    stage_check: Nudge | None
    """The check-in after the next stage, planned at once."""
    now: datetime


class Interviews:
    def __init__(self, work: Work) -> None:
        self._work = work
        self._repo = InterviewRepository(work.session)

    async def get(self, user: User, interview_id: int) -> Interview | None:
        return await self._repo.get_for_user(interview_id, user.id)

    async def save(
        self, user: User, fields: dict[str, Any], interview_id: int | None = None
    ) -> Saved | None:
        """Save a new interview, or the person's changes to one (``None``: it is gone), and
        work out what to do next. Changed facts cancel the reminders planned from the old
        ones."""
        work = self._work
        reminders = Reminders(work)
        if interview_id is not None:
            interview = await self._repo.get_for_user(interview_id, user.id)
            if interview is None:
                return None
            await self._repo.update(interview, work.now(), **fields)
            await reminders.cancel(interview_id=interview.id)
        else:
            interview = await self._repo.add(user_id=user.id, now=work.now(), **fields)
        now = work.now()
        recommendation = recommend(facts_of(interview), user.timezone, now)
        planned = plan(recommendation, now)
        if (
            planned is not None
            and planned[0] is NudgeKind.STAGE
            and planned[1] <= now + REMIND_THEN_MIN
        ):
            planned = None  # the stage date has passed: asking again right away helps nobody
        stage_check = None
        if planned is not None and planned[0] is NudgeKind.STAGE:
            stage_check = await reminders.plan(user, interview, planned[0], planned[1])
            planned = None
        return Saved(interview, recommendation, planned, stage_check, now)
