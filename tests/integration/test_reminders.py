"""Reminders through the real dispatcher: «Remind me», «Sent», the buttons on a delivered
reminder, /reminders, time-zone changes, archive and delete, blocking, forged buttons.

Today is Thursday 2026-11-26, 12:00 in Moscow (the injected clock). A recording planner
stands in for APScheduler; delivery is the real :class:`ReminderDelivery` with the fake bot.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from bot.db.models import Interview, Reminder, User
from bot.db.repositories.reminders import ReminderRepository
from bot.scheduler.delivery import ReminderDelivery
from bot.scheduler.limiter import RateLimiter
from bot.telegram.i18n import create_i18n
from bot.telegram.keyboards.callbacks import DraftCb, JournalCb, RemindCb, ReminderCb
from tests.clock import FakeClock
from tests.fakeapi.core import SentMessage
from tests.harness import BotApp, Person

FRIDAY_NOON = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)  # 12:00 in Moscow
NOT_FOUND = "Собеседование не найдено. Возможно, его удалили."
NO_REMINDER = "Этого напоминания больше нет."
EMPTY = "Напоминаний пока нет. После сохранения собеседования нажмите «⏰ Напомнить вовремя»."


# --- the planner and the app --------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    """One call of the planner, with the row as a separate connection saw it at that moment
    (``None``: not committed yet)."""

    reminder_id: int
    due: datetime
    committed: tuple[str, datetime] | None


@dataclass
class RecordingPlanner:
    """Records ``schedule`` calls and checks the reminder is already committed when called."""

    database: str
    calls: list[Planned] = field(default_factory=list)
    unscheduled: list[int] = field(default_factory=list)

    def schedule(self, reminder_id: int, due: datetime) -> None:
        with closing(sqlite3.connect(self.database)) as connection:
            row = connection.execute(
                "SELECT status, due_at FROM reminders WHERE id = ?", (reminder_id,)
            ).fetchone()
        committed = None
        if row is not None:
            committed = (str(row[0]), datetime.fromisoformat(row[1]).replace(tzinfo=UTC))
        self.calls.append(Planned(reminder_id, due, committed))

    def unschedule(self, reminder_id: int) -> None:
        self.unscheduled.append(reminder_id)


@dataclass
class Reminders:
    app: BotApp
    clock: FakeClock
    planner: RecordingPlanner

    async def deliver(self, reminder_id: int) -> SentMessage:
        """Let the reminder fall due and deliver it as the scheduler would."""
        reminder = await self.reminder(reminder_id)
        self.clock.now = max(self.clock.now, reminder.due_at)
        delivery = ReminderDelivery(
            bot=self.app.bot,
            sessionmaker=self.app.sessionmaker,
            i18n=create_i18n(),
            clock=self.clock,
            limiter=RateLimiter(sleep=no_sleep),
            sleep=no_sleep,
            planner=self.planner,
        )
        assert await delivery.deliver(reminder_id) == "sent"
        message = self.app.fake.last_message(reminder.user_id)
        assert message is not None
        assert (await self.reminder(reminder_id)).message_id == message.message_id
        return message

    async def reminder(self, reminder_id: int) -> Reminder:
        async with self.app.sessionmaker() as session:
            reminder = await session.get(Reminder, reminder_id)
        assert reminder is not None
        return reminder

    async def reminders(self, status: str | None = None) -> list[Reminder]:
        async with self.app.sessionmaker() as session:
            query = select(Reminder).order_by(Reminder.id)
            if status is not None:
                query = query.where(Reminder.status == status)
            return list(await session.scalars(query))

    async def pending(self) -> list[Reminder]:
        return await self.reminders("pending")

    async def only_pending(self) -> Reminder:
        pending = await self.pending()
        assert len(pending) == 1, pending
        return pending[0]

    async def interview(self, company: str) -> Interview:
        async with self.app.sessionmaker() as session:
            found = await session.scalar(select(Interview).where(Interview.company == company))
        assert found is not None
        return found

    async def user(self, user_id: int) -> User:
        async with self.app.sessionmaker() as session:
            found = await session.get(User, user_id)
        assert found is not None
        return found

    def planned(self, reminder: Reminder) -> Planned:
        """The planner heard of this reminder at its due time, after it was committed."""
        assert self.planner.calls, "the planner was never called"
        last = self.planner.calls[-1]
        assert last == Planned(reminder.id, reminder.due_at, ("pending", reminder.due_at))
        return last


async def no_sleep(_seconds: float) -> None:
    return None


@pytest.fixture
def reminders(app: BotApp, clock: FakeClock) -> Reminders:
    database = app.sessionmaker.kw["bind"].url.database
    assert isinstance(database, str)
    planner = RecordingPlanner(database)
    app.dp["planner"] = planner  # what create_dispatcher(planner=...) stores
    return Reminders(app, clock, planner)


# --- people and interviews ----------------------------------------------------------------


async def record(
    person: Person,
    *,
    company: str = "Яндекс",
    last_stage: str = "Вчера",
    outcome: tuple[str, ...] = ("❌ Отказ", "Вежливый", "Сегодня"),
) -> SentMessage:
    """A finished interview (final stage); returns the «Saved» message."""
    await person.send("/new")
    await person.send(company)
    await person.send("Python-разработчик")
    await person.send("Анна Смирнова")
    await person.press("Почта")
    await person.send("anna@yandex.ru")
    await person.press(last_stage)
    await person.press("Да, это был финальный этап")
    for button in outcome:
        await person.press(button)
    await person.press("▫️ Технические навыки")
    await person.press("Готово →")
    await person.press("✅ Сохранить")
    return person.last


async def waiting(person: Person, company: str = "Т-Банк") -> SentMessage:
    """Waiting for a decision after today's final stage: write tomorrow at 12:00."""
    saved = await record(
        person, company=company, last_stage="Сегодня", outcome=("⏳ Ожидание решения",)
    )
    assert "✉️ Лучше отправить завтра в 12:00" in (saved.text or "")
    assert "⏰ Напомнить вовремя" in person.buttons(saved)
    return saved


