"""Queries on journal entries and ticked plan steps; always scoped to their owner."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import JournalEntry, PlanAction
from bot.db.repositories import assign


class JournalRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self, *, user_id: int, interview_id: int, now: datetime, **fields: Any
    ) -> JournalEntry:
        entry = JournalEntry(
            user_id=user_id, interview_id=interview_id, created_at=now, updated_at=now, **fields
        )
        self._session.add(entry)
        await self._session.flush()
        return entry

    async def get_for_user(self, entry_id: int, user_id: int) -> JournalEntry | None:
        result = await self._session.execute(
            select(JournalEntry).where(JournalEntry.id == entry_id, JournalEntry.user_id == user_id)
        )
        return result.scalar_one_or_none()

    async def update(self, entry: JournalEntry, now: datetime, **fields: Any) -> JournalEntry:
        assign(entry, now, **fields)
        await self._session.flush()
        return entry

    async def for_interview(self, interview_id: int, user_id: int) -> list[JournalEntry]:
        result = await self._session.scalars(
            select(JournalEntry)
            .where(JournalEntry.interview_id == interview_id, JournalEntry.user_id == user_id)
            .order_by(JournalEntry.created_at, JournalEntry.id)
        )
        return list(result)

    async def count_for_interview(self, interview_id: int, user_id: int) -> int:
        total = await self._session.scalar(
            select(func.count(JournalEntry.id)).where(
                JournalEntry.interview_id == interview_id, JournalEntry.user_id == user_id
            )
        )
        return int(total or 0)

    async def page_for_interview(
        self, interview_id: int, user_id: int, *, offset: int, limit: int
    ) -> list[JournalEntry]:
        """A slice of the interview's entries, newest first."""
        result = await self._session.scalars(
            select(JournalEntry)
            .where(JournalEntry.interview_id == interview_id, JournalEntry.user_id == user_id)
            .order_by(JournalEntry.created_at.desc(), JournalEntry.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return list(result)

    async def for_user(self, user_id: int) -> list[JournalEntry]:
        result = await self._session.scalars(
            select(JournalEntry).where(JournalEntry.user_id == user_id).order_by(JournalEntry.id)
        )
        return list(result)

    async def delete_for_user(self, entry_id: int, user_id: int) -> bool:
        result = await self._session.execute(
            delete(JournalEntry).where(JournalEntry.id == entry_id, JournalEntry.user_id == user_id)
        )
        return bool(getattr(result, "rowcount", 0))


class PlanRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def steps(self, user_id: int) -> list[PlanAction]:
        result = await self._session.scalars(
            select(PlanAction).where(PlanAction.user_id == user_id).order_by(PlanAction.id)
        )
        return list(result)

    async def done(self, user_id: int) -> set[tuple[str, str]]:
        result = await self._session.execute(
            select(PlanAction.area, PlanAction.action).where(PlanAction.user_id == user_id)
        )
        return {(area, action) for area, action in result.all()}

    async def toggle(self, user_id: int, area: str, action: str, now: datetime) -> bool:
        """Tick or untick a step; returns whether it is done now."""
        result = await self._session.execute(
            delete(PlanAction).where(
                PlanAction.user_id == user_id, PlanAction.area == area, PlanAction.action == action
            )
        )
        if getattr(result, "rowcount", 0):
            return False
        self._session.add(PlanAction(user_id=user_id, area=area, action=action, done_at=now))
        await self._session.flush()
        return True
