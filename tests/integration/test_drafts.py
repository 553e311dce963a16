"""The recommendation after saving, the draft message, «Sent», /draft and inline mode."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Interview
from bot.telegram.keyboards.callbacks import DraftCb
from tests.clock import FakeClock
from tests.harness import BotApp, Person


async def record(
    person: Person,
    *,
    company: str = "Яндекс",
    channel: str = "Почта",
    address: str | None = "Anna@Yandex.RU",
    outcome: tuple[str, ...] = ("❌ Отказ", "Вежливый", "Сегодня"),
    contact: str = "Анна Смирнова",
    areas: tuple[str, ...] = ("▫️ Технические навыки",),
) -> None:
    await person.send("/new")
    await person.send(company)
    await person.send("Python-разработчик")
    await person.send(contact)
    await person.press(channel)
    if address is not None:
        await person.send(address)
    await person.press("Вчера")
    await person.press("Да, это был финальный этап")
    for button in outcome:
        await person.press(button)
    if "🎉 Оффер" not in outcome:
        for area in areas:
            await person.press(area)
        await person.press("Готово →")
    await person.press("✅ Сохранить")


async def interviews(app: BotApp) -> list[Interview]:
    async with app.sessionmaker() as session:
        return list(await session.scalars(select(Interview).order_by(Interview.id)))


def copy_buttons(person: Person) -> dict[str, str]:
    return {
        button["text"]: button["copy_text"]["text"]
        for row in person.last.buttons
        for button in row
        if "copy_text" in button
    }


async def test_saving_a_polite_rejection_recommends_writing_now(app: BotApp) -> None:
    ivan = await app.person(first_name="Иван", last_name="Петров").onboarded(gender="masculine")
    await record(ivan)
    text = ivan.last.text or ""
    assert "✅ Сохранено: Яндекс — Python-разработчик." in text
    assert "✉️ Лучше отправить сейчас — в день, когда пришёл результат." in text
    assert "Желательно сегодня до 18:00." in text
    assert ivan.buttons()[0] == "📝 Показать черновик"


async def test_harsh_rejection_asks_to_wait_until_the_next_working_day(
    app: BotApp, clock: FakeClock
) -> None:
    clock.advance(days=1)  # Friday 27 November, 12:00 in Moscow
    ivan = await app.person(first_name="Иван", last_name="Петров").onboarded(gender="masculine")
    await record(ivan, outcome=("❌ Отказ", "Резкий или непрофессиональный", "Сегодня"))
    text = ivan.last.text or ""
    assert "⏸ Лучше не сразу" in text
    assert "в понедельник в 10:00" in text


async def test_the_draft_message_copies_in_one_tap(app: BotApp) -> None:
    ivan = await app.person(first_name="Иван", last_name="Петров").onboarded(gender="masculine")
    await record(ivan)
    await ivan.press("📝 Показать черновик")
    draft = ivan.last
    assert (draft.html or "").startswith("📝 <b>Запрос обратной связи</b> · Яндекс")
    assert draft.entity_texts("pre"), "the body must be a <pre> block that copies on tap"
    body = draft.entity_texts("pre")[0]
    assert body.startswith("Добрый день, Анна!")
    assert "был бы признателен" in body
    assert body.rstrip().endswith("Иван Петров")
    copies = copy_buttons(ivan)
    assert copies["📋 Тема"] == "Обратная связь по собеседованию — Python-разработчик, Иван Петров"
    assert copies["📋 Адрес"] == "Anna@yandex.ru"
    assert len(copies["📋 Коротко"]) <= 256
    assert "Иван Петров" in copies["📋 Коротко"]
    assert "✓ 🎩 Официально" in ivan.buttons()
    assert "✅ Отправлено" in ivan.buttons()


async def test_tone_and_language_switch_edit_the_same_message(app: BotApp) -> None:
    ivan = await app.person(first_name="Иван", last_name="Петров").onboarded(gender="masculine")
    await record(ivan)
    await ivan.press("📝 Показать черновик")
    draft = ivan.last
    count = len(app.fake.bot_messages(ivan.chat_id))

    await ivan.press("🙂 Нейтрально")
    assert draft.entity_texts("pre")[0].startswith("Здравствуйте, Анна!")
    await ivan.press("✓ 🙂 Нейтрально")  # the same choice again: nothing breaks
    await ivan.press("🇬🇧 EN")
    assert draft.entity_texts("pre")[0].startswith("Hello Анна,")
    assert "Feedback on my interview" in copy_buttons(ivan)["📋 Тема"]
    # What was typed in Russian stays as typed, and the bot says so above the draft.
    assert (
        "🔤 Черновик на английском, а эти данные — по-русски: компания, позиция, "
        "имя контакта, подпись." in (draft.text or "")
    )
    assert "нажмите «📄 Собеседование» → «✏️ Изменить»" in (draft.text or "")
    assert "Подпись меняется в /settings." in (draft.text or "")
    assert len(app.fake.bot_messages(ivan.chat_id)) == count  # edited, not resent
    # the choice is remembered for this employer
    await ivan.send("/draft")
    assert ivan.last.entity_texts("pre")[0].startswith("Hello Анна,")


async def test_sent_is_recorded_once_and_the_follow_up_is_explained(
    app: BotApp, clock: FakeClock
) -> None:
    ivan = await app.person(first_name="Иван", last_name="Петров").onboarded(gender="masculine")
    await record(ivan)
    await ivan.press("📝 Показать черновик")
    draft = ivan.last
    await ivan.press("✅ Отправлено")
    assert "✅ Отправлено 26 ноября. Удачи!" in (ivan.last.text or "")
    assert "во вторник в 12:00 можно один раз коротко написать снова" in (ivan.last.text or "")
    first = (await interviews(app))[0].request_sent_at
    assert first == clock.now

    clock.advance(minutes=5)
    await ivan.press("✅ Отправлено", message_id=draft.message_id)
    assert ivan.answers()[-1] == "Уже отмечено"
    assert (await interviews(app))[0].request_sent_at == first


async def test_after_three_working_days_the_draft_is_the_follow_up(
    app: BotApp, clock: FakeClock
) -> None:
    ivan = await app.person(first_name="Иван", last_name="Петров").onboarded(gender="masculine")
    await record(ivan)
    await ivan.press("📝 Показать черновик")
    await ivan.press("✅ Отправлено")
    clock.advance(days=5)  # Tuesday
    await ivan.send("/draft")
    assert (ivan.last.html or "").startswith("📝 <b>Короткое повторное письмо</b>")


async def test_chat_channel_draft_has_no_subject_and_copies_the_username(app: BotApp) -> None:
    ivan = await app.person(first_name="Иван", last_name="Петров").onboarded(gender="masculine")
    await record(ivan, channel="Telegram", address="t.me/anna_hr")
    await ivan.press("📝 Показать черновик")
    copies = copy_buttons(ivan)
    assert "📋 Тема" not in copies
    assert copies["📋 Адрес"] == "@anna_hr"
    assert "Тема:" not in (ivan.last.text or "")
    assert "✓ 🙂 Нейтрально" in ivan.buttons()  # chats default to the neutral tone


async def test_hostile_names_are_escaped_on_screen_and_exact_in_copies(app: BotApp) -> None:
    ivan = await app.person(first_name="Иван", last_name="Петров").onboarded(gender="masculine")
    await record(ivan, company="<b>&Ко</b>")
    await ivan.press("📝 Показать черновик")
    assert "&lt;b&gt;&amp;Ко&lt;/b&gt;" in (ivan.last.html or "")
    assert "«<b>&Ко</b>»" in ivan.last.entity_texts("pre")[0]
    assert "«<b>&Ко</b>»" in copy_buttons(ivan)["📋 Коротко"]


async def test_more_stages_ahead_shows_advice_and_no_draft(app: BotApp) -> None:
    ivan = await app.person(first_name="Иван", last_name="Петров").onboarded(gender="masculine")
    await ivan.send("/new")
    for text in ("Яндекс", "Python-разработчик"):
        await ivan.send(text)
    await ivan.press("Пропустить →")
    await ivan.press("Телефон")
    await ivan.press("Вчера")
    await ivan.press("Нет, будут ещё этапы")
    await ivan.press("Пропустить →")
    await ivan.press("⏳ Ожидание решения")
    await ivan.press("Готово →")
    await ivan.press("✅ Сохранить")
    assert "🔁 Впереди ещё этапы" in (ivan.last.text or "")
    assert "📝 Показать черновик" not in ivan.buttons()
    await ivan.send("/draft")
    assert "🔁 Впереди ещё этапы" in (ivan.last.text or "")
    assert "<pre>" not in (ivan.last.html or "")


async def test_offer_gets_a_thank_you_note(app: BotApp) -> None:
    ivan = await app.person(first_name="Иван", last_name="Петров").onboarded(gender="masculine")
    await record(ivan, outcome=("🎉 Оффер", "Сегодня"))
    assert "🎉 Поздравляю с оффером!" in (ivan.last.text or "")
    await ivan.press("📝 Показать черновик")
    assert (ivan.last.html or "").startswith("📝 <b>Благодарность за оффер</b>")


async def test_draft_command_lets_you_choose_among_interviews(app: BotApp) -> None:
    ivan = await app.person(first_name="Иван", last_name="Петров").onboarded(gender="masculine")
    await record(ivan, company="Яндекс")
    await record(ivan, company="Озон")
    await ivan.send("/draft")
    assert ivan.last.text == "📝 Для какого собеседования нужен черновик?"
    await ivan.press(next(b for b in ivan.buttons() if "Озон" in b))
    assert "Озон" in (ivan.last.text or "")


async def test_someone_elses_draft_is_not_found(app: BotApp) -> None:
    ivan = await app.person(first_name="Иван", last_name="Петров").onboarded(gender="masculine")
    await record(ivan)
    mallory = await app.person(666, first_name="Иван", last_name="Петров").onboarded(
        gender="masculine"
    )
    await mallory.send("/help")
    own = mallory.last.message_id
    interview_id = (await interviews(app))[0].id
    for action, value in (("show", ""), ("tone", "neutral"), ("sent", "request")):
        data = DraftCb(action=action, id=interview_id, value=value).pack()
        await mallory.press_data(own, data, forge=True)
        assert mallory.answers()[-1] == "Собеседование не найдено. Возможно, его удалили."
    stored = (await interviews(app))[0]
    assert stored.request_sent_at is None
    assert stored.draft_tone is None


async def test_inline_mode_lists_the_persons_drafts(app: BotApp) -> None:
    ivan = await app.person(first_name="Иван", last_name="Петров").onboarded(gender="masculine")
    await record(ivan, company="Яндекс", channel="Telegram", address="@anna_hr")
    await record(ivan, company="Озон", channel="Telegram", address="@hr_ozon")
    update = app.fake.send_inline_query(ivan.user, "")
    await app.feed(update, ivan.chat_id)
    answer = app.fake.inline_answers[-1]
    assert answer.is_personal
    titles = [result["title"] for result in answer.results]
    assert titles == ["Озон — Python-разработчик", "Яндекс — Python-разработчик"]
    message = answer.results[0]["input_message_content"]["message_text"]
    assert message.startswith("Здравствуйте, Анна!")

    await app.feed(app.fake.send_inline_query(ivan.user, "янд"), ivan.chat_id)
    assert [r["title"] for r in app.fake.inline_answers[-1].results] == [
        "Яндекс — Python-разработчик"
    ]


async def test_inline_mode_for_a_stranger_offers_to_open_the_bot(app: BotApp) -> None:
    stranger = app.person(4242)
    await app.feed(app.fake.send_inline_query(stranger.user, ""), stranger.chat_id)
    answer = app.fake.inline_answers[-1]
    assert answer.results == []
    assert answer.button is not None
    assert answer.button["start_parameter"] == "inline"


async def test_english_fields_make_an_english_draft_without_a_note(app: BotApp) -> None:
    john = await app.person(first_name="John", last_name="Smith").onboarded(gender="masculine")
    await record(john, company="Acme Inc.", contact="Anna Smith")
    await john.press("📝 Показать черновик")
    await john.press("🇬🇧 EN")
    body = john.last.entity_texts("pre")[0]
    # The position was typed in Russian: named, and only it.
    assert "по-русски: позиция." in (john.last.text or "")
    assert "компания" not in (john.last.text or "").split("🔤", 1)[1].split("\n", 1)[0]
    assert "at Acme." in body
    assert "Acme Inc." not in body


async def test_waiting_for_a_decision_asks_about_the_status_first(app: BotApp) -> None:
    ivan = await app.person(first_name="Иван", last_name="Петров").onboarded(gender="masculine")
    await record(ivan, company='ООО "Ромашка"', outcome=("⏳ Ожидание решения",))
    await ivan.press("📝 Показать черновик")
    draft = ivan.last
    assert (draft.html or "").startswith("📝 <b>Уточнение статуса</b> · ООО")
    body = draft.entity_texts("pre")[0]
    question = "на каком этапе сейчас рассмотрение моей кандидатуры и когда можно ожидать решения?"
    assert question in body
    assert body.index(question) < body.index("как вы оцениваете мой технический уровень")
    assert "в компании «Ромашка»." in body
    copies = copy_buttons(ivan)
    subject = "Уточнение статуса по собеседованию — Python-разработчик, Иван Петров"
    assert copies["📋 Тема"] == subject
    assert "есть ли новости и когда ожидать решения?" in copies["📋 Коротко"]


async def test_a_letter_names_two_areas_and_says_so(app: BotApp) -> None:
    anna = await app.person(first_name="Анна", last_name="Соколова").onboarded(gender="feminine")
    areas = ("▫️ Навыки коммуникации", "▫️ Технические навыки", "▫️ Культурная совместимость")
    await record(anna, areas=areas)
    await anna.press("📝 Показать черновик")
    assert "🎯 Чтобы письмо было коротким, в нём только два первых пункта из выбранных" in (
        anna.last.text or ""
    )
    body = anna.last.entity_texts("pre")[0]
    # The first two in the order the card lists them (the intake keeps choices in one order).
    assert "как вы оцениваете мой технический уровень и навыки коммуникации." in body
    assert "совместимость" not in body


async def test_a_late_thank_you_is_not_called_a_request(app: BotApp) -> None:
    ivan = await app.person(first_name="Иван", last_name="Петров").onboarded(gender="masculine")
    await record(ivan, outcome=("🎉 Оффер", "Вчера"))
    text = ivan.last.text or ""
    assert "⏰ Лучший момент уже прошёл, но благодарность уместна всегда" in text
    assert "запрос" not in text


async def test_inline_mode_pastes_a_chat_message_not_an_email(app: BotApp) -> None:
    ivan = await app.person(first_name="Иван", last_name="Петров").onboarded(gender="masculine")
    await record(ivan)  # the email channel: the draft view shows an email
    await app.feed(app.fake.send_inline_query(ivan.user, ""), ivan.chat_id)
    message = app.fake.inline_answers[-1].results[0]["input_message_content"]["message_text"]
    assert message.startswith("Добрый день, Анна!\n")
    assert "\n\n" not in message
    assert "Тема" not in message
    assert message.endswith("\nС уважением, Иван Петров")


async def test_no_third_message_after_the_follow_up(app: BotApp, clock: FakeClock) -> None:
    ivan = await app.person(first_name="Иван", last_name="Петров").onboarded(gender="masculine")
    await record(ivan)
    await ivan.press("📝 Показать черновик")
    await ivan.press("✅ Отправлено")
    clock.advance(days=5)
    await ivan.send("/draft")
    assert (ivan.last.html or "").startswith("📝 <b>Короткое повторное письмо</b>")
    follow_up = ivan.last.entity_texts("pre")[0]
    assert "Позволю себе вернуться к своей просьбе об обратной связи" in follow_up
    await ivan.press("✅ Отправлено")
    clock.advance(days=10)
    await ivan.send("/draft")
    assert "🤐 Вы написали уже дважды" in (ivan.last.text or "")
    assert "<pre>" not in (ivan.last.html or "")
