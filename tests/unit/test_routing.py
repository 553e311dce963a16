"""Cheaper routing that decides as before: synchronous filters run in the event loop's thread;
button presses skip the routers whose callback data they do not carry."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any, ClassVar

import pytest
from aiogram import Dispatcher, F, Router
from aiogram.dispatcher.event.handler import HandlerObject
from aiogram.filters import Command, StateFilter
from aiogram.filters.callback_data import CallbackData, CallbackQueryFilter
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import StorageKey
from aiogram.types import CallbackQuery, Chat, Message, Update, User

from bot.routing import (
    CallbackPrefixes,
    MessageNeeds,
    filters_of,
    route_callbacks_by_prefix,
    route_messages_by_need,
    run_sync_filters_inline,
)
from bot.telegram.i18n import create_i18n
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


class Pick(CallbackData, prefix="pick"):
    value: str


class Move(CallbackData, prefix="mv"):
    step: str


class Other(CallbackData, prefix="other"):
    value: str


def press_update(update_id: int, data: str) -> Update:
    person = User(id=7, is_bot=False, first_name="Анна")
    message = Message(
        message_id=1,
        date=datetime(2026, 11, 26, tzinfo=UTC),
        chat=Chat(id=7, type="private"),
        text="?",
    )
    query = CallbackQuery(
        id=str(update_id), from_user=person, chat_instance="ci", message=message, data=data
    )
    return Update(update_id=update_id, callback_query=query)


class Counting(CallbackQueryFilter):
    """The CallbackData filter, counting how often a press is tried against it."""

    tried: ClassVar[list[str]] = []

    async def __call__(self, query: Any) -> Any:
        Counting.tried.append(self.callback_data.__prefix__)
        return await super().__call__(query)


def feature_routers(handled: list[str]) -> Dispatcher:
    dp = Dispatcher()
    picks = Router(name="picks")  # every handler needs a CallbackData: gets a root filter
    loose = Router(name="loose")  # one handler without: keeps none
    others = Router(name="others")

    @picks.callback_query(Counting(callback_data=Pick))
    async def pick(query: CallbackQuery, callback_data: Pick) -> None:
        handled.append(f"pick {callback_data.value}")

    @picks.callback_query(F.data.endswith("!"), Counting(callback_data=Move))
    async def move(query: CallbackQuery, callback_data: Move) -> None:
        handled.append(f"move {callback_data.step}")

    @loose.callback_query(F.data == "legacy")
    async def legacy(query: CallbackQuery) -> None:
        handled.append("legacy")

    @others.callback_query(Counting(callback_data=Other))
    async def other(query: CallbackQuery, callback_data: Other) -> None:
        handled.append(f"other {callback_data.value}")

    dp.include_routers(picks, loose, others)
    return dp


async def test_presses_skip_routers_whose_buttons_they_are_not() -> None:
    handled: list[str] = []
    dp = feature_routers(handled)
    changed = route_callbacks_by_prefix(dp)
    assert [router.name for router in changed] == ["picks", "others"]
    root = changed[0].callback_query._handler.filters or []
    assert isinstance(root[-1].callback, CallbackPrefixes)
    assert root[-1].callback.prefixes == {":": frozenset({"pick", "mv"})}
    run_sync_filters_inline(dp)
    bot = make_bot(FakeTelegram(TOKEN), TOKEN)
    Counting.tried.clear()

    await dp.feed_update(bot, press_update(1, "other:x"))
    assert handled == ["other x"]
    assert Counting.tried == ["other"]  # Pick and Move were never tried

    for number, data in enumerate(["pick:a", "mv:2", "legacy", "mv:3!", "picky:a", ""], 2):
        await dp.feed_update(bot, press_update(number, data))
    assert handled == ["other x", "pick a", "legacy", "move 3!"]  # as without the filter


def test_a_router_with_any_other_press_handler_keeps_no_prefix_filter() -> None:
    dp = feature_routers([])
    route_callbacks_by_prefix(dp)
    loose = next(router for router in dp.sub_routers if router.name == "loose")
    assert not loose.callback_query._handler.filters


def test_the_bots_feature_routers_route_presses_by_prefix(app: BotApp) -> None:
    filtered = {
        router.name
        for router in app.dp.chain_tail
        if any(
            isinstance(f.callback, CallbackPrefixes)
            for f in router.callback_query._handler.filters or ()
        )
    }
    assert {"intake", "settings", "reminders", "journal"} <= filtered
    assert "fallback" not in filtered  # its handler answers any stale press


class Survey(StatesGroup):
    name = State()
    city = State()


def message_routers(handled: list[str], tried: list[str]) -> Dispatcher:
    """Routers whose handlers each need a command or a state, and one that takes any text;
    ``tried`` records every handler whose own filters were reached."""

    def seen(name: str) -> Any:
        def reached(_message: Message) -> bool:
            tried.append(name)
            return True

        return reached

    dp = Dispatcher()
    commands, survey, anything = Router(name="commands"), Router(name="survey"), Router()

    @commands.message(Command("new", prefix="/!"), seen("new"))
    async def new(_message: Message) -> None:
        handled.append("new")

    @survey.message(Survey.name, seen("name"))
    async def name(message: Message) -> None:
        handled.append(f"name {message.text}")

    @survey.message(StateFilter(Survey), F.text, seen("survey"))
    async def in_survey(message: Message) -> None:
        handled.append(f"survey {message.text}")

    @anything.message(F.text, seen("anything"))
    async def other(message: Message) -> None:
        handled.append(f"other {message.text}")

    dp.include_routers(commands, survey, anything)
    return dp


async def test_messages_skip_routers_whose_commands_and_states_they_are_not() -> None:
    handled: list[str] = []
    tried: list[str] = []
    dp = message_routers(handled, tried)
    changed = route_messages_by_need(dp, create_i18n())
    assert [router.name for router in changed] == ["commands", "survey"]  # not the catch-all
    needs = changed[1].message._handler.filters or []
    assert isinstance(needs[-1].callback, MessageNeeds)
    assert needs[-1].callback.states == {Survey.name.state, Survey.city.state}
    run_sync_filters_inline(dp)
    bot = make_bot(FakeTelegram(TOKEN), TOKEN)

    await dp.feed_update(bot, text_update(1, "hello"))
    assert (handled, tried) == (["other hello"], ["anything"])  # two routers skipped whole

    for number, text in enumerate(["/new", "  !new", "/other"], 2):
        await dp.feed_update(bot, text_update(number, text))
    assert handled[1:] == ["new", "new", "other /other"]  # prefixes as Command reads them

    key = StorageKey(bot_id=bot.id, chat_id=7, user_id=7)
    await dp.storage.set_state(key, Survey.city)
    handled.clear()
    await dp.feed_update(bot, text_update(9, "Казань"))
    assert handled == ["survey Казань"]
    await dp.storage.set_state(key, Survey.name)
    await dp.feed_update(bot, text_update(10, "Анна"))
    assert handled == ["survey Казань", "name Анна"]


@pytest.mark.parametrize(
    "catch_all",
    [StateFilter("*"), F.text, lambda _message: True],
    ids=["any state", "a magic filter alone", "a function"],
)
def test_a_router_with_a_handler_needing_nothing_known_keeps_no_filter(catch_all: Any) -> None:
    router = Router()

    @router.message(Command("new"))
    async def new(_message: Message) -> None:  # pragma: no cover - never fed
        pass

    @router.message(catch_all)
    async def anything(_message: Message) -> None:  # pragma: no cover - never fed
        pass

    assert route_messages_by_need(router, create_i18n()) == []
    assert not router.message._handler.filters


def test_the_bots_routers_route_messages_by_need(app: BotApp) -> None:
    filtered = {
        router.name
        for router in app.dp.chain_tail
        if any(isinstance(f.callback, MessageNeeds) for f in router.message._handler.filters or ())
    }
    assert {"common", "onboarding", "settings", "journal", "intake"} <= filtered
    assert "fallback" not in filtered  # it answers whatever nobody else took


async def test_a_typed_answer_in_the_intake_is_tried_by_few_filters(
    app: BotApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The company name typed on the intake's first step: before the message filters, some
    fifty checks (every command and state of the routers before the intake's)."""
    anna = app.person()
    await anna.send("/start")
    await anna.press("✅ Согласиться и начать")
    await anna.press("Оставить «Анна Иванова»")
    await anna.press("Пропустить →")
    await anna.press("Оставить Europe/Moscow")
    await anna.send("/new")
    checks = 0
    check = HandlerObject.check

    async def counted(self: HandlerObject, *args: Any, **kwargs: Any) -> Any:
        nonlocal checks
        checks += 1
        return await check(self, *args, **kwargs)

    monkeypatch.setattr(HandlerObject, "check", counted)
    replies = await anna.send("Яндекс")
    assert any("Яндекс" in (reply.text or "") or reply.buttons for reply in replies)
    assert checks <= 25, checks  # root checks of the routers on the way, and the intake's
