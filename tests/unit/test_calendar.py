"""Working days: the Russian production calendars of 2025 and 2026, and Monday–Friday elsewhere.

The expected days are the government's decrees (No. 1335 of 4 October 2024 for 2025, No. 1466
of 24 September 2025 for 2026) as the official production calendars print them, written out
here by hand; the module takes them from the ``holidays`` library.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final

import pytest

from bot.domain.calendar import (
    MON_FRI,
    RUSSIA,
    CalendarCode,
    calendar_after_zone_change,
    calendar_of,
    default_calendar,
)
from bot.domain.preferences import RUSSIAN_ZONES


def days(year: int) -> list[date]:
    start = date(year, 1, 1)
    return [start + timedelta(days=n) for n in range((date(year + 1, 1, 1) - start).days)]


def weekdays_off(year: int) -> list[date]:
    """Monday–Friday days the Russian calendar takes off."""
    return [day for day in days(year) if day.weekday() < 5 and not RUSSIA.is_working_day(day)]


def weekends_worked(year: int) -> list[date]:
    return [day for day in days(year) if day.weekday() >= 5 and RUSSIA.is_working_day(day)]


# Weekdays off: the fixed holidays on weekdays and the days off moved onto weekdays.
OFF_2025: Final = [
    date(2025, 1, 1),
    date(2025, 1, 2),
    date(2025, 1, 3),
    date(2025, 1, 6),
    date(2025, 1, 7),
    date(2025, 1, 8),
    date(2025, 5, 1),
    date(2025, 5, 2),  # moved from Saturday 4 January
    date(2025, 5, 8),  # moved from Sunday 23 February
    date(2025, 5, 9),
    date(2025, 6, 12),
    date(2025, 6, 13),  # moved from Saturday 8 March
    date(2025, 11, 3),  # moved from Saturday 1 November, a working day
    date(2025, 11, 4),
    date(2025, 12, 31),  # moved from Sunday 5 January
]
OFF_2026: Final = [
    date(2026, 1, 1),
    date(2026, 1, 2),
    date(2026, 1, 5),
    date(2026, 1, 6),
    date(2026, 1, 7),
    date(2026, 1, 8),
    date(2026, 1, 9),  # moved from Saturday 3 January
    date(2026, 2, 23),
    date(2026, 3, 9),  # 8 March falls on a Sunday
    date(2026, 5, 1),
    date(2026, 5, 11),  # 9 May falls on a Saturday
    date(2026, 6, 12),
    date(2026, 11, 4),
    date(2026, 12, 31),  # moved from Sunday 4 January
]


@pytest.mark.parametrize(("year", "expected"), [(2025, OFF_2025), (2026, OFF_2026)])
def test_the_weekdays_off_are_the_decrees(year: int, expected: list[date]) -> None:
    assert weekdays_off(year) == expected


def test_saturday_1_november_2025_is_the_only_working_weekend_day_of_2025_and_2026() -> None:
    assert weekends_worked(2025) == [date(2025, 11, 1)]
    assert weekends_worked(2026) == []


@pytest.mark.parametrize("year", [2025, 2026])
def test_each_year_has_247_working_days_as_the_official_calendar_says(year: int) -> None:
    assert sum(RUSSIA.is_working_day(day) for day in days(year)) == 247


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 12, 30), date(2026, 1, 12)),  # 31 Dec – 11 Jan: the New Year holidays
        (date(2025, 12, 31), date(2026, 1, 12)),
        (date(2026, 1, 5), date(2026, 1, 12)),
        (date(2024, 12, 27), date(2024, 12, 28)),  # Fri → Saturday 28 Dec 2024, worked
        (date(2024, 12, 28), date(2025, 1, 9)),  # 29 Dec 2024 – 8 Jan 2025 off
        (date(2025, 4, 30), date(2025, 5, 5)),  # 1–4 May off
        (date(2025, 5, 7), date(2025, 5, 12)),  # 8–11 May off
        (date(2025, 6, 11), date(2025, 6, 16)),  # 12–15 June off
        (date(2025, 10, 31), date(2025, 11, 1)),  # Fri → the working Saturday
        (date(2025, 11, 1), date(2025, 11, 5)),  # 2–4 November off
        (date(2026, 2, 20), date(2026, 2, 24)),  # Mon 23 February off
        (date(2026, 3, 6), date(2026, 3, 10)),  # Mon 9 March off
        (date(2026, 4, 30), date(2026, 5, 4)),  # Fri 1 May off
        (date(2026, 5, 8), date(2026, 5, 12)),  # Mon 11 May off
        (date(2026, 11, 3), date(2026, 11, 5)),  # Wed 4 November off
        (date(2026, 12, 30), date(2027, 1, 11)),  # 31 Dec 2026 – 10 Jan 2027
    ],
)
def test_the_next_russian_working_day_skips_holidays(day: date, expected: date) -> None:
    assert RUSSIA.next_working_day(day) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 12, 30), date(2025, 12, 31)),
        (date(2025, 12, 31), date(2026, 1, 1)),
        (date(2026, 1, 2), date(2026, 1, 5)),
        (date(2026, 4, 30), date(2026, 5, 1)),
        (date(2025, 10, 31), date(2025, 11, 3)),  # no working Saturday
    ],
)
def test_monday_to_friday_knows_no_holidays(day: date, expected: date) -> None:
    assert MON_FRI.next_working_day(day) == expected


def test_monday_to_friday_is_every_weekday_of_the_year() -> None:
    for day in days(2026):
        assert MON_FRI.is_working_day(day) is (day.weekday() < 5)


def test_years_the_library_has_no_decree_for_still_answer() -> None:
    # Far years have the fixed holidays only; a day is a working day or not, never an error.
    assert not RUSSIA.is_working_day(date(2040, 1, 3))  # Tue, New Year holidays
    assert RUSSIA.is_working_day(date(2040, 1, 10))  # Tue
    assert RUSSIA.next_working_day(date(9999, 12, 20)) == date(9999, 12, 21)
    assert RUSSIA.is_working_day(date(1, 1, 3))  # before the library's first year: Mon–Fri


# --- the setting ----------------------------------------------------------------------------


@pytest.mark.parametrize("zone", [zone.name for zone in RUSSIAN_ZONES])
def test_every_russian_zone_button_defaults_to_the_russian_calendar(zone: str) -> None:
    assert default_calendar(zone) is CalendarCode.RU


@pytest.mark.parametrize(
    "zone",
    ["Asia/Krasnoyarsk", "Europe/Volgograd", "Asia/Sakhalin", "W-SU"],  # W-SU: Moscow
)
def test_typed_russian_zones_default_to_the_russian_calendar(zone: str) -> None:
    assert default_calendar(zone) is CalendarCode.RU


@pytest.mark.parametrize(
    "zone", ["Europe/Berlin", "Europe/Minsk", "Asia/Almaty", "Europe/Kyiv", "UTC", "UTC+03:00"]
)
def test_other_zones_default_to_monday_to_friday(zone: str) -> None:
    assert default_calendar(zone) is CalendarCode.NONE


def test_stored_codes_name_their_calendars() -> None:
    assert calendar_of("ru") == RUSSIA
    assert calendar_of("none") == MON_FRI
    assert calendar_of("xx") == MON_FRI  # unknown: the plain week


def test_a_person_in_berlin_counts_monday_to_friday() -> None:
    berlin = calendar_of(default_calendar("Europe/Berlin"))
    assert berlin.is_working_day(date(2026, 1, 2))  # Friday: a working day in Germany's week
    assert berlin.next_working_day(date(2025, 12, 30)) == date(2025, 12, 31)


@pytest.mark.parametrize(
    ("current", "old", "new", "expected"),
    [
        ("ru", "Europe/Moscow", "Europe/Berlin", "none"),  # the default follows the zone
        ("none", "Europe/Berlin", "Asia/Omsk", "ru"),
        ("ru", "Europe/Moscow", "Asia/Omsk", "ru"),
        ("ru", "Europe/Berlin", "Europe/Lisbon", "ru"),  # chosen: it stays
        ("none", "Europe/Moscow", "Asia/Omsk", "none"),
        ("ru", "Europe/Moscow", "UTC+04:00", "ru"),  # an offset names no country: kept
        ("none", "Europe/Berlin", "UTC+03:00", "none"),
        ("none", "UTC+03:00", "Europe/Moscow", "ru"),  # the offset's default, then a country
    ],
)
def test_a_new_zone_moves_a_default_calendar_but_keeps_a_chosen_one(
    current: str, old: str, new: str, expected: str
) -> None:
    assert calendar_after_zone_change(current, old, new) == expected
