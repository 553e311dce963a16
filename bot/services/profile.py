"""Use cases around the person's settings: onboarding answers, /settings changes."""

from __future__ import annotations

from bot.db.models import User
from bot.db.repositories.users import UserRepository
from bot.domain.calendar import calendar_after_zone_change
from bot.services.reminders import Reminders
from bot.services.work import Work


class Profile:
    def __init__(self, work: Work) -> None:
        self._work = work
        self._users = UserRepository(work.session)

    async def change(self, user: User, **changes: object) -> User:
        """Change settings (written with the update's commit)."""
        return await self._users.update(user, self._work.now(), **changes)

    async def finish_onboarding(self, user: User) -> User:
        """Onboarding is over (answered, skipped or cancelled): defaults stay for the rest."""
        if user.onboarded_at is None:
            await self._users.update(user, self._work.now(), onboarded_at=self._work.now())
        return user

    async def change_zone(self, user: User, zone: str) -> User:
        """A new time zone; pending reminders keep their local time in it. A calendar that
        was only the old zone's default follows the new zone (Moscow → Berlin: Monday–Friday);
        one the person chose stays."""
        old = user.timezone
        calendar = calendar_after_zone_change(user.calendar, old, zone)
        await self._users.update(user, self._work.now(), timezone=zone, calendar=calendar)
        if old != zone:
            await Reminders(self._work).move_to_new_zone(user, old)
        return user
