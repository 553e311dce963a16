"""Working days: the official production calendar of a country, or plain Monday–Friday.

The Russian calendar comes from the ``holidays`` library (maintained, with the government's
yearly decrees on moved days off): public holidays (1–8 January, 23 February, 8 March, 1 and
9 May, 12 June, 4 November), the days off moved onto weekdays (31 December in 2025 and 2026,
9 January 2026, …) and the Saturdays declared working (1 November 2025; 2026 has none).
Checked against both decrees in tests/unit/test_calendar.py: nothing is typed in by hand
here. A year with no decree yet has its fixed holidays only. Pure: the library's data ships
with the package; a year is looked up once and kept.

A person's setting is stored as a short code (:class:`CalendarCode`); its default follows
the time zone: a Russian zone gives the Russian calendar, any other Monday–Friday.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import MAXYEAR, MINYEAR, date, timedelta
from enum import StrEnum
from functools import cache
from typing import Final

import holidays
from babel.core import get_global


class CalendarCode(StrEnum):
    """What is stored on the person: a country whose official calendar counts, or none."""

    RU = "ru"  # the Russian production calendar
    NONE = "none"  # Monday–Friday, no public holidays


@dataclass(frozen=True, slots=True)
class WorkCalendar:
    """Which days are working days. ``country``: an ISO code the ``holidays`` library knows;
    ``None``: Monday to Friday, every week of the year."""

    country: str | None = None

    def is_working_day(self, day: date) -> bool:
        if self.country is None:
            return day.weekday() < 5
        return _official(self.country, day.year).is_working_day(day)

    def next_working_day(self, day: date) -> date:
        """The first working day after ``day``."""
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day


MON_FRI: Final = WorkCalendar()
RUSSIA: Final = WorkCalendar("RU")

_BY_CODE: Final = {CalendarCode.RU: RUSSIA, CalendarCode.NONE: MON_FRI}


@cache
def _official(country: str, year: int) -> holidays.HolidayBase:
    """The official calendar around ``year``: the neighbouring years are loaded too, since a
    decree may move a day off across the new year (a working weekend day of one year listed
    with the next year's transfers)."""
    years = range(max(year - 1, MINYEAR), min(year + 1, MAXYEAR) + 1)
    # expand=False: a lookup never grows the shared object (it only sees days of ``year``).
    return holidays.country_holidays(country, years=years, expand=False)


def calendar_of(code: str) -> WorkCalendar:
    """The calendar a stored code stands for; an unknown code counts Monday–Friday."""
    try:
        return _BY_CODE[CalendarCode(code)]
    except ValueError:
        return MON_FRI


def zone_country(zone: str) -> str | None:
    """The country of an IANA time zone (``Asia/Krasnoyarsk`` → ``RU``; aliases such as
    ``W-SU`` included), from CLDR's data shipped with Babel; ``None`` for a bare offset such
    as ``UTC+03:00`` or ``UTC``, which names no country."""
    return _zone_territories().get(_zone_aliases().get(zone, zone))


@cache
def _zone_territories() -> Mapping[str, str]:
    territories: Mapping[str, str] = get_global("zone_territories")
    # "ZZ" (unknown region) stands for the Etc/* offsets: no country.
    return {zone: country for zone, country in territories.items() if country != "ZZ"}


@cache
def _zone_aliases() -> Mapping[str, str]:
    aliases: Mapping[str, str] = get_global("zone_aliases")
    return aliases


def default_calendar(zone: str) -> CalendarCode:
    """The calendar of a person who has not chosen one: Russian in any of Russia's time
    zones (the eleven buttons and the typed ones such as Asia/Krasnoyarsk), Monday–Friday
    elsewhere and for a bare offset."""
    return CalendarCode.RU if zone_country(zone) == "RU" else CalendarCode.NONE


def calendar_after_zone_change(current: str, old_zone: str, new_zone: str) -> str:
    """The calendar after a move to ``new_zone``: one that was only the old zone's default
    follows the new zone's country; one the person chose stays, and so does any calendar
    when the new zone is a bare offset (``+4`` may be Samara or Dubai)."""
    if zone_country(new_zone) is None or current != default_calendar(old_zone):
        return current
    return default_calendar(new_zone)
