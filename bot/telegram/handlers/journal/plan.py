"""/plan: the areas feedback named, with next steps to tick off."""

from __future__ import annotations

from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.db.models import User
from bot.services.journal import Journal as JournalService
from bot.telegram.handlers.journal.answers import is_plan_step
from bot.telegram.handlers.utils import edit_text
from bot.telegram.keyboards.callbacks import PlanCb
from bot.telegram.views.journal import plan_card


async def cmd_plan(message: Message, user: User, journal: JournalService) -> None:
    text, markup = plan_card(await journal.plan(user))
    await message.answer(text, reply_markup=markup)


async def on_plan(
    callback: CallbackQuery, callback_data: PlanCb, user: User, journal: JournalService
) -> None:
    """A step ticked off (or back on); a button without an area opens the plan."""
    if callback_data.area and not is_plan_step(callback_data.area, callback_data.step):
        await callback.answer(_("This button is no longer active."), show_alert=True)
        return
    if callback_data.area:
        plan = await journal.toggle_step(user, callback_data.area, callback_data.step)
    else:
        plan = await journal.plan(user)
    await callback.answer()
    text, markup = plan_card(plan)
    if callback_data.area:
        await edit_text(callback.message, text, markup)
    elif isinstance(callback.message, Message):
        await callback.message.answer(text, reply_markup=markup)
