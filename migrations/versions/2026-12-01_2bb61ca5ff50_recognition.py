"""Recognition: titles, awards and verifiable certificates

Revision ID: 2bb61ca5ff50
Revises: aa883110fd02
Create Date: 2026-12-01 04:00:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from migrations.tenancy_ops import app_role, drop_tenant_isolation, isolate_tenant_table
from sqlalchemy.dialects import postgresql

revision: str = "2bb61ca5ff50"
down_revision: str | Sequence[str] | None = "aa883110fd02"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("recognition_settings", "recognition_titles", "awards", "award_citations", "certificates")

# Anyone may verify a certificate by its public id alone (GET /verify/{id}), before any tenant
# is known; the forced RLS policy binds the owner too. So the owner, and only while this
# function runs (it sets app.certificate_lookup, then clears it), may read certificates across
# tenants (the second policy below). The function returns nothing but the tenant; the app reads
# the certificate itself in a session bound to that tenant. The app role cannot use the policy.
LOOKUP_POLICY = """
CREATE POLICY certificate_lookup ON certificates AS PERMISSIVE FOR SELECT TO CURRENT_USER
USING (current_setting('app.certificate_lookup', true) = 'on')
"""
CERTIFICATE_TENANT = """
CREATE FUNCTION recognition_certificate_tenant(certificate text) RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  found uuid;
BEGIN
  PERFORM set_config('app.certificate_lookup', 'on', true);
  SELECT tenant_id INTO found FROM certificates WHERE public_id = certificate LIMIT 1;
  PERFORM set_config('app.certificate_lookup', '', true);
  RETURN found;
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "recognition_settings",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "signatories",
            postgresql.ARRAY(sa.String(length=200)),
            server_default=sa.text("'{}'::varchar[]"),
            nullable=False,
        ),
        sa.Column("logo", sa.LargeBinary(), nullable=True),
        sa.Column("logo_media_type", sa.String(length=32), nullable=True),
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
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_recognition_settings_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_recognition_settings")),
        sa.UniqueConstraint("tenant_id", name=op.f("uq_recognition_settings_tenant_id")),
    )
    op.create_table(
        "recognition_titles",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
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
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_recognition_titles_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_recognition_titles")),
        sa.UniqueConstraint("tenant_id", "name", name=op.f("uq_recognition_titles_tenant_id_name")),
    )
    op.create_table(
        "awards",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("awarded_by_id", sa.Uuid(), nullable=True),
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
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_awards_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "awarded_by_id"],
            ["people.tenant_id", "people.id"],
            name=op.f("fk_awards_tenant_id_awarded_by_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "person_id"],
            ["people.tenant_id", "people.id"],
            name=op.f("fk_awards_tenant_id_person_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "title_id"],
            ["recognition_titles.tenant_id", "recognition_titles.id"],
            name=op.f("fk_awards_tenant_id_title_id_recognition_titles"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_awards_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_awards")),
    )
    op.create_index(
        "ix_awards_person", "awards", ["tenant_id", "person_id", "starts_on"], unique=False
    )
    op.create_index("ix_awards_title", "awards", ["tenant_id", "title_id"], unique=False)
    op.create_table(
        "award_citations",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("award_id", sa.Uuid(), nullable=False),
        sa.Column("activity_id", sa.Uuid(), nullable=True),
        sa.Column("mentoring_project_id", sa.Uuid(), nullable=True),
        sa.Column("ambassador_term_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "num_nonnulls(activity_id, mentoring_project_id, ambassador_term_id) = 1",
            name=op.f("ck_award_citations_one_record"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "activity_id"],
            ["activities.tenant_id", "activities.id"],
            name=op.f("fk_award_citations_tenant_id_activity_id_activities"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "ambassador_term_id"],
            ["ambassador_terms.tenant_id", "ambassador_terms.id"],
            name=op.f("fk_award_citations_tenant_id_ambassador_term_id_ambassador_terms"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "award_id"],
            ["awards.tenant_id", "awards.id"],
            name=op.f("fk_award_citations_tenant_id_award_id_awards"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "mentoring_project_id"],
            ["mentoring_projects.tenant_id", "mentoring_projects.id"],
            name=op.f("fk_award_citations_tenant_id_mentoring_project_id_mentoring_projects"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_award_citations_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_award_citations")),
    )
    op.create_index(
        "ix_award_citations_award", "award_citations", ["tenant_id", "award_id"], unique=False
    )
    op.create_table(
        "certificates",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column(
            "basis",
            sa.Enum(
                "award",
                "activity",
                "mentoring_project",
                "ambassador_term",
                name="basis",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("award_id", sa.Uuid(), nullable=True),
        sa.Column("activity_id", sa.Uuid(), nullable=True),
        sa.Column("mentoring_project_id", sa.Uuid(), nullable=True),
        sa.Column("ambassador_term_id", sa.Uuid(), nullable=True),
        sa.Column("holder_name", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("what_for", sa.Text(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("issuer_name", sa.String(length=200), nullable=False),
        sa.Column(
            "signatories",
            postgresql.ARRAY(sa.String(length=200)),
            server_default=sa.text("'{}'::varchar[]"),
            nullable=False,
        ),
        sa.Column("claims", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("jws", sa.Text(), nullable=False),
        sa.Column("kid", sa.String(length=200), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "valid",
                "revoked",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_reason", sa.String(length=500), nullable=True),
        sa.Column("revoked_by_id", sa.Uuid(), nullable=True),
        sa.Column("previous_id", sa.Uuid(), nullable=True),
        sa.Column("issued_by_id", sa.Uuid(), nullable=True),
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
            "status <> 'revoked' OR revoked_reason IS NOT NULL",
            name=op.f("ck_certificates_revoked_with_reason"),
        ),
        sa.CheckConstraint(
            "num_nonnulls(award_id, activity_id, mentoring_project_id, ambassador_term_id) = 1",
            name=op.f("ck_certificates_one_basis"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "activity_id"],
            ["activities.tenant_id", "activities.id"],
            name=op.f("fk_certificates_tenant_id_activity_id_activities"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "ambassador_term_id"],
            ["ambassador_terms.tenant_id", "ambassador_terms.id"],
            name=op.f("fk_certificates_tenant_id_ambassador_term_id_ambassador_terms"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "award_id"],
            ["awards.tenant_id", "awards.id"],
            name=op.f("fk_certificates_tenant_id_award_id_awards"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "issued_by_id"],
            ["people.tenant_id", "people.id"],
            name=op.f("fk_certificates_tenant_id_issued_by_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "mentoring_project_id"],
            ["mentoring_projects.tenant_id", "mentoring_projects.id"],
            name=op.f("fk_certificates_tenant_id_mentoring_project_id_mentoring_projects"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "person_id"],
            ["people.tenant_id", "people.id"],
            name=op.f("fk_certificates_tenant_id_person_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "previous_id"],
            ["certificates.tenant_id", "certificates.id"],
            name=op.f("fk_certificates_tenant_id_previous_id_certificates"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "revoked_by_id"],
            ["people.tenant_id", "people.id"],
            name=op.f("fk_certificates_tenant_id_revoked_by_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_certificates_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_certificates")),
        sa.UniqueConstraint(
            "tenant_id", "previous_id", name=op.f("uq_certificates_tenant_id_previous_id")
        ),
        sa.UniqueConstraint(
            "tenant_id", "public_id", name=op.f("uq_certificates_tenant_id_public_id")
        ),
    )
    op.create_index(
        "ix_certificates_created", "certificates", ["tenant_id", "created_at"], unique=False
    )
    op.create_index(
        "ix_certificates_person",
        "certificates",
        ["tenant_id", "person_id", "created_at"],
        unique=False,
    )
    op.create_index("ix_certificates_public_id", "certificates", ["public_id"], unique=False)
    op.create_index(
        "uq_certificates_valid",
        "certificates",
        [
            "tenant_id",
            "person_id",
            sa.literal_column(
                "coalesce(award_id, activity_id, mentoring_project_id, ambassador_term_id)"
            ),
        ],
        unique=True,
        postgresql_where=sa.text("status = 'valid'"),
    )

    for table in TABLES:
        isolate_tenant_table(table)
    op.execute(LOOKUP_POLICY)
    op.execute(CERTIFICATE_TENANT)
    op.execute("REVOKE ALL ON FUNCTION recognition_certificate_tenant(text) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION recognition_certificate_tenant(text) TO {app_role()}")


def downgrade() -> None:
    op.execute("DROP FUNCTION recognition_certificate_tenant(text)")
    op.execute("DROP POLICY certificate_lookup ON certificates")
    for table in reversed(TABLES):
        drop_tenant_isolation(table)
    op.drop_index(
        "uq_certificates_valid",
        table_name="certificates",
        postgresql_where=sa.text("status = 'valid'"),
    )
    op.drop_index("ix_certificates_public_id", table_name="certificates")
    op.drop_index("ix_certificates_person", table_name="certificates")
    op.drop_index("ix_certificates_created", table_name="certificates")
    op.drop_table("certificates")
    op.drop_index("ix_award_citations_award", table_name="award_citations")
    op.drop_table("award_citations")
    op.drop_index("ix_awards_title", table_name="awards")
    op.drop_index("ix_awards_person", table_name="awards")
    op.drop_table("awards")
    op.drop_table("recognition_titles")
    op.drop_table("recognition_settings")
