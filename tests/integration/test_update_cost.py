"""What one update costs the database: one transaction, the conversation read once and
written once, the update id recorded in the same single statement that checks it (and
forgotten once Telegram can no longer send that update again)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import WriteGate, create_engine, create_sessionmaker
from bot.db.models import FsmRecord, Interview, ProcessedUpdate
from bot.i18n import create_i18n
from bot.scheduler import runner
from bot.scheduler.delivery import NudgeDelivery
from bot.scheduler.runner import NudgeScheduler
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
    for kind, value in STEPS:
        with measured(db_engine) as cost:
            await act(anna, kind, value)
        assert cost.transactions == 1, (value, cost.transactions)
        assert cost.reads("fsm_states") <= 1, (value, cost.touching("fsm_states"))
        assert cost.writes("fsm_states") <= 1, (value, cost.touching("fsm_states"))
        assert len(cost.touching("processed_updates")) == 1, value

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
