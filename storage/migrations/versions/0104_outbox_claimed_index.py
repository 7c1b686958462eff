"""an index for messages claimed by a dispatcher whose lease ran out

Revision ID: 0104
Revises: 0103
Create Date: 2026-11-25 12:20:00

A claim looks for due pending messages and for `sending` ones whose lease ran out
(`claimed_at` before the lease began). ix_outbox_due (status, next_attempt_at) found every
`sending` message and read each row to compare its claimed_at: with messages handed to a
delivery worker, 150 rows on average (550 at most) per claim in a simulated quarter of 10
municipalities. On this index the look is a range that is usually empty.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0104"
down_revision: str | None = "0103"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_claimed", ["status", "claimed_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_claimed")
