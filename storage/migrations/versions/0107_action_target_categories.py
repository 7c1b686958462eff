"""the EST categories an action targets

Revision ID: 0107
Revises: 0106
Create Date: 2026-12-07 17:30:00

An insats or åtagande names the categories of observation it is meant to change (with its
place or area, kept in `place` already), so its baseline and latest count are computed from the
lägesbild rather than typed. The category ids are kept comma-separated; existing actions target
none (their effect is counted over every category at their place).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0107"
down_revision: str | None = "0106"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("actions") as batch:
        batch.add_column(
            sa.Column("target_categories", sa.String(length=400), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("actions") as batch:
        batch.drop_column("target_categories")
