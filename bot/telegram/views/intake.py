"""How the new-interview conversation reads: its questions and their buttons, the summary
card, the list of fields, the explanations of a refused answer and the card after Save."""

from __future__ import annotations

from datetime import date
from html import escape

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.domain.dates import DateProblem
from bot.domain.intake import (
    DATE_STEPS,
    NAME_MAX,
    SKIPPABLE,
    TEXT_STEPS,
    Area,
    Channel,
    Draft,
    Outcome,
    Step,
    TextProblem,
    Tone,
    draft_date,
    previous_step,
    to_fields,
)
from bot.domain.timing import DRAFT_ACTIONS
from bot.services.interviews import REMIND_THEN_MIN, Saved
from bot.telegram.keyboards.callbacks import DraftCb, IntakeCb, InterviewCb, RemindCb
from bot.telegram.views.common import human_date, quote_input
from bot.telegram.views.interviews import (
    AREA_LABELS,
    CHANNEL_LABELS,
    OUTCOME_EMOJI,
    OUTCOME_LABELS,
    TONE_LABELS,
    interview_lines,
    outcome_text,
)
from bot.telegram.views.timing import recommendation_text, when_text

FIELD_STEPS = (
    Step.COMPANY,
    Step.POSITION,
    Step.CONTACT,
    Step.CHANNEL,
    Step.LAST_STAGE,
    Step.ALL_DONE,
    Step.OUTCOME,
    Step.PRIORITIES,
)
"""The fields a saved interview (or a finished draft) offers to change, in this order."""


def _cb(token: str, step: Step | str, action: str, value: str = "") -> IntakeCb:
    return IntakeCb(token=token, step=str(step), action=action, value=value)


# --- questions ----------------------------------------------------------------------------


def question(step: Step, draft: Draft) -> str:
    channel = draft.get(Step.CHANNEL)
    questions = {
        Step.COMPANY: _("🏢 <b>Which company was the interview with?</b>"),
        Step.POSITION: _("💼 <b>Which position?</b>"),
        Step.CONTACT: _(
            "👤 <b>Who interviewed you, or who is your recruiter?</b>\n"
            "Their first name lets the letter greet them personally. You can skip this."
        ),
        Step.CHANNEL: _("✉️ <b>Where do you talk with the company?</b>"),
        Step.LAST_STAGE: _(
            "📅 <b>When was the last stage?</b>\n"
            "Tap a button or type a date: <code>25.11</code>, <code>3 дня назад</code>."
        ),
        Step.ALL_DONE: _("🔁 <b>Were all stages done?</b>"),
        Step.NEXT_STAGE: _(
            "📆 <b>When is the next stage?</b>\n"
            "Type a date, e.g. <code>2.12</code>, or skip if it is not known yet."
        ),
        Step.OUTCOME: _("📌 <b>How did it end for now?</b>"),
        Step.TONE: _(
            "🤝 <b>What was the rejection like?</b>\n"
            "After a harsh one it is better to wait a little before writing."
        ),
        Step.RESULT_ON: _("📨 <b>When did the answer come?</b>\nTap a button or type a date."),
        Step.LAST_CONTACT: _(
            "📭 <b>When did the company last contact you?</b>\nTap a button or type a date."
        ),
        Step.PRIORITIES: _(
            "🎯 <b>What would you most like feedback on?</b>\nChoose one or more, then tap «Done»."
        ),
    }
    if step is Step.ADDRESS:
        if channel == Channel.EMAIL:
            return _("📧 <b>The recruiter's email address?</b> You can skip this.")
        if channel == Channel.TELEGRAM:
            return _(
                "💬 <b>Their Telegram username?</b>\n"
                "E.g. <code>@anna_hr</code> or a link <code>t.me/anna_hr</code>. You can skip this."
            )
        return _("📍 <b>Where exactly?</b> A link or the name of the platform. You can skip this.")
    return questions[step]


