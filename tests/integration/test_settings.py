"""/settings through the real dispatcher: the card, every setting, stale and forged buttons."""

from __future__ import annotations

import re
from datetime import time

import pytest
from sqlalchemy import func, select

from bot.app.commands import COMMANDS
from bot.db.models import FsmRecord, User
from tests.clock import FakeClock
from tests.fakeapi.core import SentMessage
from tests.harness import BotApp, Person

RU_BUTTONS = [
    ["🌐 Язык", "✍️ Подпись"],
    ["👤 Форма в письмах", "🕒 Часовой пояс"],
    ["📅 Рабочие дни", "🌙 Тихие часы"],
    ["✅ Готово"],
]
EN_BUTTONS = [
    ["🌐 Language", "✍️ Signature"],
    ["👤 Russian wording", "🕒 Time zone"],
    ["📅 Working days", "🌙 Quiet hours"],
    ["✅ Done"],
]
CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)
STALE = "Эта кнопка уже не действует."
FALLBACK = "Не получилось разобрать сообщение. Выберите действие ниже или загляните в /help."


async def stored_user(app: BotApp, user_id: int) -> User:
    async with app.sessionmaker() as session:
        user = await session.get(User, user_id)
    assert user is not None, f"person {user_id} is not stored"
    return user


async def fsm_records(app: BotApp) -> int:
    async with app.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(FsmRecord)) or 0)


async def open_card(person: Person) -> SentMessage:
    replies = await person.send("/settings")
    assert len(replies) == 1
    return replies[0]


def card_text(
    *,
    signature: str = "Анна Иванова",
    form: str = "Нейтрально, без указания рода",
    zone: str = "Europe/Moscow (UTC+3), у вас сейчас 12:00",
    days: str = "Производственный календарь РФ",
    quiet: str = "22:00–09:00; напоминания на это время придут в 09:00",
) -> str:
    return "\n".join(
        [
            "⚙️ Настройки",
            "",
            "🌐 Язык: Русский",
            f"✍️ Подпись: {signature}",
            f"👤 Форма в письмах: {form}",
            f"🕒 Часовой пояс: {zone}",
            f"📅 Рабочие дни: {days}",
            f"🌙 Тихие часы: {quiet}",
            "",
            "Что изменить?",
        ]
    )


# --- the card -----------------------------------------------------------------------------


async def test_settings_command_shows_the_current_values(app: BotApp, clock: FakeClock) -> None:
    anna = await app.person().onboarded()
    clock.advance(hours=2, minutes=37)

    card = await open_card(anna)

    assert card.text == card_text(zone="Europe/Moscow (UTC+3), у вас сейчас 14:37")
    assert card.entity_texts("bold") == ["⚙️ Настройки"]
    assert card.button_texts == RU_BUTTONS


async def test_reply_button_opens_the_same_card(app: BotApp) -> None:
    anna = await app.person().onboarded()
    replies = await anna.tap_menu("⚙️ Настройки")
    assert len(replies) == 1
    assert replies[0].text == card_text()
    assert replies[0].button_texts == RU_BUTTONS


async def test_local_time_follows_the_stored_zone(app: BotApp, clock: FakeClock) -> None:
    anna = await app.person().onboarded()
    await open_card(anna)
    await anna.press("🕒 Часовой пояс")
    await anna.press("UTC+7 Новосибирск")
    clock.advance(minutes=5)
    card = await open_card(anna)
    assert "🕒 Часовой пояс: Asia/Novosibirsk (UTC+7), у вас сейчас 16:05" in (card.text or "")


# --- language -----------------------------------------------------------------------------


