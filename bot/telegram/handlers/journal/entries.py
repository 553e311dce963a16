"""The buttons that name an interview or an entry by id: start an entry, reflect, the list
of an interview's entries, edit or delete one. Each is checked against the owner."""

from __future__ import annotations

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Interview, User
from bot.db.repositories.interviews import InterviewRepository
from bot.db.repositories.journal import JournalRepository
from bot.telegram.handlers.journal.flow import begin, begin_reflection
from bot.telegram.handlers.utils import edit_text
from bot.telegram.keyboards.callbacks import JournalCb
from bot.telegram.views.journal import delete_prompt, entries_card

ACTIONS = frozenset({"start", "reflect", "list", "remove", "confirm", "edit"})
"""The actions of :class:`JournalCb` whose id names an interview or an entry."""


async def on_button(
    callback: CallbackQuery,
    callback_data: JournalCb,
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    user: User,
) -> None:
    """Buttons that name an interview or an entry by id: checked against the owner."""
    journal = JournalRepository(session)
    if callback_data.action in {"remove", "confirm", "edit"}:
        entry = await journal.get_for_user(callback_data.id, user.id)
        if entry is None:
            await callback.answer(_("This entry no longer exists."), show_alert=True)
            return
        await callback.answer()
        if callback_data.action == "edit":
            owner = await InterviewRepository(session).get_for_user(entry.interview_id, user.id)
            if owner is not None:
                await begin(message, state, owner, entry_id=entry.id)
            return
        if callback_data.action == "remove":
            await edit_text(message, *delete_prompt(entry, user.timezone))
            return
        await journal.delete_for_user(entry.id, user.id)
        owner = await InterviewRepository(session).get_for_user(entry.interview_id, user.id)
        if owner is not None:
            await show_entries(message, session, user, owner)
        return
    interview = await InterviewRepository(session).get_for_user(callback_data.id, user.id)
    if interview is None:
        await callback.answer(_("Interview not found. It may have been deleted."), show_alert=True)
        return
    await callback.answer()
    if callback_data.action == "start":
        await begin(message, state, interview)
    elif callback_data.action == "reflect":
        await begin_reflection(message, state, interview)
    else:
        await show_entries(message, session, user, interview)


async def show_entries(
    message: Message, session: AsyncSession, user: User, interview: Interview
) -> None:
    entries = await JournalRepository(session).for_interview(interview.id, user.id)
    text, markup = entries_card(interview, entries, user.timezone)
    if not await edit_text(message, text, markup):
        await message.answer(text, reply_markup=markup)
