"""Drive the real ``python -m bot`` process against the fake Bot API served over HTTP.

One :class:`FakeBotAPIServer` per test runs in the test's event loop; :class:`E2E` starts bot
processes against it, plays Telegram users and waits (never sleeps) for what the bot does.
The processes' stdout and stderr go through pipes into files in ``tmp_path``; every new line
and every process exit wakes :meth:`FakeTelegram.wait_for`, so a test can wait for a log
line, and a bot that dies is reported at once, with its output, instead of after a timeout.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.fakeapi import FakeBotAPIServer, FakeTelegram, FakeUser, SentMessage

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456:TEST-token"
START_TIMEOUT = 60.0
"""Imports, migrations and the first getUpdates; a few seconds is typical, far more on a
loaded CI machine (importing aiogram alone has taken 10 s there)."""
REPLY_TIMEOUT = 20.0
STOP_TIMEOUT = 60.0
"""A clean stop, or a start that fails fast (it still imports everything first)."""

# Every setting the bot reads (see bot/app/config.py). They are removed from the inherited
# environment and set explicitly, so neither the developer's shell nor a ``.env`` file in the
# working directory can change what the tests run (environment variables beat ``.env``).
SETTINGS_VARIABLES = (
    "BOT_TOKEN",
    "DATABASE_URL",
    "TELEGRAM_API_URL",
    "REDIS_URL",
    "WEBHOOK_URL",
    "WEBHOOK_SECRET",
    "WEBHOOK_HOST",
    "WEBHOOK_PORT",
    "DEFAULT_LOCALE",
    "DEFAULT_TIMEZONE",
    "LOG_LEVEL",
    "ADMIN_IDS",
    "BOT_ROLE",
    "HEALTH_PORT",
    "REMINDERS_PER_SECOND",
    "REMINDERS_CHAT_INTERVAL",
)

REPORT_MARK = "--- bot process"

UPDATE_LINE = re.compile(r" bot\.updates: update=(?P<id>-?\d+) .*\boutcome=(?P<outcome>\w+)")


def clean_environment(**values: str) -> dict[str, str]:
    """The inherited environment without the bot's settings (any case), plus ``values``."""
    names = {name.upper() for name in SETTINGS_VARIABLES}
    env = {key: value for key, value in os.environ.items() if key.upper() not in names}
    env["PYTHONUNBUFFERED"] = "1"
    env.update(values)
    return env


def text_of(message: SentMessage | None) -> str:
    return (message.text or "") if message is not None else ""