async def test_switching_to_english_edits_card_menu_commands_and_later_replies(
    app: BotApp,
) -> None:
    anna = await app.person().onboarded()
    card = await open_card(anna)

    await anna.press("🌐 Язык")
    assert card.text == "🌐 Язык интерфейса:"
    assert card.button_texts == [["✓ Русский", "English"], ["← Назад"]]

    replies = await anna.press("English")

    assert card.text is not None
    assert card.text.startswith("⚙️ Settings\n\n🌐 Language: English\n")
    assert "🕒 Time zone: Europe/Moscow (UTC+3), local time now 12:00" in card.text
    assert card.text.endswith("Choose what to change:")
    assert card.button_texts == EN_BUTTONS
    assert [m.text for m in replies] == ["Interface language: English."]
    assert {"⚙️ Settings", "❓ Help"} <= set(anna.reply_buttons())
    assert not any(CYRILLIC.search(label) for label in anna.reply_buttons())

    chat_menu = app.fake.commands_for(f"chat:{anna.chat_id}", "")
    assert [c["command"] for c in chat_menu] == [name for name, _ in COMMANDS]
    descriptions = {c["command"]: c["description"] for c in chat_menu}
    assert descriptions["help"] == "What the bot can do"
    assert descriptions["settings"] == "Language, signature, time zone, quiet hours"
    assert not any(CYRILLIC.search(text) for text in descriptions.values())

    assert (await stored_user(app, anna.user.id)).language == "en"

    help_reply = await anna.send("/help")
    assert (help_reply[0].text or "").startswith("I help you ask an employer for feedback")
    assert "/settings — Language, signature, time zone, quiet hours" in (help_reply[0].text or "")

    # the English reply button works, too
    english_card = await anna.tap_menu("⚙️ Settings")
    assert english_card[0].button_texts == EN_BUTTONS


async def test_switching_back_to_russian(app: BotApp) -> None:
    anna = await app.person().onboarded()
    card = await open_card(anna)
    await anna.press("🌐 Язык")
    await anna.press("English")
    await anna.press("🌐 Language")
    assert card.button_texts == [["Русский", "✓ English"], ["← Back"]]
    await anna.press("Русский")

    assert card.text == card_text()
    assert anna.last.text == "Язык интерфейса: Русский."
    assert {"⚙️ Настройки", "❓ Помощь"} <= set(anna.reply_buttons())
    assert all(CYRILLIC.search(label) for label in anna.reply_buttons())
    descriptions = {
        c["command"]: c["description"] for c in app.fake.commands_for(f"chat:{anna.chat_id}", "")
    }
    assert descriptions["start"] == "Начать или вернуться в главное меню"
    assert all(CYRILLIC.search(text) for text in descriptions.values())
    assert (await stored_user(app, anna.user.id)).language == "ru"


# --- signature ----------------------------------------------------------------------------


async def test_typed_signature_is_saved_and_shown(app: BotApp) -> None:
    anna = await app.person().onboarded()
    card = await open_card(anna)
    await anna.press("✍️ Подпись")
    assert card.text == "✍️ Пришлите имя для подписи писем. Сейчас: Анна Иванова"
    assert card.button_texts == [["← Назад"]]

    replies = await anna.send("  Анна   Петрова  ")

    assert card.buttons == []  # the prompt cannot be used again
    assert len(replies) == 1
    assert replies[0].text == "✓ Подпись сохранена.\n\n" + card_text(signature="Анна Петрова")
    assert replies[0].button_texts == RU_BUTTONS
    assert (await stored_user(app, anna.user.id)).signature == "Анна Петрова"
    assert await fsm_records(app) == 0  # input mode is over

    later = await anna.send("Анна Сергеевна")
    assert later[0].text == FALLBACK
    assert (await stored_user(app, anna.user.id)).signature == "Анна Петрова"


async def test_signature_with_html_is_shown_escaped(app: BotApp) -> None:
    anna = await app.person().onboarded()
    await open_card(anna)
    await anna.press("✍️ Подпись")
    replies = await anna.send("<b>A&B</b>")
    assert "✍️ Подпись: <b>A&B</b>" in (replies[0].text or "")
    assert (await stored_user(app, anna.user.id)).signature == "<b>A&B</b>"


