"""Conferences and talk submissions

Tenant tables: ``conferences`` (external conferences and their calls for papers),
``talk_submissions`` (a talk proposed to one, linked to its TALK activity once accepted),
``talk_submission_speakers`` and ``talk_submission_transitions`` (each step of a submission);
and one message kind, ``cfp_deadline_due`` (staff told in the app of a call for papers closing
soon): the CHECK of ``notifications.kind`` takes it.

Revision ID: 74582559a695
Revises: 6da57ecd3138
Create Date: 2026-12-01 10:16:31.415815+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from migrations.tenancy_ops import drop_tenant_isolation, isolate_tenant_table

revision: str = "74582559a695"
down_revision: str | Sequence[str] | None = "6da57ecd3138"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# squawk: allow ban-drop-constraint -- the notification kinds' CHECK is replaced by a wider one in the same transaction
# squawk: allow constraint-missing-not-valid -- the wider kinds' CHECK scans notifications once; only writes to notifications wait (the worker retries)

TABLES = (
    "conferences",
    "talk_submissions",
    "talk_submission_speakers",
    "talk_submission_transitions",
)
_KINDS = [
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
    "activity_cancelled",
    "activity_rescheduled",
    "role_changed",
    "chapter_status_changed",
    "agreement_renewal_due",
]
_NEW_KINDS = ["cfp_deadline_due"]


def _listed(values: list[str]) -> str:
    return ", ".join(f"'{value}'" for value in values)


def _kinds_allowed(kinds: list[str]) -> None:
    op.drop_constraint(op.f("ck_notifications_kind"), "notifications", type_="check")
    op.create_check_constraint(
        op.f("ck_notifications_kind"), "notifications", f"kind IN ({_listed(kinds)})"
    )


def upgrade() -> None:
    op.create_table(
        "conferences",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("city", sa.String(length=200), nullable=True),
        sa.Column("online", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("cfp_deadline", sa.DateTime(timezone=True), nullable=True),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
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
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_conferences_dates_in_order")),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_conferences_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_conferences")),
    )
    op.create_index(
        "ix_conferences_cfp_deadline", "conferences", ["tenant_id", "cfp_deadline"], unique=False
    )
    op.create_index(
        "ix_conferences_starts", "conferences", ["tenant_id", "starts_on", "id"], unique=False
    )
    op.create_table(
        "talk_submissions",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("conference_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=True),
        sa.Column("abstract", sa.Text(), nullable=True),
        sa.Column("track", sa.String(length=200), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "drafting",
                "submitted",
                "accepted",
                "rejected",
                "withdrawn",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("activity_id", sa.Uuid(), nullable=True),
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
            ["tenant_id", "activity_id"],
            ["activities.tenant_id", "activities.id"],
            name=op.f("fk_talk_submissions_tenant_id_activity_id_activities"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "conference_id"],
            ["conferences.tenant_id", "conferences.id"],
            name=op.f("fk_talk_submissions_tenant_id_conference_id_conferences"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_talk_submissions_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_talk_submissions")),
    )
    op.create_index(
        "ix_talk_submissions_activity",
        "talk_submissions",
        ["tenant_id", "activity_id"],
        unique=False,
    )
    op.create_index(
        "ix_talk_submissions_conference",
        "talk_submissions",
        ["tenant_id", "conference_id", "created_at", "id"],
        unique=False,
    )
    op.create_table(
        "talk_submission_speakers",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("submission_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "person_id"],
            ["people.tenant_id", "people.id"],
            name=op.f("fk_talk_submission_speakers_tenant_id_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "submission_id"],
            ["talk_submissions.tenant_id", "talk_submissions.id"],
            name=op.f("fk_talk_submission_speakers_tenant_id_submission_id_talk_submissions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_talk_submission_speakers_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_talk_submission_speakers")),
        sa.UniqueConstraint(
            "tenant_id",
            "submission_id",
            "person_id",
            name=op.f("uq_talk_submission_speakers_tenant_id_submission_id_person_id"),
        ),
    )
    op.create_index(
        "ix_talk_submission_speakers_person",
        "talk_submission_speakers",
        ["tenant_id", "person_id"],
        unique=False,
    )
    op.create_table(
        "talk_submission_transitions",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("submission_id", sa.Uuid(), nullable=False),
        sa.Column(
            "from_status",
            sa.Enum(
                "drafting",
                "submitted",
                "accepted",
                "rejected",
                "withdrawn",
                name="from_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_status",
            sa.Enum(
                "drafting",
                "submitted",
                "accepted",
                "rejected",
                "withdrawn",
                name="to_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column(
            "occurred_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "actor_id"],
            ["people.tenant_id", "people.id"],
            name=op.f("fk_talk_submission_transitions_tenant_id_actor_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "submission_id"],
            ["talk_submissions.tenant_id", "talk_submissions.id"],
            name=op.f("fk_talk_submission_transitions_tenant_id_submission_id_talk_submissions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_talk_submission_transitions_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_talk_submission_transitions")),
    )
    op.create_index(
        "ix_talk_submission_transitions_submission",
        "talk_submission_transitions",
        ["tenant_id", "submission_id", "occurred_at"],
        unique=False,
    )
    for table in TABLES:
        isolate_tenant_table(table)
    _kinds_allowed(_KINDS + _NEW_KINDS)


def downgrade() -> None:
    # The reminders go: the older CHECK does not take them. The owner role sees every
    # tenant's rows only while row-level security is not forced.
    op.execute("ALTER TABLE notifications NO FORCE ROW LEVEL SECURITY")
    op.execute(f"DELETE FROM notifications WHERE kind IN ({_listed(_NEW_KINDS)})")
    op.execute("ALTER TABLE notifications FORCE ROW LEVEL SECURITY")
    _kinds_allowed(_KINDS)
    for table in reversed(TABLES):
        drop_tenant_isolation(table)
    op.drop_index(
        "ix_talk_submission_transitions_submission", table_name="talk_submission_transitions"
    )
    op.drop_table("talk_submission_transitions")
    op.drop_index("ix_talk_submission_speakers_person", table_name="talk_submission_speakers")
    op.drop_table("talk_submission_speakers")
    op.drop_index("ix_talk_submissions_conference", table_name="talk_submissions")
    op.drop_index("ix_talk_submissions_activity", table_name="talk_submissions")
    op.drop_table("talk_submissions")
    op.drop_index("ix_conferences_starts", table_name="conferences")
    op.drop_index("ix_conferences_cfp_deadline", table_name="conferences")
    op.drop_table("conferences")
