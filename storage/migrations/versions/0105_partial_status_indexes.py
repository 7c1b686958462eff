"""indexes of only the timers and messages their queries look for

Revision ID: 0105
Revises: 0104
Create Date: 2026-12-05 12:00:00

A timer is added pending and then fired or cancelled; a message goes from pending through
sending to sent. Every index that held the status was rewritten at each of those changes
(an entry taken out and put back under the new status): 14 index writes a timer and 18 a
message. The indexes that serve only pending timers, `sending` messages (a lease that ran
out) and `held` ones (a daily digest) now hold only those rows, so a row is taken out once
and never put back: about 8 writes a timer and 10 a message. ix_timers_due and ix_outbox_due
keep every status (lists and counts by status).

The indexes are built in the migration's transaction, not CONCURRENTLY: on PostgreSQL writes
to the timers and the outbox wait while they are built (seconds for a year of 290
municipalities), so run `lofte init` with the engines stopped, as for every migration.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0105"
down_revision: str | None = "0104"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PENDING = "status = 'pending'"
PARTIAL = {
    "timers": [
        # (status first in these two: SQLite's planner then prefers them to the *_due index)
        (
            "ix_timers_retry",
            ["status", "next_attempt_at"],
            f"{PENDING} AND next_attempt_at IS NOT NULL",
        ),
        ("ix_timers_instance", ["instance_id", "due_at"], PENDING),
        ("ix_timers_opening", ["definition_name", "unit_id"], f"{PENDING} AND kind = 'open'"),
    ],
    "outbox": [
        ("ix_outbox_claimed", ["status", "claimed_at"], "status = 'sending'"),
        ("ix_outbox_person", ["person_id"], "status = 'held'"),
    ],
}
WHOLE = {
    "ix_timers_retry": ["status", "next_attempt_at"],
    "ix_timers_instance": ["instance_id", "status", "due_at"],
    "ix_timers_opening": ["definition_name", "unit_id", "status"],
    "ix_outbox_claimed": ["status", "claimed_at"],
    "ix_outbox_person": ["person_id", "status"],
}


def upgrade() -> None:
    for table, indexes in PARTIAL.items():
        for name, columns, where in indexes:
            op.drop_index(name, table_name=table)
            op.create_index(
                name,
                table,
                columns,
                unique=False,
                sqlite_where=sa.text(where),
                postgresql_where=sa.text(where),
            )


def downgrade() -> None:
    for table, indexes in PARTIAL.items():
        for name, _, _ in indexes:
            op.drop_index(name, table_name=table)
            op.create_index(name, table, WHOLE[name], unique=False)
