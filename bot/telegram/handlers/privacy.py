"""/privacy, /export and /delete: what is kept, a copy of it, and erasing it all."""

from __future__ import annotations

from contextlib import suppress

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    BotCommandScopeChat,
    BufferedInputFile,
    CallbackQuery,
    Message,
    ReplyKeyboardRemove,
)
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.db.models import User
from bot.domain.clock import Clock
from bot.services.privacy import Privacy
from bot.telegram.handlers.utils import edit_text
from bot.telegram.i18n import N_
from bot.telegram.keyboards.callbacks import PrivacyCb


def privacy_text() -> str:
    return "\n".join(
        [
            _("🔒 <b>Your data</b>"),
            "",
            _(
                "I keep only what you told me: your signature, wording form, language, time "
                "zone and quiet hours; the interviews you recorded; the feedback and notes in "
                "your journal and your improvement plan; the reminders planned for you. It is "
                "used only to help you with feedback and is never passed to anyone."
            ),
            _("It is kept until you delete it."),
            _("/export sends you all of it as a JSON file."),
            _("/delete erases everything at once, reminders included."),
        ]
    )


async def cmd_privacy(message: Message, user: User | None) -> None:
    builder = InlineKeyboardBuilder()
    if user is not None:
        builder.button(text=_("📦 Export my data"), callback_data=PrivacyCb(action="export"))
        builder.button(text=_("🗑 Delete everything"), callback_data=PrivacyCb(action="delete"))
        builder.adjust(1)
    else:
        await message.answer(privacy_text() + "\n\n" + _("I keep nothing about you yet."))
        return
    await message.answer(privacy_text(), reply_markup=builder.as_markup())


async def _send_export(message: Message, user: User, privacy: Privacy, clock: Clock) -> None:
    now = clock()
    document = await privacy.export(user)
    name = f"interview-feedback-{now:%Y-%m-%d}.json"
    await message.answer_document(
        BufferedInputFile(document, filename=name),
        caption=_("📦 Everything I keep about you."),
    )


async def cmd_export(message: Message, user: User, privacy: Privacy, clock: Clock) -> None:
    await _send_export(message, user, privacy, clock)


def _confirm_keyboard() -> InlineKeyboardBuilder:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("🗑 Yes, delete everything"), callback_data=PrivacyCb(action="confirm"))
    builder.button(text=_("No, keep it"), callback_data=PrivacyCb(action="keep"))
    builder.adjust(1)
    return builder


CONFIRM_QUESTION = N_(
    "🗑 Delete everything I keep about you: settings, interviews, reminders? "
    "This cannot be undone; /export first if you want a copy."
)


async def cmd_delete(message: Message) -> None:
    await message.answer(_(CONFIRM_QUESTION), reply_markup=_confirm_keyboard().as_markup())


async def on_privacy_button(
    callback: CallbackQuery,
    callback_data: PrivacyCb,
    user: User,
    clock: Clock,
    state: FSMContext,
    bot: Bot,
    privacy: Privacy,
) -> None:
    message = callback.message
    if not isinstance(message, Message):
        await callback.answer(_("This button is no longer active."), show_alert=True)
        return
    await callback.answer()
    if callback_data.action == "export":
        await _send_export(message, user, privacy, clock)
    elif callback_data.action == "delete":
        await message.answer(_(CONFIRM_QUESTION), reply_markup=_confirm_keyboard().as_markup())
    elif callback_data.action == "keep":
        await edit_text(message, _("Nothing was deleted."))
    elif callback_data.action == "confirm":
        await privacy.erase(user)
        await state.clear()
        with suppress(TelegramBadRequest):  # no menu of this chat's own: nothing to remove
            await bot.delete_my_commands(scope=BotCommandScopeChat(chat_id=message.chat.id))
        await edit_text(message, _("🗑 Done: everything is deleted."))
        await message.answer(
            _("I no longer keep anything about you. If you want to come back, send /start."),
            reply_markup=ReplyKeyboardRemove(),
        )


def create_router() -> Router:
    """Commands that need a consented person go under the registered router."""
    router = Router(name="privacy")
    router.message.register(cmd_export, Command("export"))
    router.message.register(cmd_delete, Command("delete"))
    router.callback_query.register(
        on_privacy_button, PrivacyCb.filter(F.action.in_({"export", "delete", "keep", "confirm"}))
    )
    return router


def create_public_router() -> Router:
    router = Router(name="privacy-public")
    router.message.register(cmd_privacy, Command("privacy"))
    return router
