"""Run the fake Bot API server standalone: ``python -m tests.fakeapi --port 8081``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys

from .core import FakeTelegram
from .server import FakeBotAPIServer


async def _serve(args: argparse.Namespace) -> None:
    core = FakeTelegram(args.token, bot_username=args.username)
    server = FakeBotAPIServer(core)
    base_url = await server.start(args.host, args.port)
    sys.stdout.write(f"{base_url}\n")
    sys.stdout.flush()
    sys.stderr.write(
        f"fake Bot API for token {args.token!r} (@{args.username}); "
        f"aiogram: TelegramAPIServer.from_base({base_url!r}); Ctrl+C to stop\n",
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await server.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.fakeapi", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123456:TEST-token")
    parser.add_argument("--username", default="feedback_test_bot")
    asyncio.run(_serve(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
