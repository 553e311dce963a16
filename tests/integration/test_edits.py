"""Edited messages through the dispatcher: an edit of the latest answer is that answer, any
other edit gets a note (once) that it was not read and how to change what was meant.

Today is Thursday 2026-11-26 (the injected clock, Moscow), as in ``test_intake``.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from bot.db.models import JournalEntry
from tests.clock import FakeClock
from tests.harness import BotApp, Person
from tests.integration.test_intake import (
    LABELS,
    PATH_A,
    PATH_B,
    PATH_OFFER,
    QUESTIONS,
    ROW_A,
    SUMMARY_A,
    SUMMARY_B,
    TODAY,
    Turn,
    answer,
    from_step,
    prompt,
    start,
    stored,
    text_of,
    until,
)
from tests.integration.test_journal import entries, interview

CORRECTED_COMPANY = {
    "ru": "✏️ Исправлено: компания — «Яндекс»",
    "en": "✏️ Corrected: company — «Яндекс»",
}
COMPANY_LINE = {"ru": "🏢 Компания: {company}", "en": "🏢 Company: {company}"}
NO_SUCH_DAY = {
    "ru": "Такого дня нет: «32.13». Проверьте число и месяц.",
    "en": "There is no such day as «32.13». Check the day and month.",
}
TOO_LONG = {
    "ru": "Слишком длинно: не больше 100 символов. Сократите, пожалуйста.",
    "en": "That's too long: at most 100 characters. Please shorten it.",
}
NOTE_IN_INTAKE = {
    "ru": (
        "✏️ Правку я принимаю только в последнем ответе, поэтому этот остался прежним. "
        "Любой ответ можно изменить в конце: когда я покажу все ответы, нажмите «✏️ Изменить»."
    ),
    "en": (
        "✏️ I only take edits of your latest answer, so this one stays as it was. "
        "You can change any answer at the end: when I show all your answers, tap «✏️ Edit»."
    ),
}
NOTE_AT_SUMMARY = (
    "✏️ Правку я принимаю только в последнем ответе, поэтому этот остался прежним. "
    "Чтобы его изменить, нажмите «✏️ Изменить» под списком ответов и выберите поле."
)
NOTE_OUTSIDE = {
    "ru": (
        "✏️ Правки в отправленных сообщениях я не читаю, так что ничего не изменилось. "
        "Пришлите исправление новым сообщением, а сохранённое собеседование можно изменить "
        "в его карточке: «📋 Мои собеседования» → «✏️ Изменить»."
    ),
    "en": (
        "✏️ I don't read edits of earlier messages, so nothing changed. Send the correction "
        "as a new message; a saved interview is changed on its card: "
        "«📋 My interviews» → «✏️ Edit»."
    ),
}
NOTE_IN_JOURNAL = (
    "✏️ Правку я принимаю только в последнем ответе, поэтому этот остался прежним. "
    "Когда запись сохранится, её можно переписать: «📓 Дневник» в карточке собеседования "
    "→ «✏️ Изменить запись»."
)


async def person(app: BotApp, language: str) -> Person:
    return await app.person(language_code=language).onboarded()


async def begin(anna: Person, turns: Sequence[Turn], language: str) -> None:
    """/new, then the answers, in the person's language."""
    await anna.send("/new")
    await answer(anna, turns, language)


def replied_to(reply: list[str], person: Person, message_id: int) -> bool:
    """Every answer quotes the edited message."""
    chat = person.app.fake.bot_messages(person.chat_id)[-len(reply) :]
    return all(m.data.get("reply_to_message", {}).get("message_id") == message_id for m in chat)


# --- the latest answer, corrected ----------------------------------------------------------


@pytest.mark.parametrize("language", ["ru", "en"])
async def test_an_edited_company_is_taken_and_the_person_stays_at_their_question(
    app: BotApp, language: str
) -> None:
    anna = await person(app, language)
    await anna.send("/new")
    await anna.send("Яндкес")
    typo = anna.said[-1]
    question = prompt(anna)
    assert text_of(question).startswith(QUESTIONS[language]["position"])

    replies = [text_of(m) for m in await anna.edit(typo, "Яндекс")]

    assert replies == [CORRECTED_COMPANY[language]]
    assert replied_to(replies, anna, typo.message_id)
    assert prompt(anna) is question  # the position is still asked, nothing skipped
    await answer(anna, from_step(PATH_A, "position"), language)
    summary = text_of(prompt(anna)).splitlines()
    assert COMPANY_LINE[language].format(company="Яндекс") in summary
    await anna.press(LABELS[language]["save"])
    assert await stored(app) == [ROW_A]


