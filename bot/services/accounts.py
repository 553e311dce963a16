"""Use cases around the person's account: registering at consent, blocking and unblocking
the bot.

«The person blocked the bot» is handled here only, whoever notices it: the ``my_chat_member``
update (:mod:`bot.telegram.handlers.reminders`) or a 403 on a reminder
(:mod:`bot.scheduler.delivery`).
"""

from __future__ import annotations

from bot.db.models import User
from bot.db.repositories.users import UserRepository
from bot.domain.preferences import default_signature
from bot.services.reminders import Reminders
from bot.services.work import Work


class Accounts:
    def __init__(self, work: Work) -> None:
        self._work = work
        self._users = UserRepository(work.session)

    async def register(
        self,
        *,
        user_id: int,
        first_name: str,
        last_name: str | None,
        language: str,
        timezone: str,
    ) -> tuple[User, bool]:
        """Create the person's record at consent with sensible defaults; idempotent.

        Returns the record and whether it was created now (a repeated tap changes nothing).
        """
        existing = await self._users.get(user_id)
        if existing is not None:
            return existing, False
        signature = default_signature(first_name, last_name) or first_name[:64] or "—"
        user = await self._users.create(
            user_id=user_id,
            language=language,
            signature=signature,
            timezone=timezone,
            now=self._work.now(),
        )
        return user, True

    async def blocked(self, user_id: int) -> None:
        """The person blocked the bot: nothing more is sent to them until they come back.

        They are marked inactive and their pending reminders are cancelled (and taken off the
        timetable after the commit); the interviews keep their state. The reminders of a
        person without a record are cancelled all the same.
        """
        user = await self._users.get(user_id)
        if user is not None:
            await self._users.update(user, self._work.now(), is_active=False)
        await Reminders(self._work).cancel(user_id=user_id)

    async def unblocked(self, user: User) -> None:
        """The person unblocked the bot: active again. Their cancelled reminders stay
        cancelled; new ones are planned as they use the bot."""
        if not user.is_active:
            await self._users.update(user, self._work.now(), is_active=True)
