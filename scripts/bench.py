"""Update throughput and latency of the real dispatcher, against a bare aiogram echo bot.

Load: simulated people each go through the whole intake conversation (consent, onboarding,
a new interview saved: 4 messages and 12 button presses, :data:`SCRIPT`). Every update is
built by the in-process fake Telegram (``tests/fakeapi``), parsed into an aiogram ``Update``
and fed to the dispatcher wired as ``bot/__main__.py`` wires it: the production middlewares,
handlers, metrics, FSM storage and database, INFO logging (to /dev/null). A person waits for
the bot's reply to one update before sending the next. Latency is the time from taking the
update (parsing it) to the end of its handling (commit and Bot API calls included); the
fake's work of building the update (the person's side) is outside it. ``--warmup`` people
(5) go first, unmeasured: what a running bot has done once (lazy imports, caches) is not
charged to the first people. When a person is done, the fake forgets them (see
:func:`forget`).

Network: the fake Telegram answers at once, so every Bot API call of both apps first waits
``--api-latency`` ms (50), as a round trip to Telegram would. The wait is idle time: what it
shows is whether updates wait for each other. ``--api-latency 0`` removes the wait.

Transport: by default the driver hands each update to the dispatcher, as the polling loop
does. ``--webhook``: every app (the echo too) gets its updates as in webhook mode, POSTed over
HTTP on 127.0.0.1 to the bot's own webhook handler (``bot/app/web.py``: secret checked, update
parsed, 200 once handled and committed); latency then runs from the POST to its answer.

Backends: SQLite (a fresh migrated file; FSM in the same database, as without ``REDIS_URL``)
always; PostgreSQL with the FSM in Redis (``RedisStorage`` and its event isolation, as with
``REDIS_URL``) when ``--postgres URL --redis URL`` are given or ``BENCH_POSTGRES_URL`` /
``BENCH_REDIS_URL`` are set. The PostgreSQL database is emptied and migrated, the Redis
database flushed, before each run: give them databases of their own.

Baseline: a bare aiogram ``Dispatcher`` (no middlewares of ours, no database, aiogram's
default in-memory FSM) whose message handler echoes the text with an inline keyboard whose
buttons carry every text :data:`SCRIPT` presses, and whose callback handler answers the
query and edits the message (keeping the keyboard). It gets the same people, the same
updates in the same order (the presses find their buttons on the echo's keyboard), the same
fake, the same round trip and the same driver: so the same mix of 4 messages and 12 callback
queries a person, each answered with one or two Bot API calls (the report shows the calls
per update of both).

Load modes:

* solo: after the warm-up, ``--solo`` people (5) go through the conversation one after
  another, each alone with the app: an update's latency when nothing else is going on. It
  runs in the closed-loop scenario's process, on the same backend, before the closed loop;
* closed loop: ``--concurrency`` people (20) talk at once, a new one starts when one
  finishes: the maximum throughput, and the latency at that load;
* open loop (a report, no target): updates offered at ``--rate`` per second (100) on a fixed
  schedule, whatever the bot does: ``rate × --think`` people in flight, each sends a step
  every ``--think`` seconds (or as soon as the previous reply came, if it came late), a new
  person takes the place of one who finished. Latency is also counted from the scheduled
  moment ("p99 sched"), so a bot that falls behind shows it.

Targets, for the bot on each backend, in the closed loop (``--concurrency`` people at a
time, 20) with the given round trip:

* throughput: the bot's updates/s ≥ 0.5 × the echo's updates/s;
* latency under load: the bot's p99 ≤ 2 × its own solo p50 (the median latency of an update
  when the person is alone with the bot, on the same backend).

Every scenario, open loop included, must also complete every conversation (each person's
interview saved) with no error logged.

Reported per scenario: updates/s, its ratio to the echo's, p50/p95/p99/max latency, the solo
p50, Bot API calls, SQL statements and pool checkouts (transactions) per update, CPU per
update (event-loop thread + any other thread's), time in the garbage collector (full
collections stop everything), RSS at the start and peak; then a table of the targets with
PASS or FAIL for each. Each scenario runs in its own process (its own peak RSS, nothing left
by the previous one); ``--repeat`` runs the set again (rounds interleave the apps, so the
machine's drift hits them alike) and the verdicts use the median over the rounds.

``make bench`` runs the full set (200 people); ``--quick`` 30 people (a minute or two
on SQLite). ``--modes closed`` skips the open loop. ``--profile FILE`` then runs the SQLite
closed loop twice more: under cProfile (saved in FILE; own time by package and function) and
with its stacks sampled every millisecond (time by ``bot/`` function, coroutines included;
saved in FILE.samples.json). After the warm-up both apps call ``gc.freeze()``, as
``bot/__main__.py`` does once wired (``--no-gc-freeze``: not). ``--check`` exits 1 when a
target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import html
import importlib
import json
import logging
import math
import os
import pstats
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import CodeType, FrameType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aiogram import Bot, Dispatcher, F  # noqa: E402
from aiogram.client.session.middlewares.base import (  # noqa: E402
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.methods import Response, TelegramMethod  # noqa: E402
from aiogram.methods.base import TelegramType  # noqa: E402
from aiogram.types import (  # noqa: E402
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from aiohttp import ClientSession, web  # noqa: E402
from redis.asyncio import Redis  # noqa: E402
from sqlalchemy import event, func, select  # noqa: E402

from bot.app.factory import create_dispatcher, create_storage  # noqa: E402
from bot.app.memory import freeze_startup_objects  # noqa: E402
from bot.app.metrics import Metrics  # noqa: E402
from bot.app.metrics import install as install_metrics  # noqa: E402
from bot.app.web import SECRET_HEADER, webhook  # noqa: E402
from bot.db.engine import create_engine, create_sessionmaker  # noqa: E402
from bot.db.migrate import upgrade  # noqa: E402
from bot.db.models import Interview  # noqa: E402
from bot.telegram.i18n import create_i18n  # noqa: E402
from bot.telegram.middlewares.logging import quiet_chatty_loggers  # noqa: E402
from bot.telegram.middlewares.telegram import install as install_request_middlewares  # noqa: E402
from tests.clock import FakeClock  # noqa: E402
from tests.databases import fresh_postgres  # noqa: E402
from tests.fakeapi.core import FakeTelegram, FakeUser  # noqa: E402
from tests.fakeapi.session import make_bot  # noqa: E402
from tests.harness import TOKEN, make_settings  # noqa: E402

SCRIPT: tuple[tuple[str, str], ...] = (
    ("send", "/start"),
    ("press", "✅ Согласиться и начать"),
    ("press", "Оставить «Анна Иванова»"),
    ("press", "Пропустить →"),
    ("press", "Оставить Europe/Moscow"),
    ("send", "/new"),
    ("send", "Яндекс"),
    ("send", "Python-разработчик"),
    ("press", "Пропустить →"),
    ("press", "Телефон"),
    ("press", "Вчера"),
    ("press", "Да, это был финальный этап"),
    ("press", "⏳ Ожидание решения"),
    ("press", "▫️ Технические навыки"),
    ("press", "Готово →"),
    ("press", "✅ Сохранить"),
)
PRESSED = tuple(dict.fromkeys(text for kind, text in SCRIPT if kind == "press"))
FIRST_USER = 10_000
WARMUP_USER = 1_000
SOLO_USER = 5_000
API_LATENCY_MS = 50.0  # the simulated round trip to Telegram before every Bot API call
TARGET_RATIO = 0.5  # the bot's closed-loop updates/s ≥ this × the echo's
TARGET_P99_SOLO = 2.0  # the bot's closed-loop p99 ≤ this × its solo p50


# ---------------------------------------------------------------------------------------------
# The two apps on the fake Telegram
# ---------------------------------------------------------------------------------------------


@dataclass
class Stand:
    """An app under load: the fake Telegram, the bot talking to it, its dispatcher."""

    fake: FakeTelegram
    bot: Bot
    dp: Dispatcher
    close: Callable[[], Awaitable[None]]
    saved: Callable[[], Awaitable[int]] | None = None  # interviews in the database
    # SQL statements executed and connections checked out of the pool (transactions)
    sql: Counter[str] = field(default_factory=Counter)
    api_calls: int = 0  # Bot API calls, with those forgotten (see forget())
    # How an update reaches the app; by default handed to the dispatcher (see by_webhook())
    deliver: Callable[[dict[str, Any]], Awaitable[None]] | None = None

    def calls(self) -> int:
        return self.api_calls + len(self.fake.calls)


def echo_dispatcher() -> Dispatcher:
    """The baseline: aiogram alone, answering like a bot but remembering nothing."""
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=text, callback_data=f"echo:{index}")]
            for index, text in enumerate(PRESSED)
        ]
    )
    dp = Dispatcher()

    @dp.message(F.text)
    async def echo_text(message: Message) -> None:
        await message.answer(html.escape(message.text or ""), reply_markup=keyboard)

    @dp.callback_query()
    async def echo_press(query: CallbackQuery) -> None:
        await query.answer()
        if isinstance(query.message, Message):
            # The query id makes every text new: Telegram refuses an edit that changes nothing.
            await query.message.edit_text(f"{query.data} {query.id}", reply_markup=keyboard)

    return dp


class NetworkDelay(BaseRequestMiddleware):
    """Every Bot API call waits ``seconds`` first, as a round trip to Telegram would (the
    in-process fake answers at once). The wait is idle time: what it shows is whether updates
    wait for each other's calls."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        await asyncio.sleep(self.seconds)
        return await make_request(bot, method)


