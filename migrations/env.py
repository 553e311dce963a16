"""Alembic environment: async engine, batch mode on SQLite, URL from the bot's settings."""

from __future__ import annotations

import asyncio
import os
from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy import text
from sqlalchemy.engine import Connection

from bot.db import models  # noqa: F401  (registers the tables on Base.metadata)
from bot.db.base import Base
from bot.db.engine import create_engine

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata

# Replicas (web and scheduler) start together and each migrates the database first: on
# PostgreSQL they take turns on this transaction-scoped advisory lock, so one migrates and the
# others, once it has committed, find the schema at head. (Any constant unique to this bot.)
MIGRATION_LOCK_ID = 0x1F_EED_BAC

# Tables that belong to libraries (APScheduler's job store) are not ours to migrate.
FOREIGN_TABLES = frozenset({"apscheduler_jobs"})


def _database_url() -> str:
    url = config.attributes.get("database_url") or os.environ.get("DATABASE_URL")
    return str(url or "sqlite+aiosqlite:///data/bot.sqlite3")


def _include_object(
    _object: Any, name: str | None, type_: str, _reflected: bool, _compare_to: Any
) -> bool:
    return not (type_ == "table" and name in FOREIGN_TABLES)


def _configure(connection: Connection | None = None, url: str | None = None) -> dict[str, Any]:
    return {
        "target_metadata": target_metadata,
        "render_as_batch": True,
        "compare_type": True,
        "include_object": _include_object,
        **({"connection": connection} if connection is not None else {"url": url}),
    }


def run_migrations_offline() -> None:
    context.configure(**_configure(url=_database_url()), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def _run_sync(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        # Taken in the transaction the migrations then run in (Alembic joins it): released
        # at its commit or rollback, or when a crashed replica's connection drops.
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
    context.configure(**_configure(connection=connection))
    with context.begin_transaction():
        context.run_migrations()


async def run_migrations_online() -> None:
    engine = create_engine(_database_url())
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run_sync)
            await connection.commit()
    finally:
        await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_migrations_online())
