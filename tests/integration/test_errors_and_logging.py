"""Failures are apologized for and rolled back; every update leaves one log line, no texts."""

from __future__ import annotations

import logging
import re
from datetime import datetime, time

import pytest
from aiogram.fsm.storage.base import DefaultKeyBuilder, StorageKey
from aiogram.types import BotCommand, BotCommandScopeDefault
from sqlalchemy import func, select

from bot.app.commands import COMMANDS, register_commands
from bot.db.models import FsmRecord, User
from bot.db.repositories.users import UserRepository
from bot.telegram.i18n import create_i18n
from bot.telegram.states import Onboarding
from tests.harness import BotApp, Person

APOLOGY_RU = (
    "😔 Извините, у меня что-то сломалось. Всё, что вы сохранили раньше, на месте — "
    "попробуйте ещё раз чуть позже."
)
APOLOGY_EN = (
    "😔 Sorry, something went wrong on my side. What you saved before is safe; "
    "please try again in a moment."
)
UPDATE_LINE = re.compile(
    r"^update=(?P<update>\d+) type=(?P<type>\w+) handler=(?P<handler>\S+) "
    r"duration_ms=(?P<duration>\d+\.\d) outcome=(?P<outcome>ok|error)$"
)
SECRETS = ("Крыска", "Лариска", "Зинаида", "Шапокляк")


class InjectedError(RuntimeError):
    """The failure the tests inject into a handler."""


_original_update = UserRepository.update
_original_create = UserRepository.create


async def _update_then_fail(
    self: UserRepository, user: User, now: datetime, **changes: object
) -> User:
    await _original_update(self, user, now, **changes)  # flushed: the row changed in the DB
    raise InjectedError("injected after the write")


async def _create_then_fail(self: UserRepository, **fields: object) -> User:
    await _original_create(self, **fields)  # type: ignore[arg-type]  # flushed: row inserted
    raise InjectedError("injected after the insert")


class BrokenWrites:
    """Makes ``UserRepository`` write the change to the database, then fail."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self._monkeypatch = monkeypatch

    def on(self) -> None:
        self._monkeypatch.setattr(UserRepository, "update", _update_then_fail)
        self._monkeypatch.setattr(UserRepository, "create", _create_then_fail)

    def off(self) -> None:
        self._monkeypatch.undo()


@pytest.fixture
def broken_writes(monkeypatch: pytest.MonkeyPatch) -> BrokenWrites:
    return BrokenWrites(monkeypatch)


async def stored_user(app: BotApp, user_id: int) -> User | None:
    async with app.sessionmaker() as session:
        return await session.get(User, user_id)


async def signature_of(app: BotApp, person: Person) -> str:
    user = await stored_user(app, person.user.id)
    assert user is not None
    return user.signature


async def fsm_state(app: BotApp, person: Person) -> str | None:
    """The conversation state stored for the person's private chat."""
    key = StorageKey(bot_id=app.bot.id, chat_id=person.chat_id, user_id=person.user.id)
    async with app.sessionmaker() as session:
        record = await session.get(FsmRecord, DefaultKeyBuilder(with_destiny=True).build(key))
    return record.state if record else None


async def consented(person: Person) -> None:
    await person.send("/start")
    await person.press(person.buttons()[0])


# --- a failing update is rolled back as a whole -------------------------------------------


async def test_failed_update_is_apologized_for_rolled_back_and_can_be_retried(
    app: BotApp, broken_writes: BrokenWrites
) -> None:
    anna = app.person()
    await consented(anna)
    question = anna.last
    assert await fsm_state(app, anna) == Onboarding.signature.state

    broken_writes.on()
    replies = await anna.send("Анна Петрова")
    broken_writes.off()

    assert [m.text for m in replies] == [APOLOGY_RU]
    assert await signature_of(app, anna) == "Анна Иванова"  # the flushed UPDATE was undone
    assert await fsm_state(app, anna) == Onboarding.signature.state

    await anna.send("Анна Петрова")  # the next correct input works
    assert await signature_of(app, anna) == "Анна Петрова"
    assert "✓ Подпись: Анна Петрова" in (anna.last.text or "")
    assert "Как писать о вас в письмах на русском?" in (anna.last.text or "")
    assert anna.last.message_id != question.message_id
    assert await fsm_state(app, anna) == Onboarding.gender.state


async def test_failure_after_the_state_moved_rolls_the_state_back_too(app: BotApp) -> None:
    """The signature is written and the state moved to the next question; then sending the
    question fails. Both the signature and the state must be undone."""
    anna = app.person()
    await consented(anna)
    app.fake.fail_next("sendMessage", error_code=400, chat_id=anna.chat_id)

    replies = await anna.send("Анна Петрова")

    assert [m.text for m in replies] == [APOLOGY_RU]  # only the question failed to go out
    assert await signature_of(app, anna) == "Анна Иванова"
    assert await fsm_state(app, anna) == Onboarding.signature.state
    await anna.send("Анна Петрова")
    assert await signature_of(app, anna) == "Анна Петрова"
    assert await fsm_state(app, anna) == Onboarding.gender.state