async def test_bad_signatures_are_refused_with_the_reason(app: BotApp) -> None:
    anna = await app.person().onboarded()
    await open_card(anna)
    await anna.press("✍️ Подпись")

    replies = await anna.send("\u2800")
    assert [m.text for m in replies] == [
        "Подпись не может быть пустой. Пришлите имя или нажмите «Назад»."
    ]
    replies = await anna.send("Я" * 4096)
    assert [m.text for m in replies] == [
        "Для подписи слишком длинно: не больше 64 символов. Попробуйте короче."
    ]
    replies = await anna.send_sticker()
    assert [m.text for m in replies] == ["Пришлите, пожалуйста, текстом или нажмите «Назад» выше."]
    assert (await stored_user(app, anna.user.id)).signature == "Анна Иванова"

    # still in input mode: a good name is taken
    await anna.send("Анна")
    assert (await stored_user(app, anna.user.id)).signature == "Анна"


@pytest.mark.parametrize(("length", "saved"), [(64, True), (65, False)])
async def test_signature_length_limit_is_64(app: BotApp, length: int, saved: bool) -> None:
    anna = await app.person().onboarded()
    await open_card(anna)
    await anna.press("✍️ Подпись")

    replies = await anna.send("Ж" * length)

    text = replies[0].text or ""
    assert text.startswith("✓ Подпись сохранена.") is saved
    assert ("не больше 64 символов" in text) is not saved
    stored = (await stored_user(app, anna.user.id)).signature
    assert stored == ("Ж" * 64 if saved else "Анна Иванова")


async def test_back_leaves_signature_input(app: BotApp) -> None:
    anna = await app.person().onboarded()
    card = await open_card(anna)
    await anna.press("✍️ Подпись")
    await anna.press("← Назад")

    assert card.text == card_text()
    assert card.button_texts == RU_BUTTONS
    replies = await anna.send("Анна Петрова")
    assert [m.text for m in replies] == [FALLBACK]
    assert (await stored_user(app, anna.user.id)).signature == "Анна Иванова"


async def test_cancel_leaves_input_mode(app: BotApp) -> None:
    anna = await app.person().onboarded()
    await open_card(anna)
    await anna.press("✍️ Подпись")

    replies = await anna.send("/cancel")
    assert replies[0].text == "Отменено. То, что уже сохранено, никуда не делось."
    replies = await anna.send("Анна Петрова")
    assert [m.text for m in replies] == [FALLBACK]
    assert (await stored_user(app, anna.user.id)).signature == "Анна Иванова"
    assert (await anna.send("/cancel"))[0].text == "Сейчас нечего отменять."


async def test_settings_command_in_input_mode_leaves_it(app: BotApp) -> None:
    anna = await app.person().onboarded()
    await open_card(anna)
    await anna.press("🌙 Тихие часы")
    await anna.press("✏️ Другие часы")

    card = await open_card(anna)
    assert card.text == card_text()
    replies = await anna.send("23-8")
    assert [m.text for m in replies] == [FALLBACK]
    assert (await stored_user(app, anna.user.id)).quiet_start == time(22, 0)


# --- Russian wording form -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("button", "code", "shown"),
    [
        ("Мужской род: «был бы признателен»", "m", "Мужской род: «был бы признателен»"),
        ("Женский род: «была бы признательна»", "f", "Женский род: «была бы признательна»"),
        ("Нейтрально, без указания рода", "n", "Нейтрально, без указания рода"),
    ],
)
async def test_wording_form_buttons_save_the_form(
    app: BotApp, button: str, code: str, shown: str
) -> None:
    anna = await app.person().onboarded()
    card = await open_card(anna)
    if code == "n":  # start from another form so that saving "n" changes something
        await anna.press("👤 Форма в письмах")
        await anna.press("Женский род: «была бы признательна»")
    await anna.press("👤 Форма в письмах")
    assert card.button_texts == [
        ["Мужской род: «был бы признателен»"],
        ["Женский род: «была бы признательна»"],
        ["Нейтрально, без указания рода"],
        ["← Назад"],
    ]

    await anna.press(button)

    assert anna.answers()[-1] == "Сохранено"
    assert card.text == card_text(form=shown)
    assert card.button_texts == RU_BUTTONS
    assert (await stored_user(app, anna.user.id)).gender == code


# --- time zone ----------------------------------------------------------------------------


