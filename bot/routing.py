"""Cheaper routing: synchronous filters run in the event loop, and button presses and messages
skip the routers that could not take them.

**Filters in the loop.**
aiogram calls a filter that is not a coroutine function (a ``State``, an ``F`` magic filter, a
plain function) through ``asyncio.to_thread``: a hand-off to the default executor and back,
with its wake-ups, for what is a few attribute reads. With a dozen such filters tried on an
update, those hand-offs cost more than the filters themselves and add latency under load.
Our filters are pure and cheap, so once the routers are assembled each synchronous filter is
wrapped in a coroutine that calls it directly. Handlers are left as aiogram runs them.

**Callback prefixes.** A button press is offered to every router in turn, and each of their
handlers unpacks the callback data against its own ``CallbackData`` class (raising and
catching an error for each one that is not it) until one matches: some twenty checks for a
press on the last feature router. Where every callback-query handler of a router needs a
``CallbackData`` filter, the set of their prefixes is a necessary condition, so it is added as
the router's own (root) filter: one set lookup, and a press for another feature moves on to
the next router at once. A router with any other callback handler keeps no such filter.

**Message needs.** A typed answer in the middle of a conversation is likewise tried against
the commands, states and menu buttons of every router before its own: some fifty checks. Each
message handler of ours needs one of: a command (``Command``: the text starts with its
prefix), a state (``State`` / ``StateFilter``), or a menu button's text (``TextIn``). Where
every message handler of a router needs one of these, their union becomes the router's root
filter, and a message none of them could take skips the router with one check. A router
with any other message handler (a catch-all, a magic filter alone, any state) keeps none.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from aiogram import Router
from aiogram.dispatcher.event.handler import FilterObject
from aiogram.dispatcher.event.telegram import TelegramEventObserver
from aiogram.filters import Command, Filter, StateFilter
from aiogram.filters.callback_data import CallbackQueryFilter
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n

from bot.telegram.filters import TextIn

__all__ = [
    "CallbackPrefixes",
    "MessageNeeds",
    "filters_of",
    "route_callbacks_by_prefix",
    "route_messages_by_need",
    "routers_under",
    "run_sync_filters_inline",
]


def _inline(callback: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
    async def call_inline(*args: Any, **kwargs: Any) -> Any:
        return callback(*args, **kwargs)

    return call_inline


def filters_of(router: Router) -> Iterator[FilterObject]:
    """Every filter of ``router`` and of the routers under it: the observers' own (set with
    ``.filter()``) and each handler's."""
    for each in routers_under(router):
        for observer in each.observers.values():
            if not isinstance(observer, TelegramEventObserver):
                continue
            yield from observer._handler.filters or ()
            for handler in observer.handlers:
                yield from handler.filters or ()


def routers_under(router: Router) -> Iterator[Router]:
    """``router`` and every router included in it, depth first."""
    yield router
    for sub_router in router.sub_routers:
        yield from routers_under(sub_router)


def run_sync_filters_inline(router: Router) -> int:
    """Make every synchronous filter under ``router`` a coroutine; returns how many were.

    The filter's parameters (which of the handler data it receives) were read from the
    original callable by aiogram and stay as they are."""
    changed = 0
    for event_filter in filters_of(router):
        if event_filter.awaitable:
            continue
        event_filter.callback = _inline(event_filter.callback)
        event_filter.awaitable = True
        changed += 1
    return changed


class CallbackPrefixes(Filter):
    """Root filter: the callback data starts with one of the prefixes a router's handlers
    unpack (``prefix`` + the ``CallbackData`` separator)."""

    def __init__(self, prefixes: dict[str, frozenset[str]]) -> None:
        self.prefixes = prefixes  # separator -> prefixes

    async def __call__(self, query: CallbackQuery) -> bool:
        data = query.data
        if not data:
            return False
        return any(
            data.partition(separator)[0] in prefixes
            for separator, prefixes in self.prefixes.items()
        )


