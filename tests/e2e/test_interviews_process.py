"""End to end: interviews told, listed, edited and deleted; kill -9 mid-intake; inline mode.

The real ``python -m bot`` runs against the fake Bot API over HTTP (see ``process.py``); the
person is played through the fake, with the exact Russian buttons a person taps. The bot runs
on the wall clock, so dates are checked against "yesterday" in Moscow (the default zone) and
recommendations only by what holds at any hour: a polite rejection that came today always
gets «✉️ Лучше отправить …» and a draft.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.e2e import backends
from tests.e2e.backends import BackendE2E
from tests.e2e.process import E2E, Person, text_of
from tests.e2e.test_process import (
    DONE,
    GENDER_QUESTION,
    TIMEZONE_QUESTION,
    consent,
)
from tests.fakeapi import InlineAnswer, SentMessage

pytestmark = pytest.mark.e2e

# --- what the person sees and taps --------------------------------------------------------

KEEP_SIGNATURE = "Оставить «Анна Иванова»"
SKIP = "Пропустить →"
KEEP_ZONE = "Оставить Europe/Moscow"

COMPANY_Q = "🏢 В какой компании было собеседование?"
POSITION_Q = "💼 На какую позицию?"
CONTACT_Q = "👤 Кто проводил собеседование или кто ваш рекрутер?"
CHANNEL_Q = "✉️ Где вы общаетесь с компанией?"
EMAIL_Q = "📧 Адрес почты рекрутера?"
TELEGRAM_Q = "💬 Имя пользователя в Telegram?"
LAST_STAGE_Q = "📅 Когда был последний этап?"
ALL_DONE_Q = "🔁 Все этапы пройдены?"
OUTCOME_Q = "📌 Чем всё закончилось на сегодня?"
TONE_Q = "🤝 Каким был отказ?"
RESULT_ON_Q = "📨 Когда пришёл ответ?"
PRIORITIES_Q = "🎯 О чём больше всего хочется узнать?"
SUMMARY_Q = "Всё верно?"
FIELDS_Q = "✏️ Что изменить?"
CHANGES_Q = "Проверьте изменения"

FINAL = "Да, это был финальный этап"
REJECTED = "❌ Отказ"
WAITING = "⏳ Ожидание решения"
POLITE = "Вежливый"
TECH = "▫️ Технические навыки"
TECH_ON = "✅ Технические навыки"
DONE_PICKING = "Готово →"
SAVE = "✅ Сохранить"
SHOW_DRAFT = "📝 Показать черновик"
RECOMMENDATION = "✉️ Лучше отправить"

LIST_TITLE = "📋 Ваши собеседования"
EMPTY_LIST = "Собеседований пока нет. Нажмите «➕ Новое собеседование» или отправьте /new."
COPY_LIMIT = 256
MOSCOW = ZoneInfo("Europe/Moscow")


# --- helpers ------------------------------------------------------------------------------


async def onboarded(person: Person) -> None:
    """/start, consent, and every onboarding step kept or skipped with its button."""
    await consent(person)
    person.press(KEEP_SIGNATURE)
    await person.expect(GENDER_QUESTION)
    person.press(SKIP)
    await person.expect(TIMEZONE_QUESTION)
    person.press(KEEP_ZONE)
    await person.expect(DONE)


async def tap(person: Person, button: str, reply: str) -> SentMessage:
    """Press a button of the latest question and wait for the reply containing ``reply``."""
    person.press(button)
    return await person.expect(reply)


async def say(person: Person, text: str, reply: str) -> SentMessage:
    person.send(text)
    return await person.expect(reply)


async def edited(
    e2e: E2E, message: SentMessage, check: Callable[[str], bool], what: str
) -> SentMessage:
    """Wait until the message (edited in place) has a text that passes ``check``."""
    await e2e.wait_for(lambda: check(text_of(message)), what)
    return message


def flat(message: SentMessage) -> list[str]:
    return [text for row in message.button_texts for text in row]


def copies(message: SentMessage) -> dict[str, str]:
    """The ``copy_text`` buttons of a message: label → the text it copies."""
    return {
        str(button["text"]): str(button["copy_text"]["text"])
        for row in message.buttons
        for button in row
        if "copy_text" in button
    }


def moscow_yesterday() -> date:
    return datetime.now(MOSCOW).date() - timedelta(days=1)


async def interview_rows(e2e: BackendE2E, user_id: int) -> list[dict[str, Any]]:
    """The person's interviews by id, read from the bot's database (dates as ``date``)."""
    return await backends.rows(e2e.database_url, "interviews", user_id=user_id)


async def inline_answer(e2e: E2E, person: Person, query: str) -> InlineAnswer:
    """The person types ``@bot query`` somewhere; returns the bot's answerInlineQuery."""
    update = e2e.fake.send_inline_query(person.user, query)
    query_id = str(update["inline_query"]["id"])

    def found() -> InlineAnswer | None:
        return next((a for a in e2e.fake.inline_answers if a.inline_query_id == query_id), None)

    await e2e.wait_for(lambda: found() is not None, f"the answer to the inline query {query!r}")
    answer = found()
    assert answer is not None
    calls = [
        call
        for call in e2e.fake.calls_to("answerInlineQuery")
        if call.params.get("inline_query_id") == query_id
    ]
    assert [call.ok for call in calls] == [True], [call.describe() for call in calls]
    assert await e2e.wait_handled(int(update["update_id"])) == "ok"
    return answer


