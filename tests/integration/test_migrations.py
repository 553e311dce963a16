"""Every revision upgrades, downgrades and upgrades again; models match the schema."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine

from bot.db.base import Base
from bot.db.migrate import alembic_config
from tests.databases import NO_POSTGRES, POSTGRES_URL, _reset_postgres, sqlite_url


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        if not POSTGRES_URL:
            pytest.skip(NO_POSTGRES)
        asyncio.run(_reset_postgres(POSTGRES_URL))
        return POSTGRES_URL
    return sqlite_url(tmp_path / "migrations.sqlite3")


def _tables(url: str) -> set[str]:
    async def read() -> set[str]:
        engine = create_async_engine(url)
        try:
            async with engine.connect() as connection:
                names = await connection.run_sync(lambda c: inspect(c).get_table_names())
                return set(names)
        finally:
            await engine.dispose()

    return asyncio.run(read())


def test_each_revision_upgrades_downgrades_and_upgrades_again(empty_db_url: str) -> None:
    config = alembic_config(empty_db_url)
    revisions = list(reversed(list(ScriptDirectory.from_config(config).walk_revisions())))
    assert revisions, "no migrations found"
    for revision in revisions:
        command.upgrade(config, revision.revision)
        command.downgrade(config, "-1")
        command.upgrade(config, revision.revision)
    assert set(Base.metadata.tables) <= _tables(empty_db_url)
    command.downgrade(config, "base")
    assert _tables(empty_db_url) <= {"alembic_version"}
    command.upgrade(config, "head")


def test_models_and_migrated_schema_do_not_differ(empty_db_url: str) -> None:
    config = alembic_config(empty_db_url)
    command.upgrade(config, "head")
    command.check(config)  # raises when autogenerate would produce operations
