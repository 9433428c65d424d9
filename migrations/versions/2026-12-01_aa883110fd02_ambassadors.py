"""Ambassador programs, nominations and terms

Revision ID: aa883110fd02
Revises: e18daf2a6b97
Create Date: 2026-12-01 04:00:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from migrations.tenancy_ops import drop_tenant_isolation, isolate_tenant_table
from sqlalchemy.dialects import postgresql

revision: str = "aa883110fd02"
down_revision: str | Sequence[str] | None = "e18daf2a6b97"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("ambassador_programs", "ambassador_nominations", "ambassador_terms")


def upgrade() -> None:
    op.create_table(
        "ambassador_programs",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("criteria", sa.Text(), nullable=True),
        sa.Column("term_months", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
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
        sa.CheckConstraint(
            "term_months BETWEEN 1 AND 120",
            name=op.f("ck_ambassador_programs_term_months_in_range"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_ambassador_programs_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_ambassador_programs")),
        sa.UniqueConstraint(
            "tenant_id", "name", name=op.f("uq_ambassador_programs_tenant_id_name")
        ),
    )
    op.create_table(
        "ambassador_nominations",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("program_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("nominated_by_id", sa.Uuid(), nullable=True),
        sa.Column(
            "nominated_as",
            sa.Enum(
                "self",
                "lead",
                "staff",
                name="nominated_as",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("chapter_id", sa.Uuid(), nullable=True),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column(
            "evidence_urls",
            postgresql.ARRAY(sa.String(length=2000)),
            server_default=sa.text("'{}'::varchar[]"),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "accepted",
                "declined",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("reviewed_by_id", sa.Uuid(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decline_reason", sa.Text(), nullable=True),
        sa.Column("term_id", sa.Uuid(), nullable=True),
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
        sa.CheckConstraint(
            "status <> 'declined' OR decline_reason IS NOT NULL",
            name=op.f("ck_ambassador_nominations_declined_with_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "chapter_id"],
            ["chapters.tenant_id", "chapters.id"],
            name=op.f("fk_ambassador_nominations_tenant_id_chapter_id_chapters"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "nominated_by_id"],
            ["people.tenant_id", "people.id"],
            name=op.f("fk_ambassador_nominations_tenant_id_nominated_by_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "person_id"],
            ["people.tenant_id", "people.id"],
            name=op.f("fk_ambassador_nominations_tenant_id_person_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "program_id"],
            ["ambassador_programs.tenant_id", "ambassador_programs.id"],
            name=op.f("fk_ambassador_nominations_tenant_id_program_id_ambassador_programs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "reviewed_by_id"],
            ["people.tenant_id", "people.id"],
            name=op.f("fk_ambassador_nominations_tenant_id_reviewed_by_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_ambassador_nominations_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_ambassador_nominations")),
    )
    op.create_index(
        "ix_ambassador_nominations_person",
        "ambassador_nominations",
        ["tenant_id", "person_id"],
        unique=False,
    )
    op.create_index(
        "ix_ambassador_nominations_status",
        "ambassador_nominations",
        ["tenant_id", "status", "created_at"],
        unique=False,
    )
    op.create_index(
        "uq_ambassador_nominations_open",
        "ambassador_nominations",
        ["tenant_id", "program_id", "person_id"],
        unique=True,
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_table(
        "ambassador_terms",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("program_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("chapter_id", sa.Uuid(), nullable=True),
        sa.Column("nomination_id", sa.Uuid(), nullable=True),
        sa.Column("previous_term_id", sa.Uuid(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "active",
                "renewed",
                "ended",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("renewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
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
        sa.CheckConstraint(
            "ends_on > starts_on", name=op.f("ck_ambassador_terms_ends_after_start")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "chapter_id"],
            ["chapters.tenant_id", "chapters.id"],
            name=op.f("fk_ambassador_terms_tenant_id_chapter_id_chapters"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "nomination_id"],
            ["ambassador_nominations.tenant_id", "ambassador_nominations.id"],
            name=op.f("fk_ambassador_terms_tenant_id_nomination_id_ambassador_nominations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "person_id"],
            ["people.tenant_id", "people.id"],
            name=op.f("fk_ambassador_terms_tenant_id_person_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "previous_term_id"],
            ["ambassador_terms.tenant_id", "ambassador_terms.id"],
            name=op.f("fk_ambassador_terms_tenant_id_previous_term_id_ambassador_terms"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "program_id"],
            ["ambassador_programs.tenant_id", "ambassador_programs.id"],
            name=op.f("fk_ambassador_terms_tenant_id_program_id_ambassador_programs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_ambassador_terms_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_ambassador_terms")),
        sa.UniqueConstraint(
            "tenant_id",
            "previous_term_id",
            name=op.f("uq_ambassador_terms_tenant_id_previous_term_id"),
        ),
    )
    op.create_index(
        "ix_ambassador_terms_person",
        "ambassador_terms",
        ["tenant_id", "person_id", "starts_on"],
        unique=False,
    )
    op.create_index(
        "ix_ambassador_terms_program",
        "ambassador_terms",
        ["tenant_id", "program_id", "status", "ends_on"],
        unique=False,
    )

    for table in TABLES:
        isolate_tenant_table(table)


def downgrade() -> None:
    for table in reversed(TABLES):
        drop_tenant_isolation(table)
        op.drop_table(table)
