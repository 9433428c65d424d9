"""Code contributions recorded by import: the evidence of code contributors

Revision ID: 56eb2a37929c
Revises: 5b7e0c1d2a94
Create Date: 2026-11-30 20:30:59.551689+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from migrations.tenancy_ops import drop_tenant_isolation, isolate_tenant_table

revision: str = "56eb2a37929c"
down_revision: str | Sequence[str] | None = "5b7e0c1d2a94"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# squawk: allow require-concurrent-index-creation -- shipped before migrations were linted; databases that ran it keep what it did


def upgrade() -> None:
    op.create_table(
        "code_contributions",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("github_handle", sa.String(length=39), nullable=False),
        sa.Column("repository", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "commit",
                "pull_request",
                "review",
                "issue",
                "other",
                name="kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "person_id"],
            ["people.tenant_id", "people.id"],
            name=op.f("fk_code_contributions_tenant_id_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_code_contributions_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_code_contributions")),
        sa.UniqueConstraint("tenant_id", "url", name=op.f("uq_code_contributions_tenant_id_url")),
    )
    op.create_index(
        "ix_code_contributions_person",
        "code_contributions",
        ["tenant_id", "person_id", "occurred_at"],
        unique=False,
    )
    isolate_tenant_table("code_contributions")
    op.create_index(
        "ix_people_tenant_id_github_handle",
        "people",
        ["tenant_id", sa.text("lower(github_handle)")],
    )


def downgrade() -> None:
    op.drop_index("ix_people_tenant_id_github_handle", table_name="people")
    drop_tenant_isolation("code_contributions")
    op.drop_index("ix_code_contributions_person", table_name="code_contributions")
    op.drop_table("code_contributions")
