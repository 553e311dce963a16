"""The fake Bot API over real HTTP, driven by aiogram's AiohttpSession."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramRetryAfter,
)
from aiogram.filters import CommandStart
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup, Message

from tests.fakeapi import FakeBotAPIServer, FakeTelegram

USER_ID = 1001
ROOT = Path(__file__).resolve().parents[2]


class QuickCloseSession(AiohttpSession):
    """AiohttpSession without the 250 ms grace sleep on close (keeps the suite fast)."""

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()


@pytest.fixture
def fake() -> FakeTelegram:
    return FakeTelegram()


@pytest.fixture
async def server(fake: FakeTelegram) -> AsyncIterator[FakeBotAPIServer]:
    server = FakeBotAPIServer(fake)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def base_url(server: FakeBotAPIServer) -> str:
    assert server.base_url is not None
    return server.base_url


@pytest.fixture
async def bot(fake: FakeTelegram, base_url: str) -> AsyncIterator[Bot]:
    session = QuickCloseSession(api=TelegramAPIServer.from_base(base_url))
    bot = Bot(fake.token, session=session, default=DefaultBotProperties(parse_mode="HTML"))
    yield bot
    await bot.session.close()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def test_wire_format_errors(
    fake: FakeTelegram, base_url: str, http: aiohttp.ClientSession
) -> None:
    async with http.get(f"{base_url}/bot1:bad/getMe") as response:
        assert response.status == 401
        assert await response.json() == {
            "ok": False,
            "error_code": 401,
            "description": "Unauthorized",
        }
    async with http.post(f"{base_url}/bot{fake.token}/fooBar") as response:
        assert response.status == 404
        assert (await response.json())["description"] == "Not Found"
    async with http.get(f"{base_url}/nothing/here") as response:
        assert response.status == 404
    async with http.get(f"{base_url}/bot{fake.token}/getme") as response:
        assert response.status == 200
        assert response.content_type == "application/json"
        body = await response.json()
        assert body["ok"] is True
        assert body["result"]["username"] == "feedback_test_bot"


async def test_query_string_urlencoded_and_json_bodies(
    fake: FakeTelegram, base_url: str, http: aiohttp.ClientSession
) -> None:
    fake.user(USER_ID, started=True)
    url = f"{base_url}/bot{fake.token}/sendMessage"
    markup = json.dumps({"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]})
    async with http.get(
        url, params={"chat_id": str(USER_ID), "text": "<b>q</b>", "parse_mode": "HTML"}
    ) as r:
        assert (await r.json())["result"]["entities"] == [
            {"offset": 0, "length": 1, "type": "bold"}
        ]
    async with http.post(
        url, data={"chat_id": str(USER_ID), "text": "form", "reply_markup": markup}
    ) as r:
        result = (await r.json())["result"]
        assert result["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "a"
    async with http.post(
        url, json={"chat_id": USER_ID, "text": "json", "disable_notification": True}
    ) as r:
        assert (await r.json())["result"]["text"] == "json"
    async with http.post(url, json={"chat_id": USER_ID, "text": "<b>bad"}) as r:
        assert r.status == 200  # no parse_mode: tags are plain text
    async with http.post(
        url, json={"chat_id": USER_ID, "text": "<b>bad", "parse_mode": "HTML"}
    ) as r:
        assert r.status == 400
        body = await r.json()
        assert body["description"].startswith("Bad Request: can't parse entities: ")
    assert [m.text for m in fake.bot_messages(USER_ID)] == ["q", "form", "json", "<b>bad"]


async def test_long_poll_wakes_up_and_confirms(fake: FakeTelegram, bot: Bot) -> None:
    user = fake.user(USER_ID)
    poll = asyncio.create_task(bot.get_updates(timeout=30))
    await fake.wait_for(lambda: fake.polls_waiting == 1, timeout=5)
    sent = fake.send_text(user, "/start")
    updates = await asyncio.wait_for(poll, 5)
    assert [u.update_id for u in updates] == [sent["update_id"]]
    assert len(fake.pending_updates()) == 1
    assert await bot.get_updates(offset=sent["update_id"] + 1, timeout=0) == []
    assert fake.pending_updates() == []


async def test_long_poll_timeout(bot: Bot) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await asyncio.wait_for(bot.get_updates(timeout=1), 5) == []
    assert 0.9 <= loop.time() - started < 4


async def test_concurrent_get_updates_conflict(fake: FakeTelegram, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=30))
    await fake.wait_for(lambda: fake.polls_waiting == 1, timeout=5)
    second = asyncio.create_task(bot.get_updates(timeout=30))
    with pytest.raises(TelegramConflictError) as error:
        await asyncio.wait_for(first, 5)
    assert error.value.message == (
        "Conflict: terminated by other getUpdates request; "
        "make sure that only one bot instance is running"
    )
    await fake.wait_for(lambda: fake.polls_waiting == 1, timeout=5)
    update = fake.send_text(fake.user(USER_ID), "hi")
    assert [u.update_id for u in await asyncio.wait_for(second, 5)] == [update["update_id"]]
    assert [c.status for c in fake.calls_to("getUpdates")] == [409, 200]


async def test_multipart_document_upload_and_file_download(
    fake: FakeTelegram, bot: Bot, base_url: str, http: aiohttp.ClientSession
) -> None:
    fake.user(USER_ID, started=True)
    content = bytes(range(256)) * 10
    sent = await bot.send_document(
        USER_ID,
        BufferedInputFile(content, filename="report.pdf"),
        caption="Отчёт <i>за март</i>",
    )
    assert sent.document is not None
    assert sent.document.file_name == "report.pdf"
    assert sent.document.mime_type == "application/pdf"
    assert sent.caption == "Отчёт за март"
    assert fake.documents[0].content == content
    record = fake.calls_to("sendDocument")[0]
    assert str(record.params["document"]).startswith("attach://")
    assert [f[1] for f in record.files.values()] == [content]

    downloaded = await bot.download(sent.document.file_id)
    assert downloaded is not None
    assert downloaded.read() == content
    async with http.get(f"{base_url}/file/bot{fake.token}/no/such/file") as response:
        assert response.status == 404

    # A file part named after the parameter itself works too (as with curl -F document=@...).
    form = aiohttp.FormData()
    form.add_field("chat_id", str(USER_ID))
    form.add_field("document", b"hello", filename="hello.txt")
    async with http.post(f"{base_url}/bot{fake.token}/sendDocument", data=form) as response:
        body = await response.json()
        assert body["result"]["document"]["file_name"] == "hello.txt"
    assert fake.documents[-1].content == b"hello"


async def test_errors_map_to_aiogram_exceptions(fake: FakeTelegram, bot: Bot) -> None:
    user = fake.user(USER_ID, started=True)
    fake.fail_next("sendMessage", retry_after=3)
    with pytest.raises(TelegramRetryAfter) as retry:
        await bot.send_message(USER_ID, "x")
    assert retry.value.retry_after == 3
    fake.block(user)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(USER_ID, "x")
    fake.unblock(user)
    sent = await bot.send_message(
        USER_ID,
        "x",
        reply_markup=InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="A", callback_data="a")]],
        ),
    )
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(
            "x",
            chat_id=USER_ID,
            message_id=sent.message_id,
            reply_markup=sent.reply_markup,
        )


async def test_wait_idle_with_polling_bot(
    fake: FakeTelegram, server: FakeBotAPIServer, bot: Bot
) -> None:
    assert not await server.wait_idle(0.05)  # nobody is polling yet

    router = Router()

    @router.message(CommandStart())
    async def start(message: Message) -> None:
        await message.answer("Привет!")

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    users = [fake.user(USER_ID + i) for i in range(3)]
    for user in users:
        fake.send_text(user, "/start")
    polling = asyncio.create_task(dispatcher.start_polling(bot, handle_signals=False))
    try:
        assert await server.wait_idle(5)
        await fake.wait_for(lambda: all(fake.last_message(u) for u in users), timeout=5)
        assert fake.pending_updates() == []
        assert fake.polls_waiting == 1
        fake.send_text(users[0], "/start")
        assert not fake.is_idle()
        assert await server.wait_idle(5)
        await fake.wait_for(lambda: len(fake.bot_messages(users[0])) == 2, timeout=5)
    finally:
        await dispatcher.stop_polling()
        await asyncio.wait_for(polling, 5)


async def test_stop_releases_long_polls(
    fake: FakeTelegram, base_url: str, http: aiohttp.ClientSession
) -> None:
    server = FakeBotAPIServer(fake)
    url = await server.start()
    assert url != base_url
    poll = asyncio.create_task(
        http.get(f"{url}/bot{fake.token}/getUpdates", params={"timeout": "30"})
    )
    await fake.wait_for(lambda: fake.polls_waiting == 1, timeout=5)
    await asyncio.wait_for(server.stop(), 5)
    response = await asyncio.wait_for(poll, 5)
    assert (await response.json()) == {"ok": True, "result": []}
    response.release()


async def test_disconnected_long_poll_stops_counting(
    fake: FakeTelegram, base_url: str, http: aiohttp.ClientSession
) -> None:
    url = f"{base_url}/bot{fake.token}/getUpdates"
    poll = asyncio.create_task(http.get(url, params={"timeout": "30"}))
    await fake.wait_for(lambda: fake.polls_waiting == 1, timeout=5)
    poll.cancel()  # the client goes away, as when the bot process is killed
    await fake.wait_for(lambda: fake.polls_waiting == 0, timeout=5)
    assert not await fake.wait_idle(0.01)


async def test_standalone_module_prints_base_url() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.fakeapi",
        "--port",
        "0",
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), 20)).decode().strip()
        assert line.startswith("http://127.0.0.1:")
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"{line}/bot123456:TEST-token/getMe") as response,
        ):
            assert (await response.json())["result"]["id"] == 123456
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 10)
