"""Group chats: personal commands and buttons answer with a note to write in private, and
nothing personal is shown there, stored from there or started there."""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import func, select

from bot.db.models import FsmRecord, Interview, JournalEntry, User
from bot.db.repositories.interviews import InterviewRepository
from bot.db.repositories.journal import JournalRepository
from bot.telegram.keyboards.callbacks import ConsentCb, InterviewCb, PrivacyCb
from tests.clock import FakeClock
from tests.fakeapi import SentMessage
from tests.harness import BotApp, Person

GROUP = -1001234567890
NOTE = {
    "ru": (
        "🔒 Я работаю только в личном чате, чтобы всё, что вы рассказываете, оставалось "
        "между нами. Откройте его кнопкой ниже."
    ),
    "en": (
        "🔒 I only work in a private chat, so that what you tell me stays between us. "
        "Open it with the button below."
    ),
}
ALERT = {
    "ru": (
        "🔒 Я работаю только в личном чате, чтобы всё, что вы рассказываете, оставалось "
        "между нами. Напишите мне: @feedback_test_bot"
    ),
    "en": (
        "🔒 I only work in a private chat, so that what you tell me stays between us. "
        "Write to me: @feedback_test_bot"
    ),
}
OPEN_PRIVATE = {"ru": "💬 Открыть личный чат", "en": "💬 Open the private chat"}
DEEP_LINK = "https://t.me/feedback_test_bot?start=group"
PERSONAL_COMMANDS = (
    "/start",
    "/new",
    "/list",
    "/export",
    "/plan",
    "/settings",
    "/draft",
    "/delete",
    "/help",
    "/export@feedback_test_bot",
)
QUOTE = "Слабо знаете индексы в PostgreSQL"


async def in_group(
    app: BotApp, person: Person, text: str, *, reply_to: int | None = None
) -> list[SentMessage]:
    return await app.feed(
        app.fake.send_group_text(person.user, GROUP, text, reply_to=reply_to), GROUP
    )


async def press_in_group(app: BotApp, person: Person, message_id: int, data: str) -> None:
    update = app.fake.press(person.user, message_id, data, forge=True, chat_id=GROUP)
    assert await app.feed(update, GROUP) == []


async def with_interview(app: BotApp, person: Person, clock: FakeClock) -> int:
    """An interview at «Яндекс», waiting for a decision after the final stage; its id."""
    async with app.sessionmaker() as session, session.begin():
        interview = await InterviewRepository(session).add(
            user_id=person.user.id,
            now=clock.now,
            company="Яндекс",
            position="Python-разработчик",
            contact_name=None,
            channel="phone",
            contact_address=None,
            last_stage_on=clock.now.date(),
            all_stages_done=True,
            next_stage_on=None,
            outcome="waiting",
            rejection_tone=None,
            result_on=None,
            last_contact_on=None,
            priorities=["tech"],
        )
        return interview.id


async def with_journal(app: BotApp, person: Person, clock: FakeClock) -> int:
    """The interview of :func:`with_interview` with a journal quote; its id."""
    interview_id = await with_interview(app, person, clock)
    async with app.sessionmaker() as session, session.begin():
        await JournalRepository(session).add(
            user_id=person.user.id,
            interview_id=interview_id,
            now=clock.now,
            kind="feedback",
            text=QUOTE,
            areas=["tech"],
            sentiment="constructive",
        )
    return interview_id


async def count(app: BotApp, model: type[User | Interview | JournalEntry]) -> int:
    async with app.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def group_state_keys(app: BotApp) -> list[str]:
    async with app.sessionmaker() as session:
        keys = (await session.scalars(select(FsmRecord.key))).all()
    return [key for key in keys if str(GROUP) in key]


def group_texts(app: BotApp) -> str:
    return "\n".join(message.text or "" for message in app.fake.bot_messages(GROUP))


def assert_note(message: SentMessage, language: str, replying_to: int) -> None:
    assert message.text == NOTE[language]
    assert message.buttons == [[{"text": OPEN_PRIVATE[language], "url": DEEP_LINK}]]
    assert message.data["reply_to_message"]["message_id"] == replying_to


@pytest.mark.parametrize(
    ("language", "first_name", "last_name"), [("ru", "Анна", "Иванова"), ("en", "Anna", "Smith")]
)
async def test_personal_commands_in_a_group_get_only_the_note(
    app: BotApp, clock: FakeClock, language: str, first_name: str, last_name: str
) -> None:
    person = await app.person(
        first_name=first_name, last_name=last_name, language_code=language
    ).onboarded()
    await with_journal(app, person, clock)
    app.fake.add_group(GROUP, "Ищем работу вместе")
    private_before = len(app.fake.messages(person.chat_id))

    for command in PERSONAL_COMMANDS:
        replies = await in_group(app, person, command)
        assert len(replies) == 1, command
        assert_note(replies[0], language, app.fake.user_messages(GROUP)[-1].message_id)

    shown = group_texts(app)
    for personal in ("Яндекс", "Python-разработчик", f"{first_name} {last_name}", QUOTE):
        assert personal not in shown
    assert not [document for document in app.fake.documents if document.chat_id != person.chat_id]
    assert await group_state_keys(app) == []
    # Nothing was sent to the private chat either, and /delete in the group erased nothing.
    assert len(app.fake.messages(person.chat_id)) == private_before
    assert (await count(app, User), await count(app, Interview)) == (1, 1)


