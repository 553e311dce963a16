"""The buttons that name an interview or an entry by id: start an entry, reflect, the list
of an interview's entries, edit or delete one. Each is checked against the owner."""

from __future__ import annotations

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.db.models import Interview, User
from bot.services.interviews import Interviews
from bot.services.journal import Journal as JournalService
from bot.telegram.handlers.journal.flow import begin, begin_reflection
from bot.telegram.handlers.utils import edit_text
from bot.telegram.keyboards.callbacks import JournalCb
from bot.telegram.keyboards.common import page_from
from bot.telegram.views.journal import ENTRIES_PAGE, delete_prompt, entries_card

ACTIONS = frozenset({"start", "reflect", "list", "remove", "confirm", "edit"})
"""The actions of :class:`JournalCb` whose id names an interview or an entry."""


async def on_button(
    callback: CallbackQuery,
    callback_data: JournalCb,
    message: Message,
    state: FSMContext,
    user: User,
    interviews: Interviews,
    journal: JournalService,
) -> None:
    """Buttons that name an interview or an entry by id: checked against the owner. The
    journal's buttons carry the page they were on, to come back to it."""
    page = page_from(callback_data.value)
    if callback_data.action in {"remove", "confirm", "edit"}:
        entry = await journal.entry(user, callback_data.id)
        if entry is None:
            await callback.answer(_("This entry no longer exists."), show_alert=True)
            return
        await callback.answer()
        if callback_data.action == "edit":
            owner = await journal.interview_of(user, entry)
            if owner is not None:
                await begin(message, state, owner, entry_id=entry.id)
            return
        if callback_data.action == "remove":
            await edit_text(message, *delete_prompt(entry, user.timezone, page))
            return
        interview = await journal.delete(user, entry)
        if interview is not None:
            await show_entries(message, user, journal, interview, page)
        return
    interview = await interviews.get(user, callback_data.id)
    if interview is None:
        await callback.answer(_("Interview not found. It may have been deleted."), show_alert=True)
        return
    await callback.answer()
    if callback_data.action == "start":
        await begin(message, state, interview)
    elif callback_data.action == "reflect":
        await begin_reflection(message, state, interview)
    else:
        await show_entries(message, user, journal, interview, page)


async def show_entries(
    message: Message, user: User, journal: JournalService, interview: Interview, page: int
) -> None:
    """A page of the interview's journal, in place of the message (a page past the end, after
    a deletion, shows the last one)."""
    listed = await journal.page(user, interview, page, ENTRIES_PAGE)
    text, markup = entries_card(interview, listed, user.timezone)
    if not await edit_text(message, text, markup):
        await message.answer(text, reply_markup=markup)
