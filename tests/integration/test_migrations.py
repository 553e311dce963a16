"""Every revision upgrades, downgrades and upgrades again; models match the schema."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
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


# A replica's start-up: import the bot, wait for the others, then migrate as bot/__main__ does.
_REPLICA = """
import sys
from bot.db.migrate import upgrade
print("ready", flush=True)
sys.stdin.readline()
upgrade(sys.argv[1])
print("migrated", flush=True)
"""


def test_replicas_starting_together_migrate_an_empty_database_once() -> None:
    """``docker compose up`` starts the web replicas and the scheduler at the same moment, and
    each migrates the database before it starts: on an empty PostgreSQL database, all of them
    must come up (one migrates, the others find it done), not crash on each other's tables."""
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    asyncio.run(_reset_postgres(POSTGRES_URL))
    replicas = [
        subprocess.Popen(
            [sys.executable, "-c", _REPLICA, POSTGRES_URL],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).resolve().parents[2],
        )
        for _ in range(4)
    ]
    try:
        for replica in replicas:  # all imported: the migrations start together
            assert replica.stdout is not None
            assert replica.stdout.readline().strip() == "ready"
        for replica in replicas:
            assert replica.stdin is not None
            replica.stdin.write("go\n")
            replica.stdin.flush()
        outcomes = [replica.communicate(timeout=120) for replica in replicas]
    finally:
        for replica in replicas:
            replica.kill()
    failed = [err for (out, err), r in zip(outcomes, replicas, strict=True) if r.returncode]
    assert not failed, failed[0][-2000:]
    assert all(out.strip() == "migrated" for out, _err in outcomes)
    assert set(Base.metadata.tables) <= _tables(POSTGRES_URL)
    config = alembic_config(POSTGRES_URL)
    command.check(config)  # the schema is the models' schema, at head
    assert _version_rows(POSTGRES_URL) == [ScriptDirectory.from_config(config).get_current_head()]


def _version_rows(url: str) -> list[str]:
    async def read() -> list[str]:
        engine = create_async_engine(url)
        try:
            async with engine.connect() as connection:
                rows = await connection.execute(text("SELECT version_num FROM alembic_version"))
                return [row[0] for row in rows]
        finally:
            await engine.dispose()

    return asyncio.run(read())


def test_reminders_keep_their_rows_and_ids_when_their_table_is_renamed(
    empty_db_url: str,
) -> None:
    """Revision 0008 moves ``nudges`` to ``reminders``: rows keep their ids, new ones follow."""
    config = alembic_config(empty_db_url)
    command.upgrade(config, "0007")
    now = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)

    async def run(*statements: str) -> list[tuple[object, ...]]:
        engine = create_async_engine(empty_db_url)
        try:
            async with engine.begin() as connection:
                result = None
                for statement in statements:
                    result = await connection.execute(text(statement), {"now": now})
                return [tuple(row) for row in result] if result and result.returns_rows else []
        finally:
            await engine.dispose()

    asyncio.run(
        run(
            "INSERT INTO users (id, language, signature, gender, timezone, is_active, "
            "consented_at, created_at, updated_at) "
            "VALUES (1001, 'ru', 'Анна', 'f', 'Europe/Moscow', true, :now, :now, :now)",
            "INSERT INTO interviews (id, user_id, company, position, channel, last_stage_on, "
            "all_stages_done, outcome, priorities, created_at, updated_at) VALUES (5, 1001, "
            "'Яндекс', 'Аналитик', 'email', '2026-11-30', true, 'waiting', '[]', :now, :now)",
            "INSERT INTO nudges (id, user_id, interview_id, kind, due_at, status, attempts, "
            "created_at, updated_at) "
            "VALUES (7, 1001, 5, 'send', :now, 'pending', 0, :now, :now)",
        )
    )

    command.upgrade(config, "head")

    assert "nudges" not in _tables(empty_db_url)
    rows = asyncio.run(
        run(
            "INSERT INTO reminders (user_id, interview_id, kind, due_at, status, attempts, "
            "created_at, updated_at) VALUES (1001, 5, 'stage', :now, 'pending', 0, :now, :now)",
            "SELECT id, kind, status FROM reminders ORDER BY id",
        )
    )
    assert rows == [(7, "send", "pending"), (8, "stage", "pending")]


