"""One database transaction per update: commit on success, roll back on error.

The conversation state (FSM) is written in the same transaction, so a failed update leaves
neither half-saved data nor a state that moved on without it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.context import current_session
from bot.db.engine import WriteGate
from bot.db.models import User
from bot.db.repositories.users import UserRepository

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class DbSessionMiddleware(BaseMiddleware):
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], gate: WriteGate) -> None:
        self._sessionmaker = sessionmaker
        self._gate = gate

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        async with self._gate.hold(), self._sessionmaker() as session:
            data["session"] = session
            token = current_session.set(session)
            try:
                result = await handler(event, data)
            except BaseException:
                await session.rollback()
                raise
            finally:
                current_session.reset(token)
            await session.commit()
            return result


class UserMiddleware(BaseMiddleware):
    """Loads the person's record; ``user`` is ``None`` until they have consented."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = None
        telegram_user = data.get("event_from_user")
        if telegram_user is not None:
            user = await UserRepository(data["session"]).get(telegram_user.id)
        data["user"] = user
        return await handler(event, data)
