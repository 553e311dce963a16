"""Queries on people and their settings."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, time

from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import User
from bot.db.repositories import assign

# Built once: every update loads its person. A prepared select skips what ``Session.get``
# does first (the identity-map lookup, building the query for the key), which the first read
# in an update never benefits from.
_BY_ID = select(User).where(User.id == bindparam("user_id"))


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, user_id: int) -> User | None:
        return (await self._session.scalars(_BY_ID, {"user_id": user_id})).first()

    async def get_many(self, user_ids: Collection[int]) -> dict[int, User]:
        result = await self._session.scalars(select(User).where(User.id.in_(user_ids)))
        return {user.id: user for user in result}

    async def create(
        self,
        *,
        user_id: int,
        language: str,
        signature: str,
        timezone: str,
        now: datetime,
        quiet_start: time | None = time(22, 0),
        quiet_end: time | None = time(9, 0),
        gender: str = "n",
    ) -> User:
        user = User(
            id=user_id,
            language=language,
            signature=signature,
            gender=gender,
            timezone=timezone,
            quiet_start=quiet_start,
            quiet_end=quiet_end,
            is_active=True,
            consented_at=now,
            onboarded_at=None,
            created_at=now,
            updated_at=now,
        )
        self._session.add(user)
        await self._session.flush()  # before any record that refers to the person
        return user

    async def delete(self, user_id: int) -> None:
        await self._session.execute(delete(User).where(User.id == user_id))

    async def update(self, user: User, now: datetime, **changes: object) -> User:
        """Change settings of a loaded person; unknown fields are a programming error.

        Not flushed: the change is written when the transaction commits (no query filters
        people by their settings, and the loaded record already has them): the write
        transaction stays short.
        """
        assign(user, now, **changes)
        return user
