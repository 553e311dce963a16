"""The new-interview conversation: company → … → summary → Save. Back and Cancel everywhere.

The draft lives in the conversation state (see :mod:`bot.domain.intake`), so a restart
continues at the same step with every earlier answer kept. The same conversation edits a
saved interview: it opens on the list of fields and returns to the summary after each one.

``router`` registers the handlers, ``flow`` moves between the steps, ``answers`` reads
typed answers and button values; :mod:`bot.telegram.views.intake` renders the cards.
"""

from __future__ import annotations

from bot.telegram.handlers.intake.flow import DATA_KEY, INTAKE_STATES, STEP_STATES, begin
from bot.telegram.handlers.intake.router import cmd_new, create_router

__all__ = ["DATA_KEY", "INTAKE_STATES", "STEP_STATES", "begin", "cmd_new", "create_router"]
