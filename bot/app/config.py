"""Application settings read from the environment or a ``.env`` file."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.domain.preferences import parse_timezone

WEBHOOK_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
FREE_MESSAGES_PER_SECOND = 30


class Settings(BaseSettings):
    """Every option the bot reads; see the README's configuration table."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr
    database_url: str = "sqlite+aiosqlite:///data/bot.sqlite3"
    telegram_api_url: str | None = None
    redis_url: str | None = None
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_host: str = "0.0.0.0"  # noqa: S104 - a webhook server listens on all interfaces
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    default_locale: Literal["ru", "en"] = "ru"
    default_timezone: str = "Europe/Moscow"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    bot_role: Literal["all", "web", "scheduler"] = "all"
    health_port: int | None = Field(default=None, ge=1, le=65535)
    # Reminders sent per second at most, and seconds between two to one chat. Telegram allows
    # about 30 a second for free; above that the bot sends paid broadcasts (up to 1,000).
    reminders_per_second: float = Field(default=29.0, gt=0, le=1000)
    reminders_chat_interval: float = Field(default=1.0, ge=0)

    @field_validator("bot_token")
    @classmethod
    def _token_not_blank(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().strip():
            raise ValueError("BOT_TOKEN is empty")
        return value

    @field_validator("telegram_api_url", "redis_url", "webhook_url", "health_port", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("default_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        parsed = parse_timezone(value)
        if parsed is None:
            raise ValueError(f"unknown time zone {value!r}; use e.g. Europe/Moscow or UTC+3")
        return parsed

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return [int(part) for part in re.split(r"[,\s]+", value.strip()) if part]
        if isinstance(value, int):
            return [value]
        return value

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        if self.webhook_url:
            secret = self.webhook_secret.get_secret_value() if self.webhook_secret else ""
            if not WEBHOOK_SECRET_RE.fullmatch(secret):
                raise ValueError(
                    "WEBHOOK_SECRET is required with WEBHOOK_URL: "
                    "1-256 characters of A-Z a-z 0-9 _ -"
                )
        return self

    @model_validator(mode="after")
    def _split_roles_need_a_server_database(self) -> Settings:
        if self.bot_role != "all" and self.is_sqlite:
            raise ValueError(
                f"BOT_ROLE={self.bot_role} runs the bot as several processes sharing one "
                "database: set DATABASE_URL to PostgreSQL (postgresql+asyncpg://...). "
                "With SQLite the bot is one process: BOT_ROLE=all"
            )
        return self

    @property
    def paid_broadcast(self) -> bool:
        return self.reminders_per_second > FREE_MESSAGES_PER_SECOND

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def handles_updates(self) -> bool:
        return self.bot_role in {"all", "web"}

    @property
    def runs_scheduler(self) -> bool:
        return self.bot_role in {"all", "scheduler"}
