"""Reminders from the person's side: «Remind me», buttons on a delivered reminder, /reminders,
and what happens when the person blocks or unblocks the bot."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from html import escape
from typing import TypeVar

from aiogram import Bot, F, Router
from aiogram.enums import ChatMemberStatus
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, ChatMemberUpdated, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.db.models import Interview, User
from bot.domain.clock import Clock
from bot.domain.intake import Step
from bot.domain.reminders import Answer, Snooze
from bot.services.accounts import Accounts
from bot.services.interviews import Interviews
from bot.services.reminders import About, Reminders
from bot.telegram.handlers import intake, journal
from bot.telegram.handlers.drafts import draft_view
from bot.telegram.handlers.utils import edit_text
from bot.telegram.keyboards.callbacks import RemindCb, ReminderCb
from bot.telegram.keyboards.common import page_buttons, page_from
from bot.telegram.views.common import page_mark, quote_input
from bot.telegram.views.reminders import snooze_label
from bot.telegram.views.timing import when_text

PLANNED_PAGE = 5
"""Reminders a page of /reminders lists (with two buttons each)."""
NAME_SHOWN = 60
"""Characters of a company's or a position's name /reminders shows."""


_Choice = TypeVar("_Choice", Snooze, Answer)


def _parse(choice: type[_Choice], value: str) -> _Choice | None:
    """The button's value as one of the choices it offers; ``None`` for anything else."""
    try:
        return choice(value)
    except ValueError:
        return None


def _confirmation(due: datetime, user: User, now: datetime) -> str:
    return _("⏰ I'll remind you {when}.").format(when=when_text(due, now, user.timezone))


def _header(interview: Interview) -> str:
    return f"<b>{escape(interview.company)}</b> — {escape(interview.position)}"


def snooze_keyboard(
    make: Callable[[Snooze], ReminderCb | RemindCb], back: ReminderCb | None = None
) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for option in Snooze:
        builder.button(text=snooze_label(option), callback_data=make(option))
    if back is not None:
        builder.button(text=_("← To the list"), callback_data=back)
    builder.adjust(3)
    return builder.as_markup()


# --- «Remind me then / later» -----------------------------------------------------------------


async def on_remind(
    callback: CallbackQuery,
    callback_data: RemindCb,
    user: User,
    clock: Clock,
    interviews: Interviews,
    reminders: Reminders,
) -> None:
    interview = await interviews.get(user, callback_data.id)
    message = callback.message
    if interview is None or not isinstance(message, Message):
        await callback.answer(_("Interview not found. It may have been deleted."), show_alert=True)
        return
    if callback_data.action == "later":
        await callback.answer()
        await message.answer(
            _("⏰ When should I remind you?"),
            reply_markup=snooze_keyboard(
                lambda option: RemindCb(action="at", id=interview.id, value=option)
            ),
        )
        return
    option = _parse(Snooze, callback_data.value)
    reminder = None
    if callback_data.action == "then":
        reminder = await reminders.remind(user, interview, None)
    elif callback_data.action == "at" and option is not None:
        reminder = await reminders.remind(user, interview, option)
    if reminder is None:
        await callback.answer(_("This button is no longer active."), show_alert=True)
        return
    text = _confirmation(reminder.due_at, user, clock())
    await callback.answer(text)
    if callback_data.action == "at":
        await edit_text(message, text)
    else:
        await message.answer(text)


# --- buttons on a delivered reminder ----------------------------------------------------------


async def on_reminder(
    callback: CallbackQuery,
    callback_data: ReminderCb,
    user: User,
    clock: Clock,
    reminders: Reminders,
    state: FSMContext,
    bot: Bot,
) -> None:
    about = await reminders.find(user, callback_data.id)
    message = callback.message
    if about is None or not isinstance(message, Message):
        await callback.answer(_("This reminder no longer exists."), show_alert=True)
        return
    header = _header(about.interview)
    action = callback_data.action
    if (how := _parse(Answer, action)) is not None:
        await _answered(callback, message, user, clock, reminders, about, how, state)
    elif action == "outcome":
        await reminders.done(about.reminder)
        await callback.answer()
        await edit_text(message, f"{header}\n\n" + _("📌 Let's record the outcome."))
        await intake.begin(
            message, state, bot, user, clock, interview=about.interview, jump_to=Step.OUTCOME
        )
    elif action == "move":  # from /reminders, as «cancel»
        await callback.answer()
        reminder_id = about.reminder.id
        await edit_text(
            message,
            f"{header}\n\n" + _("⏰ Move the reminder to:"),
            snooze_keyboard(
                lambda option: ReminderCb(action="snooze", id=reminder_id, value=option),
                back=ReminderCb(action="list", id=0, value=callback_data.value),
            ),
        )
    elif action == "cancel":
        await reminders.cancel_one(about.reminder)
        await callback.answer()
        text, markup = await planned_view(reminders, user, clock(), callback_data.value)
        await edit_text(message, _("✖ Reminder cancelled.") + "\n\n" + text, markup)
    else:
        note = await _bookkeeping(reminders, user, clock, about, action, callback_data.value)
        if note is None:
            await callback.answer(_("This button is no longer active."), show_alert=True)
            return
        await callback.answer()
        await edit_text(message, f"{header}\n\n{note}")


