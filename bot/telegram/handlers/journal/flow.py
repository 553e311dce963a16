"""Moving through a journal entry: the feedback text (several messages joined), its areas,
its tone, then Save; or «no feedback» / «declined» at once; and the three reflection
questions. The conversation's data lives under :data:`KEY` in the state."""

from __future__ import annotations

from html import escape
from typing import Any

from aiogram import Bot
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.db.models import Interview, User
from bot.domain.journal import EntryKind, JournalArea, Sentiment, join_parts
from bot.services.interviews import Interviews
from bot.services.journal import Journal as JournalService
from bot.telegram.handlers.journal.answers import toggle_area
from bot.telegram.handlers.utils import drop_keyboard, edit_text
from bot.telegram.keyboards.callbacks import JournalCb
from bot.telegram.keyboards.common import main_menu
from bot.telegram.states import Journal
from bot.telegram.views.journal import (
    areas_prompt,
    corrected_part,
    corrected_reflection,
    mood_prompt,
    reflection_questions,
    saved_card,
    text_keyboard,
)

KEY = "journal"
ENTRY_STATES = frozenset({Journal.text.state, Journal.areas.state, Journal.mood.state})
ANSWER_KEY = "answer"
"""The latest typed answer taken: ``{"message_id", "step": "text", "prompt"}`` for a part of
the feedback (with the card shown after it), ``{"message_id", "step": "reflect", "index"}``
for a reflection answer."""


async def load(state: FSMContext) -> dict[str, Any]:
    stored = (await state.get_data()).get(KEY)
    return dict(stored) if isinstance(stored, dict) else {}


async def store(state: FSMContext, data: dict[str, Any]) -> None:
    await state.update_data({KEY: data})


# --- the feedback entry ---------------------------------------------------------------------


async def begin(
    message: Message, state: FSMContext, interview: Interview, entry_id: int | None = None
) -> None:
    """Open the journal entry for an interview (from its card, a reminder or /feedback);
    with ``entry_id`` the answers replace that entry."""
    await state.clear()
    await state.set_state(Journal.text)
    sent = await message.answer(
        _(
            "📓 <b>{company}</b>: paste the feedback or forward the recruiter's message. "
            "Several messages in a row are joined; tap «Done» when that's all."
        ).format(company=escape(interview.company)),
        reply_markup=text_keyboard(0),
    )
    await store(
        state,
        {
            "interview_id": interview.id,
            "parts": [],
            "prompt": sent.message_id,
            "entry_id": entry_id,
        },
    )


async def add_part(
    message: Message, state: FSMContext, bot: Bot, data: dict[str, Any], parts: list[str]
) -> None:
    """Keep the feedback so far and ask for more, or «Done»."""
    await drop_keyboard(bot, message.chat.id, data.get("prompt"))
    sent = await message.answer(
        _("📝 Added ({count} so far). More, or «Done»?").format(count=len(parts)),
        reply_markup=text_keyboard(len(parts)),
    )
    data.update(parts=parts, prompt=sent.message_id)
    data[ANSWER_KEY] = {"message_id": message.message_id, "step": "text", "prompt": sent.message_id}
    await store(state, data)


async def on_step_button(
    callback: CallbackQuery,
    callback_data: JournalCb,
    message: Message,
    state: FSMContext,
    user: User,
    interviews: Interviews,
    journal: JournalService,
) -> None:
    """The buttons of the entry being written; an outdated card only says so."""
    action = callback_data.action
    data = await load(state)
    current = await state.get_state()
    interview = (
        await interviews.get(user, int(data["interview_id"])) if data.get("interview_id") else None
    )
    if interview is None or current not in ENTRY_STATES:
        await callback.answer(_("This card is outdated."), show_alert=True)
        return
    if action == "cancel":
        await state.clear()
        await edit_text(message, _("Cancelled; nothing was saved."))
    elif action in {"none", "declined"} and current == Journal.text.state:
        await save(message, state, journal, user, interview, kind=EntryKind(action))
    elif action == "done" and current == Journal.text.state and data.get("parts"):
        await state.set_state(Journal.areas)
        await edit_text(message, *areas_prompt([]))
    elif (
        action == "area"
        and current == Journal.areas.state
        and callback_data.value in set(JournalArea)
    ):
        data["areas"] = toggle_area(data.get("areas", []), callback_data.value)
        await store(state, data)
        await edit_text(message, *areas_prompt(data["areas"]))
    elif action == "areas_done" and current == Journal.areas.state:
        await state.set_state(Journal.mood)
        await edit_text(message, *mood_prompt())
    elif (
        action == "mood" and current == Journal.mood.state and callback_data.value in set(Sentiment)
    ):
        await save(
            message,
            state,
            journal,
            user,
            interview,
            kind=EntryKind.FEEDBACK,
            sentiment=Sentiment(callback_data.value),
        )
    else:  # e.g. a second tap on «Done»: the query is answered once, with this alert
        await callback.answer(_("This button is no longer active."), show_alert=True)
        return
    await callback.answer()


