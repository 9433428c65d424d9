"""Mail: messages sent at most once per event and recipient, unsubscribes

Revision ID: 9c3e5a7b1f42
Revises: 8b2d4f6a0e31
Create Date: 2026-11-30 23:15:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from migrations.tenancy_ops import app_role, drop_tenant_isolation, isolate_tenant_table

revision: str = "9c3e5a7b1f42"
down_revision: str | Sequence[str] | None = "8b2d4f6a0e31"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The confirmation outbox is write-only for the app role (its messages carry single-use
# secrets). The mail sender takes one message's body through this function, which runs as the
# owner: it returns a message only once, marking it sent in the caller's transaction (a send
# that fails rolls the mark back), and only in the tenant the transaction is bound to (the
# forced RLS policy binds the owner too). So the app role can read no message twice, and
# none of another tenant.
TAKE_OUTBOX_MESSAGE = """
CREATE FUNCTION mail_take_outbox_message(message uuid) RETURNS jsonb
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  UPDATE outbox_messages SET sent_at = now()
  WHERE tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid
    AND id = message AND sent_at IS NULL
  RETURNING body
$$
"""


def upgrade() -> None:
    op.create_table(
        "mail_messages",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column("event_key", sa.String(length=200), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=True),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("text_body", sa.Text(), nullable=True),
        sa.Column("html_body", sa.Text(), nullable=True),
        sa.Column("unsubscribe_url", sa.String(length=1000), nullable=True),
        sa.Column("outbox_id", sa.Uuid(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "sent",
                "failed",
                "suppressed",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_mail_messages_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_mail_messages")),
        sa.UniqueConstraint(
            "tenant_id",
            "event_key",
            "recipient",
            name=op.f("uq_mail_messages_tenant_id_event_key_recipient"),
        ),
        sa.UniqueConstraint(
            "tenant_id", "message_id", name=op.f("uq_mail_messages_tenant_id_message_id")
        ),
    )
    op.create_index(
        "ix_mail_messages_status",
        "mail_messages",
        ["tenant_id", "status", "created_at"],
        unique=False,
    )
    op.create_table(
        "mail_unsubscribes",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_mail_unsubscribes_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_mail_unsubscribes")),
        sa.UniqueConstraint(
            "tenant_id", "email", "kind", name=op.f("uq_mail_unsubscribes_tenant_id_email_kind")
        ),
    )
    isolate_tenant_table("mail_messages")
    isolate_tenant_table("mail_unsubscribes")
    op.execute(TAKE_OUTBOX_MESSAGE)
    op.execute("REVOKE ALL ON FUNCTION mail_take_outbox_message(uuid) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION mail_take_outbox_message(uuid) TO {app_role()}")


def downgrade() -> None:
    op.execute("DROP FUNCTION mail_take_outbox_message(uuid)")
    drop_tenant_isolation("mail_unsubscribes")
    drop_tenant_isolation("mail_messages")
    op.drop_table("mail_unsubscribes")
    op.drop_index("ix_mail_messages_status", table_name="mail_messages")
    op.drop_table("mail_messages")
