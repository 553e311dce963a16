"""The new-interview conversation through the real dispatcher, acting as a person.

Today is Thursday 2026-11-26 (the injected clock, Moscow). Every branch ends in the
``interviews`` table; every bad answer is explained and costs nothing already typed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import FsmRecord, Interview, ProcessedUpdate
from tests.clock import FakeClock
from tests.fakeapi.core import SentMessage
from tests.harness import BotApp, Person, running_app

Kind = Literal["send", "press", "sticker"]


@dataclass(frozen=True)
class Turn:
    """One answer: ``step`` names the question it answers (a key of ``QUESTIONS``);
    ``press`` values are keys of ``LABELS``, ``send`` values are typed as they are."""

    step: str
    kind: Kind
    value: str = ""


def send(step: str, text: str) -> Turn:
    return Turn(step, "send", text)


def press(step: str, label: str) -> Turn:
    return Turn(step, "press", label)


# --- what the person sees, in both languages (English texts are the msgids) --------------

QUESTIONS: dict[str, dict[str, str]] = {
    "ru": {
        "company": "🏢 В какой компании было собеседование?",
        "position": "💼 На какую позицию?",
        "contact": "👤 Кто проводил собеседование или кто ваш рекрутер?",
        "channel": "✉️ Где вы общаетесь с компанией?",
        "email": "📧 Адрес почты рекрутера? Этот шаг можно пропустить.",
        "telegram": "💬 Имя пользователя в Telegram?",
        "where": "📍 Где именно? Ссылка или название площадки.",
        "last_stage": "📅 Когда был последний этап?",
        "all_done": "🔁 Все этапы пройдены?",
        "next_stage": "📆 Когда следующий этап?",
        "outcome": "📌 Чем всё закончилось на сегодня?",
        "tone": "🤝 Каким был отказ?",
        "result_on": "📨 Когда пришёл ответ?",
        "last_contact": "📭 Когда компания последний раз выходила на связь?",
        "priorities": "🎯 О чём больше всего хочется узнать?",
        "summary": "Всё верно?",
        "fields": "✏️ Что изменить?",
    },
    "en": {
        "company": "🏢 Which company was the interview with?",
        "position": "💼 Which position?",
        "contact": "👤 Who interviewed you, or who is your recruiter?",
        "channel": "✉️ Where do you talk with the company?",
        "email": "📧 The recruiter's email address? You can skip this.",
        "telegram": "💬 Their Telegram username?",
        "where": "📍 Where exactly? A link or the name of the platform.",
        "last_stage": "📅 When was the last stage?",
        "all_done": "🔁 Were all stages done?",
        "next_stage": "📆 When is the next stage?",
        "outcome": "📌 How did it end for now?",
        "tone": "🤝 What was the rejection like?",
        "result_on": "📨 When did the answer come?",
        "last_contact": "📭 When did the company last contact you?",
        "priorities": "🎯 What would you most like feedback on?",
        "summary": "Is everything right?",
        "fields": "✏️ What do you want to change?",
    },
}

LABELS: dict[str, dict[str, str]] = {
    "ru": {
        "skip": "Пропустить →",
        "back": "← Назад",
        "cancel": "✖ Отмена",
        "email": "Почта",
        "telegram": "Telegram",
        "chat": "hh.ru или чат на сайте",
        "phone": "Телефон",
        "other": "Другое",
        "today": "Сегодня",
        "yesterday": "Вчера",
        "day_before": "Позавчера",
        "another": "📅 Другая дата",
        "final": "Да, это был финальный этап",
        "more": "Нет, будут ещё этапы",
        "rejected": "❌ Отказ",
        "waiting": "⏳ Ожидание решения",
        "offer": "🎉 Оффер",
        "silent": "🤐 Молчание компании",
        "polite": "Вежливый",
        "harsh": "Резкий или непрофессиональный",
        "tech": "▫️ Технические навыки",
        "tech_on": "✅ Технические навыки",
        "comm": "▫️ Навыки коммуникации",
        "culture": "▫️ Культурная совместимость",
        "attitude": "▫️ Отношение к работе и ответственность",
        "done": "Готово →",
        "stage_day_25": "В день последнего этапа (25 ноября)",
        "save": "✅ Сохранить",
        "edit": "✏️ Изменить",
        "to_summary": "← К проверке",
        "open": "📄 Открыть",
        "all": "📋 Все собеседования",
        "saved": "✅ Сохранено: {company} — {position}.",
    },
    "en": {
        "skip": "Skip →",
        "back": "← Back",
        "cancel": "✖ Cancel",
        "email": "Email",
        "telegram": "Telegram",
        "chat": "hh.ru or site chat",
        "phone": "Phone",
        "other": "Other",
        "today": "Today",
        "yesterday": "Yesterday",
        "day_before": "Day before yesterday",
        "another": "📅 Another date",
        "final": "Yes, that was the final stage",
        "more": "No, more stages ahead",
        "rejected": "❌ Rejected",
        "waiting": "⏳ Waiting for a decision",
        "offer": "🎉 Offer",
        "silent": "🤐 The company is silent",
        "polite": "Polite",
        "harsh": "Harsh or unprofessional",
        "tech": "▫️ Technical skills",
        "tech_on": "✅ Technical skills",
        "comm": "▫️ Communication",
        "culture": "▫️ Culture fit",
        "attitude": "▫️ Attitude and responsibility",
        "done": "Done →",
        "stage_day_25": "On the day of the last stage (November 25)",
        "save": "✅ Save",
        "edit": "✏️ Edit",
        "to_summary": "← To the summary",
        "open": "📄 Open",
        "all": "📋 All interviews",
        "saved": "✅ Saved: {company} — {position}.",
    },
}

RU = LABELS["ru"]
NOTHING_SAVED = "Отменено, ничего не сохранено."
OUTDATED = "Эта карточка устарела. Начните заново: /new."
MAIN_MENU = ["➕ Новое собеседование", "📋 Мои собеседования", "⚙️ Настройки", "❓ Помощь"]

TODAY = date(2026, 11, 26)
COLUMNS = (
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
)


def row(**fields: Any) -> dict[str, Any]:
    """A stored interview: unset columns are empty."""
    empty: dict[str, Any] = dict.fromkeys(COLUMNS)
    empty.update(all_stages_done=True, priorities=[])
    unknown = set(fields) - set(COLUMNS)
    assert not unknown, unknown
    return {**empty, **fields}


SUMMARY = Turn("summary", "send")  # a marker: reaching the summary


# --- helpers --------------------------------------------------------------------------------


def prompt(person: Person) -> SentMessage:
    """The latest bot message with buttons: the question being asked now."""
    asked = [m for m in person.app.fake.bot_messages(person.chat_id) if m.buttons]
    assert asked, "no question with buttons in the chat"
    return asked[-1]


def text_of(message: SentMessage) -> str:
    return message.text or ""


async def act(person: Person, turn: Turn, language: str = "ru") -> list[SentMessage]:
    if turn.kind == "send":
        return await person.send(turn.value)
    if turn.kind == "sticker":
        return await person.send_sticker()
    return await person.press(LABELS[language][turn.value])


async def answer(person: Person, turns: Sequence[Turn], language: str = "ru") -> None:
    """Answer question after question, checking each time that the expected one is asked."""
    for turn in turns:
        asked = text_of(prompt(person))
        assert asked.startswith(QUESTIONS[language][turn.step]), (turn, asked)
        await act(person, turn, language)


def until(path: Sequence[Turn], step: str) -> list[Turn]:
    """The answers given before ``step`` is asked."""
    steps = [turn.step for turn in path]
    return list(path[: steps.index(step)])


def from_step(path: Sequence[Turn], step: str) -> list[Turn]:
    steps = [turn.step for turn in path]
    return list(path[steps.index(step) :])


async def start(person: Person, turns: Sequence[Turn] = ()) -> None:
    await person.send("/new")
    await answer(person, turns)


async def stored(app: BotApp) -> list[dict[str, Any]]:
    """The rows of the ``interviews`` table, as plain dicts of the columns the person fills."""
    async with app.sessionmaker() as session:
        rows = await session.scalars(select(Interview).order_by(Interview.id))
        return [{column: getattr(item, column) for column in COLUMNS} for item in rows]


async def conversation_count(app: BotApp) -> int:
    async with app.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(FsmRecord)) or 0)


# --- complete answers, used to reach any step -----------------------------------------------

# email, more stages with a known date, rejected politely today, asks about tech skills
PATH_A: tuple[Turn, ...] = (
    send("company", "Яндекс"),
    send("position", "Python-разработчик"),
    send("contact", "Анна"),
    press("channel", "email"),
    send("email", "anna@yandex.ru"),
    press("last_stage", "yesterday"),
    press("all_done", "more"),
    send("next_stage", "2.12"),
    press("outcome", "rejected"),
    press("tone", "polite"),
    press("result_on", "today"),
    press("priorities", "tech"),
    press("priorities", "done"),
)
SUMMARY_A = "\n".join(
    [
        "Всё верно?",
        "",
        "🏢 Компания: Яндекс",
        "💼 Позиция: Python-разработчик",
        "👤 Контакт: Анна",
        "✉️ Канал: Почта · anna@yandex.ru",
        "📅 Последний этап: 25 ноября",
        "🔁 Этапы: впереди ещё, следующий — 2 декабря",
        "📌 Итог: ❌ Отказ (вежливый)",
        "📨 Ответ пришёл: 26 ноября",
        "🎯 О чём спросить: технические навыки",
    ]
)
ROW_A = row(
    company="Яндекс",
    position="Python-разработчик",
    contact_name="Анна",
    channel="email",
    contact_address="anna@yandex.ru",
    last_stage_on=date(2026, 11, 25),
    all_stages_done=False,
    next_stage_on=date(2026, 12, 2),
    outcome="rejected",
    rejection_tone="polite",
    result_on=TODAY,
    priorities=["tech"],
)

# Telegram, all stages done, the company is silent since a typed date
PATH_B: tuple[Turn, ...] = (
    send("company", "Ozon"),
    send("position", "QA"),
    press("contact", "skip"),
    press("channel", "telegram"),
    send("telegram", "@anna_hr"),
    send("last_stage", "23.11"),
    press("all_done", "final"),
    press("outcome", "silent"),
    send("last_contact", "24.11"),
    press("priorities", "done"),
)
SUMMARY_B = "\n".join(
    [
        "Всё верно?",
        "",
        "🏢 Компания: Ozon",
        "💼 Позиция: QA",
        "👤 Контакт: не указан",
        "✉️ Канал: Telegram · @anna_hr",
        "📅 Последний этап: 23 ноября",
        "🔁 Этапы: все пройдены",
        "📌 Итог: 🤐 Молчание компании",
        "📭 Последний контакт: 24 ноября",
        "🎯 О чём спросить: общее впечатление",
    ]
)

# by phone (no address), waiting for a decision
PATH_PHONE: tuple[Turn, ...] = (
    send("company", "Avito"),
    send("position", "Go developer"),
    press("contact", "skip"),
    press("channel", "phone"),
    press("last_stage", "today"),
    press("all_done", "final"),
    press("outcome", "waiting"),
    press("priorities", "done"),
)

# an offer: no questions about priorities
PATH_OFFER: tuple[Turn, ...] = (
    send("company", "Сбер"),
    send("position", "ML engineer"),
    press("contact", "skip"),
    press("channel", "chat"),
    press("last_stage", "day_before"),
    press("all_done", "final"),
    press("outcome", "offer"),
    press("result_on", "yesterday"),
)


# --- the full conversation, every outcome, both languages -----------------------------------


@dataclass(frozen=True)
class Flow:
    name: str
    turns: tuple[Turn, ...]
    stored: dict[str, Any]
    summary: dict[str, tuple[str, ...]] = field(default_factory=dict)  # lines, per language


FLOWS = (
    Flow(
        "rejected-polite",
        (
            send("company", "  Яндекс  "),
            send("position", "Python-разработчик"),
            press("contact", "skip"),
            press("channel", "email"),
            send("email", "Anna@Yandex.RU"),
            press("last_stage", "yesterday"),
            press("all_done", "final"),
            press("outcome", "rejected"),
            press("tone", "polite"),
            press("result_on", "today"),
            press("priorities", "tech"),
            press("priorities", "comm"),
            press("priorities", "done"),
        ),
        row(
            company="Яндекс",
            position="Python-разработчик",
            channel="email",
            contact_address="Anna@yandex.ru",
            last_stage_on=date(2026, 11, 25),
            outcome="rejected",
            rejection_tone="polite",
            result_on=TODAY,
            priorities=["tech", "comm"],
        ),
        {
            "ru": (
                "👤 Контакт: не указан",
                "✉️ Канал: Почта · Anna@yandex.ru",
                "📅 Последний этап: 25 ноября",
                "🔁 Этапы: все пройдены",
                "📌 Итог: ❌ Отказ (вежливый)",
                "📨 Ответ пришёл: 26 ноября",
                "🎯 О чём спросить: технические навыки, навыки коммуникации",
            ),
            "en": (
                "👤 Contact: not given",
                "✉️ Channel: Email · Anna@yandex.ru",
                "📅 Last stage: November 25",
                "🔁 Stages: all done",
                "📌 Outcome: ❌ Rejected (polite)",
                "📨 Answer came: November 26",
                "🎯 Ask about: technical skills, communication",
            ),
        },
    ),
    Flow(
        "rejected-harsh",
        (
            send("company", "Ozon"),
            send("position", "QA Lead"),
            send("contact", "Мария  Петрова"),
            press("channel", "telegram"),
            send("telegram", "https://t.me/anna_hr"),
            send("last_stage", "23.11"),
            press("all_done", "final"),
            press("outcome", "rejected"),
            press("tone", "harsh"),
            press("result_on", "another"),
            send("result_on", "24.11.2026"),
            press("priorities", "attitude"),
            press("priorities", "done"),
        ),
        row(
            company="Ozon",
            position="QA Lead",
            contact_name="Мария Петрова",
            channel="telegram",
            contact_address="@anna_hr",
            last_stage_on=date(2026, 11, 23),
            outcome="rejected",
            rejection_tone="harsh",
            result_on=date(2026, 11, 24),
            priorities=["attitude"],
        ),
        {
            "ru": (
                "👤 Контакт: Мария Петрова",
                "✉️ Канал: Telegram · @anna_hr",
                "📌 Итог: ❌ Отказ (резкий или непрофессиональный)",
                "📨 Ответ пришёл: 24 ноября",
                "🎯 О чём спросить: отношение к работе и ответственность",
            ),
            "en": (
                "✉️ Channel: Telegram · @anna_hr",
                "📌 Outcome: ❌ Rejected (harsh or unprofessional)",
                "📨 Answer came: November 24",
            ),
        },
    ),
    Flow(
        "waiting-all-done",
        (
            send("company", "Т-Банк"),
            send("position", "Аналитик"),
            send("contact", "Олег"),
            press("channel", "chat"),
            press("last_stage", "day_before"),
            press("all_done", "final"),
            press("outcome", "waiting"),
            press("priorities", "culture"),
            press("priorities", "done"),
        ),
        row(
            company="Т-Банк",
            position="Аналитик",
            contact_name="Олег",
            channel="chat",
            last_stage_on=date(2026, 11, 24),
            outcome="waiting",
            priorities=["culture"],
        ),
        {
            "ru": (
                "✉️ Канал: hh.ru или чат на сайте",
                "📅 Последний этап: 24 ноября",
                "📌 Итог: ⏳ Ожидание решения",
                "🎯 О чём спросить: культурная совместимость",
            ),
            "en": (
                "✉️ Channel: hh.ru or site chat",
                "📅 Last stage: November 24",
                "📌 Outcome: ⏳ Waiting for a decision",
                "🎯 Ask about: culture fit",
            ),
        },
    ),
    Flow(
        "waiting-more-stages-dated",
        (
            send("company", "Avito"),
            send("position", "Go developer"),
            press("contact", "skip"),
            press("channel", "phone"),
            send("last_stage", "3 дня назад"),
            press("all_done", "more"),
            send("next_stage", "2.12"),
            press("outcome", "waiting"),
            press("priorities", "done"),
        ),
        row(
            company="Avito",
            position="Go developer",
            channel="phone",
            last_stage_on=date(2026, 11, 23),
            all_stages_done=False,
            next_stage_on=date(2026, 12, 2),
            outcome="waiting",
        ),
        {
            "ru": (
                "✉️ Канал: Телефон",
                "📅 Последний этап: 23 ноября",
                "🔁 Этапы: впереди ещё, следующий — 2 декабря",
                "🎯 О чём спросить: общее впечатление",
            ),
            "en": (
                "✉️ Channel: Phone",
                "🔁 Stages: more ahead, next on December 2",
                "🎯 Ask about: general impressions",
            ),
        },
    ),
    Flow(
        "waiting-more-stages-undated",
        (
            send("company", "VK"),
            send("position", "Frontend"),
            send("contact", "Иван"),
            press("channel", "other"),
            send("where", "  hh.ru,   вакансия 123 "),
            press("last_stage", "today"),
            press("all_done", "more"),
            press("next_stage", "skip"),
            press("outcome", "waiting"),
            press("priorities", "tech"),
            press("priorities", "done"),
        ),
        row(
            company="VK",
            position="Frontend",
            contact_name="Иван",
            channel="other",
            contact_address="hh.ru, вакансия 123",
            last_stage_on=TODAY,
            all_stages_done=False,
            outcome="waiting",
            priorities=["tech"],
        ),
        {
            "ru": (
                "✉️ Канал: Другое · hh.ru, вакансия 123",
                "🔁 Этапы: впереди ещё, дата пока неизвестна",
            ),
            "en": (
                "✉️ Channel: Other · hh.ru, вакансия 123",
                "🔁 Stages: more ahead, date not known yet",
            ),
        },
    ),
    Flow(
        "offer",
        (
            send("company", "Сбер"),
            send("position", "ML engineer"),
            press("contact", "skip"),
            press("channel", "email"),
            press("email", "skip"),
            send("last_stage", "2026-11-20"),
            press("all_done", "final"),
            press("outcome", "offer"),
            press("result_on", "yesterday"),
        ),
        row(
            company="Сбер",
            position="ML engineer",
            channel="email",
            last_stage_on=date(2026, 11, 20),
            outcome="offer",
            result_on=date(2026, 11, 25),
        ),
        {
            "ru": ("✉️ Канал: Почта", "📌 Итог: 🎉 Оффер", "📨 Ответ пришёл: 25 ноября"),
            "en": ("✉️ Channel: Email", "📌 Outcome: 🎉 Offer", "📨 Answer came: November 25"),
        },
    ),
    Flow(
        "silent-since-the-stage",
        (
            send("company", "Kaspersky"),
            send("position", "SRE"),
            press("contact", "skip"),
            press("channel", "phone"),
            press("last_stage", "yesterday"),
            press("all_done", "final"),
            press("outcome", "silent"),
            press("last_contact", "stage_day_25"),
            press("priorities", "comm"),
            press("priorities", "done"),
        ),
        row(
            company="Kaspersky",
            position="SRE",
            channel="phone",
            last_stage_on=date(2026, 11, 25),
            outcome="silent",
            last_contact_on=date(2026, 11, 25),
            priorities=["comm"],
        ),
        {
            "ru": ("📌 Итог: 🤐 Молчание компании", "📭 Последний контакт: 25 ноября"),
            "en": ("📌 Outcome: 🤐 The company is silent", "📭 Last contact: November 25"),
        },
    ),
    Flow(
        "silent-since-a-typed-date",
        (
            send("company", "Selectel"),
            send("position", "DevOps"),
            send("contact", "Anna"),
            press("channel", "telegram"),
            send("telegram", "t.me/anna_hr"),
            send("last_stage", "позавчера"),
            press("all_done", "final"),
            press("outcome", "silent"),
            send("last_contact", "yesterday"),
            press("priorities", "done"),
        ),
        row(
            company="Selectel",
            position="DevOps",
            contact_name="Anna",
            channel="telegram",
            contact_address="@anna_hr",
            last_stage_on=date(2026, 11, 24),
            outcome="silent",
            last_contact_on=date(2026, 11, 25),
        ),
        {
            "ru": ("📅 Последний этап: 24 ноября", "📭 Последний контакт: 25 ноября"),
            "en": ("📅 Last stage: November 24", "📭 Last contact: November 25"),
        },
    ),
)


@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize("flow", FLOWS, ids=[flow.name for flow in FLOWS])
async def test_full_conversation_is_saved(
    app: BotApp, clock: FakeClock, flow: Flow, language: str
) -> None:
    person = await app.person(language_code=language).onboarded()
    labels = LABELS[language]
    await person.send("/new")
    await answer(person, flow.turns, language)

    summary = prompt(person)
    lines = text_of(summary).splitlines()
    assert lines[0] == QUESTIONS[language]["summary"]
    company, position = flow.stored["company"], flow.stored["position"]
    assert lines[2].endswith(f": {company}")
    assert lines[3].endswith(f": {position}")
    for line in flow.summary[language]:
        assert line in lines
    has_priorities = any(line.startswith("🎯") for line in lines)
    assert has_priorities == (flow.stored["outcome"] != "offer")
    assert person.buttons(summary) == [labels["save"], labels["edit"], labels["cancel"]]
    assert await stored(app) == []  # nothing is stored before Save

    replies = await person.press(labels["save"])

    assert await stored(app) == [flow.stored]
    assert len(replies) == 1
    # the note comes first; what to do next (the timing advice) may follow it
    assert text_of(replies[0]).split("\n\n")[0] == labels["saved"].format(
        company=company, position=position
    )
    assert person.buttons(replies[0])[-2:] == [labels["open"], labels["all"]]
    assert summary.buttons == []  # the saved card cannot be pressed again
    assert await conversation_count(app) == 0
    async with app.sessionmaker() as session:
        saved = await session.scalar(select(Interview))
        assert saved is not None
        assert (saved.user_id, saved.created_at, saved.archived_at) == (
            person.user.id,
            clock.now,
            None,
        )


async def test_the_start_explains_and_only_cancel_is_offered_on_the_first_step(
    app: BotApp,
) -> None:
    person = await app.person().onboarded()
    replies = await person.tap_menu("➕ Новое собеседование")

    assert [text_of(m) for m in replies] == [
        "➕ Новое собеседование. Это займёт меньше минуты; /cancel прервёт на любом шаге.",
        "🏢 В какой компании было собеседование?",
    ]
    assert person.buttons() == ["✖ Отмена"]  # nothing to go back to
    assert person.reply_buttons() == MAIN_MENU


async def test_today_is_the_persons_today(app: BotApp, clock: FakeClock) -> None:
    """At 09:00 UTC on Nov 26 it is still Nov 25 in Honolulu (UTC−10)."""
    person = await app.person().onboarded(timezone="UTC-10")
    await start(person, until(PATH_PHONE, "last_stage"))
    await answer(person, from_step(PATH_PHONE, "last_stage"))
    assert "📅 Последний этап: 25 ноября" in text_of(prompt(person))
    await person.press(RU["save"])
    saved = await stored(app)
    assert saved[0]["last_stage_on"] == date(2026, 11, 25)


async def test_priorities_toggle_in_place_with_marks(app: BotApp) -> None:
    person = await app.person().onboarded()
    await start(person, until(PATH_A, "priorities"))
    question = prompt(person)

    replies = await person.press("▫️ Технические навыки")
    await person.press("▫️ Культурная совместимость")
    await person.press("✅ Технические навыки")  # and off again

    assert replies == []  # edited, not a new message
    assert question.edited
    assert person.buttons(question)[:4] == [
        "▫️ Технические навыки",
        "▫️ Навыки коммуникации",
        "✅ Культурная совместимость",
        "▫️ Отношение к работе и ответственность",
    ]
    await person.press("Готово →")
    assert "🎯 О чём спросить: культурная совместимость" in text_of(prompt(person))


async def test_another_date_button_asks_to_type_it(app: BotApp) -> None:
    person = await app.person().onboarded()
    await start(person, until(PATH_A, "last_stage"))
    replies = await person.press("📅 Другая дата")
    assert [text_of(m) for m in replies] == ["Напишите дату, например 25.11, 25.11.2026 или вчера."]
    await person.send("20 ноября")
    assert text_of(prompt(person)).startswith("🔁 Все этапы пройдены?")
    await person.press(RU["back"])
    assert "Сейчас: 20 ноября" in text_of(prompt(person))


# --- validation: explained, asked again, nothing lost ---------------------------------------

STICKER = "sticker"
TEXT_PLEASE = "Ответьте текстом или кнопками выше — или отправьте /cancel."
BUTTON_PLEASE = "Выберите вариант кнопкой выше или отправьте /cancel."
TOO_LONG = "Слишком длинно: не больше 100 символов. Сократите, пожалуйста."
EMPTY = "Ответ не может быть пустым. Напишите его или воспользуйтесь кнопками выше."

# What the person sends at a step and what the bot explains, step by step along a walk;
# STICKER sends a sticker. After the bad ones, the right answer.
BAD_INPUTS: dict[str, tuple[tuple[Turn, ...], dict[str, tuple[tuple[str, str], ...]]]] = {
    "email-rejected": (
        PATH_A,
        {
            "company": (
                ("\u2800", EMPTY),
                ("Я" * 101, TOO_LONG),
                ("Я" * 4096, TOO_LONG),  # the longest message a client sends
                (STICKER, TEXT_PLEASE),
            ),
            "position": (("\u2800\u200b \u3164", EMPTY), ("x" * 101, TOO_LONG)),
            "contact": (("Анна " * 21, TOO_LONG), ("/frobnicate", "Такой команды нет.")),
            "channel": (("почта", BUTTON_PLEASE), (STICKER, TEXT_PLEASE)),
            "email": (
                ("anna@", "«anna@» не похоже на адрес почты. Пример: anna@company.ru"),
                ("<b>anna</b> at yandex", "«<b>anna</b> at yandex» не похоже на адрес почты."),
                ("anna@yandex", "«anna@yandex» не похоже на адрес почты."),
                ("/help", "Я помогаю получить обратную связь от работодателя"),
            ),
            "last_stage": (
                ("32.13", "Такого дня нет: «32.13». Проверьте число и месяц."),
                ("на днях", "Не получилось понять дату «на днях»."),
                ("завтра", "«завтра» ещё не наступило. Укажите прошедший день."),
                ("01.12", "«01.12» ещё не наступило."),
                ("01.01.2020", "«01.01.2020» — это больше года назад. Укажите дату в пределах"),
                (STICKER, TEXT_PLEASE),
            ),
            "all_done": (("да", BUTTON_PLEASE),),
            "next_stage": (
                ("20.11", "«20.11» уже прошло. Укажите будущую дату или пропустите шаг."),
                ("вчера", "«вчера» уже прошло."),
                ("01.01.2028", "«01.01.2028» — это больше чем через год."),
            ),
            "outcome": (
                ("отказ", BUTTON_PLEASE),
                (
                    "/frobnicate",
                    (
                        "Такой команды нет. Список команд — /help.\n"
                        "Текущий шаг не закрыт: ответьте на вопрос выше или отправьте /cancel."
                    ),
                ),
            ),
            "tone": (("вежливо", BUTTON_PLEASE),),
            "result_on": (
                ("24.11", "Это раньше последнего этапа (25 ноября"),
                ("послезавтра", "«послезавтра» ещё не наступило."),
            ),
            "priorities": (("всё", BUTTON_PLEASE),),
            "summary": (
                ("да", "Нажмите кнопку выше: «Сохранить», «Изменить» или «Отмена»."),
                (STICKER, "Нажмите кнопку выше: «Сохранить», «Изменить» или «Отмена»."),
            ),
        },
    ),
    "telegram-silent": (
        PATH_B,
        {
            "telegram": (
                ("@ab", "«@ab» не похоже на имя пользователя Telegram. Пришлите, например,"),
                ("https://vk.com/anna_hr", "не похоже на имя пользователя Telegram"),
                ("anna hr", "не похоже на имя пользователя Telegram"),
            ),
            "last_contact": (
                ("22.11", "Это раньше последнего этапа (23 ноября"),
                ("завтра", "«завтра» ещё не наступило."),
            ),
        },
    ),
}


@pytest.mark.parametrize("name", list(BAD_INPUTS))
async def test_bad_input_is_explained_and_nothing_is_lost(app: BotApp, name: str) -> None:
    path, bad_inputs = BAD_INPUTS[name]
    remaining = dict(bad_inputs)
    person = await app.person().onboarded()
    await person.send("/new")

    for turn in (*path, SUMMARY):
        question = prompt(person)
        for typed, explained in remaining.pop(turn.step, ()):
            if typed == STICKER:
                replies = await person.send_sticker()
            else:
                replies = await person.send(typed)
            assert len(replies) == 1, (turn.step, typed)
            assert explained in text_of(replies[0]), (turn.step, typed)
            assert prompt(person) is question, typed  # the same question stays open
            assert question.buttons, typed
        if turn is not SUMMARY:
            await answer(person, [turn])  # the right answer now

    assert not remaining
    assert text_of(prompt(person)) == (SUMMARY_A if path is PATH_A else SUMMARY_B)
    assert await stored(app) == []


async def test_answer_date_button_before_the_last_stage_is_refused(app: BotApp) -> None:
    person = await app.person().onboarded()
    path = (*until(PATH_OFFER, "last_stage"), press("last_stage", "today"))
    await start(person, (*path, press("all_done", "final"), press("outcome", "rejected")))
    await person.press("Вежливый")

    replies = await person.press("Вчера")

    assert replies == []
    assert person.answers()[-1].startswith("Это раньше последнего этапа (26 ноября")
    assert text_of(prompt(person)).startswith("📨 Когда пришёл ответ?")
    await person.press("Сегодня")
    await person.press("Готово →")
    assert "📨 Ответ пришёл: 26 ноября" in text_of(prompt(person))


@pytest.mark.parametrize(
    ("path", "step", "normalized"),
    [
        (
            PATH_B,
            "telegram",
            (
                ("t.me/anna_hr", "@anna_hr"),
                ("https://t.me/anna_hr", "@anna_hr"),
                ("  @Anna_HR ", "@Anna_HR"),
                ("telegram.me/anna_hr/", "@anna_hr"),
                ("anna_hr", "@anna_hr"),
            ),
        ),
        (
            PATH_A,
            "email",
            (
                ("Anna@Yandex.RU", "Anna@yandex.ru"),
                (" mailto:hr@Company.Example.COM ", "hr@company.example.com"),
            ),
        ),
    ],
    ids=["telegram", "email"],
)
async def test_addresses_are_normalized(
    app: BotApp, path: tuple[Turn, ...], step: str, normalized: tuple[tuple[str, str], ...]
) -> None:
    person = await app.person().onboarded()
    await start(person, until(path, step))
    for typed, kept in normalized:
        await person.send(typed)
        assert text_of(prompt(person)).startswith(QUESTIONS["ru"]["last_stage"]), typed
        await person.press(RU["back"])  # the address step shows what was kept
        assert f"Сейчас: {kept}" in text_of(prompt(person)).splitlines()


# --- Back at every step ---------------------------------------------------------------------


@dataclass(frozen=True)
class Back:
    step: str  # where Back is pressed
    previous: str  # the question it returns to
    now: str | None  # the kept answer shown («Сейчас: …»); None for a skipped step
    keep: str | None = None  # the «Оставить …» button of a text step


BACKS: dict[str, tuple[tuple[Turn, ...], tuple[Back, ...]]] = {
    "email-rejected": (
        PATH_A,
        (
            Back("position", "company", "Сейчас: Яндекс", "Оставить «Яндекс»"),
            Back(
                "contact",
                "position",
                "Сейчас: Python-разработчик",
                "Оставить «Python-разработчик»",
            ),
            Back("channel", "contact", "Сейчас: Анна", "Оставить «Анна»"),
            Back("email", "channel", "Сейчас: Почта"),
            Back("last_stage", "email", "Сейчас: anna@yandex.ru", "Оставить «anna@yandex.ru»"),
            Back("all_done", "last_stage", "Сейчас: 25 ноября"),
            Back("next_stage", "all_done", "Сейчас: впереди ещё этапы"),
            Back("outcome", "next_stage", "Сейчас: 2 декабря"),
            Back("tone", "outcome", "Сейчас: ❌ Отказ"),
            Back("result_on", "tone", "Сейчас: вежливый"),
            Back("priorities", "result_on", "Сейчас: 26 ноября"),
        ),
    ),
    "telegram-silent": (
        PATH_B,
        (
            Back("channel", "contact", None),
            Back("telegram", "channel", "Сейчас: Telegram"),
            Back("last_stage", "telegram", "Сейчас: @anna_hr", "Оставить «@anna_hr»"),
            Back("outcome", "all_done", "Сейчас: все пройдены"),
            Back("last_contact", "outcome", "Сейчас: 🤐 Молчание компании"),
            Back("priorities", "last_contact", "Сейчас: 24 ноября"),
        ),
    ),
    "phone-waiting": (
        PATH_PHONE,
        (
            Back("last_stage", "channel", "Сейчас: Телефон"),
            Back("priorities", "outcome", "Сейчас: ⏳ Ожидание решения"),
        ),
    ),
    "chat-offer": (
        PATH_OFFER,
        (
            Back("last_stage", "channel", "Сейчас: hh.ru или чат на сайте"),
            Back("result_on", "outcome", "Сейчас: 🎉 Оффер"),
        ),
    ),
}


@pytest.mark.parametrize("name", list(BACKS))
async def test_back_at_every_step_shows_the_kept_answer(app: BotApp, name: str) -> None:
    """Walk the conversation; at each listed step go Back, check, return, go on."""
    path, backs = BACKS[name]
    by_step = {back.step: back for back in backs}
    person = await app.person().onboarded()
    await person.send("/new")

    for turn in path:
        case = by_step.pop(turn.step, None)
        if case is not None:
            question = prompt(person)
            replies = await person.press(RU["back"])

            assert len(replies) == 1, case
            lines = text_of(replies[0]).splitlines()
            assert lines[0].startswith(QUESTIONS["ru"][case.previous]), case
            now = [line for line in lines if line.startswith("Сейчас:")]
            if case.now is None:  # a skipped step has nothing to show
                assert now == [], case
            else:
                assert len(now) == 1, case
                assert now[0].startswith(case.now), case
            keeps = [b for b in person.buttons(replies[0]) if b.startswith("Оставить")]
            assert keeps == ([case.keep] if case.keep else []), case
            assert question.buttons == []  # the question left behind is closed

            # keeping (or giving the same) answer returns to the step Back was pressed on
            if case.keep:
                await person.press(case.keep)
            else:
                await answer(person, until(from_step(path, case.previous), case.step))
            assert text_of(prompt(person)).startswith(QUESTIONS["ru"][case.step]), case
        await answer(person, [turn])

    assert not by_step
    expected = {"email-rejected": SUMMARY_A, "telegram-silent": SUMMARY_B}.get(name)
    if expected is not None:  # nothing was lost on the way
        assert text_of(prompt(person)) == expected


async def test_back_to_a_skipped_step_offers_skip_again(app: BotApp) -> None:
    person = await app.person().onboarded()
    await start(person, until(PATH_B, "channel"))
    await person.press(RU["back"])
    assert text_of(prompt(person)) == (
        "👤 Кто проводил собеседование или кто ваш рекрутер?\n"
        "Если знаете имя, письмо начнётся с личного обращения. Этот шаг можно пропустить."
    )
    assert person.buttons() == ["Пропустить →", "← Назад", "✖ Отмена"]


async def test_keep_button_shows_the_answer_as_typed(app: BotApp) -> None:
    person = await app.person().onboarded()
    await start(person, [send("company", "AT&T <Labs>")])
    await person.press(RU["back"])
    assert "Сейчас: AT&T <Labs>" in text_of(prompt(person))
    assert "Оставить «AT&T <Labs>»" in person.buttons()


# --- Cancel at every step -------------------------------------------------------------------

CANCEL_POINTS = [
    *[(PATH_A, turn.step) for turn in PATH_A if turn.value != "done"],
    (PATH_B, "telegram"),
    (PATH_B, "last_contact"),
    (PATH_A, "summary"),
]


@pytest.mark.parametrize(
    ("path", "step"), CANCEL_POINTS, ids=[f"{step}" for _, step in CANCEL_POINTS]
)
async def test_cancel_at_any_step_saves_nothing(
    app: BotApp, path: tuple[Turn, ...], step: str
) -> None:
    person = await app.person().onboarded()
    await start(person, until((*path, SUMMARY), step))
    question = prompt(person)

    replies = await person.press(RU["cancel"])

    assert [text_of(m) for m in replies] == [NOTHING_SAVED]
    assert person.reply_buttons() == MAIN_MENU
    assert question.buttons == []
    assert await stored(app) == []
    assert await conversation_count(app) == 0
    replies = await person.send("Яндекс")  # no longer taken as an answer
    assert text_of(replies[0]).startswith("Не получилось разобрать сообщение.")


@pytest.mark.parametrize("step", ["company", "outcome", "summary"])
async def test_cancel_command_ends_the_conversation(app: BotApp, step: str) -> None:
    person = await app.person().onboarded()
    await start(person, until((*PATH_A, SUMMARY), step))
    question = prompt(person)

    replies = await person.send("/cancel")

    assert text_of(replies[0]).startswith("Отменено.")
    assert await stored(app) == []
    assert await conversation_count(app) == 0
    replies = await person.send("Яндекс")
    assert text_of(replies[0]).startswith("Не получилось разобрать сообщение.")
    if question.buttons:  # a button left under the abandoned question does nothing
        await person.press_data(question.message_id, question.callback_data[0])
        assert person.answers()[-1] == OUTDATED
        assert await stored(app) == []
        assert await conversation_count(app) == 0


async def test_new_in_the_middle_starts_afresh(app: BotApp) -> None:
    person = await app.person().onboarded()
    await start(person, until(PATH_A, "channel"))
    old = prompt(person)
    await person.send("/new")
    assert old.buttons == []
    assert text_of(prompt(person)) == "🏢 В какой компании было собеседование?"
    assert person.buttons() == ["✖ Отмена"]  # nothing of the old draft is offered


# --- Edit from the summary ------------------------------------------------------------------


@dataclass(frozen=True)
class Edit:
    field: str  # the field button
    asks: str  # the question it jumps to
    now: str  # the current answer shown there
    turns: tuple[Turn, ...]  # the new answer(s)
    line: str  # the changed summary line
    changes: dict[str, Any]  # in the stored row
    drops: tuple[str, ...] = ()  # summary lines (by their emoji) that no longer apply


EDITS = (
    Edit(
        "🏢 Компания",
        "company",
        "Сейчас: Яндекс",
        (send("company", "Ozon"),),
        "🏢 Компания: Ozon",
        {"company": "Ozon"},
    ),
    Edit(
        "💼 Позиция",
        "position",
        "Сейчас: Python-разработчик",
        (send("position", "Go-разработчик"),),
        "💼 Позиция: Go-разработчик",
        {"position": "Go-разработчик"},
    ),
    Edit(
        "👤 Контакт",
        "contact",
        "Сейчас: Анна",
        (press("contact", "skip"),),
        "👤 Контакт: не указан",
        {"contact_name": None},
    ),
    Edit(
        "✉️ Канал и адрес",
        "channel",
        "Сейчас: Почта",
        (press("channel", "phone"),),
        "✉️ Канал: Телефон",
        {"channel": "phone", "contact_address": None},
    ),
    Edit(
        "📅 Дата этапа",
        "last_stage",
        "Сейчас: 25 ноября",
        (press("last_stage", "day_before"),),
        "📅 Последний этап: 24 ноября",
        {"last_stage_on": date(2026, 11, 24)},
    ),
    Edit(
        "🔁 Этапы",
        "all_done",
        "Сейчас: впереди ещё этапы",
        (press("all_done", "final"),),
        "🔁 Этапы: все пройдены",
        {"all_stages_done": True, "next_stage_on": None},
    ),
    Edit(
        "📌 Итог",
        "outcome",
        "Сейчас: ❌ Отказ",
        (press("outcome", "waiting"),),
        "📌 Итог: ⏳ Ожидание решения",
        {"outcome": "waiting", "rejection_tone": None, "result_on": None},
        drops=("📨",),
    ),
    Edit(
        "🎯 О чём спросить",
        "priorities",
        "✅ Технические навыки",  # the current choice is marked
        (
            press("priorities", "tech_on"),
            press("priorities", "attitude"),
            press("priorities", "done"),
        ),
        "🎯 О чём спросить: отношение к работе и ответственность",
        {"priorities": ["attitude"]},
    ),
)
FIELD_BUTTONS = [
    "🏢 Компания",
    "💼 Позиция",
    "👤 Контакт",
    "✉️ Канал и адрес",
    "📅 Дата этапа",
    "🔁 Этапы",
    "📌 Итог",
    "🎯 О чём спросить",
    "← К проверке",
]


async def test_edit_each_field_from_the_summary(app: BotApp) -> None:
    """Field after field: Edit → the field → a new answer → the summary with the change."""
    person = await app.person().onboarded()
    await start(person, PATH_A)
    expected = {line.split(" ", 1)[0]: line for line in SUMMARY_A.splitlines()[2:]}
    changes: dict[str, Any] = {}

    for case in EDITS:
        summary = prompt(person)
        await person.press(RU["edit"])
        fields = prompt(person)
        assert text_of(fields) == "✏️ Что изменить?"
        assert person.buttons(fields) == FIELD_BUTTONS
        assert summary.buttons == []

        await person.press(case.field)
        question = prompt(person)
        assert text_of(question).startswith(QUESTIONS["ru"][case.asks]), case.field
        assert case.now in text_of(question) or case.now in person.buttons(question)
        assert person.buttons(question)[-2:] == ["← К проверке", "✖ Отмена"]
        await answer(person, case.turns)

        expected[case.line.split(" ", 1)[0]] = case.line
        for emoji in case.drops:
            del expected[emoji]
        lines = text_of(prompt(person)).splitlines()
        assert lines[0] == "Всё верно?", case.field
        assert lines[2:] == list(expected.values()), case.field  # the rest is as it was
        changes.update(case.changes)

    assert await stored(app) == []
    await person.press(RU["save"])
    assert await stored(app) == [{**ROW_A, **changes}]


async def test_back_from_a_field_returns_to_the_summary_unchanged(app: BotApp) -> None:
    person = await app.person().onboarded()
    await start(person, PATH_A)
    await person.press(RU["edit"])
    await person.press("📌 Итог")
    await person.press("← К проверке")
    assert text_of(prompt(person)) == SUMMARY_A
    await person.press(RU["edit"])
    await person.press("← К проверке")
    assert text_of(prompt(person)) == SUMMARY_A


async def test_changing_the_outcome_to_rejected_asks_tone_and_answer_date(app: BotApp) -> None:
    person = await app.person().onboarded()
    await start(person, PATH_PHONE)
    await person.press(RU["edit"])
    await person.press("📌 Итог")

    await answer(
        person,
        [
            press("outcome", "rejected"),
            press("tone", "harsh"),
            press("result_on", "today"),
        ],
    )

    lines = text_of(prompt(person)).splitlines()
    assert "📌 Итог: ❌ Отказ (резкий или непрофессиональный)" in lines
    assert "📨 Ответ пришёл: 26 ноября" in lines
    assert "🎯 О чём спросить: общее впечатление" in lines  # answered before: not asked again
    await person.press(RU["save"])
    saved = (await stored(app))[0]
    assert (saved["outcome"], saved["rejection_tone"], saved["result_on"]) == (
        "rejected",
        "harsh",
        TODAY,
    )


async def test_changing_the_channel_from_phone_to_email_asks_the_address(app: BotApp) -> None:
    person = await app.person().onboarded()
    await start(person, PATH_PHONE)
    await person.press(RU["edit"])
    await person.press("✉️ Канал и адрес")
    await answer(person, [press("channel", "email"), send("email", "HR@Avito.RU")])

    assert "✉️ Канал: Почта · HR@avito.ru" in text_of(prompt(person)).splitlines()
    await person.press(RU["save"])
    saved = (await stored(app))[0]
    assert (saved["channel"], saved["contact_address"]) == ("email", "HR@avito.ru")


async def test_changing_the_channel_from_telegram_to_email_asks_the_address(
    app: BotApp,
) -> None:
    person = await app.person().onboarded()
    await start(person, PATH_B)
    await person.press(RU["edit"])
    await person.press("✉️ Канал и адрес")
    await person.press("Почта")

    assert text_of(prompt(person)).startswith(QUESTIONS["ru"]["email"])


async def test_an_offer_drops_the_priorities(app: BotApp) -> None:
    person = await app.person().onboarded()
    await start(person, PATH_A)
    assert "🎯 О чём спросить: технические навыки" in text_of(prompt(person))
    await person.press(RU["edit"])
    await person.press("📌 Итог")
    await person.press("🎉 Оффер")

    summary = text_of(prompt(person))
    assert "📌 Итог: 🎉 Оффер" in summary
    assert "📨 Ответ пришёл: 26 ноября" in summary  # the answer date is kept
    assert "🎯" not in summary
    await person.press(RU["edit"])
    assert "🎯 О чём спросить" not in person.buttons()
    await person.press("← К проверке")
    await person.press(RU["save"])
    saved = (await stored(app))[0]
    assert (saved["outcome"], saved["rejection_tone"], saved["priorities"]) == ("offer", None, [])


async def test_more_stages_from_the_summary_asks_the_next_date(app: BotApp) -> None:
    person = await app.person().onboarded()
    await start(person, PATH_PHONE)
    await person.press(RU["edit"])
    await person.press("🔁 Этапы")
    await answer(person, [press("all_done", "more"), send("next_stage", "через 5 дней")])
    assert "🔁 Этапы: впереди ещё, следующий — 1 декабря" in text_of(prompt(person))


async def test_moving_the_last_stage_after_the_answer_is_not_accepted(app: BotApp) -> None:
    person = await app.person().onboarded()
    await start(person, PATH_OFFER)  # stage on Nov 24, the offer came on Nov 25
    await person.press(RU["edit"])
    await person.press("📅 Дата этапа")
    await person.press("Сегодня")
    if RU["save"] in person.buttons():
        await person.press(RU["save"])
    for saved in await stored(app):
        assert saved["result_on"] >= saved["last_stage_on"]


# --- stale cards and double taps ------------------------------------------------------------


async def test_double_save_stores_one_interview(app: BotApp) -> None:
    person = await app.person().onboarded()
    await start(person, PATH_A)
    summary = prompt(person)
    save = summary.button(RU["save"])["callback_data"]

    await person.press_data(summary.message_id, save)
    replies = await person.press_data(summary.message_id, save, forge=True)  # the second tap

    assert replies == []
    assert person.answers()[-1] == OUTDATED
    assert await stored(app) == [ROW_A]


async def test_a_save_telegram_sends_again_after_a_crash_confirms_it_once_more(
    app: BotApp,
) -> None:
    """The interview was committed, then the process died before the update ended (so its
    id was not recorded): Telegram sends the same Save again, and it is confirmed, not
    called outdated, and nothing is saved twice."""
    person = await app.person().onboarded()
    await start(person, PATH_A)
    summary = prompt(person)
    save = summary.button(RU["save"])["callback_data"]
    update = app.fake.press(person.user, summary.message_id, save)
    first = await app.feed(update, person.chat_id)
    async with app.sessionmaker() as session:  # as if the crash came before the update's end
        await session.execute(
            delete(ProcessedUpdate).where(ProcessedUpdate.update_id == update["update_id"])
        )
        await session.commit()

    again = await app.feed(update, person.chat_id)

    assert [m.text for m in again] == [m.text for m in first]
    assert (again[0].text or "").startswith("✅ Сохранено")
    assert await stored(app) == [ROW_A]


async def test_buttons_of_a_finished_summary_do_nothing(app: BotApp) -> None:
    person = await app.person().onboarded()
    await start(person, PATH_A)
    summary = prompt(person)
    old_buttons = summary.callback_data
    await person.press(RU["save"])
    await start(person, [send("company", "Ozon")])  # a new conversation is open

    for data in old_buttons:  # Save, Edit, Cancel of the saved card
        replies = await person.press_data(summary.message_id, data, forge=True)
        assert replies == []
        assert person.answers()[-1] == OUTDATED

    assert await stored(app) == [ROW_A]
    await answer(person, from_step(PATH_B, "position"))  # the new one goes on undisturbed
    assert text_of(prompt(person)) == SUMMARY_B


async def test_a_forged_step_button_is_refused(app: BotApp) -> None:
    person = await app.person().onboarded()
    await start(person, until(PATH_A, "outcome"))
    question = prompt(person)
    data = question.button("❌ Отказ")["callback_data"]
    await person.press_data(question.message_id, data.replace("rejected", "hired"), forge=True)
    assert person.answers()[-1] == "Эта кнопка уже не действует."
    assert prompt(person) is question  # still asked


async def test_the_saved_note_opens_the_card(app: BotApp) -> None:
    person = await app.person().onboarded()
    await start(person, PATH_A)
    await person.press(RU["save"])
    note = person.last
    await person.press("📄 Открыть")
    assert note.edited
    assert text_of(note).startswith("Яндекс — Python-разработчик")


# --- restart safety -------------------------------------------------------------------------


async def test_restart_mid_conversation_continues_at_the_same_step(
    sessionmaker: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    async with running_app(sessionmaker, clock) as first:
        person = await first.person().onboarded()
        await start(person, until(PATH_A, "last_stage"))

    # a new process: new dispatcher, new Telegram connection, the same database
    async with running_app(sessionmaker, clock) as second:
        again = second.person(person.user.id, first_name="Анна", last_name="Иванова")
        replies = await again.send("вчера")  # the answer to step 5

        assert text_of(replies[-1]).startswith("🔁 Все этапы пройдены?")
        await answer(again, from_step(PATH_A, "all_done"))
        assert text_of(prompt(again)) == SUMMARY_A
        await again.press(RU["save"])
        assert await stored(second) == [ROW_A]
