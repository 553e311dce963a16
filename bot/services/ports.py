"""What use cases need from the rest of the application, as interfaces."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Planner(Protocol):
    """The reminder timetable: a reminder is put on it (or taken off) after the commit that
    saved (or cancelled) it."""

    def schedule(self, reminder_id: int, due: datetime) -> None: ...

    def unschedule(self, reminder_id: int) -> None: ...


class NoPlanner:
    """Without a scheduler in this process the reconciler of the scheduler process plans."""

    def schedule(self, reminder_id: int, due: datetime) -> None:  # noqa: ARG002
        return None

    def unschedule(self, reminder_id: int) -> None:  # noqa: ARG002
        return None


class Conversations(Protocol):
    """Where conversations (aiogram's FSM state) are kept: the person's, in every chat."""

    async def forget(self, user_id: int) -> None:
        """Erase all of the person's conversations (private chat, groups, topics) with the
        current unit of work: written by its commit, none if it rolls back."""


class NoConversations:
    """A unit of work with no conversations to erase (a scheduler job)."""

    async def forget(self, user_id: int) -> None:  # noqa: ARG002
        return None
