"""End to end: ``python -m bot`` as a real process, the person played through the fake Bot API.

Each test runs its own fake server (in the test's event loop) and its own database, once on
SQLite and once on PostgreSQL with Redis (see ``backends.py``); the bot is started exactly as
in production, killed with SIGKILL where the test says so, and always killed in teardown.
Nothing sleeps: every wait is on the fake's state or on the bot's log lines, with a timeout,
and a failure shows the bot's stdout and stderr.
"""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path

import pytest

from tests.e2e.backends import (
    SQLITE,
    SQLITE_ONLY,
    BackendE2E,
    rows,
    table_names,
)
from tests.e2e.process import (
    ROOT,
    TOKEN,
    BotProcess,
    Person,
    clean_environment,
    text_of,
)

pytestmark = pytest.mark.e2e

CONSENT = "👋 Здравствуйте!"
AGREE = "✅ Согласиться и начать"
SIGNATURE_QUESTION = "Как подписывать ваши письма?"
GENDER_QUESTION = "Как писать о вас в письмах на русском?"
FEMININE = "Женский род: «была бы признательна»"
TIMEZONE_QUESTION = "Ваш часовой пояс?"
DONE = "🎉 Готово!"
APOLOGY = "😔 Извините"


async def stored_user(e2e: BackendE2E, user_id: int) -> dict[str, object]:
    """The person's row, read from the bot's database."""
    found = await rows(e2e.database_url, "users", id=user_id)
    assert len(found) == 1, f"no user {user_id} in {e2e.backend.name}"
    return found[0]


def all_texts(messages: list[str]) -> str:
    return "\n---\n".join(messages)


async def consent(person: Person) -> None:
    """/start and agree; returns when the signature question has arrived."""
    person.send("/start")
    await person.expect(CONSENT)
    person.press(AGREE)
    await person.expect(SIGNATURE_QUESTION)


# --- the whole first conversation -------------------------------------------------------


async def test_start_consent_onboarding_and_settings_through_the_real_process(
    e2e: BackendE2E,
) -> None:
    anna = e2e.person()
    bot = await e2e.start()

    # start-up side effects
    assert e2e.fake.calls_to("deleteWebhook")
    english = e2e.fake.commands_for("all_private_chats", "")
    russian = e2e.fake.commands_for("all_private_chats", "ru")
    names = [command["command"] for command in english]
    assert {"start", "settings", "help", "cancel"} <= set(names), english
    assert [command["command"] for command in russian] == names
    assert english[0] == {"command": "start", "description": "Start, or return to the main menu"}
    assert russian[0] == {"command": "start", "description": "Начать или вернуться в главное меню"}
    # the database is there and migrated (PostgreSQL comes migrated; the start-up upgrade
    # leaves it so)
    if e2e.backend.name == SQLITE:
        assert e2e.db_path.is_file()
    assert {"alembic_version", "users", "fsm_states"} <= await table_names(e2e.database_url)

    # /start: the privacy note and consent
    anna.send("/start")
    consent_message = await anna.expect(CONSENT)
    assert "Конфиденциальность" in text_of(consent_message)
    assert consent_message.button_texts == [[AGREE], ["Не сейчас", "🇬🇧 English"]]

    anna.press(AGREE)
    question = await anna.expect(SIGNATURE_QUESTION)
    assert "Анна Иванова" in text_of(question)
    assert consent_message.buttons == []  # the answered consent lost its buttons
    assert "Спасибо!" in anna.alerts()

    anna.send("Анна Петрова")
    gender = await anna.expect(GENDER_QUESTION)
    assert "✓ Подпись: Анна Петрова" in text_of(gender)
    assert question.buttons == []

    anna.press(FEMININE)
    zone = await anna.expect(TIMEZONE_QUESTION)
    assert "✓ Форма в письмах: Женский род" in text_of(zone)
    assert "UTC+5 Екатеринбург" in [text for row in zone.button_texts for text in row]

    anna.send("UTC+5")
    done = await anna.expect(DONE)
    assert "✍️ Подпись: Анна Петрова" in text_of(done)
    assert "UTC+05:00, у вас сейчас" in text_of(done)
    assert "/settings" in text_of(done)
    assert {"⚙️ Настройки", "❓ Помощь"} <= set(anna.reply_buttons()), anna.reply_buttons()

    # /settings: the card with the values, then the quiet hours changed with buttons
    anna.send("/settings")
    card = await anna.expect("⚙️ Настройки")
    card_text = text_of(card)
    assert "🌐 Язык: Русский" in card_text
    assert "✍️ Подпись: Анна Петрова" in card_text
    assert "👤 Форма в письмах: Женский род" in card_text
    assert "🕒 Часовой пояс: UTC+05:00" in card_text
    assert "🌙 Тихие часы: " in card_text
    # a preset other than the current value (the default may be "off" or a night range)
    preset = next(p for p in ("23:00–08:00", "21:00–10:00") if p not in card_text)

    anna.press("🌙 Тихие часы", card.message_id)
    await e2e.wait_for(
        lambda: "В какое время вас не беспокоить?" in text_of(card), "the quiet-hours menu"
    )
    assert preset in [text for row in card.button_texts for text in row]

    anna.press(preset, card.message_id)
    await e2e.wait_for(
        lambda: f"🌙 Тихие часы: {preset}" in text_of(card), "the card with the new quiet hours"
    )
    assert "✍️ Подпись: Анна Петрова" in text_of(card)
    assert "Сохранено" in anna.alerts()
    assert anna.replies() == []  # edited in place, nothing new sent
    await e2e.wait_idle()
    assert not bot.exited


