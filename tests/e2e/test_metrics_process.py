"""End to end: in webhook mode the public port serves no metrics; the health port does."""

from __future__ import annotations

import aiohttp
import pytest

from tests.e2e.backends import SQLITE_ONLY, BackendE2E
from tests.e2e.cluster import free_port

pytestmark = [pytest.mark.e2e, SQLITE_ONLY]

WEBHOOK_URL = "https://bot.example.com/telegram/webhook"


async def statuses(base_url: str, *paths: str) -> dict[str, int]:
    async with aiohttp.ClientSession() as http:
        found = {}
        for path in paths:
            async with http.get(base_url + path) as response:
                found[path] = response.status
        return found


async def start_webhook_mode(e2e: BackendE2E, **env: str) -> str:
    """``python -m bot`` in webhook mode; returns its public base URL once it has
    registered the webhook (both its ports listen by then)."""
    port = free_port()
    registered = len(e2e.fake.calls_to("setWebhook"))
    await e2e.spawn(
        env=e2e.env(WEBHOOK_URL=WEBHOOK_URL, WEBHOOK_SECRET="s3cret", WEBHOOK_PORT=str(port), **env)
    )
    await e2e.wait_for(
        lambda: len(e2e.fake.calls_to("setWebhook")) > registered, "the webhook registered", 60
    )
    return f"http://127.0.0.1:{port}"


async def test_metrics_only_on_the_health_port(e2e: BackendE2E) -> None:
    public = await start_webhook_mode(e2e)  # no HEALTH_PORT: no metrics anywhere
    assert await statuses(public, "/metrics", "/healthz") == {"/metrics": 404, "/healthz": 200}
    await e2e.process.terminate()

    health_port = free_port()
    public = await start_webhook_mode(e2e, HEALTH_PORT=str(health_port))
    assert await statuses(public, "/metrics", "/healthz") == {"/metrics": 404, "/healthz": 200}
    health = f"http://127.0.0.1:{health_port}"
    assert await statuses(health, "/metrics", "/readyz") == {"/metrics": 200, "/readyz": 200}
