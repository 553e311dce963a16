"""The session of the update being handled, for code that aiogram calls without it (FSM)."""

from __future__ import annotations

from contextvars import ContextVar

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

current_session: ContextVar[AsyncSession | None] = ContextVar("current_session", default=None)

_CONNECTION = "bot.db.context.connection"


async def connection_of(session: AsyncSession) -> AsyncConnection:
    """The connection of the session's transaction, for Core statements in it.

    ``AsyncSession.connection()`` starts a greenlet on every call; an update runs three
    Core statements in its transaction (the handled-update record, the conversation's read
    and write), so the connection is kept in the session's ``info`` for as long as that
    transaction lasts (a commit or rollback closes it, and the next call gets a new one).
    """
    kept = session.info.get(_CONNECTION)
    if isinstance(kept, AsyncConnection) and not kept.closed and session.in_transaction():
        return kept
    connection = await session.connection()
    session.info[_CONNECTION] = connection
    return connection
