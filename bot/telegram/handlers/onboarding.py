"""Onboarding after consent: signature → Russian wording form → time zone. All skippable."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.db.models import User
from bot.domain.clock import Clock
from bot.domain.preferences import (
    RUSSIAN_ZONES,
    SIGNATURE_MAX,
    Gender,
    TimezoneOffsetError,
    clean_signature,
    parse_timezone,
)
from bot.services.profile import Profile
from bot.telegram.filters import NOT_COMMAND
from bot.telegram.handlers.utils import drop_keyboard
from bot.telegram.keyboards.callbacks import OnboardingCb
from bot.telegram.keyboards.common import gender_buttons, main_menu, zone_buttons
from bot.telegram.states import Onboarding
from bot.telegram.views.common import quote_input
from bot.telegram.views.settings import gender_name, settings_lines, timezone_text

PROMPT_KEY = "prompt_id"
SKIP = "skip"


def _skip_button(builder: InlineKeyboardBuilder, step: str, label: str | None = None) -> None:
    builder.button(text=label or _("Skip →"), callback_data=OnboardingCb(step=step, value=SKIP))


async def _ask(
    message: Message, state: FSMContext, text: str, markup: InlineKeyboardMarkup
) -> None:
    sent = await message.answer(text, reply_markup=markup)
    await state.update_data({PROMPT_KEY: sent.message_id})


async def _settle_prompt(bot: Bot, chat_id: int, state: FSMContext) -> None:
    data = await state.get_data()
    await drop_keyboard(bot, chat_id, data.get(PROMPT_KEY))


async def ask_signature(message: Message, state: FSMContext, user: User, intro: str = "") -> None:
    await state.set_state(Onboarding.signature)
    builder = InlineKeyboardBuilder()
    _skip_button(builder, "sig", _("Keep «{name}»").format(name=user.signature[:30]))
    text = _(
        "✍️ <b>How should I sign your letters?</b>\n"
        "Now: <b>{name}</b> (from Telegram). Send another name, e.g. your first and last name, "
        "or keep this one."
    ).format(name=quote_input(user.signature, SIGNATURE_MAX))
    await _ask(message, state, f"{intro}\n\n{text}" if intro else text, builder.as_markup())


async def ask_gender(message: Message, state: FSMContext, done: str) -> None:
    await state.set_state(Onboarding.gender)
    builder = InlineKeyboardBuilder()
    gender_buttons(builder, lambda value: OnboardingCb(step="gender", value=value))
    _skip_button(builder, "gender")
    builder.adjust(1)
    text = _(
        "👤 <b>How should Russian letters speak of you?</b>\n"
        "Russian verbs agree with the writer: «был бы признателен» or «была бы признательна». "
        "The neutral form rewrites sentences so that no gender is needed."
    )
    await _ask(message, state, f"{done}\n\n{text}", builder.as_markup())


async def ask_timezone(
    message: Message, state: FSMContext, done: str, user: User, clock: Clock
) -> None:
    await state.set_state(Onboarding.timezone)
    builder = InlineKeyboardBuilder()
    zone_buttons(builder, lambda value: OnboardingCb(step="tz", value=value))
    _skip_button(builder, "tz", _("Keep {zone}").format(zone=user.timezone))
    builder.adjust(*([2] * (len(RUSSIAN_ZONES) // 2)), 1, 1)
    text = _(
        "🕒 <b>Your time zone?</b> I remind you by your local time.\n"
        "Now: {zone}. Pick a button or type a zone such as <code>Europe/Moscow</code> "
        "or <code>UTC+5</code>."
    ).format(zone=timezone_text(user.timezone, clock()))
    await _ask(message, state, f"{done}\n\n{text}", builder.as_markup())


async def _after_signature(
    message: Message, state: FSMContext, user: User, clock: Clock, done: str
) -> None:
    if user.language == "ru":
        await ask_gender(message, state, done)
    else:
        await ask_timezone(message, state, done, user, clock)


async def _finish(
    message: Message, state: FSMContext, user: User, profile: Profile, clock: Clock, done: str
) -> None:
    now = clock()
    await profile.finish_onboarding(user)
    await state.clear()
    text = "\n\n".join(
        [
            done,
            _("🎉 All set! Here is what I will use:"),
            "\n".join(settings_lines(user, now)),
            _("/settings changes any of it. /help shows what I can do."),
        ]
    )
    await message.answer(text, reply_markup=main_menu())


# --- signature -------------------------------------------------------------------------


async def typed_signature(message: Message, empty_hint: str) -> str | None:
    """The signature the person typed, or ``None`` after explaining what is wrong with it."""
    signature = clean_signature(message.text or "")
    if not signature:
        await message.answer(empty_hint)
        return None
    if len(signature) > SIGNATURE_MAX:
        await message.answer(
            _(
                "That is too long for a signature: at most {limit} characters. Try a shorter one."
            ).format(limit=SIGNATURE_MAX)
        )
        return None
    return signature


async def signature_text(
    message: Message, state: FSMContext, user: User, profile: Profile, clock: Clock, bot: Bot
) -> None:
    hint = _("The signature cannot be empty. Send a name or tap «Keep».")
    signature = await typed_signature(message, hint)
    if signature is None:
        return
    await _settle_prompt(bot, message.chat.id, state)
    await profile.change(user, signature=signature)
    done = _("✓ Signature: {name}").format(name=quote_input(signature, SIGNATURE_MAX))
    await _after_signature(message, state, user, clock, done)


async def signature_skip(
    callback: CallbackQuery, state: FSMContext, user: User, clock: Clock, bot: Bot
) -> None:
    await callback.answer()
    if not isinstance(callback.message, Message):
        return
    await drop_keyboard(bot, callback.message.chat.id, callback.message.message_id)
    done = _("✓ Signature: {name}").format(name=quote_input(user.signature, SIGNATURE_MAX))
    await _after_signature(callback.message, state, user, clock, done)


async def signature_not_text(message: Message) -> None:
    await message.answer(_("Please send the name as text, or tap «Keep» above."))


# --- Russian wording form --------------------------------------------------------------


async def gender_chosen(
    callback: CallbackQuery,
    callback_data: OnboardingCb,
    state: FSMContext,
    user: User,
    profile: Profile,
    clock: Clock,
    bot: Bot,
) -> None:
    if callback_data.value != SKIP and callback_data.value not in set(Gender):
        await callback.answer(_("This button is no longer active."), show_alert=True)
        return
    await callback.answer()
    if not isinstance(callback.message, Message):
        return
    if callback_data.value != SKIP:
        await profile.change(user, gender=callback_data.value)
    await drop_keyboard(bot, callback.message.chat.id, callback.message.message_id)
    done = _("✓ Russian wording: {form}").format(form=gender_name(user.gender))
    await ask_timezone(callback.message, state, done, user, clock)


async def gender_not_button(message: Message) -> None:
    await message.answer(_("Please choose one of the buttons above, or tap «Skip»."))


# --- time zone -------------------------------------------------------------------------


def zone_by_offset(value: str) -> str | None:
    return next((zone.name for zone in RUSSIAN_ZONES if str(zone.offset) == value), None)


async def timezone_chosen(
    callback: CallbackQuery,
    callback_data: OnboardingCb,
    state: FSMContext,
    user: User,
    profile: Profile,
    clock: Clock,
    bot: Bot,
) -> None:
    zone = None if callback_data.value == SKIP else zone_by_offset(callback_data.value)
    if callback_data.value != SKIP and zone is None:
        await callback.answer(_("This button is no longer active."), show_alert=True)
        return
    await callback.answer()
    if not isinstance(callback.message, Message):
        return
    if zone is not None:
        await profile.change_zone(user, zone)
    await drop_keyboard(bot, callback.message.chat.id, callback.message.message_id)
    done = _("✓ Time zone: {zone}").format(zone=timezone_text(user.timezone, clock()))
    await _finish(callback.message, state, user, profile, clock, done)


def timezone_error(text: str) -> str | None:
    """``None`` when the text is a zone; otherwise the localized reason it is not."""
    try:
        if parse_timezone(text) is not None:
            return None
    except TimezoneOffsetError:
        return _("A UTC offset is between UTC−12 and UTC+14; «{text}» is outside it.").format(
            text=quote_input(text)
        )
    return _(
        "I don't know the time zone «{text}». Type an offset such as <code>UTC+5</code> "
        "or <code>+3</code>, a name such as <code>Europe/Moscow</code>, or pick a button."
    ).format(text=quote_input(text))


async def timezone_text_input(
    message: Message, state: FSMContext, user: User, profile: Profile, clock: Clock, bot: Bot
) -> None:
    text = message.text or ""
    error = timezone_error(text)
    if error is not None:
        await message.answer(error)
        return
    zone = parse_timezone(text)
    assert zone is not None  # checked by timezone_error
    await _settle_prompt(bot, message.chat.id, state)
    await profile.change_zone(user, zone)
    done = _("✓ Time zone: {zone}").format(zone=timezone_text(zone, clock()))
    await _finish(message, state, user, profile, clock, done)


async def timezone_not_text(message: Message) -> None:
    await message.answer(_("Please type the time zone as text, or pick a button above."))


def create_router() -> Router:
    router = Router(name="onboarding")
    router.message.register(signature_text, Onboarding.signature, F.text, NOT_COMMAND)
    router.callback_query.register(
        signature_skip, Onboarding.signature, OnboardingCb.filter(F.step == "sig")
    )
    router.message.register(signature_not_text, Onboarding.signature, NOT_COMMAND)
    router.callback_query.register(
        gender_chosen, Onboarding.gender, OnboardingCb.filter(F.step == "gender")
    )
    router.message.register(gender_not_button, Onboarding.gender, NOT_COMMAND)
    router.callback_query.register(
        timezone_chosen, Onboarding.timezone, OnboardingCb.filter(F.step == "tz")
    )
    router.message.register(timezone_text_input, Onboarding.timezone, F.text, NOT_COMMAND)
    router.message.register(timezone_not_text, Onboarding.timezone, NOT_COMMAND)
    return router
