"""What an update's own database work costs on SQLite, through each layer.

The statements every update of the intake runs, replayed alone on a fresh migrated SQLite
file: check the update id, load the person, load the conversation, write the conversation,
record the update id, commit (the bot's order on SQLite, ``DbSessionMiddleware``). Three ways:

* ``async``: as the bot runs them (``AsyncSession`` on the inline aiosqlite connection, the
  Core statements on the session's connection, commit and close in one greenlet);
* ``sync``: the same statements through a synchronous ``Session`` and ``sqlite3``;
* ``sqlite3``: the same SQL straight through ``sqlite3``, no SQLAlchemy.

It prints microseconds an update for each: how much of an update SQLAlchemy takes, next to
what SQLite itself does. ``--updates N`` (2000) after 200 unmeasured.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine as create_sync_engine  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from bot.db.context import connection_of  # noqa: E402
from bot.db.engine import create_engine, create_sessionmaker  # noqa: E402
from bot.db.fsm_storage import _LOAD, _upsert  # noqa: E402
from bot.db.migrate import upgrade  # noqa: E402
from bot.db.repositories.updates import _HANDLED, _remember  # noqa: E402
from bot.db.repositories.users import _BY_ID, UserRepository  # noqa: E402
from bot.telegram.middlewares.db import _commit_and_close  # noqa: E402

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
PERSON = 1001
KEY = f"fsm:{PERSON}:{PERSON}:default"
WARMUP = 200


def state(number: int) -> dict[str, object]:
    return {"intake": {"draft": {"company": "Яндекс", "step": number % 7}, "token": "abc"}}


async def seed(url: str) -> None:
    engine = create_engine(url)
    async with create_sessionmaker(engine)() as session:
        await UserRepository(session).create(
            user_id=PERSON, language="ru", signature="Анна", timezone="Europe/Moscow", now=NOW
        )
        await session.commit()
    await engine.dispose()


async def through_async(url: str, updates: int, first: int) -> float:
    engine = create_engine(url)
    sessions = create_sessionmaker(engine)

    async def one(update_id: int) -> None:
        session = sessions()
        connection = await connection_of(session)
        assert (await connection.execute(_HANDLED, {"update_id": update_id})).first() is None
        assert (await session.scalars(_BY_ID, {"user_id": PERSON})).first() is not None
        (await connection.execute(_LOAD, {"key": KEY})).first()
        row = {"key": KEY, "state": "Intake:company", "data": state(update_id), "updated_at": NOW}
        await connection.execute(_upsert("sqlite"), row)
        await connection.execute(_remember("sqlite"), {"update_id": update_id, "processed_at": NOW})
        await session.run_sync(_commit_and_close)

    for number in range(WARMUP):
        await one(first - WARMUP + number)
    started = time.perf_counter()
    for number in range(updates):
        await one(first + number)
    took = time.perf_counter() - started
    await engine.dispose()
    return took / updates * 1e6


def through_sync(url: str, updates: int, first: int) -> float:
    engine = create_sync_engine(url.replace("+aiosqlite", ""))
    sessions = sessionmaker(engine, expire_on_commit=False, autoflush=False)

    def one(update_id: int) -> None:
        session: Session = sessions()
        connection = session.connection()
        assert connection.execute(_HANDLED, {"update_id": update_id}).first() is None
        assert session.scalars(_BY_ID, {"user_id": PERSON}).first() is not None
        connection.execute(_LOAD, {"key": KEY}).first()
        row = {"key": KEY, "state": "Intake:company", "data": state(update_id), "updated_at": NOW}
        connection.execute(_upsert("sqlite"), row)
        connection.execute(_remember("sqlite"), {"update_id": update_id, "processed_at": NOW})
        _commit_and_close(session)

    return _timed(one, updates, first, engine.dispose)


def through_sqlite3(path: str, updates: int, first: int) -> float:
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("PRAGMA foreign_keys=ON")
    stamp = NOW.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")

    def one(update_id: int) -> None:
        handled = "SELECT update_id FROM processed_updates WHERE update_id = ?"
        assert connection.execute(handled, (update_id,)).fetchall() == []
        assert connection.execute("SELECT * FROM users WHERE id = ?", (PERSON,)).fetchall()
        connection.execute("SELECT state, data FROM fsm_states WHERE key = ?", (KEY,)).fetchall()
        connection.execute(
            "INSERT INTO fsm_states (key, state, data, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET state = excluded.state, data = excluded.data, "
            "updated_at = excluded.updated_at",
            (KEY, "Intake:company", json.dumps(state(update_id)), stamp),
        )
        connection.execute(
            "INSERT INTO processed_updates (update_id, processed_at) VALUES (?, ?) "
            "ON CONFLICT (update_id) DO NOTHING RETURNING update_id",
            (update_id, stamp),
        ).fetchall()
        connection.commit()

    return _timed(one, updates, first, connection.close)


def _timed(one: Callable[[int], None], updates: int, first: int, done: Callable[[], None]) -> float:
    for number in range(WARMUP):
        one(first - WARMUP + number)
    started = time.perf_counter()
    for number in range(updates):
        one(first + number)
    took = time.perf_counter() - started
    done()
    return took / updates * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--updates", type=int, default=2000, help="measured updates a way")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the three ways")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = f"{folder}/bench.sqlite3"
        url = f"sqlite+aiosqlite:///{path}"
        upgrade(url)
        asyncio.run(seed(url))
        results: dict[str, list[float]] = {"async": [], "sync": [], "sqlite3": []}
        block = args.updates + WARMUP
        for round_number in range(args.rounds):
            base = 1_000_000 * (round_number + 1)
            results["async"].append(asyncio.run(through_async(url, args.updates, base + WARMUP)))
            results["sync"].append(through_sync(url, args.updates, base + block + WARMUP))
            results["sqlite3"].append(
                through_sqlite3(path, args.updates, base + 2 * block + WARMUP)
            )
    print(f"an update's statements on SQLite ({args.updates} updates, {args.rounds} rounds):")
    for way, label in (
        ("async", "AsyncSession, as the bot"),
        ("sync", "Session, synchronous"),
        ("sqlite3", "sqlite3 alone"),
    ):
        values = results[way]
        print(
            f"  {label:26} median {statistics.median(values):7.0f} µs "
            f"(rounds: {', '.join(f'{v:.0f}' for v in values)})"
        )


if __name__ == "__main__":
    main()
