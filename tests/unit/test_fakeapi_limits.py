"""The fake Bot API's opt-in flood limits: 429 ``retry after N`` past them, no side effects."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramForbiddenError, TelegramRetryAfter

from bot.scheduler.limiter import RateLimiter
from tests.fakeapi import FakeBotAPIServer, FakeTelegram, FakeUser, make_bot
from tests.fakeapi.core import RateLimits

FIRST_CHAT = 5000


class Seconds:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    async def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)


@pytest.fixture
def seconds() -> Seconds:
    return Seconds()


def limited(seconds: Seconds, **limits: object) -> FakeTelegram:
    fake = FakeTelegram(rate_limit=RateLimits(clock=seconds, **limits))  # type: ignore[arg-type]
    for n in range(50):
        fake.user(FIRST_CHAT + n, started=True)
    return fake


def send(fake: FakeTelegram, chat_id: int, text: str = "hi") -> tuple[int, dict[str, object]]:
    return fake.call(fake.token, "sendMessage", {"chat_id": chat_id, "text": text})


def too_many(retry_after: int) -> dict[str, object]:
    return {
        "ok": False,
        "error_code": 429,
        "description": f"Too Many Requests: retry after {retry_after}",
        "parameters": {"retry_after": retry_after},
    }


@pytest.fixture
async def bot_for() -> AsyncIterator[list[Bot]]:
    bots: list[Bot] = []
    yield bots
    for bot in bots:
        await bot.session.close()


def test_off_by_default() -> None:
    fake = FakeTelegram()
    fake.user(FIRST_CHAT, started=True)
    assert fake.rate_limit is None
    for _ in range(100):
        assert send(fake, FIRST_CHAT)[0] == 200
    assert fake.rate_limited == 0
    assert len(fake.bot_messages(FIRST_CHAT)) == 100


def test_global_limit_answers_telegrams_429_without_side_effects(seconds: Seconds) -> None:
    fake = limited(seconds, global_per_second=30, per_chat_per_second=1)
    for n in range(30):
        assert send(fake, FIRST_CHAT + n)[0] == 200
    calls = len(fake.calls)
    status, body = send(fake, FIRST_CHAT + 30)
    assert (status, body) == (429, too_many(1))
    assert fake.bot_messages(FIRST_CHAT + 30) == []
    assert len(fake.calls) == calls + 1
    assert fake.calls[-1].status == 429
    assert fake.rate_limited == 1


def test_global_window_slides(seconds: Seconds) -> None:
    fake = limited(seconds, global_per_second=30, per_chat_per_second=None)
    for n in range(30):
        seconds.now = 100.0 + n / 64  # binary fractions: exact arithmetic
        assert send(fake, FIRST_CHAT + n)[0] == 200
    # 30 sends between 100.0 and 100.45: one more must wait until 101.0.
    seconds.now = 100.75
    assert send(fake, FIRST_CHAT) == (429, too_many(1))
    seconds.now = 100.999
    assert send(fake, FIRST_CHAT)[0] == 429
    # One second after the first send, that one has left the window: exactly one fits.
    seconds.now = 101.0
    assert send(fake, FIRST_CHAT)[0] == 200
    assert send(fake, FIRST_CHAT)[0] == 429
    seconds.now = 101.0 + 1 / 64
    assert send(fake, FIRST_CHAT)[0] == 200
    assert fake.rate_limited == 3
    assert len(fake.bot_messages(FIRST_CHAT)) == 3


def test_paid_broadcast_has_its_own_allowance(seconds: Seconds) -> None:
    fake = limited(seconds, global_per_second=30, per_chat_per_second=None, paid_per_second=1000)
    for n in range(30):
        assert send(fake, FIRST_CHAT + n % 50)[0] == 200
    assert send(fake, FIRST_CHAT)[0] == 429  # the free 30 a second are used up
    paid = {"chat_id": FIRST_CHAT, "text": "hi", "allow_paid_broadcast": "true"}
    for _ in range(1000):
        assert fake.call(fake.token, "sendMessage", paid)[0] == 200
    assert fake.call(fake.token, "sendMessage", paid)[0] == 429  # and so are the paid 1,000
    seconds.advance(1.0)
    assert send(fake, FIRST_CHAT)[0] == 200
    assert fake.call(fake.token, "sendMessage", paid)[0] == 200
    assert fake.rate_limited == 2


def test_without_a_paid_allowance_the_flag_changes_nothing(seconds: Seconds) -> None:
    fake = limited(seconds, global_per_second=1, per_chat_per_second=None)
    paid = {"chat_id": FIRST_CHAT, "text": "hi", "allow_paid_broadcast": True}
    assert fake.call(fake.token, "sendMessage", paid)[0] == 200
    assert fake.call(fake.token, "sendMessage", paid)[0] == 429


def test_per_chat_limit(seconds: Seconds) -> None:
    fake = limited(seconds, global_per_second=30, per_chat_per_second=1)
    assert send(fake, FIRST_CHAT, "one")[0] == 200
    seconds.advance(0.9)
    assert send(fake, FIRST_CHAT, "two") == (429, too_many(1))
    assert send(fake, FIRST_CHAT + 1, "other chat")[0] == 200
    seconds.advance(0.1)
    assert send(fake, FIRST_CHAT, "two")[0] == 200
    assert [m.text for m in fake.bot_messages(FIRST_CHAT)] == ["one", "two"]


def test_retry_after_is_the_wait_rounded_up(seconds: Seconds) -> None:
    fake = limited(seconds, global_per_second=None, per_chat_per_second=0.2)
    assert send(fake, FIRST_CHAT)[0] == 200
    seconds.advance(0.5)
    assert send(fake, FIRST_CHAT) == (429, too_many(5))
    seconds.advance(2.0)
    assert send(fake, FIRST_CHAT) == (429, too_many(3))
    seconds.advance(2.5)
    assert send(fake, FIRST_CHAT)[0] == 200


def test_fixed_retry_after(seconds: Seconds) -> None:
    fake = limited(seconds, per_chat_per_second=1, retry_after=17)
    assert send(fake, FIRST_CHAT)[0] == 200
    assert send(fake, FIRST_CHAT) == (429, too_many(17))


def test_refused_and_failed_sends_use_no_allowance(seconds: Seconds) -> None:
    fake = limited(seconds, global_per_second=2, per_chat_per_second=None)
    blocked = FIRST_CHAT + 1
    fake.block(blocked)
    assert send(fake, blocked)[0] == 403
    assert send(fake, FIRST_CHAT, "")[0] == 400  # empty text
    fake.fail_next("sendMessage", error_code=500)
    assert send(fake, FIRST_CHAT)[0] == 500
    assert send(fake, FIRST_CHAT)[0] == 200
    assert send(fake, FIRST_CHAT)[0] == 200
    assert send(fake, FIRST_CHAT)[0] == 429
    assert send(fake, FIRST_CHAT)[0] == 429
    assert fake.rate_limited == 2
    seconds.advance(1.0)
    assert send(fake, FIRST_CHAT)[0] == 200


def test_only_sending_methods_count(seconds: Seconds) -> None:
    fake = limited(seconds, global_per_second=1, per_chat_per_second=1)
    status, body = send(fake, FIRST_CHAT)
    assert status == 200
    message_id = body["result"]["message_id"]  # type: ignore[index]
    for n in range(5):
        edit = {"chat_id": FIRST_CHAT, "message_id": message_id, "text": f"edit {n}"}
        assert fake.call(fake.token, "editMessageText", edit)[0] == 200
        assert fake.call(fake.token, "getMe", {})[0] == 200
        assert (
            fake.call(fake.token, "sendChatAction", {"chat_id": FIRST_CHAT, "action": "typing"})[0]
            == 200
        )
    copy = {"chat_id": FIRST_CHAT + 1, "from_chat_id": FIRST_CHAT, "message_id": message_id}
    assert fake.call(fake.token, "copyMessage", copy)[0] == 429


def test_counted_methods_can_be_chosen(seconds: Seconds) -> None:
    fake = limited(
        seconds,
        global_per_second=None,
        per_chat_per_second=1,
        methods=frozenset({"sendMessage", "editMessageText"}),
    )
    _, body = send(fake, FIRST_CHAT)
    message_id = body["result"]["message_id"]  # type: ignore[index]
    edit = {"chat_id": FIRST_CHAT, "message_id": message_id, "text": "edited"}
    assert fake.call(fake.token, "editMessageText", edit)[0] == 429
    assert fake.message(FIRST_CHAT, message_id).text == "hi"


def test_injected_faults_come_first_and_are_not_counted_as_limits(seconds: Seconds) -> None:
    fake = limited(seconds)
    fake.fail_next("sendMessage", retry_after=9)
    assert send(fake, FIRST_CHAT) == (429, too_many(9))
    assert fake.rate_limited == 0
    assert send(fake, FIRST_CHAT)[0] == 200


def test_setting_limits_later_starts_empty(seconds: Seconds) -> None:
    fake = limited(seconds, per_chat_per_second=1)
    assert send(fake, FIRST_CHAT)[0] == 200
    assert send(fake, FIRST_CHAT)[0] == 429
    fake.rate_limit = RateLimits(per_chat_per_second=1, clock=seconds)
    assert send(fake, FIRST_CHAT)[0] == 200
    fake.rate_limit = None
    assert send(fake, FIRST_CHAT)[0] == 200


def test_many_chats_are_forgotten_once_their_window_passed(seconds: Seconds) -> None:
    fake = FakeTelegram(rate_limit=RateLimits(global_per_second=None, clock=seconds))
    for n in range(5000):
        fake.user(FIRST_CHAT + n, started=True)
    for n in range(5000):
        assert send(fake, FIRST_CHAT + n)[0] == 200
        seconds.advance(0.001)
    state = fake._rate
    assert state is not None
    assert len(state.chats) < 5000  # pruned past 4096, keeping only the last second
    assert send(fake, FIRST_CHAT + 4999)[0] == 429


@pytest.mark.parametrize(
    "limits",
    [
        {"global_per_second": 0},
        {"per_chat_per_second": -1},
        {"retry_after": 0},
    ],
)
def test_invalid_limits(limits: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="must be"):
        RateLimits(**limits)  # type: ignore[arg-type]


async def test_aiogram_raises_retry_after(seconds: Seconds, bot_for: list[Bot]) -> None:
    fake = limited(seconds, per_chat_per_second=1)
    bot = make_bot(fake)
    bot_for.append(bot)
    await bot.send_message(FIRST_CHAT, "one")
    with pytest.raises(TelegramRetryAfter) as error:
        await bot.send_message(FIRST_CHAT, "two")
    assert error.value.retry_after == 1
    assert "Too Many Requests: retry after 1" in error.value.message
    seconds.advance(1.0)
    assert (await bot.send_message(FIRST_CHAT, "two")).text == "two"
    fake.block(FIRST_CHAT + 1)
    with pytest.raises(TelegramForbiddenError):
        await bot.send_message(FIRST_CHAT + 1, "blocked wins over nothing")


async def test_the_bots_limiter_at_the_same_rate_gets_no_429(
    seconds: Seconds, bot_for: list[Bot]
) -> None:
    """The bot's own RateLimiter, configured at the enforced rate, never trips the fake."""
    fake = limited(seconds, global_per_second=30, per_chat_per_second=1)
    bot = make_bot(fake)
    bot_for.append(bot)
    limiter = RateLimiter(per_second=30, per_chat_interval=1.0, clock=seconds, sleep=seconds.sleep)
    chats = [FIRST_CHAT + (n % 40) for n in range(120)]  # 3 messages to each of 40 chats
    for chat in chats:
        await limiter.acquire(chat)
        await bot.send_message(chat, "reminder")
    assert fake.rate_limited == 0
    assert sum(len(fake.bot_messages(chat)) for chat in set(chats)) == 120


