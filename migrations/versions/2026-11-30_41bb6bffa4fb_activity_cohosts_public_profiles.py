"""People choose whether their name appears on public activity pages

Co-hosting chapters' leads need no schema change (``activity_co_hosts`` says who co-hosts).

Revision ID: 41bb6bffa4fb
Revises: 8a0dca3e6f29
Create Date: 2026-11-30 12:40:03.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "41bb6bffa4fb"
down_revision: str | Sequence[str] | None = "8a0dca3e6f29"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "people",
        sa.Column("public_profile", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )


def downgrade() -> None:
    op.drop_column("people", "public_profile")
