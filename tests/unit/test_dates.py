"""Typed dates in Russian and English, against a fixed «today» (Thursday 26 November 2026)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.dates import (
    MAX_FUTURE_DAYS,
    MAX_PAST_DAYS,
    DateError,
    DateProblem,
    parse_future_date,
    parse_past_date,
)

TODAY = date(2026, 11, 26)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("25.11", date(2026, 11, 25)),
        ("25.11.2026", date(2026, 11, 25)),
        ("25.11.26", date(2026, 11, 25)),
        ("2026-11-25", date(2026, 11, 25)),
        ("25/11", date(2026, 11, 25)),
        ("5.1", date(2026, 1, 5)),
        ("05.01", date(2026, 1, 5)),
        ("28.12", date(2025, 12, 28)),
        ("26.11", TODAY),
        ("сегодня", TODAY),
        ("Сегодня", TODAY),
        ("today", TODAY),
        ("вчера", date(2026, 11, 25)),
        ("ВЧЕРА ", date(2026, 11, 25)),
        ("yesterday", date(2026, 11, 25)),
        ("позавчера", date(2026, 11, 24)),
        ("1 день назад", date(2026, 11, 25)),
        ("3 дня назад", date(2026, 11, 23)),
        ("5 дней назад", date(2026, 11, 21)),
        ("21 день назад", date(2026, 11, 5)),
        ("3 days ago", date(2026, 11, 23)),
        ("1 day ago", date(2026, 11, 25)),
        ("10 days ago", date(2026, 11, 16)),
        ("3д назад", date(2026, 11, 23)),
        ("25 ноября", date(2026, 11, 25)),
        ("3 марта", date(2026, 3, 3)),
        ("1 сентября 2026", date(2026, 9, 1)),
        ("Nov 25", date(2026, 11, 25)),
        ("november 20, 2026", date(2026, 11, 20)),
        ("20 nov", date(2026, 11, 20)),
        ("12 мая", date(2026, 5, 12)),
        ("31.12.2025", date(2025, 12, 31)),
    ],
)
def test_past_dates_people_type(typed: str, expected: date) -> None:
    assert parse_past_date(typed, TODAY) == expected


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("32.13", DateProblem.NO_SUCH_DAY),
        ("31.11", DateProblem.NO_SUCH_DAY),
        ("2026-02-30", DateProblem.NO_SUCH_DAY),
        ("завтра", DateProblem.IN_FUTURE),
        ("tomorrow", DateProblem.IN_FUTURE),
        ("27.11", DateProblem.IN_FUTURE),
        ("01.12.2026", DateProblem.IN_FUTURE),
        ("01.01.2020", DateProblem.TOO_OLD),
        ("400 дней назад", DateProblem.TOO_OLD),
        ("когда-то", DateProblem.UNREADABLE),
        ("", DateProblem.UNREADABLE),
        ("25 брюмера", DateProblem.UNREADABLE),
        ("x" * 5000, DateProblem.UNREADABLE),
    ],
)
def test_past_dates_refused_with_a_reason(typed: str, problem: DateProblem) -> None:
    assert parse_past_date(typed, TODAY) == DateError(problem)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2.12", date(2026, 12, 2)),
        ("02.12.2026", date(2026, 12, 2)),
        ("завтра", date(2026, 11, 27)),
        ("tomorrow", date(2026, 11, 27)),
        ("послезавтра", date(2026, 11, 28)),
        ("через 3 дня", date(2026, 11, 29)),
        ("in 3 days", date(2026, 11, 29)),
        ("5.01", date(2027, 1, 5)),
        ("сегодня", TODAY),
        ("Dec 3", date(2026, 12, 3)),
    ],
)
def test_future_dates_for_the_next_stage(typed: str, expected: date) -> None:
    assert parse_future_date(typed, TODAY) == expected


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("вчера", DateProblem.IN_PAST),
        ("25.11", DateProblem.IN_PAST),
        ("01.01.2028", DateProblem.TOO_FAR),
        ("30.02", DateProblem.NO_SUCH_DAY),
    ],
)
def test_future_dates_refused_with_a_reason(typed: str, problem: DateProblem) -> None:
    assert parse_future_date(typed, TODAY) == DateError(problem)


def test_leap_day_without_a_year_means_the_nearest_leap_year() -> None:
    assert parse_past_date("29.02", date(2028, 3, 10)) == date(2028, 2, 29)
    assert parse_past_date("29.02", TODAY) == DateError(DateProblem.TOO_OLD)


def test_a_date_just_ahead_is_refused_rather_than_moved_a_year_back() -> None:
    # «27.11» typed on 26.11 is a slip, not an interview a year ago.
    assert parse_past_date("27.11", TODAY) == DateError(DateProblem.IN_FUTURE)
    # …but a January date typed in late November is this January.
    assert parse_past_date("10.01", TODAY) == date(2026, 1, 10)


def test_around_new_year_the_nearest_year_wins() -> None:
    new_year = date(2027, 1, 3)
    assert parse_past_date("30.12", new_year) == date(2026, 12, 30)
    assert parse_future_date("5.01", new_year) == date(2027, 1, 5)


days = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
formats = st.sampled_from(["%d.%m", "%d.%m.%Y", "%Y-%m-%d", "%d/%m", "%d.%m.%y"])


@given(today=days, day=days, fmt=formats)
def test_any_accepted_past_date_is_within_the_last_year(today: date, day: date, fmt: str) -> None:
    result = parse_past_date(day.strftime(fmt), today)
    if isinstance(result, date):
        assert today - timedelta(days=MAX_PAST_DAYS) <= result <= today


@given(today=days, day=days, fmt=formats)
def test_any_accepted_future_date_is_within_the_next_year(today: date, day: date, fmt: str) -> None:
    result = parse_future_date(day.strftime(fmt), today)
    if isinstance(result, date):
        assert today <= result <= today + timedelta(days=MAX_FUTURE_DAYS)


@given(today=days, ago=st.integers(min_value=0, max_value=MAX_PAST_DAYS))
def test_days_ago_round_trips_in_both_languages(today: date, ago: int) -> None:
    assert parse_past_date(f"{ago} days ago", today) == today - timedelta(days=ago)
    assert parse_past_date(f"{ago} дней назад", today) == today - timedelta(days=ago)


@given(today=days, day=days)
def test_full_dates_in_range_are_read_exactly(today: date, day: date) -> None:
    result = parse_past_date(day.strftime("%d.%m.%Y"), today)
    if 0 <= (today - day).days <= MAX_PAST_DAYS:
        assert result == day
    else:
        assert isinstance(result, DateError)


@given(st.text(max_size=60))
def test_arbitrary_text_never_crashes(text: str) -> None:
    assert isinstance(parse_past_date(text, TODAY), date | DateError)
    assert isinstance(parse_future_date(text, TODAY), date | DateError)
