"""The insight rollup: per person and month, what their evidence and memberships say,
kept exact by marking a person stale in the transaction that changes them

The triggers are statement-level with transition tables (one bulk insert of participants marks
its people in one statement). PostgreSQL allows transition tables on single-event triggers
only, hence one trigger per event. A trigger marks both the old and the new person of a
changed row; what is not evidence (a registration never checked in, a participant's topic) is
left alone. The stale table has no foreign key to ``people``: deleting a person cascades to
their participations, whose trigger marks them after the person is gone (the refresh then
finds nothing to compute and drops the mark).

Revision ID: 6da57ecd3138
Revises: 3c8e5a1f7b42
Create Date: 2026-12-01 08:45:13.707085+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from migrations.tenancy_ops import drop_tenant_isolation, isolate_tenant_table

revision: str = "6da57ecd3138"
down_revision: str | Sequence[str] | None = "3c8e5a1f7b42"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# squawk: allow require-concurrent-index-creation -- shipped before migrations were linted; databases that ran it keep what it did (the covering indexes of issue 12)
# squawk: allow require-concurrent-index-deletion -- shipped before migrations were linted; databases that ran it keep what it did

# Indexes that now include what the insight figures read (index-only scans):
# name → (table, its keys, what it includes)
INSIGHT_COUNTED = ["kind", "status", "actual_attendance"]
COVERING_INDEXES = {
    "ix_activities_starts": ("activities", ["tenant_id", "starts_at"], [*INSIGHT_COUNTED, "id"]),
    "ix_activities_chapter_starts": (
        "activities",
        ["tenant_id", "chapter_id", "starts_at", "id"],
        INSIGHT_COUNTED,
    ),
    "ix_chapter_membership_periods_chapter": (
        "chapter_membership_periods",
        ["tenant_id", "chapter_id", "started_at"],
        ["person_id", "status", "ended_at"],
    ),
}

# Marks people stale (tenants and people as parallel arrays), in a stable order so two
# transactions marking the same people cannot deadlock; a mark already there gets a new time,
# which tells a running refresh that it must not clear it.
MARK = """
CREATE FUNCTION insight_mark_stale(tenants uuid[], people uuid[]) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO insight_stale_people (tenant_id, person_id)
  SELECT DISTINCT t, p FROM unnest(tenants, people) AS marked(t, p)
  WHERE p IS NOT NULL ORDER BY 1, 2
  ON CONFLICT (tenant_id, person_id) DO UPDATE SET marked_at = clock_timestamp()
$$"""

# Per table, whose rows mark their person: the columns whose change matters, and what a row
# must be to count at all (a registration counts once checked in at the door).
MARKING: dict[str, tuple[tuple[str, ...], str]] = {
    "activity_participants": (("person_id", "role", "activity_id"), "true"),
    "registrations": (
        ("person_id", "checked_in_at", "activity_id"),
        "{row}.checked_in_at IS NOT NULL",
    ),
    # a lead or co-lead period covers its holder; leaving the last chapter is a churn
    "chapter_membership_periods": (
        ("person_id", "chapter_id", "role", "status", "started_at", "ended_at"),
        "true",
    ),
    # joining the first chapter is an arrival
    "chapter_memberships": (("person_id", "first_joined_at"), "true"),
    "committee_seats": (("person_id", "starts_on", "ends_on"), "true"),
    "code_contributions": (("person_id", "occurred_at"), "true"),
}


def _function_name(table: str) -> str:
    return "insight_mark_" + table.removeprefix("activity_").removeprefix("chapter_")


def _marking_function(table: str, columns: tuple[str, ...], counts: str) -> str:
    def row(alias: str) -> str:
        return "(" + ", ".join(f"{alias}.{column}" for column in columns) + ")"

    return f"""
CREATE FUNCTION {_function_name(table)}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM insight_mark_stale(array_agg(n.tenant_id), array_agg(n.person_id)) FROM new_rows n
    WHERE {counts.format(row="n")};
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM insight_mark_stale(array_agg(o.tenant_id), array_agg(o.person_id)) FROM old_rows o
    WHERE {counts.format(row="o")};
  ELSE
    PERFORM insight_mark_stale(array_agg(t), array_agg(p)) FROM (
      SELECT o.tenant_id, o.person_id, n.person_id FROM old_rows o
      JOIN new_rows n ON n.tenant_id = o.tenant_id AND n.id = o.id
      WHERE ({counts.format(row="o")} OR {counts.format(row="n")})
        AND {row("o")} IS DISTINCT FROM {row("n")}
    ) changed(t, old_person, new_person), unnest(ARRAY[old_person, new_person]) p;
  END IF;
  RETURN NULL;