def with_latency(bot: Bot, latency_ms: float) -> Bot:
    if latency_ms > 0:
        bot.session.middleware(NetworkDelay(latency_ms / 1000))
    return bot


async def echo_stand(latency_ms: float = API_LATENCY_MS) -> Stand:
    fake = FakeTelegram(TOKEN, clock=FakeClock())
    bot = with_latency(make_bot(fake, TOKEN), latency_ms)

    async def close() -> None:
        await bot.session.close()

    return Stand(fake, bot, echo_dispatcher(), close)


async def bot_stand(
    database_url: str, redis_url: str | None, latency_ms: float = API_LATENCY_MS
) -> Stand:
    """The dispatcher as ``bot/__main__.py`` builds it (no scheduler: updates only)."""
    settings = make_settings(database_url=database_url, redis_url=redis_url)
    clock = FakeClock()
    fake = FakeTelegram(TOKEN, clock=clock)
    bot = install_request_middlewares(make_bot(fake, TOKEN))  # as create_bot does
    with_latency(bot, latency_ms)
    metrics = Metrics()
    install_metrics(bot, metrics)
    engine = create_engine(settings.database_url)
    sessionmaker = create_sessionmaker(engine)
    sql: Counter[str] = Counter()

    def on_statement(*_args: Any) -> None:
        sql["statements"] += 1

    def on_checkout(*_args: Any) -> None:
        sql["checkouts"] += 1

    event.listen(engine.sync_engine, "before_cursor_execute", on_statement)
    event.listen(engine.sync_engine.pool, "checkout", on_checkout)
    storage, isolation = create_storage(settings, sessionmaker)
    dp = create_dispatcher(
        settings=settings,
        sessionmaker=sessionmaker,
        storage=storage,
        events_isolation=isolation,
        i18n=create_i18n(settings.default_locale),
        clock=clock,
        metrics=metrics,
    )

    async def saved() -> int:
        async with sessionmaker() as session:
            count = await session.scalar(select(func.count()).select_from(Interview))
            return int(count or 0)

    async def close() -> None:
        await bot.session.close()
        await storage.close()
        await isolation.close()
        await engine.dispose()

    return Stand(fake, bot, dp, close, saved, sql)