async def _answered(
    callback: CallbackQuery,
    message: Message,
    user: User,
    clock: Clock,
    reminders: Reminders,
    about: About,
    how: Answer,
    state: FSMContext,
) -> None:
    """«Did they answer?»: yes / they declined / no answer — then the fitting draft."""
    await reminders.answered(about, how)
    header, interview = _header(about.interview), about.interview
    if how is Answer.YES:  # straight into the journal: write down what they said
        await callback.answer()
        await edit_text(message, f"{header}\n\n" + _("✅ Noted that they answered."))
        await journal.begin(message, state, interview)
        return
    note = _("🤐 No answer yet.") if how is Answer.NO else _("🚫 Noted.")
    await callback.answer()
    await edit_text(message, f"{header}\n\n{note}")
    text, markup = draft_view(interview, user, clock())
    await message.answer(text, reply_markup=markup)


async def _bookkeeping(
    reminders: Reminders, user: User, clock: Clock, about: About, action: str, value: str
) -> str | None:
    """Snooze, done, stop: returns what to show, ``None`` for an unknown button."""
    if action == "snooze" and (option := _parse(Snooze, value)) is not None:
        moved = await reminders.snooze(user, about, option)
        return _confirmation(moved.due_at, user, clock())
    if action == "done":
        await reminders.done(about.reminder)
        return _("✅ Done.")
    if action == "stop":
        await reminders.stop(about)
        return _("🔕 No more reminders about this interview.")
    return None


# --- /reminders -----------------------------------------------------------------------------


async def planned_view(
    reminders: Reminders, user: User, now: datetime, value: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    """A page of /reminders (``value``: the page a button carries), soonest first, with Move
    and Cancel for each and «◀ ▶» between pages."""
    listed = await reminders.planned(user, page_from(value), PLANNED_PAGE)
    if not listed.items:
        return (
            _("No reminders are planned. After saving an interview, tap «⏰ Remind me then»."),
            None,
        )
    page = str(listed.page)
    lines = [_("⏰ <b>Planned reminders</b>") + page_mark(listed.page, listed.pages), ""]
    builder = InlineKeyboardBuilder()
    for about in listed.items:
        reminder, interview = about.reminder, about.interview
        when = when_text(reminder.due_at, now, user.timezone)
        company = quote_input(interview.company, NAME_SHOWN)
        lines.append(f"• {company} — {quote_input(interview.position, NAME_SHOWN)}: {when}")
        builder.button(
            text=_("⏰ Move: {company}").format(company=interview.company[:20]),
            callback_data=ReminderCb(action="move", id=reminder.id, value=page),
        )
        builder.button(
            text=_("✖ Cancel: {company}").format(company=interview.company[:20]),
            callback_data=ReminderCb(action="cancel", id=reminder.id, value=page),
        )
    nav = page_buttons(
        builder,
        listed.page,
        listed.pages,
        lambda to: ReminderCb(action="list", id=0, value=str(to)),
    )
    builder.adjust(*([2] * len(listed.items)), *([nav] if nav else []))
    return "\n".join(lines), builder.as_markup()


async def cmd_reminders(message: Message, user: User, clock: Clock, reminders: Reminders) -> None:
    text, markup = await planned_view(reminders, user, clock(), "")
    await message.answer(text, reply_markup=markup)


async def on_planned_page(
    callback: CallbackQuery,
    callback_data: ReminderCb,
    user: User,
    clock: Clock,
    reminders: Reminders,
) -> None:
    """«◀ ▶» and «← To the list» of /reminders: the page in place of the message."""
    await callback.answer()
    text, markup = await planned_view(reminders, user, clock(), callback_data.value)
    await edit_text(callback.message, text, markup)


# --- blocked / unblocked ----------------------------------------------------------------------


async def on_my_chat_member(
    event: ChatMemberUpdated, user: User | None, accounts: Accounts
) -> None:
    """A person who blocks the bot gets nothing more; unblocking brings their reminders back
    on the next planning (they are cancelled, not lost: the interviews keep their state)."""
    if user is None or event.chat.type != "private":
        return
    status = event.new_chat_member.status
    if status == ChatMemberStatus.KICKED:
        await accounts.blocked(user.id)
    elif status == ChatMemberStatus.MEMBER:
        await accounts.unblocked(user)


def create_router() -> Router:
    router = Router(name="reminders")
    router.message.register(cmd_reminders, Command("reminders"))
    router.callback_query.register(on_remind, RemindCb.filter())
    router.callback_query.register(on_planned_page, ReminderCb.filter(F.action == "list"))
    router.callback_query.register(on_reminder, ReminderCb.filter())
    return router


def create_member_router() -> Router:
    router = Router(name="membership")
    router.my_chat_member.register(on_my_chat_member, F.chat.type == "private")
    return router
