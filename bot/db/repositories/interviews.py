"""Queries on interviews. Every read is scoped to its owner: a foreign id finds nothing."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Interview
from bot.db.repositories import assign


class InterviewRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, *, user_id: int, now: datetime, **fields: Any) -> Interview:
        interview = Interview(user_id=user_id, created_at=now, updated_at=now, **fields)
        self._session.add(interview)
        await self._session.flush()
        return interview

    async def get_for_user(self, interview_id: int, user_id: int) -> Interview | None:
        result = await self._session.execute(
            select(Interview).where(Interview.id == interview_id, Interview.user_id == user_id)
        )
        return result.scalar_one_or_none()

    async def saved_in_update(self, user_id: int, update_id: int) -> Interview | None:
        result = await self._session.scalars(
            select(Interview)
            .where(Interview.user_id == user_id, Interview.saved_in_update == update_id)
            .limit(1)
        )
        return result.first()

    async def get_many_for_users(self, keys: Collection[tuple[int, int]]) -> dict[int, Interview]:
        """Interviews by id, from (interview id, owner id) pairs; a pair that does not match
        finds nothing."""
        wanted = set(keys)
        result = await self._session.scalars(
            select(Interview).where(Interview.id.in_({interview for interview, _ in wanted}))
        )
        return {i.id: i for i in result if (i.id, i.user_id) in wanted}

    async def update(self, interview: Interview, now: datetime, **fields: Any) -> Interview:
        assign(interview, now, **fields)
        await self._session.flush()
        return interview

    async def page(
        self, user_id: int, *, archived: bool, offset: int, limit: int
    ) -> list[Interview]:
        """The person's interviews, newest first (by the date of the last stage)."""
        archived_filter = (
            Interview.archived_at.is_not(None) if archived else Interview.archived_at.is_(None)
        )
        result = await self._session.scalars(
            select(Interview)
            .where(Interview.user_id == user_id, archived_filter)
            .order_by(Interview.last_stage_on.desc(), Interview.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return list(result)

    async def all_for_user(self, user_id: int) -> list[Interview]:
        """Current and archived interviews alike, in the order they were recorded."""
        result = await self._session.scalars(
            select(Interview).where(Interview.user_id == user_id).order_by(Interview.id)
        )
        return list(result)

    async def count(self, user_id: int, *, archived: bool) -> int:
        archived_filter = (
            Interview.archived_at.is_not(None) if archived else Interview.archived_at.is_(None)
        )
        total = await self._session.scalar(
            select(func.count(Interview.id)).where(Interview.user_id == user_id, archived_filter)
        )
        return int(total or 0)

    async def delete_for_user(self, interview_id: int, user_id: int) -> bool:
        result = await self._session.execute(
            delete(Interview).where(Interview.id == interview_id, Interview.user_id == user_id)
        )
        return bool(getattr(result, "rowcount", 0))
