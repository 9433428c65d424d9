"""Calendar feed tokens

Revision ID: be5a7c9d3b64
Revises: ad4f6b8c2a53
Create Date: 2026-11-30 23:15:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from migrations.tenancy_ops import drop_tenant_isolation, isolate_tenant_table

revision: str = "be5a7c9d3b64"
down_revision: str | Sequence[str] | None = "ad4f6b8c2a53"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendar_feed_tokens",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "person_id"],
            ["people.tenant_id", "people.id"],
            name=op.f("fk_calendar_feed_tokens_tenant_id_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_calendar_feed_tokens_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_calendar_feed_tokens")),
    )
    op.create_index(
        "uq_calendar_feed_tokens_hash",
        "calendar_feed_tokens",
        ["tenant_id", "token_hash"],
        unique=True,
    )
    op.create_index(
        "uq_calendar_feed_tokens_live",
        "calendar_feed_tokens",
        ["tenant_id", "person_id"],
        unique=True,
        postgresql_where=sa.text("revoked_at IS NULL"),
    )
    isolate_tenant_table("calendar_feed_tokens")


def downgrade() -> None:
    drop_tenant_isolation("calendar_feed_tokens")
    op.drop_index(
        "uq_calendar_feed_tokens_live",
        table_name="calendar_feed_tokens",
        postgresql_where=sa.text("revoked_at IS NULL"),
    )
    op.drop_index("uq_calendar_feed_tokens_hash", table_name="calendar_feed_tokens")
    op.drop_table("calendar_feed_tokens")
