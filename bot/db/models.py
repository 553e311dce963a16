"""ORM models. Every change here comes with an Alembic revision in ``migrations/``."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, String, Time
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, UTCDateTime


class User(Base):
    """A person who consented to the bot storing their data, with their settings."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    language: Mapped[str] = mapped_column(String(8))
    signature: Mapped[str] = mapped_column(String(64))
    gender: Mapped[str] = mapped_column(String(1), default="n")
    timezone: Mapped[str] = mapped_column(String(64))
    quiet_start: Mapped[time | None] = mapped_column(Time(), nullable=True)
    quiet_end: Mapped[time | None] = mapped_column(Time(), nullable=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    consented_at: Mapped[datetime] = mapped_column(UTCDateTime())
    onboarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class FsmRecord(Base):
    """Conversation state of one chat/user, so a restart continues where it stopped."""

    __tablename__ = "fsm_states"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    state: Mapped[str | None] = mapped_column(String(255), nullable=True)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
