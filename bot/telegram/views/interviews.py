"""How interviews read: labels, the lines of an interview, its card and list rows.

The intake conversation's own rendering (questions, the summary before saving) is in
:mod:`bot.telegram.views.intake`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from html import escape
from typing import Final

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.db.models import Interview
from bot.domain.intake import (
    Area,
    Channel,
    Outcome,
    Tone,
    from_interview,
    to_fields,
)
from bot.telegram.keyboards.callbacks import InterviewCb
from bot.telegram.views.common import human_date

CHOOSE_SHOWN: Final = 10
"""Interviews offered by commands that ask which one; the rest are in /list."""

CHANNEL_LABELS = {
    Channel.EMAIL: __("Email"),
    Channel.TELEGRAM: __("Telegram"),
    Channel.CHAT: __("hh.ru or site chat"),
    Channel.PHONE: __("Phone"),
    Channel.OTHER: __("Other"),
}
OUTCOME_EMOJI = {
    Outcome.REJECTED: "❌",
    Outcome.WAITING: "⏳",
    Outcome.OFFER: "🎉",
    Outcome.SILENT: "🤐",
}
OUTCOME_LABELS = {
    Outcome.REJECTED: __("Rejected"),
    Outcome.WAITING: __("Waiting for a decision"),
    Outcome.OFFER: __("Offer"),
    Outcome.SILENT: __("The company is silent"),
}
TONE_LABELS = {
    Tone.POLITE: __("polite"),
    Tone.HARSH: __("harsh or unprofessional"),
}
AREA_LABELS = {
    Area.TECHNICAL: __("Technical skills"),
    Area.COMMUNICATION: __("Communication"),
    Area.CULTURE: __("Culture fit"),
    Area.ATTITUDE: __("Attitude and responsibility"),
}


def outcome_text(outcome: str) -> str:
    key = Outcome(outcome)
    return f"{OUTCOME_EMOJI[key]} {OUTCOME_LABELS[key]}"


def interview_lines(
    fields: dict[str, object], today: date, *, with_names: bool = True
) -> list[str]:
    """The lines shared by the summary before saving and the card of a saved interview."""
    lines = (
        [
            _("🏢 Company: {value}").format(value=escape(str(fields["company"]))),
            _("💼 Position: {value}").format(value=escape(str(fields["position"]))),
        ]
        if with_names
        else []
    )
    lines += [
        _("👤 Contact: {value}").format(
            value=escape(str(fields["contact_name"])) if fields["contact_name"] else _("not given")
        ),
    ]
    channel = str(CHANNEL_LABELS[Channel(str(fields["channel"]))])
    address = fields.get("contact_address")
    lines.append(
        _("✉️ Channel: {value}").format(
            value=f"{channel} · {escape(str(address))}" if address else channel
        )
    )
    last_stage = fields["last_stage_on"]
    assert isinstance(last_stage, date)
    lines.append(_("📅 Last stage: {value}").format(value=human_date(last_stage, today)))
    if fields["all_stages_done"]:
        lines.append(_("🔁 Stages: all done"))
    else:
        next_stage = fields.get("next_stage_on")
        lines.append(
            _("🔁 Stages: more ahead, next on {date}").format(date=human_date(next_stage, today))
            if isinstance(next_stage, date)
            else _("🔁 Stages: more ahead, date not known yet")
        )
    outcome = Outcome(str(fields["outcome"]))
    result = outcome_text(outcome)
    if outcome is Outcome.REJECTED and fields.get("rejection_tone"):
        result += f" ({TONE_LABELS[Tone(str(fields['rejection_tone']))]})"
    lines.append(_("📌 Outcome: {value}").format(value=result))
    result_on = fields.get("result_on")
    if isinstance(result_on, date):
        lines.append(_("📨 Answer came: {date}").format(date=human_date(result_on, today)))
    last_contact = fields.get("last_contact_on")
    if isinstance(last_contact, date):
        lines.append(_("📭 Last contact: {date}").format(date=human_date(last_contact, today)))
    if outcome is not Outcome.OFFER:
        areas = [str(AREA_LABELS[Area(area)]).lower() for area in fields.get("priorities") or []]  # type: ignore[attr-defined]
        lines.append(
            _("🎯 Ask about: {value}").format(
                value=", ".join(areas) if areas else _("general impressions")
            )
        )
    return lines


def interview_fields(interview: Interview) -> dict[str, object]:
    """The card shows a saved interview exactly as the summary showed it before saving."""
    return to_fields(from_interview(interview))


def interview_card(interview: Interview, today: date) -> str:
    title = f"<b>{escape(interview.company)}</b> — {escape(interview.position)}"
    lines = [title, "", *interview_lines(interview_fields(interview), today, with_names=False)]
    if interview.archived_at is not None:
        lines += ["", _("🗄 In the archive.")]
    return "\n".join(lines)


def list_row(interview: Interview) -> str:
    emoji = OUTCOME_EMOJI[Outcome(interview.outcome)]
    when = interview.last_stage_on.strftime("%d.%m")
    text = f"{emoji} {interview.company} — {interview.position}"
    if len(text) > 48:
        text = text[:47] + "…"
    return f"{text} · {when}"


def choose_interview(
    interviews: list[Interview], make: Callable[[int], CallbackData]
) -> InlineKeyboardMarkup:
    """One button per interview, for commands that first ask which one (/draft, /feedback):
    the newest :data:`CHOOSE_SHOWN` of ``interviews`` (ask for one more), and «📋 All
    interviews» when there are more (each card has the same buttons)."""
    builder = InlineKeyboardBuilder()
    for interview in interviews[:CHOOSE_SHOWN]:
        builder.button(text=list_row(interview), callback_data=make(interview.id))
    if len(interviews) > CHOOSE_SHOWN:
        builder.button(text=_("📋 All interviews"), callback_data=InterviewCb(action="list"))
    builder.adjust(1)
    return builder.as_markup()
