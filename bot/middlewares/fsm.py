"""Conversation state around the update's transaction.

aiogram's own FSM middleware takes the person's lock and reads their state in one step,
before any middleware of ours runs: the read would be a transaction of its own, ahead of the
update's. Here the two are split: :class:`PersonLock` (outside the transaction, inside
:class:`bot.middlewares.db.UpdatesInFlight`, so a cancelled update keeps it until its end)
serializes one person's updates across the whole update, the commit and the state written
after it; the state is read inside the transaction by aiogram's middleware without a lock
of its own (see :func:`bot.factory.create_dispatcher`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, cast

from aiogram import BaseMiddleware, Bot
from aiogram.fsm.middleware import FSMContextMiddleware
from aiogram.types import TelegramObject

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class PersonLock(BaseMiddleware):
    def __init__(self, fsm: FSMContextMiddleware) -> None:
        self._fsm = fsm  # resolves whose conversation an update belongs to, holds the lock

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        context = self._fsm.resolve_event_context(cast(Bot, data["bot"]), data)
        if context is None:
            return await handler(event, data)
        async with self._fsm.events_isolation.lock(key=context.key):
            return await handler(event, data)
