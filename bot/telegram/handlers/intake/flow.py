"""Moving through the intake conversation: its stored data, asking a question, the summary,
the list of fields, the checks that a pressed card is the current one, and Save."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any

from aiogram import Bot
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot.db.models import Interview, User
from bot.domain.clock import Clock
from bot.domain.intake import (
    DATE_STEPS,
    SKIPPABLE,
    TEXT_STEPS,
    Area,
    Draft,
    Step,
    apply_answer,
    from_interview,
    is_complete,
    next_step,
    normalize,
    previous_step,
    to_fields,
    toggle_area,
)
from bot.domain.preferences import local_today
from bot.services.interviews import Interviews
from bot.telegram.handlers.intake.answers import button_date, check_order, member, pick
from bot.telegram.handlers.utils import drop_keyboard, edit_card, edit_text
from bot.telegram.keyboards.callbacks import IntakeCb
from bot.telegram.keyboards.common import main_menu
from bot.telegram.states import Intake
from bot.telegram.views.intake import (
    FIELD_STEPS,
    corrected,
    fields_list,
    prompt,
    saved_card,
    summary_keyboard,
    summary_text,
)

DATA_KEY = "intake"
ANSWER_KEY = "answer"
"""In the intake's data: the latest typed answer taken, ``{"message_id", "step", "prompt_id"}``
(the person's message, the step it answered, the card the bot showed next)."""
STEP_STATES: dict[Step, State] = {step: getattr(Intake, step.value) for step in Step}
INTAKE_STATES = frozenset(state.state for state in Intake.__all_states__)
EDITABLE_AT = frozenset({*(state.state for state in STEP_STATES.values()), Intake.summary.state})
"""Where an edit of the latest typed answer is taken: at a question or at the summary."""


# --- the conversation's stored data -------------------------------------------------------


async def load(state: FSMContext) -> dict[str, Any]:
    data = await state.get_data()
    stored = data.get(DATA_KEY)
    return dict(stored) if isinstance(stored, dict) else {}


async def save(state: FSMContext, intake: dict[str, Any]) -> None:
    await state.update_data({DATA_KEY: intake})


def today(user: User, clock: Clock) -> date:
    return local_today(clock(), user.timezone)


def step_of(state: str | None) -> Step | None:
    """The step whose question waits for an answer in ``state``."""
    return next((s for s, st in STEP_STATES.items() if st.state == state), None)


def is_current(intake: dict[str, Any], state: str | None, data: IntakeCb) -> bool:
    """A button counts only on the card the conversation is at now (same token, same step)."""
    step = member(Step, data.step)
    expected = {"summary": Intake.summary.state, "fields": Intake.fields.state}.get(
        data.step, STEP_STATES[step].state if step else None
    )
    return bool(intake) and intake.get("token") == data.token and state == expected


# --- moving between steps -------------------------------------------------------------------


async def ask(
    message: Message, state: FSMContext, bot: Bot, user: User, clock: Clock, step: Step
) -> None:
    intake = await load(state)
    await drop_keyboard(bot, message.chat.id, intake.get("prompt_id"))
    text, markup = prompt(
        step,
        intake["draft"],
        intake["token"],
        today(user, clock),
        editing=intake.get("editing", False),
    )
    sent = await message.answer(text, reply_markup=markup)
    intake["prompt_id"] = sent.message_id
    await save(state, intake)
    await state.set_state(STEP_STATES[step])


async def show_summary(
    message: Message, state: FSMContext, bot: Bot, user: User, clock: Clock
) -> None:
    intake = await load(state)
    await drop_keyboard(bot, message.chat.id, intake.get("prompt_id"))
    intake["draft"] = normalize(intake["draft"])
    intake["editing"] = True  # from here on, every change returns to the summary
    text = summary_text(
        intake["draft"], today(user, clock), existing=bool(intake.get("interview_id"))
    )
    sent = await message.answer(text, reply_markup=summary_keyboard(intake["token"]))
    intake["prompt_id"] = sent.message_id
    await save(state, intake)
    await state.set_state(Intake.summary)


async def show_fields(message: Message, state: FSMContext, bot: Bot) -> None:
    intake = await load(state)
    await drop_keyboard(bot, message.chat.id, intake.get("prompt_id"))
    text, markup = fields_list(intake["draft"], intake["token"])
    sent = await message.answer(text, reply_markup=markup)
    intake["prompt_id"] = sent.message_id
    await save(state, intake)
    await state.set_state(Intake.fields)


async def advance(
    message: Message,
    state: FSMContext,
    bot: Bot,
    user: User,
    clock: Clock,
    answered: Step,
    value: Any,
) -> None:
    intake = await load(state)
    draft = apply_answer(intake["draft"], answered, value)
    intake["draft"] = draft
    await save(state, intake)
    following = next_step(draft, answered, editing=intake.get("editing", False))
    if following is None:
        await show_summary(message, state, bot, user, clock)
    else:
        await ask(message, state, bot, user, clock, following)


# --- an edited answer ----------------------------------------------------------------------


async def remember_answer(state: FSMContext, step: Step, message_id: int) -> None:
    """Note that the message ``message_id`` answered ``step``, and which card came next."""
    intake = await load(state)
    intake[ANSWER_KEY] = {
        "message_id": message_id,
        "step": step.value,
        "prompt_id": intake.get("prompt_id"),
    }
    await save(state, intake)


def answered_by(intake: dict[str, Any], state: str | None, message_id: int) -> Step | None:
    """The step an edited message answered, when an edit can still change it: it is the
    latest answer taken, a typed one, and the card shown after it is still the current one
    (no button answer, Back or field list since)."""
    record = intake.get(ANSWER_KEY)
    if not isinstance(record, dict) or record.get("message_id") != message_id:
        return None
    if record.get("prompt_id") != intake.get("prompt_id"):
        return None
    if state not in EDITABLE_AT:
        return None
    step = member(Step, str(record.get("step")))
    return step if step in TEXT_STEPS else None


def _card(
    intake: dict[str, Any], state: str | None, today: date
) -> tuple[str, InlineKeyboardMarkup] | None:
    """What the current card shows for this data (a question or the summary)."""
    if state == Intake.summary.state:
        existing = bool(intake.get("interview_id"))
        text = summary_text(normalize(intake["draft"]), today, existing=existing)
        return text, summary_keyboard(intake["token"])
    step = step_of(state)
    if step is None:
        return None
    editing = bool(intake.get("editing"))
    return prompt(step, intake["draft"], intake["token"], today, editing=editing)


async def correct(
    message: Message, state: FSMContext, bot: Bot, user: User, clock: Clock, step: Step, value: Any
) -> None:
    """Take an edited answer in place of the one it edits; the person stays at the question
    (or the summary) they are at, whose card is redrawn if it showed the old answer. Only a
    last stage moved past the answer date asks that date again, as a fresh answer would."""
    intake = await load(state)
    current = await state.get_state()
    day = today(user, clock)
    before = _card(intake, current, day)
    intake["draft"] = apply_answer(intake["draft"], step, value)
    await save(state, intake)
    await message.reply(corrected(step, intake["draft"], day), allow_sending_without_reply=True)
    if current == Intake.summary.state and not is_complete(intake["draft"]):
        missing = next_step(intake["draft"], None, editing=True)
        assert missing is not None
        await ask(message, state, bot, user, clock, missing)
        await remember_answer(state, step, message.message_id)
        return
    after = _card(intake, current, day)
    if after is not None and after != before and intake.get("prompt_id"):
        await edit_card(bot, message.chat.id, int(intake["prompt_id"]), *after)


# --- starting and stopping ----------------------------------------------------------------


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
    previous = await load(state)
    await drop_keyboard(bot, message.chat.id, previous.get("prompt_id"))
    await state.clear()
    intake: dict[str, Any] = {"token": secrets.token_hex(4), "draft": {}, "editing": False}
    if interview is not None:
        intake.update(draft=from_interview(interview), editing=True, interview_id=interview.id)
    await save(state, intake)
    if interview is None:
        await message.answer(
            _("➕ New interview. It takes under a minute; /cancel stops at any step."),
            reply_markup=main_menu(),
        )
        await ask(message, state, bot, user, clock, Step.COMPANY)
    elif jump_to is not None:
        await ask(message, state, bot, user, clock, jump_to)
    else:
        await show_fields(message, state, bot)


async def cancel(message: Message, state: FSMContext, bot: Bot, intake: dict[str, Any]) -> None:
    await state.clear()
    await drop_keyboard(bot, message.chat.id, message.message_id)
    nothing = (
        _("Cancelled; nothing was changed.")
        if intake.get("interview_id")
        else _("Cancelled; nothing was saved.")
    )
    await message.answer(nothing, reply_markup=main_menu())


# --- buttons --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Context:
    message: Message
    state: FSMContext
    bot: Bot
    user: User
    clock: Clock
    interviews: Interviews
    update_id: int | None = None


async def on_card_button(c: Context, intake: dict[str, Any], data: IntakeCb) -> None:
    """Buttons of the summary and of the list of fields."""
    if data.step == "summary" and data.action == "save":
        await store(c, intake)
    elif data.step == "summary" and data.action == "edit":
        await show_fields(c.message, c.state, c.bot)
    elif data.step == "fields" and (field := member(Step, data.value)) in FIELD_STEPS:
        assert field is not None
        await ask(c.message, c.state, c.bot, c.user, c.clock, field)
    else:
        await show_summary(c.message, c.state, c.bot, c.user, c.clock)


async def on_step_button(
    c: Context, intake: dict[str, Any], step: Step, data: IntakeCb
) -> str | None:
    """A button under a question; returns an alert text when it cannot be taken."""
    action, value = data.action, data.value
    draft: Draft = intake["draft"]
    stale = _("This button is no longer active.")
    answer: Any
    if action == "back":
        if intake.get("editing") and is_complete(draft):
            await show_summary(c.message, c.state, c.bot, c.user, c.clock)
        elif (target := previous_step(draft, step)) is not None:
            await ask(c.message, c.state, c.bot, c.user, c.clock, target)
        return None
    if action == "other" and step in DATE_STEPS:
        await c.message.answer(
            _(
                "Type the date, e.g. <code>25.11</code>, <code>25.11.2026</code> "
                "or <code>вчера</code>."
            )
        )
        return None
    if action == "toggle" and step is Step.PRIORITIES and (area := member(Area, value)):
        draft[Step.PRIORITIES] = toggle_area(draft, area)
        await save(c.state, intake)
        text, markup = prompt(
            step,
            draft,
            intake["token"],
            today(c.user, c.clock),
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
        chosen = button_date(step, draft, value, today(c.user, c.clock))
        if chosen is None:
            return stale
        if problem := check_order(step, draft, chosen):
            return problem
        answer = chosen.isoformat()
    elif action == "pick" and (picked := pick(step, value)) is not None:
        answer = picked
    else:
        return stale
    await advance(c.message, c.state, c.bot, c.user, c.clock, step, answer)
    return None


async def confirm_again(c: Context, data: IntakeCb) -> bool:
    """A Save whose conversation is over because this very update saved it already
    (Telegram sent it again after a crash): the confirmation again, no second copy. False
    otherwise (a second tap, a stale card)."""
    if data.step != "summary" or data.action != "save" or c.update_id is None:
        return False
    saved = await c.interviews.saved_in(c.user, c.update_id)
    if saved is None:
        return False
    text, markup = saved_card(saved, c.user.timezone, existing=False)
    await drop_keyboard(c.bot, c.message.chat.id, c.message.message_id)
    await c.message.answer(text, reply_markup=markup)
    return True


async def store(c: Context, intake: dict[str, Any]) -> None:
    message, state, user = c.message, c.state, c.user
    interview_id = intake.get("interview_id")
    await state.clear()  # committed with the interview
    saved = await c.interviews.save(
        user,
        to_fields(intake["draft"]),
        int(interview_id) if interview_id else None,
        update_id=c.update_id,
    )
    if saved is None:
        await message.answer(_("This interview no longer exists."), reply_markup=main_menu())
        return
    text, markup = saved_card(saved, user.timezone, existing=bool(interview_id))
    await drop_keyboard(c.bot, message.chat.id, message.message_id)
    await message.answer(text, reply_markup=markup)
