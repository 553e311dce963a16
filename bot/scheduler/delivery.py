"""Delivering a reminder exactly once, within Telegram's limits, without losing it.

1. Claim it (pending → sending in one conditional UPDATE) and commit: a second trigger of the
   same reminder finds nothing to claim and sends nothing. Claims made at the same moment
   share one UPDATE and one transaction (:class:`Batcher`), and so do the «sent» marks: when
   thousands fall due at once the database keeps up with Telegram's paid-broadcast rate.
2. Quiet hours or a blocked person: put it back for later, or cancel.
3. Send outside any transaction, through the rate limiter; wait out 429 and retry; network
   errors go back to pending with a growing delay, then «failed» after a cap.
4. Mark it sent (with the message id, so its buttons act on it).

A claim left by a crash (no «sent» mark after :data:`STUCK_AFTER`) is reset and sent again:
never lost, but Telegram may have had the first copy, so the second says it may repeat it.
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
    TelegramNetworkError,
    TelegramRetryAfter,
)
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import Interview, Reminder, User
from bot.db.repositories.interviews import InterviewRepository
from bot.db.repositories.reminders import ReminderRepository
from bot.db.repositories.users import UserRepository
from bot.domain.clock import Clock
from bot.domain.reminders import ReminderStatus, in_quiet_hours
from bot.scheduler.batch import Batcher
from bot.scheduler.limiter import RateLimiter
from bot.services.accounts import Accounts
from bot.services.ports import NoPlanner, Planner
from bot.services.reminders import Reminders
from bot.services.work import Work
from bot.telegram.views.reminders import reminder_keyboard, reminder_text

logger = logging.getLogger("bot.reminders")

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

Claimed = tuple[Reminder, User, Interview]


@dataclass
class ReminderDelivery:
    bot: Bot
    sessionmaker: async_sessionmaker[AsyncSession]
    i18n: I18n
    clock: Clock
    limiter: RateLimiter = field(default_factory=RateLimiter)
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    planner: Planner = field(default_factory=NoPlanner)
    """The timetable: what is put back (a retry, the end of quiet hours) goes on it, what is
    cancelled comes off it. The :class:`ReminderScheduler` sets itself; without one, the
    reconciler finds due reminders in the database all the same."""
    # Above Telegram's free 30 messages a second, sends are paid broadcasts.
    paid_broadcast: bool = False
    _in_flight: int = field(default=0, init=False)
    _idle: asyncio.Event = field(default_factory=asyncio.Event, init=False)

    def __post_init__(self) -> None:
        in_flight = max(MIN_IN_FLIGHT, int(self.limiter.per_second * IN_FLIGHT_SECONDS))
        self._slots = asyncio.Semaphore(in_flight)
        self._claims: Batcher[int, Claimed | str] = Batcher(self._claim_batch)
        self._sent: Batcher[tuple[int, int], None] = Batcher(self._mark_sent_batch)

    async def deliver(self, reminder_id: int) -> str:
        """Deliver one reminder if it is due and nobody else has; returns what happened.

        Only a couple of seconds' worth of sending is claimed at a time: thousands falling due
        at once (after an outage) wait *before* claiming, so no claim waits long enough in the
        rate limiter to be taken for a crashed one and sent again.
        """
        async with self._slots:
            return await self._deliver(reminder_id)

    async def claim(self, reminder_id: int) -> Claimed | str:
        """Claim one reminder to send (with others asked for at the same moment), or say why
        not: skipped (not due, or someone else has it), cancelled, deferred."""
        return await self._claims.submit(reminder_id)

    async def mark_sent(self, reminder_id: int, message_id: int) -> None:
        """Record that Telegram accepted it (with others at the same moment)."""
        await self._sent.submit((reminder_id, message_id))

    async def _deliver(self, reminder_id: int) -> str:
        prepared = await self.claim(reminder_id)
        if isinstance(prepared, str):
            return prepared
        reminder, user, interview = prepared
        with self.i18n.context(), self.i18n.use_locale(user.language):
            text, markup = reminder_text(reminder, interview), reminder_keyboard(reminder)
        self._in_flight += 1
        self._idle.clear()
        try:
            return await self._send(reminder_id, user, text, markup)
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
        self, reminder_id: int, user: User, text: str, markup: InlineKeyboardMarkup
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
                    return await self._retry_later(reminder_id, "TelegramRetryAfter", delay)
                logger.warning("reminder=%s 429: waiting %s s", reminder_id, error.retry_after)
                waited += error.retry_after
                await self.sleep(error.retry_after)
                continue
            except TelegramForbiddenError:
                await self._blocked(reminder_id, user.id)
                return "blocked"
            except (TimeoutError, TelegramNetworkError, OSError) as error:
                # No answer: Telegram may have the message all the same, so the copy sent
                # on the retry says it may repeat it.
                return await self._retry_later(reminder_id, type(error).__name__, unsure=True)
            except TelegramAPIError as error:  # Telegram answered and refused: nothing sent
                return await self._retry_later(reminder_id, type(error).__name__)
            # Telegram has it: record that even if this task is being cancelled (a stop).
            await asyncio.shield(self.mark_sent(reminder_id, message.message_id))
            logger.info("reminder=%s sent", reminder_id)
            return "sent"
        return await self._retry_later(reminder_id, "TelegramRetryAfter")

    async def _claim_batch(self, reminder_ids: list[int]) -> list[Claimed | str]:
        """Claim the reminders asked for at this moment, in one UPDATE and one transaction."""
        outcomes: list[Claimed | str] = []
        async with self.sessionmaker() as session:
            now = self.clock()
            work = Work(session, lambda: now, self.planner)
            reminders = Reminders(work)
            repo = ReminderRepository(session)
            won = {reminder.id: reminder for reminder in await repo.claim_many(reminder_ids, now)}
            users = await UserRepository(session).get_many({n.user_id for n in won.values()})
            interviews = await InterviewRepository(session).get_many_for_users(
                {(n.interview_id, n.user_id) for n in won.values()}
            )
            for reminder_id in reminder_ids:
                # A reminder asked for twice in one batch is claimed (and sent) once.
                reminder = won.pop(reminder_id, None)
                if reminder is None:
                    outcomes.append("skipped")
                    continue
                user, interview = users.get(reminder.user_id), interviews.get(reminder.interview_id)
                if user is None or interview is None or not user.is_active:
                    await reminders.cancel_one(reminder)
                    outcomes.append("cancelled")
                elif in_quiet_hours(now, user.timezone, user.quiet_start, user.quiet_end):
                    # Waiting for the morning is not a failed attempt.
                    await reminders.move(user, reminder, now, attempts=reminder.attempts - 1)
                    outcomes.append("deferred")
                else:
                    outcomes.append((reminder, user, interview))
            await work.commit()  # then what moved goes back on the timetable
        return outcomes

    async def _mark_sent_batch(self, sent: list[tuple[int, int]]) -> list[None]:
        async with self.sessionmaker() as session:
            await ReminderRepository(session).mark_sent_many(sent, self.clock())
            await session.commit()
        return [None] * len(sent)

    async def _retry_later(
        self,
        reminder_id: int,
        problem: str,
        delay: timedelta | None = None,
        *,
        unsure: bool = False,
    ) -> str:
        """Pending again after a growing delay, or failed after :data:`MAX_ATTEMPTS`.
        ``unsure``: the send got no answer and may have reached the person (marked
        ``reclaimed``, like a claim reset after a crash)."""
        async with self.sessionmaker() as session:
            repo = ReminderRepository(session)
            reminder = await repo.get(reminder_id)
            if reminder is None:
                return "gone"
            now = self.clock()
            if reminder.attempts >= MAX_ATTEMPTS:
                await repo.set_status(reminder, ReminderStatus.FAILED, now)
                await session.commit()
                logger.error(
                    "reminder=%s failed after %s attempts: %s",
                    reminder_id,
                    reminder.attempts,
                    problem,
                )
                return "failed"
            if delay is None:
                delay = RETRY_DELAYS[min(reminder.attempts, len(RETRY_DELAYS)) - 1]
            due = now + delay
            marks = {"reclaimed": True} if unsure else {}
            await repo.set_status(reminder, ReminderStatus.PENDING, now, due_at=due, **marks)
            await session.commit()
        logger.warning("reminder=%s %s: retry at %s", reminder_id, problem, due.isoformat())
        self.planner.schedule(reminder_id, due)
        return "retry"

    async def _blocked(self, reminder_id: int, user_id: int) -> None:
        """The person blocked the bot: this reminder (claimed, so not pending) is cancelled
        here, the rest is :meth:`Accounts.blocked`, as when the bot hears of the block
        itself (the ``my_chat_member`` update)."""
        async with self.sessionmaker() as session:
            work = Work(session, self.clock, self.planner)
            reminder = await ReminderRepository(session).get(reminder_id)
            if reminder is not None:
                await Reminders(work).cancel_one(reminder)
            await Accounts(work).blocked(user_id)
            await work.commit()
        logger.info(
            "reminder=%s: the person blocked the bot; their reminders are cancelled", reminder_id
        )

    async def due_now(self) -> list[int]:
        """Pending reminders already due, and ones stuck in «sending» by a crash: reset, and
        marked reclaimed, since Telegram may have had the message before the crash (the Bot
        API has no idempotent send): the copy sent now says it may be a repeat."""
        async with self.sessionmaker() as session:
            now = self.clock()
            repo = ReminderRepository(session)
            for stuck in await repo.stuck_sending(now - STUCK_AFTER):
                logger.warning("reminder=%s claim expired unsent: sending it again", stuck.id)
                await repo.set_status(stuck, ReminderStatus.PENDING, now, reclaimed=True)
            due = await repo.due(now, limit=DUE_PAGE)
            await session.commit()
            return due

    async def upcoming(self, horizon: timedelta) -> list[tuple[int, datetime]]:
        """Pending reminders falling due within ``horizon`` (not those already due: the
        reconciler sends those page by page, and a job each would fire all at once)."""
        now = self.clock()
        async with self.sessionmaker() as session:
            reminders = await ReminderRepository(session).pending(after=now, until=now + horizon)
            return [(reminder.id, reminder.due_at) for reminder in reminders]
