"""Parsing of the person's preferences: time zones, quiet hours, locale, signature."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.preferences import (
    TimezoneOffsetError,
    default_signature,
    get_tz,
    parse_quiet_hours,
    parse_timezone,
    resolve_locale,
    utc_offset_label,
)

WINTER = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
SUMMER = datetime(2026, 7, 15, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Europe/Moscow", "Europe/Moscow"),
        ("europe/moscow", "Europe/Moscow"),
        ("  Asia/Yekaterinburg ", "Asia/Yekaterinburg"),
        ("UTC+5", "UTC+05:00"),
        ("utc+5", "UTC+05:00"),
        ("+3", "UTC+03:00"),
        ("-3", "UTC-03:00"),
        ("GMT+5:30", "UTC+05:30"),
        ("UTC+0545", "UTC+05:45"),
        ("UTC−4", "UTC-04:00"),
        ("UTC", "UTC"),
        ("+0", "UTC"),
        ("МСК+4", "UTC+07:00"),
        ("Москва", "Europe/Moscow"),
        ("Новосибирск", "Asia/Novosibirsk"),
    ],
)
def test_parse_timezone_accepts_what_people_type(typed: str, expected: str) -> None:
    assert parse_timezone(typed) == expected


@pytest.mark.parametrize("typed", ["Mars/Phobos", "", "   ", "hello", "UTC+5:99", "x" * 5000])
def test_parse_timezone_rejects_nonsense(typed: str) -> None:
    assert parse_timezone(typed) is None


@pytest.mark.parametrize("typed", ["UTC+99", "+15", "UTC-13"])
def test_parse_timezone_refuses_offsets_no_place_uses(typed: str) -> None:
    with pytest.raises(TimezoneOffsetError):
        parse_timezone(typed)


def test_offset_zones_resolve_to_fixed_offsets() -> None:
    zone = get_tz("UTC+05:30")
    assert WINTER.astimezone(zone).utcoffset() == timedelta(hours=5, minutes=30)
    assert utc_offset_label("UTC+05:30", WINTER) == "UTC+5:30"
    assert utc_offset_label("UTC-03:00", WINTER) == "UTC−3"


def test_offset_label_follows_daylight_saving() -> None:
    assert utc_offset_label("Europe/Berlin", WINTER) == "UTC+1"
    assert utc_offset_label("Europe/Berlin", SUMMER) == "UTC+2"
    assert utc_offset_label("Europe/Moscow", SUMMER) == "UTC+3"


@given(st.integers(min_value=-12 * 60, max_value=14 * 60))
def test_every_valid_offset_round_trips(minutes: int) -> None:
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    name = parse_timezone(f"UTC{sign}{hours}:{mins:02d}")
    assert name is not None
    assert WINTER.astimezone(get_tz(name)).utcoffset() == timedelta(minutes=minutes)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("ru", "ru"),
        ("uk", "ru"),
        ("be", "ru"),
        ("kk", "ru"),
        ("ru-RU", "ru"),
        ("en", "en"),
        ("de", "en"),
        ("pt-br", "en"),
    ],
)
def test_language_code_maps_to_interface_language(code: str, expected: str) -> None:
    assert resolve_locale(code) == expected


def test_missing_language_code_uses_default() -> None:
    assert resolve_locale(None, "ru") == "ru"
    assert resolve_locale("", "en") == "en"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("22-9", (time(22), time(9))),
        ("22:30–07:00", (time(22, 30), time(7))),
        ("с 23 до 8", (time(23), time(8))),
        ("23.00 - 08.00", (time(23), time(8))),
        ("0-7", (time(0), time(7))),
    ],
)
def test_quiet_hours_ranges(typed: str, expected: tuple[time, time]) -> None:
    assert parse_quiet_hours(typed) == expected


@pytest.mark.parametrize("typed", ["22", "25-9", "22-22", "abc", "22:61-9", ""])
def test_quiet_hours_rejects_nonsense(typed: str) -> None:
    assert parse_quiet_hours(typed) is None


def test_signature_defaults_to_the_telegram_name_and_fits() -> None:
    assert default_signature("Анна", "Иванова") == "Анна Иванова"
    assert default_signature("  Анна  ", None) == "Анна"
    assert len(default_signature("А" * 100, "Б" * 100)) == 64