END $$"""


# An activity accepted, un-accepted or moved changes the evidence of everyone in it.
MARK_ACTIVITIES = """
CREATE FUNCTION insight_mark_activities() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM insight_mark_stale(array_agg(t), array_agg(p)) FROM (
    SELECT pa.tenant_id, pa.person_id FROM old_rows o
    JOIN new_rows n ON n.tenant_id = o.tenant_id AND n.id = o.id
    JOIN activity_participants pa ON pa.tenant_id = n.tenant_id AND pa.activity_id = n.id
    WHERE (o.status, o.starts_at) IS DISTINCT FROM (n.status, n.starts_at)
    UNION ALL
    SELECT r.tenant_id, r.person_id FROM old_rows o
    JOIN new_rows n ON n.tenant_id = o.tenant_id AND n.id = o.id
    JOIN registrations r ON r.tenant_id = n.tenant_id AND r.activity_id = n.id
    WHERE (o.status, o.starts_at) IS DISTINCT FROM (n.status, n.starts_at)
      AND r.checked_in_at IS NOT NULL
  ) touched(t, p);
  RETURN NULL;
END $$"""

TRIGGERS = {
    **{table: _marking_function(table, *marking) for table, marking in MARKING.items()},
    "activities": MARK_ACTIVITIES,
}


def _trigger_name(table: str, event: str) -> str:
    return f"{table}_insight_{event.lower()}"


def _trigger(table: str, event: str) -> str:
    rows = {"INSERT": "NEW TABLE AS new_rows", "DELETE": "OLD TABLE AS old_rows"}.get(
        event, "OLD TABLE AS old_rows NEW TABLE AS new_rows"
    )
    return (
        f"CREATE TRIGGER {_trigger_name(table, event)} AFTER {event} ON {table} "
        f"REFERENCING {rows} FOR EACH STATEMENT EXECUTE FUNCTION {_function_name(table)}()"
    )


def upgrade() -> None:
    op.create_table(
        "insight_rollups",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("rules", sa.String(length=100), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("covers_until", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_insight_rollups_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_insight_rollups")),
    )
    op.create_table(
        "insight_stale_people",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column(
            "marked_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("clock_timestamp()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_insight_stale_people_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "person_id", name=op.f("pk_insight_stale_people")),
    )
    op.create_table(
        "insight_person_months",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("month", sa.DateTime(timezone=True), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("active_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_active_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("arrived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reactivated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("inactive_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "person_id"],
            ["people.tenant_id", "people.id"],
            name=op.f("fk_insight_person_months_tenant_id_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_insight_person_months_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "tenant_id", "month", "person_id", name=op.f("pk_insight_person_months")
        ),
    )
    op.create_index(
        "ix_insight_person_months_first_seen",
        "insight_person_months",
        ["tenant_id", "first_seen_at", "person_id"],
        unique=False,
        postgresql_where=sa.text("first_seen_at IS NOT NULL"),
    )
    op.create_index(
        "ix_insight_person_months_person",
        "insight_person_months",
        ["tenant_id", "person_id"],
        unique=False,
    )
    for table in ("insight_rollups", "insight_stale_people", "insight_person_months"):
        isolate_tenant_table(table)
    # the activities' indexes by start also carry what the figures count (index-only scans)
    for name, (table, keys, included) in COVERING_INDEXES.items():
        op.drop_index(name, table_name=table)
        op.create_index(name, table, keys, postgresql_include=included)
    op.create_index(
        "ix_chapter_memberships_first_joined",
        "chapter_memberships",
        ["tenant_id", "chapter_id", "first_joined_at"],
        postgresql_include=["person_id"],
    )
    op.execute(MARK)
    for table, function in TRIGGERS.items():
        op.execute(function)
        for event in ("INSERT", "UPDATE", "DELETE") if table != "activities" else ("UPDATE",):
            op.execute(_trigger(table, event))


def downgrade() -> None:
    for table in TRIGGERS:
        for event in ("INSERT", "UPDATE", "DELETE"):
            op.execute(f"DROP TRIGGER IF EXISTS {_trigger_name(table, event)} ON {table}")
        op.execute(f"DROP FUNCTION {_function_name(table)}()")
    op.execute("DROP FUNCTION insight_mark_stale(uuid[], uuid[])")
    for table in ("insight_rollups", "insight_stale_people", "insight_person_months"):
        drop_tenant_isolation(table)
    op.drop_index("ix_chapter_memberships_first_joined", table_name="chapter_memberships")
    for name, (table, keys, _) in COVERING_INDEXES.items():
        op.drop_index(name, table_name=table)
        op.create_index(name, table, keys)
    op.drop_index("ix_insight_person_months_person", table_name="insight_person_months")
    op.drop_index(
        "ix_insight_person_months_first_seen",
        table_name="insight_person_months",
        postgresql_where=sa.text("first_seen_at IS NOT NULL"),
    )
    op.drop_table("insight_person_months")
    op.drop_table("insight_stale_people")
    op.drop_table("insight_rollups")
