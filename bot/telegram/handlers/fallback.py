"""Whatever no feature took: unknown commands, stray text, stale buttons. Never silence."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.db.models import User
from bot.telegram.keyboards.common import main_menu


async def unknown_command(message: Message, state: FSMContext) -> None:
    text = _("I don't know that command. /help lists what I can do.")
    if await state.get_state() is not None:
        text += "\n" + _("Your current step is still open: answer it, or /cancel.")
    await message.answer(text)


async def stray_message(message: Message, user: User | None) -> None:
    if user is None:
        await message.answer(_("To begin, send /start."))
        return
    await message.answer(
        _("I didn't understand that. Choose an action below or see /help."),
        reply_markup=main_menu(),
    )


async def stale_button(callback: CallbackQuery) -> None:
    await callback.answer(_("This button is no longer active."), show_alert=False)


def create_router() -> Router:
    router = Router(name="fallback")
    router.message.register(unknown_command, F.text.startswith("/"))
    router.message.register(stray_message)
    router.callback_query.register(stale_button)
    return router
