"""A person's working calendar: "ru" (the Russian production calendar, holidays and moved days
off included) or "none" (Monday–Friday). Existing people get their time zone's default: a
Russian zone gives "ru", any other zone "none".

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Russia's IANA zones as CLDR lists them (babel 2.19, zone_territories == "RU"), frozen here
# so that this revision gives the same result whatever the code says later.
RUSSIAN_ZONES = (
    "Asia/Anadyr",
    "Asia/Barnaul",
    "Asia/Chita",
    "Asia/Irkutsk",
    "Asia/Kamchatka",
    "Asia/Khandyga",
    "Asia/Krasnoyarsk",
    "Asia/Magadan",
    "Asia/Novokuznetsk",
    "Asia/Novosibirsk",
    "Asia/Omsk",
    "Asia/Sakhalin",
    "Asia/Srednekolymsk",
    "Asia/Tomsk",
    "Asia/Ust-Nera",
    "Asia/Vladivostok",
    "Asia/Yakutsk",
    "Asia/Yekaterinburg",
    "Europe/Astrakhan",
    "Europe/Kaliningrad",
    "Europe/Kirov",
    "Europe/Moscow",
    "Europe/Samara",
    "Europe/Saratov",
    "Europe/Ulyanovsk",
    "Europe/Volgograd",
)


def upgrade() -> None:
    # A plain ADD COLUMN with a default: on SQLite a batch "move and copy" of ``users`` would
    # drop the table, and with foreign keys on that deletes every interview and reminder.
    op.add_column(
        "users",
        sa.Column("calendar", sa.String(length=8), server_default="none", nullable=False),
    )
    users = sa.table("users", sa.column("timezone", sa.String()), sa.column("calendar"))
    op.execute(users.update().where(users.c.timezone.in_(RUSSIAN_ZONES)).values(calendar="ru"))


def downgrade() -> None:
    op.drop_column("users", "calendar")  # SQLite ≥ 3.35 drops it in place, children kept
