"""Reminders from the person's side: «Remind me», buttons on a delivered reminder, /reminders,
and what happens when the person blocks or unblocks the bot."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from html import escape

from aiogram import Bot, F, Router
from aiogram.enums import ChatMemberStatus
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, ChatMemberUpdated, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Interview, Reminder, User
from bot.db.repositories.interviews import InterviewRepository
from bot.db.repositories.reminders import ReminderRepository
from bot.domain.clock import Clock
from bot.domain.intake import Step
from bot.domain.reminders import (
    ReminderKind,
    ReminderStatus,
    Snooze,
    after_quiet_hours,
    plan,
    snoozed,
)
from bot.domain.timing import facts_of, recommend
from bot.services.accounts import Accounts
from bot.services.reminders import Reminders
from bot.telegram.handlers import intake, journal
from bot.telegram.handlers.drafts import draft_view
from bot.telegram.handlers.utils import edit_text
from bot.telegram.keyboards.callbacks import RemindCb, ReminderCb
from bot.telegram.views.reminders import snooze_label
from bot.telegram.views.timing import when_text

AfterCommit = list[Callable[[], None]]


def _member(value: str) -> Snooze | None:
    try:
        return Snooze(value)
    except ValueError:
        return None


def _confirmation(due: datetime, user: User, now: datetime) -> str:
    return _("⏰ I'll remind you {when}.").format(when=when_text(due, now, user.timezone))


def snooze_keyboard(make: Callable[[Snooze], ReminderCb | RemindCb]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for option in Snooze:
        builder.button(text=snooze_label(option), callback_data=make(option))
    builder.adjust(3)
    return builder.as_markup()


async def _schedule(
    reminders: Reminders, user: User, interview: Interview, kind: ReminderKind, due: datetime
) -> Reminder:
    return await reminders.plan(user, interview, kind, due)


# --- «Remind me then / later» -----------------------------------------------------------------


async def on_remind(
    callback: CallbackQuery,
    callback_data: RemindCb,
    session: AsyncSession,
    user: User,
    clock: Clock,
    reminders: Reminders,
) -> None:
    interview = await InterviewRepository(session).get_for_user(callback_data.id, user.id)
    message = callback.message
    if interview is None or not isinstance(message, Message):
        await callback.answer(_("Interview not found. It may have been deleted."), show_alert=True)
        return
    now = clock()
    if callback_data.action == "later":
        await callback.answer()
        await message.answer(
            _("⏰ When should I remind you?"),
            reply_markup=snooze_keyboard(
                lambda option: RemindCb(action="at", id=interview.id, value=option)
            ),
        )
        return
    rec = recommend(facts_of(interview), user.timezone, now)
    planned = plan(rec, now)
    option = _member(callback_data.value)
    if callback_data.action == "then" and planned is not None:
        kind, due = planned
    elif callback_data.action == "at" and option is not None:
        kind = planned[0] if planned else ReminderKind.SEND
        due = snoozed(option, now, user.timezone)
    else:
        await callback.answer(_("This button is no longer active."), show_alert=True)
        return
    reminder = await _schedule(reminders, user, interview, kind, due)
    text = _confirmation(reminder.due_at, user, now)
    await callback.answer(text)
    if callback_data.action == "at":
        await edit_text(message, text)
    else:
        await message.answer(text)


# --- buttons on a delivered reminder ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Pressed:
    """A button pressed on a reminder, with what the handlers around it need."""

    callback: CallbackQuery
    message: Message
    session: AsyncSession
    user: User
    reminder: Reminder
    interview: Interview
    now: datetime
    reminders: Reminders

    @property
    def header(self) -> str:
        return f"<b>{escape(self.interview.company)}</b> — {escape(self.interview.position)}"


async def on_reminder(
    callback: CallbackQuery,
    callback_data: ReminderCb,
    session: AsyncSession,
    user: User,
    clock: Clock,
    reminders: Reminders,
    state: FSMContext,
    bot: Bot,
) -> None:
    reminder = await ReminderRepository(session).get_for_user(callback_data.id, user.id)
    interviews = InterviewRepository(session)
    interview = await interviews.get_for_user(reminder.interview_id, user.id) if reminder else None
    message = callback.message
    if reminder is None or interview is None or not isinstance(message, Message):
        await callback.answer(_("This reminder no longer exists."), show_alert=True)
        return
    pressed = _Pressed(callback, message, session, user, reminder, interview, clock(), reminders)
    action = callback_data.action
    if action in {"yes", "declined", "no"}:
        await _answered(pressed, action, state)
    elif action == "outcome":
        await ReminderRepository(session).set_status(reminder, ReminderStatus.DONE, pressed.now)
        await callback.answer()
        await edit_text(message, f"{pressed.header}\n\n" + _("📌 Let's record the outcome."))
        await intake.begin(
            message, state, bot, user, clock, interview=interview, jump_to=Step.OUTCOME
        )
    elif action == "move":
        await callback.answer()
        await edit_text(
            message,
            f"{pressed.header}\n\n" + _("⏰ Move the reminder to:"),
            snooze_keyboard(
                lambda option: ReminderCb(action="snooze", id=reminder.id, value=option)
            ),
        )
    else:
        note = await _bookkeeping(pressed, action, callback_data.value)
        if note is None:
            await callback.answer(_("This button is no longer active."), show_alert=True)
            return
        await callback.answer()
        await edit_text(message, f"{pressed.header}\n\n{note}")


async def _answered(pressed: _Pressed, action: str, state: FSMContext) -> None:
    """«Did they answer?»: yes / they declined / no answer — then the fitting draft."""
    repo = ReminderRepository(pressed.session)
    now, interview = pressed.now, pressed.interview
    await repo.set_status(pressed.reminder, ReminderStatus.DONE, now)
    if action == "yes":  # straight into the journal: write down what they said
        await pressed.callback.answer()
        await edit_text(
            pressed.message, f"{pressed.header}\n\n" + _("✅ Noted that they answered.")
        )
        await journal.begin(pressed.message, state, interview)
        return
    if action == "no":
        note = _("🤐 No answer yet.")
    else:
        reply = "feedback" if action == "yes" else "declined"
        await InterviewRepository(pressed.session).update(
            interview, now, reply=reply, replied_at=now
        )
        await pressed.reminders.cancel(interview_id=interview.id)
        note = _("✅ Noted that they answered.") if action == "yes" else _("🚫 Noted.")
    await pressed.callback.answer()
    await edit_text(pressed.message, f"{pressed.header}\n\n{note}")
    text, markup = draft_view(interview, pressed.user, now)
    await pressed.message.answer(text, reply_markup=markup)


async def _bookkeeping(pressed: _Pressed, action: str, value: str) -> str | None:
    """Snooze, done, stop, cancel: returns what to show, ``None`` for an unknown button."""
    repo = ReminderRepository(pressed.session)
    reminder, now = pressed.reminder, pressed.now
    if action == "snooze" and (option := _member(value)) is not None:
        due = snoozed(option, now, pressed.user.timezone)
        if reminder.status == ReminderStatus.PENDING:
            user = pressed.user
            due = after_quiet_hours(due, user.timezone, user.quiet_start, user.quiet_end)
            await repo.set_status(reminder, ReminderStatus.PENDING, now, due_at=due)
            moved = reminder
            pressed.reminders.reschedule(moved)
        else:
            await repo.set_status(reminder, ReminderStatus.DONE, now)
            moved = await _schedule(
                pressed.reminders, pressed.user, pressed.interview, ReminderKind(reminder.kind), due
            )
        return _confirmation(moved.due_at, pressed.user, now)
    if action == "done":
        await repo.set_status(reminder, ReminderStatus.DONE, now)
        return _("✅ Done.")
    if action == "stop":
        await repo.set_status(reminder, ReminderStatus.DONE, now)
        await pressed.reminders.cancel(interview_id=pressed.interview.id)
        return _("🔕 No more reminders about this interview.")
    if action == "cancel":
        await repo.set_status(reminder, ReminderStatus.CANCELLED, now)
        return _("✖ Reminder cancelled.")
    return None


# --- /reminders -----------------------------------------------------------------------------


async def cmd_reminders(message: Message, session: AsyncSession, user: User, clock: Clock) -> None:
    reminders = await ReminderRepository(session).pending(user_id=user.id)
    if not reminders:
        await message.answer(
            _("No reminders are planned. After saving an interview, tap «⏰ Remind me then».")
        )
        return
    interviews = InterviewRepository(session)
    now = clock()
    lines = [_("⏰ <b>Planned reminders</b>"), ""]
    builder = InlineKeyboardBuilder()
    for reminder in reminders[:20]:
        interview = await interviews.get_for_user(reminder.interview_id, user.id)
        if interview is None:
            continue
        when = when_text(reminder.due_at, now, user.timezone)
        lines.append(f"• {escape(interview.company)} — {escape(interview.position)}: {when}")
        builder.button(
            text=_("⏰ Move: {company}").format(company=interview.company[:20]),
            callback_data=ReminderCb(action="move", id=reminder.id),
        )
        builder.button(
            text=_("✖ Cancel: {company}").format(company=interview.company[:20]),
            callback_data=ReminderCb(action="cancel", id=reminder.id),
        )
    builder.adjust(2)
    await message.answer("\n".join(lines), reply_markup=builder.as_markup())


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
    router.callback_query.register(on_reminder, ReminderCb.filter())
    return router


def create_member_router() -> Router:
    router = Router(name="membership")
    router.my_chat_member.register(on_my_chat_member, F.chat.type == "private")
    return router
