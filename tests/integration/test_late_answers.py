"""A button answered too late (a slow update, or an update that came again after a replica
died) still does its work: only the toast is lost, never the person's answer."""

from __future__ import annotations

import gc
import weakref

import pytest
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import Response
from aiogram.types import Message
from sqlalchemy import select

from bot.db.models import User
from tests.fakeapi.core import QUERY_TOO_OLD
from tests.harness import BotApp

APOLOGY_START = "😔 Извините"


async def test_consent_pressed_long_ago_still_starts_onboarding(app: BotApp) -> None:
    anna = app.person()
    await anna.send("/start")
    app.fake.fail_next("answerCallbackQuery", error_code=400, description=QUERY_TOO_OLD)

    replies = await anna.press("✅ Согласиться и начать")

    [late] = app.fake.calls_to("answerCallbackQuery")
    assert late.status == 400
    assert not any((m.text or "").startswith(APOLOGY_START) for m in replies)
    assert "Несколько коротких вопросов" in (anna.last.text or "")
    async with app.sessionmaker() as session:
        user = await session.scalar(select(User).where(User.id == anna.chat_id))
    assert user is not None
    assert user.consented_at is not None


async def test_a_late_alert_is_still_an_error_for_whoever_sent_it(app: BotApp) -> None:
    """An alert must be read: its caller hears of the failure (and says it in the chat)."""
    anna = app.person()
    await anna.send("/start")
    update = app.fake.press_button(anna.user, "✅ Согласиться и начать")
    query_id = update["callback_query"]["id"]
    app.fake.fail_next("answerCallbackQuery", error_code=400, description=QUERY_TOO_OLD)
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await app.bot.answer_callback_query(query_id, "Важно", show_alert=True)


async def test_other_bad_requests_still_fail(app: BotApp) -> None:
    anna = app.person()
    await anna.send("/start")
    update = app.fake.press_button(anna.user, "✅ Согласиться и начать")
    app.fake.fail_next("answerCallbackQuery", error_code=400, description="Bad Request: oops")
    with pytest.raises(TelegramBadRequest, match="oops"):
        await app.bot.answer_callback_query(update["callback_query"]["id"])


async def test_answer_types_are_built_once_not_on_every_call(app: BotApp) -> None:
    """pydantic drops an unreferenced ``Response[Message]`` and rebuilds it on the next call;
    the bot keeps the ones it has used, so one class serves every answer."""
    anna = app.person()
    await anna.send("/start")  # a sendMessage: its answer type is now in use
    used = weakref.ref(Response[Message])
    gc.collect()
    assert used() is not None
    assert Response[Message] is used()