# --- kill -9 and restarts ---------------------------------------------------------------


async def test_conversation_survives_kill_9(e2e: BackendE2E) -> None:
    anna = e2e.person()
    first = await e2e.start()
    await consent(anna)
    answer = anna.send("Анна Петрова")
    gender_question = await anna.expect(GENDER_QUESTION)
    # The question is sent inside the handler, before the update's transaction commits; the
    # log line is written after the commit. Kill only once both happened and the update is
    # confirmed to Telegram, as the bot would be at rest.
    assert await e2e.wait_handled(answer) == "ok"
    await e2e.wait_idle()

    assert await first.kill() == -9
    assert FEMININE in [t for row in gender_question.button_texts for t in row]
    # the open step outlives the process in the backend's FSM storage (Redis when it has one)
    assert [key for key in await e2e.fsm_keys() if f":{anna.user.id}:" in key]

    second = await e2e.start()
    anna.press(FEMININE, gender_question.message_id)
    zone = await anna.expect(TIMEZONE_QUESTION)
    assert "✓ Форма в письмах: Женский род" in text_of(zone)
    assert gender_question.buttons == []
    anna.send("UTC+5")
    done = await anna.expect(DONE)
    assert "✍️ Подпись: Анна Петрова" in text_of(done)  # kept from before the kill
    assert "👤 Форма в письмах: Женский род" in text_of(done)

    await e2e.wait_idle()
    assert await second.terminate() == 0  # SIGTERM: a clean stop
    user = await stored_user(e2e, anna.user.id)
    assert (user["signature"], user["gender"], user["timezone"]) == (
        "Анна Петрова",
        "f",
        "UTC+05:00",
    )
    assert user["onboarded_at"] is not None


async def test_update_delivered_while_down_is_handled_after_restart(e2e: BackendE2E) -> None:
    anna = e2e.person()
    first = await e2e.start()
    anna.send("/start")
    await anna.expect(CONSENT)
    accept = anna.press(AGREE)
    await anna.expect(SIGNATURE_QUESTION)
    assert await e2e.wait_handled(accept) == "ok"
    await e2e.wait_idle()
    assert await first.kill() == -9

    pending = anna.send("Анна Петрова")  # Telegram keeps it while the bot is down
    assert [update["update_id"] for update in e2e.fake.pending_updates()] == [pending]

    second = await e2e.start()
    gender = await anna.expect(GENDER_QUESTION)  # answered in the step it was sent in
    assert "✓ Подпись: Анна Петрова" in text_of(gender)
    assert await e2e.wait_handled(pending) == "ok"
    await e2e.wait_idle()
    assert e2e.fake.pending_updates() == []
    assert pending not in first.outcomes()
    assert second.outcomes()[pending] == ["ok"]