def _choice_buttons(
    builder: InlineKeyboardBuilder, step: Step, draft: Draft, token: str, today: date
) -> list[int]:
    """The answer buttons of a step; returns the row sizes."""
    sizes: list[int] = []
    if step is Step.CHANNEL:
        for channel in Channel:
            builder.button(
                text=str(CHANNEL_LABELS[channel]), callback_data=_cb(token, step, "pick", channel)
            )
        sizes += [2, 2, 1]
    elif step is Step.ALL_DONE:
        builder.button(
            text=_("Yes, that was the final stage"), callback_data=_cb(token, step, "pick", "yes")
        )
        builder.button(
            text=_("No, more stages ahead"), callback_data=_cb(token, step, "pick", "no")
        )
        sizes += [1, 1]
    elif step is Step.OUTCOME:
        for outcome in Outcome:
            builder.button(
                text=f"{OUTCOME_EMOJI[outcome]} {OUTCOME_LABELS[outcome]}",
                callback_data=_cb(token, step, "pick", outcome),
            )
        sizes += [2, 2]
    elif step is Step.TONE:
        for tone in Tone:
            builder.button(
                text=str(TONE_LABELS[tone]).capitalize(),
                callback_data=_cb(token, step, "pick", tone),
            )
        sizes += [1, 1]
    elif step is Step.PRIORITIES:
        chosen = set(draft.get(Step.PRIORITIES) or [])
        for area in Area:
            mark = "✅ " if area in chosen else "▫️ "
            builder.button(
                text=mark + str(AREA_LABELS[area]), callback_data=_cb(token, step, "toggle", area)
            )
        builder.button(text=_("Done →"), callback_data=_cb(token, step, "done"))
        sizes += [1, 1, 1, 1, 1]
    elif step in {Step.LAST_STAGE, Step.RESULT_ON}:
        days = (0, 1, 2) if step is Step.LAST_STAGE else (0, 1)
        labels = {0: _("Today"), 1: _("Yesterday"), 2: _("Day before yesterday")}
        for ago in days:
            builder.button(text=labels[ago], callback_data=_cb(token, step, "date", str(ago)))
        builder.button(text=_("📅 Another date"), callback_data=_cb(token, step, "other"))
        sizes += [len(days), 1]
    elif step is Step.LAST_CONTACT:
        stage = draft_date(draft, Step.LAST_STAGE)
        if stage is not None:
            builder.button(
                text=_("On the day of the last stage ({date})").format(
                    date=human_date(stage, today)
                ),
                callback_data=_cb(token, step, "date", "stage"),
            )
            sizes.append(1)
        builder.button(text=_("📅 Another date"), callback_data=_cb(token, step, "other"))
        sizes.append(1)

    return sizes


def prompt(
    step: Step, draft: Draft, token: str, today: date, *, editing: bool
) -> tuple[str, InlineKeyboardMarkup]:
    """The question of a step with its buttons (answers, Keep, Skip, Back, Cancel)."""
    builder = InlineKeyboardBuilder()
    sizes = _choice_buttons(builder, step, draft, token, today)
    current = step_value(draft, step)
    if step in TEXT_STEPS and current is not None and step not in DATE_STEPS:
        builder.button(
            text=_("Keep «{value}»").format(value=_short(current)),
            callback_data=_cb(token, step, "keep"),
        )
        sizes.append(1)
    if step in SKIPPABLE:
        builder.button(text=_("Skip →"), callback_data=_cb(token, step, "skip"))
        sizes.append(1)
    back_label = _("← To the summary") if editing else _("← Back")
    has_back = editing or previous_step(draft, step) is not None
    if has_back:
        builder.button(text=back_label, callback_data=_cb(token, step, "back"))
    builder.button(text=_("✖ Cancel"), callback_data=_cb(token, step, "cancel"))
    sizes.append(2 if has_back else 1)
    builder.adjust(*sizes)

    text = question(step, draft)
    if current is not None and step is not Step.PRIORITIES:
        text += "\n" + _("Now: {value}").format(value=escape(current))
    return text, builder.as_markup()


def _short(value: str, limit: int = 24) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def step_value(draft: Draft, step: Step) -> str | None:
    """The current answer of a step, readable, for «Now: …» when going back (not escaped)."""
    if step not in draft or draft[step] is None:
        return None
    value = draft[step]
    if step in {Step.LAST_STAGE, Step.NEXT_STAGE, Step.RESULT_ON, Step.LAST_CONTACT}:
        parsed = draft_date(draft, step)
        return human_date(parsed) if parsed else None
    if step is Step.CHANNEL:
        return str(CHANNEL_LABELS[Channel(value)])
    if step is Step.OUTCOME:
        return outcome_text(value)
    if step is Step.TONE:
        return str(TONE_LABELS[Tone(value)])
    if step is Step.ALL_DONE:
        return _("all done") if value else _("more ahead")
    if step is Step.PRIORITIES:
        return ", ".join(str(AREA_LABELS[Area(a)]).lower() for a in value) or None
    return str(value)


CORRECTED_QUOTE = 60
"""How much of a corrected answer «Corrected: …» repeats."""


def corrected(step: Step, draft: Draft, today: date) -> str:
    """The line saying that an edited message changed the answer of a (typed) step."""
    lines = {
        Step.COMPANY: _("✏️ Corrected: company — «{value}»"),
        Step.POSITION: _("✏️ Corrected: position — «{value}»"),
        Step.CONTACT: _("✏️ Corrected: contact — «{value}»"),
        Step.ADDRESS: _("✏️ Corrected: address — «{value}»"),
        Step.LAST_STAGE: _("✏️ Corrected: date of the last stage — {value}"),
        Step.NEXT_STAGE: _("✏️ Corrected: date of the next stage — {value}"),
        Step.RESULT_ON: _("✏️ Corrected: date of the answer — {value}"),
        Step.LAST_CONTACT: _("✏️ Corrected: date of the last contact — {value}"),
    }
    day = draft_date(draft, step) if step in DATE_STEPS else None
    value = (
        human_date(day, today)
        if day
        else quote_input(step_value(draft, step) or "", CORRECTED_QUOTE)
    )
    return lines[step].format(value=value)


# --- the summary and the list of fields ---------------------------------------------------


def summary_text(draft: Draft, today: date, *, existing: bool) -> str:
    title = _("<b>Check the changes</b>") if existing else _("<b>Is everything right?</b>")
    return "\n".join([title, "", *interview_lines(to_fields(draft), today)])


