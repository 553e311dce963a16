"""Reminder delivery under Telegram's flood limits, and start-up with many pending reminders.

Delivery: a fresh migrated SQLite file holds N people, each with one interview and one
reminder due now. The real :class:`ReminderDelivery` (claim, render, limiter, send, mark sent)
delivers them all concurrently through the real :class:`RateLimiter` configured at the
enforced rate, to the in-process fake Telegram enforcing the same limits (429 with
``retry_after`` past them), on the real monotonic clock. Reported: delivered, delivered/s
against the enforced rate (target ≥ 90%), 429s received, duplicates (more than one message
in a chat), losses (reminders not «sent»), peak RSS, and where the time went (the SQLite
limiter waits, CPU).

Start-up: 100,000 pending reminders in the store; the time and RSS of what the bot does when
it starts: migrations at head, then the first ``ReminderScheduler.reconcile()`` (``due_now()``,
then one date job per reminder due within the horizon, in an in-memory job store; optionally
the persistent SQLAlchemy one), then ``due_now()`` on the same store; and the same after an
outage (every reminder overdue).

Each scenario runs in its own process so its peak RSS is its own. ``make bench`` runs the
full set; ``--quick`` finishes in about a minute. ``--profile FILE`` runs delivery scenarios
under cProfile and prints where the event loop spends its time.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import logging
import os
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aiogram import Bot  # noqa: E402
from aiogram.client.default import DefaultBotProperties  # noqa: E402
from aiogram.methods import TelegramMethod  # noqa: E402
from aiogram.methods.base import TelegramType  # noqa: E402
from sqlalchemy import func, insert, select, update  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncEngine  # noqa: E402

from bot.app.memory import freeze_startup_objects  # noqa: E402
from bot.db.engine import create_engine, create_sessionmaker  # noqa: E402
from bot.db.migrate import upgrade  # noqa: E402
from bot.db.models import Interview, Reminder, User  # noqa: E402
from bot.domain.clock import system_clock  # noqa: E402
from bot.domain.reminders import ReminderKind, ReminderStatus  # noqa: E402
from bot.scheduler.delivery import DUE_PAGE, ReminderDelivery  # noqa: E402
from bot.scheduler.limiter import RateLimiter  # noqa: E402
from bot.scheduler.runner import HORIZON, ReminderScheduler, bind, jobstore_url  # noqa: E402
from bot.telegram.i18n import create_i18n  # noqa: E402
from bot.telegram.middlewares.telegram import install as install_request_middlewares  # noqa: E402
from bot.telegram.views.reminders import reminder_keyboard, reminder_text  # noqa: E402
from tests.fakeapi.core import FakeTelegram, Files, JSONDict, RateLimits  # noqa: E402
from tests.fakeapi.session import FakeSession, make_bot  # noqa: E402

FIRST_USER = 1_000_000
FREE_PER_SECOND = 30.0  # above it Telegram wants allow_paid_broadcast (the fake too)
TARGET_SHARE = 0.9
PAGE = os.sysconf("SC_PAGE_SIZE")


# ---------------------------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------------------------


def rss_mib() -> float:
    """Resident set size now."""
    with Path("/proc/self/statm").open() as statm:
        return int(statm.read().split()[1]) * PAGE / 2**20


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def loop_thread_cpu() -> float:
    """CPU seconds of this (the event loop's) thread; the rest is other threads'."""
    return time.thread_time()


class TimedFake(FakeTelegram):
    """The fake Telegram, counting the time it spends answering (the "server side")."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.busy = 0.0

    async def call_async(
        self, token: str, method: str, params: dict[str, Any], files: Files | None = None
    ) -> tuple[int, JSONDict]:
        started = time.perf_counter()
        try:
            return await super().call_async(token, method, params, files)
        finally:
            self.busy += time.perf_counter() - started


class TimedSession(FakeSession):
    """aiogram's side of a request: building it, the fake's answer, parsing the result."""

    def __init__(self, core: FakeTelegram) -> None:
        super().__init__(core)
        self.busy = 0.0

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 - the overridden signature
    ) -> TelegramType:
        started = time.perf_counter()
        try:
            return await super().make_request(bot, method, timeout)
        finally:
            self.busy += time.perf_counter() - started