# ---------------------------------------------------------------------------------------------
# The driver: people going through SCRIPT
# ---------------------------------------------------------------------------------------------


@dataclass
class Record:
    latencies: list[float] = field(default_factory=list)  # ms, from taking the update
    scheduled: list[float] = field(default_factory=list)  # ms, from its scheduled moment
    failures: list[str] = field(default_factory=list)
    last_reply: float = 0.0


def forget(stand: Stand, user: FakeUser) -> None:
    """A person is done: the fake Telegram forgets them, and the calls made so far. A real
    Telegram keeps its history in its own process; kept in this one, it would add some 70
    objects an update to the bot's heap, and so make Python's full collections (a few hundred
    ms each here, everything stopped) more frequent and longer: the bench's doing, not the
    bot's. (Private parts of the fake: it offers no way to forget.)"""
    fake = stand.fake
    stand.api_calls += len(fake.calls)
    fake.calls.clear()
    fake.callback_answers.clear()
    fake._updates.clear()  # never polled: the driver hands updates to the dispatcher itself
    fake._callback_queries = {
        key: query for key, query in fake._callback_queries.items() if query.user_id != user.id
    }
    chat = fake._chats.get(user.id)
    if chat is not None:
        chat.messages.clear()


def new_user(stand: Stand, user_id: int) -> FakeUser:
    return stand.fake.user(user_id, first_name="Анна", last_name="Иванова", language_code="ru")


async def step(stand: Stand, user: FakeUser, kind: str, text: str) -> float:
    """One update: the person acts, the bot handles it; returns the handling time in ms."""
    if kind == "send":
        raw = stand.fake.send_text(user, text)
    else:
        raw = stand.fake.press_button(user, text)
    started = time.perf_counter()
    if stand.deliver is not None:
        await stand.deliver(raw)
    else:
        update = Update.model_validate(raw, context={"bot": stand.bot})
        await stand.dp.feed_update(stand.bot, update)
    return (time.perf_counter() - started) * 1000


WEBHOOK_SECRET = "bench-secret"  # a local benchmark's webhook secret


async def by_webhook(stand: Stand) -> None:
    """From now on, updates reach the app as in webhook mode: each is POSTed, as Telegram
    would, to the webhook route of ``bot/app/web.py`` (the bot's own handler: the secret
    checked, the update parsed, 200 once it is handled and committed) served by aiohttp on
    127.0.0.1; the echo gets the same route. Latency is then from the POST to its answer."""
    app = web.Application()
    app.router.add_post("/webhook", webhook(stand.dp, stand.bot, WEBHOOK_SECRET))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    client = ClientSession(headers={SECRET_HEADER: WEBHOOK_SECRET})
    url = f"http://127.0.0.1:{port}/webhook"

    async def deliver(raw: dict[str, Any]) -> None:
        async with client.post(url, json=raw) as response:
            if response.status != 200:
                raise ValueError(f"webhook answered {response.status}")

    close_app = stand.close

    async def close() -> None:
        await client.close()
        await runner.cleanup()
        await close_app()

    stand.deliver, stand.close = deliver, close


async def closed_loop(
    stand: Stand, people: int, concurrency: int, record: Record, first: int = FIRST_USER
) -> None:
    semaphore = asyncio.Semaphore(max(1, concurrency))

    async def person(index: int) -> None:
        async with semaphore:
            user = new_user(stand, first + index)
            for number, (kind, text) in enumerate(SCRIPT):
                try:
                    record.latencies.append(await step(stand, user, kind, text))
                except (LookupError, ValueError) as error:
                    record.failures.append(f"person {index} step {number}: {error}")
                    return
            record.last_reply = time.perf_counter()
            forget(stand, user)

    await asyncio.gather(*(person(n) for n in range(people)))


async def open_loop(stand: Stand, people: int, rate: float, lanes: int, record: Record) -> float:
    """Update ``i`` is due at ``start + i / rate``; lane ``j`` owns the updates ``j``,
    ``j + lanes``, ... and its people one after another. Returns the start."""
    start = time.perf_counter() + 0.05
    steps = len(SCRIPT)

    async def lane(number: int) -> None:
        slot = number
        for index in range(number, people, lanes):
            user = new_user(stand, FIRST_USER + index)
            for position, (kind, text) in enumerate(SCRIPT):
                due = start + slot / rate
                slot += lanes
                delay = due - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                began = time.perf_counter()
                try:
                    took = await step(stand, user, kind, text)
                except (LookupError, ValueError) as error:
                    record.failures.append(f"person {index} step {position}: {error}")
                    slot += lanes * (steps - position - 1)
                    break
                record.latencies.append(took)
                record.scheduled.append(took + (began - due) * 1000)
                record.last_reply = max(record.last_reply, time.perf_counter())
            forget(stand, user)

    await asyncio.gather(*(lane(n) for n in range(lanes)))
    return start


# ---------------------------------------------------------------------------------------------
# One scenario, in a child process
# ---------------------------------------------------------------------------------------------


