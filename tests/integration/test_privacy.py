"""/privacy, /export and /delete: the person's right to see, copy and erase their data."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import func, select

from bot.db.base import Base
from bot.db.models import FsmRecord, Interview, Reminder, User
from bot.db.repositories.interviews import InterviewRepository
from bot.db.repositories.reminders import ReminderRepository
from tests.clock import FakeClock
from tests.harness import BotApp, Person


async def with_interview(app: BotApp, person: Person, company: str, clock: FakeClock) -> None:
    async with app.sessionmaker() as session, session.begin():
        interview = await InterviewRepository(session).add(
            user_id=person.user.id,
            now=clock.now,
            company=company,
            position="Python-разработчик",
            contact_name=None,
            channel="phone",
            contact_address=None,
            last_stage_on=clock.now.date(),
            all_stages_done=True,
            next_stage_on=None,
            outcome="waiting",
            rejection_tone=None,
            result_on=None,
            last_contact_on=None,
            priorities=["tech"],
        )
        await ReminderRepository(session).add(
            user_id=person.user.id,
            interview_id=interview.id,
            kind="send",
            due_at=clock.now + timedelta(days=1),
            now=clock.now,
        )


async def count(app: BotApp, model: type[User | Interview | Reminder | FsmRecord]) -> int:
    async with app.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_privacy_for_a_stranger_says_nothing_is_kept(app: BotApp) -> None:
    stranger = app.person(7)
    replies = await stranger.send("/privacy")
    assert "🔒 Ваши данные" in (replies[0].text or "")
    assert "Пока я ничего о вас не храню." in (replies[0].text or "")
    assert await count(app, User) == 0


async def test_export_sends_only_the_persons_own_data(app: BotApp, clock: FakeClock) -> None:
    anna = await app.person(1001).onboarded()
    boris = await app.person(1002).onboarded()
    await with_interview(app, anna, "Яндекс", clock)
    await with_interview(app, boris, "Озон", clock)

    await anna.send("/privacy")
    assert anna.buttons() == ["📦 Выгрузить мои данные", "🗑 Удалить всё"]
    await anna.press("📦 Выгрузить мои данные")
    document = app.fake.documents[-1]
    assert document.chat_id == anna.chat_id
    assert (document.file_name or "").endswith(".json")
    data = json.loads(document.content)
    assert data["person"]["id"] == anna.user.id
    assert data["person"]["signature"] == "Анна Иванова"
    assert [item["company"] for item in data["interviews"]] == ["Яндекс"]
    assert len(data["reminders"]) == 1
    assert "Озон" not in document.content.decode()


async def test_delete_erases_everything_after_confirmation(app: BotApp, clock: FakeClock) -> None:
    anna = await app.person(1001).onboarded()
    boris = await app.person(1002).onboarded()
    await with_interview(app, anna, "Яндекс", clock)
    await with_interview(app, boris, "Озон", clock)
    await anna.send("/new")  # a conversation in progress is erased too
    await anna.send("/delete")
    assert anna.buttons() == ["🗑 Да, удалить всё", "Нет, оставить"]
    await anna.press("Нет, оставить")
    assert anna.last.text == "Ничего не удалено."
    assert await count(app, Interview) == 2

    await anna.send("/delete")
    await anna.press("🗑 Да, удалить всё")
    assert "Я больше ничего о вас не храню" in (anna.last.text or "")
    assert app.fake.last_reply_markup(anna.chat_id) == {"remove_keyboard": True}
    async with app.sessionmaker() as session:
        assert await session.get(User, anna.user.id) is None
        assert await session.get(User, boris.user.id) is not None
    assert await count(app, Interview) == 1
    assert await count(app, Reminder) == 1
    async with app.sessionmaker() as session:
        for table in Base.metadata.sorted_tables:  # every table: nothing about Anna remains
            rows = (await session.execute(select(table))).mappings().all()
            for row in rows:
                assert anna.user.id not in {row.get("user_id"), row.get("id")}, table.name
                assert f":{anna.user.id}:" not in str(row.get("key", "")), table.name
    replies = await anna.send("/settings")
    assert "Сначала отправьте /start" in (replies[0].text or "")


async def test_delete_needs_consent_first(app: BotApp) -> None:
    stranger = app.person(9)
    replies = await stranger.send("/delete")
    assert "Сначала отправьте /start" in (replies[0].text or "")