async def test_over_http(seconds: Seconds) -> None:
    fake = limited(seconds, per_chat_per_second=1)
    async with FakeBotAPIServer(fake) as server, aiohttp.ClientSession() as http:
        url = f"{server.base_url}/bot{fake.token}/sendMessage"
        form = {"chat_id": str(FIRST_CHAT), "text": "hi"}
        async with http.post(url, data=form) as response:
            assert response.status == 200
        async with http.post(url, data=form) as response:
            assert response.status == 429
            assert await response.json() == too_many(1)
    assert len(fake.bot_messages(FIRST_CHAT)) == 1


async def test_concurrent_senders_never_exceed_the_limit(
    seconds: Seconds, bot_for: list[Bot]
) -> None:
    fake = limited(seconds, global_per_second=10, per_chat_per_second=None)
    bot = make_bot(fake)
    bot_for.append(bot)

    async def one(chat: int) -> bool:
        try:
            await bot.send_message(chat, "x")
        except TelegramRetryAfter:
            return False
        return True

    outcomes = await asyncio.gather(*(one(FIRST_CHAT + n) for n in range(25)))
    assert outcomes.count(True) == 10
    assert fake.rate_limited == 15
    users: list[FakeUser] = [fake.get_user(FIRST_CHAT + n) for n in range(25)]
    assert sum(len(fake.bot_messages(user)) for user in users) == 10


