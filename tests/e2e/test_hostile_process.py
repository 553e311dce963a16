"""End to end: forged buttons, an edited answer and a long journal through the real process.

The same checks as ``tests/integration/test_forged_buttons.py``, ``test_edits.py`` and
``test_long_histories.py``, here against ``python -m bot`` and the fake Bot API server: a
button id past 64 bits gets the quiet «no longer active» answer and leaves no error in the
log; an edited company mid-intake is taken as the answer; a journal of 12 entries pages with
«◀ ▶», every screen within Telegram's limits (the fake refuses what Telegram refuses).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from aiogram.filters.callback_data import CallbackData

from bot.db.repositories.journal import JournalRepository
from bot.telegram.keyboards.callbacks import (
    DraftCb,
    InterviewCb,
    JournalCb,
    RemindCb,
    ReminderCb,
    TipsCb,
)
from tests.e2e.backends import BackendE2E, rows, sessions
from tests.e2e.process import Person, text_of
from tests.e2e.test_privacy_process import onboard, record_interview
from tests.fakeapi import SentMessage

pytestmark = pytest.mark.e2e

STALE = "Эта кнопка уже не действует."
APOLOGY = "😔 Извините"
LIST_TITLE = "📋 Ваши собеседования"
ROW = "⏳ Яндекс — Python-разработчик · "
CARD = "Яндекс — Python-разработчик"

BEYOND_64_BITS = (str(2**63), str(2**64))
"""Past SQLite's signed 64 bits: 9223372036854775808 and 18446744073709551616."""


def forgeries() -> list[str]:
    """Callback data of every prefix that carries an id or a page, that number too large;
    packed as the buttons of ``bot/telegram/keyboards/callbacks.py`` pack them."""
    return [
        data
        for big in BEYOND_64_BITS
        for data in (
            f"iv:open:{big}:0:0",
            f"iv:list:0:{big}:0",  # the page of /list
            f"dr:show:{big}::",
            f"nu:snooze:{big}:",
            f"rm:later:{big}:",
            f"jr:list:{big}:",
            f"jr:edit:{big}:0",
            f"tp:{big}",
        )
    ]


def parses_in_range(data: str) -> bool:
    """The forgery is a real button's data but for its number: with 0 there it unpacks."""
    callbacks: dict[str, type[CallbackData]] = {
        "iv": InterviewCb,
        "dr": DraftCb,
        "nu": ReminderCb,
        "rm": RemindCb,
        "jr": JournalCb,
        "tp": TipsCb,
    }
    cls = callbacks[data.split(":", maxsplit=1)[0]]
    for big in BEYOND_64_BITS:
        data = data.replace(big, "0")
    return cls.unpack(data).pack() == data


def failed_calls(e2e: BackendE2E) -> list[str]:
    return [call.describe() for call in e2e.fake.calls if not call.ok]


def log_errors(e2e: BackendE2E) -> list[str]:
    return [
        line
        for bot in e2e.processes
        for line in bot.stderr_lines + bot.stdout_lines
        if " ERROR " in line or "Traceback" in line
    ]


def flat(message: SentMessage) -> list[str]:
    return [text for row in message.button_texts for text in row]


async def interview_id(e2e: BackendE2E, person: Person) -> int:
    [interview] = await rows(e2e.database_url, "interviews", user_id=person.user.id)
    return int(interview["id"])


async def at_page(e2e: BackendE2E, message: SentMessage, page: int, pages: int) -> None:
    """Wait until the journal message shows page ``page`` of ``pages`` in its title."""
    mark = f" · {page}/{pages}"
    await e2e.wait_for(lambda: text_of(message).splitlines()[0].endswith(mark), f"page{mark}")


async def open_card(e2e: BackendE2E, person: Person) -> SentMessage:
    """/list, then the interview's row: the list message becomes its card."""
    person.send("/list")
    listing = await person.expect(LIST_TITLE)
    row = next((b for b in flat(listing) if b.startswith(ROW)), "")
    assert row, listing.button_texts
    person.press(row, listing.message_id)
    await e2e.wait_for(lambda: text_of(listing).startswith(CARD), "the interview's card")
    return listing


# --- 1. forged buttons ---------------------------------------------------------------------------


async def test_forged_button_ids_past_64_bits_get_the_stale_answer_and_no_error(
    e2e: BackendE2E,
) -> None:
    anna = e2e.person()
    await e2e.start()
    await onboard(anna)
    await record_interview(anna, "Яндекс")
    saved = anna.last
    shown = text_of(saved)
    sent_before = len(e2e.fake.bot_messages(anna.chat_id, include_deleted=True))

    for data in forgeries():
        assert parses_in_range(data), data
        update = e2e.fake.press(anna.user, saved.message_id, data, forge=True)
        assert await e2e.wait_handled(int(update["update_id"])) == "ok", data
        answers = [a for a in e2e.fake.callback_answers if a.data == data]
        assert [(a.text, a.show_alert) for a in answers] == [(STALE, False)], data

    assert len(e2e.fake.bot_messages(anna.chat_id, include_deleted=True)) == sent_before
    assert text_of(saved) == shown
    assert not saved.edited
    assert log_errors(e2e) == []

    # The bot still serves the person: the list and the card open as before.
    await open_card(e2e, anna)
    assert failed_calls(e2e) == []
    assert log_errors(e2e) == []