def test_reminders_start_unmarked_and_keep_their_rows_across_revision_0009(
    empty_db_url: str,
) -> None:
    """Revision 0009 adds ``reclaimed`` (a claim of it expired unsent): existing rows and
    rows written without it are unmarked; a downgrade drops it and keeps the rows."""
    config = alembic_config(empty_db_url)
    command.upgrade(config, "0008")
    now = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)

    async def run(*statements: str) -> list[tuple[object, ...]]:
        engine = create_async_engine(empty_db_url)
        try:
            async with engine.begin() as connection:
                result = None
                for statement in statements:
                    result = await connection.execute(text(statement), {"now": now})
                return [tuple(row) for row in result] if result and result.returns_rows else []
        finally:
            await engine.dispose()

    insert = (
        "INSERT INTO reminders (id, user_id, interview_id, kind, due_at, status, attempts, "
        "created_at, updated_at) VALUES ({id}, 1001, 5, 'send', :now, '{status}', 1, :now, :now)"
    )
    asyncio.run(
        run(
            "INSERT INTO users (id, language, signature, gender, timezone, is_active, "
            "consented_at, created_at, updated_at) "
            "VALUES (1001, 'ru', 'Анна', 'f', 'Europe/Moscow', true, :now, :now, :now)",
            "INSERT INTO interviews (id, user_id, company, position, channel, last_stage_on, "
            "all_stages_done, outcome, priorities, created_at, updated_at) VALUES (5, 1001, "
            "'Яндекс', 'Аналитик', 'email', '2026-11-30', true, 'waiting', '[]', :now, :now)",
            insert.format(id=7, status="sending"),
            insert.format(id=8, status="sent"),
        )
    )

    command.upgrade(config, "0009")
    rows = asyncio.run(
        run(
            insert.format(id=9, status="pending"),
            "UPDATE reminders SET reclaimed = true WHERE id = 7",
            "SELECT id, status, reclaimed FROM reminders ORDER BY id",
        )
    )
    assert [(n, status, bool(reclaimed)) for n, status, reclaimed in rows] == [
        (7, "sending", True),
        (8, "sent", False),
        (9, "pending", False),
    ]

    command.downgrade(config, "0008")
    rows = asyncio.run(run("SELECT id, status, attempts FROM reminders ORDER BY id"))
    assert rows == [(7, "sending", 1), (8, "sent", 1), (9, "pending", 1)]


def test_people_get_their_zones_calendar_across_revision_0010(empty_db_url: str) -> None:
    """Revision 0010 adds ``calendar``: a person in any of Russia's zones gets the Russian
    production calendar ("ru"), anyone else Monday–Friday ("none"); a downgrade drops it and
    keeps the people."""
    config = alembic_config(empty_db_url)
    command.upgrade(config, "0009")
    now = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)

    async def run(*statements: str) -> list[tuple[object, ...]]:
        engine = create_async_engine(empty_db_url)
        try:
            async with engine.begin() as connection:
                result = None
                for statement in statements:
                    result = await connection.execute(text(statement), {"now": now})
                return [tuple(row) for row in result] if result and result.returns_rows else []
        finally:
            await engine.dispose()

    insert = (
        "INSERT INTO users (id, language, signature, gender, timezone, is_active, "
        "consented_at, created_at, updated_at) "
        "VALUES ({id}, 'ru', 'Анна', 'f', '{zone}', true, :now, :now, :now)"
    )
    zones = {
        1: "Europe/Moscow",
        2: "Asia/Krasnoyarsk",  # typed: not one of the buttons, still Russia
        3: "Europe/Kaliningrad",
        4: "Europe/Berlin",
        5: "UTC+03:00",  # a bare offset names no country
        6: "Asia/Almaty",
    }
    asyncio.run(
        run(
            *(insert.format(id=n, zone=zone) for n, zone in zones.items()),
            "INSERT INTO interviews (id, user_id, company, position, channel, last_stage_on, "
            "all_stages_done, outcome, priorities, created_at, updated_at) VALUES (5, 1, "
            "'Яндекс', 'Аналитик', 'email', '2026-11-30', true, 'waiting', '[]', :now, :now)",
            "INSERT INTO reminders (id, user_id, interview_id, kind, due_at, status, attempts, "
            "created_at, updated_at) VALUES (7, 1, 5, 'send', :now, 'pending', 0, :now, :now)",
        )
    )
    kept = "SELECT i.id, r.id FROM interviews i JOIN reminders r ON r.interview_id = i.id"

    command.upgrade(config, "0010")
    rows = asyncio.run(run("SELECT id, calendar FROM users ORDER BY id"))
    assert rows == [(1, "ru"), (2, "ru"), (3, "ru"), (4, "none"), (5, "none"), (6, "none")]
    assert asyncio.run(run(kept)) == [(5, 7)]  # the person's records are not touched

    command.downgrade(config, "0009")
    rows = asyncio.run(run("SELECT id, timezone FROM users ORDER BY id"))
    assert rows == sorted(zones.items())
    assert asyncio.run(run(kept)) == [(5, 7)]