class TimedLimiter(RateLimiter):
    """The bot's limiter, counting how long callers slept for their slot."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.slept = 0.0

    async def acquire(self, chat_id: int) -> float:
        wait = await super().acquire(chat_id)
        self.slept += wait
        return wait


# ---------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------


async def fresh_database(folder: str) -> tuple[str, AsyncEngine]:
    url = f"sqlite+aiosqlite:///{folder}/bench.sqlite3"
    await asyncio.to_thread(upgrade, url)
    return url, create_engine(url)


async def seed(engine: AsyncEngine, count: int, due: Callable[[int], datetime]) -> list[int]:
    """``count`` people, each with one interview and one pending reminder (one executemany
    per table); returns the reminder ids."""
    now = system_clock()
    ids = range(1, count + 1)
    users = [
        {
            "id": FIRST_USER + n,
            "language": "ru" if n % 2 else "en",
            "signature": f"Person {n}",
            "gender": "n",
            "timezone": "Europe/Moscow",
            "quiet_start": None,  # no quiet hours: the run must not depend on the time of day
            "quiet_end": None,
            "is_active": True,
            "consented_at": now,
            "onboarded_at": now,
            "created_at": now,
            "updated_at": now,
        }
        for n in ids
    ]
    interviews = [
        {
            "id": n,
            "user_id": FIRST_USER + n,
            "company": f"Company {n}",
            "position": "Python developer",
            "channel": "email",
            "contact_address": "hr@example.com",
            "last_stage_on": date.today(),  # noqa: DTZ011 - a local date, as the person's
            "all_stages_done": True,
            "outcome": "waiting",
            "priorities": [],
            "created_at": now,
            "updated_at": now,
        }
        for n in ids
    ]
    reminders = [
        {
            "id": n,
            "user_id": FIRST_USER + n,
            "interview_id": n,
            "kind": ReminderKind.SEND.value,
            "due_at": due(n),
            "status": ReminderStatus.PENDING.value,
            "attempts": 0,
            "created_at": now,
            "updated_at": now,
        }
        for n in ids
    ]
    async with engine.begin() as connection:
        for model, rows in ((User, users), (Interview, interviews), (Reminder, reminders)):
            await connection.execute(insert(model), rows)
    return list(ids)


async def status_counts(engine: AsyncEngine) -> dict[str, int]:
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(Reminder.status, func.count()).group_by(Reminder.status)
        )
        return {str(status): int(count) for status, count in rows}


# ---------------------------------------------------------------------------------------------
# Delivery
# ---------------------------------------------------------------------------------------------


@dataclass
class DeliverySpec:
    reminders: int
    rate: float
    per_chat: float = 1.0
    concurrency: int = 200
    via: str = "gather"  # gather: bounded asyncio.gather over deliver(id); jobs: APScheduler
    profile: str | None = None


@dataclass
class DeliveryResult:
    spec: DeliverySpec
    delivered: int
    elapsed: float
    per_second: float
    steady_per_second: float
    share: float
    throttled: int
    duplicates: int
    losses: int
    outcomes: dict[str, int]
    statuses: dict[str, int]
    limiter_slept_avg_ms: float
    request_ms: float
    fake_ms: float
    render_ms: float
    db_only_per_second: float
    db_only_ms: float
    bare_per_second: float
    cpu: float
    loop_cpu: float
    load: float
    rss_start: float
    peak_rss: float
    notes: list[str] = field(default_factory=list)


def sends_per_second(fake: FakeTelegram) -> float:
    """Steady rate between the first and the last accepted send."""
    moments = [c.at for c in fake.calls if c.method == "sendMessage" and c.ok]
    if len(moments) < 2:
        return 0.0
    span = (moments[-1] - moments[0]).total_seconds()
    return (len(moments) - 1) / span if span > 0 else float("inf")


async def deliver_all(delivery: ReminderDelivery, ids: list[int], concurrency: int) -> Counter[str]:
    semaphore = asyncio.Semaphore(concurrency)

    async def one(reminder_id: int) -> str:
        async with semaphore:
            return await delivery.deliver(reminder_id)

    return Counter(await asyncio.gather(*(one(n) for n in ids)))


async def deliver_by_jobs(
    delivery: ReminderDelivery, engine: AsyncEngine, ids: list[int], limit: float
) -> Counter[str]:
    """The production path: a date job per reminder (due now) plus the reconciler."""
    reminders = ReminderScheduler(delivery, None)
    reminders.start()
    now = system_clock()
    for reminder_id in ids:
        reminders.schedule(reminder_id, now)
    deadline = time.perf_counter() + limit
    try:
        while time.perf_counter() < deadline:
            await asyncio.sleep(0.25)
            counts = await status_counts(engine)
            if not counts.get(ReminderStatus.PENDING, 0) and not counts.get(
                ReminderStatus.SENDING, 0
            ):
                break
    finally:
        # The reconciler's pass may still be walking its page of (already sent) reminders:
        # shutting down cancels it, which APScheduler logs as an error. Expected here.
        logging.getLogger("apscheduler").setLevel(logging.CRITICAL)
        reminders.scheduler.shutdown(wait=False)
        bind(None)
    return Counter({"(jobs)": len(ids)})


def render_cost(delivery: ReminderDelivery, rounds: int = 300) -> float:
    """Milliseconds to render one reminder (text and keyboard, in the person's language)."""
    reminder = Reminder(id=1, interview_id=1, kind=ReminderKind.SEND.value)
    interview = Interview(id=1, company="Company 1", position="Python developer")
    started = time.perf_counter()
    for _ in range(rounds):
        with delivery.i18n.context(), delivery.i18n.use_locale("ru"):
            reminder_text(reminder, interview), reminder_keyboard(reminder)
    return 1000 * (time.perf_counter() - started) / rounds


async def bare_send_rate(delivery: ReminderDelivery, count: int, concurrency: int) -> float:
    """Messages a second aiogram alone sends here: the same reminder text and buttons,
    rendered once, through a fresh bot to the same fake (no limits), with no database and no
    limiter. The ceiling of any delivery in this process on this machine."""
    fake = FakeTelegram()
    for n in range(1, count + 1):
        fake.user(FIRST_USER + n, started=True)
    bot = Bot(
        fake.token, session=FakeSession(fake), default=DefaultBotProperties(parse_mode="HTML")
    )
    reminder = Reminder(id=1, interview_id=1, kind=ReminderKind.SEND.value)
    interview = Interview(id=1, company="Company 1", position="Python developer")
    with delivery.i18n.context(), delivery.i18n.use_locale("ru"):
        text, markup = reminder_text(reminder, interview), reminder_keyboard(reminder)
    semaphore = asyncio.Semaphore(concurrency)

    async def one(n: int) -> None:
        async with semaphore:
            await bot.send_message(FIRST_USER + n, text, reply_markup=markup)

    started = time.perf_counter()
    await asyncio.gather(*(one(n) for n in range(1, count + 1)))
    elapsed = time.perf_counter() - started
    await bot.session.close()
    return count / elapsed


async def db_only_cost(count: int) -> float:
    """Milliseconds of the database part of one delivery alone (claim, then mark sent), all
    at once (so in batches, as a burst is) with nothing else running, on a database of its
    own: the ceiling of the database path."""
    with tempfile.TemporaryDirectory() as folder:
        _url, engine = await fresh_database(folder)
        now = system_clock()
        ids = await seed(engine, count, lambda _n: now - timedelta(seconds=1))
        delivery = ReminderDelivery(
            bot=make_bot(FakeTelegram()),
            sessionmaker=create_sessionmaker(engine),
            i18n=create_i18n(),
            clock=system_clock,
        )
        started = time.perf_counter()
        claimed = await asyncio.gather(*(delivery.claim(reminder_id) for reminder_id in ids))
        assert not any(isinstance(outcome, str) for outcome in claimed)
        await asyncio.gather(*(delivery.mark_sent(reminder_id, 1) for reminder_id in ids))
        elapsed = time.perf_counter() - started
        await delivery.bot.session.close()
        await engine.dispose()
    return 1000 * elapsed / count


async def run_delivery(spec: DeliverySpec) -> DeliveryResult:
    with tempfile.TemporaryDirectory() as folder:
        _url, engine = await fresh_database(folder)
        now = system_clock()
        ids = await seed(engine, spec.reminders, lambda _n: now - timedelta(seconds=1))
        paid = spec.rate > FREE_PER_SECOND
        fake = TimedFake(
            rate_limit=RateLimits(
                global_per_second=min(spec.rate, FREE_PER_SECOND),
                per_chat_per_second=spec.per_chat,
                paid_per_second=spec.rate if paid else None,
            )
        )
        for n in ids:
            fake.user(FIRST_USER + n, started=True)
        session = TimedSession(fake)
        bot = Bot(fake.token, session=session, default=DefaultBotProperties(parse_mode="HTML"))
        install_request_middlewares(bot)  # as create_bot does
        limiter = TimedLimiter(per_second=spec.rate, per_chat_interval=1 / spec.per_chat)
        delivery = ReminderDelivery(
            bot=bot,
            sessionmaker=create_sessionmaker(engine),
            i18n=create_i18n(),
            clock=system_clock,
            limiter=limiter,
            paid_broadcast=paid,
        )
        freeze_startup_objects()  # as bot/__main__.py does once wired
        profiler = cProfile.Profile() if spec.profile else None
        rss_start = rss_mib()
        cpu_start, loop_start = cpu_seconds(), loop_thread_cpu()
        started = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        if spec.via == "jobs":
            timeout = 3 * spec.reminders / spec.rate + 60
            outcomes = await deliver_by_jobs(delivery, engine, ids, timeout)
        else:
            outcomes = await deliver_all(delivery, ids, spec.concurrency)
        if profiler is not None:
            profiler.disable()
        elapsed = time.perf_counter() - started
        cpu, loop_cpu = cpu_seconds() - cpu_start, loop_thread_cpu() - loop_start
        load = os.getloadavg()[0]
        statuses = await status_counts(engine)
        await bot.session.close()
        await engine.dispose()
    render_ms = render_cost(delivery)
    bare_per_second = await bare_send_rate(delivery, min(spec.reminders, 3000), spec.concurrency)
    db_only_ms = await db_only_cost(min(spec.reminders, 500))
    if profiler is not None and spec.profile:
        profiler.dump_stats(spec.profile)
    per_chat = Counter(
        m.chat_id for n in ids for m in fake.bot_messages(FIRST_USER + n, include_deleted=True)
    )
    delivered = sum(per_chat.values())
    per_second = delivered / elapsed
    return DeliveryResult(
        spec=spec,
        delivered=delivered,
        elapsed=elapsed,
        per_second=per_second,
        steady_per_second=sends_per_second(fake),
        share=per_second / spec.rate,
        throttled=fake.rate_limited,
        duplicates=sum(count - 1 for count in per_chat.values() if count > 1),
        losses=spec.reminders - statuses.get(ReminderStatus.SENT, 0),
        outcomes=dict(outcomes),
        statuses=statuses,
        limiter_slept_avg_ms=1000 * limiter.slept / max(1, spec.reminders),
        request_ms=1000 * (session.busy - fake.busy) / max(1, len(fake.calls)),
        fake_ms=1000 * fake.busy / max(1, len(fake.calls)),
        render_ms=render_ms,
        db_only_per_second=1000 / db_only_ms,
        bare_per_second=bare_per_second,
        db_only_ms=db_only_ms,
        cpu=cpu,
        loop_cpu=loop_cpu,
        load=load,
        rss_start=rss_start,
        peak_rss=peak_rss_mib(),
    )


# ---------------------------------------------------------------------------------------------
# Start-up with many pending reminders
# ---------------------------------------------------------------------------------------------


@dataclass
class StartupSpec:
    pending: int
    spread_days: float = 14.0
    jobstore: str = "memory"  # memory | sqlalchemy (the persistent store the bot uses)
    overdue: bool = True


@dataclass
class StartupResult:
    spec: StartupSpec
    seed_seconds: float
    rss_before: float
    upgrade_seconds: float
    reconcile_seconds: float
    jobs_planned: int
    due_now_seconds: float
    due_now_found: int
    second_reconcile_seconds: float
    start_seconds: float
    rss_after: float
    peak_rss_after_start: float
    overdue_due_now_seconds: float | None = None
    overdue_due_now_found: int | None = None
    overdue_upcoming_seconds: float | None = None
    overdue_reconcile_seconds: float | None = None
    overdue_jobs_planned: int | None = None
    overdue_rss_after: float | None = None
    peak_rss: float = 0.0
    load: float = 0.0


async def after_outage(
    engine: AsyncEngine,
    fake: FakeTelegram,
    reminders: ReminderScheduler,
    result: StartupResult,
    now: datetime,
) -> None:
    """The same store after an outage: every reminder overdue (oldest first = lowest ids)."""
    delivery = reminders.delivery
    async with engine.begin() as connection:
        await connection.execute(
            update(Reminder).values(due_at=now - timedelta(days=6), updated_at=now)
        )
    for n in range(1, DUE_PAGE + 1):
        fake.user(FIRST_USER + n, started=True)
    mark = time.perf_counter()
    found = await delivery.due_now()
    result.overdue_due_now_seconds = time.perf_counter() - mark
    result.overdue_due_now_found = len(found)
    mark = time.perf_counter()
    upcoming = await delivery.upcoming(HORIZON)
    result.overdue_upcoming_seconds = time.perf_counter() - mark
    del upcoming
    mark = time.perf_counter()
    await reminders.reconcile(pages=1)  # sends one page at 1,000/s; the rest in later passes
    result.overdue_reconcile_seconds = time.perf_counter() - mark
    result.overdue_jobs_planned = len(reminders.scheduler.get_jobs())
    result.overdue_rss_after = rss_mib()


async def seed_pending(folder: str, pending: int, spread_days: float, now: datetime) -> None:
    """The store of the start-up scenario, filled by another process (its memory is not the
    bot's): ``pending`` reminders due over the next ``spread_days``."""
    _url, engine = await fresh_database(folder)
    step = timedelta(days=spread_days) / pending
    await seed(engine, pending, lambda n: now + timedelta(minutes=5) + n * step)
    await engine.dispose()


async def run_startup(spec: StartupSpec) -> StartupResult:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{folder}/bench.sqlite3"
        now = system_clock()
        started = time.perf_counter()
        request = {"folder": folder, "pending": spec.pending, "spread_days": spec.spread_days}
        payload = json.dumps({"kind": "seed", "spec": request, "now": now.isoformat()})
        command = [sys.executable, __file__, "--child", payload]
        await asyncio.to_thread(subprocess.run, command, check=True)
        seed_seconds = time.perf_counter() - started

        # What the bot does when it starts, on a store that already holds the reminders.
        rss_before = rss_mib()
        started = time.perf_counter()
        await asyncio.to_thread(upgrade, url)
        upgrade_seconds = time.perf_counter() - started
        engine = create_engine(url)
        fake = FakeTelegram(rate_limit=RateLimits(paid_per_second=1000))
        bot = make_bot(fake)
        delivery = ReminderDelivery(
            bot=bot,
            sessionmaker=create_sessionmaker(engine),
            i18n=create_i18n(),
            clock=system_clock,
            limiter=RateLimiter(per_second=1000),
            paid_broadcast=True,
        )
        store = jobstore_url(url) if spec.jobstore == "sqlalchemy" else None
        reminders = ReminderScheduler(delivery, store)
        reminders.scheduler.start(paused=True)  # jobs are planned, none runs
        mark = time.perf_counter()
        await reminders.reconcile()
        reconcile_seconds = time.perf_counter() - mark
        start_seconds = time.perf_counter() - started
        jobs_planned = len(reminders.scheduler.get_jobs())
        mark = time.perf_counter()
        found = await delivery.due_now()
        due_now_seconds = time.perf_counter() - mark
        mark = time.perf_counter()
        await reminders.reconcile()  # what every minute costs afterwards: the jobs exist
        second_reconcile_seconds = time.perf_counter() - mark
        result = StartupResult(
            spec=spec,
            seed_seconds=seed_seconds,
            rss_before=rss_before,
            upgrade_seconds=upgrade_seconds,
            reconcile_seconds=reconcile_seconds,
            jobs_planned=jobs_planned,
            due_now_seconds=due_now_seconds,
            due_now_found=len(found),
            second_reconcile_seconds=second_reconcile_seconds,
            start_seconds=start_seconds,
            rss_after=rss_mib(),
            peak_rss_after_start=peak_rss_mib(),
        )
        if spec.overdue:
            await after_outage(engine, fake, reminders, result, now)
        reminders.scheduler.shutdown(wait=False)
        await bot.session.close()
        await engine.dispose()
    result.peak_rss = peak_rss_mib()
    result.load = os.getloadavg()[0]
    return result


# ---------------------------------------------------------------------------------------------
# Reporting and the command line
# ---------------------------------------------------------------------------------------------


def print_profile(path: str, limit: int = 25) -> None:
    stats = pstats.Stats(path, stream=sys.stdout)
    stats.strip_dirs().sort_stats("tottime").print_stats(limit)
    stats.sort_stats("cumulative").print_stats(limit)


def report_delivery(result: DeliveryResult) -> bool:
    spec = result.spec
    ok = (
        result.delivered == spec.reminders
        and result.duplicates == 0
        and result.losses == 0
        and result.share >= TARGET_SHARE
    )
    print(
        f"\n{spec.reminders:,} reminders due at once, enforced {spec.rate:g}/s overall and "
        f"{spec.per_chat:g}/s per chat (limiter at the same rate; via {spec.via}, "
        f"concurrency {spec.concurrency if spec.via == 'gather' else 'unbounded'})"
    )
    print(
        f"  delivered {result.delivered:,} in {result.elapsed:.1f} s: "
        f"{result.per_second:.1f}/s = {result.share:.0%} of the enforced rate "
        f"(steady {result.steady_per_second:.1f}/s between first and last send); "
        f"aiogram alone sends {result.bare_per_second:.0f}/s here (no database, no limiter): "
        f"delivery reaches {result.per_second / result.bare_per_second:.0%} of it"
    )
    print(
        f"  429s received {result.throttled}, duplicates {result.duplicates}, "
        f"losses {result.losses}; outcomes {result.outcomes}; statuses {result.statuses}"
    )
    print(
        f"  limiter sleep "
        f"{result.limiter_slept_avg_ms:.0f} ms per reminder; CPU {result.cpu:.1f} s "
        f"({result.cpu / result.elapsed:.0%} of one core)"
    )
    print(
        f"  per reminder: DB claim + mark sent alone {result.db_only_ms:.1f} ms "
        f"(ceiling {result.db_only_per_second:.0f}/s one at a time), render "
        f"{result.render_ms:.2f} ms, aiogram request {result.request_ms:.2f} ms + fake server "
        f"{result.fake_ms:.2f} ms; event-loop thread CPU {result.loop_cpu:.1f} s "
        f"({1000 * result.loop_cpu / spec.reminders:.1f} ms per reminder), other threads "
        f"{result.cpu - result.loop_cpu:.1f} s"
    )
    print(
        f"  RSS {result.rss_start:.0f} MiB at start, peak {result.peak_rss:.0f} MiB; "
        f"load average {result.load:.1f} at the end"
    )
    print(f"  {'PASS' if ok else 'FAIL'} (all delivered, none twice, ≥ 90% of the rate)")
    return ok


def report_startup(result: StartupResult) -> bool:
    spec = result.spec
    print(
        f"\nstart-up with {spec.pending:,} pending reminders spread over {spec.spread_days:g} days "
        f"({spec.jobstore} job store; seeded in {result.seed_seconds:.1f} s)"
    )
    print(
        f"  start {result.start_seconds:.2f} s = migrations at head "
        f"{result.upgrade_seconds:.2f} s + first reconcile {result.reconcile_seconds:.2f} s "
        f"({result.jobs_planned:,} date jobs planned within "
        f"{HORIZON.total_seconds() / 60:g} minutes)"
    )
    print(
        f"  due_now() {1000 * result.due_now_seconds:.1f} ms ({result.due_now_found} due); "
        f"the next reconcile (every minute, jobs already planned) "
        f"{result.second_reconcile_seconds:.2f} s"
    )
    print(
        f"  RSS {result.rss_before:.0f} MiB before, {result.rss_after:.0f} MiB after "
        f"(peak {result.peak_rss_after_start:.0f} MiB)"
    )
    if result.overdue_reconcile_seconds is not None:
        print(
            f"  after an outage (all overdue): due_now() "
            f"{1000 * (result.overdue_due_now_seconds or 0):.1f} ms "
            f"({result.overdue_due_now_found} returned: its page size), upcoming() "
            f"{result.overdue_upcoming_seconds or 0:.2f} s, reconcile "
            f"{result.overdue_reconcile_seconds:.1f} s (sends those {result.overdue_due_now_found}"
            f" at 1,000/s, plans {result.overdue_jobs_planned:,} jobs), RSS "
            f"{result.overdue_rss_after or 0:.0f} MiB"
        )
    print(
        f"  peak RSS overall {result.peak_rss:.0f} MiB; load average {result.load:.1f} at the end"
    )
    return True


def run_child(kind: str, spec: DeliverySpec | StartupSpec) -> dict[str, Any]:
    """One scenario in a fresh interpreter: its own peak RSS, no state left by the previous."""
    payload = json.dumps({"kind": kind, "spec": asdict(spec)})
    process = subprocess.run(
        [sys.executable, __file__, "--child", payload],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    result: dict[str, Any] = json.loads(process.stdout.strip().splitlines()[-1])
    return result


def child(payload: str) -> None:
    # A 429 is counted by the fake; one warning line per retry would only drown the report.
    logging.getLogger("bot.reminders").setLevel(logging.ERROR)
    request = json.loads(payload)
    if request["kind"] == "seed":
        now = datetime.fromisoformat(request["now"])
        asyncio.run(seed_pending(**request["spec"], now=now))
    elif request["kind"] == "delivery":
        delivery_result = asyncio.run(run_delivery(DeliverySpec(**request["spec"])))
        print(json.dumps(asdict(delivery_result)))
    else:
        startup_result = asyncio.run(run_startup(StartupSpec(**request["spec"])))
        print(json.dumps(asdict(startup_result)))


def as_delivery(data: dict[str, Any]) -> DeliveryResult:
    data["spec"] = DeliverySpec(**data["spec"])
    return DeliveryResult(**data)


def as_startup(data: dict[str, Any]) -> StartupResult:
    data["spec"] = StartupSpec(**data["spec"])
    return StartupResult(**data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="200 and 2,000 reminders; 10,000 pending"
    )
    parser.add_argument("--concurrency", type=int, default=200, help="deliveries in flight")
    parser.add_argument("--via", choices=("gather", "jobs"), default="gather")
    parser.add_argument("--jobs-too", action="store_true", help="also deliver via APScheduler")
    parser.add_argument("--sqlalchemy-jobstore", action="store_true", help="start-up with it too")
    parser.add_argument("--profile", metavar="FILE", help="cProfile the delivery scenarios")
    parser.add_argument("--only", choices=("delivery", "startup"))
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return

    small, large, pending = (200, 2_000, 10_000) if args.quick else (1_000, 10_000, 100_000)
    deliveries = [
        DeliverySpec(small, 30.0, 1.0, args.concurrency, args.via),
        DeliverySpec(large, 1000.0, 1.0, args.concurrency, args.via),
    ]
    if args.jobs_too and args.via != "jobs":
        deliveries += [
            DeliverySpec(s.reminders, s.rate, s.per_chat, via="jobs") for s in deliveries
        ]
    startups = [StartupSpec(pending)]
    if args.sqlalchemy_jobstore:
        startups.append(StartupSpec(pending, jobstore="sqlalchemy", overdue=False))

    print(
        f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    ok = True
    if args.only != "startup":
        for index, spec in enumerate(deliveries):
            if args.profile:
                spec.profile = f"{args.profile}.{index}"
            ok &= report_delivery(as_delivery(run_child("delivery", spec)))
            if spec.profile:
                print_profile(spec.profile)
    if args.only != "delivery":
        for startup in startups:
            ok &= report_startup(as_startup(run_child("startup", startup)))
    print(f"\n{'all targets met' if ok else 'some targets missed (see FAIL above)'}")
    if args.check and not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
