"""Fixtures for the end-to-end tests: a fake Bot API server per test, bots killed after it.

Every test runs on each backend of ``backends.BACKENDS`` (``sqlite`` and ``postgres+redis``);
a test pins one with ``backends.SQLITE_ONLY`` or ``backends.POSTGRES_REDIS_ONLY``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator
from pathlib import Path

import pytest

from tests.e2e.backends import BACKENDS, Backend, BackendE2E, prepare
from tests.e2e.process import E2E, REPORT_MARK, TOKEN
from tests.fakeapi import FakeBotAPIServer, FakeTelegram


@pytest.fixture(params=BACKENDS)
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    """The database (and FSM storage) the bot processes of the test run on, empty."""
    return await prepare(request.param, tmp_path)


@pytest.fixture
async def e2e(tmp_path: Path, backend: Backend) -> AsyncIterator[BackendE2E]:
    fake = FakeTelegram(TOKEN)
    server = FakeBotAPIServer(fake)
    base_url = await server.start("127.0.0.1", 0)
    harness = BackendE2E(fake, server, base_url, tmp_path, backend)
    try:
        yield harness
    finally:
        try:
            await harness.close()
        finally:
            await server.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A failed e2e test shows the bots' stdout and stderr even after a plain ``assert``."""
    report = yield
    harness = getattr(item, "funcargs", {}).get("e2e")
    if report.failed and isinstance(harness, E2E) and REPORT_MARK not in str(report.longrepr):
        report.sections.append(("bot processes", harness.report()))
    return report
