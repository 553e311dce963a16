"""One database session per update: commit on success, roll back on error.

With the conversation state in the database, the state is written in the same transaction,
so a failed update leaves neither half-saved data nor a state that moved on without it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.context import current_session
from bot.db.fsm_storage import AfterCommitStorage
from bot.db.models import User
from bot.db.repositories.updates import UpdateRepository
from bot.db.repositories.users import UserRepository
from bot.domain.clock import Clock
from bot.services import services
from bot.services.ports import Conversations, NoConversations, NoPlanner
from bot.services.work import Work

logger = logging.getLogger("bot.updates")

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class UpdatesInFlight(BaseMiddleware):
    """Outer middleware, ahead of the person's lock: an update, once taken, runs to its end.

    A stop (SIGTERM cancels polling; the web server cancels a request it gave up on) must not
    cut an update in half: the rest of the chain (the lock, the transaction, the state written
    after the commit) runs in a task of its own that the cancellation does not reach, and the
    person's lock is released only when that task is done. :meth:`drain` waits for them.
    """

    def __init__(self) -> None:
        self._in_flight: set[asyncio.Future[Any]] = set()

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        task = asyncio.ensure_future(handler(event, data))
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            if not task.done():  # the caller is gone: nobody else will hear how it ends
                task.add_done_callback(_log_failure)
            raise

    async def drain(self, grace: float) -> None:
        """Wait (bounded) for the updates being handled."""
        if self._in_flight:
            await asyncio.wait(set(self._in_flight), timeout=grace)


def _log_failure(task: asyncio.Future[Any]) -> None:
    if not task.cancelled() and (error := task.exception()) is not None:
        logger.error("an update failed after its caller stopped", exc_info=error)


class DbSessionMiddleware(BaseMiddleware):
    """The update's database session, opened before the person's lock is taken (aiogram's
    FSM middleware, registered after this one, reads the conversation through it) and
    closed when the update ends. Committing is :class:`UnitOfWorkMiddleware`'s, inside the
    lock."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        async with self._sessionmaker() as session:
            data["session"] = session
            token = current_session.set(session)
            try:
                return await handler(event, data)
            finally:
                current_session.reset(token)


class UnitOfWorkMiddleware(BaseMiddleware):
    """One unit of work per update, inside the person's lock: committed when the handler
    returns, rolled back if it fails; the use cases (:func:`bot.services.services`) built on
    it for the handler.

    It also remembers each handled update id, written with the update's changes, so an
    update Telegram delivers again (after a crash before it was confirmed, or a webhook
    retry) is not handled twice: a second copy of an update waits for the person's lock,
    then finds its id and is skipped.

    The session does not autoflush: what a handler changes is written at the commit, in a
    write transaction of a few statements. On SQLite, a handler that has written earlier
    (an id for a button) has that written part committed before its next call to Telegram
    (:class:`bot.telegram.middlewares.telegram.CommitBeforeCalling`): SQLite has one
    writer, who must not wait for Telegram. The update's id is recorded at its end, so an
    update cut short after such a commit runs again when Telegram resends it; what that
    commit wrote (the person at consent, a saved interview with its conversation ended) is
    not done twice.
    """

    def __init__(
        self,
        clock: Clock,
        state_outside: AfterCommitStorage | None = None,
        conversations: Conversations | None = None,
    ) -> None:
        self._clock = clock
        self._state_outside = state_outside  # conversations in Redis: written after the commit
        self._conversations = conversations if conversations is not None else NoConversations()

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        update_id = event.update_id if isinstance(event, Update) else None
        session: AsyncSession = data["session"]
        updates = UpdateRepository(session)
        if update_id is not None and await updates.handled(update_id):
            logger.info("update=%s already handled; skipped", update_id)
            return None
        work = Work(session, self._clock, data.get("planner") or NoPlanner(), self._conversations)
        data.update(services(work))
        try:
            result = await handler(event, data)
            if update_id is not None:
                updates.remember(update_id, self._clock())
            await work.commit()
            if self._state_outside is not None:
                await self._state_outside.write_pending(session)
        except BaseException:
            await work.rollback()
            raise
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