# --- told, listed, opened, edited, deleted --------------------------------------------------


async def test_interview_told_listed_edited_and_deleted_through_the_real_process(
    e2e: BackendE2E,
) -> None:
    anna = e2e.person()
    bot = await e2e.start()
    await onboarded(anna)

    # /new: company, position, contact skipped, email, dates, a polite rejection, a priority
    await say(anna, "/new", COMPANY_Q)
    await say(anna, "Яндекс", POSITION_Q)
    await say(anna, "Python-разработчик", CONTACT_Q)
    await tap(anna, SKIP, CHANNEL_Q)
    await tap(anna, "Почта", EMAIL_Q)
    await say(anna, "Anna@Yandex.RU", LAST_STAGE_Q)
    await tap(anna, "Вчера", ALL_DONE_Q)
    await tap(anna, FINAL, OUTCOME_Q)
    await tap(anna, REJECTED, TONE_Q)
    await tap(anna, POLITE, RESULT_ON_Q)
    priorities = await tap(anna, "Сегодня", PRIORITIES_Q)
    anna.press(TECH)
    await e2e.wait_for(lambda: TECH_ON in flat(priorities), "the priority ticked in place")
    summary = await tap(anna, DONE_PICKING, SUMMARY_Q)
    lines = text_of(summary).splitlines()
    assert "🏢 Компания: Яндекс" in lines, lines
    assert "💼 Позиция: Python-разработчик" in lines, lines
    assert "✉️ Канал: Почта · Anna@yandex.ru" in lines, lines
    assert "📌 Итог: ❌ Отказ (вежливый)" in lines, lines
    assert "🎯 О чём спросить: технические навыки" in lines, lines

    saved = await tap(anna, SAVE, "✅ Сохранено: Яндекс — Python-разработчик.")
    assert RECOMMENDATION in text_of(saved), text_of(saved)
    assert saved.button_texts[0] == [SHOW_DRAFT], saved.button_texts
    assert summary.buttons == []  # the saved summary cannot be saved twice

    # the draft: a <pre> body that copies on tap, and copy buttons within Telegram's limit
    draft = await tap(anna, SHOW_DRAFT, "📝 Запрос обратной связи · Яндекс — Python-разработчик")
    bodies = draft.entity_texts("pre")
    assert len(bodies) == 1, draft.html
    assert "Python-разработчик" in bodies[0]
    assert bodies[0].rstrip().endswith("Анна Иванова"), bodies[0]
    copied = copies(draft)
    assert {"📋 Тема", "📋 Коротко", "📋 Адрес"} <= set(copied), copied
    assert copied["📋 Адрес"] == "Anna@yandex.ru"
    for label, text in copied.items():
        assert 1 <= len(text) <= COPY_LIMIT, (label, len(text))

    # /list: the row is there; open it
    listing = await say(anna, "/list", LIST_TITLE)
    row = next((b for b in flat(listing) if b.startswith("❌ Яндекс — Python-разработчик · ")), "")
    assert row, listing.button_texts
    anna.press(row, listing.message_id)
    card = await edited(
        e2e, listing, lambda t: t.startswith("Яндекс — Python-разработчик"), "the card"
    )
    assert "✉️ Канал: Почта · Anna@yandex.ru" in text_of(card).splitlines()

    # ✏️ Edit → Company → a new name → save: the same interview, renamed
    await tap(anna, "✏️ Изменить", FIELDS_Q)
    question = await tap(anna, "🏢 Компания", COMPANY_Q)
    assert "Сейчас: Яндекс" in text_of(question)
    changes = await say(anna, "Ozon", CHANGES_Q)
    assert "🏢 Компания: Ozon" in text_of(changes).splitlines()
    assert "💼 Позиция: Python-разработчик" in text_of(changes).splitlines()
    note = await tap(anna, SAVE, "✅ Изменения сохранены.")

    anna.press("📄 Открыть", note.message_id)
    card = await edited(e2e, note, lambda t: t.startswith("Ozon — Python-разработчик"), "card")
    assert "Яндекс" not in text_of(card)
    anna.press("← К списку", card.message_id)
    await edited(e2e, card, lambda t: t.startswith(LIST_TITLE), "the list")
    rows = [b for b in flat(card) if b[0] in "❌⏳🎉🤐"]
    assert len(rows) == 1, rows
    assert rows[0].startswith("❌ Ozon — Python-разработчик · "), rows

    # 🗑 Delete, confirmed: the list is empty
    anna.press(rows[0], card.message_id)
    await edited(e2e, card, lambda t: t.startswith("Ozon — Python-разработчик"), "the card")
    anna.press("🗑 Удалить", card.message_id)
    await edited(
        e2e, card, lambda t: t.startswith("Удалить собеседование в компании «Ozon»?"), "confirm"
    )
    anna.press("🗑 Да, удалить", card.message_id)
    await edited(e2e, card, lambda t: t == f"🗑 Удалено.\n\n{EMPTY_LIST}", "the empty list")
    assert "Удалено" in anna.alerts()
    again = await say(anna, "/list", EMPTY_LIST)
    assert text_of(again) == EMPTY_LIST
    assert again.buttons == []

    await e2e.wait_idle()
    assert await bot.terminate() == 0
    assert await interview_rows(e2e, anna.user.id) == []


