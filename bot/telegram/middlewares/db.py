"""One database transaction per update: commit on success, roll back on error.

The conversation state (FSM) is written in the same transaction (or, in Redis, right after
the commit and only then), so a failed update leaves neither half-saved data nor a state that
moved on without it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from bot.db.context import current_session
from bot.db.engine import WriteGate
from bot.db.models import User
from bot.db.repositories.updates import UpdateRepository
from bot.db.repositories.users import UserRepository
from bot.domain.clock import Clock
from bot.fsm_buffer import TransactionalStorage

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
    """Also remembers each handled update id in the same transaction, so an update Telegram
    delivers again (after a crash before it was confirmed, or a webhook retry) is not handled
    twice.

    On PostgreSQL the id is recorded first: a replica handling the same update at the same
    moment waits on that row, then skips. On SQLite (one process, whose per-person lock
    already keeps two copies of one update apart) the update checks for the id first and
    records it last, with its other writes: the write gate (:class:`WriteGate`) is taken by
    a transaction's first write, so an update that writes only at its end does not make
    other people's updates wait while Telegram answers its calls.
    """

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        gate: WriteGate,
        clock: Clock,
        fsm: TransactionalStorage | None = None,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._record_first = not gate.single_writer
        self._clock = clock
        self._fsm = fsm  # the conversation state: written once, before or after the commit

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        fsm = self._fsm
        update_id = event.update_id if isinstance(event, Update) else None
        # Closed in ``finally`` rather than by ``async with``: AsyncSession's exit runs its
        # close in a task of its own, shielded from cancellation; UpdatesInFlight already
        # shields the whole update, so that would be a second task for every update.
        session = self._sessionmaker()
        closed = False
        try:
            if update_id is not None and await self._seen(session, update_id):
                logger.info("update=%s already handled; skipped", update_id)
                return None
            data["session"] = session
            after_commit: list[Callable[[], None]] = []
            data["after_commit"] = after_commit
            token = current_session.set(session)
            buffer, fsm_token = fsm.begin() if fsm is not None else (None, None)
            try:
                result = await handler(event, data)
                if fsm is not None and buffer is not None and fsm.writes_in_transaction:
                    await fsm.flush(buffer)
                if update_id is not None and not self._record_first:
                    await UpdateRepository(session).remember(update_id, self._clock())
            except BaseException:
                await session.rollback()
                raise
            finally:
                current_session.reset(token)
                if fsm is not None and fsm_token is not None:
                    fsm.end(fsm_token)
            await session.run_sync(_commit_and_close)  # one greenlet for both
            closed = True
        finally:
            if not closed:
                await session.close()
        if fsm is not None and buffer is not None and not fsm.writes_in_transaction:
            await fsm.flush(buffer)
        for callback in after_commit:
            callback()
        return result

    async def _seen(self, session: AsyncSession, update_id: int) -> bool:
        updates = UpdateRepository(session)
        if self._record_first:
            return not await updates.remember(update_id, self._clock())
        return await updates.handled(update_id)


def _commit_and_close(session: Session) -> None:
    try:
        session.commit()
    finally:
        session.close()


class UserMiddleware(BaseMiddleware):
    """Loads the person's record; ``user`` is ``None`` until they have consented."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = None
        telegram_user = data.get("event_from_user")
        if telegram_user is not None:
            user = await UserRepository(data["session"]).get(telegram_user.id)
        data["user"] = user
        return await handler(event, data)