@dataclass
class Spec:
    app: str  # bot | echo
    backend: str  # sqlite | postgres (with Redis) | none (the echo)
    mode: str  # closed | open
    people: int
    solo: int = 0  # people alone with the app, one after another, before the measured run
    concurrency: int = 20
    rate: float = 100.0
    think: float = 0.5
    warmup: int = 5
    gc_freeze: bool = True
    postgres: str | None = None
    redis: str | None = None
    profile: str | None = None  # cProfile the measured run into this file
    sample: bool = False  # or sample its stacks (the summary comes in the result)
    round: int = 1
    api_latency: float = API_LATENCY_MS  # ms each Bot API call waits (a network round trip)
    webhook: bool = False  # updates POSTed to the webhook route instead of handed over

    @property
    def lanes(self) -> int:
        return max(1, min(self.people, round(self.rate * self.think)))

    @property
    def label(self) -> str:
        if self.app == "echo":
            return "echo (bare aiogram)"
        return "bot, SQLite" if self.backend == "sqlite" else "bot, PostgreSQL + Redis"


@dataclass
class Result:
    spec: Spec
    updates: int
    elapsed: float
    per_second: float
    p50: float
    p95: float
    p99: float
    worst: float
    sched_p50: float
    sched_p99: float
    late: int  # updates taken more than 5 ms after their scheduled moment (open loop)
    calls_per_update: float
    statements_per_update: float
    checkouts_per_update: float
    saved: int | None
    errors: int
    failures: list[str]
    cpu: float
    loop_cpu: float
    rss_start: float
    peak_rss: float
    load: float
    gc_seconds: float = 0.0
    gc_longest_ms: float = 0.0
    gc_full: int = 0
    samples: dict[str, Any] | None = None
    # The solo run: spec.solo people, one at a time, before the measured run (closed loop)
    solo_updates: int = 0
    solo_p50: float = float("nan")
    solo_p99: float = float("nan")

    @property
    def conversations(self) -> int:
        """People who went through the conversation: warm-up, solo and measured."""
        return self.spec.warmup + self.spec.solo + self.spec.people

    @property
    def ok(self) -> bool:
        expected = self.spec.people * len(SCRIPT)
        solo = self.spec.solo * len(SCRIPT)
        complete = self.saved is None or self.saved == self.conversations
        return (
            not self.failures
            and self.errors == 0
            and self.updates == expected
            and self.solo_updates == solo
            and complete
        )


class GcClock:
    """Time spent in the garbage collector (it stops everything: a latency spike)."""

    def __init__(self) -> None:
        self.started = 0.0
        self.total = 0.0
        self.longest = 0.0
        self.full = 0  # collections of the oldest generation

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        now = time.perf_counter()
        if phase == "start":
            self.started = now
            return
        took = now - self.started
        self.total += took
        self.longest = max(self.longest, took)
        self.full += info["generation"] == 2

    def __enter__(self) -> GcClock:
        gc.callbacks.append(self)
        return self

    def __exit__(self, *_exc: object) -> None:
        gc.callbacks.remove(self)


class ErrorCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0
        self.first: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        if self.first is None:
            self.first = f"{record.name}: {record.getMessage()}"


def rss_mib() -> float:
    with Path("/proc/self/statm").open() as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def measure(spec: Spec, database_url: str | None, errors: ErrorCounter) -> Result:
    if spec.app == "echo":
        stand = await echo_stand(spec.api_latency)
    else:
        assert database_url is not None
        redis_url = spec.redis if spec.backend == "postgres" else None  # SQLite: FSM in it
        if redis_url:
            async with Redis.from_url(redis_url) as redis:
                await redis.flushdb()
        stand = await bot_stand(database_url, redis_url, spec.api_latency)
    if spec.webhook:
        await by_webhook(stand)
    # Warm-up, unmeasured: what a long-running bot has done once already (lazy imports,
    # pydantic and SQLAlchemy caches, templates, catalogs) is not charged to the first people.
    await closed_loop(stand, spec.warmup, spec.warmup, Record(), first=WARMUP_USER)
    if spec.gc_freeze:  # what bot/__main__.py does once wired (the echo gets it too)
        freeze_startup_objects()
    # Solo: one person at a time, alone with the app: the latency when nothing else runs.
    solo = Record()
    if spec.solo:
        await closed_loop(stand, spec.solo, 1, solo, first=SOLO_USER)
    record = Record()
    calls_before, sql_before = stand.calls(), stand.sql.copy()
    profiler = cProfile.Profile() if spec.profile else None
    sampler = Sampler() if spec.sample else None
    rss_start = rss_mib()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_start, loop_start = usage.ru_utime + usage.ru_stime, time.thread_time()
    started = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    if sampler is not None:
        sampler.start()
    with GcClock() as collector:
        if spec.mode == "closed":
            await closed_loop(stand, spec.people, spec.concurrency, record)
        else:
            started = await open_loop(stand, spec.people, spec.rate, spec.lanes, record)
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(spec.profile or "bench.prof")
    if sampler is not None:
        sampler.stop()
    elapsed = max(record.last_reply, time.perf_counter() if record.failures else 0) - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu, loop_cpu = usage.ru_utime + usage.ru_stime - cpu_start, time.thread_time() - loop_start
    saved = await stand.saved() if stand.saved is not None else None
    calls = stand.calls() - calls_before
    sql = stand.sql - sql_before
    await stand.close()
    lat = record.latencies
    failures = [f"solo {failure}" for failure in solo.failures[:5]] + record.failures[:5]
    if errors.first:
        failures.append(f"{errors.count} errors logged; the first: {errors.first}")
    return Result(
        spec=spec,
        updates=len(lat),
        elapsed=elapsed,
        per_second=len(lat) / elapsed if elapsed > 0 else 0.0,
        p50=percentile(lat, 0.5),
        p95=percentile(lat, 0.95),
        p99=percentile(lat, 0.99),
        worst=max(lat, default=float("nan")),
        sched_p50=percentile(record.scheduled, 0.5),
        sched_p99=percentile(record.scheduled, 0.99),
        late=sum(1 for s, t in zip(record.scheduled, lat, strict=False) if s - t > 5),
        calls_per_update=calls / max(1, len(lat)),
        statements_per_update=sql["statements"] / max(1, len(lat)),
        checkouts_per_update=sql["checkouts"] / max(1, len(lat)),
        saved=saved,
        errors=errors.count,
        failures=failures,
        cpu=cpu,
        loop_cpu=loop_cpu,
        rss_start=rss_start,
        peak_rss=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        load=os.getloadavg()[0],
        gc_seconds=collector.total,
        gc_longest_ms=collector.longest * 1000,
        gc_full=collector.full,
        samples=sampler.summary() if sampler is not None else None,
        solo_updates=len(solo.latencies),
        solo_p50=percentile(solo.latencies, 0.5),
        solo_p99=percentile(solo.latencies, 0.99),
    )


