"""/start, consent and onboarding through the real dispatcher, in both languages."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.db.models import FsmRecord, User
from tests.clock import FakeClock
from tests.harness import BotApp


async def stored_user(app: BotApp, user_id: int) -> User | None:
    async with app.sessionmaker() as session:
        return await session.get(User, user_id)


async def count(app: BotApp, model: type[User] | type[FsmRecord]) -> int:
    async with app.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


# --- /start and consent -------------------------------------------------------------------


async def test_start_in_russian_explains_and_asks_consent_storing_nothing(app: BotApp) -> None:
    anna = app.person(language_code="ru")
    replies = await anna.send("/start")

    assert len(replies) == 1
    text = replies[0].text or ""
    assert text.startswith("👋 Здравствуйте!")
    assert "Конфиденциальность" in text
    assert text.count("\n•") == 3  # three short lines on what the bot does
    assert anna.buttons() == ["✅ Согласиться и начать", "Не сейчас", "🇬🇧 English"]
    assert await count(app, User) == 0
    assert await count(app, FsmRecord) == 0


@pytest.mark.parametrize("code", ["en", "de", None])
async def test_start_in_english_for_other_languages(app: BotApp, code: str | None) -> None:
    john = app.person(first_name="John", last_name=None, language_code=code)
    replies = await john.send("/start")
    if code is None:  # no language from Telegram: the configured default (ru) applies
        assert (replies[0].text or "").startswith("👋 Здравствуйте!")
        return
    assert (replies[0].text or "").startswith("👋 Hello!")
    assert john.buttons() == ["✅ I agree, let's start", "Not now", "🇷🇺 Русский"]


@pytest.mark.parametrize("code", ["uk", "be", "kk"])
async def test_neighbouring_languages_get_russian(app: BotApp, code: str) -> None:
    person = app.person(language_code=code)
    replies = await person.send("/start")
    assert (replies[0].text or "").startswith("👋 Здравствуйте!")


async def test_declining_stores_nothing_and_explains_politely(app: BotApp) -> None:
    anna = app.person()
    await anna.send("/start")
    await anna.press("Не сейчас")

    assert "ничего не сохранено" in (anna.last.text or "")
    assert "/start" in (anna.last.text or "")
    assert anna.buttons() == []
    assert await count(app, User) == 0
    assert await count(app, FsmRecord) == 0


async def test_language_switch_before_consent_then_accept_in_english(app: BotApp) -> None:
    anna = app.person(language_code="ru")
    await anna.send("/start")
    consent = anna.last
    await anna.press("🇬🇧 English")

    assert consent.edited
    assert (anna.last.text or "").startswith("👋 Hello!")
    await anna.press("✅ I agree, let's start")

    user = await stored_user(app, anna.user.id)
    assert user is not None
    assert user.language == "en"
    assert "How should I sign your letters?" in (anna.last.text or "")
    # the chat's command menu follows the chosen language
    chat_menu = app.fake.commands_for(f"chat:{anna.chat_id}", "")
    assert chat_menu
    assert chat_menu[0]["description"] == "Start, or return to the main menu"


async def test_consent_creates_the_person_with_defaults(app: BotApp, clock: FakeClock) -> None:
    anna = await app.person().onboarded(consent_only=True)

    user = await stored_user(app, anna.user.id)
    assert user is not None
    assert user.consented_at == clock.now
    assert user.signature == "Анна Иванова"
    assert user.language == "ru"
    assert user.timezone == "Europe/Moscow"
    assert user.gender == "n"
    assert user.onboarded_at is None
    assert "Как подписывать ваши письма?" in (anna.last.text or "")
    assert "Анна Иванова" in (anna.last.text or "")
    assert anna.buttons() == ["Оставить «Анна Иванова»"]


async def test_double_tap_on_consent_creates_one_person_and_one_question(app: BotApp) -> None:
    anna = app.person()
    await anna.send("/start")
    consent = anna.last
    data = consent.callback_data[0]
    await anna.press_data(consent.message_id, data)
    questions = len(app.fake.bot_messages(anna.chat_id))
    await anna.press_data(consent.message_id, data, forge=True)  # the keyboard is gone already

    assert await count(app, User) == 1
    assert len(app.fake.bot_messages(anna.chat_id)) == questions


async def test_a_consent_sent_again_after_a_crash_still_starts_onboarding(app: BotApp) -> None:
    """On SQLite the person is committed before Telegram is asked to answer; a crash then
    (before the signature question went out) has Telegram send the consent again."""
    anna = app.person()
    await anna.send("/start")
    consent = anna.last
    data = consent.callback_data[0]
    await anna.press_data(consent.message_id, data)
    async with app.sessionmaker() as session:  # as if the crash came before the question
        for record in await session.scalars(select(FsmRecord)):
            await session.delete(record)
        await session.commit()
    sent = len(app.fake.bot_messages(anna.chat_id))

    await anna.press_data(consent.message_id, data, forge=True)

    assert await count(app, User) == 1
    assert len(app.fake.bot_messages(anna.chat_id)) == sent + 1
    assert "Как подписывать ваши письма?" in (anna.last.text or "")
    await anna.send("Анна И.")  # and the answer is taken
    assert "✓ Подпись: Анна И." in (anna.last.text or "")


async def test_features_need_consent_first(app: BotApp) -> None:
    anna = app.person()
    replies = await anna.send("/settings")
    assert "Сначала отправьте /start" in (replies[0].text or "")
    assert await count(app, User) == 0


async def test_plain_text_before_start_points_to_start(app: BotApp) -> None:
    anna = app.person()
    replies = await anna.send("привет")
    assert replies[0].text == "Чтобы начать, отправьте /start."
    assert await count(app, User) == 0


# --- onboarding ---------------------------------------------------------------------------


async def test_full_onboarding_in_russian(app: BotApp, clock: FakeClock) -> None:
    anna = await app.person().onboarded(consent_only=True)
    question = anna.last

    await anna.send("  Анна   Петрова ")
    assert question.buttons == []  # the answered question loses its buttons
    assert "✓ Подпись: Анна Петрова" in (anna.last.text or "")
    assert "Как писать о вас в письмах на русском?" in (anna.last.text or "")

    await anna.press("Женский род: «была бы признательна»")
    assert "✓ Форма в письмах: Женский род" in (anna.last.text or "")
    assert "Ваш часовой пояс?" in (anna.last.text or "")
    assert "UTC+5 Екатеринбург" in anna.buttons()

    clock.advance(minutes=1)
    await anna.send("UTC+5")
    done = anna.last.text or ""
    assert "🎉 Готово!" in done
    assert "UTC+05:00, у вас сейчас 14:01" in done
    assert "/settings" in done
    assert anna.reply_buttons() == [
        "➕ Новое собеседование",
        "📋 Мои собеседования",
        "⚙️ Настройки",
        "❓ Помощь",
    ]

    user = await stored_user(app, anna.user.id)
    assert user is not None
    assert (user.signature, user.gender, user.timezone) == ("Анна Петрова", "f", "UTC+05:00")
    assert user.onboarded_at == clock.now
    assert await count(app, FsmRecord) == 0  # the conversation is over


async def test_every_step_can_be_skipped_with_defaults(app: BotApp) -> None:
    anna = await app.person().onboarded(consent_only=True)
    await anna.press("Оставить «Анна Иванова»")
    await anna.press("Пропустить →")
    await anna.press("Оставить Europe/Moscow")

    user = await stored_user(app, anna.user.id)
    assert user is not None
    assert (user.signature, user.gender, user.timezone) == ("Анна Иванова", "n", "Europe/Moscow")
    assert user.onboarded_at is not None
    assert "🎉 Готово!" in (anna.last.text or "")


async def test_time_zone_buttons_store_the_iana_zone(app: BotApp) -> None:
    anna = await app.person().onboarded(consent_only=True)
    await anna.press("Оставить «Анна Иванова»")
    await anna.press("Мужской род: «был бы признателен»")
    await anna.press("UTC+7 Новосибирск")
    user = await stored_user(app, anna.user.id)
    assert user is not None
    assert (user.gender, user.timezone) == ("m", "Asia/Novosibirsk")


async def test_english_onboarding_skips_the_russian_wording_step(app: BotApp) -> None:
    john = await app.person(
        2002, first_name="John", last_name="Smith", language_code="en"
    ).onboarded(consent_only=True)
    await john.send("John Smith")
    assert "Your time zone?" in (john.last.text or "")
    await john.send("Europe/Berlin")
    assert "🎉 All set!" in (john.last.text or "")
    assert "Europe/Berlin (UTC+1)" in (john.last.text or "")
    assert john.reply_buttons() == ["➕ New interview", "📋 My interviews", "⚙️ Settings", "❓ Help"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("UTC+99", "от UTC−12 до UTC+14"),
        ("Mars/Phobos", "Не знаю часового пояса «Mars/Phobos»"),
        ("<b>x</b> & y", "Не знаю часового пояса «&lt;b&gt;x&lt;/b&gt; &amp; y»"),
    ],
)
async def test_bad_time_zones_are_explained_and_asked_again(
    app: BotApp, typed: str, expected: str
) -> None:
    anna = await app.person().onboarded(consent_only=True)
    await anna.press("Оставить «Анна Иванова»")
    await anna.press("Пропустить →")
    replies = await anna.send(typed)
    assert len(replies) == 1
    assert expected in (replies[0].html or "")
    await anna.send("+3")
    user = await stored_user(app, anna.user.id)
    assert user is not None
    assert user.timezone == "UTC+03:00"


async def test_bad_signatures_are_refused_and_nothing_is_lost(app: BotApp) -> None:
    anna = await app.person().onboarded(consent_only=True)
    replies = await anna.send("\u2800\u200b")  # a "blank" message some clients allow
    assert "не может быть пустой" in (replies[0].text or "")
    replies = await anna.send("Я" * 4096)  # the longest message a client sends
    assert "не больше 64 символов" in (replies[0].text or "")
    replies = await anna.send_sticker()
    assert "Пришлите имя текстом" in (replies[0].text or "")

    user = await stored_user(app, anna.user.id)
    assert user is not None
    assert user.signature == "Анна Иванова"
    await anna.send("Анна")
    assert "Как писать о вас" in (anna.last.text or "")


async def test_text_where_a_button_is_expected_gets_a_hint(app: BotApp) -> None:
    anna = await app.person().onboarded(consent_only=True)
    await anna.send("Анна")
    replies = await anna.send("женский")
    assert "кнопкой" in (replies[0].text or "")


async def test_help_mid_onboarding_answers_and_keeps_the_step(app: BotApp) -> None:
    anna = await app.person().onboarded(consent_only=True)
    replies = await anna.send("/help")
    assert "/settings" in (replies[0].text or "")
    await anna.send("Анна Сергеевна")
    assert "Как писать о вас" in (anna.last.text or "")


async def test_unknown_command_mid_onboarding_keeps_the_step(app: BotApp) -> None:
    anna = await app.person().onboarded(consent_only=True)
    replies = await anna.send("/frobnicate")
    assert "Такой команды нет" in (replies[0].text or "")
    assert "Текущий шаг не закрыт" in (replies[0].text or "")
    await anna.send("Анна")
    assert "Как писать о вас" in (anna.last.text or "")


async def test_cancel_mid_onboarding_keeps_defaults(app: BotApp) -> None:
    anna = await app.person().onboarded(consent_only=True)
    await anna.send("Анна")
    replies = await anna.send("/cancel")
    assert "Отменено" in (replies[0].text or "")
    assert "/settings" in (replies[0].text or "")
    user = await stored_user(app, anna.user.id)
    assert user is not None
    assert user.signature == "Анна"
    assert user.onboarded_at is not None
    replies = await anna.send("/cancel")
    assert replies[0].text == "Сейчас нечего отменять."


async def test_stale_and_forged_buttons_do_nothing_harmful(app: BotApp) -> None:
    anna = await app.person().onboarded(consent_only=True)
    question = anna.last
    skip = question.callback_data[0]
    await anna.send("Анна")  # answered by text; the old button is gone
    await anna.press_data(question.message_id, skip, forge=True)
    assert anna.answers()[-1] == "Эта кнопка уже не действует."

    gender_question = anna.last
    await anna.press_data(gender_question.message_id, "onb:gender:zz", forge=True)
    await anna.press_data(gender_question.message_id, "garbage-data", forge=True)
    user = await stored_user(app, anna.user.id)
    assert user is not None
    assert user.gender == "n"
    assert anna.answers()[-1] == "Эта кнопка уже не действует."


async def test_start_again_after_onboarding_welcomes_back(app: BotApp) -> None:
    anna = await app.person().onboarded(consent_only=True)
    await anna.press("Оставить «Анна Иванова»")
    await anna.press("Пропустить →")
    await anna.press("Оставить Europe/Moscow")
    replies = await anna.send("/start")
    assert replies[0].text == (
        "С возвращением, Анна Иванова! Выберите действие ниже или загляните в /help."
    )
    assert await count(app, User) == 1