# --- sizes: what a screen may hold ----------------------------------------------------------


def _refused(response: tuple[int, dict[str, object]], description: str) -> bool:
    status, body = response
    return status == 400 and body.get("description") == f"Bad Request: {description}"


def test_texts_are_measured_after_entities_in_utf16_units() -> None:
    """4096 is the visible text: tags and entities do not count, an escaped «&lt;» is one
    character, an emoji outside the BMP two; the same limit holds for an edit."""
    fake = FakeTelegram()
    fake.user(FIRST_CHAT, started=True)

    def html(
        text: str, method: str = "sendMessage", **more: object
    ) -> tuple[int, dict[str, object]]:
        params = {"chat_id": FIRST_CHAT, "text": text, "parse_mode": "HTML", **more}
        return fake.call(fake.token, method, params)

    assert html("<b>" + "&lt;" * 4096 + "</b>")[0] == 200
    assert _refused(html("&lt;" * 4097), "message is too long")
    assert html("🙂" * 2048)[0] == 200
    assert _refused(html("🙂" * 2048 + "x"), "message is too long")
    status, body = html("short")
    assert status == 200
    message_id = body["result"]["message_id"]  # type: ignore[index]
    edit = {"message_id": message_id}
    assert _refused(html("x" * 4097, "editMessageText", **edit), "message is too long")
    assert html("x" * 4096, "editMessageText", **edit)[0] == 200


def test_inline_keyboards_hold_100_buttons_and_64_bytes_of_data() -> None:
    fake = FakeTelegram()
    fake.user(FIRST_CHAT, started=True)

    def keyboard(count: int, data: str = "x") -> tuple[int, dict[str, object]]:
        rows = [[{"text": str(n), "callback_data": data}] for n in range(count)]
        markup = {"inline_keyboard": rows}
        return fake.call(
            fake.token, "sendMessage", {"chat_id": FIRST_CHAT, "text": "?", "reply_markup": markup}
        )

    assert keyboard(100)[0] == 200
    assert _refused(keyboard(101), "reply markup is too long")
    assert keyboard(1, "я" * 32)[0] == 200  # 64 bytes of UTF-8
    assert _refused(keyboard(1, "я" * 32 + "x"), "BUTTON_DATA_INVALID")