# --- configuration ----------------------------------------------------------------------


def token_help_environment(
    tmp_path: Path, name: str, *, token: str | None
) -> tuple[Path, dict[str, str]]:
    """An empty working directory (the bot reads .env from there) and an environment without
    any bot settings; ``token`` is the BOT_TOKEN value, or None to leave it unset."""
    workdir = tmp_path / name
    workdir.mkdir()
    python_path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env = clean_environment(PYTHONPATH=python_path)
    if token is not None:
        env["BOT_TOKEN"] = token
    return workdir, env


def assert_botfather_help(bot: BotProcess, code: int, workdir: Path) -> None:
    assert code == 2, bot.describe()
    assert "@BotFather" in bot.stderr, bot.describe()
    assert "/newbot" in bot.stderr, bot.describe()
    assert "Traceback" not in bot.stderr, bot.describe()
    assert not (workdir / "data").exists()  # no database was created


# Without a token the bot stops before it opens any database: one run, on SQLite, is enough.


@SQLITE_ONLY
async def test_missing_token_prints_botfather_help(e2e: BackendE2E, tmp_path: Path) -> None:
    workdir, env = token_help_environment(tmp_path, "unset", token=None)
    bot = await e2e.spawn(env=env, cwd=workdir)
    assert_botfather_help(bot, await bot.wait(), workdir)
    assert e2e.fake.calls == []


@SQLITE_ONLY
async def test_empty_token_prints_botfather_help_too(e2e: BackendE2E, tmp_path: Path) -> None:
    in_env, env = token_help_environment(tmp_path, "empty-env", token="")
    in_file, file_env = token_help_environment(tmp_path, "blank-dotenv", token=None)
    (in_file / ".env").write_text("# copied from .env.example, not filled in\nBOT_TOKEN=\n")
    # both at once: each start mostly imports aiogram
    bots = [await e2e.spawn(env=env, cwd=in_env), await e2e.spawn(env=file_env, cwd=in_file)]
    codes = await asyncio.gather(*(bot.wait() for bot in bots))
    for bot, code, workdir in zip(bots, codes, (in_env, in_file), strict=True):
        assert_botfather_help(bot, code, workdir)


@SQLITE_ONLY
async def test_a_split_role_on_sqlite_stops_with_what_to_set(
    e2e: BackendE2E, tmp_path: Path
) -> None:
    """``BOT_ROLE=web`` (or ``scheduler``) next to the default SQLite file: a clear
    configuration error before any database or Telegram call, not two processes fighting
    over one file."""
    workdir, env = token_help_environment(tmp_path, "web-on-sqlite", token=TOKEN)
    env["BOT_ROLE"] = "web"
    bot = await e2e.spawn(env=env, cwd=workdir)
    assert await bot.wait() == 2, bot.describe()
    assert "Configuration error" in bot.stderr, bot.describe()
    assert "BOT_ROLE=web" in bot.stderr, bot.describe()
    assert "PostgreSQL" in bot.stderr, bot.describe()
    assert "Traceback" not in bot.stderr, bot.describe()
    assert not (workdir / "data").exists()
    assert e2e.fake.calls == []


# --- errors -----------------------------------------------------------------------------


