"""Membership dates and email invitations

Revision ID: 32dda97c8435
Revises: 41bb6bffa4fb
Create Date: 2026-11-30 12:40:04.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "32dda97c8435"
down_revision: str | Sequence[str] | None = "41bb6bffa4fb"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# squawk: allow constraint-missing-not-valid -- people's status CHECK: shipped before migrations were linted; databases that ran it keep what it did


def upgrade() -> None:
    op.add_column(
        "people",
        sa.Column(
            "status",
            sa.Enum("invited", "active", name="status", native_enum=False, length=16),
            server_default="active",
            nullable=False,
        ),
    )
    # add_column emits no CHECK of its own
    op.create_check_constraint(
        op.f("ck_people_status"), "people", "status IN ('invited', 'active')"
    )
    op.add_column(
        "chapter_memberships",
        sa.Column("first_joined_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.add_column(
        "chapter_memberships", sa.Column("invited_email", sa.String(length=320), nullable=True)
    )
    # Backfill from the history, across every tenant: the owner role reads past row-level
    # security only while it is not forced on the table.
    op.execute("ALTER TABLE chapter_memberships NO FORCE ROW LEVEL SECURITY")
    op.execute(
        "UPDATE chapter_memberships m SET first_joined_at = p.first_active "
        "FROM (SELECT tenant_id, membership_id, min(started_at) AS first_active "
        "      FROM chapter_membership_periods WHERE status = 'active' "
        "      GROUP BY tenant_id, membership_id) p "
        "WHERE p.tenant_id = m.tenant_id AND p.membership_id = m.id"
    )
    op.execute("ALTER TABLE chapter_memberships FORCE ROW LEVEL SECURITY")


def downgrade() -> None:
    op.drop_column("chapter_memberships", "invited_email")
    op.drop_column("chapter_memberships", "first_joined_at")
    op.drop_constraint(op.f("ck_people_status"), "people", type_="check")
    op.drop_column("people", "status")