def child(payload: str) -> None:
    spec = Spec(**json.loads(payload))
    # As in production (bot/__main__.py): INFO, one line per update; here to /dev/null.
    with Path(os.devnull).open("w") as devnull:
        logging.basicConfig(
            level=logging.INFO,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
            stream=devnull,
        )
        quiet_chatty_loggers()
        errors = ErrorCounter()
        logging.getLogger().addHandler(errors)
        with tempfile.TemporaryDirectory() as folder:
            database_url: str | None = None
            if spec.app == "bot" and spec.backend == "sqlite":
                database_url = f"sqlite+aiosqlite:///{folder}/bench.sqlite3"
                upgrade(database_url)
            elif spec.app == "bot":
                assert spec.postgres is not None
                database_url = fresh_postgres(spec.postgres)
            result = asyncio.run(measure(spec, database_url, errors))
    print(json.dumps(asdict(result)))


def run_child(spec: Spec) -> Result:
    process = subprocess.run(
        [sys.executable, __file__, "--child", json.dumps(asdict(spec))],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    data = json.loads(process.stdout.strip().splitlines()[-1])
    data["spec"] = Spec(**data["spec"])
    return Result(**data)


# ---------------------------------------------------------------------------------------------
# The profile, by package and by function
# ---------------------------------------------------------------------------------------------

# SQLAlchemy runs the ORM's synchronous code in greenlets: a stack seen from inside one ends
# at the greenlet; the rest is where the main greenlet waits (its gr_frame).
_greenlet: Any = importlib.import_module("greenlet")


def frame_name(code: CodeType) -> str:
    relative = code.co_filename.replace(f"{ROOT}/", "")
    if "site-packages/" in relative:
        relative = relative.split("site-packages/", 1)[1]
    return f"{relative}:{code.co_firstlineno} {code.co_qualname}"


class Sampler:
    """Samples the event-loop thread's stack every millisecond of wall time (SIGALRM: the
    handler runs in that thread, on the frame running then; each sample is weighted by the
    time since the previous one). Unlike cProfile it costs little and counts a coroutine's
    time correctly: a stack is what runs at that moment.

    Summary: busy and idle (waiting in epoll) seconds; busy seconds by the package of the
    innermost frame; by the innermost ``bot/`` function on the stack (its own code and the
    library code it called, without the ``bot/`` functions it called), with the packages that
    time went to; and by every ``bot/`` function on the stack (inclusive)."""

    def __init__(self, interval: float = 0.001) -> None:
        self.interval = interval
        self.main_greenlet = _greenlet.getcurrent()
        self.last = 0.0
        self.idle = 0.0
        self.busy = 0.0
        self.leaf: defaultdict[str, float] = defaultdict(float)
        self.innermost: defaultdict[str, float] = defaultdict(float)
        self.innermost_leaf: defaultdict[str, defaultdict[str, float]] = defaultdict(
            lambda: defaultdict(float)
        )
        self.inclusive: defaultdict[str, float] = defaultdict(float)
        self.functions: defaultdict[str, float] = defaultdict(float)

    def start(self) -> None:
        self.last = time.perf_counter()
        signal.signal(signal.SIGALRM, self.sample)
        signal.setitimer(signal.ITIMER_REAL, self.interval, self.interval)

    def stop(self) -> None:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)

    def stack(self, frame: FrameType | None) -> list[CodeType]:
        codes: list[CodeType] = []
        top = frame.f_code if frame is not None else None
        if top is not None and not (top.co_name == "select" and "selectors" in top.co_filename):
            parent = self.main_greenlet.gr_frame  # None unless a greenlet is running
            for start in (frame, parent):
                walk: FrameType | None = start
                while walk is not None:
                    codes.append(walk.f_code)
                    walk = walk.f_back
        return codes

    def sample(self, _signum: int, frame: FrameType | None) -> None:
        now = time.perf_counter()
        weight, self.last = now - self.last, now
        codes = self.stack(frame)
        if not codes:
            self.idle += weight
            return
        self.busy += weight
        leaf = package_of(codes[0].co_filename)
        self.leaf[leaf] += weight
        self.functions[frame_name(codes[0])] += weight
        ours = [frame_name(c) for c in codes if package_of(c.co_filename) == "bot/"]
        inner = ours[0] if ours else f"(no bot/ frame) {leaf}"
        self.innermost[inner] += weight
        self.innermost_leaf[inner][leaf] += weight
        for name in set(ours):
            self.inclusive[name] += weight

    def summary(self) -> dict[str, Any]:
        return {
            "idle": self.idle,
            "busy": self.busy,
            "leaf": dict(self.leaf),
            "innermost": dict(self.innermost),
            "innermost_leaf": {k: dict(v) for k, v in self.innermost_leaf.items()},
            "inclusive": dict(self.inclusive),
            "functions": dict(self.functions),
        }


