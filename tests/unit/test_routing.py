"""Synchronous filters run in the event loop's thread, and still decide the same way."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from aiogram import Dispatcher, F
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import Chat, Message, Update, User

from bot.routing import filters_of, run_sync_filters_inline
from tests.fakeapi.core import FakeTelegram
from tests.fakeapi.session import make_bot
from tests.harness import TOKEN, BotApp


class Form(StatesGroup):
    name = State()


def text_update(update_id: int, text: str) -> Update:
    person = User(id=7, is_bot=False, first_name="Анна")
    message = Message(
        message_id=update_id,
        date=datetime(2026, 11, 26, tzinfo=UTC),
        chat=Chat(id=7, type="private"),
        from_user=person,
        text=text,
    )
    return Update(update_id=update_id, message=message)


def dispatcher_with_sync_filters(threads: list[int], handled: list[str]) -> Dispatcher:
    dp = Dispatcher()

    def long_enough(message: Message) -> bool:  # a plain function: aiogram threads it
        threads.append(threading.get_ident())
        return len(message.text or "") > 2

    @dp.message(F.text.startswith("/"), long_enough)
    async def command(message: Message) -> None:
        handled.append(f"command {message.text}")

    @dp.message(Form.name)
    async def name(message: Message) -> None:  # pragma: no cover - no state is ever set
        handled.append("name")

    @dp.message(F.text)
    async def other(message: Message) -> None:
        handled.append(f"other {message.text}")

    return dp


async def test_sync_filters_run_in_the_loop_thread_and_filter_as_before() -> None:
    threads: list[int] = []
    handled: list[str] = []
    dp = dispatcher_with_sync_filters(threads, handled)
    assert run_sync_filters_inline(dp) == 4  # F.text.startswith, long_enough, the State, F.text
    assert all(event_filter.awaitable for event_filter in filters_of(dp))
    bot = make_bot(FakeTelegram(TOKEN), TOKEN)

    await dp.feed_update(bot, text_update(1, "/new"))
    await dp.feed_update(bot, text_update(2, "/a"))
    await dp.feed_update(bot, text_update(3, "hello"))

    assert handled == ["command /new", "other /a", "other hello"]
    assert threads == [threading.get_ident()] * 2  # the function ran for the two commands


async def test_aiogram_alone_would_run_them_in_another_thread() -> None:
    """What the pass changes: without it the same filter runs in the executor."""
    threads: list[int] = []
    handled: list[str] = []
    dp = dispatcher_with_sync_filters(threads, handled)
    await dp.feed_update(make_bot(FakeTelegram(TOKEN), TOKEN), text_update(1, "/new"))
    assert handled == ["command /new"]
    assert threads != [threading.get_ident()]


def test_the_bots_dispatcher_has_no_filter_left_for_a_thread(app: BotApp) -> None:
    filters = list(filters_of(app.dp))
    assert len(filters) > 30  # the walk reaches the nested routers
    assert all(event_filter.awaitable for event_filter in filters)
