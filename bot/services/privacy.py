"""Use cases around the person's data: everything as one document, or erased."""

from __future__ import annotations

from bot.db.engine import empty_wal
from bot.db.models import User
from bot.db.repositories.interviews import InterviewRepository
from bot.db.repositories.journal import JournalRepository, PlanRepository
from bot.db.repositories.reminders import ReminderRepository
from bot.db.repositories.users import UserRepository
from bot.services.export import export_document
from bot.services.reminders import Reminders
from bot.services.work import Work


class Privacy:
    def __init__(self, work: Work) -> None:
        self._work = work

    async def export(self, user: User) -> bytes:
        """All the person's data as a JSON document (see docs/architecture.md)."""
        session = self._work.session
        return export_document(
            user,
            await InterviewRepository(session).all_for_user(user.id),
            await ReminderRepository(session).all_for_user(user.id),
            await JournalRepository(session).for_user(user.id),
            await PlanRepository(session).steps(user.id),
            self._work.now(),
        )

    async def erase(self, user: User) -> None:
        """Delete the person and everything of theirs: their reminder jobs, and their
        conversations in every chat (a question left open in a group included). On SQLite the
        deleted rows are overwritten in the file (``secure_delete``) and the write-ahead log
        is emptied after the commit."""
        await Reminders(self._work).forget(user_id=user.id)
        await self._work.conversations.forget(user.id)
        await UserRepository(self._work.session).delete(user.id)  # the rest goes with it
        # On SQLite, nothing of theirs left in the write-ahead log either (once committed).
        self._work.after_commit(lambda: empty_wal(self._work.session))