async def more_stages(person: Person, company: str = "Avito") -> SentMessage:
    """More stages ahead, the next one on Wednesday 2 December."""
    await person.send("/new")
    await person.send(company)
    await person.send("Go developer")
    await person.press("Пропустить →")
    await person.press("Телефон")
    await person.press("Вчера")
    await person.press("Нет, будут ещё этапы")
    await person.send("2.12")
    await person.press("⏳ Ожидание решения")
    await person.press("Готово →")
    await person.press("✅ Сохранить")
    return person.last


async def remind_then(person: Person, saved: SentMessage) -> list[SentMessage]:
    return await person.press("⏰ Напомнить вовремя", saved.message_id)


async def sent_request(person: Person, company: str = "Яндекс") -> None:
    """A polite rejection, the request sent today: «did they answer?» on Tuesday."""
    await record(person, company=company)
    await person.press("📝 Показать черновик")
    await person.press("✅ Отправлено")


# --- the recording planner itself ----------------------------------------------------------


async def test_the_recording_planner_tells_an_uncommitted_reminder_apart(
    app: BotApp, reminders: Reminders, clock: FakeClock
) -> None:
    """The check the tests below rely on: called inside the transaction, it sees nothing."""
    now = clock.now
    async with app.sessionmaker() as session:
        session.add(
            User(
                id=1001,
                language="ru",
                signature="Иван",
                timezone="Europe/Moscow",
                consented_at=now,
                created_at=now,
                updated_at=now,
            )
        )
        await session.flush()
        interview = Interview(
            user_id=1001,
            company="Т-Банк",
            position="Аналитик",
            channel="email",
            last_stage_on=date(2026, 11, 26),
            all_stages_done=True,
            outcome="waiting",
            created_at=now,
            updated_at=now,
        )
        session.add(interview)
        await session.flush()
        reminder = await ReminderRepository(session).add(
            user_id=1001, interview_id=interview.id, kind="send", due_at=FRIDAY_NOON, now=now
        )
        reminders.planner.schedule(reminder.id, reminder.due_at)  # too early: not committed
        await session.commit()
    reminders.planner.schedule(reminder.id, reminder.due_at)
    assert [call.committed for call in reminders.planner.calls] == [
        None,
        ("pending", FRIDAY_NOON),
    ]


# --- «Remind me then / later» -------------------------------------------------------------


