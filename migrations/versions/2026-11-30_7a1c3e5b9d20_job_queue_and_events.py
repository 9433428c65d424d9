"""The job queue (procrastinate's schema, tenant-bound), domain events, job errors

Revision ID: 7a1c3e5b9d20
Revises: 4f47b0b6dfde
Create Date: 2026-11-30 23:15:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from migrations.tenancy_ops import app_role, drop_tenant_isolation, grant_app, isolate_tenant_table
from sqlalchemy.dialects import postgresql
from sqlalchemy.util import await_only

revision: str = "7a1c3e5b9d20"
down_revision: str | Sequence[str] | None = "4f47b0b6dfde"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

QUEUE_TABLES = (
    "procrastinate_jobs",
    "procrastinate_workers",
    "procrastinate_periodic_defers",
    "procrastinate_events",
)
# A transaction bound to a tenant (a request, a tenant job) sees and enqueues only its
# tenant's jobs; the queue's own bookkeeping (the worker's fetch, retries, periodic defers)
# runs unbound and sees the whole queue. `args->>'tenant_id'` is set by chapters.jobs.queue.
JOB_PREDICATE = (
    "nullif(current_setting('app.tenant_id', true), '') IS NULL"
    " OR args->>'tenant_id' = current_setting('app.tenant_id', true)"
)


def _procrastinate_schema() -> str:
    # procrastinate is pinned to 3.10.x (pyproject.toml): this is its 3.10 schema. A later
    # minor brings migration files (procrastinate/sql/migrations): apply them in a revision.
    from procrastinate.schema import SchemaManager

    return SchemaManager.get_schema()


def upgrade() -> None:
    # The schema is many statements with PL/pgSQL bodies: sent as one simple query.
    driver_connection = op.get_bind().connection.driver_connection
    await_only(driver_connection.execute(_procrastinate_schema()))
    for table in QUEUE_TABLES:
        grant_app(table)
    op.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app_role()}")
    op.execute("ALTER TABLE procrastinate_jobs ENABLE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY tenant_jobs ON procrastinate_jobs USING ({JOB_PREDICATE})"
        f" WITH CHECK ({JOB_PREDICATE})"
    )

    op.create_table(
        "domain_events",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("chapter_id", sa.Uuid(), nullable=True),
        sa.Column("activity_id", sa.Uuid(), nullable=True),
        sa.Column("person_id", sa.Uuid(), nullable=True),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column(
            "data",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "occurred_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_domain_events_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_domain_events")),
    )
    op.create_index(
        "ix_domain_events_occurred", "domain_events", ["tenant_id", "occurred_at"], unique=False
    )
    isolate_tenant_table("domain_events")
    op.create_table(
        "job_errors",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("job_id", sa.BigInteger(), nullable=False),
        sa.Column("task", sa.String(length=128), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column(
            "occurred_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_job_errors_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_job_errors")),
    )
    op.create_index(
        "ix_job_errors_job", "job_errors", ["tenant_id", "job_id", "occurred_at"], unique=False
    )
    isolate_tenant_table("job_errors")


def downgrade() -> None:
    drop_tenant_isolation("job_errors")
    op.drop_index("ix_job_errors_job", table_name="job_errors")
    op.drop_table("job_errors")
    drop_tenant_isolation("domain_events")
    op.drop_index("ix_domain_events_occurred", table_name="domain_events")
    op.drop_table("domain_events")
    op.execute("DROP TABLE IF EXISTS " + ", ".join(reversed(QUEUE_TABLES)) + " CASCADE")
    op.execute(
        "DO $$ DECLARE f record; BEGIN FOR f IN SELECT oid::regprocedure AS sig FROM pg_proc"
        " WHERE proname LIKE 'procrastinate%' LOOP EXECUTE 'DROP FUNCTION ' || f.sig || ' CASCADE';"
        " END LOOP; END $$"
    )
    op.execute(
        "DROP TYPE IF EXISTS procrastinate_job_to_defer_v1, procrastinate_job_event_type,"
        " procrastinate_job_status CASCADE"
    )
