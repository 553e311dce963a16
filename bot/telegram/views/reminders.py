"""What a reminder says and which buttons act on it."""

from __future__ import annotations

from html import escape

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.db.models import Interview, Reminder
from bot.domain.reminders import ReminderKind, Snooze
from bot.telegram.keyboards.callbacks import DraftCb, ReminderCb


def snooze_label(option: Snooze) -> str:
    labels = {
        Snooze.HOUR: _("⏰ In an hour"),
        Snooze.TOMORROW: _("⏰ Tomorrow"),
        Snooze.THREE_DAYS: _("⏰ In 3 days"),
    }
    return labels[option]


def reminder_text(reminder: Reminder, interview: Interview) -> str:
    """What it says; a copy sent again after a crash (``reclaimed``) adds that it may
    repeat the previous one."""
    text = _reminder_text(ReminderKind(reminder.kind), interview)
    if reminder.reclaimed:
        note = _("If you already got this reminder, sorry for the repeat: the bot was restarted.")
        text = f"{text}\n\n<i>{note}</i>"
    return text


def _reminder_text(kind: ReminderKind, interview: Interview) -> str:
    name = f"<b>{escape(interview.company)}</b> — {escape(interview.position)}"
    if kind is ReminderKind.FOLLOW_UP:
        return _("📨 Did {name} answer your request for feedback?").format(name=name)
    if kind is ReminderKind.STAGE:
        return _("🔁 How did the next stage go? {name}").format(name=name)
    return _("⏰ Time to write: {name}. The draft is ready, it takes a minute.").format(name=name)


def reminder_keyboard(reminder: Reminder) -> InlineKeyboardMarkup:
    """Built row by row: a reminder goes out in bursts, and the keyboard builder (which
    copies every button) would cost more than the whole send."""
    kind = ReminderKind(reminder.kind)

    def button(text: str, action: str, value: str = "") -> InlineKeyboardButton:
        data = ReminderCb(action=action, id=reminder.id, value=value).pack()
        return InlineKeyboardButton(text=text, callback_data=data)

    rows: list[list[InlineKeyboardButton]]
    if kind is ReminderKind.FOLLOW_UP:
        rows = [
            [button(_("✅ Yes, I got feedback"), "yes")],
            [button(_("🤐 No answer"), "no"), button(_("🚫 They declined"), "declined")],
        ]
    elif kind is ReminderKind.STAGE:
        rows = [[button(_("📌 Record the outcome"), "outcome")]]
    else:
        show = DraftCb(action="show", id=reminder.interview_id).pack()
        rows = [[InlineKeyboardButton(text=_("📝 Show the draft"), callback_data=show)]]
    rows.append([button(snooze_label(option), "snooze", option) for option in Snooze])
    rows.append([button(_("✅ Done"), "done"), button(_("🔕 Stop reminding"), "stop")])
    return InlineKeyboardMarkup(inline_keyboard=rows)