def _callback_prefixes(observer: TelegramEventObserver) -> dict[str, frozenset[str]] | None:
    """The prefixes every handler of the observer requires, or None if one requires none."""
    found: dict[str, set[str]] = {}
    for handler in observer.handlers:
        # The handler's filters must all pass, so its first CallbackData filter is necessary.
        callback_data = next(
            (
                f.callback.callback_data
                for f in handler.filters or ()
                if isinstance(f.callback, CallbackQueryFilter)
            ),
            None,
        )
        if callback_data is None:
            return None
        found.setdefault(callback_data.__separator__, set()).add(callback_data.__prefix__)
    return {separator: frozenset(prefixes) for separator, prefixes in found.items()}


def route_callbacks_by_prefix(router: Router) -> list[Router]:
    """Give each router under ``router`` whose callback-query handlers all need
    ``CallbackData`` a root filter on those prefixes; returns the routers that got one."""
    changed = []
    for each in routers_under(router):
        observer = each.callback_query
        if not observer.handlers:
            continue
        prefixes = _callback_prefixes(observer)
        if prefixes:
            observer.filter(CallbackPrefixes(prefixes))
            changed.append(each)
    return changed


class MessageNeeds(Filter):
    """Root filter: could any message handler of a router take this message? Each handler
    needs a command (one of its prefixes), one of its states, or one of its button texts;
    ``a | b`` is what either needs."""

    def __init__(
        self,
        *,
        prefixes: frozenset[str] = frozenset(),
        states: frozenset[str | None] = frozenset(),
        texts: frozenset[str] = frozenset(),
    ) -> None:
        self.prefixes = prefixes
        self.states = states
        self.texts = texts

    def __or__(self, other: MessageNeeds) -> MessageNeeds:
        return MessageNeeds(
            prefixes=self.prefixes | other.prefixes,
            states=self.states | other.states,
            texts=self.texts | other.texts,
        )

    async def __call__(self, message: Message, raw_state: str | None = None) -> bool:
        if raw_state in self.states:
            return True
        text = message.text or message.caption
        if not text:
            return False
        # aiogram reads a command from the text's first word, leading spaces dropped
        return text in self.texts or text.lstrip()[:1] in self.prefixes


def _state_names(state: object) -> set[str | None] | None:
    """The raw states one allowed state of a ``State`` / ``StateFilter`` filter stands for;
    None when it is any state (``"*"``) or a kind this does not know."""
    if isinstance(state, State):
        state = state.state
    if isinstance(state, StatesGroup):
        state = type(state)
    if isinstance(state, type) and issubclass(state, StatesGroup):
        return set(state.__all_states_names__)
    if state is None or (isinstance(state, str) and state != "*"):
        return {state}
    return None


def _need(callback: object, i18n: I18n) -> MessageNeeds | None:
    """What one handler filter requires of every message it passes; None when it is not a
    command, state or menu-text filter (or accepts any state)."""
    if isinstance(callback, Command):
        return MessageNeeds(prefixes=frozenset(callback.prefix))
    if isinstance(callback, TextIn):
        return MessageNeeds(texts=callback.texts(i18n))
    if isinstance(callback, State | StateFilter):
        allowed = callback.states if isinstance(callback, StateFilter) else (callback,)
        names: set[str | None] = set()
        for state in allowed:
            accepted = _state_names(state)
            if accepted is None:
                return None
            names |= accepted
        return MessageNeeds(states=frozenset(names))
    return None


def _message_needs(observer: TelegramEventObserver, i18n: I18n) -> MessageNeeds | None:
    """What any of the observer's handlers needs; None if one needs nothing known."""
    needs = MessageNeeds()
    for handler in observer.handlers:
        # All of a handler's filters must pass: any one of them it is known to need will do.
        need = next(
            (n for f in handler.filters or () if (n := _need(f.callback, i18n)) is not None), None
        )
        if need is None:
            return None
        needs |= need
    return needs


def route_messages_by_need(router: Router, i18n: I18n) -> list[Router]:
    """Give each router under ``router`` whose message handlers each need a command, a
    state or a button text a root filter on the union of those; returns the routers that
    got one."""
    changed = []
    for each in routers_under(router):
        observer = each.message
        if not observer.handlers:
            continue
        needs = _message_needs(observer, i18n)
        if needs is not None:
            observer.filter(needs)
            changed.append(each)
    return changed
