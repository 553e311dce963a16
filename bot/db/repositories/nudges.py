"""Queries on reminders. Claiming is one conditional UPDATE, so a reminder is sent once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Nudge
from bot.db.repositories import assign
from bot.domain.reminders import NudgeStatus


class NudgeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self, *, user_id: int, interview_id: int, kind: str, due_at: datetime, now: datetime
    ) -> Nudge:
        """A new pending reminder (its id assigned)."""
        nudge = Nudge(
            user_id=user_id,
            interview_id=interview_id,
            kind=kind,
            due_at=due_at,
            status=NudgeStatus.PENDING,
            attempts=0,
            created_at=now,
            updated_at=now,
        )
        self._session.add(nudge)
        await self._session.flush()
        return nudge

    async def get_for_user(self, nudge_id: int, user_id: int) -> Nudge | None:
        result = await self._session.execute(
            select(Nudge).where(Nudge.id == nudge_id, Nudge.user_id == user_id)
        )
        return result.scalar_one_or_none()

    async def get(self, nudge_id: int) -> Nudge | None:
        return await self._session.get(Nudge, nudge_id)

    async def claim(self, nudge_id: int, now: datetime) -> bool:
        """pending → sending, only if due and still pending: one sender wins."""
        result = await self._session.execute(
            update(Nudge)
            .where(
                Nudge.id == nudge_id,
                Nudge.status == NudgeStatus.PENDING,
                Nudge.due_at <= now,
            )
            .values(status=NudgeStatus.SENDING, attempts=Nudge.attempts + 1, updated_at=now)
        )
        return bool(getattr(result, "rowcount", 0))

    async def claim_many(self, nudge_ids: Sequence[int], now: datetime) -> list[Nudge]:
        """The batch form of :meth:`claim`: one conditional UPDATE; returns the ones won."""
        result = await self._session.scalars(
            update(Nudge)
            .where(
                Nudge.id.in_(nudge_ids),
                Nudge.status == NudgeStatus.PENDING,
                Nudge.due_at <= now,
            )
            .values(status=NudgeStatus.SENDING, attempts=Nudge.attempts + 1, updated_at=now)
            .returning(Nudge),
            execution_options={"synchronize_session": False},
        )
        return list(result)

    async def mark_sent_many(self, sent: Sequence[tuple[int, int]], now: datetime) -> None:
        """(nudge id, message id) pairs Telegram accepted: sending → sent, in one statement."""
        message_ids = dict(sent)
        await self._session.execute(
            update(Nudge)
            .where(Nudge.id.in_(message_ids))
            .values(
                status=NudgeStatus.SENT,
                sent_at=now,
                updated_at=now,
                message_id=case(message_ids, value=Nudge.id),
            )
            .execution_options(synchronize_session=False)
        )

    async def set_status(
        self, nudge: Nudge, status: NudgeStatus, now: datetime, **fields: object
    ) -> None:
        assign(nudge, now, status=status, **fields)
        await self._session.flush()

    async def due(self, now: datetime, limit: int = 100) -> list[int]:
        result = await self._session.scalars(
            select(Nudge.id)
            .where(Nudge.status == NudgeStatus.PENDING, Nudge.due_at <= now)
            .order_by(Nudge.due_at)
            .limit(limit)
        )
        return list(result)

    async def pending(
        self,
        *,
        user_id: int | None = None,
        interview_id: int | None = None,
        after: datetime | None = None,
        until: datetime | None = None,
    ) -> list[Nudge]:
        query = select(Nudge).where(Nudge.status == NudgeStatus.PENDING)
        if user_id is not None:
            query = query.where(Nudge.user_id == user_id)
        if interview_id is not None:
            query = query.where(Nudge.interview_id == interview_id)
        if after is not None:
            query = query.where(Nudge.due_at > after)
        if until is not None:
            query = query.where(Nudge.due_at <= until)
        result = await self._session.scalars(query.order_by(Nudge.due_at, Nudge.id))
        return list(result)

    async def all_for_user(self, user_id: int) -> list[Nudge]:
        result = await self._session.scalars(
            select(Nudge).where(Nudge.user_id == user_id).order_by(Nudge.id)
        )
        return list(result)

    async def stuck_sending(self, before: datetime) -> list[Nudge]:
        """Claimed but never finished (the process died mid-send)."""
        result = await self._session.scalars(
            select(Nudge).where(Nudge.status == NudgeStatus.SENDING, Nudge.updated_at < before)
        )
        return list(result)

    async def count_by_status(self) -> dict[str, int]:
        result = await self._session.execute(
            select(Nudge.status, func.count()).group_by(Nudge.status)
        )
        return {str(status): int(count) for status, count in result.all()}
