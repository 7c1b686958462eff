"""the audit chain's version and key id on every event

Revision ID: 0106
Revises: 0105
Create Date: 2026-12-07 17:00:00

From version 2 each audit event's hash is an HMAC-SHA256 with a secret audit key kept outside
the database (`workflow.core.audit_chain`). Every event records the chain version it was
written with and the id of its key; the events already stored are version 1 (SHA-256 without
a key) and keep verifying as such. The columns are added in place (ADD COLUMN with a constant
default): no row is rewritten, so the append-only triggers are not involved.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0106"
down_revision: str | None = "0105"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "audit_events",
        sa.Column("chain_version", sa.Integer(), nullable=False, server_default="1"),
    )
    op.add_column(
        "audit_events",
        sa.Column(
            "key_id",
            sqlmodel.sql.sqltypes.AutoString(length=16),
            nullable=False,
            server_default="",
        ),
    )


def downgrade() -> None:
    # Version 2 events cannot be checked without their columns: refuse rather than lose them.
    bind = op.get_bind()
    keyed = bind.execute(sa.text("SELECT count(*) FROM audit_events WHERE chain_version > 1"))
    if keyed.scalar_one():
        raise RuntimeError("audit events with a keyed hash exist; they need these columns")
    with op.batch_alter_table("audit_events") as batch_op:
        batch_op.drop_column("key_id")
        batch_op.drop_column("chain_version")