async def test_remind_then_plans_the_recommended_moment_after_the_commit(
    app: BotApp, reminders: Reminders
) -> None:
    ivan = await app.person(first_name="Иван", last_name="Петров").onboarded(gender="masculine")
    saved = await waiting(ivan)
    assert reminders.planner.calls == []

    replies = await remind_then(ivan, saved)

    reminder = await reminders.only_pending()
    interview = await reminders.interview("Т-Банк")
    assert (reminder.kind, reminder.interview_id, reminder.user_id) == ("send", interview.id, 1001)
    assert reminder.due_at == FRIDAY_NOON
    assert reminder.attempts == 0
    assert [reply.text for reply in replies] == ["⏰ Напомню завтра в 12:00."]
    assert ivan.answers()[-1] == "⏰ Напомню завтра в 12:00."
    reminders.planned(reminder)
    assert len(reminders.planner.calls) == 1


async def test_remind_later_offers_options_and_tomorrow_is_ten_in_the_morning(
    app: BotApp, reminders: Reminders
) -> None:
    ivan = await app.person(first_name="Иван", last_name="Петров").onboarded(gender="masculine")
    saved = await waiting(ivan)
    await ivan.press("⏰ Напомнить позже", saved.message_id)
    options = ivan.last
    assert options.text == "⏰ Когда напомнить?"
    assert ivan.buttons() == ["⏰ Через час", "⏰ Завтра", "⏰ Через 3 дня"]
    assert await reminders.pending() == []

    await ivan.press("⏰ Завтра")

    reminder = await reminders.only_pending()
    assert reminder.kind == "send"
    assert reminder.due_at == datetime(2026, 11, 27, 7, 0, tzinfo=UTC)  # Friday 10:00 in Moscow
    assert options.text == "⏰ Напомню завтра в 10:00."  # the options message, edited
    assert options.buttons == []
    reminders.planned(reminder)


async def test_remind_later_in_an_hour_or_in_three_days_replaces_the_pending_one(
    app: BotApp, reminders: Reminders
) -> None:
    ivan = await app.person(first_name="Иван", last_name="Петров").onboarded(gender="masculine")
    saved = await waiting(ivan)
    await remind_then(ivan, saved)
    previous = await reminders.only_pending()
    for button, due, said in (
        ("⏰ Через час", datetime(2026, 11, 26, 10, 0, tzinfo=UTC), "сегодня в 13:00"),
        ("⏰ Через 3 дня", datetime(2026, 11, 29, 9, 0, tzinfo=UTC), "в воскресенье в 12:00"),
    ):
        await ivan.press("⏰ Напомнить позже", saved.message_id)
        await ivan.press(button)

        reminder = await reminders.only_pending()
        assert reminder.due_at == due
        assert ivan.last.text == f"⏰ Напомню {said}."
        reminders.planned(reminder)
        assert (await reminders.reminder(previous.id)).status == "cancelled"  # one per interview
        previous = reminder


async def test_a_reminder_in_quiet_hours_waits_until_they_end(
    app: BotApp, reminders: Reminders
) -> None:
    ivan = await app.person(first_name="Иван", last_name="Петров").onboarded(gender="masculine")
    await ivan.send("/settings")
    await ivan.press("🌙 Тихие часы")
    await ivan.press("✏️ Другие часы")
    await ivan.send("11-13")
    assert (await reminders.user(1001)).quiet_start == time(11, 0)
    saved = await waiting(ivan)

    replies = await remind_then(ivan, saved)  # 12:00 is quiet now

    reminder = await reminders.only_pending()
    assert reminder.due_at == FRIDAY_NOON + timedelta(hours=1)  # 13:00 in Moscow
    assert [reply.text for reply in replies] == ["⏰ Напомню завтра в 13:00."]
    reminders.planned(reminder)


async def test_remind_later_late_in_the_evening_waits_for_the_morning(
    app: BotApp, reminders: Reminders, clock: FakeClock
) -> None:
    ivan = await app.person(first_name="Иван", last_name="Петров").onboarded(gender="masculine")
    saved = await waiting(ivan)
    clock.now = datetime(2026, 11, 26, 18, 30, tzinfo=UTC)  # 21:30 in Moscow
    await ivan.press("⏰ Напомнить позже", saved.message_id)
    await ivan.press("⏰ Через час")  # 22:30: inside the default 22:00–09:00
    reminder = await reminders.only_pending()
    assert reminder.due_at == datetime(2026, 11, 27, 6, 0, tzinfo=UTC)  # Friday 09:00
    assert ivan.last.text == "⏰ Напомню завтра в 09:00."


# --- «✅ Sent» ------------------------------------------------------------------------------


