"""/list and the interview card through the real dispatcher: pages, open, edit, change the
outcome, archive, restore, delete, and nobody else's interview ever answers.

Interviews a test only needs to exist are written straight to the database; the others are
told to the bot like a person would.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from bot.db.models import FsmRecord, Interview
from bot.db.repositories.interviews import InterviewRepository
from bot.telegram.keyboards.callbacks import InterviewCb
from tests.clock import FakeClock
from tests.fakeapi.core import SentMessage
from tests.harness import BotApp, Person

NOT_FOUND = "Собеседование не найдено. Возможно, его удалили."
EMPTY_LIST = "Собеседований пока нет. Нажмите «➕ Новое собеседование» или отправьте /new."
CARD_BUTTONS = ["✏️ Изменить", "🔄 Изменить итог", "🗄 В архив", "🗑 Удалить", "← К списку"]
EMOJI = {"rejected": "❌", "waiting": "⏳", "offer": "🎉", "silent": "🤐"}

ANNA, BORIS = 1001, 2002
COLUMNS = (
    "user_id",
    "company",
    "position",
    "contact_name",
    "channel",
    "contact_address",
    "last_stage_on",
    "all_stages_done",
    "next_stage_on",
    "outcome",
    "rejection_tone",
    "result_on",
    "last_contact_on",
    "priorities",
    "archived_at",
    "created_at",
    "updated_at",
)


async def answer(person: Person, steps: Sequence[tuple[str, str]]) -> None:
    """("send", text) types a message; ("press", label) taps the latest inline button."""
    for kind, text in steps:
        if kind == "send":
            await person.send(text)
        else:
            await person.press(text)


async def seed(app: BotApp, user_id: int, now: datetime, **fields: Any) -> int:
    """An interview the person told the bot about earlier; returns its id."""
    values: dict[str, Any] = {
        "company": "Яндекс",
        "position": "Python-разработчик",
        "contact_name": "Анна",
        "channel": "email",
        "contact_address": "anna@yandex.ru",
        "last_stage_on": date(2026, 11, 25),
        "all_stages_done": True,
        "next_stage_on": None,
        "outcome": "waiting",
        "rejection_tone": None,
        "result_on": None,
        "last_contact_on": None,
        "priorities": ["tech"],
    }
    values.update(fields)
    async with app.sessionmaker() as session, session.begin():
        interview = await InterviewRepository(session).add(user_id=user_id, now=now, **values)
        return interview.id


async def rows(app: BotApp) -> list[dict[str, Any]]:
    """Every stored interview (of anyone), by id, as plain dicts."""
    async with app.sessionmaker() as session:
        found = await session.scalars(select(Interview).order_by(Interview.id))
        return [{"id": item.id, **{c: getattr(item, c) for c in COLUMNS}} for item in found]


async def stored(app: BotApp, interview_id: int) -> dict[str, Any] | None:
    return next((item for item in await rows(app) if item["id"] == interview_id), None)


def text_of(message: SentMessage) -> str:
    return message.text or ""


def list_rows(person: Person, message: SentMessage) -> list[str]:
    """The interview buttons of a list (everything but navigation and the archive)."""
    return [b for b in person.buttons(message) if b[0] in "❌⏳🎉🤐"]


def contains_in_order(items: Sequence[str], expected: Sequence[str]) -> bool:
    remaining = iter(items)
    return all(any(item == wanted for item in remaining) for wanted in expected)


# --- /list --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "how", "expected"),
    [
        ("ru", "/list", EMPTY_LIST),
        ("ru", "📋 Мои собеседования", EMPTY_LIST),
        (
            "en",
            "📋 My interviews",
            "You have no interviews yet. Tap «➕ New interview» or send /new.",
        ),
    ],
    ids=["ru-command", "ru-menu", "en-menu"],
)
async def test_empty_list_says_how_to_add_one(
    app: BotApp, clock: FakeClock, language: str, how: str, expected: str
) -> None:
    person = await app.person(language_code=language).onboarded()
    await app.person(BORIS).onboarded()
    await seed(app, BORIS, clock.now)  # someone else's interview is not shown
    replies = await (person.send(how) if how.startswith("/") else person.tap_menu(how))
    assert [text_of(m) for m in replies] == [expected]
    assert replies[0].buttons == []


async def test_twelve_interviews_page_by_five_newest_first(app: BotApp, clock: FakeClock) -> None:
    person = await app.person().onboarded()
    outcomes = ["rejected", "waiting", "offer", "silent"]
    for day in (3, 11, 1, 7, 12, 5, 9, 2, 10, 4, 8, 6):  # told in no particular order
        await seed(
            app,
            ANNA,
            clock.now,
            company=f"Компания {day:02d}",
            position="Аналитик",
            last_stage_on=date(2026, 11, day),
            outcome=outcomes[day % 4],
        )
    await seed(app, ANNA, clock.now, company="Архивная", archived_at=clock.now)
    await app.person(BORIS).onboarded()
    await seed(app, BORIS, clock.now, company="Чужая", last_stage_on=date(2026, 11, 20))

    def expected(days: Sequence[int]) -> list[str]:
        return [f"{EMOJI[outcomes[d % 4]]} Компания {d:02d} — Аналитик · {d:02d}.11" for d in days]

    replies = await person.tap_menu("📋 Мои собеседования")
    assert len(replies) == 1
    listing = replies[0]
    assert text_of(listing) == (
        "📋 Ваши собеседования · 1/3\nСначала новые. Нажмите, чтобы открыть."
    )
    assert list_rows(person, listing) == expected([12, 11, 10, 9, 8])
    assert listing.button_texts[-2:] == [["▶"], ["🗄 Архив собеседований"]]

    assert await person.press("▶") == []  # the same message turns the page
    assert text_of(listing).startswith("📋 Ваши собеседования · 2/3")
    assert list_rows(person, listing) == expected([7, 6, 5, 4, 3])
    assert ["◀", "▶"] in listing.button_texts

    await person.press("▶")
    assert text_of(listing).startswith("📋 Ваши собеседования · 3/3")
    assert list_rows(person, listing) == expected([2, 1])
    assert ["◀"] in listing.button_texts
    assert "▶" not in person.buttons(listing)

    assert await person.press("◀") == []
    assert list_rows(person, listing) == expected([7, 6, 5, 4, 3])
    assert len(listing.history) == 3  # three edits of one message, no new messages
    assert person.last is listing


async def test_long_rows_are_shortened(app: BotApp, clock: FakeClock) -> None:
    person = await app.person().onboarded()
    await seed(
        app,
        ANNA,
        clock.now,
        company="Международная финансовая корпорация",
        position="Старший аналитик данных",
    )
    replies = await person.send("/list")
    assert list_rows(person, replies[0]) == [
        "⏳ Международная финансовая корпорация — Старший… · 25.11"
    ]


async def test_list_mid_conversation_keeps_the_step(app: BotApp) -> None:
    person = await app.person().onboarded()
    await person.send("/new")
    replies = await person.send("/list")
    assert [text_of(m) for m in replies] == [EMPTY_LIST]
    await person.send("Яндекс")
    assert text_of(person.last).startswith("💼 На какую позицию?")


async def test_list_menu_button_mid_conversation_shows_the_list(app: BotApp) -> None:
    person = await app.person().onboarded()
    await person.send("/new")
    replies = await person.tap_menu("📋 Мои собеседования")
    assert [text_of(m) for m in replies] == [EMPTY_LIST]


# --- the card -------------------------------------------------------------------------------


async def open_card(person: Person, row_text: str) -> SentMessage:
    """/list, then tap the interview; the list message becomes its card."""
    replies = await person.send("/list")
    listing = replies[0]
    await person.press(row_text, listing.message_id)
    return listing


async def test_an_interview_told_to_the_bot_is_listed_and_opened(app: BotApp) -> None:
    person = await app.person().onboarded()
    await person.tap_menu("➕ Новое собеседование")
    await answer(
        person,
        [
            ("send", "Яндекс"),
            ("send", "Python-разработчик"),
            ("send", "Анна"),
            ("press", "Почта"),
            ("send", "Anna@Yandex.RU"),
            ("press", "Вчера"),
            ("press", "Нет, будут ещё этапы"),
            ("send", "2.12"),
            ("press", "❌ Отказ"),
            ("press", "Вежливый"),
            ("press", "Сегодня"),
            ("press", "▫️ Технические навыки"),
            ("press", "Готово →"),
            ("press", "✅ Сохранить"),
        ],
    )
    note = person.last
    await person.press("📋 Все собеседования")
    assert note.edited  # the note became the list
    assert list_rows(person, note) == ["❌ Яндекс — Python-разработчик · 25.11"]

    await person.press("❌ Яндекс — Python-разработчик · 25.11")

    assert text_of(note).split("\n\n")[:2] == [
        "Яндекс — Python-разработчик",
        "\n".join(
            [
                "👤 Контакт: Анна",
                "✉️ Канал: Почта · Anna@yandex.ru",
                "📅 Последний этап: 25 ноября",
                "🔁 Этапы: впереди ещё, следующий — 2 декабря",
                "📌 Итог: ❌ Отказ (вежливый)",
                "📨 Ответ пришёл: 26 ноября",
                "🎯 О чём спросить: технические навыки",
            ]
        ),
    ]
    assert note.entity_texts("bold")[0] == "Яндекс"
    assert contains_in_order(person.buttons(note), CARD_BUTTONS)
    await person.press("← К списку", note.message_id)
    assert text_of(note).startswith("📋 Ваши собеседования")


async def test_the_card_speaks_the_persons_language(app: BotApp, clock: FakeClock) -> None:
    person = await app.person(ANNA, language_code="en").onboarded()
    await seed(
        app,
        ANNA,
        clock.now,
        company="Acme",
        position="QA",
        contact_name=None,
        channel="telegram",
        contact_address="@anna_hr",
        outcome="silent",
        last_contact_on=date(2026, 11, 25),
        priorities=[],
    )
    card = await open_card(person, "🤐 Acme — QA · 25.11")
    lines = text_of(card).splitlines()
    assert lines[:9] == [
        "Acme — QA",
        "",
        "👤 Contact: not given",
        "✉️ Channel: Telegram · @anna_hr",
        "📅 Last stage: November 25",
        "🔁 Stages: all done",
        "📌 Outcome: 🤐 The company is silent",
        "📭 Last contact: November 25",
        "🎯 Ask about: general impressions",
    ]
    assert contains_in_order(
        person.buttons(card), ["✏️ Edit", "🔄 Change outcome", "🗄 Archive", "🗑 Delete"]
    )


@pytest.mark.parametrize(
    ("timezone", "shown"),
    [
        (None, "📅 Последний этап: 30 декабря 2026 г."),  # Moscow: already Jan 1, 2027
        ("UTC-5", "📅 Последний этап: 30 декабря"),  # still Dec 31, 2026: no year needed
    ],
    ids=["moscow-new-year", "utc-5-old-year"],
)
async def test_the_card_dates_follow_the_persons_time_zone(
    app: BotApp, clock: FakeClock, timezone: str | None, shown: str
) -> None:
    clock.now = datetime(2026, 12, 31, 22, 0, tzinfo=UTC)
    person = await app.person().onboarded(timezone=timezone)
    await seed(app, ANNA, clock.now, last_stage_on=date(2026, 12, 30))
    card = await open_card(person, "⏳ Яндекс — Python-разработчик · 30.12")
    lines = text_of(card).replace("\u202f", " ").replace("\xa0", " ").splitlines()
    assert shown in lines


async def test_edit_from_the_card_updates_the_same_interview(app: BotApp, clock: FakeClock) -> None:
    person = await app.person().onboarded()
    interview_id = await seed(app, ANNA, clock.now)
    created = clock.now
    await open_card(person, "⏳ Яндекс — Python-разработчик · 25.11")
    clock.advance(minutes=5)

    await person.press("✏️ Изменить")
    assert text_of(person.last) == "✏️ Что изменить?"
    await person.press("💼 Позиция")
    assert text_of(person.last).splitlines() == [
        "💼 На какую позицию?",
        "Сейчас: Python-разработчик",
    ]
    assert person.buttons() == ["Оставить «Python-разработчик»", "← К проверке", "✖ Отмена"]
    await person.send("Senior Python-разработчик")
    summary = person.last
    assert text_of(summary).splitlines()[:4] == [
        "Проверьте изменения",
        "",
        "🏢 Компания: Яндекс",
        "💼 Позиция: Senior Python-разработчик",
    ]
    replies = await person.press("✅ Сохранить")

    assert text_of(replies[0]).startswith("✅ Изменения сохранены.")
    after = await rows(app)
    assert len(after) == 1
    assert after[0]["id"] == interview_id
    assert after[0]["position"] == "Senior Python-разработчик"
    assert (after[0]["created_at"], after[0]["updated_at"]) == (created, clock.now)
    assert after[0]["company"] == "Яндекс"


async def test_cancelling_an_edit_changes_nothing(app: BotApp, clock: FakeClock) -> None:
    person = await app.person().onboarded()
    interview_id = await seed(app, ANNA, clock.now)
    before = await stored(app, interview_id)
    await open_card(person, "⏳ Яндекс — Python-разработчик · 25.11")
    await person.press("✏️ Изменить")
    await person.press("🏢 Компания")
    await person.send("Ozon")
    replies = await person.press("✖ Отмена")
    assert [text_of(m) for m in replies] == ["Отменено, ничего не изменилось."]
    assert await stored(app, interview_id) == before


async def test_change_outcome_waiting_to_rejected_updates_the_dates(
    app: BotApp, clock: FakeClock
) -> None:
    person = await app.person().onboarded()
    interview_id = await seed(app, ANNA, clock.now, last_stage_on=date(2026, 11, 20))
    await open_card(person, "⏳ Яндекс — Python-разработчик · 20.11")

    await person.press("🔄 Изменить итог")
    assert text_of(person.last).splitlines() == [
        "📌 Чем всё закончилось на сегодня?",
        "Сейчас: ⏳ Ожидание решения",
    ]
    await answer(
        person,
        [
            ("press", "❌ Отказ"),
            ("press", "Резкий или непрофессиональный"),
            ("press", "Вчера"),
        ],
    )
    lines = text_of(person.last).splitlines()
    assert lines[0] == "Проверьте изменения"
    assert "📌 Итог: ❌ Отказ (резкий или непрофессиональный)" in lines
    assert "📨 Ответ пришёл: 25 ноября" in lines
    assert "🎯 О чём спросить: технические навыки" in lines  # kept, not asked again
    await person.press("✅ Сохранить")

    saved = await stored(app, interview_id)
    assert saved is not None
    assert (saved["outcome"], saved["rejection_tone"], saved["result_on"]) == (
        "rejected",
        "harsh",
        date(2026, 11, 25),
    )
    assert saved["priorities"] == ["tech"]
    assert len(await rows(app)) == 1


async def test_archive_hides_and_restore_brings_back(app: BotApp, clock: FakeClock) -> None:
    person = await app.person().onboarded()
    interview_id = await seed(app, ANNA, clock.now)
    await seed(app, ANNA, clock.now, company="Ozon", position="QA", last_stage_on=date(2026, 11, 1))
    card = await open_card(person, "⏳ Яндекс — Python-разработчик · 25.11")

    clock.advance(minutes=1)
    assert await person.press("🗄 В архив", card.message_id) == []
    assert person.answers()[-1] == "Перенесено в архив"
    assert text_of(card).endswith("🗄 В архиве.")
    assert "📤 Вернуть из архива" in person.buttons(card)
    assert "🗄 В архив" not in person.buttons(card)
    saved = await stored(app, interview_id)
    assert saved is not None
    assert saved["archived_at"] == clock.now

    await person.press("← К списку", card.message_id)
    assert list_rows(person, card) == ["⏳ Ozon — QA · 01.11"]
    await person.press("🗄 Архив собеседований", card.message_id)
    assert text_of(card).startswith("🗄 Архив")
    assert list_rows(person, card) == ["⏳ Яндекс — Python-разработчик · 25.11"]
    assert "← Текущие собеседования" in person.buttons(card)

    await person.press("⏳ Яндекс — Python-разработчик · 25.11", card.message_id)
    assert await person.press("📤 Вернуть из архива", card.message_id) == []
    assert person.answers()[-1] == "Возвращено из архива"
    assert "🗄 В архиве." not in text_of(card)
    saved = await stored(app, interview_id)
    assert saved is not None
    assert saved["archived_at"] is None

    replies = await person.send("/list")
    assert list_rows(person, replies[0]) == [
        "⏳ Яндекс — Python-разработчик · 25.11",
        "⏳ Ozon — QA · 01.11",
    ]
    assert "🗄 Архив собеседований" not in person.buttons(replies[0])  # the archive is empty


async def test_delete_asks_first(app: BotApp, clock: FakeClock) -> None:
    person = await app.person().onboarded()
    interview_id = await seed(app, ANNA, clock.now)
    other = await seed(app, ANNA, clock.now, company="Ozon", position="QA")
    card = await open_card(person, "⏳ Яндекс — Python-разработчик · 25.11")

    await person.press("🗑 Удалить", card.message_id)
    assert text_of(card) == "Удалить собеседование в компании «Яндекс»? Отменить это будет нельзя."
    assert person.buttons(card) == ["🗑 Да, удалить", "Нет, оставить"]

    await person.press("Нет, оставить", card.message_id)
    assert text_of(card).startswith("Яндекс — Python-разработчик")
    assert await stored(app, interview_id) is not None

    await person.press("🗑 Удалить", card.message_id)
    confirm = card.button("🗑 Да, удалить")["callback_data"]
    await person.press_data(card.message_id, confirm)

    assert person.answers()[-1] == "Удалено"
    assert text_of(card).startswith("🗑 Удалено.\n\n📋 Ваши собеседования")
    assert list_rows(person, card) == ["⏳ Ozon — QA · 25.11"]
    assert [item["id"] for item in await rows(app)] == [other]

    await person.press_data(card.message_id, confirm, forge=True)  # a second tap
    assert person.answers()[-1] == NOT_FOUND
    assert [item["id"] for item in await rows(app)] == [other]


# --- nobody else's interview ----------------------------------------------------------------

STALE = "Эта кнопка уже не действует."
FOREIGN_ACTIONS = ("open", "edit", "outcome", "archive", "unarchive", "delete", "confirm")
# What a modified client may send, and what it is told; ``{id}`` is Anna's interview.
GARBAGE = (
    ("iv:open:999999:0:0", NOT_FOUND),
    ("iv:confirm:-1:0:0", STALE),
    ("iv:edit:0:0:0", NOT_FOUND),
    ("iv:open:abc:0:0", STALE),
    ("iv:delete:1e9:0:0", STALE),
    ("iv:open:{id}:abc:0", STALE),
)


async def test_foreign_and_forged_ids_are_not_found_and_change_nothing(
    app: BotApp, clock: FakeClock
) -> None:
    anna = await app.person(ANNA).onboarded()
    annas = await seed(app, ANNA, clock.now, company="Секретная компания")
    boris = await app.person(BORIS).onboarded()
    listing = (await boris.send("/list"))[0]
    before = await rows(app)
    messages = len(app.fake.bot_messages(boris.chat_id))
    forgeries = [(InterviewCb(action=a, id=annas).pack(), NOT_FOUND) for a in FOREIGN_ACTIONS]
    forgeries.append((InterviewCb(action="open", id=annas, archived=True).pack(), NOT_FOUND))
    forgeries += [(data.format(id=annas), said) for data, said in GARBAGE]

    for data, said in forgeries:
        replies = await boris.press_data(listing.message_id, data, forge=True)

        assert replies == [], data
        assert boris.answers()[-1] == said, data
        assert await rows(app) == before, data  # Anna's interview is untouched
        assert not listing.edited, data

    assert len(app.fake.bot_messages(boris.chat_id)) == messages
    assert "Секретная" not in "".join(text_of(m) for m in app.fake.bot_messages(boris.chat_id))
    async with app.sessionmaker() as session:  # no edit conversation was started for Boris
        states = await session.scalars(select(FsmRecord.state))
        assert all(state is None for state in states)
    # and Anna still has it, as it was
    card = await open_card(anna, "⏳ Секретная компания — Python-разработчик · 25.11")
    assert text_of(card).startswith("Секретная компания — Python-разработчик")
    assert "🗄 В архиве." not in text_of(card)
