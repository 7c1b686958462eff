"""the timers by status, due time and id: the order they are claimed in

Revision ID: 0112
Revises: 0111
Create Date: 2026-12-08 01:30:00

The claim (`storage/repositories/timers.py`) takes the earliest due pending timer, ordered by
`due_at, id`. On PostgreSQL ix_timers_due (`status, due_at`) holds equal keys in the order
of their rows on disk, not by id, so with every municipality's opening at the same minute the
planner read every timer of the table (fired ones too) and sorted the pending ones, at each
claim: 1.9 ms a claim with 1,900 municipalities' first openings half fired, growing with the
table (`bench/bench_live.py`). With the id in the index a claim reads it from the pending
timers' start and stops at the first one it may take. (A separate partial index of the
pending timers by `due_at, id` did that too, but without statistics the planner then also
used it, filtered, to look for a cycle's earlier timer instead of ix_timers_instance.)
SQLite's index already ended with the row id, which is the timer's id: its plans stay.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0112"
down_revision: str | None = "0111"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_timers_due", table_name="timers")
    op.create_index("ix_timers_due", "timers", ["status", "due_at", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_timers_due", table_name="timers")
    op.create_index("ix_timers_due", "timers", ["status", "due_at"], unique=False)