def summary_keyboard(token: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("✅ Save"), callback_data=_cb(token, "summary", "save"))
    builder.button(text=_("✏️ Edit"), callback_data=_cb(token, "summary", "edit"))
    builder.button(text=_("✖ Cancel"), callback_data=_cb(token, "summary", "cancel"))
    builder.adjust(1, 2)
    return builder.as_markup()


def _field_label(step: Step) -> str:
    labels = {
        Step.COMPANY: _("🏢 Company"),
        Step.POSITION: _("💼 Position"),
        Step.CONTACT: _("👤 Contact"),
        Step.CHANNEL: _("✉️ Channel and address"),
        Step.LAST_STAGE: _("📅 Last stage date"),
        Step.ALL_DONE: _("🔁 Stages"),
        Step.OUTCOME: _("📌 Outcome"),
        Step.PRIORITIES: _("🎯 What to ask about"),
    }
    return labels[step]


def fields_list(draft: Draft, token: str) -> tuple[str, InlineKeyboardMarkup]:
    """«What do you want to change?» with a button per field (no priorities for an offer)."""
    builder = InlineKeyboardBuilder()
    for step in FIELD_STEPS:
        if step is Step.PRIORITIES and draft.get(Step.OUTCOME) == Outcome.OFFER:
            continue
        builder.button(text=_field_label(step), callback_data=_cb(token, "fields", "field", step))
    builder.button(text=_("← To the summary"), callback_data=_cb(token, "fields", "back"))
    builder.adjust(2)
    return _("✏️ What do you want to change?"), builder.as_markup()


# --- a refused answer -----------------------------------------------------------------------


def name_problem(problem: TextProblem, text: str) -> str:
    if problem is TextProblem.EMPTY:
        return _("This can't be empty. Please type it, or use the buttons above.")
    if problem is TextProblem.BAD_EMAIL:
        return _(
            "«{text}» doesn't look like an email address. Example: <code>anna@company.ru</code>"
        ).format(text=quote_input(text))
    if problem is TextProblem.BAD_TELEGRAM:
        return _(
            "«{text}» isn't a Telegram username. Send one like <code>@anna_hr</code> "
            "or a link <code>t.me/anna_hr</code>."
        ).format(text=quote_input(text))
    return _("That's too long: at most {limit} characters. Please shorten it.").format(
        limit=NAME_MAX
    )


def date_problem(problem: DateProblem, text: str) -> str:
    messages = {
        DateProblem.UNREADABLE: _(
            "I couldn't read «{text}» as a date. Type e.g. <code>25.11</code>, "
            "<code>25.11.2026</code> or <code>3 дня назад</code>."
        ),
        DateProblem.NO_SUCH_DAY: _("There is no such day as «{text}». Check the day and month."),
        DateProblem.IN_FUTURE: _(
            "«{text}» hasn't happened yet. Please give a day that has passed."
        ),
        DateProblem.TOO_OLD: _(
            "«{text}» is more than a year ago. Please give a date within the last year."
        ),
        DateProblem.IN_PAST: _("«{text}» has already passed. Give a day ahead, or skip."),
        DateProblem.TOO_FAR: _("«{text}» is more than a year away. Give a closer date, or skip."),
    }
    return messages[problem].format(text=quote_input(text))


# --- after Save -------------------------------------------------------------------------------


def saved_card(saved: Saved, zone: str, *, existing: bool) -> tuple[str, InlineKeyboardMarkup]:
    """What was saved, the advice on what to do next, and its buttons."""
    interview, now = saved.interview, saved.now
    if existing:
        note = _("✅ Changes saved.")
    else:
        note = _("✅ Saved: {company} — {position}.").format(
            company=quote_input(interview.company, NAME_MAX),
            position=quote_input(interview.position, NAME_MAX),
        )
    builder = InlineKeyboardBuilder()
    sizes = []
    if saved.recommendation.action in DRAFT_ACTIONS:
        builder.button(
            text=_("📝 Show the draft"), callback_data=DraftCb(action="show", id=interview.id)
        )
        sizes.append(1)
    advice = recommendation_text(saved.recommendation, now, zone)
    if saved.stage_check is not None:
        advice += "\n" + _("⏰ I'll ask how the next stage went {when}.").format(
            when=when_text(saved.stage_check.due_at, now, zone)
        )
    if saved.offer is not None:
        choices = [("later", _("⏰ Remind me later"))]
        # «Remind me then» makes sense only when «then» is not «now».
        if saved.offer[1] > now + REMIND_THEN_MIN:
            choices.insert(0, ("then", _("⏰ Remind me then")))
        for action, label in choices:
            builder.button(text=label, callback_data=RemindCb(action=action, id=interview.id))
        sizes.append(len(choices))
    builder.button(text=_("📄 Open"), callback_data=InterviewCb(action="open", id=interview.id))
    builder.button(text=_("📋 All interviews"), callback_data=InterviewCb(action="list"))
    builder.adjust(*sizes, 2)
    return f"{note}\n\n{advice}", builder.as_markup()