async def test_a_mention_or_a_reply_to_the_bot_gets_the_note(app: BotApp) -> None:
    anna = app.person()
    app.fake.add_group(GROUP, "Ищем работу вместе")
    note = (await in_group(app, anna, "@feedback_test_bot что ты умеешь?"))[0]
    assert_note(note, "ru", app.fake.user_messages(GROUP)[-1].message_id)

    replies = await in_group(app, anna, "А в личке?", reply_to=note.message_id)
    assert len(replies) == 1
    assert replies[0].text == NOTE["ru"]


@pytest.mark.parametrize("chat_type", ["group", "supergroup"])
async def test_plain_group_messages_get_no_answer(app: BotApp, chat_type: str) -> None:
    anna = await app.person().onboarded()
    boris = app.person(2002, first_name="Борис", last_name=None)
    app.fake.add_group(GROUP, "Ищем работу вместе", chat_type=chat_type)

    for person, text in (
        (anna, "Всем привет! Завтра собеседование в Яндексе"),
        (anna, "📋 Мои собеседования"),
        (boris, "Удачи!"),
        (boris, "/roll"),  # another bot's command
        (anna, "/export@dice_bot"),
        (boris, "пишу @someone_else"),
    ):
        assert await in_group(app, person, text) == [], text

    assert app.fake.bot_messages(GROUP) == []
    assert await count(app, User) == 1  # Boris was not registered
    assert await group_state_keys(app) == []


async def test_a_button_pressed_in_a_group_gets_the_note_as_an_alert(
    app: BotApp, clock: FakeClock
) -> None:
    anna = await app.person().onboarded()
    interview_id = await with_journal(app, anna, clock)
    boris = app.person(2002, first_name="Boris", last_name=None, language_code="en")
    app.fake.add_group(GROUP, "Ищем работу вместе")
    note = (await in_group(app, anna, "/list"))[0]

    for person, language, message_id, data in (
        (anna, "ru", note.message_id, InterviewCb(action="open", id=interview_id).pack()),
        (anna, "ru", note.message_id, PrivacyCb(action="export").pack()),
        (anna, "ru", 9999, PrivacyCb(action="confirm").pack()),  # an old message, gone
        (boris, "en", note.message_id, ConsentCb(action="accept", lang="en").pack()),
    ):
        await press_in_group(app, person, message_id, data)
        answer = app.fake.callback_answers[-1]
        assert (answer.text, answer.show_alert) == (ALERT[language], True), data

    assert app.fake.documents == []
    assert group_texts(app) == NOTE["ru"]  # the note, not edited into a card
    # The erasure was not confirmed, and Boris gave no consent by a press in the group.
    assert (await count(app, User), await count(app, Interview)) == (1, 1)
    assert await count(app, JournalEntry) == 1


async def test_inline_mode_still_answers_in_a_group(app: BotApp, clock: FakeClock) -> None:
    anna = await app.person().onboarded(gender="feminine")
    await with_interview(app, anna, clock)

    update = app.fake.send_inline_query(anna.user, "", chat_type="supergroup")
    await app.feed(update, anna.chat_id)

    answer = app.fake.inline_answers[-1]
    assert answer.user_id == anna.user.id
    assert answer.is_personal
    assert [result["title"] for result in answer.results] == ["Яндекс — Python-разработчик"]


@pytest.mark.parametrize("chat_type", ["group", "supergroup"])
async def test_the_same_person_in_private_works_fully_and_has_nothing_from_the_group(
    app: BotApp, chat_type: str
) -> None:
    anna = app.person()
    app.fake.add_group(GROUP, "Ищем работу вместе", chat_type=chat_type)
    note = (await in_group(app, anna, "/start"))[0]
    await press_in_group(app, anna, note.message_id, ConsentCb(action="accept", lang="ru").pack())
    assert await count(app, User) == 0  # no record, no consent from the group

    # The deep link opens the private chat with «/start group».
    replies = await anna.send("/start group")
    assert "👋 Здравствуйте!" in (replies[0].text or "")
    await anna.onboarded()

    for text in ("/new", "Яндекс", "Python-разработчик"):  # an intake that must not start
        assert [reply.text for reply in await in_group(app, anna, text)] in ([NOTE["ru"]], [])
    assert await group_state_keys(app) == []

    replies = await anna.send("/new")
    assert "В какой компании" in (replies[-1].text or "")
    replies = await anna.send("Озон")
    assert "На какую позицию?" in (replies[-1].text or "")
    await anna.send("/cancel")
    await anna.send("/export")
    document = app.fake.documents[-1]
    assert document.chat_id == anna.chat_id
    exported = json.loads(document.content)
    assert exported["person"]["id"] == anna.user.id
    assert exported["interviews"] == []
    assert await group_state_keys(app) == []


async def test_a_group_where_the_bot_may_not_write_is_no_error(
    app: BotApp, caplog: pytest.LogCaptureFixture
) -> None:
    anna = app.person()
    app.fake.add_group(GROUP, "Ищем работу вместе")
    app.fake.fail_next(
        "sendMessage",
        error_code=400,
        description="Bad Request: not enough rights to send text messages to the chat",
        chat_id=GROUP,
    )

    assert await in_group(app, anna, "/export") == []

    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert app.fake.bot_messages(GROUP) == []  # no apology tried there either
    assert await in_group(app, anna, "/export") != []  # once it may, the note comes
