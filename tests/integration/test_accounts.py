"""One path for «the person blocked the bot» (:meth:`bot.services.accounts.Accounts.blocked`):
whether the bot hears of it from Telegram (a ``my_chat_member`` update through the
dispatcher) or from a 403 on a reminder it delivers, the person ends in the same state:
inactive, every pending reminder cancelled and off the timetable, nobody else touched.

The timetable is a real :class:`ReminderScheduler`, not started (its jobs are only listed),
wired as in production: the dispatcher's planner and the planner of its own delivery.
Today is Thursday 2026-11-26, 12:00 in Moscow (the injected clock).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.db.models import Reminder, User
from bot.db.repositories.interviews import InterviewRepository
from bot.db.repositories.users import UserRepository
from bot.domain.reminders import ReminderKind, ReminderStatus
from bot.scheduler.delivery import ReminderDelivery
from bot.scheduler.limiter import RateLimiter
from bot.scheduler.runner import ReminderScheduler
from bot.services.reminders import Reminders
from bot.services.work import Work
from bot.telegram.i18n import create_i18n
from tests.clock import FakeClock
from tests.harness import BotApp, Person

IVAN, ANNA = 1001, 2002


async def no_sleep(_seconds: float) -> None:
    return None


@dataclass
class Scene:
    """Ivan has two reminders (in an hour and tomorrow), Anna one; all on the timetable."""

    app: BotApp
    clock: FakeClock
    timetable: ReminderScheduler
    ivan: Person
    ivans: list[int]
    annas: list[int]

    async def remind(self, user_id: int, company: str, due: datetime) -> int:
        """A reminder planned as a use case plans it: saved, then put on the timetable."""
        async with self.app.sessionmaker() as session:
            work = Work(session, self.clock, self.timetable)
            user = await UserRepository(session).get(user_id)
            assert user is not None
            interview = await InterviewRepository(session).add(
                user_id=user_id,
                now=work.now(),
                company=company,
                position="Backend",
                contact_name=None,
                channel="email",
                contact_address="hr@example.com",
                last_stage_on=date(2026, 11, 25),
                all_stages_done=True,
                next_stage_on=None,
                outcome="waiting",
                priorities=[],
            )
            reminder = await Reminders(work).plan(user, interview, ReminderKind.SEND, due)
            await work.commit()
            return reminder.id

    async def user(self, user_id: int) -> User:
        async with self.app.sessionmaker() as session:
            user = await session.get(User, user_id)
        assert user is not None
        return user

    async def statuses(self, user_id: int) -> dict[int, str]:
        async with self.app.sessionmaker() as session:
            reminders = await session.scalars(select(Reminder).where(Reminder.user_id == user_id))
            return {reminder.id: reminder.status for reminder in reminders}

    def on_timetable(self) -> set[int]:
        return {
            int(job.id.removeprefix("reminder:")) for job in self.timetable.scheduler.get_jobs()
        }


@pytest.fixture
async def scene(app: BotApp, clock: FakeClock) -> Scene:
    delivery = ReminderDelivery(
        bot=app.bot,
        sessionmaker=app.sessionmaker,
        i18n=create_i18n(),
        clock=clock,
        limiter=RateLimiter(sleep=no_sleep),
        sleep=no_sleep,
    )
    timetable = ReminderScheduler(delivery, None)  # sets itself as the delivery's planner
    app.dp["planner"] = timetable  # what create_dispatcher(planner=...) stores
    ivan = await app.person(IVAN, first_name="Иван", last_name="Петров").onboarded(
        gender="masculine"
    )
    await app.person(ANNA).onboarded(gender="feminine")
    scene = Scene(app, clock, timetable, ivan, [], [])
    now = clock()
    scene.ivans = [
        await scene.remind(IVAN, "Яндекс", now + timedelta(hours=1)),
        await scene.remind(IVAN, "Авито", now + timedelta(days=1)),
    ]
    scene.annas = [await scene.remind(ANNA, "Сбер", now + timedelta(hours=1))]
    assert scene.on_timetable() == {*scene.ivans, *scene.annas}
    return scene


@pytest.mark.parametrize("heard_from", ["my_chat_member", "403 on a reminder"])
async def test_a_person_who_blocked_the_bot_ends_in_one_state_however_the_bot_hears_of_it(
    scene: Scene, heard_from: str
) -> None:
    app, ivan = scene.app, scene.ivan
    written = len(app.fake.bot_messages(IVAN))

    if heard_from == "my_chat_member":
        await app.feed(app.fake.block(ivan.user), ivan.chat_id)
    else:
        app.fake.block(ivan.user)  # its my_chat_member update never reaches the bot
        scene.clock.advance(hours=1)
        assert await scene.timetable.delivery.deliver(scene.ivans[0]) == "blocked"

    assert (await scene.user(IVAN)).is_active is False
    assert await scene.statuses(IVAN) == dict.fromkeys(scene.ivans, ReminderStatus.CANCELLED)
    assert scene.on_timetable() == set(scene.annas)
    assert len(app.fake.bot_messages(IVAN)) == written
    # Anna is not touched
    assert (await scene.user(ANNA)).is_active is True
    assert await scene.statuses(ANNA) == dict.fromkeys(scene.annas, ReminderStatus.PENDING)