async def test_errors_reach_the_person_as_an_apology_not_a_crash(e2e: BackendE2E) -> None:
    anna = e2e.person()
    bot = await e2e.start()

    async def fails_then_apologizes(text: str) -> int:
        """The bot's next sendMessage in this chat gets a 429 (aiogram does not retry it)."""
        e2e.fake.fail_next("sendMessage", error_code=429, retry_after=1, chat_id=anna.chat_id)
        update_id = anna.send(text)
        assert await e2e.wait_handled(update_id) == "error"
        crashed = f"Cause exception while process update id={update_id} "
        await e2e.wait_for(
            lambda: any(APOLOGY in text_of(m) for m in anna.replies()) or crashed in bot.stderr,
            f"the apology for update {update_id}",
        )
        assert crashed not in bot.stderr, "the error handler itself failed"
        replies = [text_of(m) for m in anna.replies()]
        assert len(replies) == 1, replies
        assert replies[0].startswith(APOLOGY), replies
        return update_id

    # /start whose consent message is refused with a 429: the person is told, not ignored
    e2e.fake.fail_next("sendMessage", error_code=429, retry_after=1, chat_id=anna.chat_id)
    failed_start = anna.send("/start")
    assert await e2e.wait_handled(failed_start) == "error"
    await e2e.wait_for(
        lambda: any(APOLOGY in text_of(m) or CONSENT in text_of(m) for m in anna.replies()),
        "an apology or the consent message",
    )
    assert len([c for c in e2e.fake.calls_to("sendMessage") if c.status == 429]) == 1

    # the process lives on: the next /start works normally
    again = anna.send("/start")
    consent_message = await anna.expect(CONSENT)
    assert consent_message.button_texts[0] == [AGREE]
    assert await e2e.wait_handled(again) == "ok"

    # before consent, and after it (the failed update's transaction is rolled back first)
    stray = await fails_then_apologizes("мой тайный текст")
    anna.press(AGREE, consent_message.message_id)
    await anna.expect(SIGNATURE_QUESTION)
    signature = await fails_then_apologizes("Зоя Шпрехшталмейстер")
    retry = anna.send("Зоя Шпрехшталмейстер")  # the step is still open: the retry works
    gender = await anna.expect(GENDER_QUESTION)
    assert "✓ Подпись: Зоя Шпрехшталмейстер" in text_of(gender)
    assert await e2e.wait_handled(retry) == "ok"

    await e2e.wait_idle()
    assert not bot.exited
    log = bot.stderr
    for update_id in (failed_start, stray, signature):
        assert re.search(rf" bot\.updates: update={update_id} .*\boutcome=error\b", log), log
        assert re.search(rf"ERROR bot\.errors: update={update_id} failed: TelegramRetryAfter", log)
    for secret in ("тайный", "Шпрехшталмейстер", "Анна", "Иванова"):
        assert secret not in log, f"{secret!r} leaked into the log"


# --- logging ----------------------------------------------------------------------------


async def test_one_log_line_per_update_without_texts_or_names(e2e: BackendE2E) -> None:
    zina = e2e.person(2002, first_name="Зинаида", last_name="Квакенбуш")
    bot = await e2e.start()
    sent: list[int] = []

    async def act(update_id: int, reply: str) -> None:
        sent.append(update_id)
        await zina.expect(reply)

    await act(zina.send("/start"), CONSENT)
    await act(zina.press(AGREE), SIGNATURE_QUESTION)
    await act(zina.send("Тайная Подпись Ъ"), GENDER_QUESTION)
    await act(zina.send("женский"), "кнопкой")  # a hint: answer with a button
    await act(zina.press("Пропустить →"), TIMEZONE_QUESTION)
    await act(zina.send("Марс/Фобос"), "Не знаю часового пояса")
    await act(zina.send("UTC+3"), DONE)
    await act(zina.send("/frobnicate"), "Такой команды нет")
    for update_id in sent:
        await e2e.wait_handled(update_id)
    await e2e.wait_idle()

    lines = bot.update_lines()
    assert len(lines) == len(sent), all_texts(lines)
    assert bot.outcomes() == {update_id: ["ok"] for update_id in sent}, all_texts(lines)
    for line in lines:
        assert " INFO bot.updates: " in line, line
        fields = dict(part.split("=", 1) for part in line.split(" bot.updates: ", 1)[1].split())
        assert {"update", "type", "handler", "duration_ms", "outcome"} <= set(fields), line
        assert fields["handler"] != "-", line
        assert float(fields["duration_ms"]) >= 0, line
    log = bot.stderr + bot.stdout
    for secret in ("Тайная", "Подпись Ъ", "Зинаида", "Квакенбуш", "Марс", "Фобос", "frobnicate"):
        assert secret not in log, f"{secret!r} leaked into the log:\n{log}"
    assert "Traceback" not in log