# --- 6. an edited answer mid-intake ----------------------------------------------------------


async def test_an_edited_company_mid_intake_is_taken_and_shown_in_the_summary(
    e2e: BackendE2E,
) -> None:
    anna = e2e.person()
    await e2e.start()
    await onboard(anna)
    anna.send("/new")
    await anna.expect("В какой компании")
    anna.send("Яндкес")
    typo = e2e.fake.user_messages(anna.chat_id)[-1]
    assert typo.text == "Яндкес"
    await anna.expect("На какую позицию?")

    edit = e2e.fake.edit_text(anna.user, typo.message_id, "Яндекс")
    assert await e2e.wait_handled(int(edit["update_id"])) == "ok"
    corrected = await anna.expect("✏️ Исправлено: компания — «Яндекс»")
    assert text_of(corrected) == "✏️ Исправлено: компания — «Яндекс»"
    assert corrected.data.get("reply_to_message", {}).get("message_id") == typo.message_id

    # The position is still the question: answering it goes on from there.
    anna.send("Python-разработчик")
    await anna.expect("Кто проводил собеседование")
    for button, question in (
        ("Пропустить →", "Где вы общаетесь с компанией?"),
        ("Телефон", "Когда был последний этап?"),
        ("Вчера", "Все этапы пройдены?"),
        ("Да, это был финальный этап", "Чем всё закончилось"),
        ("⏳ Ожидание решения", "О чём больше всего хочется узнать?"),
        ("Готово →", "Всё верно?"),
    ):
        anna.press(button)
        summary = await anna.expect(question)
    lines = text_of(summary).splitlines()
    assert "🏢 Компания: Яндекс" in lines, lines
    assert "Яндкес" not in text_of(summary)

    anna.press("✅ Сохранить")
    await anna.expect("✅ Сохранено: Яндекс — Python-разработчик.")
    [stored] = await rows(e2e.database_url, "interviews", user_id=anna.user.id)
    assert stored["company"] == "Яндекс"
    assert failed_calls(e2e) == []
    assert log_errors(e2e) == []


# --- 2. a long journal pages within Telegram's limits -------------------------------------------

ENTRIES = 12


def entry_text(number: int) -> str:
    """About 4,000 characters, HTML's special characters in every sentence."""
    return f"Отзыв {number}: <b>сильно</b> & «есть что подтянуть» > ожиданий. " * 60


async def write_journal(e2e: BackendE2E, person: Person, interview: int) -> None:
    """Twelve feedback entries on the interview, a day apart, the newest yesterday."""
    now = datetime.now(UTC)
    async with sessions(e2e.database_url) as sessionmaker, sessionmaker() as session:
        journal = JournalRepository(session)
        for number in range(1, ENTRIES + 1):
            await journal.add(
                user_id=person.user.id,
                interview_id=interview,
                now=now - timedelta(days=ENTRIES + 1 - number),
                kind="feedback",
                text=entry_text(number),
                areas=["tech", "comm", "culture", "attitude", "other"],
                sentiment="mixed",
            )
        await session.commit()


def entry_numbers(message: SentMessage) -> list[int]:
    """The numbers on a journal page's «✏️ Изменить запись N» buttons, top to bottom."""
    prefix = "✏️ Изменить запись "
    return [int(b.removeprefix(prefix)) for b in flat(message) if b.startswith(prefix)]


async def test_a_journal_of_12_entries_pages_to_the_end_within_telegrams_limits(
    e2e: BackendE2E,
) -> None:
    anna = e2e.person()
    await e2e.start()
    await onboard(anna)
    await record_interview(anna, "Яндекс")
    interview = await interview_id(e2e, anna)
    await write_journal(e2e, anna, interview)

    card = await open_card(e2e, anna)
    text = text_of(card)
    assert text.count("• ") == 3, text  # the latest three, each cut with «…»
    assert "Отзыв 12: <b>сильно</b> & «есть что подтянуть» >" in text
    assert "Отзыв 9:" not in text
    assert "…и ещё 9 более ранних записей: нажмите «📓 Дневник»" in text

    anna.press("📓 Дневник", card.message_id)
    await at_page(e2e, card, 1, 3)
    pages = [entry_numbers(card)]
    assert "▶" in flat(card)
    assert "◀" not in flat(card)
    for page in (2, 3):
        anna.press("▶", card.message_id)
        await at_page(e2e, card, page, 3)
        pages.append(entry_numbers(card))
    assert pages == [[12, 11, 10, 9, 8], [7, 6, 5, 4, 3], [2, 1]]
    assert "▶" not in flat(card)
    assert "Отзыв 1: <b>сильно</b>" in text_of(card)

    anna.press("◀", card.message_id)
    await at_page(e2e, card, 2, 3)
    assert entry_numbers(card) == [7, 6, 5, 4, 3]

    assert failed_calls(e2e) == []
    everything = [text_of(m) for m in e2e.fake.bot_messages(anna.chat_id, include_deleted=True)]
    assert not [t for t in everything if APOLOGY in t]
    assert log_errors(e2e) == []
