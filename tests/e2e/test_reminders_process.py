"""End to end: reminders through the real ``python -m bot`` process and the fake Bot API.

One story, because every start of the process costs seconds of imports:

1. A reminder planned while the scheduler is running, three seconds ahead, arrives on time,
   sent by its own date job.
2. Two reminders get date jobs in the persistent job store, and the bot is killed (``kill -9``)
   before they are due; three more, already due and without any job, are written into the
   database while it is down.
3. After the restart each arrives exactly once: the misfired jobs and the start-up
   reconciliation race for them, and the conditional claim lets one win.

No path through the interface plans a reminder only seconds ahead (snoozes are an hour or
more; «Remind me then» is the recommended moment: a work-window time, or «now» when it is
late). So the reminders are written into the database, and their date jobs are planned by a
real handler that re-plans a person's pending reminders: a change of time zone to one with
the same offset (Europe/Moscow ↔ UTC+3), which keeps every reminder's time and calls the
planner after its commit, in the running process.

Everything runs on the wall clock; the only plain wait is for the persisted jobs to fall due
while the bot is down (about two seconds).

A second story kills the bot in the middle of sending thirty due reminders, after Telegram
took every message but answered only some (:class:`AnswersHeld`): the others were delivered
but never marked sent. Their claims are aged past the 10-minute reset while the bot is down
(no test waits ten minutes), and the next process sends them again. It reports how many
reminders were lost (none may be) and how many came twice; every second copy says it may
repeat the first, and no first copy does.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from bot.db.migrate import upgrade
from bot.db.models import Reminder
from bot.db.repositories.interviews import InterviewRepository
from bot.db.repositories.reminders import ReminderRepository
from bot.db.repositories.users import UserRepository
from bot.domain.reminders import ReminderKind, ReminderStatus
from bot.scheduler.delivery import STUCK_AFTER
from tests.e2e.backends import BackendE2E, planned_jobs, rows, sessions
from tests.e2e.process import E2E, BotProcess, Person, text_of
from tests.e2e.test_process import DONE, GENDER_QUESTION, TIMEZONE_QUESTION, consent
from tests.fakeapi import CallRecord, FakeTelegram, SentMessage
from tests.fakeapi.core import Files

pytestmark = pytest.mark.e2e

REMINDER = "⏰ Пора написать: "
KEEP_SIGNATURE = "Оставить «Анна Иванова»"
SKIP = "Пропустить →"
KEEP_ZONE = "Оставить Europe/Moscow"
QUIET_HOURS = "🌙 Тихие часы"
NO_QUIET_HOURS = "🔔 Без тихих часов"
TIME_ZONE = "🕒 Часовой пояс"
ZONE_SAVED = "✓ Часовой пояс сохранён."
SAME_OFFSET_AS_MOSCOW = "UTC+3"
JOB_DONE = re.compile(r'Job "deliver_reminder \(trigger: date\[.*" executed successfully')
RECONCILED = re.compile(r'Job "reconcile \(trigger: interval.*\)" executed successfully')


# --- the person, through the bot --------------------------------------------------------------


async def handled(e2e: E2E, update_id: int) -> None:
    assert await e2e.wait_handled(update_id) == "ok", e2e.report()


async def onboarded_without_quiet_hours(e2e: E2E, person: Person) -> None:
    """Onboarding with every default kept, then quiet hours switched off in /settings: the
    test runs at any hour of the wall clock, and a reminder must not wait for the morning."""
    await consent(person)
    person.press(KEEP_SIGNATURE)
    await person.expect(GENDER_QUESTION)
    person.press(SKIP)
    await person.expect(TIMEZONE_QUESTION)
    person.press(KEEP_ZONE)
    await person.expect(DONE)
    person.send("/settings")
    card = await person.expect(QUIET_HOURS)
    await handled(e2e, person.press(QUIET_HOURS, card.message_id))
    await handled(e2e, person.press(NO_QUIET_HOURS, card.message_id))


async def replan_through_a_zone_change(e2e: E2E, person: Person, zone: str) -> None:
    """/settings → time zone → a zone with Moscow's offset: pending reminders keep their
    time and are planned again by the running process (after the commit, before the
    update's log line)."""
    person.send("/settings")
    card = await person.expect(TIME_ZONE)
    await handled(e2e, person.press(TIME_ZONE, card.message_id))
    update_id = person.send(zone)
    await person.expect(ZONE_SAVED)
    await handled(e2e, update_id)


def reminders(e2e: E2E, person: Person) -> list[SentMessage]:
    return [m for m in e2e.fake.bot_messages(person.chat_id) if text_of(m).startswith(REMINDER)]


def reminder_calls(e2e: E2E) -> list[CallRecord]:
    return [c for c in e2e.fake.calls_to("sendMessage") if REMINDER in str(c.params["text"])]


def reminded_companies(e2e: E2E, person: Person) -> list[str]:
    return sorted(text_of(m).removeprefix(REMINDER).split(" — ")[0] for m in reminders(e2e, person))


# --- the database, directly -------------------------------------------------------------------


async def write_reminders(
    database_url: str, user_id: int, companies: Sequence[str], due: datetime
) -> dict[str, int]:
    """One interview per company, each with a pending «time to write» reminder at ``due``."""
    now = datetime.now(UTC)
    ids: dict[str, int] = {}
    async with sessions(database_url) as sessionmaker, sessionmaker() as session:
        for company in companies:
            interview = await InterviewRepository(session).add(
                user_id=user_id,
                now=now,
                company=company,
                position="Backend",
                contact_name=None,
                channel="email",
                contact_address="hr@example.com",
                last_stage_on=now.date() - timedelta(days=2),
                all_stages_done=True,
                next_stage_on=None,
                outcome="waiting",
                priorities=[],
            )
            reminder = await ReminderRepository(session).add(
                user_id=user_id,
                interview_id=interview.id,
                kind=ReminderKind.SEND,
                due_at=due,
                now=now,
            )
            ids[company] = reminder.id
        await session.commit()
    return ids


async def stored_reminders(database_url: str, ids: Sequence[int]) -> dict[int, tuple[str, int]]:
    """Status and attempts of each reminder."""
    found: dict[int, tuple[str, int]] = {}
    async with sessions(database_url) as sessionmaker, sessionmaker() as session:
        repo = ReminderRepository(session)
        for reminder_id in ids:
            reminder = await repo.get(reminder_id)
            assert reminder is not None
            found[reminder_id] = (reminder.status, reminder.attempts)
    return found


def count(pattern: re.Pattern[str], bot: BotProcess) -> int:
    return sum(1 for line in bot.stderr_lines if pattern.search(line))


# --- the story --------------------------------------------------------------------------------


async def test_reminders_arrive_on_time_and_once_across_kill_9(e2e: BackendE2E) -> None:
    """One process start serves both checks: each start costs seconds of imports."""
    anna = e2e.person()
    first = await e2e.start()
    await onboarded_without_quiet_hours(e2e, anna)

    # 1. Planned while the scheduler runs, three seconds ahead: it arrives on time, by its
    #    own date job (the reconciler runs at start-up and then only every minute).
    due = datetime.now(UTC) + timedelta(seconds=3)
    [soon] = (await write_reminders(e2e.database_url, anna.chat_id, ["Soon"], due)).values()
    await replan_through_a_zone_change(e2e, anna, SAME_OFFSET_AS_MOSCOW)
    assert datetime.now(UTC) < due, "too slow: the reminder fell due before it was planned"
    assert f"reminder:{soon}" in await planned_jobs(e2e.database_url)
    assert reminders(e2e, anna) == []

    await e2e.wait_for(lambda: len(reminders(e2e, anna)) == 1, "the reminder", timeout=10)
    [call] = reminder_calls(e2e)
    assert due <= call.at < due + timedelta(seconds=2), (due, call.at)
    assert reminded_companies(e2e, anna) == ["Soon"]
    await e2e.wait_for(lambda: count(JOB_DONE, first) == 1, "its date job to finish")
    assert f"reminder={soon} sent" in first.stderr
    assert f"reminder={soon} reconciled" not in first.stderr
    assert await stored_reminders(e2e.database_url, [soon]) == {soon: ("sent", 1)}

    # 2. Two more get date jobs in the persistent store; the bot is killed before they are
    #    due, and three already due ones without any job are written while it is down.
    due = datetime.now(UTC) + timedelta(seconds=3)
    with_jobs = await write_reminders(e2e.database_url, anna.chat_id, ["Job-1", "Job-2"], due)
    await replan_through_a_zone_change(e2e, anna, "Europe/Moscow")
    assert {f"reminder:{i}" for i in with_jobs.values()} <= await planned_jobs(e2e.database_url)
    assert await first.kill() == -9
    assert datetime.now(UTC) < due, "too slow: the jobs fell due before kill -9"
    past = datetime.now(UTC) - timedelta(minutes=1)
    without_jobs = await write_reminders(
        e2e.database_url, anna.chat_id, ["Db-1", "Db-2", "Db-3"], past
    )
    await asyncio.sleep(max(0.0, (due - datetime.now(UTC)).total_seconds()) + 0.1)

    # 3. After the restart each arrives exactly once: the misfired jobs and the start-up
    #    reconciliation race for them, the conditional claim lets one win.
    second = await e2e.start()
    companies = sorted(["Soon", *with_jobs, *without_jobs])
    await e2e.wait_for(
        lambda: len(reminders(e2e, anna)) >= len(companies), "all reminders after the restart"
    )
    await e2e.wait_for(
        lambda: count(JOB_DONE, second) == len(with_jobs) and count(RECONCILED, second) >= 1,
        "the misfired jobs and the start-up reconciliation to finish",
    )
    await e2e.wait_idle()

    assert reminded_companies(e2e, anna) == companies
    assert len(reminder_calls(e2e)) == len(companies)
    assert "Traceback" not in second.stderr
    assert "was missed by" not in second.stderr
    ids = [*with_jobs.values(), *without_jobs.values()]
    assert await stored_reminders(e2e.database_url, ids) == dict.fromkeys(ids, ("sent", 1))
    jobs = await planned_jobs(e2e.database_url)
    assert not any(f"reminder:{i}" in jobs for i in [soon, *ids]), jobs


# --- kill -9 in the middle of sending -----------------------------------------------------------

PEOPLE = 10
PER_PERSON = 3
ANSWERED = 12
"""Of the thirty sendMessage calls, Telegram answers this many before the kill."""
TIME_TO_WRITE = {"ru": "⏰ Пора написать: ", "en": "⏰ Time to write: "}
REPEAT = {
    "ru": "Если это напоминание уже приходило — извините за повтор: бот перезапускался.",
    "en": "If you already got this reminder, sorry for the repeat: the bot was restarted.",
}
SENT_LINE = re.compile(r"reminder=\d+ sent$")


class AnswersHeld:
    """Telegram takes every sendMessage (the message is in the chat at once) and answers the
    first ``answered``; the answers to the others wait until :meth:`open`. A bot killed
    meanwhile has delivered those reminders without ever hearing so."""

    def __init__(self, fake: FakeTelegram, answered: int) -> None:
        self.fake = fake
        self.answered = answered
        self.held = 0
        self.opened = asyncio.Event()
        self._call = fake.call_async

    def install(self, monkeypatch: pytest.MonkeyPatch) -> AnswersHeld:
        monkeypatch.setattr(self.fake, "call_async", self.call_async)
        return self

    async def call_async(
        self, token: str, method: str, params: dict[str, Any], files: Files | None = None
    ) -> tuple[int, Any]:
        status, body = await self._call(token, method, params, files)
        if method == "sendMessage" and status == 200 and not self.opened.is_set():
            if self.answered:
                self.answered -= 1
            else:
                self.held += 1
                self.fake.notify()
                await self.opened.wait()
        return status, body

    def open(self) -> None:
        self.opened.set()


async def people_with_due_reminders(e2e: BackendE2E) -> dict[str, tuple[int, str]]:
    """PEOPLE consented people (half in Russian, half in English, no quiet hours), written
    into the database with PER_PERSON reminders each, due a minute ago; by company, the
    person and their language."""
    await asyncio.to_thread(upgrade, e2e.database_url)  # what the bot does when it starts
    now = datetime.now(UTC)
    people = {9000 + n: "ru" if n % 2 else "en" for n in range(PEOPLE)}
    async with sessions(e2e.database_url) as sessionmaker, sessionmaker() as session:
        for user_id, language in people.items():
            e2e.fake.user(user_id, language_code=language, started=True)
            await UserRepository(session).create(
                user_id=user_id,
                language=language,
                signature="Анна Иванова",
                timezone="Europe/Moscow",
                now=now,
                quiet_start=None,
                quiet_end=None,
            )
        await session.commit()
    companies: dict[str, tuple[int, str]] = {}
    for user_id, language in people.items():
        names = [f"Co-{user_id}-{n}" for n in range(PER_PERSON)]
        await write_reminders(e2e.database_url, user_id, names, now - timedelta(minutes=1))
        companies.update(dict.fromkeys(names, (user_id, language)))
    return companies


def copies(e2e: E2E, companies: dict[str, tuple[int, str]]) -> dict[str, list[str]]:
    """The texts of every reminder message each company's reminder came as, in order."""
    found: dict[str, list[str]] = {company: [] for company in companies}
    for user_id, language in set(companies.values()):
        for message in e2e.fake.bot_messages(user_id):
            text = text_of(message)
            if text.startswith(TIME_TO_WRITE[language]):
                company = text.removeprefix(TIME_TO_WRITE[language]).split(" — ")[0]
                found[company].append(text)
    return found


def sent_lines(bot: BotProcess) -> int:
    return sum(1 for line in bot.stderr_lines if SENT_LINE.search(line))


async def age_the_claims(database_url: str, by: timedelta) -> int:
    """Move the claims left «sending» back in time, as if the bot stayed down that long;
    how many there were."""
    async with sessions(database_url) as sessionmaker, sessionmaker() as session:
        result = await session.execute(
            update(Reminder)
            .where(Reminder.status == ReminderStatus.SENDING)
            .values(updated_at=datetime.now(UTC) - by)
        )
        await session.commit()
    return int(getattr(result, "rowcount", 0))


async def test_kill_9_mid_delivery_loses_no_reminder_and_every_repeat_says_so(
    e2e: BackendE2E, monkeypatch: pytest.MonkeyPatch
) -> None:
    companies = await people_with_due_reminders(e2e)
    total = len(companies)
    answers = AnswersHeld(e2e.fake, ANSWERED).install(monkeypatch)

    # The start-up reconciliation claims and sends all thirty; Telegram answers twelve (and
    # the bot marks them sent), the others wait for an answer when the bot is killed.
    first = await e2e.start()
    await e2e.wait_for(
        lambda: answers.held == total - ANSWERED and sent_lines(first) == ANSWERED,
        "every reminder sent, the first answers marked",
    )
    assert await first.kill() == -9
    answers.open()
    assert all(len(texts) == 1 for texts in copies(e2e, companies).values())

    # Down for longer than the claims last: the next process resets them and sends again.
    unmarked = await age_the_claims(e2e.database_url, STUCK_AFTER + timedelta(minutes=1))
    assert unmarked == total - ANSWERED
    second = await e2e.start()
    await e2e.wait_for(
        lambda: sent_lines(second) == unmarked, "the reminders whose claims expired, again"
    )
    await e2e.wait_idle()

    came = copies(e2e, companies)
    lost = sorted(company for company, texts in came.items() if not texts)
    twice = sorted(company for company, texts in came.items() if len(texts) == 2)
    summary = (
        f"kill -9 mid-delivery: {total} reminders due, {len(lost)} lost, "
        f"{len(twice)} delivered twice, {total - len(lost) - len(twice)} once"
    )
    print(summary)
    assert not lost, f"{summary}; lost: {lost}"
    assert all(len(texts) <= 2 for texts in came.values()), f"{summary}; {came}"
    assert len(twice) == unmarked, summary  # exactly those Telegram had, unmarked
    unmarked_repeats, marked_first_copies = [], []
    for company, texts in came.items():
        repeat = REPEAT[companies[company][1]]
        if repeat in texts[0]:
            marked_first_copies.append(company)
        unmarked_repeats += [company for text in texts[1:] if repeat not in text]
    assert not unmarked_repeats, f"{summary}; repeats without the line: {unmarked_repeats}"
    assert not marked_first_copies, f"{summary}; first copies with it: {marked_first_copies}"
    assert "Traceback" not in first.stderr + second.stderr
    assert [row["status"] for row in await rows(e2e.database_url, "reminders")] == [
        ReminderStatus.SENT
    ] * total
