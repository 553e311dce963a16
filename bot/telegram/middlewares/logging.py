"""One log line per handled update: id, type, handler and duration. No texts, no names."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.event.handler import HandlerObject
from aiogram.types import TelegramObject, Update

from bot.app.metrics import Metrics

logger = logging.getLogger("bot.updates")

# Loggers that would write what people typed: aiogram's own per-update line (ours replaces
# it) and database drivers, which log query parameters (names, texts) at DEBUG.
CHATTY_LOGGERS = ("aiogram.event", "aiosqlite", "asyncpg", "sqlalchemy.engine")


def quiet_chatty_loggers() -> None:
    """Keep them at WARNING whatever LOG_LEVEL says."""
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


@dataclass
class UpdateTrace:
    handler: str = "-"


def handler_name(handler: HandlerObject) -> str:
    callback = handler.callback
    module = getattr(callback, "__module__", "") or ""
    name = getattr(callback, "__qualname__", type(callback).__name__)
    return f"{module.removeprefix('bot.telegram.handlers.')}.{name}"


class UpdateLogMiddleware(BaseMiddleware):
    """Outer middleware on updates: times the whole update, writes the line and, when given
    :class:`Metrics`, counts it and records its duration."""

    def __init__(self, metrics: Metrics | None = None) -> None:
        self.metrics = metrics

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        trace = UpdateTrace()
        data["update_trace"] = trace
        started = time.perf_counter()
        outcome = "ok"
        try:
            return await handler(event, data)
        except BaseException:
            outcome = "error"
            raise
        finally:
            elapsed = time.perf_counter() - started
            elapsed_ms = elapsed * 1000
            update_id = event.update_id if isinstance(event, Update) else -1
            update_type = event.event_type if isinstance(event, Update) else type(event).__name__
            if self.metrics is not None:
                self.metrics.observe_update(update_type, trace.handler, outcome, elapsed)
            logger.info(
                "update=%s type=%s handler=%s duration_ms=%.1f outcome=%s",
                update_id,
                update_type,
                trace.handler,
                elapsed_ms,
                outcome,
            )


class HandlerTraceMiddleware(BaseMiddleware):
    """Inner middleware on every event type: records which handler took the update."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        trace = data.get("update_trace")
        handler_object = data.get("handler")
        if isinstance(trace, UpdateTrace) and isinstance(handler_object, HandlerObject):
            trace.handler = handler_name(handler_object)
        return await handler(event, data)