# --- kill -9 at step 5 --------------------------------------------------------------------


async def test_kill_9_at_the_date_step_resumes_there_with_earlier_answers(e2e: BackendE2E) -> None:
    anna = e2e.person()
    first = await e2e.start()
    await onboarded(anna)

    await say(anna, "/new", COMPANY_Q)
    await say(anna, "Avito", POSITION_Q)
    await say(anna, "Go developer", CONTACT_Q)
    await tap(anna, SKIP, CHANNEL_Q)
    phone = anna.press("Телефон")
    step5 = await anna.expect(LAST_STAGE_Q)
    assert [text_of(m) for m in anna.replies() if EMAIL_Q in text_of(m)] == []  # no address
    # The question goes out inside the handler, before the update's transaction commits;
    # the log line comes after the commit. Kill only once both happened and the update is
    # confirmed to Telegram.
    assert await e2e.wait_handled(phone) == "ok"
    await e2e.wait_idle()
    assert await first.kill() == -9
    assert "Вчера" in flat(step5)

    second = await e2e.start()
    before = moscow_yesterday()
    typed = anna.send("вчера")  # the answer to step 5, typed to the new process
    await anna.expect(ALL_DONE_Q)
    after = moscow_yesterday()
    assert await e2e.wait_handled(typed) == "ok"
    assert typed not in first.outcomes()
    await tap(anna, FINAL, OUTCOME_Q)
    await tap(anna, WAITING, PRIORITIES_Q)
    summary = await tap(anna, DONE_PICKING, SUMMARY_Q)
    lines = text_of(summary).splitlines()
    assert "🏢 Компания: Avito" in lines, lines  # typed before the kill
    assert "💼 Позиция: Go developer" in lines, lines
    assert "👤 Контакт: не указан" in lines, lines
    assert "✉️ Канал: Телефон" in lines, lines
    assert "📌 Итог: ⏳ Ожидание решения" in lines, lines
    await tap(anna, SAVE, "✅ Сохранено: Avito — Go developer.")

    await e2e.wait_idle()
    assert await second.terminate() == 0
    rows = await interview_rows(e2e, anna.user.id)
    assert len(rows) == 1, rows
    saved = rows[0]
    assert (saved["company"], saved["position"], saved["contact_name"]) == (
        "Avito",
        "Go developer",
        None,
    )
    assert (saved["channel"], saved["contact_address"], saved["outcome"]) == (
        "phone",
        None,
        "waiting",
    )
    assert saved["last_stage_on"] in {before, after}, saved


