"""The feedback journal and /plan through the dispatcher, in both languages."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Interview, JournalEntry
from bot.db.repositories.interviews import InterviewRepository
from bot.telegram.keyboards.callbacks import JournalCb
from tests.clock import FakeClock
from tests.harness import BotApp, Person


async def interview(app: BotApp, person: Person, clock: FakeClock, company: str) -> int:
    async with app.sessionmaker() as session, session.begin():
        saved = await InterviewRepository(session).add(
            user_id=person.user.id,
            now=clock.now,
            company=company,
            position="Python-разработчик",
            contact_name=None,
            channel="email",
            contact_address="hr@x.ru",
            last_stage_on=clock.now.date(),
            all_stages_done=True,
            next_stage_on=None,
            outcome="rejected",
            rejection_tone="polite",
            result_on=clock.now.date(),
            last_contact_on=None,
            priorities=["tech"],
            request_sent_at=clock.now,
        )
        return saved.id


async def entries(app: BotApp) -> list[JournalEntry]:
    async with app.sessionmaker() as session:
        return list(await session.scalars(select(JournalEntry).order_by(JournalEntry.id)))


async def test_feedback_in_several_messages_is_joined_tagged_and_answered(
    app: BotApp, clock: FakeClock
) -> None:
    anna = await app.person().onboarded()
    interview_id = await interview(app, anna, clock, "Яндекс")
    await anna.send("/feedback")
    assert "вставьте текст обратной связи или перешлите сообщение рекрутера" in (
        anna.last.text or ""
    )
    assert anna.buttons() == ["🤐 Обратную связь не дали", "🚫 Отказались", "✖ Отмена"]
    await anna.send("Сильная база по Python.")
    assert anna.last.text == "📝 Добавлено (сообщений: 1). Пришлите ещё или нажмите «Готово»."
    forwarded = app.fake.forward_text(
        anna.user, "Стоит подтянуть SQL и рассказ о проектах.", from_name="Ольга HR"
    )
    await app.feed(forwarded, anna.chat_id)
    await anna.press("✅ Готово")
    await anna.press("▫️ Технические навыки")
    await anna.press("▫️ Навыки коммуникации")
    await anna.press("Готово →")
    await anna.press("⚖️ Смешанная")

    text = anna.last.text or ""
    assert "📓 Сохранено." in text
    assert "Следующие шаги" in text
    assert "Тренируйте навыки, о которых вам сказали" in text
    assert "Потренируйтесь рассказывать о своём опыте вслух" in text
    assert "📝 Письмо с благодарностью" in anna.buttons()

    [entry] = await entries(app)
    assert entry.kind == "feedback"
    assert entry.text == "Сильная база по Python.\n\nСтоит подтянуть SQL и рассказ о проектах."
    assert entry.areas == ["tech", "comm"]
    assert entry.sentiment == "mixed"
    async with app.sessionmaker() as session:
        stored = await session.get(Interview, interview_id)
    assert stored is not None
    assert stored.reply == "feedback"

    saved = anna.last
    await anna.press("📝 Письмо с благодарностью")
    assert (anna.last.html or "").startswith("📝 <b>Благодарность за обратную связь</b>")

    await anna.press("❓ Уточняющий вопрос", message_id=saved.message_id)
    question = anna.last
    assert (question.html or "").startswith("📝 <b>Уточняющий вопрос</b>")
    body = question.entity_texts("pre")[0]
    assert (
        "хочу уточнить два момента: какие технические темы мне подтянуть в первую очередь "
        "и что мне изменить в том, как я рассказываю о своём опыте?"
    ) in body
    assert "✅ Отправлено" not in anna.buttons()
    await anna.press("🙂 Нейтрально")  # the switch keeps the clarifying question
    assert (question.html or "").startswith("📝 <b>Уточняющий вопрос</b>")
    assert question.entity_texts("pre")[0].startswith("Здравствуйте!")


async def test_no_feedback_leads_to_self_reflection(app: BotApp, clock: FakeClock) -> None:
    anna = await app.person().onboarded()
    await interview(app, anna, clock, "Яндекс")
    await anna.send("/feedback")
    await anna.press("🤐 Обратную связь не дали")
    assert "Не настаивайте" in (anna.last.text or "")
    await anna.press("🪞 Разобрать самостоятельно")
    assert anna.last.text == "🪞 Что на этом собеседовании получилось хорошо?"
    await anna.send("Хорошо рассказала про проект.")
    await anna.send("Алгоритмическая задача.")
    await anna.send("Буду решать задачи каждый день.")
    assert "Сохранено в дневник" in (anna.last.text or "")
    kinds = [(e.kind, e.text is not None) for e in await entries(app)]
    assert kinds == [("none", False), ("reflection", True)]
    assert "Алгоритмическая задача." in ((await entries(app))[1].text or "")


async def test_journal_on_the_card_lists_and_deletes_entries(app: BotApp, clock: FakeClock) -> None:
    anna = await app.person().onboarded()
    await interview(app, anna, clock, "Яндекс")
    await anna.send("/feedback")
    await anna.press("🚫 Отказались")
    await anna.send("/list")
    await anna.press(anna.buttons()[0])
    await anna.press("📓 Дневник")
    assert "от обратной связи отказались" in (anna.last.text or "")
    await anna.press("🗑 Удалить запись 1")
    await anna.press("🗑 Да, удалить")
    assert "Записей пока нет." in (anna.last.text or "")
    assert await entries(app) == []


async def test_plan_aggregates_areas_across_interviews_and_remembers_ticks(
    app: BotApp, clock: FakeClock
) -> None:
    anna = await app.person().onboarded()
    for company in ("Яндекс", "Озон"):
        await interview(app, anna, clock, company)
    for company in ("Яндекс", "Озон"):
        await anna.send("/feedback")
        assert anna.last.text == "📓 К какому собеседованию относится обратная связь?"
        await anna.press(next(b for b in anna.buttons() if company in b))
        await anna.send(f"{company}: подтянуть SQL")
        await anna.press("✅ Готово")
        await anna.press("▫️ Технические навыки")
        if company == "Озон":
            await anna.press("▫️ Культурная совместимость")
        await anna.press("Готово →")
        await anna.press("🛠 Конструктивная")
    await anna.send("/plan")
    plan = anna.last.text or ""
    assert plan.index("Технические навыки: упоминается в 2 собеседованиях") < plan.index(
        "Культурная совместимость: упоминается в 1 собеседовании"
    )
    assert "«Озон: подтянуть SQL»" in plan
    first = anna.buttons()[0]
    assert first.startswith("☐ Технические навыки")
    await anna.press(first)
    assert anna.buttons()[0].startswith("☑ Технические навыки")
    await anna.send("/plan")
    assert anna.buttons()[0].startswith("☑")


async def test_plan_in_english_when_empty(app: BotApp) -> None:
    john = await app.person(2002, language_code="en").onboarded()
    await john.send("/plan")
    assert "Nothing to work on yet" in (john.last.text or "")


async def test_someone_elses_entry_cannot_be_deleted(app: BotApp, clock: FakeClock) -> None:
    anna = await app.person().onboarded()
    await interview(app, anna, clock, "Яндекс")
    await anna.send("/feedback")
    await anna.press("🚫 Отказались")
    mallory = await app.person(666).onboarded()
    [entry] = await entries(app)
    own = mallory.last.message_id
    for action in ("remove", "confirm"):
        await mallory.press_data(own, JournalCb(action=action, id=entry.id).pack(), forge=True)
        assert mallory.answers()[-1] == "Этой записи больше нет."
    assert len(await entries(app)) == 1


async def test_feedback_in_english(app: BotApp, clock: FakeClock) -> None:
    john = await app.person(2002, language_code="en").onboarded()
    await interview(app, john, clock, "Acme")
    await john.send("/feedback")
    assert "paste the feedback or forward the recruiter's message" in (john.last.text or "")
    await john.send("Great system design, weak on SQL.")
    await john.send("Also: speak up more in the team round.")
    assert john.last.text == "📝 Added (2 so far). More, or «Done»?"
    await john.press("✅ Done")
    await john.press("▫️ Technical skills")
    await john.press("Done →")
    await john.press("🛠 Constructive")
    text = john.last.text or ""
    assert "📓 Saved." in text
    assert "Practise the skills they mentioned" in text
    [entry] = await entries(app)
    assert (
        entry.text == "Great system design, weak on SQL.\n\nAlso: speak up more in the team round."
    )
    await john.send("/plan")
    assert "Technical skills: mentioned in 1 interview" in (john.last.text or "")


async def test_an_entry_can_be_edited_from_the_card(app: BotApp, clock: FakeClock) -> None:
    anna = await app.person().onboarded()
    await interview(app, anna, clock, "Яндекс")
    await anna.send("/feedback")
    await anna.send("Нужно подтянуть SQL.")
    await anna.press("✅ Готово")
    await anna.press("▫️ Технические навыки")
    await anna.press("Готово →")
    await anna.press("🛠 Конструктивная")
    [before] = await entries(app)

    await anna.send("/list")
    await anna.press(anna.buttons()[0])
    card = anna.last.text or ""
    assert "📓 Дневник" in card  # the card shows the journal entries
    assert "«Нужно подтянуть SQL.»" in card
    await anna.press("📓 Дневник")
    assert anna.buttons()[:2] == ["✏️ Изменить запись 1", "🗑 Удалить запись 1"]
    await anna.press("✏️ Изменить запись 1")
    await anna.send("Нужно подтянуть SQL и рассказ о проектах.")
    await anna.press("✅ Готово")
    await anna.press("▫️ Навыки коммуникации")
    await anna.press("Готово →")
    await anna.press("⚖️ Смешанная")

    [after] = await entries(app)  # replaced, not added
    assert after.id == before.id
    assert after.text == "Нужно подтянуть SQL и рассказ о проектах."
    assert after.areas == ["comm"]
    assert after.sentiment == "mixed"


async def test_someone_elses_entry_cannot_be_edited(app: BotApp, clock: FakeClock) -> None:
    anna = await app.person().onboarded()
    await interview(app, anna, clock, "Яндекс")
    await anna.send("/feedback")
    await anna.press("🚫 Отказались")
    mallory = await app.person(666).onboarded()
    [entry] = await entries(app)
    await mallory.press_data(
        mallory.last.message_id, JournalCb(action="edit", id=entry.id).pack(), forge=True
    )
    assert mallory.answers()[-1] == "Этой записи больше нет."
