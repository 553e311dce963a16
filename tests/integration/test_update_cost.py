"""What one update costs the database: one transaction, the conversation read once and
written once, the update id checked and recorded (on PostgreSQL in one statement, first; on
SQLite read first and written last), and forgotten once Telegram can no longer send that
update again. On SQLite an update writes only at its end, so one person's slow Telegram
call does not hold up anyone else's updates."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import WriteGate, create_engine, create_sessionmaker
from bot.db.models import FsmRecord, Interview, ProcessedUpdate, User
from bot.scheduler import runner
from bot.scheduler.delivery import NudgeDelivery
from bot.scheduler.runner import NudgeScheduler
from bot.telegram.i18n import create_i18n
from tests.clock import FakeClock
from tests.harness import BotApp, Person, running_app


@dataclass
class Cost:
    transactions: int = 0
    statements: list[str] = field(default_factory=list)

    def touching(self, table: str) -> list[str]:
        return [s for s in self.statements if table in s]

    def reads(self, table: str) -> int:
        return sum(s.lstrip().upper().startswith("SELECT") for s in self.touching(table))

    def writes(self, table: str) -> int:
        return len(self.touching(table)) - self.reads(table)


@contextmanager
def measured(engine: AsyncEngine) -> Iterator[Cost]:
    cost = Cost()

    def on_checkout(*_: Any) -> None:
        cost.transactions += 1

    def on_statement(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        cost.statements.append(statement)

    sync = engine.sync_engine
    event.listen(sync.pool, "checkout", on_checkout)
    event.listen(sync, "before_cursor_execute", on_statement)
    try:
        yield cost
    finally:
        event.remove(sync.pool, "checkout", on_checkout)
        event.remove(sync, "before_cursor_execute", on_statement)


@pytest.fixture
async def db_engine(any_db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(any_db_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def bot_app(db_engine: AsyncEngine, clock: FakeClock) -> AsyncIterator[BotApp]:
    async with running_app(create_sessionmaker(db_engine), clock) as app:
        yield app


async def conversations(app: BotApp) -> int:
    async with app.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(FsmRecord)) or 0)


STEPS: list[tuple[str, str]] = [
    ("send", "/start"),
    ("press", "✅ Согласиться и начать"),
    ("press", "Оставить «Анна Иванова»"),
    ("press", "Пропустить →"),
    ("press", "Оставить Europe/Moscow"),
    ("send", "/new"),
    ("send", "Яндекс"),
    ("send", "Аналитик данных"),
]


async def act(person: Person, kind: str, value: str) -> None:
    if kind == "send":
        await person.send(value)
    else:
        await person.press(value)


async def test_every_update_is_one_transaction_reading_and_writing_the_state_once(
    bot_app: BotApp, db_engine: AsyncEngine
) -> None:
    anna = bot_app.person()
    recorded = 2 if db_engine.dialect.name == "sqlite" else 1
    for kind, value in STEPS:
        with measured(db_engine) as cost:
            await act(anna, kind, value)
        assert cost.transactions == 1, (value, cost.transactions)
        assert cost.reads("fsm_states") <= 1, (value, cost.touching("fsm_states"))
        assert cost.writes("fsm_states") <= 1, (value, cost.touching("fsm_states"))
        # PostgreSQL: one INSERT that checks and records; SQLite: a read first, the write last
        assert len(cost.touching("processed_updates")) == recorded, value

    # The intake moved on at every answer (company, position, now the contact).
    assert (anna.last.text or "").startswith("👤 Кто проводил собеседование")
    assert await conversations(bot_app) == 1


async def test_an_answer_that_moves_the_conversation_writes_it_once(
    bot_app: BotApp, db_engine: AsyncEngine
) -> None:
    anna = bot_app.person()
    for kind, value in STEPS[:6]:
        await act(anna, kind, value)
    with measured(db_engine) as cost:
        await anna.send("Яндекс")  # loads the draft, saves it, asks the next question
    assert cost.reads("fsm_states") == 1
    assert cost.writes("fsm_states") == 1


async def test_an_ended_conversation_leaves_no_row(bot_app: BotApp) -> None:
    anna = bot_app.person()
    for kind, value in STEPS[:6]:
        await act(anna, kind, value)
    assert await conversations(bot_app) == 1
    await anna.send("/cancel")
    assert await conversations(bot_app) == 0


async def test_an_update_delivered_again_is_handled_once(bot_app: BotApp) -> None:
    anna = bot_app.person()
    for kind, value in STEPS[:5]:
        await act(anna, kind, value)
    update = bot_app.fake.send_text(anna.user, "Яндекс")
    await bot_app.feed(bot_app.fake.send_text(anna.user, "/new"), anna.chat_id)

    first = await bot_app.feed(update, anna.chat_id)
    again = await bot_app.feed(update, anna.chat_id)

    assert len(first) == 1
    assert again == []  # nothing sent, the draft did not move a second step
    await anna.send("Аналитик данных")
    assert "Кто проводил" in (anna.last.text or "")
    async with bot_app.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Interview)) == 0


class SlowTelegram(BaseRequestMiddleware):
    """Holds the Bot API calls to one chat until released, as a slow network would."""

    def __init__(self) -> None:
        self.chat_id: int | None = None
        self.waiting = asyncio.Event()
        self.go_on = asyncio.Event()
        self.log: list[str] = []

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        self.log.append(f"api {method.__api_method__}")
        if self.chat_id is not None and getattr(method, "chat_id", None) == self.chat_id:
            self.waiting.set()
            await self.go_on.wait()
        return await make_request(bot, method)


@contextmanager
def timeline(engine: AsyncEngine, slow: SlowTelegram) -> Iterator[list[str]]:
    def on_statement(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        slow.log.append(f"sql {statement.split(maxsplit=1)[0].upper()}")

    event.listen(engine.sync_engine, "before_cursor_execute", on_statement)
    slow.log.clear()
    try:
        yield slow.log
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", on_statement)


async def test_on_sqlite_an_answer_writes_nothing_until_its_telegram_calls_are_done(
    bot_app: BotApp, db_engine: AsyncEngine
) -> None:
    if db_engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL records the update first: replicas wait on that row")
    slow = SlowTelegram()
    bot_app.bot.session.middleware(slow)
    anna = bot_app.person()
    for kind, value in STEPS[:6]:
        await act(anna, kind, value)
    with timeline(db_engine, slow) as log:
        await anna.send("Яндекс")  # removes the question's buttons, asks the next one
    last_call = max(i for i, entry in enumerate(log) if entry.startswith("api"))
    writes = [i for i, entry in enumerate(log) if entry.startswith("sql") and "SELECT" not in entry]
    assert writes, log  # the draft and the update id were written...
    assert min(writes) > last_call, log  # ...after both calls to Telegram


async def test_one_persons_slow_telegram_call_holds_up_no_one_else(bot_app: BotApp) -> None:
    slow = SlowTelegram()
    bot_app.bot.session.middleware(slow)
    anna, boris = bot_app.person(1001), bot_app.person(1002)  # the same name: the same steps
    for person in (anna, boris):
        for kind, value in STEPS[:6]:
            await act(person, kind, value)

    slow.chat_id = anna.chat_id
    annas = asyncio.ensure_future(anna.send("Яндекс"))
    await asyncio.wait_for(slow.waiting.wait(), timeout=5)
    # Telegram has not answered Anna yet; Boris's answer goes through all the same.
    await asyncio.wait_for(boris.send("Сбер"), timeout=5)
    assert "Кем ты" in (boris.last.text or "") or "позици" in (boris.last.text or "").lower()
    assert not annas.done()

    slow.go_on.set()
    await asyncio.wait_for(annas, timeout=5)
    assert anna.last.text == boris.last.text  # both were asked the next question
    async with bot_app.sessionmaker() as session:
        drafts = {
            record.key.split(":")[2]: str(record.data)
            for record in await session.scalars(select(FsmRecord))
        }
    assert "Яндекс" in drafts[str(anna.chat_id)]
    assert "Сбер" in drafts[str(boris.chat_id)]


async def test_two_people_registering_while_telegram_is_slow_are_both_saved(
    bot_app: BotApp,
) -> None:
    slow = SlowTelegram()
    bot_app.bot.session.middleware(slow)
    anna, boris = bot_app.person(1001), bot_app.person(1002)  # the same name: the same steps
    for person in (anna, boris):
        await person.send("/start")

    # Anna's consent writes her record, then waits for Telegram holding the write gate
    # (SQLite); Boris's consent, which writes too, waits its turn instead of failing with
    # «database is locked».
    slow.chat_id = anna.chat_id
    annas = asyncio.ensure_future(anna.press("✅ Согласиться и начать"))
    await asyncio.wait_for(slow.waiting.wait(), timeout=5)
    boriss = asyncio.ensure_future(boris.press("✅ Согласиться и начать"))
    for _ in range(50):
        await asyncio.sleep(0)
    slow.go_on.set()
    await asyncio.wait_for(asyncio.gather(annas, boriss), timeout=10)

    async with bot_app.sessionmaker() as session:
        users = set(await session.scalars(select(User.id)))
    assert users == {anna.user.id, boris.user.id}
    assert anna.last.text == boris.last.text  # both went on to the first onboarding question


async def handled_ids(app: BotApp) -> set[int]:
    async with app.sessionmaker() as session:
        return set(await session.scalars(select(ProcessedUpdate.update_id)))


async def test_handled_update_ids_are_forgotten_once_telegram_cannot_resend_them(
    bot_app: BotApp, clock: FakeClock, db_engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "HOUSEKEEPING_BATCH", 2)  # several rounds
    anna = bot_app.person()
    for kind, value in STEPS[:5]:
        await act(anna, kind, value)
    old = await handled_ids(bot_app)
    clock.advance(days=3, minutes=1)
    recent_update = bot_app.fake.send_text(anna.user, "/help")
    await bot_app.feed(recent_update, anna.chat_id)
    recent = await handled_ids(bot_app) - old
    delivery = NudgeDelivery(
        bot=bot_app.bot,
        sessionmaker=bot_app.sessionmaker,
        gate=WriteGate.for_engine(db_engine),
        i18n=create_i18n("ru"),
        clock=clock,
    )

    assert await NudgeScheduler(delivery, None).housekeeping() == len(old) == 5

    assert await handled_ids(bot_app) == recent
    assert await bot_app.feed(recent_update, anna.chat_id) == []  # still skipped