# --- inline mode --------------------------------------------------------------------------


async def test_inline_query_inserts_the_persons_draft(e2e: BackendE2E) -> None:
    anna = e2e.person()
    boris = e2e.person(2002, first_name="Борис", last_name=None)
    await e2e.start()
    await onboarded(anna)

    await say(anna, "/new", COMPANY_Q)
    await say(anna, "Яндекс", POSITION_Q)
    await say(anna, "Python-разработчик", CONTACT_Q)
    await say(anna, "Анна Смирнова", CHANNEL_Q)
    await tap(anna, "Telegram", TELEGRAM_Q)
    await say(anna, "@anna_hr", LAST_STAGE_Q)
    await tap(anna, "Вчера", ALL_DONE_Q)
    await tap(anna, FINAL, OUTCOME_Q)
    await tap(anna, REJECTED, TONE_Q)
    await tap(anna, POLITE, RESULT_ON_Q)
    await tap(anna, "Сегодня", PRIORITIES_Q)
    summary = await tap(anna, DONE_PICKING, SUMMARY_Q)
    assert "✉️ Канал: Telegram · @anna_hr" in text_of(summary).splitlines()
    await tap(anna, SAVE, "✅ Сохранено: Яндекс — Python-разработчик.")
    draft = await tap(anna, SHOW_DRAFT, "📝 Запрос обратной связи · Яндекс — Python-разработчик")
    assert "✓ 🙂 Нейтрально" in flat(draft)  # chats get the neutral tone
    [body] = draft.entity_texts("pre")

    # an empty query: the person's draft, ready to insert into the recruiter's chat
    answer = await inline_answer(e2e, anna, "")
    assert answer.is_personal
    assert answer.user_id == anna.user.id
    assert [result["title"] for result in answer.results] == ["Яндекс — Python-разработчик"]
    content = answer.results[0]["input_message_content"]
    message_text = str(content["message_text"])
    assert message_text.startswith("Здравствуйте"), message_text
    assert "Яндекс" in message_text
    assert message_text.rstrip().endswith("Анна Иванова"), message_text
    assert message_text == body  # exactly what the draft message shows
    assert not content.get("parse_mode"), content  # inserted as typed, no markup

    # the typed text filters; no match: no results and a button that opens the bot
    matching = await inline_answer(e2e, anna, "янд")
    assert [result["title"] for result in matching.results] == ["Яндекс — Python-разработчик"]
    nothing = await inline_answer(e2e, anna, "Газпромнефть")
    assert nothing.is_personal
    assert nothing.results == []
    assert nothing.button is not None
    assert nothing.button.get("start_parameter"), nothing.button

    # someone who saw the privacy note but never consented: nothing of Anna's, only a button
    await say(boris, "/start", "👋 Здравствуйте!")
    stranger = await inline_answer(e2e, boris, "")
    assert stranger.is_personal
    assert stranger.results == []
    assert stranger.button is not None
    assert stranger.button.get("start_parameter"), stranger.button
    await e2e.wait_idle()
