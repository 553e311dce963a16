"""ORM models. Every change here comes with an Alembic revision in ``migrations/``."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    false,
)
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base, UTCDateTime
from bot.domain.calendar import default_calendar


def _calendar_of_zone(context: DefaultExecutionContext) -> str:
    """A new person's calendar when none is given: the default of their time zone."""
    parameters = context.get_current_parameters()  # type: ignore[no-untyped-call]  # unannotated
    return default_calendar(str(parameters["timezone"]))


class User(Base):
    """A person who consented to the bot storing their data, with their settings."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    language: Mapped[str] = mapped_column(String(8))
    signature: Mapped[str] = mapped_column(String(64))
    gender: Mapped[str] = mapped_column(String(1), default="n")
    timezone: Mapped[str] = mapped_column(String(64))
    # Whose working days count: "ru" (the Russian production calendar) or "none"
    # (Monday–Friday); unless given, the default of the time zone (bot.domain.calendar).
    calendar: Mapped[str] = mapped_column(
        String(8), default=_calendar_of_zone, server_default="none"
    )
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


class Interview(Base):
    """One interview as the person described it. Dates are local dates in their time zone."""

    __tablename__ = "interviews"
    __table_args__ = (Index("ix_interviews_user_created", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=False
    )
    company: Mapped[str] = mapped_column(String(100))
    position: Mapped[str] = mapped_column(String(100))
    contact_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    channel: Mapped[str] = mapped_column(String(16))
    contact_address: Mapped[str | None] = mapped_column(String(255), nullable=True)
    last_stage_on: Mapped[date] = mapped_column(Date())
    all_stages_done: Mapped[bool] = mapped_column(Boolean)
    next_stage_on: Mapped[date | None] = mapped_column(Date(), nullable=True)
    outcome: Mapped[str] = mapped_column(String(16))
    rejection_tone: Mapped[str | None] = mapped_column(String(8), nullable=True)
    result_on: Mapped[date | None] = mapped_column(Date(), nullable=True)
    last_contact_on: Mapped[date | None] = mapped_column(Date(), nullable=True)
    priorities: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Drafts: the language and tone the person last chose for this employer.
    draft_language: Mapped[str | None] = mapped_column(String(2), nullable=True)
    draft_tone: Mapped[str | None] = mapped_column(String(8), nullable=True)
    # What the person reported sending (the follow-up rules count from these).
    request_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    follow_up_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    thanks_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The employer's reply as the person reported it: feedback | declined.
    reply: Mapped[str | None] = mapped_column(String(16), nullable=True)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    saved_in_update: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    """The Telegram update whose Save last saved it: that update sent again finds it."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ProcessedUpdate(Base):
    """Telegram update ids already handled and committed: a redelivered update is skipped."""

    __tablename__ = "processed_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class Reminder(Base):
    """A scheduled Telegram reminder. The database is the source of truth for delivery."""

    __tablename__ = "reminders"
    __table_args__ = (Index("ix_reminders_status_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    interview_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("interviews.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # A claim of it expired without a «sent» mark (the sender died mid-send): the person may
    # have got it already, so the copy sent now says it may be a repeat.
    reclaimed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    message_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class JournalEntry(Base):
    """What the person learned from one interview: feedback, its absence, or a reflection."""

    __tablename__ = "journal_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    interview_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("interviews.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # feedback | none | declined | reflection
    text: Mapped[str | None] = mapped_column(Text, nullable=True)
    areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    sentiment: Mapped[str | None] = mapped_column(String(16), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PlanAction(Base):
    """A step of the improvement plan the person ticked as done."""

    __tablename__ = "plan_actions"
    __table_args__ = (UniqueConstraint("user_id", "area", "action", name="uq_plan_actions_step"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    area: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(16))
    done_at: Mapped[datetime] = mapped_column(UTCDateTime())
