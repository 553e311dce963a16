"""The unit of work a use case runs in: a session, the clock, the reminder timetable and
the conversations (FSM state).

One per update (built by :class:`bot.telegram.middlewares.db.UnitOfWorkMiddleware`) or per
scheduler job. Repositories only query and use cases never commit: an update's work is
committed when its handler returns (on SQLite, what it already wrote is committed before
its next call to Telegram: :class:`bot.telegram.middlewares.telegram.CommitBeforeCalling`),
a job commits its own. Reminders go on the timetable only after the commit that saved them
(:meth:`after_commit`), and never if it rolls back.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.clock import Clock
from bot.services.ports import Conversations, NoConversations, NoPlanner, Planner

_WORK = "bot.services.work"


@dataclass
class Work:
    session: AsyncSession
    clock: Clock
    planner: Planner = field(default_factory=NoPlanner)
    conversations: Conversations = field(default_factory=NoConversations)
    _pending: list[Callable[[], Awaitable[None] | None]] = field(default_factory=list, init=False)
    """Callbacks waiting for the next commit (see :meth:`after_commit`)."""

    def __post_init__(self) -> None:
        self.session.info[_WORK] = self

    @staticmethod
    def of(session: AsyncSession) -> Work | None:
        """The unit of work a session belongs to, if any."""
        work = session.info.get(_WORK)
        return work if isinstance(work, Work) else None

    def now(self) -> datetime:
        return self.clock()

    def after_commit(self, callback: Callable[[], Awaitable[None] | None]) -> None:
        """Call ``callback`` once the next commit is done (and await what it returns, if
        anything); never if the work rolls back."""
        self._pending.append(callback)

    def schedule(self, reminder_id: int, due: datetime) -> None:
        """Put a reminder on the timetable once it is committed."""
        self.after_commit(lambda: self.planner.schedule(reminder_id, due))

    def unschedule(self, reminder_id: int) -> None:
        """Take a reminder off the timetable once its cancellation is committed."""
        self.after_commit(lambda: self.planner.unschedule(reminder_id))

    async def commit(self) -> None:
        await self.session.commit()
        callbacks, self._pending = self._pending, []
        for callback in callbacks:
            if (done := callback()) is not None:
                await done

    async def rollback(self) -> None:
        await self.session.rollback()
        self._pending = []
