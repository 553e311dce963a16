"""Shared fixtures: migrated databases, an injected clock, the fake Telegram and the bot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.db.engine import create_engine, create_sessionmaker
from tests.clock import FakeClock
from tests.databases import NO_POSTGRES, POSTGRES_URL, fresh_postgres, migrated_sqlite_copy
from tests.harness import BotApp, running_app


@pytest.fixture(scope="session")
def sqlite_template_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sqlite-template")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db_url(request: pytest.FixtureRequest, sqlite_template_dir: Path, tmp_path: Path) -> str:
    """Every supported backend: SQLite always, PostgreSQL when TEST_POSTGRES_URL is set."""
    if request.param == "postgresql":
        if not POSTGRES_URL:
            pytest.skip(NO_POSTGRES)
        return fresh_postgres(POSTGRES_URL)
    return migrated_sqlite_copy(sqlite_template_dir, tmp_path / "bot.sqlite3")


@pytest.fixture
def sqlite_db_url(sqlite_template_dir: Path, tmp_path: Path) -> str:
    return migrated_sqlite_copy(sqlite_template_dir, tmp_path / "bot.sqlite3")


@pytest.fixture
async def engine(sqlite_db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(sqlite_db_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_sessionmaker(engine)


@pytest.fixture
async def app(
    sessionmaker: async_sessionmaker[AsyncSession], clock: FakeClock
) -> AsyncIterator[BotApp]:
    """The bot wired as in production, talking to an in-process fake Telegram."""
    async with running_app(sessionmaker, clock) as app:
        yield app
