"""The fake Bot API driven in-process by a real aiogram Bot (FakeSession)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.filters import CommandStart
from aiogram.methods import GetMe
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BufferedInputFile,
    CallbackQuery,
    ForceReply,
    InaccessibleMessage,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)

from tests.fakeapi import FakeTelegram, FakeUser, make_bot
from tests.fakeapi.formatting import entity_text, parse_html

START = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
USER_ID = 1001


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def fake(clock: Clock) -> FakeTelegram:
    return FakeTelegram(clock=clock)


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    bot = make_bot(fake)
    yield bot
    await bot.session.close()


@pytest.fixture
def anna(fake: FakeTelegram) -> FakeUser:
    user = fake.user(USER_ID, username="anna_k")
    fake.send_text(user, "/start")
    return user


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=t, callback_data=d)] for t, d in pairs],
    )


# --- basics -------------------------------------------------------------------------------


async def test_get_me_and_token_check(fake: FakeTelegram, bot: Bot) -> None:
    me = await bot.get_me()
    assert me.id == 123456
    assert me.username == "feedback_test_bot"
    assert me.is_bot

    assert fake.call("999:wrong", "getMe", {}) == (
        401,
        {"ok": False, "error_code": 401, "description": "Unauthorized"},
    )
    assert fake.call(fake.token, "noSuchMethod", {})[0] == 404
    assert fake.call(fake.token, "GETME", {})[0] == 200
    with pytest.raises(TelegramUnauthorizedError):
        await make_bot(fake, "999:wrong")(GetMe())
    assert fake.calls_to("getme")[0].ok


async def test_unknown_method_is_not_found(fake: FakeTelegram, bot: Bot) -> None:
    status, body = fake.call(fake.token, "sendTelepathy", {"chat_id": "1"})
    assert status == 404
    assert body == {"ok": False, "error_code": 404, "description": "Not Found"}
    assert fake.calls[-1].method == "sendTelepathy"


async def test_form_strings_are_decoded(fake: FakeTelegram, anna: FakeUser) -> None:
    status, body = fake.call(
        fake.token,
        "sendMessage",
        {
            "chat_id": str(USER_ID),
            "text": '["not json, just text"]',
            "reply_markup": '{"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}',
            "protect_content": "true",
        },
    )
    assert status == 200
    assert body["result"]["text"] == '["not json, just text"]'
    assert body["result"]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "a"
    assert body["result"]["has_protected_content"] is True
    assert fake.calls[-1].params["chat_id"] == USER_ID


# --- getUpdates --------------------------------------------------------------------------


async def test_get_updates_offset_confirms(fake: FakeTelegram, bot: Bot) -> None:
    user = fake.user(USER_ID)
    first = fake.send_text(user, "/start")
    second = fake.send_text(user, "one")
    third = fake.send_text(user, "two")
    ids = [u["update_id"] for u in (first, second, third)]
    assert ids == sorted(ids)
    assert len(set(ids)) == 3

    updates = await bot.get_updates()
    assert [u.update_id for u in updates] == ids
    assert updates[0].message is not None
    assert updates[0].message.text == "/start"
    # Fetching without offset does not confirm anything.
    assert len(fake.pending_updates()) == 3

    updates = await bot.get_updates(offset=ids[1], limit=1)
    assert [u.update_id for u in updates] == [ids[1]]
    assert [u["update_id"] for u in fake.pending_updates()] == ids[1:]

    assert await bot.get_updates(offset=ids[2] + 1) == []
    assert fake.pending_updates() == []


async def test_get_updates_negative_offset_and_limit(fake: FakeTelegram, bot: Bot) -> None:
    user = fake.user(USER_ID)
    ids = [fake.send_text(user, f"m{i}")["update_id"] for i in range(5)]
    assert [u.update_id for u in await bot.get_updates(limit=2)] == ids[:2]
    # limit outside 1..100 is clamped like Telegram does
    assert len(await bot.get_updates(limit=0)) == 1
    assert [u.update_id for u in await bot.get_updates(offset=-2)] == ids[3:]
    assert [u["update_id"] for u in fake.pending_updates()] == ids[3:]


async def test_long_poll_wakes_up_on_new_update(fake: FakeTelegram, bot: Bot) -> None:
    user = fake.user(USER_ID)
    poll = asyncio.create_task(bot.get_updates(timeout=30))
    await fake.wait_for(lambda: fake.polls_waiting == 1, timeout=5)
    update = fake.send_text(user, "hello")
    updates = await asyncio.wait_for(poll, 5)
    assert [u.update_id for u in updates] == [update["update_id"]]
    assert fake.polls_waiting == 0


async def test_second_get_updates_terminates_first(fake: FakeTelegram, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=30))
    await fake.wait_for(lambda: fake.polls_waiting == 1, timeout=5)
    assert await bot.get_updates() == []
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates request"):
        await asyncio.wait_for(first, 5)


async def test_webhook_blocks_get_updates(fake: FakeTelegram, bot: Bot) -> None:
    user = fake.user(USER_ID)
    fake.send_text(user, "/start")
    with pytest.raises(TelegramBadRequest, match="HTTPS URL must be provided"):
        await bot.set_webhook("http://example.com/hook")
    with pytest.raises(TelegramBadRequest, match="ports 80, 88, 443 or 8443"):
        await bot.set_webhook("https://example.com:8080/hook")
    assert await bot.set_webhook("https://example.com/hook", secret_token="s3cret")
    assert fake.webhook is not None
    assert fake.webhook.secret_token == "s3cret"
    info = await bot.get_webhook_info()
    assert info.url == "https://example.com/hook"
    assert info.pending_update_count == 1

    with pytest.raises(TelegramConflictError) as error:
        await bot.get_updates()
    assert error.value.message == (
        "Conflict: can't use getUpdates method while webhook is active; "
        "use deleteWebhook to delete the webhook first"
    )
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert fake.webhook is None
    assert fake.pending_updates() == []
    assert await bot.get_updates() == []
    assert fake.calls_to("deleteWebhook")[0].params["drop_pending_updates"] is True


async def test_allowed_updates_filter_new_updates(fake: FakeTelegram, bot: Bot) -> None:
    user = fake.user(USER_ID)
    await bot.get_updates(allowed_updates=["message"])
    fake.send_text(user, "/start")
    blocked = fake.block(user)
    assert "my_chat_member" in blocked
    assert [list(u)[1] for u in fake.pending_updates()] == ["message"]


# --- sending and HTML --------------------------------------------------------------------


async def test_send_message_html_entities_utf16(
    fake: FakeTelegram, bot: Bot, anna: FakeUser
) -> None:
    html = '👍 <b>Жирный</b> &lt;tag&gt; <a href="https://example.com/x">ссылка</a> 😀<i>x</i>'
    sent = await bot.send_message(USER_ID, html)
    assert sent.text == "👍 Жирный <tag> ссылка 😀x"
    assert sent.entities is not None
    entities = [e.model_dump(exclude_none=True) for e in sent.entities]
    assert entities == [
        {"type": "bold", "offset": 3, "length": 6},
        {"type": "text_link", "offset": 16, "length": 6, "url": "https://example.com/x"},
        {"type": "italic", "offset": 25, "length": 1},
    ]
    assert sent.from_user is not None
    assert sent.from_user.is_bot
    assert sent.chat.type == "private"
    assert sent.date == START

    stored = fake.last_message(USER_ID)
    assert stored is not None
    assert stored.html == html
    assert stored.text == sent.text
    assert stored.entity_texts("bold") == ["Жирный"]
    assert stored.message_id == sent.message_id == 2  # /start was message 1


async def test_html_nesting_pre_code_spoiler_quote() -> None:
    parsed = parse_html(
        '<b>a<i>b</i></b><pre><code class="language-python">x = 1</code></pre>'
        '<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>'
        "<blockquote expandable>q</blockquote><u>u</u><s>s</s><code>c</code>"
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
    )
    assert parsed.text == "abx = 1stqusc👍"
    kinds = {e["type"]: e for e in parsed.entities}
    assert kinds["pre"] == {"offset": 2, "length": 5, "type": "pre", "language": "python"}
    assert kinds["expandable_blockquote"]["offset"] == 9
    assert kinds["custom_emoji"]["length"] == 2
    assert kinds["custom_emoji"]["custom_emoji_id"] == "5368324170671202286"
    assert [e["type"] for e in parsed.entities if e["offset"] == 0] == ["bold"]
    assert entity_text(parsed.text, kinds["italic"]) == "b"


@pytest.mark.parametrize(
    ("html", "fragment"),
    [
        ("<foo>x</foo>", 'Unsupported start tag "foo" at byte offset 0'),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("Tom & Jerry", "Character '&' at byte offset 4"),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ('<span class="x">y</span>', 'Tag "span" must have class "tg-spoiler"'),
    ],
)
async def test_html_parse_errors(
    fake: FakeTelegram, bot: Bot, anna: FakeUser, html: str, fragment: str
) -> None:
    with pytest.raises(TelegramBadRequest) as error:
        await bot.send_message(USER_ID, html)
    assert error.value.message.startswith("Bad Request: can't parse entities: ")
    assert fragment in error.value.message
    assert fake.last_message(USER_ID) is None


async def test_text_trimmed_empty_and_too_long(bot: Bot, anna: FakeUser) -> None:
    sent = await bot.send_message(USER_ID, "\n  <b> hi </b>  \n")
    assert sent.text == "hi"
    assert sent.entities is not None
    assert (sent.entities[0].offset, sent.entities[0].length) == (0, 2)
    with pytest.raises(TelegramBadRequest, match="Bad Request: message text is empty"):
        await bot.send_message(USER_ID, "<b> </b>")
    with pytest.raises(TelegramBadRequest, match="Bad Request: message is too long"):
        await bot.send_message(USER_ID, "я" * 4097)
    assert (await bot.send_message(USER_ID, "<b>" + "я" * 4096 + "</b>")).text == "я" * 4096


async def test_unknown_chat_and_not_started_user(fake: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(555, "hi")
    fake.user(556)
    with pytest.raises(TelegramForbiddenError, match="bot can't initiate conversation"):
        await bot.send_message(556, "hi")
    fake.user(557, started=True)
    assert (await bot.send_message(557, "hi")).message_id == 1


async def test_reply_keyboards_are_remembered(fake: FakeTelegram, bot: Bot, anna: FakeUser) -> None:
    markup = ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text="Да"), KeyboardButton(text="Нет")]],
        resize_keyboard=True,
        is_persistent=True,
        input_field_placeholder="Выберите",
    )
    sent = await bot.send_message(USER_ID, "Вопрос?", reply_markup=markup)
    assert sent.reply_markup is None  # reply keyboards are not echoed in Message
    assert fake.reply_keyboard(USER_ID) == {
        "keyboard": [[{"text": "Да"}, {"text": "Нет"}]],
        "is_persistent": True,
        "resize_keyboard": True,
        "input_field_placeholder": "Выберите",
    }
    update = fake.press_reply_button(anna, "Да")
    assert update["message"]["text"] == "Да"
    with pytest.raises(LookupError):
        fake.press_reply_button(anna, "Может быть")

    await bot.send_message(USER_ID, "ok", reply_markup=ReplyKeyboardRemove())
    assert fake.reply_keyboard(USER_ID) is None
    await bot.send_message(USER_ID, "Ваш ответ?", reply_markup=ForceReply())
    assert fake.last_reply_markup(USER_ID) == {"force_reply": True}


async def test_inline_keyboard_validation(bot: Bot, anna: FakeUser) -> None:
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(USER_ID, "x", reply_markup=keyboard(("A", "x" * 65)))
    with pytest.raises(TelegramBadRequest, match="Text buttons are unallowed"):
        await bot.send_message(
            USER_ID,
            "x",
            reply_markup=InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="A")]]),
        )
    two_actions = InlineKeyboardButton(text="A", callback_data="a", url="https://example.com")
    with pytest.raises(TelegramBadRequest, match="exactly one"):
        await bot.send_message(
            USER_ID, "x", reply_markup=InlineKeyboardMarkup(inline_keyboard=[[two_actions]])
        )
    sent = await bot.send_message(USER_ID, "x", reply_markup=keyboard(("Ä", "ä" * 32)))
    assert sent.reply_markup is not None


# --- editing and deleting ----------------------------------------------------------------


async def test_edit_text_returns_message_and_keeps_history(
    fake: FakeTelegram, bot: Bot, anna: FakeUser, clock: Clock
) -> None:
    sent = await bot.send_message(USER_ID, "<b>Шаг 1</b>", reply_markup=keyboard(("Далее", "next")))
    clock.now = START + timedelta(minutes=5)
    edited = await bot.edit_message_text(
        "<i>Шаг 2</i>",
        chat_id=USER_ID,
        message_id=sent.message_id,
        reply_markup=keyboard(("Готово", "done")),
    )
    assert isinstance(edited, Message)
    assert edited.text == "Шаг 2"
    assert edited.edit_date == int((START + timedelta(minutes=5)).timestamp())
    stored = fake.message(USER_ID, sent.message_id)
    assert stored.html == "<i>Шаг 2</i>"
    assert stored.callback_data == ["done"]
    assert [v.text for v in stored.history] == ["Шаг 1"]
    assert stored.history[0].reply_markup == {
        "inline_keyboard": [[{"text": "Далее", "callback_data": "next"}]],
    }

    with pytest.raises(TelegramBadRequest) as error:
        await bot.edit_message_text(
            "<i>Шаг 2</i>",
            chat_id=USER_ID,
            message_id=sent.message_id,
            reply_markup=keyboard(("Готово", "done")),
        )
    assert error.value.message == (
        "Bad Request: message is not modified: specified new message content and reply markup "
        "are exactly the same as a specified content and reply markup of the message"
    )
    # Same text without reply_markup removes the keyboard, so it *is* a modification.
    edited = await bot.edit_message_text(
        "<i>Шаг 2</i>", chat_id=USER_ID, message_id=sent.message_id
    )
    assert isinstance(edited, Message)
    assert edited.reply_markup is None
    assert len(stored.history) == 2


async def test_edit_not_found_and_markup_only(fake: FakeTelegram, bot: Bot, anna: FakeUser) -> None:
    with pytest.raises(TelegramBadRequest, match="Bad Request: message to edit not found"):
        await bot.edit_message_text("x", chat_id=USER_ID, message_id=999)
    with pytest.raises(TelegramBadRequest, match="message can't be edited"):
        await bot.edit_message_text("x", chat_id=USER_ID, message_id=1)  # the user's /start

    sent = await bot.send_message(USER_ID, "Выбор", reply_markup=keyboard(("A", "a")))
    edited = await bot.edit_message_reply_markup(
        chat_id=USER_ID, message_id=sent.message_id, reply_markup=keyboard(("B", "b"))
    )
    assert isinstance(edited, Message)
    assert edited.text == "Выбор"
    assert edited.reply_markup is not None
    assert edited.reply_markup.inline_keyboard[0][0].callback_data == "b"
    await bot.edit_message_reply_markup(chat_id=USER_ID, message_id=sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_reply_markup(chat_id=USER_ID, message_id=sent.message_id)

    assert await bot.delete_message(USER_ID, sent.message_id)
    assert fake.message(USER_ID, sent.message_id).deleted
    assert fake.last_message(USER_ID) is None
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(USER_ID, sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("y", chat_id=USER_ID, message_id=sent.message_id)


async def test_delete_window_uses_clock(bot: Bot, anna: FakeUser, clock: Clock) -> None:
    sent = await bot.send_message(USER_ID, "old")
    clock.now = START + timedelta(hours=49)
    with pytest.raises(TelegramBadRequest, match="message can't be deleted for everyone"):
        await bot.delete_message(USER_ID, sent.message_id)


# --- faults and blocking -----------------------------------------------------------------


async def test_retry_after_fault(fake: FakeTelegram, bot: Bot, anna: FakeUser) -> None:
    fake.fail_next("sendMessage", retry_after=7)
    with pytest.raises(TelegramRetryAfter) as error:
        await bot.send_message(USER_ID, "hi")
    assert error.value.retry_after == 7
    assert "Original description: Too Many Requests: retry after 7" in error.value.message
    assert fake.calls_to("sendMessage")[-1].response == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 7",
        "parameters": {"retry_after": 7},
    }
    assert fake.bot_messages(USER_ID) == []
    assert (await bot.send_message(USER_ID, "hi")).text == "hi"


async def test_fault_scoped_to_chat_and_times(fake: FakeTelegram, bot: Bot, anna: FakeUser) -> None:
    other = fake.user(2002, started=True)
    fake.fail_next("sendmessage", error_code=500, times=2, chat_id=other.id)
    assert (await bot.send_message(USER_ID, "a")).text == "a"
    for _ in range(2):
        with pytest.raises(Exception, match="Internal Server Error"):
            await bot.send_message(other.id, "b")
    assert (await bot.send_message(other.id, "b")).text == "b"


async def test_block_gives_403_and_my_chat_member(
    fake: FakeTelegram, bot: Bot, anna: FakeUser
) -> None:
    sent = await bot.send_message(USER_ID, "hi", reply_markup=keyboard(("A", "a")))
    update = Update.model_validate(fake.block(anna), context={"bot": bot})
    assert update.my_chat_member is not None
    assert update.my_chat_member.old_chat_member.status == "member"
    assert update.my_chat_member.new_chat_member.status == "kicked"
    assert update.my_chat_member.from_user.id == USER_ID
    assert update.my_chat_member.new_chat_member.user.id == fake.bot_id

    with pytest.raises(TelegramForbiddenError) as error:
        await bot.send_message(USER_ID, "still there?")
    assert error.value.message == "Forbidden: bot was blocked by the user"
    with pytest.raises(TelegramForbiddenError):
        await bot.edit_message_text("x", chat_id=USER_ID, message_id=sent.message_id)
    with pytest.raises(TelegramForbiddenError):
        await bot.send_chat_action(USER_ID, "typing")

    # Writing to the bot again ("Restart") unblocks it first.
    fake.send_text(anna, "/start")
    kinds = [next(k for k in u if k != "update_id") for u in fake.pending_updates()]
    assert kinds[-3:] == ["my_chat_member", "my_chat_member", "message"]
    unblock = fake.pending_updates()[-2]["my_chat_member"]
    assert unblock["new_chat_member"]["status"] == "member"
    assert (await bot.send_message(USER_ID, "welcome back")).text == "welcome back"


# --- callback and inline queries ---------------------------------------------------------


async def test_press_gives_callback_with_current_message(
    fake: FakeTelegram, bot: Bot, anna: FakeUser
) -> None:
    sent = await bot.send_message(USER_ID, "Оцените", reply_markup=keyboard(("5", "rate:5")))
    await bot.edit_message_text(
        "Оцените ещё раз",
        chat_id=USER_ID,
        message_id=sent.message_id,
        reply_markup=keyboard(("4", "rate:4"), ("5", "rate:5")),
    )
    raw = fake.press(anna, sent.message_id, "rate:5")
    update = Update.model_validate(raw, context={"bot": bot})
    query = update.callback_query
    assert query is not None
    assert query.data == "rate:5"
    assert query.chat_instance == fake.chat_instance(USER_ID)
    assert isinstance(query.message, Message)
    assert query.message.text == "Оцените ещё раз"
    assert query.message.edit_date is not None

    again = fake.press_button(anna, "4")
    assert again["callback_query"]["chat_instance"] == query.chat_instance
    assert again["callback_query"]["id"] != query.id
    assert again["callback_query"]["data"] == "rate:4"

    assert await bot.answer_callback_query(query.id, text="Спасибо!", show_alert=True)
    assert fake.callback_answers[0].text == "Спасибо!"
    assert fake.callback_answers[0].show_alert
    assert fake.callback_answers[0].message_id == sent.message_id
    with pytest.raises(TelegramBadRequest) as error:
        await bot.answer_callback_query(query.id)
    assert error.value.message == (
        "Bad Request: query is too old and response timeout expired or query ID is invalid"
    )
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query("12345")


async def test_press_missing_button_raises_unless_forged(
    fake: FakeTelegram, bot: Bot, anna: FakeUser
) -> None:
    sent = await bot.send_message(USER_ID, "Выбор", reply_markup=keyboard(("A", "a")))
    with pytest.raises(LookupError, match="no button with callback_data 'admin'"):
        fake.press(anna, sent.message_id, "admin")
    with pytest.raises(LookupError):
        fake.press(anna, 999, "a")
    with pytest.raises(LookupError):
        fake.press_button(anna, "B")
    forged = fake.press(anna, sent.message_id, "admin", forge=True)
    assert forged["callback_query"]["data"] == "admin"

    await bot.delete_message(USER_ID, sent.message_id)
    with pytest.raises(LookupError):
        fake.press(anna, sent.message_id, "a")
    stale = fake.press(anna, sent.message_id, "a", forge=True)
    update = Update.model_validate(stale, context={"bot": bot})
    assert update.callback_query is not None
    assert isinstance(update.callback_query.message, InaccessibleMessage)
    assert update.callback_query.message.message_id == sent.message_id


async def test_inline_query_answer_recorded(fake: FakeTelegram, bot: Bot) -> None:
    user = fake.user(USER_ID)
    raw = fake.send_inline_query(user, "python")
    query_id = raw["inline_query"]["id"]
    result = InlineQueryResultArticle(
        id="1",
        title="Python",
        input_message_content=InputTextMessageContent(message_text="<b>Python</b>"),
    )
    assert await bot.answer_inline_query(query_id, [result], cache_time=5, is_personal=True)
    answer = fake.inline_answers[0]
    assert answer.query == "python"
    assert answer.cache_time == 5
    assert answer.is_personal
    assert answer.results[0]["id"] == "1"
    assert answer.results[0]["input_message_content"]["parse_mode"] == "HTML"
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_inline_query(query_id, [result])

    bad_id = fake.send_inline_query(user, "x")["inline_query"]["id"]
    broken = InlineQueryResultArticle(
        id="2",
        title="Bad",
        input_message_content=InputTextMessageContent(message_text="<b>oops"),
    )
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.answer_inline_query(bad_id, [broken])


# --- commands, files, misc ---------------------------------------------------------------


async def test_set_my_commands_per_language(fake: FakeTelegram, bot: Bot) -> None:
    await bot.set_my_commands([BotCommand(command="start", description="Start")])
    await bot.set_my_commands(
        [
            BotCommand(command="start", description="Начать"),
            BotCommand(command="help", description="Помощь"),
        ],
        language_code="ru",
    )
    await bot.set_my_commands(
        [BotCommand(command="settings", description="Settings")],
        scope=BotCommandScopeAllPrivateChats(),
        language_code="en",
    )
    assert fake.commands_for() == [{"command": "start", "description": "Start"}]
    assert [c["command"] for c in fake.commands_for("default", "ru")] == ["start", "help"]
    assert fake.commands[("all_private_chats", "en")][0]["command"] == "settings"
    ru_user = fake.user(1, language_code="ru")
    en_user = fake.user(2, language_code="en")
    de_user = fake.user(3, language_code="de")
    assert [c["command"] for c in fake.visible_commands(ru_user)] == ["start", "help"]
    assert [c["command"] for c in fake.visible_commands(en_user)] == ["settings"]
    assert [c["command"] for c in fake.visible_commands(de_user)] == ["start"]

    got = await bot.get_my_commands(language_code="ru")
    assert [c.command for c in got] == ["start", "help"]
    assert await bot.get_my_commands(language_code="de") == []
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Bad-Command", description="x")])
    assert await bot.delete_my_commands(language_code="ru")
    assert fake.commands_for("default", "ru") == []


async def test_send_document_bytes_and_download(
    fake: FakeTelegram, bot: Bot, anna: FakeUser
) -> None:
    content = "отзыв,оценка\nАнна,5\n".encode()
    sent = await bot.send_document(
        USER_ID,
        BufferedInputFile(content, filename="feedback.csv"),
        caption="<b>Экспорт</b>",
    )
    assert sent.document is not None
    assert sent.document.file_name == "feedback.csv"
    assert sent.document.mime_type == "text/csv"
    assert sent.document.file_size == len(content)
    assert sent.caption == "Экспорт"
    assert fake.documents[0].content == content
    assert fake.documents[0].message_id == sent.message_id
    assert fake.calls_to("sendDocument")[0].files  # uploaded as a multipart file part

    downloaded = await bot.download(sent.document.file_id)
    assert downloaded is not None
    assert downloaded.read() == content

    again = await bot.send_document(USER_ID, sent.document.file_id)
    assert again.document is not None
    assert again.document.file_unique_id == sent.document.file_unique_id
    with pytest.raises(TelegramBadRequest, match="file must be non-empty"):
        await bot.send_document(USER_ID, BufferedInputFile(b"", filename="empty.txt"))


async def test_send_photo_validates_image(fake: FakeTelegram, bot: Bot, anna: FakeUser) -> None:
    with pytest.raises(TelegramBadRequest, match="IMAGE_PROCESS_FAILED"):
        await bot.send_photo(USER_ID, BufferedInputFile(b"not an image", filename="x.jpg"))
    png = fake.send_photo(anna)["message"]["photo"][-1]
    sent = await bot.send_photo(USER_ID, png["file_id"], caption="Фото")
    assert sent.photo is not None
    assert sent.caption == "Фото"


async def test_chat_action_menu_button_and_user_side_messages(
    fake: FakeTelegram, bot: Bot, anna: FakeUser
) -> None:
    assert await bot.send_chat_action(USER_ID, "typing")
    assert fake.chat_actions[-1].action == "typing"
    with pytest.raises(TelegramBadRequest, match="wrong parameter action"):
        await bot.send_chat_action(USER_ID, "dancing")
    assert (await bot.get_chat_menu_button()).type == "default"

    sticker = Update.model_validate(fake.send_sticker(anna), context={"bot": bot})
    assert sticker.message is not None
    assert sticker.message.sticker is not None
    photo = Update.model_validate(fake.send_photo(anna, caption="вот"), context={"bot": bot})
    assert photo.message is not None
    assert photo.message.photo
    assert photo.message.caption == "вот"
    forwarded = Update.model_validate(
        fake.forward_text(anna, "Отзыв работодателя", from_name="HR Иван"),
        context={"bot": bot},
    )
    assert forwarded.message is not None
    assert forwarded.message.forward_origin is not None
    assert forwarded.message.forward_origin.type == "hidden_user"
    command = fake.send_text(anna, "/start ref_42")["message"]
    assert command["entities"] == [{"offset": 0, "length": 6, "type": "bot_command"}]
    assert [m.message_id for m in fake.user_messages(anna)] == [1, 2, 3, 4, 5]


async def test_wait_for_timeout_lists_recent_calls(
    fake: FakeTelegram, bot: Bot, anna: FakeUser
) -> None:
    await bot.send_message(USER_ID, "hi")
    with pytest.raises(TimeoutError, match=r"(?s)never.*sendMessage\(chat_id=1001"):
        await fake.wait_for(lambda: False, timeout=0.05, message="never")


# --- a real Dispatcher polling the fake in-process ---------------------------------------


async def test_dispatcher_polling_end_to_end(fake: FakeTelegram, bot: Bot) -> None:
    router = Router()

    @router.message(CommandStart())
    async def start(message: Message) -> None:
        await message.answer(
            f"Привет, <b>{message.from_user.first_name if message.from_user else ''}</b>!",
            reply_markup=keyboard(("Оставить отзыв", "feedback")),
        )

    @router.callback_query(F.data == "feedback")
    async def on_feedback(query: CallbackQuery) -> None:
        await query.answer("Ок")
        if isinstance(query.message, Message):
            await query.message.edit_text("Напишите отзыв")

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    user = fake.user(USER_ID)
    fake.send_text(user, "/start")
    polling = asyncio.create_task(dispatcher.start_polling(bot, handle_signals=False))
    try:
        await fake.wait_for(lambda: fake.last_message(user) is not None, timeout=5)
        greeting = fake.last_message(user)
        assert greeting is not None
        assert greeting.text == "Привет, Анна!"
        assert greeting.entity_texts("bold") == ["Анна"]

        fake.press_button(user, "Оставить отзыв")
        await fake.wait_for(lambda: greeting.edited and bool(fake.callback_answers), timeout=5)
        assert greeting.text == "Напишите отзыв"
        assert greeting.reply_markup is None
        assert fake.callback_answers[0].text == "Ок"
        assert await fake.wait_idle(5)
    finally:
        await dispatcher.stop_polling()
        await asyncio.wait_for(polling, 5)


async def test_not_found_for_unimplemented_method(bot: Bot) -> None:
    with pytest.raises(TelegramNotFound):
        await bot.get_chat(1)
