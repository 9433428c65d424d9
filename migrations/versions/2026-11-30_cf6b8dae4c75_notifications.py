"""Notification preferences and in-app notifications

Revision ID: cf6b8dae4c75
Revises: be5a7c9d3b64
Create Date: 2026-11-30 23:15:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from migrations.tenancy_ops import drop_tenant_isolation, isolate_tenant_table
from sqlalchemy.dialects import postgresql

revision: str = "cf6b8dae4c75"
down_revision: str | Sequence[str] | None = "be5a7c9d3b64"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notification_preferences",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=True),
        sa.Column(
            "email_off",
            postgresql.ARRAY(sa.String(length=40)),
            server_default=sa.text("'{}'::varchar[]"),
            nullable=False,
        ),
        sa.Column(
            "in_app_off",
            postgresql.ARRAY(sa.String(length=40)),
            server_default=sa.text("'{}'::varchar[]"),
            nullable=False,
        ),
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
            "NOT (email_off && ARRAY['chapter_invitation', 'registration_confirmation']::varchar[])",
            name=op.f("ck_notification_preferences_essential_mail_on"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "person_id"],
            ["people.tenant_id", "people.id"],
            name=op.f("fk_notification_preferences_tenant_id_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_notification_preferences_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_notification_preferences")),
        sa.UniqueConstraint(
            "tenant_id", "person_id", name=op.f("uq_notification_preferences_tenant_id_person_id")
        ),
    )
    op.create_table(
        "notifications",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "chapter_invitation",
                "registration_confirmation",
                "registration_received",
                "registration_waitlisted",
                "waitlist_promotion",
                "activity_reminder",
                "recap_published",
                "changes_requested",
                "activity_accepted",
                "recap_overdue",
                "ops_digest",
                "certificate_issued",
                "role_changed",
                "chapter_status_changed",
                name="kind",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("event_id", sa.Uuid(), nullable=True),
        sa.Column("activity_id", sa.Uuid(), nullable=True),
        sa.Column("chapter_id", sa.Uuid(), nullable=True),
        sa.Column(
            "data",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "activity_id"],
            ["activities.tenant_id", "activities.id"],
            name=op.f("fk_notifications_tenant_id_activity_id_activities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "chapter_id"],
            ["chapters.tenant_id", "chapters.id"],
            name=op.f("fk_notifications_tenant_id_chapter_id_chapters"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "person_id"],
            ["people.tenant_id", "people.id"],
            name=op.f("fk_notifications_tenant_id_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_notifications_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_notifications")),
        sa.UniqueConstraint(
            "tenant_id",
            "person_id",
            "event_id",
            "kind",
            name=op.f("uq_notifications_tenant_id_person_id_event_id_kind"),
        ),
    )
    op.create_index(
        "ix_notifications_person_newest",
        "notifications",
        ["tenant_id", "person_id", "created_at", "id"],
        unique=False,
    )
    op.create_index(
        "ix_notifications_person_unread",
        "notifications",
        ["tenant_id", "person_id", "created_at", "id"],
        unique=False,
        postgresql_where=sa.text("read_at IS NULL"),
    )
    isolate_tenant_table("notifications")
    isolate_tenant_table("notification_preferences")


def downgrade() -> None:
    drop_tenant_isolation("notification_preferences")
    drop_tenant_isolation("notifications")
    op.drop_index(
        "ix_notifications_person_unread",
        table_name="notifications",
        postgresql_where=sa.text("read_at IS NULL"),
    )
    op.drop_index("ix_notifications_person_newest", table_name="notifications")
    op.drop_table("notifications")
    op.drop_table("notification_preferences")
