"""Delivering a reminder exactly once, within Telegram's limits, without losing it.

1. Claim it (pending → sending in one conditional UPDATE) and commit: a second trigger of the
   same reminder finds nothing to claim and sends nothing. Claims made at the same moment
   share one UPDATE and one transaction (:class:`Batcher`), and so do the «sent» marks: when
   thousands fall due at once the database keeps up with Telegram's paid-broadcast rate.
2. Quiet hours or a blocked person: put it back for later, or cancel.
3. Send outside any transaction, through the rate limiter; wait out 429 and retry; network
   errors go back to pending with a growing delay, then «failed» after a cap.
4. Mark it sent (with the message id, so its buttons act on it).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramForbiddenError,
    TelegramRetryAfter,
)
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import Interview, Nudge, User
from bot.db.repositories.interviews import InterviewRepository
from bot.db.repositories.nudges import NudgeRepository
from bot.db.repositories.users import UserRepository
from bot.domain.clock import Clock
from bot.domain.reminders import NudgeStatus, after_quiet_hours, in_quiet_hours
from bot.scheduler.batch import Batcher
from bot.scheduler.limiter import RateLimiter
from bot.services.accounts import Accounts
from bot.services.ports import NoPlanner, Planner
from bot.services.work import Work
from bot.telegram.views.nudges import nudge_keyboard, nudge_text

logger = logging.getLogger("bot.nudges")

MAX_ATTEMPTS: Final = 5
MAX_RETRY_AFTER_WAITS: Final = 5
RETRY_DELAYS: Final = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30))
STUCK_AFTER: Final = timedelta(minutes=10)
# Claimed at once: at most about this many seconds of sending at the limiter's rate (50 at
# least), so a claim never waits long enough to be taken for a crashed one (STUCK_AFTER).
IN_FLIGHT_SECONDS: Final = 2.0
MIN_IN_FLIGHT: Final = 50
# 429 waits done inline, holding the claim; longer ones go back to the timetable. Well
# below STUCK_AFTER, so a claim being waited on is never mistaken for a crashed one.
MAX_INLINE_WAIT_SECONDS: Final = 120
DUE_PAGE: Final = 500  # due reminders the reconciler takes at a time

Rescheduled = Callable[[int, datetime], None]
Claimed = tuple[Nudge, User, Interview]


def _noop(_nudge_id: int, _due: datetime) -> None:
    return None


@dataclass
class NudgeDelivery:
    bot: Bot
    sessionmaker: async_sessionmaker[AsyncSession]
    i18n: I18n
    clock: Clock
    limiter: RateLimiter = field(default_factory=RateLimiter)
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    on_rescheduled: Rescheduled = _noop
    planner: Planner = field(default_factory=NoPlanner)
    """Takes the reminders cancelled when the person blocked the bot off the timetable (the
    :class:`NudgeScheduler` sets itself; without one, a job left for a cancelled reminder
    fires and finds nothing to claim)."""
    # Above Telegram's free 30 messages a second, sends are paid broadcasts.
    paid_broadcast: bool = False
    _in_flight: int = field(default=0, init=False)
    _idle: asyncio.Event = field(default_factory=asyncio.Event, init=False)

    def __post_init__(self) -> None:
        in_flight = max(MIN_IN_FLIGHT, int(self.limiter.per_second * IN_FLIGHT_SECONDS))
        self._slots = asyncio.Semaphore(in_flight)
        self._claims: Batcher[int, Claimed | str] = Batcher(self._claim_batch)
        self._sent: Batcher[tuple[int, int], None] = Batcher(self._mark_sent_batch)

    async def deliver(self, nudge_id: int) -> str:
        """Deliver one reminder if it is due and nobody else has; returns what happened.

        Only a couple of seconds' worth of sending is claimed at a time: thousands falling due
        at once (after an outage) wait *before* claiming, so no claim waits long enough in the
        rate limiter to be taken for a crashed one and sent again.
        """
        async with self._slots:
            return await self._deliver(nudge_id)

    async def claim(self, nudge_id: int) -> Claimed | str:
        """Claim one reminder to send (with others asked for at the same moment), or say why
        not: skipped (not due, or someone else has it), cancelled, deferred."""
        return await self._claims.submit(nudge_id)

    async def mark_sent(self, nudge_id: int, message_id: int) -> None:
        """Record that Telegram accepted it (with others at the same moment)."""
        await self._sent.submit((nudge_id, message_id))

    async def _deliver(self, nudge_id: int) -> str:
        prepared = await self.claim(nudge_id)
        if isinstance(prepared, str):
            return prepared
        nudge, user, interview = prepared
        with self.i18n.context(), self.i18n.use_locale(user.language):
            text, markup = nudge_text(nudge, interview), nudge_keyboard(nudge)
        self._in_flight += 1
        self._idle.clear()
        try:
            return await self._send(nudge_id, user, text, markup)
        finally:
            self._in_flight -= 1
            if not self._in_flight:
                self._idle.set()

    async def drain(self, grace: float) -> bool:
        """Wait (bounded) for deliveries in flight, so a stop never cuts one in half."""
        if not self._in_flight:
            return True
        try:
            await asyncio.wait_for(self._idle.wait(), grace)
        except TimeoutError:
            return False
        return True

    async def _send(
        self, nudge_id: int, user: User, text: str, markup: InlineKeyboardMarkup
    ) -> str:
        waited = 0
        for _wait in range(MAX_RETRY_AFTER_WAITS):
            await self.limiter.acquire(user.id)
            try:
                message = await self.bot.send_message(
                    user.id,
                    text,
                    reply_markup=markup,
                    allow_paid_broadcast=True if self.paid_broadcast else None,
                )
            except TelegramRetryAfter as error:
                if waited + error.retry_after > MAX_INLINE_WAIT_SECONDS:
                    # A long wait goes back to the timetable rather than holding the claim.
                    delay = timedelta(seconds=error.retry_after)
                    return await self._retry_later(nudge_id, "TelegramRetryAfter", delay)
                logger.warning("nudge=%s 429: waiting %s s", nudge_id, error.retry_after)
                waited += error.retry_after
                await self.sleep(error.retry_after)
                continue
            except TelegramForbiddenError:
                await self._blocked(nudge_id, user.id)
                return "blocked"
            except (TimeoutError, TelegramAPIError, OSError) as error:
                return await self._retry_later(nudge_id, type(error).__name__)
            # Telegram has it: record that even if this task is being cancelled (a stop).
            await asyncio.shield(self.mark_sent(nudge_id, message.message_id))
            logger.info("nudge=%s sent", nudge_id)
            return "sent"
        return await self._retry_later(nudge_id, "TelegramRetryAfter")

    async def _claim_batch(self, nudge_ids: list[int]) -> list[Claimed | str]:
        """Claim the reminders asked for at this moment, in one UPDATE and one transaction."""
        rescheduled: list[tuple[int, datetime]] = []
        outcomes: list[Claimed | str] = []
        async with self.sessionmaker() as session:
            now = self.clock()
            repo = NudgeRepository(session)
            won = {nudge.id: nudge for nudge in await repo.claim_many(nudge_ids, now)}
            users = await UserRepository(session).get_many({n.user_id for n in won.values()})
            interviews = await InterviewRepository(session).get_many_for_users(
                {(n.interview_id, n.user_id) for n in won.values()}
            )
            for nudge_id in nudge_ids:
                # A reminder asked for twice in one batch is claimed (and sent) once.
                nudge = won.pop(nudge_id, None)
                if nudge is None:
                    outcomes.append("skipped")
                    continue
                user, interview = users.get(nudge.user_id), interviews.get(nudge.interview_id)
                if user is None or interview is None or not user.is_active:
                    await repo.set_status(nudge, NudgeStatus.CANCELLED, now)
                    outcomes.append("cancelled")
                elif in_quiet_hours(now, user.timezone, user.quiet_start, user.quiet_end):
                    due = after_quiet_hours(now, user.timezone, user.quiet_start, user.quiet_end)
                    # Waiting for the morning is not a failed attempt.
                    await repo.set_status(
                        nudge, NudgeStatus.PENDING, now, due_at=due, attempts=nudge.attempts - 1
                    )
                    rescheduled.append((nudge_id, due))
                    outcomes.append("deferred")
                else:
                    outcomes.append((nudge, user, interview))
            await session.commit()
        for nudge_id, due in rescheduled:
            self.on_rescheduled(nudge_id, due)
        return outcomes

    async def _mark_sent_batch(self, sent: list[tuple[int, int]]) -> list[None]:
        async with self.sessionmaker() as session:
            await NudgeRepository(session).mark_sent_many(sent, self.clock())
            await session.commit()
        return [None] * len(sent)

    async def _retry_later(
        self, nudge_id: int, problem: str, delay: timedelta | None = None
    ) -> str:
        async with self.sessionmaker() as session:
            repo = NudgeRepository(session)
            nudge = await repo.get(nudge_id)
            if nudge is None:
                return "gone"
            now = self.clock()
            if nudge.attempts >= MAX_ATTEMPTS:
                await repo.set_status(nudge, NudgeStatus.FAILED, now)
                await session.commit()
                logger.error(
                    "nudge=%s failed after %s attempts: %s", nudge_id, nudge.attempts, problem
                )
                return "failed"
            if delay is None:
                delay = RETRY_DELAYS[min(nudge.attempts, len(RETRY_DELAYS)) - 1]
            due = now + delay
            await repo.set_status(nudge, NudgeStatus.PENDING, now, due_at=due)
            await session.commit()
        logger.warning("nudge=%s %s: retry at %s", nudge_id, problem, due.isoformat())
        self.on_rescheduled(nudge_id, due)
        return "retry"

    async def _blocked(self, nudge_id: int, user_id: int) -> None:
        """The person blocked the bot: this reminder (claimed, so not pending) is cancelled
        here, the rest is :meth:`Accounts.blocked`, as when the bot hears of the block
        itself (the ``my_chat_member`` update)."""
        async with self.sessionmaker() as session:
            work = Work(session, self.clock, self.planner)
            repo = NudgeRepository(session)
            nudge = await repo.get(nudge_id)
            if nudge is not None:
                await repo.set_status(nudge, NudgeStatus.CANCELLED, work.now())
                work.unschedule(nudge_id)  # a job left for it (delivered by the reconciler)
            await Accounts(work).blocked(user_id)
            await work.commit()
        logger.info("nudge=%s: the person blocked the bot; their reminders are cancelled", nudge_id)

    async def due_now(self) -> list[int]:
        """Pending reminders already due, and ones stuck in «sending» by a crash (reset)."""
        async with self.sessionmaker() as session:
            now = self.clock()
            repo = NudgeRepository(session)
            for stuck in await repo.stuck_sending(now - STUCK_AFTER):
                await repo.set_status(stuck, NudgeStatus.PENDING, now)
            due = await repo.due(now, limit=DUE_PAGE)
            await session.commit()
            return due

    async def upcoming(self, horizon: timedelta) -> list[tuple[int, datetime]]:
        """Pending reminders falling due within ``horizon`` (not those already due: the
        reconciler sends those page by page, and a job each would fire all at once)."""
        now = self.clock()
        async with self.sessionmaker() as session:
            nudges = await NudgeRepository(session).pending(after=now, until=now + horizon)
            return [(nudge.id, nudge.due_at) for nudge in nudges]
