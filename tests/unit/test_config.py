"""Reminder sending rate settings: Telegram's free rate by default, paid broadcasts above it."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from tests.harness import make_settings


def test_by_default_reminders_stay_under_the_free_rate() -> None:
    settings = make_settings()
    assert settings.nudges_per_second == 29
    assert settings.nudges_chat_interval == 1
    assert not settings.paid_broadcast


def test_a_higher_rate_sends_paid_broadcasts() -> None:
    assert make_settings(nudges_per_second=1000).paid_broadcast
    assert not make_settings(nudges_per_second=30).paid_broadcast


@pytest.mark.parametrize("rate", [0, -5, 1001])
def test_impossible_rates_are_refused_at_start(rate: float) -> None:
    with pytest.raises(ValidationError, match="nudges_per_second"):
        make_settings(nudges_per_second=rate)
