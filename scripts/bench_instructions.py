"""Instructions per update, counted by valgrind's callgrind: a repeatable measure of the
update path's cost where timings are not.

On a shared VM the timings of ``scripts/bench.py`` move by 5–20% from one run to the next, more
than most single changes to the hot path save. callgrind counts the instructions the process
executes instead: for the bot, the same code, inputs and hash seed give the same count run
after run, whatever else the machine is doing (the echo's moves by a few percent: aiogram
runs its ``F`` filters in a thread). It runs the program some fifty times slower, so the load
is small: ``--people`` (10) people of ``scripts/bench.py``'s conversation (16 updates each),
closed loop, 10 at a time, after 5 unmeasured people; counting is switched on
(``callgrind_control --instr=on``) only around the measured people, so imports, migrations and
the warm-up are not counted.

What it does not see: time in the kernel (system calls, page faults), cache misses and
waiting. An instruction of the bot costs more time than one of the echo (a larger working
set), so the ratio of counts is not the ratio of throughputs; it says whether a change made
the update path do less work. Needs valgrind (Debian's package of that name).

    .venv/bin/python scripts/bench_instructions.py            # the echo and the bot on SQLite
    .venv/bin/python scripts/bench_instructions.py --app bot --people 20
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.app.memory import freeze_startup_objects  # noqa: E402
from bot.db.migrate import upgrade  # noqa: E402
from scripts.bench import (  # noqa: E402  (the same stands, people and driver)
    WARMUP_USER,
    Record,
    bot_stand,
    closed_loop,
    echo_stand,
)

COLLECTED = re.compile(r"Collected : (\d+)")
MEASURED = re.compile(r"^measured (\d+) updates$", re.MULTILINE)


def count_instructions(state: str) -> None:
    """Switch callgrind's instrumentation of this process ``on`` or ``off``."""
    subprocess.run(
        ["callgrind_control", f"--instr={state}", str(os.getpid())],
        check=True,
        capture_output=True,
    )


async def measured_run(app: str, people: int, folder: str) -> int:
    """In the process under callgrind: warm up, count ``people`` people, return the updates."""
    if app == "bot":
        database_url = f"sqlite+aiosqlite:///{folder}/bench.sqlite3"
        await asyncio.to_thread(upgrade, database_url)
        stand = await bot_stand(database_url, None)
    else:
        stand = await echo_stand()
    await closed_loop(stand, 5, 5, Record(), first=WARMUP_USER)
    freeze_startup_objects()
    record = Record()
    count_instructions("on")
    await closed_loop(stand, people, 10, record)
    count_instructions("off")
    await stand.close()
    if record.failures:
        raise SystemExit(f"{app}: {record.failures[0]}")
    return len(record.latencies)


def child(app: str, people: int) -> None:
    with Path(os.devnull).open("w") as devnull, tempfile.TemporaryDirectory() as folder:
        logging.basicConfig(level=logging.INFO, stream=devnull)  # as in production, to nowhere
        updates = asyncio.run(measured_run(app, people, folder))
    print(f"measured {updates} updates", flush=True)


def measure(app: str, people: int) -> tuple[int, int]:
    """(instructions, updates) of one run of ``app`` under callgrind."""
    with tempfile.TemporaryDirectory() as folder:
        command = [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={folder}/callgrind.out",
            sys.executable,
            __file__,
            "--child",
            app,
            "--people",
            str(people),
        ]
        env = {**os.environ, "PYTHONHASHSEED": "0"}  # the same dict layouts every run
        process = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    collected = COLLECTED.search(process.stderr)
    updates = MEASURED.search(process.stdout)
    if process.returncode or collected is None or updates is None:
        raise SystemExit(f"{app}: the run failed\n{process.stdout}\n{process.stderr[-3000:]}")
    return int(collected.group(1)), int(updates.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--app", choices=("both", "bot", "echo"), default="both")
    parser.add_argument("--people", type=int, default=10, help="measured people (10)")
    parser.add_argument("--child", choices=("bot", "echo"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.people)
        return
    if not (shutil.which("valgrind") and shutil.which("callgrind_control")):
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind)")
    apps = ("echo", "bot") if args.app == "both" else (args.app,)
    counts: dict[str, float] = {}
    for app in apps:
        instructions, updates = measure(app, args.people)
        counts[app] = instructions / updates
        label = "bare aiogram echo" if app == "echo" else "bot, SQLite"
        print(
            f"{label:<18} {updates:>5} updates  {instructions / 1e9:>7.3f} G instructions  "
            f"{counts[app] / 1e6:>7.3f} M an update"
        )
    if len(counts) == 2:
        print(f"echo / bot: {counts['echo'] / counts['bot']:.2f} (instructions, not time)")


if __name__ == "__main__":
    main()
