"""Handled Telegram update ids (so a redelivered update is handled once)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ProcessedUpdate


class UpdateRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def seen(self, update_id: int) -> bool:
        return await self._session.get(ProcessedUpdate, update_id) is not None

    def remember(self, update_id: int, now: datetime) -> None:
        self._session.add(ProcessedUpdate(update_id=update_id, processed_at=now))
