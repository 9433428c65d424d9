"""People state their interests (segments stay staff's)

Revision ID: c1221e747552
Revises: d31167daa36e
Create Date: 2026-11-30 12:40:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "c1221e747552"
down_revision: str | Sequence[str] | None = "d31167daa36e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "people",
        sa.Column(
            "interests",
            postgresql.ARRAY(sa.String(length=50)),
            server_default=sa.text("'{}'::varchar[]"),
            nullable=False,
        ),
    )


def downgrade() -> None:
    op.drop_column("people", "interests")
