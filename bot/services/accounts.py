"""Registering a person at consent and finishing onboarding."""

from __future__ import annotations

from datetime import datetime

from bot.db.models import User
from bot.db.repositories.users import UserRepository
from bot.domain.preferences import default_signature


async def register(
    repo: UserRepository,
    *,
    user_id: int,
    first_name: str,
    last_name: str | None,
    language: str,
    timezone: str,
    now: datetime,
) -> tuple[User, bool]:
    """Create the person's record at consent with sensible defaults; idempotent.

    Returns the record and whether it was created now (a repeated tap changes nothing).
    """
    existing = await repo.get(user_id)
    if existing is not None:
        return existing, False
    signature = default_signature(first_name, last_name) or first_name[:64] or "—"
    user = await repo.create(
        user_id=user_id, language=language, signature=signature, timezone=timezone, now=now
    )
    return user, True
