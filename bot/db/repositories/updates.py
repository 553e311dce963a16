"""Handled Telegram update ids (so a redelivered update is handled once)."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable

from bot.db.context import connection_of
from bot.db.dialects import insert_for
from bot.db.models import ProcessedUpdate

_TABLE = cast(Table, ProcessedUpdate.__table__)


@functools.cache
def _remember(dialect: str) -> Executable:  # built once: every update runs it
    statement: Executable = (
        insert_for(dialect)(_TABLE)
        .on_conflict_do_nothing(index_elements=[_TABLE.c.update_id])
        .returning(_TABLE.c.update_id)
    )
    return statement


_HANDLED = select(_TABLE.c.update_id).where(_TABLE.c.update_id == bindparam("update_id"))


class UpdateRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def remember(self, update_id: int, now: datetime) -> bool:
        """Record the update as handled (in the caller's transaction); False if it already was.

        One statement: on PostgreSQL a replica handling the same update at the same moment
        waits here for the other's transaction, then skips it.
        """
        # On the session's connection (same transaction): a Core statement needs nothing of
        # the ORM's execute path, and this one runs for every update.
        connection = await connection_of(self._session)
        statement = _remember(connection.dialect.name)
        result = await connection.execute(statement, {"update_id": update_id, "processed_at": now})
        return result.first() is not None

    async def handled(self, update_id: int) -> bool:
        """Whether the update was handled already (a read: see ``DbSessionMiddleware``)."""
        connection = await connection_of(self._session)
        result = await connection.execute(_HANDLED, {"update_id": update_id})
        return result.first() is not None

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
