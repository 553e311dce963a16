"""The HTTP side: the webhook (with its secret), health checks for orchestrators."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.config import Settings
from bot.db.repositories.nudges import NudgeRepository
from bot.metrics import CONTENT_TYPE, Metrics

DEFAULT_WEBHOOK_PATH = "/webhook"


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
) -> web.Application:
    """``/healthz`` (alive), ``/readyz`` (database reachable, scheduler running where this
    process has one), ``/metrics`` (Prometheus, when given :class:`Metrics`) and, in webhook
    mode, the webhook route, which answers 401 without the right
    ``X-Telegram-Bot-Api-Secret-Token``."""
    app = web.Application()

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def readyz(_request: web.Request) -> web.Response:
        problems = []
        try:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception:  # noqa: BLE001 - any failure means not ready
            problems.append("database")
        if scheduler_running is not None and not scheduler_running():
            problems.append("scheduler")
        if problems:
            return web.json_response({"status": "unavailable", "failing": problems}, status=503)
        return web.json_response({"status": "ready"})

    async def count_nudges() -> dict[str, int]:
        async with AsyncSession(engine) as session:
            return await NudgeRepository(session).count_by_status()

    async def prometheus(_request: web.Request) -> web.Response:
        assert metrics is not None
        body = await metrics.exposition(count_nudges)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    if metrics is not None:
        app.router.add_get("/metrics", prometheus)
    if settings.webhook_url and dispatcher is not None and bot is not None:
        secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
        # Answer Telegram only once the update is handled (and committed): an update that
        # was acknowledged is never lost when a replica dies.
        SimpleRequestHandler(
            dispatcher, bot, handle_in_background=False, secret_token=secret
        ).register(app, path=webhook_path(settings.webhook_url))
    return app
