"""Everything the bot keeps about a person, as one JSON document (their right to a copy).

Pure: the handler reads the rows through the repositories."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any

from bot.db.base import Base
from bot.db.models import Interview, JournalEntry, PlanAction, Reminder, User

FORMAT_VERSION = 1


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def _row(record: Base) -> dict[str, Any]:
    return {column.key: _plain(getattr(record, column.key)) for column in record.__table__.columns}


def export_document(
    user: User,
    interviews: Sequence[Interview],
    reminders: Sequence[Reminder],
    journal: Sequence[JournalEntry],
    plan: Sequence[PlanAction],
    now: datetime,
) -> bytes:
    document = {
        "format": "interview-feedback-bot/export",
        "version": FORMAT_VERSION,
        "exported_at": now.isoformat(),
        "person": _row(user),
        "interviews": [_row(item) for item in interviews],
        "reminders": [_row(item) for item in reminders],
        "journal": [_row(item) for item in journal],
        "plan_done": [_row(item) for item in plan],
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