async def test_sent_plans_the_did_they_answer_reminder_three_working_days_later(
    app: BotApp, reminders: Reminders
) -> None:
    ivan = await app.person(first_name="Иван", last_name="Петров").onboarded(gender="masculine")
    await record(ivan)
    await ivan.press("📝 Показать черновик")
    replies = await ivan.press("✅ Отправлено")

    reminder = await reminders.only_pending()
    assert reminder.kind == "follow_up"
    # Thursday + 3 working days = Tuesday 1 December, 12:00 in Moscow
    assert reminder.due_at == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert len(replies) == 1
    assert "⏰ Спрошу во вторник в 12:00, ответили ли вам." in (replies[0].text or "")
    reminders.planned(reminder)

    await ivan.press("✅ Отправлено")  # again: already noted, nothing new is planned
    assert [n.id for n in await reminders.pending()] == [reminder.id]
    assert len(reminders.planner.calls) == 1


# --- buttons on a delivered reminder -------------------------------------------------------


async def delivered_send(ivan: Person, reminders: Reminders) -> tuple[SentMessage, Reminder]:
    """Т-Банк's «time to write» reminder, delivered on Friday at 12:00."""
    await remind_then(ivan, await waiting(ivan))
    tbank = await reminders.interview("Т-Банк")
    reminder = next(n for n in await reminders.pending() if n.interview_id == tbank.id)
    message = await reminders.deliver(reminder.id)
    assert message.text == (
        "⏰ Пора написать: Т-Банк — Python-разработчик. Черновик готов — это займёт минуту."
    )
    assert ivan.buttons(message) == [
        "📝 Показать черновик",
        "⏰ Через час",
        "⏰ Завтра",
        "⏰ Через 3 дня",
        "✅ Готово",
        "🔕 Не напоминать",
    ]
    assert (await reminders.reminder(reminder.id)).status == "sent"
    return message, reminder


async def test_snoozing_a_delivered_reminder(app: BotApp, reminders: Reminders) -> None:
    ivan = await app.person(first_name="Иван", last_name="Петров").onboarded(gender="masculine")
    message, reminder = await delivered_send(ivan, reminders)  # Friday 12:00
    for button, due, said in (
        ("⏰ Через час", datetime(2026, 11, 27, 10, 0, tzinfo=UTC), "сегодня в 13:00"),
        ("⏰ Завтра", datetime(2026, 11, 28, 7, 0, tzinfo=UTC), "завтра в 10:00"),
        ("⏰ Через 3 дня", datetime(2026, 12, 1, 7, 0, tzinfo=UTC), "во вторник в 10:00"),
    ):
        count = len(app.fake.bot_messages(ivan.chat_id))

        await ivan.press(button, message.message_id)

        assert (await reminders.reminder(reminder.id)).status == "done"
        again = await reminders.only_pending()
        assert (again.kind, again.interview_id, again.due_at) == (
            "send",
            reminder.interview_id,
            due,
        )
        reminders.planned(again)
        assert message.html == f"<b>Т-Банк</b> — Python-разработчик\n\n⏰ Напомню {said}."
        assert message.buttons == []
        assert len(app.fake.bot_messages(ivan.chat_id)) == count  # edited in place
        # the snoozed reminder comes again, with the same buttons
        message, reminder = await reminders.deliver(again.id), again
        assert "⏰ Через 3 дня" in ivan.buttons(message)


async def test_show_draft_then_done_on_a_delivered_reminder(
    app: BotApp, reminders: Reminders
) -> None:
    ivan = await app.person(first_name="Иван", last_name="Петров").onboarded(gender="masculine")
    message, reminder = await delivered_send(ivan, reminders)
    calls = len(reminders.planner.calls)

    replies = await ivan.press("📝 Показать черновик", message.message_id)

    assert len(replies) == 1
    # The interview waits for a decision: the letter asks about the status first.
    assert (replies[0].html or "").startswith("📝 <b>Уточнение статуса</b> · Т-Банк")
    assert replies[0].entity_texts("pre")[0].startswith("Добрый день, Анна!")
    assert ivan.buttons(message)[0] == "📝 Показать черновик"  # the reminder stays as it was

    await ivan.press("✅ Готово", message.message_id)

    assert (await reminders.reminder(reminder.id)).status == "done"
    assert await reminders.pending() == []
    assert message.text == "Т-Банк — Python-разработчик\n\n✅ Готово."
    assert message.buttons == []
    assert len(reminders.planner.calls) == calls


