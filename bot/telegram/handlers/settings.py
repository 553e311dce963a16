"""/settings: see and change language, signature, wording form, time zone, working days,
quiet hours."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.app.commands import set_chat_commands
from bot.db.models import User
from bot.domain.calendar import CalendarCode
from bot.domain.clock import Clock
from bot.domain.preferences import (
    SIGNATURE_MAX,
    Gender,
    format_clock,
    parse_quiet_hours,
    parse_timezone,
)
from bot.services.profile import Profile
from bot.telegram.filters import NOT_COMMAND, TextIn
from bot.telegram.handlers.onboarding import (
    PROMPT_KEY,
    timezone_error,
    typed_signature,
    zone_by_offset,
)
from bot.telegram.handlers.utils import drop_keyboard, edit_text
from bot.telegram.keyboards.callbacks import SettingsCb
from bot.telegram.keyboards.common import MENU_SETTINGS, gender_buttons, main_menu, zone_buttons
from bot.telegram.states import SettingsInput
from bot.telegram.views.common import quote_input
from bot.telegram.views.settings import (
    LANGUAGE_NAMES,
    calendar_name,
    language_name,
    settings_card,
)

AfterCommit = list[Callable[[], None]]

QUIET_PRESETS: tuple[tuple[time, time], ...] = (
    (time(22, 0), time(9, 0)),
    (time(23, 0), time(8, 0)),
    (time(21, 0), time(10, 0)),
    (time(0, 0), time(7, 0)),
)


def _quiet_value(start: time, end: time) -> str:
    return f"{start.hour * 60 + start.minute}-{end.hour * 60 + end.minute}"


def _parse_quiet_value(value: str) -> tuple[time, time] | None:
    for start, end in QUIET_PRESETS:
        if _quiet_value(start, end) == value:
            return start, end
    return None


def _back(builder: InlineKeyboardBuilder) -> None:
    builder.button(text=_("← Back"), callback_data=SettingsCb(action="menu"))


async def _ask(
    callback: CallbackQuery, text: str, builder: InlineKeyboardBuilder, *rows: int
) -> None:
    """A setting's question with its choices (``rows``: buttons a row) and «← Back»."""
    _back(builder)
    builder.adjust(*rows)
    await callback.answer()
    await edit_text(callback.message, text, builder.as_markup())


async def _stale(callback: CallbackQuery) -> None:
    await callback.answer(_("This button is no longer active."), show_alert=True)


async def _saved(callback: CallbackQuery, user: User, clock: Clock) -> None:
    await callback.answer(_("Saved"))
    await _show_card(callback, user, clock)


def settings_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("🌐 Language"), callback_data=SettingsCb(action="lang"))
    builder.button(text=_("✍️ Signature"), callback_data=SettingsCb(action="sig"))
    builder.button(text=_("👤 Russian wording"), callback_data=SettingsCb(action="gender"))
    builder.button(text=_("🕒 Time zone"), callback_data=SettingsCb(action="tz"))
    builder.button(text=_("📅 Working days"), callback_data=SettingsCb(action="cal"))
    builder.button(text=_("🌙 Quiet hours"), callback_data=SettingsCb(action="quiet"))
    builder.button(text=_("✅ Done"), callback_data=SettingsCb(action="close"))
    builder.adjust(2, 2, 2, 1)
    return builder.as_markup()


async def _show_card(
    callback: CallbackQuery, user: User, clock: Clock, note: str | None = None
) -> None:
    text = settings_card(user, clock())
    if note:
        text = f"{note}\n\n{text}"
    if not await edit_text(callback.message, text, settings_keyboard()) and isinstance(
        callback.message, Message
    ):
        await callback.message.answer(text, reply_markup=settings_keyboard())


async def _send_card(message: Message, user: User, clock: Clock, note: str | None = None) -> None:
    text = settings_card(user, clock())
    await message.answer(f"{note}\n\n{text}" if note else text, reply_markup=settings_keyboard())


async def cmd_settings(message: Message, state: FSMContext, user: User, clock: Clock) -> None:
    if await state.get_state() in {s.state for s in SettingsInput.__all_states__}:
        await state.clear()
    await _send_card(message, user, clock)


async def back_to_card(
    callback: CallbackQuery, state: FSMContext, user: User, clock: Clock
) -> None:
    await state.clear()
    await callback.answer()
    await _show_card(callback, user, clock)


