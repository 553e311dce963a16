"""Long polling that serves many people at once and confirms an update only once handled.

aiogram's own polling either handles updates one after another (``handle_as_tasks=False``:
every person waits behind everyone else's calls to Telegram) or hands each to a task and
fetches on (the next ``getUpdates`` then confirms updates still being handled: a crash loses
them). Here each batch that ``getUpdates`` returns is handled at once, one task per
conversation: different people's updates run concurrently, one chat's updates run in the
order Telegram sent them. The next ``getUpdates``, which confirms the batch, is asked only
once every update of the batch has been handled. A crash (even ``kill -9``) loses nothing:
Telegram sends the unconfirmed batch again, and the updates handled before the crash are
skipped (:class:`bot.telegram.middlewares.db.UnitOfWorkMiddleware` remembers their ids).

See docs/architecture.md, "Concurrency".
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Hashable, Sequence
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.dispatcher.middlewares.user_context import UserContextMiddleware
from aiogram.methods import GetUpdates
from aiogram.types import Update
from aiogram.utils.backoff import Backoff, BackoffConfig

logger = logging.getLogger("bot.polling")

POLL_TIMEOUT = 30  # seconds Telegram holds a getUpdates open when there is nothing new
BACKOFF = BackoffConfig(min_delay=1.0, max_delay=30.0, factor=1.5, jitter=0.1)


def conversation_of(update: Update) -> Hashable:
    """Whose update it is: updates with the same answer are handled in order."""
    context = UserContextMiddleware.resolve_event_context(update)
    if context.chat is None and context.user is None:
        return ("update", update.update_id)  # nobody's: runs on its own
    return (
        context.chat.id if context.chat else None,
        context.user.id if context.user else None,
    )


def in_conversations(updates: Sequence[Update]) -> list[list[Update]]:
    """The batch split by conversation, each in Telegram's order."""
    groups: dict[Hashable, list[Update]] = {}
    for update in updates:
        groups.setdefault(conversation_of(update), []).append(update)
    return list(groups.values())


class Polling:
    def __init__(
        self,
        dp: Dispatcher,
        bot: Bot,
        *,
        allowed_updates: list[str] | None = None,
        timeout: int = POLL_TIMEOUT,
        backoff: BackoffConfig = BACKOFF,
        **data: Any,
    ) -> None:
        self._dp = dp
        self._bot = bot
        self._request = GetUpdates(timeout=timeout, allowed_updates=allowed_updates)
        self._backoff = Backoff(config=backoff)
        self._data = data

    async def run(self, stop: asyncio.Event) -> None:
        """Fetch, handle and confirm batches until ``stop`` is set; the batch being handled
        then is finished first. aiogram's startup and shutdown handlers run around it."""
        workflow = {"dispatcher": self._dp, "bots": [self._bot], "bot": self._bot}
        await self._dp.emit_startup(**workflow, **self._dp.workflow_data, **self._data)
        try:
            while not stop.is_set():
                updates = await self._fetch(stop)
                if updates:
                    await self.handle(updates)
                    self._request.offset = updates[-1].update_id + 1
            await self._confirm()
        finally:
            await self._dp.emit_shutdown(**workflow, **self._dp.workflow_data, **self._data)

    async def handle(self, updates: Sequence[Update]) -> None:
        """Handle one batch: conversations at once, each conversation's updates in order."""
        await asyncio.gather(*(self._in_order(group) for group in in_conversations(updates)))

    async def _in_order(self, updates: list[Update]) -> None:
        for update in updates:
            try:
                await self._dp.feed_update(self._bot, update, **self._data)
            except Exception:  # the error handler has answered the person; go on
                logger.exception("update=%s failed", update.update_id)

    async def _fetch(self, stop: asyncio.Event) -> list[Update]:
        """The next batch, or nothing when ``stop`` came first or Telegram failed (after a
        growing pause)."""
        fetching = asyncio.ensure_future(self._bot(self._request))
        stopping = asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait({fetching, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
        if not fetching.done():
            fetching.cancel()
            await asyncio.gather(fetching, return_exceptions=True)
            return []
        try:
            updates = fetching.result()
        except Exception as error:  # noqa: BLE001  Telegram or the network: try again
            logger.warning(
                "getUpdates failed (%s: %s); again in %.1f s",
                type(error).__name__,
                error,
                self._backoff.next_delay,
            )
            await self._pause(stop)
            return []
        self._backoff.reset()
        return updates

    async def _pause(self, stop: asyncio.Event) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=next(self._backoff))

    async def _confirm(self) -> None:
        """Tell Telegram the last batch is handled, so a restart does not fetch it again
        (it would be skipped, but why send it)."""
        if self._request.offset is None:
            return
        confirm = GetUpdates(offset=self._request.offset, limit=1, timeout=0)
        try:
            await self._bot(confirm)
        except Exception:  # noqa: BLE001  a restart skips the batch all the same
            logger.info("the last batch was not confirmed; a restart skips it")