def print_samples(data: dict[str, Any]) -> None:
    busy, idle = float(data["busy"]), float(data["idle"])
    print(f"\nsampled stacks: event-loop thread busy {busy:.1f} s, idle {idle:.1f} s")
    print("  busy time by package of the running code:")
    for package, seconds in sorted(data["leaf"].items(), key=lambda item: -item[1]):
        print(f"    {package:<28} {seconds:7.2f} s  {seconds / busy:5.1%}")
    print(
        "  busy time by the innermost bot/ function on the stack (its code and the library "
        "code it called):"
    )
    for name, seconds in sorted(data["innermost"].items(), key=lambda item: -item[1])[:25]:
        parts = sorted(data["innermost_leaf"][name].items(), key=lambda item: -item[1])[:3]
        spent = ", ".join(f"{package} {share / seconds:.0%}" for package, share in parts)
        print(f"    {seconds / busy:5.1%}  {name}  [{spent}]")
    print("  busy time by running function (the innermost Python frame; C code in its caller):")
    for name, seconds in sorted(data["functions"].items(), key=lambda item: -item[1])[:20]:
        print(f"    {seconds / busy:5.1%}  {name}")
    print("  busy time under each bot/ function (inclusive):")
    for name, seconds in sorted(data["inclusive"].items(), key=lambda item: -item[1])[:25]:
        print(f"    {seconds / busy:5.1%}  {name}")


IDLE = "(idle: waiting in epoll)"
StatsEntry = tuple[int, int, float, float, dict[tuple[str, int, str], tuple[Any, ...]]]


def package_of(filename: str) -> str:
    path = filename.replace("\\", "/")
    if "site-packages/" in path:
        top = path.split("site-packages/", 1)[1].split("/", 1)[0]
        top = top.split(".", 1)[0]
        return "pydantic" if top == "pydantic_core" else top
    root = f"{ROOT}/"
    if path.startswith(root):
        relative = path.removeprefix(root)
        if relative.startswith("tests/fakeapi/"):
            return "tests/fakeapi"
        for prefix in ("bot/", "tests/", "scripts/"):
            if relative.startswith(prefix):
                return prefix
    if "/asyncio/" in path:
        return "asyncio"
    return "stdlib (other)"


def print_profile(path: str, wall: float | None = None) -> None:
    stats = pstats.Stats(path)
    raw: dict[tuple[str, int, str], StatsEntry] = stats.stats  # type: ignore[attr-defined]
    by_package: dict[str, float] = defaultdict(float)
    for (filename, _line, name), (_cc, _nc, tottime, _ct, callers) in raw.items():
        if filename != "~":
            by_package[package_of(filename)] += tottime
        elif "select.epoll" in name:
            by_package[IDLE] += tottime
        else:
            # C functions (sqlite3, greenlet, json...): charged to whoever called them.
            total = sum(float(c[2]) for c in callers.values()) or 1.0
            for caller, caller_stats in callers.items():
                package = package_of(caller[0]) if caller[0] != "~" else "C (other)"
                by_package[package] += tottime * float(caller_stats[2]) / total
    busy = sum(t for p, t in by_package.items() if p != IDLE)
    print(f"\nprofile ({path}): event-loop thread, {busy:.1f} s busy (cProfile inflates it)")
    print("  own time by package (C calls charged to their Python caller):")
    for package, seconds in sorted(by_package.items(), key=lambda item: -item[1]):
        part = f"{seconds / busy:5.1%}" if package != IDLE else "  -  "
        print(f"    {package:<28} {seconds:7.2f} s  {part}")

    def where(key: tuple[str, int, str]) -> str:
        filename, line, name = key
        if filename == "~":
            return name
        relative = filename.replace(f"{ROOT}/", "")
        if "site-packages/" in relative:
            relative = relative.split("site-packages/", 1)[1]
        return f"{relative}:{line} {name}"

    print("  top functions by own time (calls: coroutine resumptions count as calls):")
    print(f"    {'own s':>6} {'share':>6} {'cum s':>7} {'calls':>8}  function")
    top = sorted(raw.items(), key=lambda item: -item[1][2])[:30]
    for key, (_cc, nc, tottime, cumtime, _callers) in top:
        share = tottime / busy
        print(f"    {tottime:6.2f} {share:6.1%} {cumtime:7.2f} {nc:>8}  {where(key)}")
    if wall:
        print(f"  (the profiled run took {wall:.1f} s of wall time)")


# ---------------------------------------------------------------------------------------------
# Reporting and the command line
# ---------------------------------------------------------------------------------------------


def median(values: list[float]) -> float:
    """NaN when there is no value or one is missing (NaN): a target it decides then fails."""
    if not values or any(math.isnan(value) for value in values):
        return float("nan")
    return statistics.median(values)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def cpu_ms(r: Result) -> str:
    """CPU per update: the event-loop thread + any other thread (none with SQLite in the loop)."""
    updates = max(1, r.updates)
    return f"{1000 * r.loop_cpu / updates:.1f}+{1000 * (r.cpu - r.loop_cpu) / updates:.1f}"


def rss(r: Result) -> str:
    return f"{r.rss_start:.0f}→{r.peak_rss:.0f}"


def gc_cost(r: Result) -> str:
    """Seconds in the garbage collector / full collections / the longest pause in ms."""
    return f"{r.gc_seconds:.1f}/{r.gc_full}/{r.gc_longest_ms:.0f}"


ECHO = "echo (bare aiogram)"
BOTS = ("bot, SQLite", "bot, PostgreSQL + Redis")


def by_label(results: list[Result], label: str) -> list[Result]:
    return [r for r in results if r.spec.label == label]


def echo_ratio(results: list[Result], r: Result) -> float:
    """The scenario's updates/s over the echo's in the same round (NaN without an echo)."""
    echo = [e.per_second for e in by_label(results, ECHO) if e.spec.round == r.spec.round]
    return r.per_second / echo[0] if echo and echo[0] > 0 else float("nan")