async def test_stop_cancels_every_pending_reminder_of_that_interview(
    app: BotApp, reminders: Reminders
) -> None:
    ivan = await app.person(first_name="Иван", last_name="Петров").onboarded(gender="masculine")
    await remind_then(ivan, await waiting(ivan, company="Озон"))
    ozon = await reminders.only_pending()
    message, reminder = await delivered_send(ivan, reminders)
    saved = next(
        m
        for m in app.fake.bot_messages(ivan.chat_id)
        if (m.text or "").startswith("✅ Сохранено: Т-Банк")
    )
    await ivan.press("⏰ Напомнить позже", saved.message_id)
    await ivan.press("⏰ Через 3 дня")
    later = next(n for n in await reminders.pending() if n.interview_id == reminder.interview_id)

    await ivan.press("🔕 Не напоминать", message.message_id)

    assert (await reminders.reminder(reminder.id)).status == "done"
    assert (await reminders.reminder(later.id)).status == "cancelled"
    assert [n.id for n in await reminders.pending()] == [ozon.id]  # another interview's stays
    assert message.text == (
        "Т-Банк — Python-разработчик\n\n🔕 Напоминаний об этом собеседовании больше не будет."
    )
    assert message.buttons == []


# --- «Did they answer?» ---------------------------------------------------------------------


async def delivered_follow_up(ivan: Person, reminders: Reminders) -> tuple[SentMessage, Reminder]:
    await sent_request(ivan)
    reminder = await reminders.only_pending()
    message = await reminders.deliver(reminder.id)  # Tuesday, 12:00
    assert message.text == "📨 Яндекс — Python-разработчик: ответили на ваш запрос обратной связи?"
    assert ivan.buttons(message)[:3] == [
        "✅ Да, обратная связь пришла",
        "🤐 Нет ответа",
        "🚫 Отказались",
    ]
    return message, reminder


async def test_yes_they_answered_opens_the_journal_then_offers_the_thank_you(
    app: BotApp, reminders: Reminders, clock: FakeClock
) -> None:
    ivan = await app.person(first_name="Иван", last_name="Петров").onboarded(gender="masculine")
    message, reminder = await delivered_follow_up(ivan, reminders)
    interview_id = (await reminders.interview("Яндекс")).id

    replies = await ivan.press("✅ Да, обратная связь пришла", message.message_id)

    assert (await reminders.reminder(reminder.id)).status == "done"
    assert message.text == "Яндекс — Python-разработчик\n\n✅ Записано: вам ответили."
    assert message.buttons == []
    # the journal exists: «yes» opens its entry, and saving the entry records the answer
    assert len(replies) == 1
    assert "Яндекс" in (replies[0].text or "")
    await ivan.send("Сильный алгоритмический раздел, но мало вопросов к команде.")
    await ivan.press_data(ivan.last.message_id, JournalCb(action="done").pack())
    await ivan.press_data(ivan.last.message_id, JournalCb(action="area", value="comm").pack())
    await ivan.press_data(ivan.last.message_id, JournalCb(action="areas_done").pack())
    mood = JournalCb(action="mood", value="constructive").pack()
    saved = await ivan.press_data(ivan.last.message_id, mood)

    interview = await reminders.interview("Яндекс")
    assert (interview.reply, interview.replied_at) == ("feedback", clock.now)
    assert await reminders.pending() == []
    thanks = DraftCb(action="show", id=interview_id).pack()
    replies = await ivan.press_data(saved[-1].message_id, thanks)
    assert len(replies) == 1
    assert (replies[0].html or "").startswith("📝 <b>Благодарность за обратную связь</b>")
    assert replies[0].entity_texts("pre")


async def test_no_answer_offers_the_short_reminder_draft(app: BotApp, reminders: Reminders) -> None:
    ivan = await app.person(first_name="Иван", last_name="Петров").onboarded(gender="masculine")
    message, reminder = await delivered_follow_up(ivan, reminders)
    replies = await ivan.press("🤐 Нет ответа", message.message_id)

    interview = await reminders.interview("Яндекс")
    assert interview.reply is None
    assert (await reminders.reminder(reminder.id)).status == "done"
    assert message.text == "Яндекс — Python-разработчик\n\n🤐 Пока без ответа."
    assert len(replies) == 1
    assert (replies[0].html or "").startswith("📝 <b>Короткое повторное письмо</b>")
    assert replies[0].entity_texts("pre")


