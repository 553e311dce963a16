"""Prometheus metrics: what an operator's dashboard shows after real conversations.

The app is the production dispatcher (with its :class:`Metrics`) and an in-process fake
Telegram; ``/metrics`` is scraped through the real aiohttp app over HTTP.
"""

from __future__ import annotations

import contextlib
from datetime import date, timedelta

from aiogram.exceptions import TelegramAPIError
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app.metrics import Metrics
from bot.app.web import build_app
from bot.db.repositories.interviews import InterviewRepository
from bot.db.repositories.reminders import ReminderRepository
from bot.db.repositories.users import UserRepository
from bot.domain.reminders import ReminderStatus
from tests.harness import BotApp, make_settings


def sample(metrics: Metrics, name: str, **labels: str) -> float:
    return metrics.registry.get_sample_value(name, labels) or 0.0


async def scrape(
    app: BotApp, engine: AsyncEngine
) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    web_app = build_app(settings=make_settings(), engine=engine, metrics=app.metrics)
    async with TestClient(TestServer(web_app)) as client:
        response = await client.get("/metrics")
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain")
        text = await response.text()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


async def test_updates_are_counted_by_type_and_handler_with_their_duration(app: BotApp) -> None:
    anna = app.person()
    await anna.send("/start")
    await anna.press("✅ Согласиться и начать")
    await anna.send("/start")

    metrics = app.metrics
    start = {"type": "message", "handler": "start.cmd_start"}
    consent = {"type": "callback_query", "handler": "start.on_consent"}
    assert sample(metrics, "bot_updates_total", **start, outcome="ok") == 2
    assert sample(metrics, "bot_updates_total", **consent, outcome="ok") == 1
    assert sample(metrics, "bot_updates_total", **consent, outcome="error") == 0
    assert sample(metrics, "bot_update_duration_seconds_count", **start) == 2
    assert sample(metrics, "bot_update_duration_seconds_count", **consent) == 1
    # Every update took some time, and less than the largest bucket.
    assert sample(metrics, "bot_update_duration_seconds_sum", **start) > 0
    assert sample(metrics, "bot_update_duration_seconds_bucket", **start, le="10.0") == 2


async def test_a_failed_update_and_its_api_error_are_counted(app: BotApp) -> None:
    anna = app.person()
    app.fake.fail_next("sendMessage", error_code=500, chat_id=anna.chat_id)
    await anna.send("/start")  # the welcome fails; the apology goes out

    metrics = app.metrics
    failed = {"type": "message", "handler": "start.cmd_start", "outcome": "error"}
    assert sample(metrics, "bot_updates_total", **failed) == 1
    assert sample(metrics, "bot_telegram_api_errors_total", method="sendMessage", code="5xx") == 1
    assert sample(metrics, "bot_telegram_api_errors_total", method="sendMessage", code="429") == 0


async def test_blocked_and_rate_limited_calls_have_their_own_codes(app: BotApp) -> None:
    anna, boris = app.person(), app.person(2002, first_name="Борис")
    await anna.send("/start")
    app.fake.block(boris.user)
    app.fake.fail_next("sendMessage", error_code=429, retry_after=1, chat_id=anna.chat_id)
    for chat_id in (boris.chat_id, anna.chat_id):
        with contextlib.suppress(TelegramAPIError):  # the failure is what is counted
            await app.bot.send_message(chat_id, "test")

    metrics = app.metrics
    assert sample(metrics, "bot_telegram_api_errors_total", method="sendMessage", code="403") == 1
    assert sample(metrics, "bot_telegram_api_errors_total", method="sendMessage", code="429") == 1


async def test_metrics_endpoint_shows_updates_and_reminders_by_status(
    app: BotApp, engine: AsyncEngine
) -> None:
    anna = app.person()
    await anna.send("/start")
    now = app.fake.clock()
    async with app.sessionmaker() as session:
        await UserRepository(session).create(
            user_id=3003, language="ru", signature="Вера", timezone="Europe/Moscow", now=now
        )
        reminders = ReminderRepository(session)
        for company in ("Альфа", "Бета", "Гамма"):
            interview = await InterviewRepository(session).add(
                user_id=3003,
                now=now,
                company=company,
                position="Аналитик",
                channel="email",
                last_stage_on=date(2026, 11, 24),
                all_stages_done=True,
                outcome="waiting",
            )
            await reminders.add(
                user_id=3003,
                interview_id=interview.id,
                kind="send",
                due_at=now + timedelta(days=1),
                now=now,
            )
        [first, *_rest] = await reminders.pending(user_id=3003)
        await reminders.set_status(first, ReminderStatus.SENT, now)
        await session.commit()

    scraped = await scrape(app, engine)

    assert scraped[("bot_reminders", (("status", "pending"),))] == 2
    assert scraped[("bot_reminders", (("status", "sent"),))] == 1
    assert scraped[("bot_reminders", (("status", "failed"),))] == 0
    updates = (("handler", "start.cmd_start"), ("outcome", "ok"), ("type", "message"))
    assert scraped[("bot_updates_total", updates)] == 1
    assert app.fake.calls_to("getMe") == []  # scraping never talks to Telegram


async def test_without_metrics_there_is_no_endpoint(engine: AsyncEngine) -> None:
    web_app = build_app(settings=make_settings(), engine=engine)
    async with TestClient(TestServer(web_app)) as client:
        assert (await client.get("/metrics")).status == 404


async def test_metrics_are_served_on_the_health_port_never_on_the_public_webhook(
    app: BotApp, engine: AsyncEngine
) -> None:
    settings = make_settings(webhook_url="https://bot.example.com/hook", webhook_secret="s3cret")
    public = build_app(
        settings=settings, engine=engine, dispatcher=app.dp, bot=app.bot, metrics=app.metrics
    )
    health = build_app(settings=settings, engine=engine, metrics=app.metrics)
    async with TestClient(TestServer(public)) as client:
        assert (await client.get("/metrics")).status == 404
        assert (await client.get("/healthz")).status == 200
        assert (await client.post("/hook", json={})).status == 401  # the webhook is there
    async with TestClient(TestServer(health)) as client:
        response = await client.get("/metrics")
        assert response.status == 200
        assert "bot_updates_total" in await response.text()
        assert (await client.post("/hook", json={})).status in {404, 405}  # and only there
