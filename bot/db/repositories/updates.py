"""Handled Telegram update ids (so a redelivered update is handled once)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ProcessedUpdate


class UpdateRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def handled(self, update_id: int) -> bool:
        """Whether the update was handled (and committed) already."""
        found = await self._session.scalar(
            select(ProcessedUpdate.update_id).where(ProcessedUpdate.update_id == update_id)
        )
        return found is not None

    def remember(self, update_id: int, now: datetime) -> None:
        """Record the update as handled: written with the transaction's other changes."""
        self._session.add(ProcessedUpdate(update_id=update_id, processed_at=now))

    async def forget_before(self, cutoff: datetime, limit: int) -> int:
        """Drop at most ``limit`` of the ids handled before ``cutoff``; how many went."""
        oldest = (
            select(ProcessedUpdate.update_id)
            .where(ProcessedUpdate.processed_at < cutoff)
            .order_by(ProcessedUpdate.processed_at)
            .limit(limit)
        )
        result = await self._session.execute(
            delete(ProcessedUpdate).where(ProcessedUpdate.update_id.in_(oldest))
        )
        return int(getattr(result, "rowcount", 0) or 0)
