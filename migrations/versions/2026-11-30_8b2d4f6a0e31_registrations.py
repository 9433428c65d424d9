"""Registrations for accepted activities: capacity, waitlist, check-in

Revision ID: 8b2d4f6a0e31
Revises: 7a1c3e5b9d20
Create Date: 2026-11-30 23:15:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from migrations.tenancy_ops import app_role, drop_tenant_isolation, isolate_tenant_table

revision: str = "8b2d4f6a0e31"
down_revision: str | Sequence[str] | None = "7a1c3e5b9d20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Erasing a registrant removes their personal fields from the registration's audit entries.
# The log is append-only for the app role, so the app calls this function, which runs as the
# owner, can change nothing but those fields of those entries, and only in the tenant the
# transaction is bound to (the forced RLS policy binds the owner too).
ERASE_FROM_AUDIT = """
CREATE FUNCTION erase_registration_from_audit(registration uuid) RETURNS integer
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  WITH scrubbed AS (
    UPDATE audit_log
    SET changes = changes #- '{fields,name}' #- '{fields,email}' #- '{fields,locale}'
                          #- '{fields,person_id}'
    WHERE tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid
      AND object_type = 'Registration' AND object_id = registration
    RETURNING 1
  )
  SELECT count(*)::integer FROM scrubbed
$$
"""


def upgrade() -> None:
    op.add_column("activities", sa.Column("capacity", sa.Integer(), nullable=True))
    op.add_column(
        "activities",
        sa.Column(
            "registration_open", sa.Boolean(), server_default=sa.text("true"), nullable=False
        ),
    )
    op.add_column(
        "chapters",
        sa.Column(
            "public_registration", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
    )
    op.create_table(
        "registrations",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("activity_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("locale", sa.String(length=16), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "confirmed",
                "waitlisted",
                "cancelled",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("waitlisted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checked_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checked_in_by_id", sa.Uuid(), nullable=True),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
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
            "person_id IS NOT NULL OR email IS NOT NULL OR erased_at IS NOT NULL",
            name=op.f("ck_registrations_has_a_registrant"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "activity_id"],
            ["activities.tenant_id", "activities.id"],
            name=op.f("fk_registrations_tenant_id_activity_id_activities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "checked_in_by_id"],
            ["people.tenant_id", "people.id"],
            name=op.f("fk_registrations_tenant_id_checked_in_by_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "person_id"],
            ["people.tenant_id", "people.id"],
            name=op.f("fk_registrations_tenant_id_person_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_registrations_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_registrations")),
    )
    op.create_index(
        "ix_registrations_activity",
        "registrations",
        ["tenant_id", "activity_id", "status", "created_at"],
        unique=False,
    )
    op.create_index(
        "ix_registrations_person", "registrations", ["tenant_id", "person_id"], unique=False
    )
    op.create_index(
        "uq_registrations_code", "registrations", ["tenant_id", "activity_id", "code"], unique=True
    )
    op.create_index(
        "uq_registrations_email",
        "registrations",
        ["tenant_id", "activity_id", sa.literal_column("lower(email)")],
        unique=True,
        postgresql_where=sa.text("email IS NOT NULL AND status <> 'cancelled'"),
    )
    op.create_index(
        "uq_registrations_person",
        "registrations",
        ["tenant_id", "activity_id", "person_id"],
        unique=True,
        postgresql_where=sa.text("person_id IS NOT NULL AND status <> 'cancelled'"),
    )
    isolate_tenant_table("registrations")
    op.execute(ERASE_FROM_AUDIT)
    op.execute("REVOKE ALL ON FUNCTION erase_registration_from_audit(uuid) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION erase_registration_from_audit(uuid) TO {app_role()}")


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS erase_registration_from_audit(uuid)")
    drop_tenant_isolation("registrations")
    op.drop_index(
        "uq_registrations_person",
        table_name="registrations",
        postgresql_where=sa.text("person_id IS NOT NULL AND status <> 'cancelled'"),
    )
    op.drop_index(
        "uq_registrations_email",
        table_name="registrations",
        postgresql_where=sa.text("email IS NOT NULL AND status <> 'cancelled'"),
    )
    op.drop_index("uq_registrations_code", table_name="registrations")
    op.drop_index("ix_registrations_person", table_name="registrations")
    op.drop_index("ix_registrations_activity", table_name="registrations")
    op.drop_table("registrations")
    op.drop_column("chapters", "public_registration")
    op.drop_column("activities", "registration_open")
    op.drop_column("activities", "capacity")