async def test_time_zone_button_saves_the_iana_name(app: BotApp) -> None:
    anna = await app.person().onboarded()
    card = await open_card(anna)
    await anna.press("🕒 Часовой пояс")
    assert "UTC+5 Екатеринбург" in anna.buttons(card)
    assert anna.buttons(card)[-1] == "← Назад"

    await anna.press("UTC+5 Екатеринбург")

    assert anna.answers()[-1] == "Сохранено"
    assert card.text == card_text(zone="Asia/Yekaterinburg (UTC+5), у вас сейчас 14:00")
    assert (await stored_user(app, anna.user.id)).timezone == "Asia/Yekaterinburg"
    # the button ended the input mode: text is not taken as a zone any more
    assert [m.text for m in await anna.send("+4")] == [FALLBACK]


@pytest.mark.parametrize(
    ("typed", "stored", "shown"),
    [
        (
            "Asia/Yekaterinburg",
            "Asia/Yekaterinburg",
            "Asia/Yekaterinburg (UTC+5), у вас сейчас 14:00",
        ),
        ("+4", "UTC+04:00", "UTC+04:00, у вас сейчас 13:00"),
    ],
)
async def test_typed_time_zone_is_saved(app: BotApp, typed: str, stored: str, shown: str) -> None:
    anna = await app.person().onboarded()
    card = await open_card(anna)
    await anna.press("🕒 Часовой пояс")

    replies = await anna.send(typed)

    assert card.buttons == []
    assert len(replies) == 1
    assert replies[0].text == "✓ Часовой пояс сохранён.\n\n" + card_text(zone=shown)
    assert (await stored_user(app, anna.user.id)).timezone == stored


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("UTC+99", "Смещение от UTC бывает от UTC−12 до UTC+14, а «UTC+99» за этими пределами."),
        (
            "Mars/Phobos",
            (
                "Не знаю часового пояса «Mars/Phobos». Напишите смещение, например UTC+5 или +3, "
                "название вроде Europe/Moscow или выберите кнопку."
            ),
        ),
    ],
)
async def test_bad_time_zones_are_refused_and_nothing_changes(
    app: BotApp, typed: str, reason: str
) -> None:
    anna = await app.person().onboarded()
    await open_card(anna)
    await anna.press("🕒 Часовой пояс")

    replies = await anna.send(typed)

    assert [m.text for m in replies] == [reason]
    assert (await stored_user(app, anna.user.id)).timezone == "Europe/Moscow"
    await anna.send("+4")  # still asking
    assert (await stored_user(app, anna.user.id)).timezone == "UTC+04:00"


# --- working days -------------------------------------------------------------------------

RU_DAYS_PROMPT = (
    "📅 Какие дни считать рабочими, когда я подбираю время для письма работодателю? "
    "Производственный календарь РФ пропускает праздники (1–8 января, майские и другие) "
    "и учитывает перенесённые рабочие дни. «Пн–пт» подойдёт для других стран."
)


async def test_working_days_switch_between_the_russian_calendar_and_monday_to_friday(
    app: BotApp,
) -> None:
    anna = await app.person().onboarded()  # Europe/Moscow: the Russian calendar by default
    card = await open_card(anna)
    assert card.text == card_text()

    await anna.press("📅 Рабочие дни")
    assert card.text == RU_DAYS_PROMPT
    assert card.button_texts == [
        ["✓ Производственный календарь РФ"],
        ["Пн–пт, без праздников"],
        ["← Назад"],
    ]

    await anna.press("Пн–пт, без праздников")
    assert anna.answers()[-1] == "Сохранено"
    assert card.text == card_text(days="Пн–пт, без праздников")
    assert card.button_texts == RU_BUTTONS
    assert (await stored_user(app, anna.user.id)).calendar == "none"

    await anna.press("📅 Рабочие дни")
    assert card.button_texts[:2] == [["Производственный календарь РФ"], ["✓ Пн–пт, без праздников"]]
    await anna.press("Производственный календарь РФ")
    assert card.text == card_text()
    assert (await stored_user(app, anna.user.id)).calendar == "ru"


