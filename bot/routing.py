"""Synchronous filters run in the event loop, not in a thread.

aiogram calls a filter that is not a coroutine function (a ``State``, an ``F`` magic filter, a
plain function) through ``asyncio.to_thread``: a hand-off to the default executor and back,
with its wake-ups, for what is a few attribute reads. With a dozen such filters tried on an
update, those hand-offs cost more than the filters themselves and add latency under load.
Our filters are pure and cheap, so once the routers are assembled each synchronous filter is
wrapped in a coroutine that calls it directly. Handlers are left as aiogram runs them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from aiogram import Router
from aiogram.dispatcher.event.handler import FilterObject
from aiogram.dispatcher.event.telegram import TelegramEventObserver

__all__ = ["filters_of", "run_sync_filters_inline"]


def _inline(callback: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
    async def call_inline(*args: Any, **kwargs: Any) -> Any:
        return callback(*args, **kwargs)

    return call_inline


def filters_of(router: Router) -> Iterator[FilterObject]:
    """Every filter of ``router`` and of the routers under it: the observers' own (set with
    ``.filter()``) and each handler's."""
    for observer in router.observers.values():
        if not isinstance(observer, TelegramEventObserver):
            continue
        yield from observer._handler.filters or ()
        for handler in observer.handlers:
            yield from handler.filters or ()
    for sub_router in router.sub_routers:
        yield from filters_of(sub_router)


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
