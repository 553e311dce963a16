"""Everything the bot keeps about a person, as one JSON document (their right to a copy)."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.base import Base
from bot.db.models import Interview, JournalEntry, Nudge, PlanAction, User

FORMAT_VERSION = 1


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def _row(record: Base) -> dict[str, Any]:
    return {column.key: _plain(getattr(record, column.key)) for column in record.__table__.columns}


async def export_document(session: AsyncSession, user: User, now: datetime) -> bytes:
    interviews = await session.scalars(
        select(Interview).where(Interview.user_id == user.id).order_by(Interview.id)
    )
    nudges = await session.scalars(select(Nudge).where(Nudge.user_id == user.id).order_by(Nudge.id))
    journal = await session.scalars(
        select(JournalEntry).where(JournalEntry.user_id == user.id).order_by(JournalEntry.id)
    )
    plan = await session.scalars(
        select(PlanAction).where(PlanAction.user_id == user.id).order_by(PlanAction.id)
    )
    document = {
        "format": "interview-feedback-bot/export",
        "version": FORMAT_VERSION,
        "exported_at": now.isoformat(),
        "person": _row(user),
        "interviews": [_row(item) for item in interviews],
        "reminders": [_row(item) for item in nudges],
        "journal": [_row(item) for item in journal],
        "plan_done": [_row(item) for item in plan],
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
