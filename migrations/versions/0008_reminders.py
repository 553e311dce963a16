"""One word in code and data: the table of reminders is called ``reminders`` (was
``nudges``). Rows are copied over with their ids; the old table goes.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    "id, user_id, interview_id, kind, due_at, status, attempts, sent_at, message_id, "
    "created_at, updated_at"
)


def _create(table: str) -> None:
    op.create_table(
        table,
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["interviews.id"],
            name=op.f(f"fk_{table}_interview_id_interviews"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f(f"fk_{table}_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    )
    op.create_index(f"ix_{table}_status_due", table, ["status", "due_at"])
    op.create_index(op.f(f"ix_{table}_user_id"), table, ["user_id"])
    op.create_index(op.f(f"ix_{table}_interview_id"), table, ["interview_id"])


def _drop(table: str) -> None:
    op.drop_index(op.f(f"ix_{table}_interview_id"), table_name=table)
    op.drop_index(op.f(f"ix_{table}_user_id"), table_name=table)
    op.drop_index(f"ix_{table}_status_due", table_name=table)
    op.drop_table(table)


def _move(source: str, target: str) -> None:
    _create(target)
    op.execute(f"INSERT INTO {target} ({COLUMNS}) SELECT {COLUMNS} FROM {source}")  # noqa: S608
    if op.get_bind().dialect.name == "postgresql":  # the new id sequence goes on after the rows
        op.execute(
            f"SELECT setval(pg_get_serial_sequence('{target}', 'id'), "  # noqa: S608
            f"COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {target}"
        )
    _drop(source)


def upgrade() -> None:
    _move("nudges", "reminders")


def downgrade() -> None:
    _move("reminders", "nudges")
