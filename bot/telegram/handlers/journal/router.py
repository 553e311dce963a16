"""The journal's handlers: /feedback, the parts of the feedback, its buttons, reflection
answers; /plan's handlers are in :mod:`.plan`."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.db.models import User
from bot.services.interviews import Interviews
from bot.services.journal import Journal as JournalService
from bot.telegram.filters import NOT_COMMAND
from bot.telegram.handlers.journal import entries, flow
from bot.telegram.handlers.journal.answers import read_part, read_reflection
from bot.telegram.handlers.journal.plan import cmd_plan, on_plan
from bot.telegram.handlers.utils import Refused
from bot.telegram.keyboards.callbacks import JournalCb, PlanCb
from bot.telegram.states import Journal
from bot.telegram.views.interviews import CHOOSE_SHOWN, choose_interview


async def cmd_feedback(
    message: Message, state: FSMContext, user: User, interviews: Interviews
) -> None:
    recent = await interviews.recent(user, limit=CHOOSE_SHOWN + 1)
    if not recent:
        await message.answer(_("You have no interviews yet. Tap «➕ New interview» or send /new."))
        return
    if len(recent) == 1:
        await flow.begin(message, state, recent[0])
        return
    markup = choose_interview(
        recent, lambda interview_id: JournalCb(action="start", id=interview_id)
    )
    await message.answer(_("📓 Which interview is the feedback about?"), reply_markup=markup)


async def on_text(message: Message, state: FSMContext, bot: Bot) -> None:
    """One more part of the feedback: typed, pasted or forwarded (text or a caption)."""
    data = await flow.load(state)
    parts = read_part(data.get("parts", []), message.text or message.caption or "")
    if isinstance(parts, Refused):
        await message.answer(parts.text)
        return
    await flow.add_part(message, state, bot, data, parts)


async def on_button(
    callback: CallbackQuery,
    callback_data: JournalCb,
    state: FSMContext,
    user: User,
    interviews: Interviews,
    journal: JournalService,
) -> None:
    message = callback.message
    if not isinstance(message, Message):
        await callback.answer(_("This button is no longer active."), show_alert=True)
        return
    if callback_data.action in entries.ACTIONS:
        await entries.on_button(callback, callback_data, message, state, user, interviews, journal)
        return
    await flow.on_step_button(callback, callback_data, message, state, user, interviews, journal)


async def on_reflection(
    message: Message, state: FSMContext, user: User, journal: JournalService
) -> None:
    answer = read_reflection(message.text or "")
    if isinstance(answer, Refused):
        await message.answer(answer.text)
        return
    await flow.add_reflection(message, state, user, journal, answer)


async def latest_answer(message: Message, state: FSMContext) -> dict[str, str] | bool:
    """Filter: an edit of the latest answer of an entry not saved yet."""
    step = flow.answered_by(await flow.load(state), await state.get_state(), message.message_id)
    return False if step is None else {"answered": step}


async def on_edited_answer(message: Message, state: FSMContext, answered: str) -> None:
    """The person corrected their latest part of the feedback or reflection answer: read it
    as that answer again."""
    data = await flow.load(state)
    if answered == "text":
        edited = message.text or message.caption or ""
        parts = read_part(list(data.get("parts", []))[:-1], edited)
        if isinstance(parts, Refused):
            await message.reply(parts.text, allow_sending_without_reply=True)
            return
        await flow.correct_part(message, state, data, parts)
        return
    answer = read_reflection(message.text or "")
    if isinstance(answer, Refused):
        await message.reply(answer.text, allow_sending_without_reply=True)
        return
    await flow.correct_reflection(message, state, data, answer)


async def use_buttons(message: Message) -> None:
    await message.answer(_("Please use the buttons above, or /cancel."))


def create_router() -> Router:
    router = Router(name="journal")
    router.message.register(cmd_feedback, Command("feedback"))
    router.message.register(cmd_plan, Command("plan"))
    router.callback_query.register(on_button, JournalCb.filter())
    router.callback_query.register(on_plan, PlanCb.filter())
    router.message.register(on_text, Journal.text, NOT_COMMAND)
    router.message.register(on_reflection, Journal.reflect, F.text, NOT_COMMAND)
    router.message.register(use_buttons, StateFilter(Journal.areas, Journal.mood), NOT_COMMAND)
    # Any other edit gets the note of :mod:`bot.telegram.handlers.edits`.
    router.edited_message.register(on_edited_answer, NOT_COMMAND, latest_answer)
    return router
