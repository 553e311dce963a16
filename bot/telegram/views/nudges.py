"""What a reminder says and which buttons act on it."""

from __future__ import annotations

from html import escape

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from bot.db.models import Interview, Nudge
from bot.domain.reminders import NudgeKind, Snooze
from bot.telegram.keyboards.callbacks import DraftCb, NudgeCb


def snooze_label(option: Snooze) -> str:
    labels = {
        Snooze.HOUR: _("⏰ In an hour"),
        Snooze.TOMORROW: _("⏰ Tomorrow"),
        Snooze.THREE_DAYS: _("⏰ In 3 days"),
    }
    return labels[option]


def nudge_text(nudge: Nudge, interview: Interview) -> str:
    name = f"<b>{escape(interview.company)}</b> — {escape(interview.position)}"
    kind = NudgeKind(nudge.kind)
    if kind is NudgeKind.FOLLOW_UP:
        return _("📨 Did {name} answer your request for feedback?").format(name=name)
    if kind is NudgeKind.STAGE:
        return _("🔁 How did the next stage go? {name}").format(name=name)
    return _("⏰ Time to write: {name}. The draft is ready, it takes a minute.").format(name=name)


def nudge_keyboard(nudge: Nudge) -> InlineKeyboardMarkup:
    """Built row by row: a reminder goes out in bursts, and the keyboard builder (which
    copies every button) would cost more than the whole send."""
    kind = NudgeKind(nudge.kind)

    def button(text: str, action: str, value: str = "") -> InlineKeyboardButton:
        data = NudgeCb(action=action, id=nudge.id, value=value).pack()
        return InlineKeyboardButton(text=text, callback_data=data)

    rows: list[list[InlineKeyboardButton]]
    if kind is NudgeKind.FOLLOW_UP:
        rows = [
            [button(_("✅ Yes, I got feedback"), "yes")],
            [button(_("🤐 No answer"), "no"), button(_("🚫 They declined"), "declined")],
        ]
    elif kind is NudgeKind.STAGE:
        rows = [[button(_("📌 Record the outcome"), "outcome")]]
    else:
        show = DraftCb(action="show", id=nudge.interview_id).pack()
        rows = [[InlineKeyboardButton(text=_("📝 Show the draft"), callback_data=show)]]
    rows.append([button(snooze_label(option), "snooze", option) for option in Snooze])
    rows.append([button(_("✅ Done"), "done"), button(_("🔕 Stop reminding"), "stop")])
    return InlineKeyboardMarkup(inline_keyboard=rows)
