"""Prometheus metrics, served at ``/metrics`` next to the health checks.

- ``bot_updates_total{type, handler, outcome}``: updates handled;
- ``bot_update_duration_seconds{type, handler}``: the time from taking an update to its
  commit (middlewares, handler, database), as a histogram;
- ``bot_telegram_api_errors_total{method, code}``: failed Bot API calls (429, 403, 400,
  5xx, or ``network`` when no answer came);
- ``bot_reminders{status}``: reminders by status, counted in the database when scraped, so every
  replica reports the same totals whoever sent them.

Each process has its own :class:`Metrics` with its own registry (tests run several apps in
one process); nothing is global.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Final

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramConflictError,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from bot.domain.reminders import ReminderStatus

CONTENT_TYPE: Final = CONTENT_TYPE_LATEST
LATENCY_BUCKETS: Final = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

_ERROR_CODES: Final[tuple[tuple[type[TelegramAPIError], str], ...]] = (
    (TelegramRetryAfter, "429"),
    (TelegramForbiddenError, "403"),
    (TelegramUnauthorizedError, "401"),
    (TelegramNotFound, "404"),
    (TelegramConflictError, "409"),
    (TelegramEntityTooLarge, "413"),
    (TelegramBadRequest, "400"),
    (TelegramServerError, "5xx"),
    (TelegramNetworkError, "network"),
)


def error_code(error: TelegramAPIError) -> str:
    """The HTTP-like code of a Bot API failure, as a label."""
    for kind, code in _ERROR_CODES:
        if isinstance(error, kind):
            return code
    return "other"


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.updates = Counter(
            "bot_updates",
            "Updates handled, by update type, handler and outcome (ok or error).",
            ["type", "handler", "outcome"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "bot_update_duration_seconds",
            "Time to handle one update: middlewares, handler and commit.",
            ["type", "handler"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.api_errors = Counter(
            "bot_telegram_api_errors",
            "Failed Bot API calls, by method and error code (network: no answer).",
            ["method", "code"],
            registry=self.registry,
        )
        self.reminders = Gauge(
            "bot_reminders",
            "Reminders in the database, by status.",
            ["status"],
            registry=self.registry,
        )

    def observe_update(self, kind: str, handler: str, outcome: str, seconds: float) -> None:
        self.updates.labels(kind, handler, outcome).inc()
        self.latency.labels(kind, handler).observe(seconds)

    def api_error(self, method: str, error: TelegramAPIError) -> None:
        self.api_errors.labels(method, error_code(error)).inc()

    def set_reminders(self, counts: dict[str, int]) -> None:
        for status in ReminderStatus:
            self.reminders.labels(status.value).set(counts.get(status.value, 0))

    async def exposition(self, count_reminders: Callable[[], Awaitable[dict[str, int]]]) -> bytes:
        """The text Prometheus scrapes, with the reminder counts fresh from the database."""
        self.set_reminders(await count_reminders())
        return generate_latest(self.registry)


class ApiErrorMetrics(BaseRequestMiddleware):
    """Bot session middleware: counts every failed Bot API call, whoever made it."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        try:
            return await make_request(bot, method)
        except TelegramAPIError as error:
            self.metrics.api_error(method.__api_method__, error)
            raise


def install(bot: Bot, metrics: Metrics) -> Any:
    """Count the API errors of this bot's requests."""
    return bot.session.middleware(ApiErrorMetrics(metrics))
