"""APScheduler 3 runs the timing: one date job per reminder, and a reconciler every minute.

The job functions are module-level and referenced by text, as a persistent job store needs;
they reach the running delivery through :func:`bind`, set once at start-up. The database
stays the source of truth: the reconciler delivers anything due that lost its job (a job
store wiped, a reminder written by another process) and plans jobs for what is coming.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.engine import make_url

from bot.db.repositories.updates import UpdateRepository
from bot.scheduler.delivery import DUE_PAGE, ReminderDelivery

logger = logging.getLogger("bot.scheduler")

MISFIRE_GRACE: Final = int(timedelta(days=7).total_seconds())
# Jobs are planned this far ahead by the reconciler (reminders written by handlers of this
# process get theirs at once). Short, so that start-up with many pending reminders plans few.
HORIZON: Final = timedelta(minutes=10)
RECONCILE_SECONDS: Final = 60
# Due reminders one reconcile pass sends, at most (the rest in the next pass).
RECONCILE_PAGES: Final = 20
# Handled update ids are kept this long: Telegram gives up redelivering an update after a
# day (getUpdates keeps it 24 hours), so older ids can never come again.
UPDATE_IDS_KEPT: Final = timedelta(days=3)
HOUSEKEEPING_SECONDS: Final = 3600
HOUSEKEEPING_BATCH: Final = 10_000  # rows a transaction, so SQLite's writer is never held long


def jobstore_url(database_url: str) -> str:
    """The synchronous URL of the job store for the bot's database.

    PostgreSQL: the same database through a synchronous driver. SQLite: a file next to the
    database, because the job store writes synchronously from the event loop and SQLite has
    one writer per file: sharing the bot's file could stall the loop behind an update.
    """
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        database = url.database or ""
        if database in {"", ":memory:"}:
            return "sqlite://"
        stem = database.removesuffix(".sqlite3").removesuffix(".db")
        return str(url.set(drivername="sqlite", database=f"{stem}.jobs.sqlite3"))
    return url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


_runtime: ReminderScheduler | None = None


def bind(scheduler: ReminderScheduler | None) -> None:
    global _runtime  # noqa: PLW0603 - the one link from text-referenced jobs to the process
    _runtime = scheduler


def _current() -> ReminderScheduler:
    if _runtime is None:
        raise RuntimeError("the reminder scheduler is not running in this process")
    return _runtime


async def deliver_reminder(reminder_id: int) -> None:
    """Date job: deliver one reminder (a second trigger finds it claimed and does nothing)."""
    await _current().delivery.deliver(reminder_id)


async def reconcile() -> None:
    """Interval job: deliver what is due without a job; plan jobs for what is coming."""
    await _current().reconcile()


async def housekeeping() -> None:
    """Interval job: forget handled update ids that Telegram can no longer deliver again."""
    await _current().housekeeping()


class ReminderScheduler:
    def __init__(
        self,
        delivery: ReminderDelivery,
        jobstore: str | None,
        *,
        reconcile_seconds: int = RECONCILE_SECONDS,
    ) -> None:
        self.delivery = delivery
        self.reconcile_seconds = reconcile_seconds
        store: Any = SQLAlchemyJobStore(url=jobstore) if jobstore else MemoryJobStore()
        self.scheduler = AsyncIOScheduler(
            jobstores={"default": store},
            job_defaults={
                "coalesce": True,
                "misfire_grace_time": MISFIRE_GRACE,
                "max_instances": 1,
            },
            timezone=UTC,
        )
        delivery.planner = self

    def start(self) -> None:
        bind(self)
        self.scheduler.start()
        self.scheduler.add_job(
            f"{__name__}:reconcile",
            "interval",
            seconds=self.reconcile_seconds,
            id="reconcile",
            replace_existing=True,
            next_run_time=datetime.now(UTC),
        )
        self.scheduler.add_job(
            f"{__name__}:housekeeping",
            "interval",
            seconds=HOUSEKEEPING_SECONDS,
            id="housekeeping",
            replace_existing=True,
            next_run_time=datetime.now(UTC),
        )
        logger.info("reminder scheduler started")

    @property
    def running(self) -> bool:
        return bool(self.scheduler.running)

    async def shutdown(self, grace: float = 20.0) -> None:
        """Take no new jobs, let deliveries in flight finish (bounded), then stop."""
        if self.scheduler.running:
            self.scheduler.pause()
            if not await self.delivery.drain(grace):
                logger.warning("stopping with reminder deliveries still in flight")
            self.scheduler.shutdown(wait=False)
        bind(None)

    def schedule(self, reminder_id: int, due: datetime) -> None:
        self.scheduler.add_job(
            f"{__name__}:deliver_reminder",
            "date",
            run_date=due,
            args=[reminder_id],
            id=f"reminder:{reminder_id}",
            replace_existing=True,
        )

    def unschedule(self, reminder_id: int) -> None:
        try:
            self.scheduler.remove_job(f"reminder:{reminder_id}")
        except JobLookupError:
            return

    async def reconcile(self, pages: int = RECONCILE_PAGES) -> None:
        for _page in range(pages):
            page = await self.delivery.due_now()
            outcomes = await asyncio.gather(*(self.delivery.deliver(i) for i in page))
            for reminder_id, outcome in zip(page, outcomes, strict=True):
                logger.info("reminder=%s reconciled: %s", reminder_id, outcome)
            if len(page) < DUE_PAGE:
                break
        for reminder_id, due in await self.delivery.upcoming(HORIZON):
            job = self.scheduler.get_job(f"reminder:{reminder_id}")
            if job is None or job.next_run_time != due:
                self.schedule(reminder_id, due)

    async def housekeeping(self) -> int:
        """Forget handled update ids older than :data:`UPDATE_IDS_KEPT`; how many went."""
        delivery = self.delivery
        cutoff = delivery.clock() - UPDATE_IDS_KEPT
        forgotten = 0
        while True:
            async with delivery.sessionmaker() as session:
                batch = await UpdateRepository(session).forget_before(cutoff, HOUSEKEEPING_BATCH)
                await session.commit()
            forgotten += batch
            if batch < HOUSEKEEPING_BATCH:
                break
        if forgotten:
            logger.info("forgot %s handled update ids", forgotten)
        return forgotten