async def test_they_declined_records_it_and_advises_not_to_insist(
    app: BotApp, reminders: Reminders
) -> None:
    ivan = await app.person(first_name="Иван", last_name="Петров").onboarded(gender="masculine")
    message, _reminder = await delivered_follow_up(ivan, reminders)
    replies = await ivan.press("🚫 Отказались", message.message_id)

    assert (await reminders.interview("Яндекс")).reply == "declined"
    assert message.text == "Яндекс — Python-разработчик\n\n🚫 Записано."
    assert len(replies) == 1
    text = replies[0].text or ""
    assert "🚫 Обратную связь дать отказались." in text
    assert "Не настаивайте" in text
    assert not replies[0].entity_texts("pre")  # no draft to send
    assert await reminders.pending() == []


# --- «How did the next stage go?» --------------------------------------------------------


async def test_record_the_outcome_opens_the_outcome_step(app: BotApp, reminders: Reminders) -> None:
    ivan = await app.person(first_name="Иван", last_name="Петров").onboarded(gender="masculine")
    saved = await more_stages(ivan)
    assert "🔁 Впереди ещё этапы" in (saved.text or "")
    # a dated next stage plans «How did it go?» by itself: the day after, 10:00 in Moscow
    assert (saved.text or "").endswith("\n⏰ Спрошу, как прошёл следующий этап, 3 декабря в 10:00.")
    reminder = await reminders.only_pending()
    assert reminder.kind == "stage"
    assert reminder.due_at == datetime(2026, 12, 3, 7, 0, tzinfo=UTC)
    reminders.planned(reminder)
    message = await reminders.deliver(reminder.id)
    assert message.text == "🔁 Как прошёл следующий этап? Avito — Go developer"
    assert ivan.buttons(message)[0] == "📌 Записать итог"

    replies = await ivan.press("📌 Записать итог", message.message_id)

    assert (await reminders.reminder(reminder.id)).status == "done"
    assert message.text == "Avito — Go developer\n\n📌 Давайте запишем итог."
    assert "📌 Чем всё закончилось на сегодня?" in (replies[-1].text or "")
    assert "❌ Отказ" in ivan.buttons(replies[-1])
    # the answer goes into the interview like any edit
    for button in ("❌ Отказ", "Вежливый", "Сегодня", "✅ Сохранить"):
        await ivan.press(button)
    assert (ivan.last.text or "").startswith("✅ Изменения сохранены.")
    interview = await reminders.interview("Avito")
    assert (interview.outcome, interview.rejection_tone) == ("rejected", "polite")
    assert await reminders.pending() == []


async def stage_reminder_answered(ivan: Person, reminders: Reminders) -> None:
    await more_stages(ivan)
    message = await reminders.deliver((await reminders.only_pending()).id)  # 3 December
    await ivan.press("📌 Записать итог", message.message_id)


async def test_still_waiting_after_the_stage_reminder_is_not_asked_again_at_once(
    app: BotApp, reminders: Reminders, clock: FakeClock
) -> None:
    ivan = await app.person(first_name="Иван", last_name="Петров").onboarded(gender="masculine")
    await stage_reminder_answered(ivan, reminders)
    await ivan.press("⏳ Ожидание решения")
    await ivan.press("✅ Сохранить")
    assert (ivan.last.text or "").startswith("✅ Изменения сохранены.")
    assert "сейчас" not in (ivan.last.text or "")
    assert all(reminder.due_at > clock.now for reminder in await reminders.pending())


# --- /reminders ----------------------------------------------------------------------------


