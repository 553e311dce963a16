"""Edited messages that no conversation took as a corrected answer.

The intake and the journal take an edit of the latest answer they took (see their routers).
Any other edit in the private chat (an older answer, a command, a message outside any
conversation) changes nothing, and the person is told so once per message, with the way to
change what they meant to: the summary's «✏️ Edit» during the intake, the interview's card
afterwards. Which messages were answered is kept in the conversation data (the last
:data:`NOTED_KEPT`), so a message edited again gets no second note.

Edits in groups are the groups router's (no answer there). Before consent nothing is stored,
not even which edit was answered, and there is no answer to change: such edits get no answer.
"""

from __future__ import annotations

from typing import Final

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from bot.db.models import User
from bot.telegram.handlers.intake import INTAKE_STATES
from bot.telegram.keyboards.common import MENU_LIST
from bot.telegram.states import Intake, Journal

NOTED_KEY: Final = "edits_noted"
"""In the conversation data: ids of the edited messages already answered with the note."""
NOTED_KEPT: Final = 20
JOURNAL_STATES: Final = frozenset(state.state for state in Journal.__all_states__)


def note(state: str | None) -> str:
    """Edits are not read, and how to change what the person meant to, where they are."""
    if state in {Intake.summary.state, Intake.fields.state}:
        return _(
            "✏️ I only take edits of your latest answer, so this one stays as it was. "
            "To change it, tap «{edit}» under your answers and choose the field."
        ).format(edit=_("✏️ Edit"))
    if state in INTAKE_STATES:
        return _(
            "✏️ I only take edits of your latest answer, so this one stays as it was. "
            "You can change any answer at the end: when I show all your answers, tap «{edit}»."
        ).format(edit=_("✏️ Edit"))
    if state in JOURNAL_STATES:
        return _(
            "✏️ I only take edits of your latest answer, so this one stays as it was. "
            "Once the entry is saved, you can rewrite it: the interview's «{journal}» → «{edit}»."
        ).format(journal=_("📓 Journal"), edit=_("✏️ Edit entry"))
    return _(
        "✏️ I don't read edits of earlier messages, so nothing changed. Send the correction "
        "as a new message; a saved interview is changed on its card: «{list}» → «{edit}»."
    ).format(list=_(MENU_LIST), edit=_("✏️ Edit"))


async def on_edit(message: Message, state: FSMContext) -> None:
    data = await state.get_data()
    stored = data.get(NOTED_KEY)
    noted = [item for item in stored if isinstance(item, int)] if isinstance(stored, list) else []
    if message.message_id in noted:
        return
    await state.update_data({NOTED_KEY: [*noted, message.message_id][-NOTED_KEPT:]})
    await message.reply(note(await state.get_state()), allow_sending_without_reply=True)


def has_consented(_message: Message, user: User | None) -> bool:
    return user is not None


def create_router() -> Router:
    router = Router(name="edits")
    router.edited_message.register(on_edit, F.chat.type == ChatType.PRIVATE, has_consented)
    return router
