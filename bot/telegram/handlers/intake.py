"""The new-interview conversation: company → … → summary → Save. Back and Cancel everywhere.

The draft lives in the conversation state (see :mod:`bot.domain.intake`), so a restart
continues at the same step with every earlier answer kept. The same conversation edits a
saved interview: it opens on the list of fields and returns to the summary after each one.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from html import escape
from typing import Any, TypeVar

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.db.models import Interview, User
from bot.domain.clock import Clock
from bot.domain.dates import DateError, DateProblem, parse_future_date, parse_past_date
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
    apply_answer,
    clean_name,
    draft_date,
    from_interview,
    is_complete,
    next_step,
    normalize,
    parse_address,
    previous_step,
    to_fields,
    toggle_area,
)
from bot.domain.preferences import local_today
from bot.domain.timing import DRAFT_ACTIONS
from bot.services.interviews import REMIND_THEN_MIN, Interviews
from bot.telegram.filters import NOT_COMMAND, TextIn
from bot.telegram.handlers.utils import drop_keyboard, edit_text
from bot.telegram.keyboards.callbacks import DraftCb, IntakeCb, InterviewCb, RemindCb
from bot.telegram.keyboards.common import MENU_NEW, main_menu
from bot.telegram.states import Intake
from bot.telegram.views.common import human_date, quote_input
from bot.telegram.views.interviews import (
    AREA_LABELS,
    CHANNEL_LABELS,
    OUTCOME_EMOJI,
    OUTCOME_LABELS,
    TONE_LABELS,
    step_value,
    summary_text,
)
from bot.telegram.views.timing import recommendation_text, when_text

DATA_KEY = "intake"
# «Remind me then» makes sense only when «then» is not «now».
E = TypeVar("E", bound=StrEnum)
STEP_STATES: dict[Step, State] = {step: getattr(Intake, step.value) for step in Step}
INTAKE_STATES = frozenset(state.state for state in Intake.__all_states__)


# --- the conversation's stored data -------------------------------------------------------


async def _load(state: FSMContext) -> dict[str, Any]:
    data = await state.get_data()
    stored = data.get(DATA_KEY)
    return dict(stored) if isinstance(stored, dict) else {}


async def _save(state: FSMContext, intake: dict[str, Any]) -> None:
    await state.update_data({DATA_KEY: intake})


def _today(user: User, clock: Clock) -> date:
    return local_today(clock(), user.timezone)


# --- prompts ------------------------------------------------------------------------------


def _cb(token: str, step: Step | str, action: str, value: str = "") -> IntakeCb:
    return IntakeCb(token=token, step=str(step), action=action, value=value)


def _question(step: Step, draft: Draft) -> str:
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


def _prompt(
    step: Step, draft: Draft, token: str, today: date, *, editing: bool
) -> tuple[str, InlineKeyboardMarkup]:
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

    text = _question(step, draft)
    if current is not None and step is not Step.PRIORITIES:
        text += "\n" + _("Now: {value}").format(value=escape(current))
    return text, builder.as_markup()


def _short(value: str, limit: int = 24) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


async def _ask(
    message: Message, state: FSMContext, bot: Bot, user: User, clock: Clock, step: Step
) -> None:
    intake = await _load(state)
    await drop_keyboard(bot, message.chat.id, intake.get("prompt_id"))
    text, markup = _prompt(
        step,
        intake["draft"],
        intake["token"],
        _today(user, clock),
        editing=intake.get("editing", False),
    )
    sent = await message.answer(text, reply_markup=markup)
    intake["prompt_id"] = sent.message_id
    await _save(state, intake)
    await state.set_state(STEP_STATES[step])


def _summary_keyboard(token: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("✅ Save"), callback_data=_cb(token, "summary", "save"))
    builder.button(text=_("✏️ Edit"), callback_data=_cb(token, "summary", "edit"))
    builder.button(text=_("✖ Cancel"), callback_data=_cb(token, "summary", "cancel"))
    builder.adjust(1, 2)
    return builder.as_markup()


async def _show_summary(
    message: Message, state: FSMContext, bot: Bot, user: User, clock: Clock
) -> None:
    intake = await _load(state)
    await drop_keyboard(bot, message.chat.id, intake.get("prompt_id"))
    intake["draft"] = normalize(intake["draft"])
    intake["editing"] = True  # from here on, every change returns to the summary
    text = summary_text(
        intake["draft"], _today(user, clock), existing=bool(intake.get("interview_id"))
    )
    sent = await message.answer(text, reply_markup=_summary_keyboard(intake["token"]))
    intake["prompt_id"] = sent.message_id
    await _save(state, intake)
    await state.set_state(Intake.summary)


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


async def _show_fields(message: Message, state: FSMContext, bot: Bot) -> None:
    intake = await _load(state)
    await drop_keyboard(bot, message.chat.id, intake.get("prompt_id"))
    builder = InlineKeyboardBuilder()
    for step in FIELD_STEPS:
        if step is Step.PRIORITIES and intake["draft"].get(Step.OUTCOME) == Outcome.OFFER:
            continue
        builder.button(
            text=_field_label(step), callback_data=_cb(intake["token"], "fields", "field", step)
        )
    builder.button(text=_("← To the summary"), callback_data=_cb(intake["token"], "fields", "back"))
    builder.adjust(2)
    sent = await message.answer(
        _("✏️ What do you want to change?"), reply_markup=builder.as_markup()
    )
    intake["prompt_id"] = sent.message_id
    await _save(state, intake)
    await state.set_state(Intake.fields)


async def _advance(
    message: Message,
    state: FSMContext,
    bot: Bot,
    user: User,
    clock: Clock,
    answered: Step,
    value: Any,
) -> None:
    intake = await _load(state)
    draft = apply_answer(intake["draft"], answered, value)
    intake["draft"] = draft
    await _save(state, intake)
    following = next_step(draft, answered, editing=intake.get("editing", False))
    if following is None:
        await _show_summary(message, state, bot, user, clock)
    else:
        await _ask(message, state, bot, user, clock, following)


# --- starting -------------------------------------------------------------------------------


async def begin(
    message: Message,
    state: FSMContext,
    bot: Bot,
    user: User,
    clock: Clock,
    *,
    interview: Interview | None = None,
    jump_to: Step | None = None,
) -> None:
    """Start a new interview, or edit a saved one (opening on ``jump_to`` or the field list)."""
    previous = await _load(state)
    await drop_keyboard(bot, message.chat.id, previous.get("prompt_id"))
    await state.clear()
    intake: dict[str, Any] = {"token": secrets.token_hex(4), "draft": {}, "editing": False}
    if interview is not None:
        intake.update(draft=from_interview(interview), editing=True, interview_id=interview.id)
    await _save(state, intake)
    if interview is None:
        await message.answer(
            _("➕ New interview. It takes under a minute; /cancel stops at any step."),
            reply_markup=main_menu(),
        )
        await _ask(message, state, bot, user, clock, Step.COMPANY)
    elif jump_to is not None:
        await _ask(message, state, bot, user, clock, jump_to)
    else:
        await _show_fields(message, state, bot)


async def cmd_new(message: Message, state: FSMContext, bot: Bot, user: User, clock: Clock) -> None:
    await begin(message, state, bot, user, clock)


# --- typed answers -------------------------------------------------------------------------


def _name_problem(problem: TextProblem, text: str) -> str:
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


def _date_problem(problem: DateProblem, text: str) -> str:
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


def _check_order(step: Step, draft: Draft, value: date) -> str | None:
    """An answer or a last contact cannot come before the last stage."""
    stage = draft_date(draft, Step.LAST_STAGE)
    if step in {Step.RESULT_ON, Step.LAST_CONTACT} and stage is not None and value < stage:
        return _("That is before the last stage ({date}). Please check the date.").format(
            date=human_date(stage)
        )
    return None


def _parse_date(step: Step, text: str, today: date) -> date | DateError:
    if step is Step.NEXT_STAGE:
        return parse_future_date(text, today)
    return parse_past_date(text, today)


async def on_text(message: Message, state: FSMContext, bot: Bot, user: User, clock: Clock) -> None:
    current = await state.get_state()
    step = next((s for s, st in STEP_STATES.items() if st.state == current), None)
    intake = await _load(state)
    if step is None or not intake:
        await message.answer(_("Please use the buttons above, or /cancel."))
        return
    text = message.text or ""
    draft: Draft = intake["draft"]
    value: Any
    if step in DATE_STEPS:
        parsed = _parse_date(step, text, _today(user, clock))
        if isinstance(parsed, DateError):
            await message.answer(_date_problem(parsed.problem, text))
            return
        problem = _check_order(step, draft, parsed)
        if problem:
            await message.answer(problem)
            return
        value = parsed.isoformat()
    elif step is Step.ADDRESS:
        address = parse_address(draft.get(Step.CHANNEL), text)
        if isinstance(address, TextProblem):
            await message.answer(_name_problem(address, text))
            return
        value = address
    elif step in TEXT_STEPS:
        name = clean_name(text)
        if isinstance(name, TextProblem):
            await message.answer(_name_problem(name, text))
            return
        value = name
    else:
        await message.answer(_("Please choose one of the buttons above, or /cancel."))
        return
    await _advance(message, state, bot, user, clock, step, value)


async def on_not_text(message: Message, state: FSMContext) -> None:
    current = await state.get_state()
    if current in {Intake.summary.state, Intake.fields.state}:
        await message.answer(_("Please use the buttons above: Save, Edit or Cancel."))
    else:
        await message.answer(_("Please answer with text or the buttons above, or /cancel."))


# --- buttons -------------------------------------------------------------------------------


def _member(enum: type[E], value: str) -> E | None:
    try:
        return enum(value)
    except ValueError:
        return None


async def on_button(
    callback: CallbackQuery,
    callback_data: IntakeCb,
    state: FSMContext,
    bot: Bot,
    user: User,
    clock: Clock,
    interviews: Interviews,
) -> None:
    message = callback.message
    intake = await _load(state)
    current = await state.get_state()
    step = _member(Step, callback_data.step)
    expected = {"summary": Intake.summary.state, "fields": Intake.fields.state}.get(
        callback_data.step, STEP_STATES[step].state if step else None
    )
    if (
        not isinstance(message, Message)
        or not intake
        or intake.get("token") != callback_data.token
        or current != expected
    ):
        await callback.answer(_("This card is outdated. Start again with /new."), show_alert=True)
        return
    if callback_data.action == "cancel":
        await callback.answer()
        await state.clear()
        await drop_keyboard(bot, message.chat.id, message.message_id)
        nothing = (
            _("Cancelled; nothing was changed.")
            if intake.get("interview_id")
            else _("Cancelled; nothing was saved.")
        )
        await message.answer(nothing, reply_markup=main_menu())
        return
    context = _Context(message, state, bot, user, clock, interviews)
    if step is None:
        await callback.answer()
        await _on_card_button(context, intake, callback_data)
        return
    problem = await _on_step_button(context, intake, step, callback_data)
    await callback.answer(problem, show_alert=bool(problem))


@dataclass(frozen=True, slots=True)
class _Context:
    message: Message
    state: FSMContext
    bot: Bot
    user: User
    clock: Clock
    interviews: Interviews


async def _on_card_button(c: _Context, intake: dict[str, Any], data: IntakeCb) -> None:
    """Buttons of the summary and of the list of fields."""
    if data.step == "summary" and data.action == "save":
        await _store(c, intake)
    elif data.step == "summary" and data.action == "edit":
        await _show_fields(c.message, c.state, c.bot)
    elif data.step == "fields" and (field := _member(Step, data.value)) in FIELD_STEPS:
        assert field is not None
        await _ask(c.message, c.state, c.bot, c.user, c.clock, field)
    else:
        await _show_summary(c.message, c.state, c.bot, c.user, c.clock)


async def _on_step_button(
    c: _Context, intake: dict[str, Any], step: Step, data: IntakeCb
) -> str | None:
    """A button under a question; returns an alert text when it cannot be taken."""
    action, value = data.action, data.value
    draft: Draft = intake["draft"]
    stale = _("This button is no longer active.")
    answer: Any
    if action == "back":
        if intake.get("editing") and is_complete(draft):
            await _show_summary(c.message, c.state, c.bot, c.user, c.clock)
        elif (target := previous_step(draft, step)) is not None:
            await _ask(c.message, c.state, c.bot, c.user, c.clock, target)
        return None
    if action == "other" and step in DATE_STEPS:
        await c.message.answer(
            _(
                "Type the date, e.g. <code>25.11</code>, <code>25.11.2026</code> "
                "or <code>вчера</code>."
            )
        )
        return None
    if action == "toggle" and step is Step.PRIORITIES and (area := _member(Area, value)):
        draft[Step.PRIORITIES] = toggle_area(draft, area)
        await _save(c.state, intake)
        text, markup = _prompt(
            step,
            draft,
            intake["token"],
            _today(c.user, c.clock),
            editing=bool(intake.get("editing")),
        )
        await edit_text(c.message, text, markup)
        return None
    if action == "keep" and step in draft:
        answer = draft[step]
    elif action == "skip" and step in SKIPPABLE:
        answer = None
    elif action == "done" and step is Step.PRIORITIES:
        answer = list(draft.get(Step.PRIORITIES) or [])
    elif action == "date" and step in DATE_STEPS:
        chosen = _button_date(step, draft, value, _today(c.user, c.clock))
        if chosen is None:
            return stale
        if problem := _check_order(step, draft, chosen):
            return problem
        answer = chosen.isoformat()
    elif action == "pick" and (picked := _pick(step, value)) is not None:
        answer = picked
    else:
        return stale
    await _advance(c.message, c.state, c.bot, c.user, c.clock, step, answer)
    return None


def _button_date(step: Step, draft: Draft, value: str, today: date) -> date | None:
    if value == "stage" and step is Step.LAST_CONTACT:
        return draft_date(draft, Step.LAST_STAGE)
    if value in {"0", "1", "2"}:
        return today - timedelta(days=int(value))
    return None


def _pick(step: Step, value: str) -> str | bool | None:
    if step is Step.ALL_DONE:
        return value == "yes" if value in {"yes", "no"} else None
    choices: dict[Step, type[StrEnum]] = {
        Step.CHANNEL: Channel,
        Step.OUTCOME: Outcome,
        Step.TONE: Tone,
    }
    enum = choices.get(step)
    member = _member(enum, value) if enum else None
    return None if member is None else str(member)


async def _store(c: _Context, intake: dict[str, Any]) -> None:
    message, state, user = c.message, c.state, c.user
    interview_id = intake.get("interview_id")
    await state.clear()  # committed with the interview
    saved = await c.interviews.save(
        user, to_fields(intake["draft"]), int(interview_id) if interview_id else None
    )
    if saved is None:
        await message.answer(_("This interview no longer exists."), reply_markup=main_menu())
        return
    interview, now = saved.interview, saved.now
    if interview_id:
        note = _("✅ Changes saved.")
    else:
        note = _("✅ Saved: {company} — {position}.").format(
            company=quote_input(interview.company, NAME_MAX),
            position=quote_input(interview.position, NAME_MAX),
        )
    await drop_keyboard(c.bot, message.chat.id, message.message_id)
    builder = InlineKeyboardBuilder()
    sizes = []
    if saved.recommendation.action in DRAFT_ACTIONS:
        builder.button(
            text=_("📝 Show the draft"), callback_data=DraftCb(action="show", id=interview.id)
        )
        sizes.append(1)
    advice = recommendation_text(saved.recommendation, now, user.timezone)
    if saved.stage_check is not None:
        advice += "\n" + _("⏰ I'll ask how the next stage went {when}.").format(
            when=when_text(saved.stage_check.due_at, now, user.timezone)
        )
    if saved.offer is not None:
        choices = [("later", _("⏰ Remind me later"))]
        if saved.offer[1] > now + REMIND_THEN_MIN:
            choices.insert(0, ("then", _("⏰ Remind me then")))
        for action, label in choices:
            builder.button(text=label, callback_data=RemindCb(action=action, id=interview.id))
        sizes.append(len(choices))
    builder.button(text=_("📄 Open"), callback_data=InterviewCb(action="open", id=interview.id))
    builder.button(text=_("📋 All interviews"), callback_data=InterviewCb(action="list"))
    builder.adjust(*sizes, 2)
    await message.answer(f"{note}\n\n{advice}", reply_markup=builder.as_markup())


def create_router() -> Router:
    router = Router(name="intake")
    router.message.register(cmd_new, Command("new"))
    router.message.register(cmd_new, TextIn(MENU_NEW))
    router.callback_query.register(on_button, IntakeCb.filter())
    router.message.register(on_text, StateFilter(*STEP_STATES.values()), F.text, NOT_COMMAND)
    router.message.register(on_not_text, StateFilter(*Intake.__all_states__), NOT_COMMAND)
    return router
