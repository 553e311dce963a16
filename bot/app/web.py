"""The HTTP side: the webhook (with its secret), health checks for orchestrators."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.types import Update
from aiohttp import web
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.app.config import Settings
from bot.app.metrics import CONTENT_TYPE, Metrics
from bot.db.repositories.reminders import ReminderRepository

DEFAULT_WEBHOOK_PATH = "/webhook"
READY_TIMEOUT = 3.0  # seconds a readiness probe may take before it counts as failing
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name

Handler = Callable[[web.Request], Awaitable[web.Response]]


def webhook_path(url: str) -> str:
    """The path Telegram posts to, taken from ``WEBHOOK_URL``."""
    return urlsplit(url).path or DEFAULT_WEBHOOK_PATH


def build_app(
    *,
    settings: Settings,
    engine: AsyncEngine,
    dispatcher: Dispatcher | None = None,
    bot: Bot | None = None,
    scheduler_running: Callable[[], bool] | None = None,
    metrics: Metrics | None = None,
    redis_ping: Callable[[], Awaitable[Any]] | None = None,
) -> web.Application:
    """``/healthz`` (alive), ``/readyz`` (database reachable, Redis too where conversations
    live there, scheduler running where this process has one; each probe bounded by
    :data:`READY_TIMEOUT`), and either the webhook route (given a dispatcher and a bot in
    webhook mode), which answers 401 without the right ``X-Telegram-Bot-Api-Secret-Token``,
    or ``/metrics`` (Prometheus, when given :class:`Metrics`). Never both: the webhook's port
    is public, and metrics are served on the health port only (``HEALTH_PORT``)."""
    app = web.Application()

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def database_ping() -> None:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    probes: dict[str, Callable[[], Awaitable[Any]]] = {"database": database_ping}
    if redis_ping is not None:
        probes["redis"] = redis_ping

    async def answers(probe: Callable[[], Awaitable[Any]]) -> bool:
        try:
            await asyncio.wait_for(probe(), READY_TIMEOUT)
        except Exception:  # noqa: BLE001 - any failure (a timeout too) means not ready
            return False
        return True

    async def readyz(_request: web.Request) -> web.Response:
        results = await asyncio.gather(*(answers(probe) for probe in probes.values()))
        problems = [name for name, ok in zip(probes, results, strict=True) if not ok]
        if scheduler_running is not None and not scheduler_running():
            problems.append("scheduler")
        if problems:
            return web.json_response({"status": "unavailable", "failing": problems}, status=503)
        return web.json_response({"status": "ready"})

    async def count_reminders() -> dict[str, int]:
        async with AsyncSession(engine) as session:
            return await ReminderRepository(session).count_by_status()

    async def prometheus(_request: web.Request) -> web.Response:
        assert metrics is not None
        body = await metrics.exposition(count_reminders)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    if settings.webhook_url and dispatcher is not None and bot is not None:
        secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
        app.router.add_post(webhook_path(settings.webhook_url), webhook(dispatcher, bot, secret))
    elif metrics is not None:
        app.router.add_get("/metrics", prometheus)
    return app


def webhook(dispatcher: Dispatcher, bot: Bot, secret: str) -> Handler:
    """Telegram's POST: 401 without the right secret; otherwise 200 only once the update is
    handled and committed, however long that takes, so an acknowledged update is never lost
    when a replica dies. (aiogram's own handler answers after 55 s whatever happened, and
    closes the bot's session when the server stops, before the updates in flight finish.)"""

    async def handle(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not secrets.compare_digest(given.encode(), secret.encode()):
            return web.Response(status=401, text="Unauthorized")
        try:
            update = Update.model_validate(await request.json(), context={"bot": bot})
        except ValueError:
            return web.Response(status=400, text="Bad Request")
        await dispatcher.feed_update(bot, update)
        return web.json_response({})

    return handle
