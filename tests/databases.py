"""Test databases: SQLite always, PostgreSQL and Redis when CI provides them."""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.db.migrate import upgrade

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL")
REDIS_URL = os.environ.get("TEST_REDIS_URL")
NO_POSTGRES = "TEST_POSTGRES_URL is not set (CI sets it; see .ci/run)"
NO_REDIS = "TEST_REDIS_URL is not set (CI sets it; see .ci/run)"


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def migrated_sqlite_copy(template_dir: Path, target: Path) -> str:
    """A migrated SQLite file; the migration runs once per test session, then it is copied."""
    template = template_dir / "template.sqlite3"
    if not template.exists():
        upgrade(sqlite_url(template))
    shutil.copyfile(template, target)
    return sqlite_url(target)


async def _reset_postgres(url: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()


def fresh_postgres(url: str) -> str:
    """Empty the test database and migrate it to head. Call outside an event loop."""
    asyncio.run(_reset_postgres(url))
    upgrade(url)
    return url
