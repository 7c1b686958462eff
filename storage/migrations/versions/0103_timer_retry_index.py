"""an index for the next retry of a timer

Revision ID: 0103
Revises: 0102
Create Date: 2026-11-25 09:20:00

The next moment anything is due (`SqlTimers.next_due`) was one aggregate over every pending
timer; it is now two index look-ups: the earliest pending timer not being retried (on
ix_timers_due) and the earliest retry (on this index).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0103"
down_revision: str | None = "0102"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("timers", schema=None) as batch_op:
        batch_op.create_index("ix_timers_retry", ["status", "next_attempt_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("timers", schema=None) as batch_op:
        batch_op.drop_index("ix_timers_retry")
