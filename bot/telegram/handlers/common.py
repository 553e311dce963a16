"""Commands that work everywhere, in any state: /help and /cancel."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __

from bot.app.commands import COMMANDS
from bot.db.models import User
from bot.services.profile import Profile
from bot.telegram.filters import TextIn
from bot.telegram.keyboards.common import MENU_HELP, main_menu
from bot.telegram.states import Onboarding


def help_text() -> str:
    lines = [
        _(
            "I help you ask an employer for feedback after an interview: "
            "when to ask, what to write, and what to do with the answer."
        ),
        "",
        _("<b>Commands</b>"),
    ]
    lines += [f"/{name} — {text}" for name, text in COMMANDS]
    lines += ["", _("Buttons under messages do the rest. /cancel stops any step; nothing is lost.")]
    return "\n".join(lines)


async def cmd_help(message: Message, user: User | None) -> None:
    await message.answer(help_text(), reply_markup=main_menu() if user else None)


CANCELLED = __("Cancelled. What was already saved stays saved.")


async def cmd_cancel(
    message: Message, state: FSMContext, user: User | None, profile: Profile
) -> None:
    if await state.get_state() is None:
        await message.answer(
            _("There is nothing to cancel right now."), reply_markup=main_menu() if user else None
        )
        return
    current = await state.get_state()
    await state.clear()
    text = str(CANCELLED)
    if user is not None and current is not None and current.startswith(Onboarding.__name__):
        await profile.finish_onboarding(user)
        text += "\n" + _("The remaining settings keep their defaults; /settings changes them.")
    await message.answer(text, reply_markup=main_menu() if user else None)


def create_router() -> Router:
    router = Router(name="common")
    router.message.register(cmd_help, Command("help"))
    router.message.register(cmd_help, TextIn(MENU_HELP))
    router.message.register(cmd_cancel, Command("cancel"))
    return router
