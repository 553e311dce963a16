"""Repositories: queries only. They flush when a later query needs it but never commit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.db.base import Base


def assign(record: Base, now: datetime, **fields: Any) -> None:
    """Set columns of a loaded record and touch ``updated_at``; unknown names are a bug."""
    for name, value in fields.items():
        if not hasattr(type(record), name):
            raise AttributeError(f"{type(record).__name__} has no field {name!r}")
        setattr(record, name, value)
    record.updated_at = now  # type: ignore[attr-defined]
