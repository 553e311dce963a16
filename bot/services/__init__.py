"""Use cases, shared by handlers and scheduler jobs, free of aiogram. Each runs in a
:class:`~bot.services.work.Work` (a session, the clock, the reminder timetable)."""

from __future__ import annotations

from typing import Any

from bot.services.accounts import Accounts
from bot.services.insights import Insights
from bot.services.interviews import Interviews
from bot.services.journal import Journal
from bot.services.privacy import Privacy
from bot.services.profile import Profile
from bot.services.reminders import Reminders
from bot.services.work import Work


def services(work: Work) -> dict[str, Any]:
    """The use cases of one update, by the names handlers ask for them."""
    return {
        "work": work,
        "accounts": Accounts(work),
        "insights": Insights(work),
        "interviews": Interviews(work),
        "journal": Journal(work),
        "privacy": Privacy(work),
        "profile": Profile(work),
        "reminders": Reminders(work),
    }
