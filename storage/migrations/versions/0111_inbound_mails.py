"""mails read from Löfte's mailbox

Revision ID: 0111
Revises: 0109
Create Date: 2026-12-07 21:30:00

`lofte inbox read` keeps each mail it read (a reply to a request, a bounce, an auto-reply) by
the SHA-256 of its Message-ID, with what became of it, so that the same mail read twice is
acted on once; an out-of-office reply keeps whose it was and until when they are away.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from lofte.storage.types import UtcDateTime

revision: str = "0111"
down_revision: str | None = "0109"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        "inbound_mails",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", text(length=64), nullable=False),
        sa.Column("received_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("outcome", text(length=40), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("person_id", text(length=120), nullable=True),
        sa.Column("away_until", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_index(
        "ix_inbound_mails_person", "inbound_mails", ["person_id", "received_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_inbound_mails_person", table_name="inbound_mails")
    op.drop_table("inbound_mails")
