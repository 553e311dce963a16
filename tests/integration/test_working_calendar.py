"""The working calendar through the real dispatcher: the Russian New Year and May holidays
move what the bot recommends and when it reminds; a person in Berlin keeps Monday–Friday.

2025–2026 in Russia: Wed 31 Dec 2025 – Sun 11 Jan 2026 are off, Mon 12 Jan is the first
working day; Fri 1 May 2026 is off.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.db.models import Reminder, User
from tests.clock import FakeClock
from tests.fakeapi.core import SentMessage
from tests.harness import BotApp, Person

TUESDAY_30_DECEMBER_2025: datetime = datetime(2025, 12, 30, 9, 0, tzinfo=UTC)  # 12:00 MSK
JANUARY_12 = "12 января 2026\u202fг."  # Babel's long date: a narrow no-break space before «г.»
WEDNESDAY_29_APRIL_2026: datetime = datetime(2026, 4, 29, 9, 0, tzinfo=UTC)  # 12:00 MSK


async def silent_since_today(person: Person, *, english: bool = False) -> SentMessage:
    """A final stage yesterday; the company was last in touch today and is silent since."""
    labels = (
        ("Yesterday", "Yes, that was the final stage", "🤐 The company is silent", "today")
        if english
        else ("Вчера", "Да, это был финальный этап", "🤐 Молчание компании", "сегодня")
    )
    yesterday, final, silent, today = labels
    await person.send("/new")
    await person.send("Яндекс")
    await person.send("Аналитик")
    await person.press("Skip →" if english else "Пропустить →")
    await person.press("Phone" if english else "Телефон")
    await person.press(yesterday)
    await person.press(final)
    await person.press(silent)
    await person.send(today)
    await person.press("Done →" if english else "Готово →")
    await person.press("✅ Save" if english else "✅ Сохранить")
    return person.last


async def pending_due(app: BotApp) -> list[datetime]:
    async with app.sessionmaker() as session:
        reminders = await session.scalars(select(Reminder).where(Reminder.status == "pending"))
        return [reminder.due_at for reminder in reminders]


async def test_a_silent_company_after_30_december_is_asked_on_12_january(
    app: BotApp, clock: FakeClock
) -> None:
    clock.now = TUESDAY_30_DECEMBER_2025
    anna = await app.person().onboarded()  # Europe/Moscow: the Russian calendar

    saved = await silent_since_today(anna)

    text = saved.text or ""
    assert f"{JANUARY_12} в 10:00" in text  # «Напишите 12 января 2026 г. в 10:00 …»
    assert f"{JANUARY_12}, 18:00" in text  # «Желательно до 12 января 2026 г., 18:00»
    replies = await anna.press("⏰ Напомнить вовремя", saved.message_id)
    assert f"{JANUARY_12} в 10:00" in (replies[-1].text or "")
    assert await pending_due(app) == [datetime(2026, 1, 12, 7, 0, tzinfo=UTC)]  # 10:00 MSK


async def test_in_english_the_date_is_january_12(app: BotApp, clock: FakeClock) -> None:
    clock.now = TUESDAY_30_DECEMBER_2025
    john = app.person(2002, first_name="John", last_name=None, language_code="en")
    await john.onboarded()

    saved = await silent_since_today(john, english=True)

    assert "January 12, 2026 at 10:00" in (saved.text or "")


async def test_a_person_in_berlin_is_asked_on_friday_2_january(
    app: BotApp, clock: FakeClock
) -> None:
    clock.now = TUESDAY_30_DECEMBER_2025  # 10:00 in Berlin
    anna = await app.person().onboarded(timezone="Europe/Berlin")
    async with app.sessionmaker() as session:
        user = await session.get(User, anna.user.id)
        assert user is not None
        assert user.calendar == "none"

    saved = await silent_since_today(anna)

    assert "в пятницу в 12:00" in (saved.text or "")
    await anna.press("⏰ Напомнить вовремя", saved.message_id)
    assert await pending_due(app) == [datetime(2026, 1, 2, 11, 0, tzinfo=UTC)]  # 12:00 CET


async def test_a_moscow_person_who_chose_monday_to_friday_is_asked_on_2_january(
    app: BotApp, clock: FakeClock
) -> None:
    clock.now = TUESDAY_30_DECEMBER_2025
    anna = await app.person().onboarded()
    card = (await anna.send("/settings"))[0]
    await anna.press("📅 Рабочие дни", card.message_id)
    await anna.press("Пн–пт, без праздников")

    saved = await silent_since_today(anna)

    assert "в пятницу в 12:00" in (saved.text or "")


async def test_the_follow_up_after_a_request_sent_on_29_april_skips_1_may(
    app: BotApp, clock: FakeClock
) -> None:
    clock.now = WEDNESDAY_29_APRIL_2026
    ivan = await app.person(first_name="Иван", last_name="Петров").onboarded(gender="masculine")
    await ivan.send("/new")
    await ivan.send("Яндекс")
    await ivan.send("Python-разработчик")
    await ivan.send("Анна Смирнова")
    await ivan.press("Почта")
    await ivan.send("anna@yandex.ru")
    await ivan.press("Вчера")
    await ivan.press("Да, это был финальный этап")
    await ivan.press("❌ Отказ")
    await ivan.press("Вежливый")
    await ivan.press("Сегодня")
    await ivan.press("Готово →")
    await ivan.press("✅ Сохранить")
    await ivan.press("📝 Показать черновик")

    await ivan.press("✅ Отправлено")

    # Three working days: Thu 30 April, Mon 4 May, Tue 5 May (Mon–Fri would say Monday).
    note = ivan.last.text or ""
    assert "во вторник в 12:00" in note
    assert "в понедельник" not in note
    assert await pending_due(app) == [datetime(2026, 5, 5, 9, 0, tzinfo=UTC)]
