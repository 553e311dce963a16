"""Many people at once: one person's slow Telegram call holds up no one else, concurrent
writers on SQLite are all saved, a redelivered update has no second effect, and handled
update ids are forgotten once Telegram can no longer send that update again."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import create_engine, create_sessionmaker
from bot.db.models import FsmRecord, Interview, ProcessedUpdate, User
from bot.scheduler import runner
from bot.scheduler.delivery import ReminderDelivery
from bot.scheduler.runner import ReminderScheduler
from bot.telegram.i18n import create_i18n
from tests.clock import FakeClock
from tests.harness import BotApp, Person, running_app


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

    # Anna's consent is held up by Telegram; Boris's consent, which writes too, goes through
    # and neither fails with «database is locked».
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
    delivery = ReminderDelivery(
        bot=bot_app.bot,
        sessionmaker=bot_app.sessionmaker,
        i18n=create_i18n("ru"),
        clock=clock,
    )

    assert await ReminderScheduler(delivery, None).housekeeping() == len(old) == 5

    assert await handled_ids(bot_app) == recent
    assert await bot_app.feed(recent_update, anna.chat_id) == []  # still skipped


async def test_twenty_updates_at_once_each_get_a_connection_without_waiting(
    db_engine: AsyncEngine,
) -> None:
    """An update keeps its connection through its Telegram round trips: twenty people served
    at once need twenty connections at once, on SQLite and on PostgreSQL alike, or the later
    ones wait for the others' round trips."""
    people = 20
    holding = 0
    everyone_holds = asyncio.Event()

    async def update() -> None:
        nonlocal holding
        async with db_engine.connect() as connection:
            await connection.execute(select(1))
            holding += 1
            if holding == people:
                everyone_holds.set()
            await everyone_holds.wait()  # the round trips: nobody gives a connection back

    await asyncio.wait_for(asyncio.gather(*(update() for _ in range(people))), timeout=10)
    assert holding == people
