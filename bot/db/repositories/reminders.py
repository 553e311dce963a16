"""Queries on reminders. Claiming is one conditional UPDATE, so a reminder is sent once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Reminder
from bot.db.repositories import assign
from bot.domain.reminders import ReminderStatus


class ReminderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self, *, user_id: int, interview_id: int, kind: str, due_at: datetime, now: datetime
    ) -> Reminder:
        """A new pending reminder (its id assigned)."""
        reminder = Reminder(
            user_id=user_id,
            interview_id=interview_id,
            kind=kind,
            due_at=due_at,
            status=ReminderStatus.PENDING,
            attempts=0,
            created_at=now,
            updated_at=now,
        )
        self._session.add(reminder)
        await self._session.flush()
        return reminder

    async def get_for_user(self, reminder_id: int, user_id: int) -> Reminder | None:
        result = await self._session.execute(
            select(Reminder).where(Reminder.id == reminder_id, Reminder.user_id == user_id)
        )
        return result.scalar_one_or_none()

    async def get(self, reminder_id: int) -> Reminder | None:
        return await self._session.get(Reminder, reminder_id)

    async def claim(self, reminder_id: int, now: datetime) -> bool:
        """pending → sending, only if due and still pending: one sender wins."""
        result = await self._session.execute(
            update(Reminder)
            .where(
                Reminder.id == reminder_id,
                Reminder.status == ReminderStatus.PENDING,
                Reminder.due_at <= now,
            )
            .values(status=ReminderStatus.SENDING, attempts=Reminder.attempts + 1, updated_at=now)
        )
        return bool(getattr(result, "rowcount", 0))

    async def claim_many(self, reminder_ids: Sequence[int], now: datetime) -> list[Reminder]:
        """The batch form of :meth:`claim`: one conditional UPDATE; returns the ones won."""
        result = await self._session.scalars(
            update(Reminder)
            .where(
                Reminder.id.in_(reminder_ids),
                Reminder.status == ReminderStatus.PENDING,
                Reminder.due_at <= now,
            )
            .values(status=ReminderStatus.SENDING, attempts=Reminder.attempts + 1, updated_at=now)
            .returning(Reminder),
            execution_options={"synchronize_session": False},
        )
        return list(result)

    async def mark_sent_many(self, sent: Sequence[tuple[int, int]], now: datetime) -> None:
        """(reminder id, message id) pairs Telegram accepted: sending → sent, in one statement."""
        message_ids = dict(sent)
        await self._session.execute(
            update(Reminder)
            .where(Reminder.id.in_(message_ids))
            .values(
                status=ReminderStatus.SENT,
                sent_at=now,
                updated_at=now,
                message_id=case(message_ids, value=Reminder.id),
            )
            .execution_options(synchronize_session=False)
        )

    async def set_status(
        self, reminder: Reminder, status: ReminderStatus, now: datetime, **fields: object
    ) -> None:
        assign(reminder, now, status=status, **fields)
        await self._session.flush()

    async def due(self, now: datetime, limit: int = 100) -> list[int]:
        result = await self._session.scalars(
            select(Reminder.id)
            .where(Reminder.status == ReminderStatus.PENDING, Reminder.due_at <= now)
            .order_by(Reminder.due_at)
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
    ) -> list[Reminder]:
        query = select(Reminder).where(Reminder.status == ReminderStatus.PENDING)
        if user_id is not None:
            query = query.where(Reminder.user_id == user_id)
        if interview_id is not None:
            query = query.where(Reminder.interview_id == interview_id)
        if after is not None:
            query = query.where(Reminder.due_at > after)
        if until is not None:
            query = query.where(Reminder.due_at <= until)
        result = await self._session.scalars(query.order_by(Reminder.due_at, Reminder.id))
        return list(result)

    async def all_for_user(self, user_id: int) -> list[Reminder]:
        result = await self._session.scalars(
            select(Reminder).where(Reminder.user_id == user_id).order_by(Reminder.id)
        )
        return list(result)

    async def stuck_sending(self, before: datetime) -> list[Reminder]:
        """Claimed but never finished (the process died mid-send)."""
        result = await self._session.scalars(
            select(Reminder).where(
                Reminder.status == ReminderStatus.SENDING, Reminder.updated_at < before
            )
        )
        return list(result)

    async def count_by_status(self) -> dict[str, int]:
        result = await self._session.execute(
            select(Reminder.status, func.count()).group_by(Reminder.status)
        )
        return {str(status): int(count) for status, count in result.all()}
