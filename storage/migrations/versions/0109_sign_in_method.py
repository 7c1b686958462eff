"""how a sign-in was made: by an emailed link or through an identity provider

Revision ID: 0109
Revises: 0108
Create Date: 2026-12-07 21:15:00

`sign_ins.method` is `link` (a link by email; every row made before) or `oidc:KEY` (through
the identity provider KEY of LOFTE_OIDC_PROVIDERS), so that what is held about a person's
sign-ins says how each was made. Added in place with a constant default: no row is rewritten.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0109"
down_revision: str | None = "0108"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "sign_ins",
        sa.Column(
            "method",
            sqlmodel.sql.sqltypes.AutoString(length=40),
            nullable=False,
            server_default="link",
        ),
    )


def downgrade() -> None:
    with op.batch_alter_table("sign_ins") as batch_op:
        batch_op.drop_column("method")
