"""The production topology as real processes: webhook replicas and one reminder scheduler.

Every process is ``python -m bot`` on one PostgreSQL database and one Redis database, against
the test's fake Bot API server (see ``process.py``). The fake stores ``setWebhook`` but never
posts updates itself: the test plays Telegram, builds each update with the fake (so the chat
history and the buttons stay real) and POSTs it to the replica it chooses, with the secret
header. In webhook mode a replica answers 200 only once the update was handled and committed
(or after aiogram's 55 s limit), so whatever the update makes the bot do has happened by the
time the test sees the 200.

:class:`Cluster` is an :class:`E2E` that shares the processes of the test's ``e2e`` fixture
(the fixture kills them after the test and shows their output when it fails) and watches
every process the test did not stop on purpose: a replica that dies fails the wait at once.
"""

from __future__ import annotations

import asyncio
import socket
import sys
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Literal

import aiohttp
import pytest
from aiogram.fsm.storage.base import DefaultKeyBuilder, StorageKey
from aiogram.fsm.storage.redis import RedisStorage
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from tests.e2e.process import (
    E2E,
    REPLY_TIMEOUT,
    ROOT,
    TOKEN,
    BotProcess,
    Person,
)
from tests.fakeapi import FakeTelegram, FakeUser, SentMessage
from tests.fakeapi.core import Files

WEBHOOK_URL = "https://bot.example.com/telegram/webhook"
"""What the replicas register with Telegram; the load balancer forwards the path to them."""
WEBHOOK_PATH = "/telegram/webhook"
SECRET = "replica-secret_42"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
BOT_ID = int(TOKEN.split(":", 1)[0])
CLUSTER_START_TIMEOUT = 60.0
"""Several processes import the bot and start at once: seconds on an idle machine, far
longer on a busy one (a start is mostly CPU)."""
POLL_INTERVAL = 0.05
"""Between two readiness probes of a starting process (nothing else here polls)."""

JSON = dict[str, Any]
Role = Literal["web", "scheduler"]