# --- the apology --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language_code", "apology"), [("ru", APOLOGY_RU), ("en", APOLOGY_EN), ("uk", APOLOGY_RU)]
)
async def test_failed_consent_is_apologized_for_with_an_alert_and_stores_nothing(
    app: BotApp, broken_writes: BrokenWrites, language_code: str, apology: str
) -> None:
    person = app.person(language_code=language_code)
    await person.send("/start")
    broken_writes.on()

    replies = await person.press(person.buttons()[0])

    assert replies == []
    answer = app.fake.callback_answers[-1]
    assert (answer.text, answer.show_alert) == (apology, True)
    assert await stored_user(app, person.user.id) is None
    async with app.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(FsmRecord)) == 0
    broken_writes.off()
    await person.press(person.buttons()[0])  # the consent button still works
    assert await stored_user(app, person.user.id) is not None


async def test_english_person_gets_the_apology_in_english(
    app: BotApp, broken_writes: BrokenWrites
) -> None:
    john = app.person(2002, first_name="John", last_name="Smith", language_code="en")
    await consented(john)
    broken_writes.on()

    replies = await john.send("John Q. Smith")

    assert [m.text for m in replies] == [APOLOGY_EN]


async def test_the_chosen_language_decides_the_apology(
    app: BotApp, broken_writes: BrokenWrites
) -> None:
    """Telegram says "ru", but the person chose English at /start: the apology follows."""
    anna = app.person(language_code="ru")
    await anna.send("/start")
    await anna.press("🇬🇧 English")
    await anna.press("✅ I agree, let's start")
    broken_writes.on()

    replies = await anna.send("Anna Petrova")

    assert [m.text for m in replies] == [APOLOGY_EN]


async def test_failure_in_a_settings_button_answers_with_an_apology_alert(
    app: BotApp, broken_writes: BrokenWrites
) -> None:
    anna = app.person()
    await consented(anna)
    await anna.send("/cancel")
    card = (await anna.send("/settings"))[0]
    await anna.press("🌙 Тихие часы")
    broken_writes.on()

    replies = await anna.press("🔔 Без тихих часов")

    assert replies == []
    user = await stored_user(app, anna.user.id)
    assert user is not None
    assert (user.quiet_start, user.quiet_end) == (time(22, 0), time(9, 0))
    assert "🔔 Без тихих часов" in anna.buttons(card)  # the submenu is still there to retry
    answer = app.fake.callback_answers[-1]
    assert (answer.text, answer.show_alert) == (APOLOGY_RU, True)


async def test_failure_after_the_callback_was_answered_still_reaches_the_person(
    app: BotApp, broken_writes: BrokenWrites
) -> None:
    anna = app.person()
    await consented(anna)
    await anna.press("Оставить «Анна Иванова»")
    broken_writes.on()

    replies = await anna.press("Женский род: «была бы признательна»")

    user = await stored_user(app, anna.user.id)
    assert user is not None
    assert user.gender == "n"
    alerts = [a.text for a in app.fake.callback_answers if a.text == APOLOGY_RU]
    assert alerts or APOLOGY_RU in [m.text for m in replies]


# --- one log line per update, no personal data --------------------------------------------


def update_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, str]]:
    lines = []
    for record in caplog.records:
        if record.name != "bot.updates":
            continue
        assert record.levelno == logging.INFO
        match = UPDATE_LINE.match(record.getMessage())
        assert match is not None, record.getMessage()
        lines.append(match.groupdict())
    return lines


def everything_logged(caplog: pytest.LogCaptureFixture) -> str:
    """Formatted lines with tracebacks, and every record's message and arguments."""
    parts = [caplog.text]
    for record in caplog.records:
        parts.append(record.getMessage())
        parts.append(repr(record.args))
        parts.append(repr(vars(record)))
    return "\n".join(parts)


async def test_one_info_line_per_update_naming_the_handler(
    app: BotApp, caplog: pytest.LogCaptureFixture, broken_writes: BrokenWrites
) -> None:
    caplog.set_level(logging.INFO)  # LOG_LEVEL defaults to INFO
    anna = app.person(first_name="Зинаида", last_name="Шапокляк")
    await anna.send("/start")
    await anna.press("✅ Согласиться и начать")
    await anna.send("Крыска Лариска")
    await anna.send_sticker()
    broken_writes.on()
    await anna.press("Мужской род: «был бы признателен»")

    lines = update_lines(caplog)
    assert [(f["type"], f["handler"], f["outcome"]) for f in lines] == [
        ("message", "start.cmd_start", "ok"),
        ("callback_query", "start.on_consent", "ok"),
        ("message", "onboarding.signature_text", "ok"),
        ("message", "onboarding.gender_not_button", "ok"),
        ("callback_query", "onboarding.gender_chosen", "error"),
    ]
    ids = [int(f["update"]) for f in lines]
    assert len(set(ids)) == 5
    assert ids == sorted(ids)
    logged = everything_logged(caplog)
    for secret in SECRETS:
        assert secret not in logged


