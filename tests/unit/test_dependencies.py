"""`make run` (one process, SQLite) needs none of the scale-out extras."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

EMBEDDED = textwrap.dedent(
    """
    import sys
    for name in ("redis", "asyncpg", "psycopg"):  # as if the extras were not installed
        sys.modules[name] = None

    import asyncio

    from bot.__main__ import run  # noqa: F401  everything the entry point imports
    from bot.app.config import Settings
    from bot.app.factory import create_dispatcher, create_storage
    from bot.db.engine import create_engine, create_sessionmaker
    from bot.telegram.i18n import create_i18n


    async def main() -> None:
        settings = Settings(bot_token="1:x", database_url="sqlite+aiosqlite:///:memory:")
        engine = create_engine(settings.database_url)
        sessionmaker = create_sessionmaker(engine)
        storage, isolation = create_storage(settings, sessionmaker)
        create_dispatcher(
            settings=settings,
            sessionmaker=sessionmaker,
            storage=storage,
            events_isolation=isolation,
            i18n=create_i18n("ru"),
        )
        await engine.dispose()
        print("embedded ok")


    asyncio.run(main())
    """
)


def test_the_embedded_mode_runs_without_postgres_and_redis_drivers() -> None:
    result = subprocess.run(
        [sys.executable, "-c", EMBEDDED],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "embedded ok" in result.stdout