class BotProcess:
    """One running ``python -m bot``; its output is mirrored into files as it comes."""

    def __init__(
        self,
        name: str,
        process: asyncio.subprocess.Process,
        directory: Path,
        on_change: Callable[[], None],
    ) -> None:
        self.name = name
        self.process = process
        self.stdout_path = directory / f"{name}.stdout.log"
        self.stderr_path = directory / f"{name}.stderr.log"
        self.stdout_lines: list[str] = []
        self.stderr_lines: list[str] = []
        self._on_change = on_change
        assert process.stdout is not None
        assert process.stderr is not None
        self._tasks = [
            asyncio.create_task(self._pump(process.stdout, self.stdout_path, self.stdout_lines)),
            asyncio.create_task(self._pump(process.stderr, self.stderr_path, self.stderr_lines)),
        ]
        self._exit = asyncio.create_task(self._wait_exit())

    async def _pump(self, stream: asyncio.StreamReader, path: Path, sink: list[str]) -> None:
        with path.open("w", encoding="utf-8") as file:
            while line := await stream.readline():
                decoded = line.decode("utf-8", errors="replace")
                file.write(decoded)
                file.flush()
                sink.append(decoded.rstrip("\n"))
                self._on_change()

    async def _wait_exit(self) -> int:
        code = await self.process.wait()
        await asyncio.gather(*self._tasks)  # the last lines reach the files first
        self._on_change()
        return code

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def exited(self) -> bool:
        return self._exit.done()

    @property
    def returncode(self) -> int | None:
        return self._exit.result() if self._exit.done() else None

    @property
    def stderr(self) -> str:
        return "\n".join(self.stderr_lines)

    @property
    def stdout(self) -> str:
        return "\n".join(self.stdout_lines)

    def update_lines(self) -> list[str]:
        """The ``bot.updates`` lines: one per handled update."""
        return [line for line in self.stderr_lines if UPDATE_LINE.search(line)]

    def outcomes(self) -> dict[int, list[str]]:
        """Outcomes logged per update id (a list, so duplicates stay visible)."""
        found: dict[int, list[str]] = {}
        for line in self.stderr_lines:
            match = UPDATE_LINE.search(line)
            if match:
                found.setdefault(int(match["id"]), []).append(match["outcome"])
        return found

    def handled(self, update_id: int) -> bool:
        """The update's line was written: its transaction has been committed or rolled back."""
        return update_id in self.outcomes()

    def describe(self) -> str:
        state = "running" if not self.exited else f"exited with code {self.returncode}"
        return (
            f"{REPORT_MARK} {self.name} (pid {self.pid}, {state}) ---\n"
            f"stdout ({self.stdout_path}):\n{self.stdout or '(empty)'}\n"
            f"stderr ({self.stderr_path}):\n{self.stderr or '(empty)'}"
        )

    async def wait(self, timeout: float = STOP_TIMEOUT) -> int:
        return await asyncio.wait_for(asyncio.shield(self._exit), timeout)

    async def kill(self) -> int:
        """``kill -9``: no cleanup of any kind happens in the bot."""
        if not self.exited:
            self.process.send_signal(signal.SIGKILL)
        return await self.wait()

    async def terminate(self) -> int:
        """SIGTERM, as ``docker stop`` sends: aiogram stops polling and the bot exits."""
        if not self.exited:
            self.process.send_signal(signal.SIGTERM)
        return await self.wait()


class Person:
    """A Telegram user talking to the bot process through the fake server."""

    def __init__(self, e2e: E2E, user: FakeUser) -> None:
        self.e2e = e2e
        self.user = user
        self.mark = 0

    @property
    def fake(self) -> FakeTelegram:
        return self.e2e.fake

    @property
    def chat_id(self) -> int:
        return self.user.id

    def _sent_so_far(self) -> list[SentMessage]:
        return self.fake.bot_messages(self.chat_id, include_deleted=True)

    def _acted(self, update: Mapping[str, object]) -> int:
        self.mark = len(self._sent_so_far())
        update_id = update["update_id"]
        assert isinstance(update_id, int)
        return update_id

    def send(self, text: str) -> int:
        """Send a text; returns the update id. Bot messages from now on count as replies."""
        return self._acted(self.fake.send_text(self.user, text))

    def press(self, button_text: str, message_id: int | None = None) -> int:
        """Press an inline button (on the latest bot message with a keyboard by default)."""
        return self._acted(self.fake.press_button(self.user, button_text, message_id))

    def replies(self) -> list[SentMessage]:
        """Bot messages sent since the last action."""
        return [m for m in self._sent_so_far()[self.mark :] if not m.deleted]

    @property
    def last(self) -> SentMessage:
        message = self.fake.last_message(self.chat_id)
        assert message is not None, "the bot has not written to this chat"
        return message

    async def expect(self, fragment: str, timeout: float = REPLY_TIMEOUT) -> SentMessage:
        """Wait for a reply (a new bot message) containing ``fragment``."""

        def found() -> SentMessage | None:
            return next((m for m in self.replies() if fragment in text_of(m)), None)

        await self.e2e.wait_for(lambda: found() is not None, f"a reply with {fragment!r}", timeout)
        message = found()
        assert message is not None
        return message

    def reply_buttons(self) -> list[str]:
        keyboard = self.fake.reply_keyboard(self.chat_id) or {}
        return [
            button if isinstance(button, str) else str(button["text"])
            for row in keyboard.get("keyboard", [])
            for button in row
        ]

    def alerts(self) -> list[str]:
        return [
            answer.text
            for answer in self.fake.callback_answers
            if answer.text and answer.user_id == self.user.id
        ]


