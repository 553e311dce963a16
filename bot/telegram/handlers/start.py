"""/start: greeting, privacy note and consent. Nothing is stored before consent."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.app.commands import set_chat_commands
from bot.app.config import Settings
from bot.db.models import User
from bot.domain.preferences import resolve_locale
from bot.services.accounts import Accounts
from bot.telegram.handlers.onboarding import ask_signature
from bot.telegram.handlers.utils import drop_keyboard, edit_text
from bot.telegram.keyboards.callbacks import ConsentCb
from bot.telegram.keyboards.common import main_menu
from bot.telegram.views.common import quote_input


def consent_text() -> str:
    return "\n".join(
        [
            _("👋 Hello! I help you get feedback after a job interview."),
            "",
            _("• I tell you when it is best to ask the employer for feedback."),
            _("• I write a polite request that you copy with one tap."),
            _("• I remind you at the right moment and turn the answers into an improvement plan."),
            "",
            _(
                "🔒 <b>Privacy.</b> To help, I keep what you tell me: a name to sign letters "
                "with, your time zone and your interviews. Only you see it; it is never passed "
                "to anyone, and you can erase it at any time. Until you agree, I store nothing."
            ),
        ]
    )


def consent_keyboard(locale: str) -> InlineKeyboardMarkup:
    other = "en" if locale == "ru" else "ru"
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("✅ I agree, let's start"), callback_data=ConsentCb(action="accept", lang=locale)
    )
    builder.button(text=_("Not now"), callback_data=ConsentCb(action="decline", lang=locale))
    builder.button(
        text="🇬🇧 English" if other == "en" else "🇷🇺 Русский",
        callback_data=ConsentCb(action="lang", lang=other),
    )
    builder.adjust(1, 2)
    return builder.as_markup()


async def cmd_start(message: Message, state: FSMContext, user: User | None, i18n: I18n) -> None:
    await state.clear()
    if user is None:
        await message.answer(consent_text(), reply_markup=consent_keyboard(i18n.current_locale))
        return
    if user.onboarded_at is None:
        await ask_signature(message, state, user, intro=_("Let's finish setting up."))
        return
    await message.answer(
        _("Welcome back, {name}! Choose an action below or see /help.").format(
            name=quote_input(user.signature)
        ),
        reply_markup=main_menu(),
    )


async def on_consent(
    callback: CallbackQuery,
    callback_data: ConsentCb,
    bot: Bot,
    state: FSMContext,
    user: User | None,
    i18n: I18n,
    settings: Settings,
    accounts: Accounts,
) -> None:
    message = callback.message
    if not isinstance(message, Message):
        await callback.answer(_("This button is no longer active. Send /start."), show_alert=True)
        return
    lang = (
        callback_data.lang if callback_data.lang in i18n.available_locales else i18n.default_locale
    )
    if callback_data.action == "lang":
        with i18n.use_locale(lang):
            await edit_text(message, consent_text(), consent_keyboard(lang))
            await callback.answer()
        return
    if callback_data.action == "decline":
        if user is not None:
            await callback.answer(_("You have already agreed. /settings changes your data."))
            return
        with i18n.use_locale(lang):
            await edit_text(
                message,
                _(
                    "All right, nothing has been saved. Without your consent I cannot help with "
                    "interviews. If you change your mind, just send /start."
                ),
            )
            await callback.answer()
        return
    if callback_data.action != "accept":
        await callback.answer(_("This button is no longer active. Send /start."), show_alert=True)
        return
    from_user = callback.from_user
    with i18n.use_locale(lang):
        user, created = await accounts.register(
            user_id=from_user.id,
            first_name=from_user.first_name,
            last_name=from_user.last_name,
            language=lang,
            timezone=settings.default_timezone,
        )
        await callback.answer(_("Thank you!"))
        await drop_keyboard(bot, message.chat.id, message.message_id)
        if not created and (user.onboarded_at is not None or await state.get_state()):
            return  # a second tap: the first one's question is on screen
        # New, or registered by a consent cut short (a crash after its commit) and now sent
        # again: onboarding starts either way.
        if lang != resolve_locale(from_user.language_code, i18n.default_locale):
            await set_chat_commands(bot, i18n, message.chat.id, lang)
        await ask_signature(
            message,
            state,
            user,
            intro=_("Thank you! A few quick questions; each can be skipped."),
        )


def create_router() -> Router:
    router = Router(name="start")
    router.message.register(cmd_start, CommandStart())
    router.callback_query.register(on_consent, ConsentCb.filter())
    return router