def solo_ratio(r: Result) -> float:
    """The closed loop's p99 over the solo p50 (NaN without a solo run)."""
    return r.p99 / r.solo_p50 if r.solo_p50 > 0 else float("nan")


def report_closed(results: list[Result]) -> bool:
    print(
        f"\n{'scenario':<24}{'round':>6}{'upd/s':>7}{'×echo':>7}{'p50 ms':>8}{'p95 ms':>8}"
        f"{'p99 ms':>8}{'max ms':>8}{'solo p50':>10}{'API/upd':>8}{'SQL/upd':>8}{'tx/upd':>7}"
        f"{'CPU ms/upd':>11}{'GC s/full/ms':>13}{'RSS MiB':>10}"
    )
    for r in results:
        sql = f"{r.statements_per_update:.1f}" if r.spec.app == "bot" else "-"
        tx = f"{r.checkouts_per_update:.1f}" if r.spec.app == "bot" else "-"
        ratio = f"{echo_ratio(results, r):.2f}" if r.spec.app == "bot" else "-"
        print(
            f"{r.spec.label:<24}{r.spec.round:>6}{r.per_second:>7.0f}{ratio:>7}{r.p50:>8.1f}"
            f"{r.p95:>8.1f}{r.p99:>8.1f}{r.worst:>8.1f}{r.solo_p50:>10.1f}"
            f"{r.calls_per_update:>8.2f}{sql:>8}{tx:>7}{cpu_ms(r):>11}{gc_cost(r):>13}"
            f"{rss(r):>10}"
        )
    return report_correctness(results)


def report_open(results: list[Result]) -> bool:
    print(
        f"\n{'scenario':<24}{'round':>6}{'achieved/s':>11}{'p50 ms':>8}{'p95 ms':>8}"
        f"{'p99 ms':>8}{'max ms':>8}{'p99 sched':>10}{'late':>6}{'CPU ms/upd':>11}"
        f"{'GC s/full/ms':>13}{'RSS MiB':>10}"
    )
    for r in results:
        print(
            f"{r.spec.label:<24}{r.spec.round:>6}{r.per_second:>11.1f}{r.p50:>8.1f}"
            f"{r.p95:>8.1f}{r.p99:>8.1f}{r.worst:>8.1f}{r.sched_p99:>10.1f}{r.late:>6}"
            f"{cpu_ms(r):>11}{gc_cost(r):>13}{rss(r):>10}"
        )
    return report_correctness(results)


def report_correctness(results: list[Result]) -> bool:
    ok = True
    for r in results:
        if not r.ok:
            ok = False
            solo = f", {r.solo_updates} solo updates" if r.spec.solo else ""
            print(
                f"  FAIL {r.spec.label} round {r.spec.round}: {r.updates} updates handled"
                f"{solo}, {r.saved} interviews saved of {r.conversations} (with the warm-up's "
                f"and the solo run's), {r.errors} errors logged"
            )
            for failure in r.failures:
                print(f"       {failure}")
    if ok:
        print("  every conversation completed (each person's interview saved), no errors logged")
    return ok


def run_all(
    apps: list[tuple[str, str]],
    modes: tuple[str, ...],
    repeat: int,
    solo: int,
    common: dict[str, Any],
) -> dict[str, list[Result]]:
    """Every scenario, each in its own process; rounds interleave the apps. The closed-loop
    scenario's process also does the solo run."""
    results: dict[str, list[Result]] = {mode: [] for mode in modes}
    for number in range(1, repeat + 1):
        for mode in modes:
            for app, backend in apps:
                alone = solo if mode == "closed" else 0
                spec = Spec(app, backend, mode, solo=alone, round=number, **common)
                result = run_child(spec)
                results[mode].append(result)
                line = (
                    f"  [{mode} loop] {spec.label}, round {number}: "
                    f"{result.per_second:.0f} updates/s, p99 {result.p99:.1f} ms"
                )
                if alone:
                    line += f", solo p50 {result.solo_p50:.1f} ms"
                print(line, flush=True)
    return results


def verdict_closed(closed: list[Result], concurrency: int, latency_ms: float) -> bool:
    print(
        f"\nCLOSED LOOP: {concurrency} people at a time, each sends the next update when the "
        f"reply to the previous one came; solo p50: the median latency with one person at a "
        f"time ({closed[0].spec.solo} people, before the closed loop, in the same process)"
    )
    ok = report_closed(closed)
    rounds = max(r.spec.round for r in closed)
    trip = (
        f"a {latency_ms:g} ms round trip before every Bot API call"
        if latency_ms
        else "no round trip (Bot API calls answered at once)"
    )
    print(
        f"\nTARGETS: closed loop, {concurrency} people at a time, {trip}; medians over "
        f"{rounds} round(s)"
    )
    target_ratio = f"≥ {TARGET_RATIO:g}×echo"
    target_p99 = f"p99 ≤ {TARGET_P99_SOLO:g}×solo p50"
    print(
        f"  {'scenario':<24}{'upd/s':>7}{'×echo':>7}{'p50 ms':>8}{'p99 ms':>8}{'solo p50':>10}"
        f"{'p99/solo':>10}  {target_ratio:<14}{target_p99}"
    )
    for label in (ECHO, *BOTS):
        runs = by_label(closed, label)
        if not runs:
            continue
        ratio = median([echo_ratio(closed, r) for r in runs])
        inflation = median([solo_ratio(r) for r in runs])
        ratio_text, passed_ratio, passed_p99 = "-", "-", "-"  # the echo: no target
        if label != ECHO:
            ratio_ok, p99_ok = ratio >= TARGET_RATIO, inflation <= TARGET_P99_SOLO
            ok &= ratio_ok and p99_ok
            ratio_text = f"{ratio:.2f}"
            passed_ratio, passed_p99 = verdict(ratio_ok), verdict(p99_ok)
        print(
            f"  {label:<24}{median([r.per_second for r in runs]):>7.0f}{ratio_text:>7}"
            f"{median([r.p50 for r in runs]):>8.1f}{median([r.p99 for r in runs]):>8.1f}"
            f"{median([r.solo_p50 for r in runs]):>10.1f}{inflation:>10.2f}  "
            f"{passed_ratio:<14}{passed_p99}"
        )
    return ok