async def test_reminders_lists_moves_and_cancels(app: BotApp, reminders: Reminders) -> None:
    ivan = await app.person(first_name="Иван", last_name="Петров").onboarded(gender="masculine")
    assert [reply.text for reply in await ivan.send("/reminders")] == [EMPTY]
    await remind_then(ivan, await waiting(ivan))
    await sent_request(ivan, company="Озон")
    tbank, ozon = await reminders.pending()

    replies = await ivan.send("/reminders")

    assert len(replies) == 1
    listing = replies[0]
    assert listing.text == (
        "⏰ Запланированные напоминания\n\n"
        "• Т-Банк — Python-разработчик: завтра в 12:00\n"
        "• Озон — Python-разработчик: во вторник в 12:00"
    )
    assert ivan.buttons(listing) == [
        "⏰ Перенести: Т-Банк",
        "✖ Отменить: Т-Банк",
        "⏰ Перенести: Озон",
        "✖ Отменить: Озон",
    ]

    # «Move»: the same reminder, to tomorrow 10:00
    await ivan.press("⏰ Перенести: Озон", listing.message_id)
    assert listing.text == "Озон — Python-разработчик\n\n⏰ Перенести напоминание:"
    assert ivan.buttons(listing) == ["⏰ Через час", "⏰ Завтра", "⏰ Через 3 дня", "← К списку"]
    await ivan.press("← К списку", listing.message_id)  # changed my mind: the list again
    assert (listing.text or "").startswith("⏰ Запланированные напоминания\n\n• Т-Банк")
    await ivan.press("⏰ Перенести: Озон", listing.message_id)
    await ivan.press("⏰ Завтра", listing.message_id)
    moved = await reminders.reminder(ozon.id)
    assert (moved.status, moved.kind) == ("pending", "follow_up")
    assert moved.due_at == datetime(2026, 11, 27, 7, 0, tzinfo=UTC)
    reminders.planned(moved)
    assert listing.text == "Озон — Python-разработчик\n\n⏰ Напомню завтра в 10:00."
    assert listing.buttons == []
    listing = (await ivan.send("/reminders"))[0]
    assert listing.text == (
        "⏰ Запланированные напоминания\n\n"
        "• Озон — Python-разработчик: завтра в 10:00\n"
        "• Т-Банк — Python-разработчик: завтра в 12:00"
    )

    # «Cancel»: the list stays, without it
    await ivan.press("✖ Отменить: Т-Банк", listing.message_id)
    assert (await reminders.reminder(tbank.id)).status == "cancelled"
    assert [n.id for n in await reminders.pending()] == [ozon.id]
    assert listing.text == (
        "✖ Напоминание отменено.\n\n"
        "⏰ Запланированные напоминания\n\n"
        "• Озон — Python-разработчик: завтра в 10:00"
    )
    await ivan.press("✖ Отменить: Озон", listing.message_id)
    assert await reminders.pending() == []
    assert listing.text == f"✖ Напоминание отменено.\n\n{EMPTY}"
    assert listing.buttons == []
    assert (await ivan.send("/reminders"))[0].text == EMPTY


# --- time zone, archive, delete ------------------------------------------------------------


async def test_a_time_zone_change_keeps_the_local_time_of_pending_reminders(
    app: BotApp, reminders: Reminders
) -> None:
    ivan = await app.person(first_name="Иван", last_name="Петров").onboarded(gender="masculine")
    await remind_then(ivan, await waiting(ivan))  # Friday 12:00 in Moscow
    await sent_request(ivan, company="Озон")  # Tuesday 12:00 in Moscow
    before = len(reminders.planner.calls)

    await ivan.send("/settings")
    await ivan.press("🕒 Часовой пояс")
    await ivan.press("UTC+5 Екатеринбург")

    assert (await reminders.user(1001)).timezone == "Asia/Yekaterinburg"
    tbank, ozon = await reminders.pending()
    assert tbank.due_at == datetime(2026, 11, 27, 7, 0, tzinfo=UTC)  # 12:00 in Yekaterinburg
    assert ozon.due_at == datetime(2026, 12, 1, 7, 0, tzinfo=UTC)
    moved = reminders.planner.calls[before:]
    assert moved == [
        Planned(tbank.id, tbank.due_at, ("pending", tbank.due_at)),
        Planned(ozon.id, ozon.due_at, ("pending", ozon.due_at)),
    ]
    replies = await ivan.send("/reminders")
    assert "• Т-Банк — Python-разработчик: завтра в 12:00" in (replies[0].text or "")