async def test_working_days_in_english(app: BotApp) -> None:
    john = app.person(2002, first_name="John", last_name="Smith", language_code="en")
    await john.onboarded()
    card = await open_card(john)
    assert "📅 Working days: Russian production calendar" in (card.text or "")

    await john.press("📅 Working days")
    assert (card.text or "").startswith(
        "📅 Which days count as working days when I choose a time to write to an employer?"
    )
    assert card.button_texts == [
        ["✓ Russian production calendar"],
        ["Monday–Friday, no holidays"],
        ["← Back"],
    ]

    await john.press("Monday–Friday, no holidays")
    assert john.answers()[-1] == "Saved"
    assert "📅 Working days: Monday–Friday, no holidays" in (card.text or "")
    assert card.button_texts == EN_BUTTONS


async def test_the_default_calendar_follows_the_zone_and_a_chosen_one_stays(app: BotApp) -> None:
    anna = await app.person().onboarded()
    await open_card(anna)
    await anna.press("🕒 Часовой пояс")
    replies = await anna.send("Europe/Berlin")  # the Russian default goes with Moscow
    assert "📅 Рабочие дни: Пн–пт, без праздников" in (replies[0].text or "")
    assert (await stored_user(app, anna.user.id)).calendar == "none"

    await anna.press("📅 Рабочие дни", replies[0].message_id)
    await anna.press("Производственный календарь РФ")  # chosen in Berlin: works for Russia
    await anna.press("🕒 Часовой пояс", replies[0].message_id)
    replies = await anna.send("Europe/Lisbon")
    assert "📅 Рабочие дни: Производственный календарь РФ" in (replies[0].text or "")

    await anna.press("🕒 Часовой пояс", replies[0].message_id)
    await anna.press("UTC+7 Новосибирск")
    assert (await stored_user(app, anna.user.id)).calendar == "ru"


# --- quiet hours --------------------------------------------------------------------------


async def test_quiet_hours_preset_is_saved(app: BotApp) -> None:
    anna = await app.person().onboarded()
    card = await open_card(anna)
    await anna.press("🌙 Тихие часы")
    assert card.button_texts == [
        ["22:00–09:00", "23:00–08:00"],
        ["21:00–10:00", "00:00–07:00"],
        ["✏️ Другие часы"],
        ["🔔 Без тихих часов"],
        ["← Назад"],
    ]

    await anna.press("23:00–08:00")

    assert anna.answers()[-1] == "Сохранено"
    assert card.text == card_text(quiet="23:00–08:00; напоминания на это время придут в 08:00")
    user = await stored_user(app, anna.user.id)
    assert (user.quiet_start, user.quiet_end) == (time(23, 0), time(8, 0))


async def test_no_quiet_hours_stores_nulls_and_says_off(app: BotApp) -> None:
    anna = await app.person().onboarded()
    card = await open_card(anna)
    await anna.press("🌙 Тихие часы")
    await anna.press("🔔 Без тихих часов")

    assert card.text == card_text(quiet="выключены: напоминания могут прийти в любое время")
    user = await stored_user(app, anna.user.id)
    assert (user.quiet_start, user.quiet_end) == (None, None)


async def test_other_quiet_hours_typed(app: BotApp) -> None:
    anna = await app.person().onboarded()
    card = await open_card(anna)
    await anna.press("🌙 Тихие часы")
    await anna.press("✏️ Другие часы")
    assert card.text == ("✏️ Напишите тихие часы промежутком, например 23-8 или 22:30–07:00.")
    assert card.button_texts == [["← Назад"]]

    replies = await anna.send("22:30–07:00")

    assert card.buttons == []
    assert replies[0].text == "✓ Тихие часы сохранены.\n\n" + card_text(
        quiet="22:30–07:00; напоминания на это время придут в 07:00"
    )
    user = await stored_user(app, anna.user.id)
    assert (user.quiet_start, user.quiet_end) == (time(22, 30), time(7, 0))