def verdict_open(opened: list[Result], rate: float) -> bool:
    """A report (no target); its conversations must still complete without an error."""
    lanes = opened[0].spec.lanes
    print(
        f"\nOPEN LOOP (a report, no target): {rate:g} updates/s offered on a fixed schedule: "
        f"{lanes} people in flight, each acts every {lanes / rate:.2f} s (or when a late reply "
        "comes); p99 sched: from the scheduled moment; late: taken > 5 ms after it"
    )
    return report_open(opened)


def profile(path: str, common: dict[str, Any]) -> None:
    """The SQLite closed loop twice more: under cProfile (own time by function: where the
    CPU goes), then with stacks sampled (time by bot/ function, coroutines included)."""
    result = run_child(Spec("bot", "sqlite", "closed", profile=path, **common))
    print(
        f"\nPROFILE of the SQLite closed loop. Under cProfile: {result.per_second:.0f} updates/s; "
        f"event-loop thread CPU {result.loop_cpu:.1f} s, other threads "
        f"{result.cpu - result.loop_cpu:.1f} s"
    )
    print_profile(path, result.elapsed)
    result = run_child(Spec("bot", "sqlite", "closed", sample=True, **common))
    print(f"\nsampled run: {result.per_second:.0f} updates/s, p99 {result.p99:.1f} ms")
    if result.samples is not None:
        Path(f"{path}.samples.json").write_text(json.dumps(result.samples, indent=1))
        print_samples(result.samples)


def print_setup(args: argparse.Namespace, people: int) -> None:
    messages = sum(1 for kind, _text in SCRIPT if kind == "send")
    print(
        f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"load: {people} people × {len(SCRIPT)} updates ({messages} messages, "
        f"{len(SCRIPT) - messages} button presses) = {people * len(SCRIPT):,} updates "
        f"per scenario after {args.warmup} unmeasured (closed loop: and {args.solo} alone, "
        f"one at a time); {args.repeat} round(s); each scenario in its own process"
    )
    if not args.gc_freeze:
        print("no gc.freeze() after the warm-up (the bot does it at start-up)")
    if args.api_latency:
        print(f"every Bot API call waits {args.api_latency:g} ms first (a network round trip)")
    else:
        print("no network round trip: every Bot API call answered at once (--api-latency 0)")
    if args.webhook:
        print("updates POSTed to each app's webhook route over HTTP (as Telegram does)")
    if not args.postgres:
        print("PostgreSQL + Redis: skipped (give --postgres URL --redis URL)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, help="simulated people (200; --quick 30)")
    parser.add_argument("--quick", action="store_true", help="30 people")
    parser.add_argument("--concurrency", type=int, default=20, help="closed loop: people at once")
    parser.add_argument("--rate", type=float, default=100.0, help="open loop: updates/s offered")
    parser.add_argument("--think", type=float, default=0.5, help="open loop: s between steps")
    parser.add_argument("--warmup", type=int, default=5, help="people first, unmeasured")
    parser.add_argument(
        "--solo",
        type=int,
        default=5,
        help="people alone with the app, one at a time, before the closed loop (its solo p50)",
    )
    parser.add_argument(
        "--no-gc-freeze",
        dest="gc_freeze",
        action="store_false",
        help="skip gc.freeze() after the warm-up (the bot does it at start-up; both apps)",
    )
    parser.add_argument("--modes", choices=("both", "closed", "open", "none"), default="both")
    parser.add_argument("--repeat", type=int, default=1, help="rounds of every scenario")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL"))
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS_URL"))
    parser.add_argument("--profile", metavar="FILE", help="also a cProfile'd SQLite closed run")
    parser.add_argument(
        "--api-latency",
        type=float,
        default=API_LATENCY_MS,
        metavar="MS",
        help=f"each Bot API call first waits MS, a round trip to Telegram ({API_LATENCY_MS:g})",
    )
    parser.add_argument(
        "--webhook",
        action="store_true",
        help="every app gets its updates POSTed to its webhook route over HTTP (127.0.0.1)",
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    if bool(args.postgres) != bool(args.redis):
        parser.error("PostgreSQL and Redis go together: give both --postgres and --redis")
    if args.solo < 1 and args.modes in ("both", "closed"):
        parser.error("--solo: at least 1 (the latency target is against the solo p50)")
    people = args.people or (30 if args.quick else 200)
    common: dict[str, Any] = {
        "people": people,
        "concurrency": args.concurrency,
        "rate": args.rate,
        "think": args.think,
        "warmup": args.warmup,
        "gc_freeze": args.gc_freeze,
        "postgres": args.postgres,
        "redis": args.redis,
        "api_latency": args.api_latency,
        "webhook": args.webhook,
    }
    apps = [("echo", "none"), ("bot", "sqlite")]
    if args.postgres:
        apps.append(("bot", "postgres"))
    modes = {"both": ("closed", "open"), "none": ()}.get(args.modes, (args.modes,))

    print_setup(args, people)

    results = run_all(apps, modes, args.repeat, args.solo, common)
    ok = True
    if "closed" in results:
        ok &= verdict_closed(results["closed"], args.concurrency, args.api_latency)
    if "open" in results:
        ok &= verdict_open(results["open"], args.rate)

    if args.profile:
        profile(args.profile, common)

    print(f"\n{'all targets met' if ok else 'some targets missed (see FAIL above)'}")
    if args.check and not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
