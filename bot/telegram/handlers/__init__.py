"""Routers, one per feature. Handlers stay thin: parse, call a service, render.

Each module builds a fresh router, so any number of dispatchers (tests, replicas) can exist.
"""

from __future__ import annotations

from aiogram import Router

from bot.telegram.handlers import (
    common,
    drafts,
    edits,
    fallback,
    groups,
    intake,
    interviews,
    journal,
    onboarding,
    privacy,
    reminders,
    settings,
    start,
    stats,
    tips,
)
from bot.telegram.middlewares.access import RequireUserMiddleware


def build_root_router() -> Router:
    """All feature routers in the order they must be tried."""
    root = Router(name="root")
    # First: in a group only a note to write in private; nothing below runs there.
    root.include_router(groups.create_router())
    root.include_router(common.create_router())
    root.include_router(start.create_router())
    root.include_router(reminders.create_member_router())
    root.include_router(privacy.create_public_router())
    root.include_router(tips.create_router())

    registered = Router(name="registered")
    registered.message.middleware(RequireUserMiddleware())
    registered.callback_query.middleware(RequireUserMiddleware())
    registered.edited_message.middleware(RequireUserMiddleware())
    registered.include_routers(
        onboarding.create_router(),
        settings.create_router(),
        # Menu buttons and commands first: a tap on «📋 My interviews» in the middle of a
        # conversation opens the list instead of becoming an answer.
        interviews.create_router(),
        drafts.create_router(),
        reminders.create_router(),
        privacy.create_router(),
        journal.create_router(),
        stats.create_router(),
        intake.create_router(),
    )
    root.include_router(registered)

    # Edits no conversation took as a corrected answer: a note that they are not read.
    root.include_router(edits.create_router())
    root.include_router(fallback.create_router())
    return root
