"""imported observations and yearly indicators

Revision ID: 0108
Revises: 0107
Create Date: 2026-12-07 17:00:00

`lofte import observations` keeps EST reports exported from other tools (Embrace, Excel, form
exports) in `imported_observations`, one row per row of the file, keyed so that importing
the same file again adds nothing; the lägesbild counts them beside the inventories' answers.
`lofte import indicators` keeps yearly figures (Brå's reported crimes, the police's
trygghetsmätning) in `indicators`, one row per version of (unit, year, indicator, source).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from lofte.storage.types import PlainFloat, UtcDateTime

revision: str = "0108"
down_revision: str | None = "0107"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        "imported_observations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", text(length=64), nullable=False),
        sa.Column("unit_id", text(length=64), nullable=False),
        sa.Column("observed_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("observation", sa.JSON(), nullable=False),
        sa.Column("source", text(length=200), nullable=False),
        sa.Column("imported_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("imported_by", text(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("unit_id", "key"),
    )
    op.create_index(
        "ix_imported_observations_when",
        "imported_observations",
        ["unit_id", "observed_at"],
        unique=False,
    )
    op.create_table(
        "indicators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", text(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("name", text(length=200), nullable=False),
        sa.Column("source", text(length=200), nullable=False),
        sa.Column("value", PlainFloat(), nullable=False),
        sa.Column("measure", text(length=60), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("format", sa.Integer(), nullable=False),
        sa.Column("file", text(length=200), nullable=False),
        sa.Column("imported_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("imported_by", text(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("unit_id", "year", "name", "source", "version"),
    )


def downgrade() -> None:
    op.drop_table("indicators")
    op.drop_index("ix_imported_observations_when", table_name="imported_observations")
    op.drop_table("imported_observations")
