"""Webhook mode: the secret token guards the route; health checks tell orchestrators."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.web import build_app, webhook_path
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
