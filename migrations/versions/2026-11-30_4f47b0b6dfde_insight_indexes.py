"""Indexes the insight figures read by: a person's membership periods, a chapter's leads,
a chapter's accepted activities by their end (the recaps due)

Revision ID: 4f47b0b6dfde
Revises: 56eb2a37929c
Create Date: 2026-11-30 21:59:41.458131+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "4f47b0b6dfde"
down_revision: str | Sequence[str] | None = "56eb2a37929c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# squawk: allow require-concurrent-index-creation -- shipped before migrations were linted; databases that ran it keep what it did


def upgrade() -> None:
    op.create_index(
        "ix_activities_accepted_chapter_ends",
        "activities",
        ["tenant_id", "chapter_id", "ends_at"],
        unique=False,
        postgresql_where=sa.text("status = 'accepted'"),
    )
    op.create_index(
        "ix_chapter_membership_periods_leads",
        "chapter_membership_periods",
        ["tenant_id", "chapter_id", "started_at"],
        unique=False,
        postgresql_where=sa.text("role = 'lead' AND status = 'active'"),
    )
    op.create_index(
        "ix_chapter_membership_periods_person",
        "chapter_membership_periods",
        ["tenant_id", "person_id", "started_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_chapter_membership_periods_person", table_name="chapter_membership_periods")
    op.drop_index(
        "ix_chapter_membership_periods_leads",
        table_name="chapter_membership_periods",
        postgresql_where=sa.text("role = 'lead' AND status = 'active'"),
    )
    op.drop_index(
        "ix_activities_accepted_chapter_ends",
        table_name="activities",
        postgresql_where=sa.text("status = 'accepted'"),
    )
