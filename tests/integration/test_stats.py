"""/stats through the dispatcher, in both languages, with and without the chart."""

from __future__ import annotations

import struct
from datetime import timedelta

from bot.db.repositories.interviews import InterviewRepository
from bot.db.repositories.journal import JournalRepository
from tests.clock import FakeClock
from tests.harness import BotApp, Person

NBSP = "\xa0"


async def interview(
    app: BotApp,
    person: Person,
    clock: FakeClock,
    company: str,
    outcome: str = "rejected",
    *,
    sent: bool = True,
    reply: str | None = None,
    answered_after: timedelta | None = None,
    archived: bool = False,
    feedback: tuple[tuple[str, list[str]], ...] = (),
) -> None:
    """An interview ten days ago; the request (when sent) went out then; journal entries."""
    sent_at = clock.now - timedelta(days=10)
    async with app.sessionmaker() as session, session.begin():
        saved = await InterviewRepository(session).add(
            user_id=person.user.id,
            now=sent_at,
            company=company,
            position="Python-разработчик",
            contact_name=None,
            channel="email",
            contact_address="hr@x.ru",
            last_stage_on=sent_at.date(),
            all_stages_done=True,
            next_stage_on=None,
            outcome=outcome,
            rejection_tone="polite" if outcome == "rejected" else None,
            result_on=sent_at.date(),
            last_contact_on=None,
            priorities=["tech"],
            request_sent_at=sent_at if sent else None,
            reply=reply,
            replied_at=sent_at + answered_after if answered_after else None,
            archived_at=clock.now if archived else None,
        )
        for sentiment, areas in feedback:
            await JournalRepository(session).add(
                user_id=person.user.id,
                interview_id=saved.id,
                now=clock.now,
                kind="feedback",
                text="Подтянуть SQL",
                areas=areas,
                sentiment=sentiment,
            )


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


async def test_russian_stats_with_the_chart(app: BotApp, clock: FakeClock) -> None:
    anna = await app.person().onboarded()
    await interview(
        app,
        anna,
        clock,
        "Яндекс",
        reply="feedback",
        answered_after=timedelta(days=2),
        feedback=(("constructive", ["tech", "comm"]),),
    )
    await interview(
        app,
        anna,
        clock,
        "Озон",
        reply="feedback",
        answered_after=timedelta(days=3),
        feedback=(("mixed", ["tech"]), ("positive", ["culture"])),
    )
    await interview(app, anna, clock, "Авито", "silent")
    await interview(app, anna, clock, "Т-Банк", "waiting", sent=False, archived=True)
    await interview(app, anna, clock, "Сбер", "offer", sent=False)

    text, photo = await anna.send("/stats")

    assert text.text == "\n".join(
        [
            "📊 Ваша статистика",
            "",
            "📁 5 собеседований, из них в архиве: 1",
            "❌ Отказ: 2",
            "⏳ Ожидание решения: 1",
            "🎉 Оффер: 1",
            "🤐 Молчание компании: 1",
            "",
            "📨 Отправлено 3 запроса обратной связи",
            "💬 Получено 2 ответа",
            f"📈 Доля ответов: 67{NBSP}%",
            "⏱ Обычно отвечают за 2,5 дня",
            "",
            "🎯 Чаще всего в обратной связи советуют подтянуть:",
            "• Технические навыки: упоминается в 2 собеседованиях",
            "• Навыки коммуникации: упоминается в 1 собеседовании",
            "Следующие шаги — в плане развития: /plan.",
        ]
    )
    assert "photo" in photo.data
    [chart] = app.fake.photos
    assert png_size(chart.content) == (1080, 1080)
    assert chart.chat_id == anna.chat_id


async def test_russian_stats_without_the_chart_below_three_interviews(
    app: BotApp, clock: FakeClock
) -> None:
    anna = await app.person().onboarded()
    await interview(app, anna, clock, "Яндекс", reply="declined", answered_after=timedelta(days=1))
    await interview(app, anna, clock, "Озон", "waiting", sent=False)

    [text] = await anna.send("/stats")

    assert text.text == "\n".join(
        [
            "📊 Ваша статистика",
            "",
            "📁 2 собеседования",
            "❌ Отказ: 1",
            "⏳ Ожидание решения: 1",
            "",
            "📨 Отправлен 1 запрос обратной связи",
            "💬 Получен 1 ответ",
            f"📈 Доля ответов: 100{NBSP}%",
            "⏱ Обычно отвечают за 1 день",
        ]
    )
    assert app.fake.photos == []


async def test_russian_stats_when_there_is_nothing_yet(app: BotApp) -> None:
    anna = await app.person().onboarded()
    [text] = await anna.send("/stats")
    assert text.text == (
        "📊 Ваша статистика\n\n"
        "Собеседований пока нет. Нажмите «➕ Новое собеседование» или отправьте /new."
    )
    assert app.fake.photos == []


async def test_english_stats_with_the_chart(app: BotApp, clock: FakeClock) -> None:
    john = await app.person(2002, language_code="en").onboarded()
    await interview(
        app,
        john,
        clock,
        "Acme",
        reply="feedback",
        answered_after=timedelta(days=4),
        feedback=(("constructive", ["culture"]),),
    )
    await interview(app, john, clock, "Globex", "silent")
    await interview(app, john, clock, "Initech", "silent", archived=True)

    text, _photo = await john.send("/stats")

    assert text.text == "\n".join(
        [
            "📊 Your statistics",
            "",
            "📁 3 interviews, 1 of them in the archive",
            "❌ Rejected: 1",
            "🤐 The company is silent: 2",
            "",
            "📨 3 feedback requests sent",
            "💬 1 answer received",
            "📈 Response rate: 33%",
            "⏱ They usually answer within 4 days",
            "",
            "🎯 Feedback most often says to work on:",
            "• Culture fit: mentioned in 1 interview",
            "/plan turns them into next steps.",
        ]
    )
    [chart] = app.fake.photos
    assert png_size(chart.content) == (1080, 1080)


async def test_english_stats_without_requests_or_chart(app: BotApp, clock: FakeClock) -> None:
    john = await app.person(2002, language_code="en").onboarded()
    await interview(app, john, clock, "Acme", "waiting", sent=False)

    [text] = await john.send("/stats")

    assert text.text == "\n".join(
        [
            "📊 Your statistics",
            "",
            "📁 1 interview",
            "⏳ Waiting for a decision: 1",
            "",
            "📨 No feedback requests sent yet. /draft shows the letter to send now.",
        ]
    )
    assert app.fake.photos == []


async def test_stats_count_only_the_persons_own_interviews(app: BotApp, clock: FakeClock) -> None:
    anna = await app.person().onboarded()
    john = await app.person(2002, language_code="en").onboarded()
    for company in ("Acme", "Globex", "Initech"):
        await interview(app, john, clock, company)
    await interview(app, anna, clock, "Яндекс")

    [text] = await anna.send("/stats")

    assert "📁 1 собеседование" in (text.text or "")
    assert app.fake.photos == []
