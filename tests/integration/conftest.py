"""Fixtures shared by the integration tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db.engine import create_engine


@pytest.fixture
async def notes(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A fresh SQLite file (engine as the bot makes it) with one table: notes(id, body)."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'notes.sqlite3'}")
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
    yield engine
    await engine.dispose()
