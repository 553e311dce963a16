"""Update throughput and latency of the real dispatcher (in-process fake Telegram, SQLite).

Simulated people each go through consent, onboarding and a whole new-interview
conversation; every update goes through the production middlewares, handlers, FSM storage
and database. Run with ``make bench`` (options: ``--people``, ``--concurrency``).
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.db.engine import create_engine, create_sessionmaker  # noqa: E402
from bot.db.migrate import upgrade  # noqa: E402
from tests.clock import FakeClock  # noqa: E402
from tests.harness import BotApp, Person, running_app  # noqa: E402

Action = Callable[[Person], Any]

SCRIPT: tuple[tuple[str, str], ...] = (
    ("send", "/start"),
    ("press", "✅ Согласиться и начать"),
    ("press", "Оставить «Анна Иванова»"),
    ("press", "Пропустить →"),
    ("press", "Оставить Europe/Moscow"),
    ("send", "/new"),
    ("send", "Яндекс"),
    ("send", "Python-разработчик"),
    ("press", "Пропустить →"),
    ("press", "Телефон"),
    ("press", "Вчера"),
    ("press", "Да, это был финальный этап"),
    ("press", "⏳ Жду решения"),
    ("press", "▫️ Технические навыки"),
    ("press", "Готово →"),
    ("press", "✅ Сохранить"),
)


async def one_person(app: BotApp, user_id: int, latencies: list[float]) -> None:
    person = app.person(user_id)
    for kind, text in SCRIPT:
        started = time.perf_counter()
        if kind == "send":
            await person.send(text)
        else:
            await person.press(text)
        latencies.append((time.perf_counter() - started) * 1000)


async def run(people: int, concurrency: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{folder}/bench.sqlite3"
        await asyncio.to_thread(upgrade, url)
        engine = create_engine(url)
        latencies: list[float] = []
        semaphore = asyncio.Semaphore(concurrency)
        async with running_app(create_sessionmaker(engine), FakeClock()) as app:

            async def guarded(user_id: int) -> None:
                async with semaphore:
                    await one_person(app, user_id, latencies)

            started = time.perf_counter()
            await asyncio.gather(*(guarded(10_000 + n) for n in range(people)))
            elapsed = time.perf_counter() - started
        await engine.dispose()
    quantiles = statistics.quantiles(latencies, n=100)
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"people: {people}, concurrency: {concurrency}, updates: {len(latencies)}")
    print(f"throughput: {len(latencies) / elapsed:.0f} updates/s over {elapsed:.1f} s")
    print(
        f"latency per update: p50 {quantiles[49]:.1f} ms, p95 {quantiles[94]:.1f} ms, "
        f"p99 {quantiles[98]:.1f} ms, max {max(latencies):.1f} ms"
    )
    print(f"peak RSS: {peak_rss_mb:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()
    asyncio.run(run(args.people, args.concurrency))


if __name__ == "__main__":
    main()