async def test_failure_is_logged_with_the_update_id_and_no_texts_or_names(
    app: BotApp, caplog: pytest.LogCaptureFixture, broken_writes: BrokenWrites
) -> None:
    caplog.set_level(logging.INFO)  # LOG_LEVEL defaults to INFO
    anna = app.person(first_name="Зинаида", last_name="Шапокляк")
    await anna.send("/start")
    await anna.press("✅ Согласиться и начать")
    broken_writes.on()

    await anna.send("Крыска Лариска")

    failed = update_lines(caplog)[-1]
    assert (failed["handler"], failed["outcome"]) == ("onboarding.signature_text", "error")
    errors = [r for r in caplog.records if r.name == "bot.errors"]
    assert len(errors) == 1
    assert errors[0].levelno == logging.ERROR
    assert errors[0].getMessage() == f"update={failed['update']} failed: InjectedError"
    assert errors[0].exc_info is not None  # the traceback is there for the developer
    logged = everything_logged(caplog)
    for secret in SECRETS:
        assert secret not in logged


async def test_update_no_handler_takes_is_logged_too(
    app: BotApp, caplog: pytest.LogCaptureFixture
) -> None:
    anna = app.person()
    await anna.send("/help")
    sent = app.fake.user_messages(anna.chat_id)[-1]
    caplog.set_level(logging.INFO, logger="bot.updates")

    await app.feed(app.fake.edit_text(anna.user, sent.message_id, "/help please"), anna.chat_id)

    lines = update_lines(caplog)
    assert [(f["type"], f["handler"], f["outcome"]) for f in lines] == [
        ("edited_message", "-", "ok")
    ]


# --- the command menu ---------------------------------------------------------------------


ENGLISH_DESCRIPTIONS = {
    "start": "Start, or return to the main menu",
    "settings": "Language, signature, time zone, quiet hours",
    "help": "What the bot can do",
    "cancel": "Stop the current step",
}
RUSSIAN_DESCRIPTIONS = {
    "start": "Начать или вернуться в главное меню",
    "settings": "Язык, подпись, часовой пояс, тихие часы",
    "help": "Что умеет бот",
    "cancel": "Прервать текущий шаг",
}
CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)


def check_menus(app: BotApp) -> None:
    names = [name for name, _ in COMMANDS]
    english = app.fake.commands_for("all_private_chats", "")
    assert [c["command"] for c in english] == names
    english_by_name = {c["command"]: c["description"] for c in english}
    assert ENGLISH_DESCRIPTIONS.items() <= english_by_name.items()
    assert not any(CYRILLIC.search(text) for text in english_by_name.values())
    for code in ("ru", "uk", "be", "kk"):
        russian = app.fake.commands_for("all_private_chats", code)
        assert [c["command"] for c in russian] == names, code
        russian_by_name = {c["command"]: c["description"] for c in russian}
        assert RUSSIAN_DESCRIPTIONS.items() <= russian_by_name.items(), code
        assert all(CYRILLIC.search(text) for text in russian_by_name.values()), code
    assert app.fake.commands_for("all_private_chats", "en") == []  # English: the default
    for code in ("", "ru", "uk", "be", "kk"):  # groups get no menu of personal commands
        assert app.fake.commands_for("default", code) == [], code
    german = app.fake.user(5005, first_name="Hans", language_code="de")
    kazakh = app.fake.user(5006, first_name="Айгерим", language_code="kk")
    assert app.fake.visible_commands(german) == english
    assert app.fake.visible_commands(kazakh) == app.fake.commands_for("all_private_chats", "kk")


async def test_register_commands_sets_english_default_and_russian_for_neighbours(
    app: BotApp,
) -> None:
    i18n = create_i18n("ru")
    with i18n.context():
        await register_commands(app.bot, i18n)
    check_menus(app)


async def test_register_commands_works_at_start_up_outside_an_update(app: BotApp) -> None:
    await register_commands(app.bot, create_i18n("ru"))  # exactly as bot/__main__.py calls it
    check_menus(app)


async def test_a_menu_an_earlier_version_left_for_every_chat_is_removed(app: BotApp) -> None:
    """Earlier versions set the menu for every chat, groups included: it goes at start-up."""
    old = [BotCommand(command="export", description="A copy of your data")]
    await app.bot.set_my_commands(old, scope=BotCommandScopeDefault())
    await app.bot.set_my_commands(old, scope=BotCommandScopeDefault(), language_code="ru")
    await register_commands(app.bot, create_i18n("ru"))
    assert app.fake.commands_for("default", "") == []
    assert app.fake.commands_for("default", "ru") == []
    check_menus(app)


@pytest.mark.parametrize("command", [name for name, _ in COMMANDS])
@pytest.mark.parametrize("has_consented", [False, True], ids=["stranger", "consented"])
async def test_every_menu_command_has_a_handler(
    app: BotApp, command: str, has_consented: bool
) -> None:
    anna = app.person()
    if has_consented:
        await consented(anna)

    replies = await anna.send(f"/{command}")

    assert replies, f"/{command} got no answer"
    for message in replies:
        assert "Такой команды нет" not in (message.text or "")