async def save(
    message: Message,
    state: FSMContext,
    journal: JournalService,
    user: User,
    interview: Interview,
    *,
    kind: EntryKind,
    sentiment: Sentiment | None = None,
) -> None:
    data = await load(state)
    areas = list(data.get("areas", [])) if kind is EntryKind.FEEDBACK else []
    await journal.record(
        user,
        interview,
        kind,
        text=join_parts(data.get("parts", [])) or None,
        areas=areas,
        sentiment=sentiment,
        entry_id=int(data["entry_id"]) if data.get("entry_id") else None,
    )
    await state.clear()
    await edit_text(message, message.html_text or "")  # the question keeps its text, loses buttons
    text, markup = saved_card(interview.id, kind, areas, sentiment)
    await message.answer(text, reply_markup=markup)


# --- an edited answer ----------------------------------------------------------------------


def answered_by(data: dict[str, Any], state: str | None, message_id: int) -> str | None:
    """What an edited message answered («text» or «reflect»), when the edit can still change
    it: it is the latest answer, and the entry it belongs to is not saved yet."""
    record = data.get(ANSWER_KEY)
    if not isinstance(record, dict) or record.get("message_id") != message_id:
        return None
    step = record.get("step")
    if step == "text" and state in ENTRY_STATES and data.get("parts"):
        return "text" if record.get("prompt") == data.get("prompt") else None
    if step == "reflect" and state == Journal.reflect.state:
        latest = len(data.get("answers", [])) - 1
        return "reflect" if record.get("index") == latest else None
    return None


async def correct_part(
    message: Message, state: FSMContext, data: dict[str, Any], parts: list[str]
) -> None:
    """The latest part of the feedback, as edited; the question on screen stays."""
    data["parts"] = parts
    await store(state, data)
    await message.reply(corrected_part(parts[-1]), allow_sending_without_reply=True)


async def correct_reflection(
    message: Message, state: FSMContext, data: dict[str, Any], answer: str
) -> None:
    """The latest reflection answer, as edited; the next question stays."""
    data["answers"] = [*data.get("answers", [])[:-1], answer]
    await store(state, data)
    await message.reply(corrected_reflection(answer), allow_sending_without_reply=True)


# --- reflection ------------------------------------------------------------------------------


async def begin_reflection(message: Message, state: FSMContext, interview: Interview) -> None:
    await state.clear()
    await state.set_state(Journal.reflect)
    await store(state, {"interview_id": interview.id, "answers": []})
    await message.answer(reflection_questions()[0])


async def add_reflection(
    message: Message,
    state: FSMContext,
    user: User,
    journal: JournalService,
    answer: str,
) -> None:
    """Ask the next question, or save the three answers as one entry."""
    data = await load(state)
    answers = [*data.get("answers", []), answer]
    questions = reflection_questions()
    if len(answers) < len(questions):
        data["answers"] = answers
        index = len(answers) - 1
        data[ANSWER_KEY] = {"message_id": message.message_id, "step": "reflect", "index": index}
        await store(state, data)
        await message.answer(questions[len(answers)])
        return
    text = "\n\n".join(
        f"{question}\n{reply}" for question, reply in zip(questions, answers, strict=True)
    )
    interview = await journal.reflect(user, int(data["interview_id"]), text)
    await state.clear()
    if interview is None:
        await message.answer(_("Interview not found. It may have been deleted."))
        return
    await message.answer(
        _("🪞 Saved to the journal. Honest answers like these make the next interview go better."),
        reply_markup=main_menu(),
    )
