"""/list and the interview card: open, edit, change outcome, archive, delete.

Callback data carries only ids; every handler loads the interview *for the person pressing*,
so a forged or foreign id finds nothing.
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.db.models import Interview, User
from bot.domain.clock import Clock
from bot.domain.intake import Step
from bot.domain.preferences import local_today
from bot.services.interviews import Interviews
from bot.services.journal import Journal as JournalService
from bot.telegram.filters import TextIn
from bot.telegram.handlers import intake
from bot.telegram.handlers.utils import edit_text
from bot.telegram.keyboards.callbacks import DraftCb, InterviewCb, JournalCb
from bot.telegram.keyboards.common import MENU_LIST, page_buttons
from bot.telegram.views.common import page_mark, quote_input
from bot.telegram.views.interviews import interview_card, list_row
from bot.telegram.views.journal import CARD_ENTRIES, card_journal

PAGE_SIZE = 5


async def _list_view(
    interviews: Interviews, user: User, page: int, *, archived: bool
) -> tuple[str, InlineKeyboardMarkup]:
    listed = await interviews.page(user, page, PAGE_SIZE, archived=archived)
    items, page, pages, total = listed.items, listed.page, listed.pages, listed.total
    builder = InlineKeyboardBuilder()
    for item in items:
        builder.button(
            text=list_row(item),
            callback_data=InterviewCb(action="open", id=item.id, page=page, archived=archived),
        )
    sizes = [1] * len(items)
    nav = page_buttons(
        builder, page, pages, lambda to: InterviewCb(action="list", page=to, archived=archived)
    )
    if nav:
        sizes.append(nav)
    if archived:
        builder.button(text=_("← Current interviews"), callback_data=InterviewCb(action="list"))
        sizes.append(1)
    elif listed.archived_exist:
        builder.button(
            text=_("🗄 Archived interviews"),
            callback_data=InterviewCb(action="list", archived=True),
        )
        sizes.append(1)
    builder.adjust(*sizes)
    if total == 0:
        text = (
            _("🗄 The archive is empty.")
            if archived
            else _("You have no interviews yet. Tap «➕ New interview» or send /new.")
        )
    else:
        title = _("🗄 <b>Archive</b>") if archived else _("📋 <b>Your interviews</b>")
        text = title + page_mark(page, pages)
        text += "\n" + _("Newest first. Tap one to open it.")
    return text, builder.as_markup()


async def cmd_list(message: Message, user: User, interviews: Interviews) -> None:
    text, markup = await _list_view(interviews, user, 0, archived=False)
    await message.answer(text, reply_markup=markup)


def _card_keyboard(interview: Interview, data: InterviewCb) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()

    def button(text: str, action: str) -> None:
        builder.button(
            text=text,
            callback_data=InterviewCb(
                action=action, id=interview.id, page=data.page, archived=data.archived
            ),
        )

    builder.button(text=_("📝 Draft"), callback_data=DraftCb(action="show", id=interview.id))
    builder.button(text=_("📓 Journal"), callback_data=JournalCb(action="list", id=interview.id))
    button(_("✏️ Edit"), "edit")
    button(_("🔄 Change outcome"), "outcome")
    if interview.archived_at is None:
        button(_("🗄 Archive"), "archive")
    else:
        button(_("📤 Restore"), "unarchive")
    button(_("🗑 Delete"), "delete")
    button(_("← To the list"), "list")
    builder.adjust(2, 2, 2, 1)
    return builder.as_markup()


async def _show_card(
    callback: CallbackQuery,
    journal: JournalService,
    interview: Interview,
    data: InterviewCb,
    user: User,
    clock: Clock,
) -> None:
    """The interview with its latest journal entries (the rest are behind «📓 Journal»)."""
    latest = await journal.page(user, interview, 0, CARD_ENTRIES)
    text = interview_card(interview, local_today(clock(), user.timezone))
    text += card_journal(latest, user.timezone)
    await edit_text(callback.message, text, _card_keyboard(interview, data))


async def on_list(
    callback: CallbackQuery, callback_data: InterviewCb, user: User, interviews: Interviews
) -> None:
    await callback.answer()
    text, markup = await _list_view(
        interviews, user, callback_data.page, archived=callback_data.archived
    )
    await edit_text(callback.message, text, markup)


async def on_interview(
    callback: CallbackQuery,
    callback_data: InterviewCb,
    user: User,
    clock: Clock,
    state: FSMContext,
    bot: Bot,
    interviews: Interviews,
    journal: JournalService,
) -> None:
    interview = await interviews.get(user, callback_data.id)
    message = callback.message
    if interview is None or not isinstance(message, Message):
        await callback.answer(_("Interview not found. It may have been deleted."), show_alert=True)
        return
    action = callback_data.action
    if action in {"edit", "outcome"}:
        await callback.answer()
        jump = Step.OUTCOME if action == "outcome" else None
        await intake.begin(message, state, bot, user, clock, interview=interview, jump_to=jump)
        return
    if action in {"archive", "unarchive"}:
        if action == "archive":
            await interviews.archive(interview)
        else:
            await interviews.restore(interview)
        await callback.answer(_("Moved to the archive") if action == "archive" else _("Restored"))
        await _show_card(callback, journal, interview, callback_data, user, clock)
        return
    if action == "delete":
        await callback.answer()
        builder = InlineKeyboardBuilder()
        builder.button(
            text=_("🗑 Yes, delete"),
            callback_data=InterviewCb(action="confirm", id=interview.id, page=callback_data.page),
        )
        builder.button(
            text=_("No, keep it"),
            callback_data=InterviewCb(action="open", id=interview.id, page=callback_data.page),
        )
        builder.adjust(2)
        await edit_text(
            message,
            _("Delete the interview with «{company}»? This cannot be undone.").format(
                company=quote_input(interview.company, 100)
            ),
            builder.as_markup(),
        )
        return
    if action == "confirm":
        await interviews.delete(user, interview)
        await callback.answer(_("Deleted"))
        text, markup = await _list_view(interviews, user, callback_data.page, archived=False)
        await edit_text(message, _("🗑 Deleted.") + "\n\n" + text, markup)
        return
    await callback.answer()
    await _show_card(callback, journal, interview, callback_data, user, clock)


def create_router() -> Router:
    router = Router(name="interviews")
    router.message.register(cmd_list, Command("list"))
    router.message.register(cmd_list, TextIn(MENU_LIST))
    router.callback_query.register(on_list, InterviewCb.filter(F.action == "list"))
    router.callback_query.register(on_interview, InterviewCb.filter())
    return router
