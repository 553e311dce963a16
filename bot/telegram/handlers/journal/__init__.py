"""The feedback journal: record what the employer said (pasted, forwarded, several messages),
tag it, and get the next steps; or note that none came and reflect on your own. /plan.

``router`` registers the handlers, ``flow`` moves through an entry and the reflection,
``entries`` answers the buttons that name an interview or an entry, ``plan`` is /plan,
``answers`` reads typed answers and button values; :mod:`bot.telegram.views.journal`
renders the cards.
"""

from __future__ import annotations

from bot.telegram.handlers.journal.flow import KEY, begin
from bot.telegram.handlers.journal.router import create_router

__all__ = ["KEY", "begin", "create_router"]