async def test_nonsense_quiet_hours_are_refused(app: BotApp) -> None:
    anna = await app.person().onboarded()
    await open_card(anna)
    await anna.press("🌙 Тихие часы")
    await anna.press("✏️ Другие часы")

    replies = await anna.send("25-99")

    assert [m.text for m in replies] == [
        (
            "Не получилось понять «25-99». Напишите промежуток, например 23-8 или 22:30–07:00; "
            "начало и конец должны различаться."
        )
    ]
    user = await stored_user(app, anna.user.id)
    assert (user.quiet_start, user.quiet_end) == (time(22, 0), time(9, 0))


# --- closing, double taps, stale and forged buttons ---------------------------------------


async def test_done_closes_the_card(app: BotApp) -> None:
    anna = await app.person().onboarded()
    card = await open_card(anna)
    await anna.press("✅ Готово")
    assert card.text == "⚙️ Настройки сохранены. Открыть их снова — /settings."
    assert card.buttons == []
    assert anna.answers()[-1] == "Сохранено"


async def test_pressing_the_same_preset_twice_is_harmless(app: BotApp) -> None:
    anna = await app.person().onboarded()
    card = await open_card(anna)
    await anna.press("🌙 Тихие часы")
    preset = card.button("23:00–08:00")["callback_data"]
    await anna.press_data(card.message_id, preset)
    edits = len(card.history)
    messages = len(app.fake.bot_messages(anna.chat_id))

    # a second tap that arrives after the card was redrawn: the edit is identical
    await anna.press_data(card.message_id, preset, forge=True)

    assert (
        app.fake.calls_to("editMessageText")[-1]
        .response["description"]
        .startswith("Bad Request: message is not modified")
    )
    assert len(card.history) == edits
    assert len(app.fake.bot_messages(anna.chat_id)) == messages  # no duplicate card
    assert anna.answers()[-1] == "Сохранено"
    user = await stored_user(app, anna.user.id)
    assert (user.quiet_start, user.quiet_end) == (time(23, 0), time(8, 0))


async def test_back_twice_is_harmless(app: BotApp) -> None:
    anna = await app.person().onboarded()
    card = await open_card(anna)
    await anna.press("🌙 Тихие часы")
    back = card.button("← Назад")["callback_data"]
    await anna.press_data(card.message_id, back)
    messages = len(app.fake.bot_messages(anna.chat_id))

    replies = await anna.press_data(card.message_id, back, forge=True)

    assert replies == []
    assert len(app.fake.bot_messages(anna.chat_id)) == messages
    assert card.text == card_text()
    assert card.button_texts == RU_BUTTONS


@pytest.mark.parametrize(
    "data", ["set:lang:xx", "set:tz:99", "set:quiet:1-2", "set:gender:z", "set:cal:xx"]
)
async def test_forged_buttons_change_nothing(app: BotApp, data: str) -> None:
    anna = await app.person().onboarded()
    card = await open_card(anna)
    before = await stored_user(app, anna.user.id)

    await anna.press_data(card.message_id, data, forge=True)

    assert anna.answers()[-1] == STALE
    assert app.fake.callback_answers[-1].show_alert
    after = await stored_user(app, anna.user.id)
    assert (after.language, after.timezone, after.gender, after.quiet_start, after.calendar) == (
        before.language,
        before.timezone,
        before.gender,
        before.quiet_start,
        before.calendar,
    )
    assert after.updated_at == before.updated_at
    assert card.text == card_text()
    assert app.fake.commands_for(f"chat:{anna.chat_id}", "") == []


async def test_forged_settings_button_needs_consent_first(app: BotApp) -> None:
    stranger = app.person(3003, first_name="Пётр", last_name=None)
    await stranger.send("/start")
    consent = stranger.last

    await stranger.press_data(consent.message_id, "set:lang:en", forge=True)

    answer = app.fake.callback_answers[-1]
    assert answer.show_alert
    assert answer.text == (
        "Сначала отправьте /start и дайте согласие: без него я ничего не сохраняю."
    )
    async with app.sessionmaker() as session:
        assert await session.get(User, stranger.user.id) is None
    assert app.fake.commands_for(f"chat:{stranger.chat_id}", "") == []
    assert await fsm_records(app) == 0