@pytest.mark.parametrize("language", ["ru", "en"])
async def test_an_edited_answer_that_is_not_valid_is_refused_and_the_old_one_kept(
    app: BotApp, language: str
) -> None:
    anna = await person(app, language)
    await begin(anna, until(PATH_B, "all_done"), language)  # the last stage typed: 23.11
    date_answer = anna.said[-1]
    question = prompt(anna)
    assert text_of(question).startswith(QUESTIONS[language]["all_done"])

    refused = [text_of(m) for m in await anna.edit(date_answer, "32.13")]

    assert refused == [NO_SUCH_DAY[language]]
    assert prompt(anna) is question
    await answer(anna, from_step(PATH_B, "all_done"), language)
    summary = text_of(prompt(anna))
    if language == "ru":
        assert summary == SUMMARY_B  # «📅 Последний этап: 23 ноября», as first typed
    else:
        assert "📅 Last stage: November 23" in summary.splitlines()


@pytest.mark.parametrize("language", ["ru", "en"])
async def test_an_edited_company_too_long_is_refused_and_the_old_one_kept(
    app: BotApp, language: str
) -> None:
    anna = await person(app, language)
    await begin(anna, until(PATH_A, "position"), language)
    company = anna.said[-1]

    refused = [text_of(m) for m in await anna.edit(company, "Я" * 101)]

    assert refused == [TOO_LONG[language]]
    assert text_of(prompt(anna)).startswith(QUESTIONS[language]["position"])
    await answer(anna, from_step(PATH_A, "position"), language)
    assert COMPANY_LINE[language].format(company="Яндекс") in text_of(prompt(anna)).splitlines()


async def test_the_latest_answer_edited_at_the_summary_redraws_the_summary(app: BotApp) -> None:
    anna = await person(app, "ru")
    await start(anna, PATH_A)
    await anna.press(LABELS["ru"]["edit"])
    await anna.press("🏢 Компания")
    await anna.send("Яндекс Маркет")
    changed = anna.said[-1]
    summary = prompt(anna)
    assert "🏢 Компания: Яндекс Маркет" in text_of(summary).splitlines()

    replies = [text_of(m) for m in await anna.edit(changed, "Маркет")]

    assert replies == ["✏️ Исправлено: компания — «Маркет»"]
    assert prompt(anna) is summary  # the same card, redrawn
    assert text_of(summary) == SUMMARY_A.replace("Компания: Яндекс", "Компания: Маркет")
    await anna.press(LABELS["ru"]["save"])
    assert await stored(app) == [{**ROW_A, "company": "Маркет"}]


async def test_a_last_stage_edited_past_the_answer_date_asks_that_date_again(app: BotApp) -> None:
    anna = await person(app, "ru")
    await start(anna, PATH_OFFER)  # the last stage on November 24, the offer on November 25
    await anna.press(LABELS["ru"]["edit"])
    await anna.press("📅 Дата этапа")
    await anna.send("23.11")
    stage = anna.said[-1]
    summary = prompt(anna)
    assert text_of(summary).startswith(QUESTIONS["ru"]["summary"])

    replies = [text_of(m) for m in await anna.edit(stage, "26.11")]

    assert replies[0] == "✏️ Исправлено: дата последнего этапа — 26 ноября"
    assert text_of(prompt(anna)).startswith(QUESTIONS["ru"]["result_on"])  # now before it
    assert summary.buttons == []
    await anna.press(LABELS["ru"]["today"])
    await anna.press(LABELS["ru"]["save"])
    [saved] = await stored(app)
    assert (saved["last_stage_on"], saved["result_on"]) == (TODAY, TODAY)


# --- any other edit: a note, once ------------------------------------------------------------


@pytest.mark.parametrize("language", ["ru", "en"])
async def test_an_edit_of_an_older_answer_gets_the_note_once_and_changes_nothing(
    app: BotApp, language: str
) -> None:
    anna = await person(app, language)
    await begin(anna, until(PATH_A, "channel"), language)  # company, position, contact typed
    company = anna.said[-3]
    assert company.text == "Яндекс"
    question = prompt(anna)

    first = [text_of(m) for m in await anna.edit(company, "Сбер")]
    again = await anna.edit(company, "Сбербанк")

    assert first == [NOTE_IN_INTAKE[language]]
    assert replied_to(first, anna, company.message_id)
    assert again == []  # the same message is not answered twice
    assert prompt(anna) is question
    await answer(anna, from_step(PATH_A, "channel"), language)
    assert COMPANY_LINE[language].format(company="Яндекс") in text_of(prompt(anna)).splitlines()


