"""/plan: the areas feedback named, with next steps to tick off."""

from __future__ import annotations

from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import User
from bot.db.repositories.journal import JournalRepository, PlanRepository
from bot.domain.clock import Clock
from bot.domain.journal import EntryFacts, build_plan
from bot.telegram.handlers.journal.answers import is_plan_step
from bot.telegram.handlers.utils import edit_text
from bot.telegram.keyboards.callbacks import PlanCb
from bot.telegram.views.journal import plan_card


async def cmd_plan(message: Message, session: AsyncSession, user: User) -> None:
    text, markup = await plan_view(session, user)
    await message.answer(text, reply_markup=markup)


async def plan_view(session: AsyncSession, user: User) -> tuple[str, InlineKeyboardMarkup]:
    entries = await JournalRepository(session).for_user(user.id)
    facts = [
        EntryFacts(e.interview_id, e.kind, tuple(e.areas or ()), e.sentiment, e.text, e.created_at)
        for e in entries
    ]
    return plan_card(build_plan(facts, await PlanRepository(session).done(user.id)))


async def on_plan(
    callback: CallbackQuery, callback_data: PlanCb, session: AsyncSession, user: User, clock: Clock
) -> None:
    """A step ticked off (or back on); a button without an area opens the plan."""
    if callback_data.area and not is_plan_step(callback_data.area, callback_data.step):
        await callback.answer(_("This button is no longer active."), show_alert=True)
        return
    if callback_data.area:
        await PlanRepository(session).toggle(
            user.id, callback_data.area, callback_data.step, clock()
        )
    await callback.answer()
    text, markup = await plan_view(session, user)
    if callback_data.area:
        await edit_text(callback.message, text, markup)
    elif isinstance(callback.message, Message):
        await callback.message.answer(text, reply_markup=markup)
