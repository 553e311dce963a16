"""A clock the tests move by hand; nothing ever sleeps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class FakeClock:
    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 26, 9, 0, tzinfo=UTC)  # Thursday, 12:00 in Moscow

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)
