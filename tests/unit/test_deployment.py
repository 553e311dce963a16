"""The deployment files agree with the code: docker-compose.yml starts a topology the bot
accepts (its settings validate, one scheduler, web replicas behind the balancer, health
checks on the ports the bot serves them on), and the image carries what start-up needs.

No Docker engine runs in the tests; these read the files as Docker and nginx would.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from bot.app.config import Settings

ROOT = Path(__file__).resolve().parents[2]
# What .env holds in a real deployment (docker-compose.yml reads it into every bot service)
DOT_ENV = {
    "BOT_TOKEN": "123456:TEST-token",
    "WEBHOOK_URL": "https://bot.example.com/telegram",
    "WEBHOOK_SECRET": "replica-secret_42",
}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def bot_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: service
        for name, service in compose["services"].items()
        if service.get("build") == "."
    }


def settings_of(service: dict[str, Any]) -> Settings:
    assert service.get("env_file") == ".env"
    environment = {**DOT_ENV, **service.get("environment", {})}
    return Settings(_env_file=None, **{key.lower(): value for key, value in environment.items()})


def test_every_bot_service_starts_with_valid_settings_on_postgresql_and_redis(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    postgres = services["postgres"]["environment"]
    for name, service in bot_services(compose).items():
        settings = settings_of(service)
        database = urlsplit(settings.database_url)
        assert database.scheme == "postgresql+asyncpg", name
        assert database.hostname in services, name
        assert (database.username, database.password, database.path.lstrip("/")) == (
            postgres["POSTGRES_USER"],
            postgres["POSTGRES_PASSWORD"],
            postgres["POSTGRES_DB"],
        ), name
        assert settings.redis_url is not None, name  # conversations shared across replicas
        assert urlsplit(settings.redis_url).hostname in services, name
        assert set(service["depends_on"]) >= {"postgres", "redis"}, name


def test_one_scheduler_and_several_web_replicas(compose: dict[str, Any]) -> None:
    roles = [settings_of(service).bot_role for service in bot_services(compose).values()]
    assert roles.count("scheduler") == 1  # APScheduler 3 cannot share its job store
    assert roles.count("web") >= 2
    assert "all" not in roles


def _upstream_servers() -> set[str]:
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    upstream = re.search(r"upstream\s+\w+\s*\{(.*?)\}", conf, re.DOTALL)
    assert upstream is not None
    return set(re.findall(r"server\s+([\w.-]+:\d+);", upstream.group(1)))


def test_the_balancer_sends_webhooks_to_every_web_replica_and_no_other(
    compose: dict[str, Any],
) -> None:
    web = {
        f"{name}:{settings_of(service).webhook_port}"
        for name, service in bot_services(compose).items()
        if settings_of(service).bot_role == "web"
    }
    assert _upstream_servers() == web
    balancer = compose["services"]["balancer"]
    assert {name.split(":")[0] for name in web} <= set(balancer["depends_on"])
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "healthz|readyz|metrics" in conf  # kept off the public side


def test_health_checks_ask_readyz_where_each_role_serves_it(compose: dict[str, Any]) -> None:
    for name, service in bot_services(compose).items():
        settings = settings_of(service)
        port = settings.webhook_port if settings.handles_updates else settings.health_port
        assert port is not None, f"{name}: the scheduler needs HEALTH_PORT for /readyz"
        probe = " ".join(service["healthcheck"]["test"])
        assert f"http://127.0.0.1:{port}/readyz" in probe, name


def test_replicas_get_time_to_finish_what_is_in_flight(compose: dict[str, Any]) -> None:
    for name, service in bot_services(compose).items():
        grace = re.fullmatch(r"(\d+)s", service["stop_grace_period"])
        assert grace is not None, name
        assert int(grace.group(1)) > 60, name  # the bot's two bounded 30-second waits


def test_the_image_carries_migrations_and_translations_and_starts_the_bot() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"COPY .*migrations \./migrations", dockerfile)  # migrated at start
    assert "pybabel compile" in dockerfile
    assert re.search(r"COPY .*locales \./locales", dockerfile)
    assert 'CMD ["python", "-m", "bot"]' in dockerfile
    assert re.search(r"^USER (?!root)\w+", dockerfile, re.MULTILINE)