async def test_archiving_cancels_and_deleting_removes_the_interviews_reminders(
    app: BotApp, reminders: Reminders
) -> None:
    ivan = await app.person(first_name="Иван", last_name="Петров").onboarded(gender="masculine")
    tbank_saved = await waiting(ivan)
    await remind_then(ivan, tbank_saved)
    ozon_saved = await waiting(ivan, company="Озон")
    await remind_then(ivan, ozon_saved)
    tbank, ozon = await reminders.pending()

    await ivan.press("📄 Открыть", tbank_saved.message_id)  # the card replaces the message
    await ivan.press("🗄 В архив", tbank_saved.message_id)

    assert (await reminders.interview("Т-Банк")).archived_at is not None
    assert (await reminders.reminder(tbank.id)).status == "cancelled"
    assert [n.id for n in await reminders.pending()] == [ozon.id]  # another interview's stays

    await ivan.press("📄 Открыть", ozon_saved.message_id)
    await ivan.press("🗑 Удалить", ozon_saved.message_id)
    await ivan.press("🗑 Да, удалить", ozon_saved.message_id)

    assert [n.id for n in await reminders.reminders()] == [tbank.id]  # Озон's row is gone
    assert await reminders.pending() == []


async def test_deleting_an_interview_also_drops_its_jobs(app: BotApp, reminders: Reminders) -> None:
    ivan = await app.person(first_name="Иван", last_name="Петров").onboarded(gender="masculine")
    saved = await waiting(ivan)
    await remind_then(ivan, saved)
    reminder = await reminders.only_pending()
    await ivan.press("📄 Открыть", saved.message_id)
    await ivan.press("🗑 Удалить", saved.message_id)
    await ivan.press("🗑 Да, удалить", saved.message_id)
    assert await reminders.reminders() == []
    assert reminders.planner.unscheduled == [reminder.id]


# --- blocking -------------------------------------------------------------------------------


async def test_blocking_the_bot_deactivates_and_cancels_unblocking_reactivates(
    app: BotApp, reminders: Reminders
) -> None:
    ivan = await app.person(first_name="Иван", last_name="Петров").onboarded(gender="masculine")
    await sent_request(ivan)
    anna = await app.person(2002, first_name="Иван", last_name="Петров").onboarded(
        gender="masculine"
    )
    await remind_then(anna, await waiting(anna, company="Сбер"))
    annas = (await reminders.pending())[-1]

    await app.feed(app.fake.block(ivan.user), ivan.chat_id)

    assert (await reminders.user(1001)).is_active is False
    assert [n.id for n in await reminders.pending()] == [annas.id]  # only Ivan's cancelled
    assert (await reminders.user(2002)).is_active is True

    await app.feed(app.fake.unblock(ivan.user), ivan.chat_id)

    assert (await reminders.user(1001)).is_active is True
    replies = await ivan.send("/reminders")
    assert (replies[0].text or "").startswith("Напоминаний пока нет.")


# --- somebody else's buttons -----------------------------------------------------------------


async def test_forged_reminder_buttons_change_nothing(app: BotApp, reminders: Reminders) -> None:
    ivan = await app.person(first_name="Иван", last_name="Петров").onboarded(gender="masculine")
    await sent_request(ivan)
    reminder = await reminders.only_pending()
    message = await reminders.deliver(reminder.id)
    interview = await reminders.interview("Яндекс")
    saved_calls = len(reminders.planner.calls)
    before = [(n.id, n.status, n.due_at) for n in await reminders.reminders()]

    mallory = await app.person(666, first_name="Иван", last_name="Петров").onboarded(
        gender="masculine"
    )
    await mallory.send("/help")
    own = mallory.last.message_id
    for action, value in (
        ("snooze", "1h"),
        ("snooze", "tomorrow"),
        ("done", ""),
        ("stop", ""),
        ("yes", ""),
        ("no", ""),
        ("declined", ""),
        ("outcome", ""),
        ("move", ""),
        ("cancel", ""),
    ):
        data = ReminderCb(action=action, id=reminder.id, value=value).pack()
        replies = await mallory.press_data(own, data, forge=True)
        assert mallory.answers()[-1] == NO_REMINDER, action
        assert replies == []
    for action, value in (("then", ""), ("later", ""), ("at", "tomorrow"), ("at", "1h")):
        data = RemindCb(action=action, id=interview.id, value=value).pack()
        replies = await mallory.press_data(own, data, forge=True)
        assert mallory.answers()[-1] == NOT_FOUND, action
        assert replies == []

    assert [(n.id, n.status, n.due_at) for n in await reminders.reminders()] == before
    stored = await reminders.interview("Яндекс")
    assert (stored.reply, stored.archived_at) == (None, None)
    assert len(reminders.planner.calls) == saved_calls
    assert ivan.buttons(message)[0] == "✅ Да, обратная связь пришла"  # untouched
    assert not message.edited
