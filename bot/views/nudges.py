"""What a reminder says and which buttons act on it."""

from __future__ import annotations

from html import escape

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.db.models import Interview, Nudge
from bot.keyboards.callbacks import DraftCb, NudgeCb
from bot.services.nudges import NudgeKind, Snooze


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
    builder = InlineKeyboardBuilder()
    kind = NudgeKind(nudge.kind)
    sizes: list[int] = []
    if kind is NudgeKind.FOLLOW_UP:
        builder.button(
            text=_("✅ Yes, I got feedback"), callback_data=NudgeCb(action="yes", id=nudge.id)
        )
        builder.button(text=_("🤐 No answer"), callback_data=NudgeCb(action="no", id=nudge.id))
        builder.button(
            text=_("🚫 They declined"), callback_data=NudgeCb(action="declined", id=nudge.id)
        )
        sizes += [1, 2]
    elif kind is NudgeKind.STAGE:
        builder.button(
            text=_("📌 Record the outcome"), callback_data=NudgeCb(action="outcome", id=nudge.id)
        )
        sizes.append(1)
    else:
        builder.button(
            text=_("📝 Show the draft"), callback_data=DraftCb(action="show", id=nudge.interview_id)
        )
        sizes.append(1)
    for option in Snooze:
        builder.button(
            text=snooze_label(option),
            callback_data=NudgeCb(action="snooze", id=nudge.id, value=option),
        )
    sizes.append(3)
    builder.button(text=_("✅ Done"), callback_data=NudgeCb(action="done", id=nudge.id))
    builder.button(text=_("🔕 Stop reminding"), callback_data=NudgeCb(action="stop", id=nudge.id))
    sizes.append(2)
    builder.adjust(*sizes)
    return builder.as_markup()