async def test_an_answer_is_not_corrected_once_a_button_answered_the_next_question(
    app: BotApp,
) -> None:
    anna = await person(app, "ru")
    await start(anna, until(PATH_A, "last_stage"))  # … the email typed, then the date buttons
    email = anna.said[-1]
    await anna.press(LABELS["ru"]["yesterday"])

    assert [text_of(m) for m in await anna.edit(email, "hr@yandex.ru")] == [NOTE_IN_INTAKE["ru"]]
    await answer(anna, from_step(PATH_A, "all_done"))
    assert text_of(prompt(anna)) == SUMMARY_A
    await anna.press(LABELS["ru"]["edit"])
    command = next(m for m in anna.said if m.text == "/new")
    edited = await anna.edit(command, "/list")  # at the list of fields
    assert [text_of(m) for m in edited] == [NOTE_AT_SUMMARY]


@pytest.mark.parametrize("language", ["ru", "en"])
async def test_an_edit_outside_a_conversation_gets_the_note_once(
    app: BotApp, language: str
) -> None:
    anna = await person(app, language)
    await anna.send("привет")
    stray = anna.said[-1]

    first = [text_of(m) for m in await anna.edit(stray, "/list")]
    again = await anna.edit(stray, "/stats")

    assert first == [NOTE_OUTSIDE[language]]
    assert again == []


async def test_a_saved_interview_keeps_its_answers_after_an_edit(app: BotApp) -> None:
    anna = await person(app, "ru")
    await start(anna, PATH_A)
    await anna.press(LABELS["ru"]["save"])
    company = next(m for m in anna.said if m.text == "Яндекс")

    assert [text_of(m) for m in await anna.edit(company, "Сбер")] == [NOTE_OUTSIDE["ru"]]
    assert await stored(app) == [ROW_A]


async def test_an_edit_before_consent_gets_no_answer(app: BotApp) -> None:
    anna = app.person()
    await anna.send("/start")

    assert await anna.edit(anna.said[-1], "/help") == []


# --- the journal -------------------------------------------------------------------------------


async def test_an_edited_part_of_the_feedback_replaces_it(app: BotApp, clock: FakeClock) -> None:
    anna = await person(app, "ru")
    await interview(app, anna, clock, "Яндекс")
    await anna.send("/feedback")
    await anna.send("Сильная база по Pyhton.")
    first = anna.said[-1]
    await anna.send("Стоит подтянуть SQL.")
    second = anna.said[-1]

    older = [text_of(m) for m in await anna.edit(first, "Сильная база по Python.")]
    latest = [text_of(m) for m in await anna.edit(second, "Стоит подтянуть SQL и Git.")]

    assert older == [NOTE_IN_JOURNAL]
    assert latest == ["✏️ Исправлено: обратная связь — «Стоит подтянуть SQL и Git.»"]
    await anna.press("✅ Готово")
    again = [text_of(m) for m in await anna.edit(second, "Стоит подтянуть SQL, Git и Docker.")]
    assert again == ["✏️ Исправлено: обратная связь — «Стоит подтянуть SQL, Git и Docker.»"]
    await anna.press("▫️ Технические навыки")
    await anna.press("Готово →")
    await anna.press("⚖️ Смешанная")

    [entry] = await entries(app)
    assert entry.text == "Сильная база по Pyhton.\n\nСтоит подтянуть SQL, Git и Docker."
    assert [text_of(m) for m in await anna.edit(second, "…")] == [NOTE_OUTSIDE["ru"]]


async def test_an_edited_reflection_answer_replaces_it(app: BotApp, clock: FakeClock) -> None:
    anna = await person(app, "ru")
    await interview(app, anna, clock, "Яндекс")
    await anna.send("/feedback")
    await anna.press("🤐 Обратную связь не дали")
    await anna.press("🪞 Разобрать самостоятельно")
    await anna.send("Хорошо расказала про проект.")
    question = anna.last

    replies = [text_of(m) for m in await anna.edit(anna.said[-1], "Хорошо рассказала про проект.")]

    assert replies == ["✏️ Исправлено: ответ — «Хорошо рассказала про проект.»"]
    assert anna.last.text == "✏️ Исправлено: ответ — «Хорошо рассказала про проект.»"
    assert question.text == "🪞 Где было труднее всего и почему?"
    await anna.send("Алгоритмическая задача.")
    await anna.send("Буду решать задачи каждый день.")
    reflection: JournalEntry = (await entries(app))[-1]
    assert "Хорошо рассказала про проект." in (reflection.text or "")
    assert "расказала" not in (reflection.text or "")
