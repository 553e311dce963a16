"""Webhook mode: the secret token guards the route; health checks tell orchestrators."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiogram.fsm.storage.redis import RedisStorage
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import web as bot_web
from bot.app.factory import redis_ping
from bot.app.web import build_app, webhook_path
from bot.db.engine import create_sessionmaker
from bot.db.fsm_storage import SQLAlchemyStorage
from tests.databases import NO_REDIS, REDIS_URL
from tests.harness import BotApp, make_settings

URL = "https://bot.example.com/telegram/hook"
SECRET = "s3cret_token-42"


@pytest.fixture
async def client(
    app: BotApp, engine: AsyncEngine
) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    settings = make_settings(webhook_url=URL, webhook_secret=SECRET)
    web_app = build_app(settings=settings, engine=engine, dispatcher=app.dp, bot=app.bot)
    async with TestClient(TestServer(web_app)) as client:
        yield client


def test_the_path_comes_from_the_webhook_url() -> None:
    assert webhook_path(URL) == "/telegram/hook"
    assert webhook_path("https://bot.example.com") == "/webhook"


@pytest.mark.parametrize("headers", [{}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}])
async def test_without_the_right_secret_nothing_is_processed(
    app: BotApp, client: TestClient[web.Request, web.Application], headers: dict[str, str]
) -> None:
    person = app.person()
    update = app.fake.send_text(person.user, "/start")
    response = await client.post("/telegram/hook", json=update, headers=headers)
    assert response.status == 401
    assert app.fake.bot_messages(person.chat_id) == []


async def test_with_the_secret_the_update_is_handled(
    app: BotApp, client: TestClient[web.Request, web.Application]
) -> None:
    person = app.person()
    update = app.fake.send_text(person.user, "/start")
    response = await client.post(
        "/telegram/hook", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
    )
    assert response.status == 200
    [reply] = app.fake.bot_messages(person.chat_id)
    assert (reply.text or "").startswith("👋 Здравствуйте!")


async def test_health_and_readiness(app: BotApp, engine: AsyncEngine) -> None:
    settings = make_settings()
    healthy = build_app(settings=settings, engine=engine, scheduler_running=lambda: True)
    async with TestClient(TestServer(healthy)) as client:
        assert (await client.get("/healthz")).status == 200
        ready = await client.get("/readyz")
        assert ready.status == 200
        assert (await ready.json())["status"] == "ready"
    stalled = build_app(settings=settings, engine=engine, scheduler_running=lambda: False)
    async with TestClient(TestServer(stalled)) as client:
        response = await client.get("/readyz")
        assert response.status == 503
        assert (await response.json())["failing"] == ["scheduler"]
    assert app.fake.calls == []  # health checks never talk to Telegram


async def readiness(app: web.Application) -> tuple[int, dict[str, object]]:
    async with TestClient(TestServer(app)) as client:
        response = await client.get("/readyz")
        body: dict[str, object] = await response.json()
        return response.status, body


async def test_a_replica_whose_redis_is_gone_is_not_ready(engine: AsyncEngine) -> None:
    """Conversations live in Redis: without it the replica cannot take updates, so the
    balancer should stop sending them there."""
    storage = RedisStorage.from_url("redis://127.0.0.1:1/0")  # nothing listens there
    try:
        probe = redis_ping(storage)
        assert probe is not None
        status, body = await readiness(
            build_app(settings=make_settings(), engine=engine, redis_ping=probe)
        )
    finally:
        await storage.close()
    assert status == 503
    assert body["failing"] == ["redis"]


async def test_readiness_with_redis_up(engine: AsyncEngine) -> None:
    if not REDIS_URL:
        pytest.skip(NO_REDIS)
    storage = RedisStorage.from_url(REDIS_URL)
    try:
        status, body = await readiness(
            build_app(settings=make_settings(), engine=engine, redis_ping=redis_ping(storage))
        )
    finally:
        await storage.close()
    assert (status, body["status"]) == (200, "ready")


def test_conversations_in_the_database_need_no_redis_probe(engine: AsyncEngine) -> None:
    assert redis_ping(SQLAlchemyStorage(create_sessionmaker(engine))) is None


async def test_a_probe_that_hangs_counts_as_failing_within_the_bound(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An orchestrator's probe has its own timeout; ours answers 503 before it, naming what
    hangs, instead of leaving the request open."""
    monkeypatch.setattr(bot_web, "READY_TIMEOUT", 0.05)
    never = asyncio.Event()
    status, body = await readiness(
        build_app(settings=make_settings(), engine=engine, redis_ping=never.wait)
    )
    assert status == 503
    assert body["failing"] == ["redis"]