def free_port() -> int:
    """A TCP port nobody listens on right now (the kernel's pick for port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Replica:
    """One process of the cluster and the port it serves HTTP on."""

    name: str
    role: Role
    port: int
    process: BotProcess

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def webhook_url(self) -> str:
        return f"{self.base_url}{WEBHOOK_PATH}"


class Cluster(E2E):
    """Replicas and a scheduler on PostgreSQL and Redis, driven through the fake Bot API."""

    database_url: str
    redis_url: str
    http: aiohttp.ClientSession
    engine: AsyncEngine
    redis: Redis
    fsm: RedisStorage
    stopped_on_purpose: list[BotProcess]

    @classmethod
    @asynccontextmanager
    async def running(
        cls, e2e: E2E, *, database_url: str, redis_url: str
    ) -> AsyncIterator[Cluster]:
        """A cluster around the test's fake server, on a migrated database and a Redis
        database, both empty."""
        assert redis_url, "replicas share the conversation state through Redis"
        cluster = cls(e2e.fake, e2e.server, e2e.base_url, e2e.directory)
        cluster.processes = e2e.processes  # the e2e fixture kills them and reports them
        cluster.database_url = database_url
        cluster.redis_url = redis_url
        cluster.stopped_on_purpose = []
        cluster.redis = Redis.from_url(redis_url)
        cluster.fsm = RedisStorage(cluster.redis, key_builder=DefaultKeyBuilder(with_destiny=True))
        cluster.engine = create_async_engine(database_url, poolclass=NullPool)
        # A new connection per request: a request never rides on a kept-alive connection that
        # a stopping replica has just closed, so a failure means the replica refused it.
        cluster.http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True))
        try:
            yield cluster
        finally:
            await cluster.http.close()
            await cluster.engine.dispose()
            await cluster.redis.aclose()

    # --- processes ------------------------------------------------------------------------

    def _env(self, role: Role, port: int) -> dict[str, str]:
        common = {"DATABASE_URL": self.database_url, "REDIS_URL": self.redis_url}
        if role == "web":
            return self.env(
                **common,
                BOT_ROLE="web",
                WEBHOOK_URL=WEBHOOK_URL,
                WEBHOOK_SECRET=SECRET,
                WEBHOOK_HOST="127.0.0.1",
                WEBHOOK_PORT=str(port),
            )
        return self.env(**common, BOT_ROLE="scheduler", HEALTH_PORT=str(port))

    async def _spawn(self, name: str, env: Mapping[str, str]) -> BotProcess:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            cwd=ROOT,
            env=dict(env),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        bot = BotProcess(name, process, self.directory, self.fake.notify)
        self.processes.append(bot)
        return bot

    async def start_replicas(self, *names: str, scheduler: bool = False) -> list[Replica]:
        """Start web replicas (and the scheduler) at once; returns when each answers
        ``/readyz`` and every web replica has registered the webhook."""
        wanted: list[tuple[str, Role]] = [(name, "web") for name in names]
        if scheduler:
            wanted.append(("scheduler", "scheduler"))

        def webhooks() -> int:
            return sum(call.ok for call in self.fake.calls_to("setWebhook"))

        registered = webhooks() + len(names)
        started = []
        for name, role in wanted:
            port = free_port()
            process = await self._spawn(name, self._env(role, port))
            started.append(Replica(name, role, port, process))
        await asyncio.gather(*(self._ready(replica) for replica in started))
        await self.wait_for(
            lambda: webhooks() >= registered, "the webhook registrations", CLUSTER_START_TIMEOUT
        )
        return started

    async def _ready(self, replica: Replica) -> None:
        """Probe ``/readyz`` until it answers 200 (database reachable, scheduler running)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + CLUSTER_START_TIMEOUT
        while loop.time() < deadline:
            if replica.process.exited:
                pytest.fail(f"{replica.name} died while starting\n{self.report()}")
            try:
                async with self.http.get(f"{replica.base_url}/readyz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass  # not listening yet
            await asyncio.sleep(POLL_INTERVAL)
        pytest.fail(f"{replica.name} not ready within {CLUSTER_START_TIMEOUT}s\n{self.report()}")

    async def readiness(self, replica: Replica) -> tuple[int, JSON]:
        async with self.http.get(f"{replica.base_url}/readyz") as response:
            return response.status, await response.json()

    async def kill(self, replica: Replica) -> int:
        """``kill -9``: the process gets no chance to clean up anything."""
        self.stopped_on_purpose.append(replica.process)
        return await replica.process.kill()

    def send_sigterm(self, replica: Replica) -> None:
        """SIGTERM, as an orchestrator sends it, without waiting for the exit."""
        self.stopped_on_purpose.append(replica.process)
        replica.process.process.terminate()

    async def wait_for(
        self, predicate: Callable[[], bool], what: str, timeout: float = REPLY_TIMEOUT
    ) -> None:
        """Wait until ``predicate()``; fail at once, with the output of every process, when a
        process the test did not stop dies."""
        watched = [p for p in self.processes if p not in self.stopped_on_purpose]

        def done() -> bool:
            return predicate() or any(p.exited for p in watched)

        if not await self.fake.wait_until(done, timeout):
            pytest.fail(f"timed out after {timeout}s waiting for {what}\n{self.report()}")
        if not predicate():
            dead = ", ".join(p.name for p in watched if p.exited)
            pytest.fail(f"{dead} died while waiting for {what}\n{self.report()}")

    # --- Telegram's side of the webhook -----------------------------------------------------

    async def post(
        self,
        replica: Replica,
        update: Mapping[str, Any],
        *,
        secret: str | None = SECRET,
        timeout: float = REPLY_TIMEOUT,
    ) -> int:
        """POST an update as Telegram does; returns the HTTP status. A replica that is down
        or stopping raises :class:`aiohttp.ClientError` (connection refused or reset)."""
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        async with self.http.post(
            replica.webhook_url,
            json=update,
            headers=headers,
            timeout=aiohttp.ClientTimeout(total=timeout),
        ) as response:
            await response.read()
            return response.status

    def caller(self, user_id: int, first_name: str = "Анна", last_name: str = "Иванова") -> Caller:
        user = self.fake.user(user_id, first_name=first_name, last_name=last_name)
        return Caller(self, user)

    # --- what was stored ------------------------------------------------------------------

    async def rows(self, sql: str, **params: object) -> list[dict[str, Any]]:
        async with self.engine.connect() as connection:
            result = await connection.execute(text(sql), params)
            return [dict(row) for row in result.mappings()]

    async def execute(self, sql: str, **params: object) -> None:
        async with self.engine.begin() as connection:
            await connection.execute(text(sql), params)

    async def processed(self, update_ids: Iterable[int]) -> set[int]:
        """Which of these updates were committed as handled (``processed_updates``)."""
        ids = list(update_ids)
        found = await self.rows(
            "SELECT update_id FROM processed_updates WHERE update_id = ANY(:ids)", ids=ids
        )
        return {int(row["update_id"]) for row in found}

    async def users(self, user_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
        found = await self.rows("SELECT * FROM users WHERE id = ANY(:ids)", ids=list(user_ids))
        return {int(row["id"]): row for row in found}

    async def fsm_state(self, user_id: int) -> str | None:
        """The conversation step Redis holds for a person (private chat)."""
        key = StorageKey(bot_id=BOT_ID, chat_id=user_id, user_id=user_id)
        return await self.fsm.get_state(key)


class Caller(Person):
    """A person whose every update is POSTed by the test to the replica it names."""

    def __init__(self, cluster: Cluster, user: FakeUser) -> None:
        super().__init__(cluster, user)
        self.cluster = cluster

    def message_update(self, text_: str) -> JSON:
        """The person types ``text_``; returns the update (not delivered yet)."""
        update = self.fake.send_text(self.user, text_)
        self._acted(update)
        return update

    def button_update(self, button: str, message_id: int | None = None) -> JSON:
        """The person taps an inline button; returns the update (not delivered yet)."""
        update = self.fake.press_button(self.user, button, message_id)
        self._acted(update)
        return update

    async def deliver(self, replica: Replica, update: JSON) -> list[SentMessage]:
        """POST the update; it must be acknowledged (200). Returns the bot messages sent
        since: with the webhook answered after handling, they are all there already."""
        status = await self.cluster.post(replica, update)
        assert status == 200, f"{replica.name} answered {status}\n{self.cluster.report()}"
        return self.replies()

    async def say(self, replica: Replica, text_: str, reply: str) -> SentMessage:
        """Type ``text_`` to this replica; the answer contains ``reply``."""
        return last_reply(await self.deliver(replica, self.message_update(text_)), reply)

    async def tap(
        self, replica: Replica, button: str, reply: str, message_id: int | None = None
    ) -> SentMessage:
        """Tap a button (on the latest keyboard by default); a new message contains ``reply``."""
        return last_reply(
            await self.deliver(replica, self.button_update(button, message_id)), reply
        )

    async def tap_in_place(
        self, replica: Replica, button: str, message: SentMessage, check: Callable[[str], bool]
    ) -> SentMessage:
        """Tap a button of ``message``, which the bot edits in place (no new message)."""
        new = await self.deliver(replica, self.button_update(button, message.message_id))
        assert new == [], [m.text for m in new]
        assert check(message.text or ""), message.text
        return message


def last_reply(replies: list[SentMessage], fragment: str) -> SentMessage:
    """The bot's answer: the last of its new messages, which must contain ``fragment`` (a
    step may send a short note before its question)."""
    texts = [m.text or "" for m in replies]
    assert replies, "the bot sent nothing"
    assert fragment in texts[-1], texts
    return replies[-1]


class Gate:
    """Holds the bot's Bot API calls about some chats until opened.

    An update whose handler is waiting here is certainly in flight: handled halfway, not
    committed, not acknowledged. A held call whose bot goes away (the connection drops) is
    cancelled by the fake server before it takes effect, as a request Telegram never got.
    """

    def __init__(
        self, fake: FakeTelegram, chats: Iterable[int], methods: Iterable[str] | None = None
    ) -> None:
        """Hold ``methods`` (every method when None) whose ``chat_id`` is one of ``chats``."""
        self.fake = fake
        self.chats = {str(chat) for chat in chats}
        self.methods = set(methods) if methods is not None else None
        self.opened = asyncio.Event()
        self.held: list[tuple[str, int]] = []
        self._call = fake.call_async

    def install(self, monkeypatch: pytest.MonkeyPatch) -> Gate:
        monkeypatch.setattr(self.fake, "call_async", self.call_async)
        return self

    async def call_async(
        self,
        token: str,
        method: str,
        params: dict[str, Any],
        files: Files | None = None,
    ) -> tuple[int, JSON]:
        chat = str(params.get("chat_id", ""))
        wanted = self.methods is None or method in self.methods
        if wanted and chat in self.chats and not self.opened.is_set():
            self.held.append((method, int(chat)))
            self.fake.notify()
            await self.opened.wait()
        return await self._call(token, method, params, files)

    def held_chats(self) -> set[int]:
        return {chat for _method, chat in self.held}

    def open(self) -> None:
        self.opened.set()
