"""Settings checked at start: reminder rates, the webhook secret, roles and their database."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from tests.harness import make_settings


def test_by_default_reminders_stay_under_the_free_rate() -> None:
    settings = make_settings()
    assert settings.reminders_per_second == 29
    assert settings.reminders_chat_interval == 1
    assert not settings.paid_broadcast


def test_a_higher_rate_sends_paid_broadcasts() -> None:
    assert make_settings(reminders_per_second=1000).paid_broadcast
    assert not make_settings(reminders_per_second=30).paid_broadcast


@pytest.mark.parametrize("rate", [0, -5, 1001])
def test_impossible_rates_are_refused_at_start(rate: float) -> None:
    with pytest.raises(ValidationError, match="reminders_per_second"):
        make_settings(reminders_per_second=rate)


PG = "postgresql+asyncpg://bot@db/bot"


@pytest.mark.parametrize("secret", [None, "", "has space", "ünïcode", "x" * 257, "a/b"])
def test_a_webhook_without_a_valid_secret_is_refused_at_start(secret: str | None) -> None:
    with pytest.raises(ValidationError, match="WEBHOOK_SECRET is required"):
        make_settings(webhook_url="https://bot.example/hook", webhook_secret=secret)


@pytest.mark.parametrize("secret", ["a", "Az09_-", "x" * 256])
def test_a_webhook_takes_any_secret_telegram_accepts(secret: str) -> None:
    settings = make_settings(webhook_url="https://bot.example/hook", webhook_secret=secret)
    assert settings.webhook_secret is not None
    assert settings.webhook_secret.get_secret_value() == secret


@pytest.mark.parametrize("role", ["web", "scheduler"])
def test_split_roles_on_sqlite_are_refused_with_what_to_do(role: str) -> None:
    """A web replica and a scheduler are separate processes: on one SQLite file they would
    wait on each other's writes. The message says what to set instead."""
    with pytest.raises(ValidationError, match=f"BOT_ROLE={role} .*PostgreSQL.*BOT_ROLE=all"):
        make_settings(bot_role=role, database_url="sqlite+aiosqlite:///data/bot.sqlite3")


@pytest.mark.parametrize("role", ["web", "scheduler"])
def test_split_roles_run_on_postgresql(role: str) -> None:
    settings = make_settings(bot_role=role, database_url=PG)
    assert settings.handles_updates == (role == "web")
    assert settings.runs_scheduler == (role == "scheduler")


def test_one_process_on_sqlite_does_everything() -> None:
    settings = make_settings()
    assert settings.bot_role == "all"
    assert settings.handles_updates
    assert settings.runs_scheduler
