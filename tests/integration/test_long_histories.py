"""Screens that grow with a person's history stay within Telegram's limits and every item
stays reachable: the interview card with 60 journal entries, the journal's pages, /reminders
with 25 reminders about interviews with 200-character names, /list with 40 interviews,
/draft, /feedback, /plan, /stats, and the intake's summary with the longest answers it takes.

The fake Telegram refuses what the real one refuses (4096 characters of visible text, 100
buttons, 64 bytes of button data), so a screen that outgrew them would fail its call and the
person would get an apology; each test checks that no call failed.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.db.models import JournalEntry, Reminder
from bot.db.repositories.interviews import InterviewRepository
from bot.db.repositories.journal import JournalRepository
from bot.db.repositories.reminders import ReminderRepository
from bot.domain.intake import ADDRESS_MAX, NAME_MAX
from bot.telegram.keyboards.callbacks import InterviewCb
from tests.clock import FakeClock
from tests.fakeapi.core import SentMessage
from tests.harness import BotApp, Person

INTERVIEWS, ENTRIES, REMINDERS = 40, 60, 25

TEXTS: dict[str, dict[str, str]] = {
    "ru": {
        "journal": "📓 Дневник",
        "earlier": "…и ещё 57 более ранних записей: нажмите «📓 Дневник»",
        "edit": "✏️ Изменить запись {number}",
        "delete": "🗑 Удалить запись {number}",
        "yes_delete": "🗑 Да, удалить",
        "keep": "Нет, оставить",
        "done": "✅ Готово",
        "areas_done": "Готово →",
        "mixed": "⚖️ Смешанная",
        "saved": "📓 Сохранено.",
        "interview": "📄 Собеседование",
        "list": "📋 Ваши собеседования",
        "menu_list": "📋 Мои собеседования",
        "all": "📋 Все собеседования",
        "reminders": "⏰ Запланированные напоминания",
        "move": "⏰ Перенести: {company}",
        "cancel": "✖ Отменить: {company}",
        "cancelled": "✖ Напоминание отменено.",
        "to_list": "← К списку",
        "tomorrow": "⏰ Завтра",
    },
    "en": {
        "journal": "📓 Journal",
        "earlier": "…and 57 earlier entries: tap «📓 Journal»",
        "edit": "✏️ Edit entry {number}",
        "delete": "🗑 Delete entry {number}",
        "yes_delete": "🗑 Yes, delete",
        "keep": "No, keep it",
        "done": "✅ Done",
        "areas_done": "Done →",
        "mixed": "⚖️ Mixed",
        "saved": "📓 Saved.",
        "interview": "📄 Interview",
        "list": "📋 Your interviews",
        "menu_list": "📋 My interviews",
        "all": "📋 All interviews",
        "reminders": "⏰ Planned reminders",
        "move": "⏰ Move: {company}",
        "cancel": "✖ Cancel: {company}",
        "cancelled": "✖ Reminder cancelled.",
        "to_list": "← To the list",
        "tomorrow": "⏰ Tomorrow",
    },
}
LANGUAGES = pytest.mark.parametrize("language", ["ru", "en"])


def long_name(kind: str, number: int, length: int = 200) -> str:
    """A name as long as asked, full of HTML's special characters, its number up front."""
    unit = f"<{kind} №{number:02d} & «Ко»> "
    return (unit * (length // len(unit) + 1))[:length].strip()


def entry_text(number: int) -> str:
    return f"Отзыв {number}: <b>сильно</b> & «есть что подтянуть» > ожиданий. " * 60


async def history(app: BotApp, person: Person, clock: FakeClock) -> int:
    """40 interviews (25 with a pending reminder) and 60 journal entries on the newest; its
    id. Entries were written a day apart, the newest yesterday."""
    now = clock.now
    async with app.sessionmaker() as session, session.begin():
        interviews = InterviewRepository(session)
        reminders = ReminderRepository(session)
        ids = []
        for number in range(INTERVIEWS):
            interview = await interviews.add(
                user_id=person.user.id,
                now=now,
                company=long_name("Компания", number),
                position=long_name("Позиция", number),
                contact_name=long_name("Контакт", number, NAME_MAX),
                channel="other",
                contact_address=long_name("Адрес", number, ADDRESS_MAX),
                last_stage_on=date(2026, 11, 25) - timedelta(days=number),
                all_stages_done=True,
                next_stage_on=None,
                outcome="waiting",
                rejection_tone=None,
                result_on=None,
                last_contact_on=None,
                priorities=["tech", "comm", "culture", "attitude"],
            )
            ids.append(interview.id)
            if number < REMINDERS:
                await reminders.add(
                    user_id=person.user.id,
                    interview_id=interview.id,
                    kind="send",
                    due_at=now + timedelta(days=1, hours=number),
                    now=now,
                )
        journal = JournalRepository(session)
        for number in range(1, ENTRIES + 1):
            await journal.add(
                user_id=person.user.id,
                interview_id=ids[0],
                now=now - timedelta(days=ENTRIES + 1 - number),
                kind="feedback",
                text=entry_text(number),
                areas=["tech", "comm", "culture", "attitude", "other"],
                sentiment="mixed",
            )
    return ids[0]


def failed_calls(app: BotApp) -> list[str]:
    return [call.describe() for call in app.fake.calls if not call.ok]


def numbers(person: Person, message: SentMessage, label: str) -> list[int]:
    """The entry numbers on a journal page's Edit buttons, top to bottom."""
    pattern = re.compile(re.escape(label).replace(r"\{number\}", r"(\d+)"))
    return [int(m.group(1)) for b in person.buttons(message) if (m := pattern.fullmatch(b))]


async def turn_pages(person: Person, message: SentMessage, read: Any) -> list[Any]:
    """Press «▶» to the last page, then «◀» back to the first; what ``read`` took from each
    page on the way forward. Every turn edits the same message."""
    seen = [read(message)]
    while "▶" in person.buttons(message):
        assert await person.press("▶", message.message_id) == []
        seen.append(read(message))
    pages = len(seen)
    for _ in range(pages - 1):
        assert await person.press("◀", message.message_id) == []
    assert "◀" not in person.buttons(message)
    assert read(message) == seen[0]
    return seen


@LANGUAGES
async def test_a_card_with_60_entries_shows_the_latest_and_the_journal_pages_through_all(
    app: BotApp, clock: FakeClock, language: str
) -> None:
    texts = TEXTS[language]
    person = await app.person(language_code=language).onboarded()
    interview_id = await history(app, person, clock)
    listing = (await person.tap_menu(texts["menu_list"]))[0]

    await person.press_data(listing.message_id, InterviewCb(action="open", id=interview_id).pack())

    card = listing.text or ""
    assert card.count("• ") == 3  # the latest three, each cut with «…»
    assert card.count("…»") == 3
    assert "Отзыв 60: <b>сильно</b> & «есть что подтянуть» >" in card
    assert "Отзыв 57" not in card
    assert texts["earlier"] in card
    assert texts["journal"] in person.buttons(listing)

    await person.press(texts["journal"], listing.message_id)

    assert (listing.text or "").splitlines()[0].endswith(" · 1/12")
    pages = await turn_pages(person, listing, lambda m: numbers(person, m, texts["edit"]))
    assert len(pages) == 12
    assert [n for page in pages for n in page] == list(range(60, 0, -1))  # newest first
    assert failed_calls(app) == []


@LANGUAGES
async def test_an_entry_on_page_3_is_edited_and_deleted_and_the_journal_comes_back_there(
    app: BotApp, clock: FakeClock, language: str
) -> None:
    texts = TEXTS[language]
    person = await app.person(language_code=language).onboarded()
    interview_id = await history(app, person, clock)
    listing = (await person.send("/list"))[0]
    await person.press_data(listing.message_id, InterviewCb(action="open", id=interview_id).pack())
    await person.press(texts["journal"], listing.message_id)
    await person.press("▶", listing.message_id)
    await person.press("▶", listing.message_id)
    assert numbers(person, listing, texts["edit"]) == [50, 49, 48, 47, 46]

    # Delete, change your mind: back on page 3
    await person.press(texts["delete"].format(number=47), listing.message_id)
    assert "Отзыв 47" in (listing.text or "")
    await person.press(texts["keep"], listing.message_id)
    assert numbers(person, listing, texts["edit"]) == [50, 49, 48, 47, 46]

    # Delete for real: entry 47 is gone, the page shows the next ones
    await person.press(texts["delete"].format(number=47), listing.message_id)
    await person.press(texts["yes_delete"], listing.message_id)
    async with app.sessionmaker() as session:
        left = list(await session.scalars(select(JournalEntry.text)))
    assert len(left) == 59
    assert not any((text or "").startswith("Отзыв 47:") for text in left)
    assert (listing.text or "").splitlines()[0].endswith(" · 3/12")
    assert numbers(person, listing, texts["edit"]) == [49, 48, 47, 46, 45]
    assert "Отзыв 48" in (listing.text or "")  # now number 47

    # Edit what is now entry 48 (written as «Отзыв 49»)
    await person.press(texts["edit"].format(number=48), listing.message_id)
    await person.send("Новый <текст> & отзыв")
    await person.press(texts["done"])
    await person.press(texts["areas_done"])
    await person.press(texts["mixed"])
    assert (person.last.text or "").startswith(texts["saved"])
    async with app.sessionmaker() as session:
        edited = await session.scalar(
            select(func.count()).where(JournalEntry.text == "Новый <текст> & отзыв")
        )
        assert edited == 1
        assert not await session.scalar(
            select(func.count()).where(JournalEntry.text.startswith("Отзыв 49:"))
        )
    assert failed_calls(app) == []


@LANGUAGES
async def test_reminders_page_through_25_with_200_character_names(
    app: BotApp, clock: FakeClock, language: str
) -> None:
    texts = TEXTS[language]
    person = await app.person(language_code=language).onboarded()
    await history(app, person, clock)

    listing = (await person.send("/reminders"))[0]

    assert (listing.text or "").splitlines()[0] == texts["reminders"] + " · 1/5"

    def rows(message: SentMessage) -> list[str]:
        return [line for line in (message.text or "").splitlines() if line.startswith("• ")]

    pages = await turn_pages(person, listing, rows)
    shown = [row for page in pages for row in page]
    assert len(shown) == REMINDERS
    for number, row in enumerate(shown):  # soonest first, names cut to fit, HTML as typed
        assert row.startswith(f"• <Компания №{number:02d} & «Ко»> ")
        assert f"— <Позиция №{number:02d} & «Ко»> " in row
        assert row.count("…") == 2

    await person.press("▶", listing.message_id)
    await person.press("▶", listing.message_id)
    third = rows(listing)
    company = long_name("Компания", 11)[:20]

    # Move: the snooze options, and back to the same page
    await person.press(texts["move"].format(company=company), listing.message_id)
    assert texts["tomorrow"] in person.buttons(listing)
    await person.press(texts["to_list"], listing.message_id)
    assert rows(listing) == third

    # Cancel: the same page again, without it
    await person.press(texts["cancel"].format(company=company), listing.message_id)
    lines = (listing.text or "").splitlines()
    assert lines[0] == texts["cancelled"]
    assert lines[2] == texts["reminders"] + " · 3/5"
    assert rows(listing) == [third[0], *third[2:], pages[3][0]]
    async with app.sessionmaker() as session:
        cancelled = await session.scalar(select(func.count()).where(Reminder.status == "cancelled"))
    assert cancelled == 1
    assert failed_calls(app) == []


@LANGUAGES
async def test_list_draft_feedback_plan_and_stats_fit_with_40_interviews(
    app: BotApp, clock: FakeClock, language: str
) -> None:
    texts = TEXTS[language]
    person = await app.person(language_code=language).onboarded()
    interview_id = await history(app, person, clock)

    listing = (await person.send("/list"))[0]
    assert (listing.text or "").startswith(texts["list"] + " · 1/8")
    pages = await turn_pages(
        person, listing, lambda m: [b for b in person.buttons(m) if b.startswith("⏳")]
    )
    rows = [row for page in pages for row in page]
    assert len(rows) == len(set(rows)) == INTERVIEWS

    for command in ("/draft", "/feedback"):
        chooser = (await person.send(command))[0]
        buttons = person.buttons(chooser)
        assert len(buttons) == 11
        assert buttons[-1] == texts["all"]
        await person.press(texts["all"], chooser.message_id)
        assert (chooser.text or "").startswith(texts["list"] + " · 1/8")

    # The draft of an interview whose every field is as long as it gets
    await person.press_data(listing.message_id, InterviewCb(action="open", id=interview_id).pack())
    label = "📝 Черновик" if language == "ru" else "📝 Draft"
    [draft] = await person.press(label, listing.message_id)
    assert "<Компания №00 & «Ко»>" in (draft.text or "")

    await person.send("/plan")
    await person.send("/stats")
    assert failed_calls(app) == []


INTAKE: dict[str, list[tuple[str, str]]] = {
    "ru": [
        ("press", "Другое"),
        ("send", long_name("Адрес", 1, ADDRESS_MAX)),
        ("press", "Сегодня"),
        ("press", "Да, это был финальный этап"),
        ("press", "⏳ Ожидание решения"),
        ("press", "▫️ Технические навыки"),
        ("press", "▫️ Навыки коммуникации"),
        ("press", "▫️ Культурная совместимость"),
        ("press", "▫️ Отношение к работе и ответственность"),
        ("press", "Готово →"),
        ("press", "✅ Сохранить"),
    ],
    "en": [
        ("press", "Other"),
        ("send", long_name("Адрес", 1, ADDRESS_MAX)),
        ("press", "Today"),
        ("press", "Yes, that was the final stage"),
        ("press", "⏳ Waiting for a decision"),
        ("press", "▫️ Technical skills"),
        ("press", "▫️ Communication"),
        ("press", "▫️ Culture fit"),
        ("press", "▫️ Attitude and responsibility"),
        ("press", "Done →"),
        ("press", "✅ Save"),
    ],
}


@LANGUAGES
async def test_the_intake_summary_and_the_saved_card_fit_the_longest_answers(
    app: BotApp, language: str
) -> None:
    person = await app.person(language_code=language).onboarded()
    await person.send("/new")
    for name in ("Компания", "Позиция", "Контакт"):
        await person.send(long_name(name, 1, NAME_MAX))
    for kind, value in INTAKE[language]:
        await (person.send(value) if kind == "send" else person.press(value))
    saved = person.last.text or ""
    assert long_name("Компания", 1, NAME_MAX) in saved
    assert failed_calls(app) == []
