"""What differs between the two supported databases."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite


def insert_for(dialect: str) -> Callable[..., Any]:
    """``INSERT`` with ``ON CONFLICT`` for the dialect: ``postgresql`` or ``sqlite``."""
    if dialect == "postgresql":
        return postgresql.insert
    if dialect == "sqlite":
        return sqlite.insert
    raise RuntimeError(f"unsupported database {dialect}")  # pragma: no cover