@dataclass
class E2E:
    """The fake Bot API server of one test and the bot processes started against it."""

    fake: FakeTelegram
    server: FakeBotAPIServer
    base_url: str
    directory: Path

    def __post_init__(self) -> None:
        self.processes: list[BotProcess] = []
        self.db_path = self.directory / "bot.sqlite3"

    @property
    def process(self) -> BotProcess:
        """The most recently started process."""
        assert self.processes, "no bot process was started"
        return self.processes[-1]

    def env(self, **overrides: str) -> dict[str, str]:
        values = {
            "BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": self.base_url,
            "DATABASE_URL": f"sqlite+aiosqlite:///{self.db_path}",
            "REDIS_URL": "",
            "WEBHOOK_URL": "",
            "WEBHOOK_SECRET": "",
            "WEBHOOK_HOST": "127.0.0.1",
            "WEBHOOK_PORT": "8080",
            "DEFAULT_LOCALE": "ru",
            "DEFAULT_TIMEZONE": "Europe/Moscow",
            "LOG_LEVEL": "INFO",
            "ADMIN_IDS": "",
            "BOT_ROLE": "all",
            "HEALTH_PORT": "",
        }
        values.update(overrides)
        return clean_environment(**values)

    async def spawn(self, *, env: Mapping[str, str] | None = None, cwd: Path = ROOT) -> BotProcess:
        """Start ``python -m bot`` without waiting for anything."""
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            cwd=cwd,
            env=dict(env) if env is not None else self.env(),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        bot = BotProcess(f"bot{len(self.processes) + 1}", process, self.directory, self.fake.notify)
        self.processes.append(bot)
        return bot

    async def start(self) -> BotProcess:
        """Start the bot and wait until it long-polls for updates."""
        calls_before = len(self.fake.calls)
        bot = await self.spawn()

        def polling() -> bool:
            return any(call.method == "getUpdates" for call in self.fake.calls[calls_before:])

        await self.wait_for(polling, f"{bot.name} polling for updates", START_TIMEOUT)
        return bot

    async def wait_for(
        self, predicate: Callable[[], bool], what: str, timeout: float = REPLY_TIMEOUT
    ) -> None:
        """Wait until ``predicate()``; fail with the bot's output if it dies or time runs out."""
        bot = self.process

        def done() -> bool:
            return predicate() or bot.exited

        if not await self.fake.wait_until(done, timeout):
            pytest.fail(f"timed out after {timeout}s waiting for {what}\n{self.report()}")
        if not predicate():
            pytest.fail(f"the bot died while waiting for {what}\n{self.report()}")

    async def wait_handled(self, update_id: int, timeout: float = REPLY_TIMEOUT) -> str:
        """Wait for the update's log line; returns its outcome ("ok" or "error")."""
        bot = self.process
        await self.wait_for(lambda: bot.handled(update_id), f"update {update_id} logged", timeout)
        return bot.outcomes()[update_id][-1]

    async def wait_idle(self, timeout: float = REPLY_TIMEOUT) -> None:
        """Every update confirmed and a long poll waiting (the bot took all it was given)."""
        if not await self.server.wait_idle(timeout):
            pytest.fail(f"the bot did not become idle within {timeout}s\n{self.report()}")

    def person(
        self,
        user_id: int = 1001,
        *,
        first_name: str = "Анна",
        last_name: str | None = "Иванова",
        language_code: str | None = "ru",
    ) -> Person:
        user = self.fake.user(
            user_id, first_name=first_name, last_name=last_name, language_code=language_code
        )
        return Person(self, user)

    def report(self) -> str:
        """Recent Bot API calls and the output of every process, for assertion messages."""
        calls = "\n  ".join(call.describe() for call in self.fake.calls[-25:]) or "(none)"
        outputs = "\n".join(bot.describe() for bot in self.processes) or "(no bot process)"
        queue = (
            f"pending updates: {len(self.fake.pending_updates())}, "
            f"getUpdates waiting: {self.fake.polls_waiting}"
        )
        return f"{queue}; recent Bot API calls:\n  {calls}\n{outputs}"

    async def close(self) -> None:
        for bot in self.processes:
            if not bot.exited:
                await bot.kill()