async def close_card(callback: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await callback.answer(_("Saved"))
    await edit_text(callback.message, _("⚙️ Settings saved. /settings opens them again."))


# --- language ----------------------------------------------------------------------------


async def language(
    callback: CallbackQuery,
    callback_data: SettingsCb,
    user: User,
    profile: Profile,
    clock: Clock,
    i18n: I18n,
    bot: Bot,
) -> None:
    if not callback_data.value:
        builder = InlineKeyboardBuilder()
        for code, name in LANGUAGE_NAMES.items():
            mark = "✓ " if code == user.language else ""
            builder.button(text=mark + name, callback_data=SettingsCb(action="lang", value=code))
        await _ask(callback, _("🌐 Interface language:"), builder, 2, 1)
        return
    if callback_data.value not in LANGUAGE_NAMES:
        await _stale(callback)
        return
    await profile.change(user, language=callback_data.value)
    with i18n.use_locale(user.language):
        await callback.answer()
        await _show_card(callback, user, clock)
        if isinstance(callback.message, Message):
            await set_chat_commands(bot, i18n, callback.message.chat.id, user.language)
            await callback.message.answer(
                _("Interface language: {name}.").format(name=language_name(user.language)),
                reply_markup=main_menu(),
            )


# --- signature ---------------------------------------------------------------------------


async def signature(callback: CallbackQuery, state: FSMContext, user: User) -> None:
    await callback.answer()
    builder = InlineKeyboardBuilder()
    _back(builder)
    text = _("✍️ Send the name to sign letters with. Now: <b>{name}</b>").format(
        name=quote_input(user.signature, SIGNATURE_MAX)
    )
    await edit_text(callback.message, text, builder.as_markup())
    await _expect_input(callback, state, SettingsInput.signature)


async def signature_input(
    message: Message, state: FSMContext, user: User, profile: Profile, clock: Clock, bot: Bot
) -> None:
    hint = _("The signature cannot be empty. Send a name or tap «Back».")
    value = await typed_signature(message, hint)
    if value is None:
        return
    await _leave_input(bot, message.chat.id, state)
    await profile.change(user, signature=value)
    await _send_card(message, user, clock, _("✓ Signature saved."))


async def _expect_input(callback: CallbackQuery, state: FSMContext, input_state: State) -> None:
    """The next text answers this settings question; its message loses its buttons then."""
    await state.set_state(input_state)
    if isinstance(callback.message, Message):
        await state.update_data({PROMPT_KEY: callback.message.message_id})


async def _leave_input(bot: Bot, chat_id: int, state: FSMContext) -> None:
    data = await state.get_data()
    await drop_keyboard(bot, chat_id, data.get(PROMPT_KEY))
    await state.clear()


# --- wording form ------------------------------------------------------------------------


async def gender(
    callback: CallbackQuery,
    callback_data: SettingsCb,
    user: User,
    profile: Profile,
    clock: Clock,
) -> None:
    if not callback_data.value:
        builder = InlineKeyboardBuilder()
        gender_buttons(builder, lambda value: SettingsCb(action="gender", value=value))
        text = _(
            "👤 How should Russian letters speak of you? "
            "«был бы признателен», «была бы признательна», or a neutral wording."
        )
        await _ask(callback, text, builder, 1)
        return
    if callback_data.value not in set(Gender):
        await _stale(callback)
        return
    await profile.change(user, gender=callback_data.value)
    await _saved(callback, user, clock)


# --- time zone ---------------------------------------------------------------------------


async def timezone(
    callback: CallbackQuery,
    callback_data: SettingsCb,
    state: FSMContext,
    user: User,
    profile: Profile,
    clock: Clock,
) -> None:
    if not callback_data.value:
        builder = InlineKeyboardBuilder()
        zone_buttons(builder, lambda value: SettingsCb(action="tz", value=value))
        text = _(
            "🕒 Pick your time zone or type one, e.g. <code>Europe/Moscow</code> or "
            "<code>UTC+5</code>."
        )
        await _ask(callback, text, builder, 2)
        await _expect_input(callback, state, SettingsInput.timezone)
        return
    zone = zone_by_offset(callback_data.value)
    if zone is None:
        await _stale(callback)
        return
    await state.clear()
    await profile.change_zone(user, zone)
    await _saved(callback, user, clock)


async def timezone_input(
    message: Message,
    state: FSMContext,
    user: User,
    profile: Profile,
    clock: Clock,
    bot: Bot,
) -> None:
    text = message.text or ""
    error = timezone_error(text)
    if error is not None:
        await message.answer(error)
        return
    zone = parse_timezone(text)
    assert zone is not None  # checked by timezone_error
    await _leave_input(bot, message.chat.id, state)
    await profile.change_zone(user, zone)
    await _send_card(message, user, clock, _("✓ Time zone saved."))


# --- working days ------------------------------------------------------------------------


async def working_days(
    callback: CallbackQuery,
    callback_data: SettingsCb,
    user: User,
    profile: Profile,
    clock: Clock,
) -> None:
    if not callback_data.value:
        builder = InlineKeyboardBuilder()
        for code in CalendarCode:
            mark = "✓ " if code == user.calendar else ""
            builder.button(
                text=mark + calendar_name(code), callback_data=SettingsCb(action="cal", value=code)
            )
        text = _(
            "📅 Which days count as working days when I choose a time to write to an "
            "employer? The Russian production calendar skips public holidays (1–8 January, "
            "the May holidays and others) and follows moved working days. «Monday–Friday» "
            "suits other countries."
        )
        await _ask(callback, text, builder, 1)
        return
    if callback_data.value not in set(CalendarCode):
        await _stale(callback)
        return
    await profile.change(user, calendar=callback_data.value)
    await _saved(callback, user, clock)


# --- quiet hours -------------------------------------------------------------------------


async def quiet_hours(
    callback: CallbackQuery,
    callback_data: SettingsCb,
    state: FSMContext,
    user: User,
    profile: Profile,
    clock: Clock,
) -> None:
    value = callback_data.value
    if not value:
        builder = InlineKeyboardBuilder()
        for start, end in QUIET_PRESETS:
            builder.button(
                text=f"{format_clock(start)}–{format_clock(end)}",
                callback_data=SettingsCb(action="quiet", value=_quiet_value(start, end)),
            )
        builder.button(
            text=_("✏️ Other hours"), callback_data=SettingsCb(action="quiet", value="custom")
        )
        builder.button(
            text=_("🔔 No quiet hours"), callback_data=SettingsCb(action="quiet", value="off")
        )
        text = _(
            "🌙 During quiet hours I send no reminders: they come as soon as the quiet hours "
            "end. When should I not disturb you?"
        )
        await _ask(callback, text, builder, 2, 2, 1, 1, 1)
        return
    if value == "custom":
        await callback.answer()
        builder = InlineKeyboardBuilder()
        _back(builder)
        await edit_text(
            callback.message,
            _(
                "✏️ Type the quiet hours as a range, "
                "e.g. <code>23-8</code> or <code>22:30–07:00</code>."
            ),
            builder.as_markup(),
        )
        await _expect_input(callback, state, SettingsInput.quiet_hours)
        return
    chosen = None if value == "off" else _parse_quiet_value(value)
    if value != "off" and chosen is None:
        await _stale(callback)
        return
    await profile.change(
        user,
        quiet_start=chosen[0] if chosen else None,
        quiet_end=chosen[1] if chosen else None,
    )
    await _saved(callback, user, clock)


async def quiet_hours_input(
    message: Message, state: FSMContext, user: User, profile: Profile, clock: Clock, bot: Bot
) -> None:
    parsed = parse_quiet_hours(message.text or "")
    if parsed is None:
        await message.answer(
            _(
                "I could not read «{text}» as hours. Type a range such as <code>23-8</code> "
                "or <code>22:30–07:00</code>; start and end must differ."
            ).format(text=quote_input(message.text or ""))
        )
        return
    await _leave_input(bot, message.chat.id, state)
    await profile.change(user, quiet_start=parsed[0], quiet_end=parsed[1])
    await _send_card(message, user, clock, _("✓ Quiet hours saved."))


async def input_not_text(message: Message) -> None:
    await message.answer(_("Please send it as text, or tap «Back» above."))


def create_router() -> Router:
    router = Router(name="settings")
    router.message.register(cmd_settings, Command("settings"))
    router.message.register(cmd_settings, TextIn(MENU_SETTINGS))
    router.callback_query.register(back_to_card, SettingsCb.filter(F.action == "menu"))
    router.callback_query.register(close_card, SettingsCb.filter(F.action == "close"))
    router.callback_query.register(language, SettingsCb.filter(F.action == "lang"))
    router.callback_query.register(signature, SettingsCb.filter(F.action == "sig"))
    router.message.register(signature_input, SettingsInput.signature, F.text, NOT_COMMAND)
    router.callback_query.register(gender, SettingsCb.filter(F.action == "gender"))
    router.callback_query.register(timezone, SettingsCb.filter(F.action == "tz"))
    router.message.register(timezone_input, SettingsInput.timezone, F.text, NOT_COMMAND)
    router.callback_query.register(working_days, SettingsCb.filter(F.action == "cal"))
    router.callback_query.register(quiet_hours, SettingsCb.filter(F.action == "quiet"))
    router.message.register(quiet_hours_input, SettingsInput.quiet_hours, F.text, NOT_COMMAND)
    router.message.register(input_not_text, SettingsInput.signature, NOT_COMMAND)
    router.message.register(input_not_text, SettingsInput.timezone, NOT_COMMAND)
    router.message.register(input_not_text, SettingsInput.quiet_hours, NOT_COMMAND)
    return router
