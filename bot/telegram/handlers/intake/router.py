"""The intake conversation's handlers: /new and the menu button, typed answers, buttons."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, Update
from aiogram.utils.i18n import gettext as _

from bot.db.models import User
from bot.domain.clock import Clock
from bot.domain.intake import Step
from bot.services.interviews import Interviews
from bot.telegram.filters import NOT_COMMAND, TextIn
from bot.telegram.handlers.intake import flow
from bot.telegram.handlers.intake.answers import member, read_text
from bot.telegram.handlers.utils import Refused
from bot.telegram.keyboards.callbacks import IntakeCb
from bot.telegram.keyboards.common import MENU_NEW
from bot.telegram.states import Intake


async def cmd_new(message: Message, state: FSMContext, bot: Bot, user: User, clock: Clock) -> None:
    await flow.begin(message, state, bot, user, clock)


async def on_text(message: Message, state: FSMContext, bot: Bot, user: User, clock: Clock) -> None:
    step = flow.step_of(await state.get_state())
    intake = await flow.load(state)
    if step is None or not intake:
        await message.answer(_("Please use the buttons above, or /cancel."))
        return
    value = read_text(step, intake["draft"], message.text or "", flow.today(user, clock))
    if isinstance(value, Refused):
        await message.answer(value.text)
        return
    await flow.advance(message, state, bot, user, clock, step, value)
    await flow.remember_answer(state, step, message.message_id)


async def latest_answer(message: Message, state: FSMContext) -> dict[str, Step] | bool:
    """Filter: an edit of the latest typed answer, which the edit may still change."""
    step = flow.answered_by(await flow.load(state), await state.get_state(), message.message_id)
    return False if step is None else {"answered": step}


async def on_edited_answer(
    message: Message, state: FSMContext, bot: Bot, user: User, clock: Clock, answered: Step
) -> None:
    """The person corrected their latest answer: read it as that answer again."""
    intake = await flow.load(state)
    value = read_text(answered, intake["draft"], message.text or "", flow.today(user, clock))
    if isinstance(value, Refused):
        await message.reply(value.text, allow_sending_without_reply=True)
        return
    await flow.correct(message, state, bot, user, clock, answered, value)


async def on_not_text(message: Message, state: FSMContext) -> None:
    current = await state.get_state()
    if current in {Intake.summary.state, Intake.fields.state}:
        await message.answer(_("Please use the buttons above: Save, Edit or Cancel."))
    else:
        await message.answer(_("Please answer with text or the buttons above, or /cancel."))


async def on_button(
    callback: CallbackQuery,
    callback_data: IntakeCb,
    state: FSMContext,
    bot: Bot,
    user: User,
    clock: Clock,
    interviews: Interviews,
    event_update: Update,
) -> None:
    message = callback.message
    intake = await flow.load(state)
    current = await state.get_state()
    if not isinstance(message, Message):
        await callback.answer(_("This card is outdated. Start again with /new."), show_alert=True)
        return
    context = flow.Context(message, state, bot, user, clock, interviews, event_update.update_id)
    if not flow.is_current(intake, current, callback_data):
        if await flow.confirm_again(context, callback_data):
            await callback.answer()
            return
        await callback.answer(_("This card is outdated. Start again with /new."), show_alert=True)
        return
    if callback_data.action == "cancel":
        await callback.answer()
        await flow.cancel(message, state, bot, intake)
        return
    step = member(Step, callback_data.step)
    if step is None:
        await callback.answer()
        await flow.on_card_button(context, intake, callback_data)
        return
    problem = await flow.on_step_button(context, intake, step, callback_data)
    await callback.answer(problem, show_alert=bool(problem))


def create_router() -> Router:
    router = Router(name="intake")
    router.message.register(cmd_new, Command("new"))
    router.message.register(cmd_new, TextIn(MENU_NEW))
    router.callback_query.register(on_button, IntakeCb.filter())
    router.message.register(on_text, StateFilter(*flow.STEP_STATES.values()), F.text, NOT_COMMAND)
    router.message.register(on_not_text, StateFilter(*Intake.__all_states__), NOT_COMMAND)
    # Any other edit gets the note of :mod:`bot.telegram.handlers.edits`.
    router.edited_message.register(on_edited_answer, F.text, NOT_COMMAND, latest_answer)
    return router
