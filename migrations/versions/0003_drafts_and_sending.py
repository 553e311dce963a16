"""Draft preferences per interview and what the person reported sending.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ("draft_language", sa.String(length=2)),
    ("draft_tone", sa.String(length=8)),
    ("request_sent_at", sa.DateTime(timezone=True)),
    ("follow_up_sent_at", sa.DateTime(timezone=True)),
    ("thanks_sent_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    with op.batch_alter_table("interviews") as batch:
        for name, type_ in COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("interviews") as batch:
        for name, _type in reversed(COLUMNS):
            batch.drop_column(name)
