"""Activity reopen reschedule recaps: reach beside attendance, recap versions, schedule changes

Existing data: articles' and podcast episodes' "actual attendance" was their reach (reads,
listens) and moves there; a live stream's stays attendance (people who joined it live), which
streams keep beside their views. Each published recap becomes its version 1, taking along the
links it added to the activity (those created since its first publication).

Revision ID: 8a0dca3e6f29
Revises: fdc4eb678692
Create Date: 2026-11-30 12:40:02.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from migrations.tenancy_ops import drop_tenant_isolation, isolate_tenant_table
from sqlalchemy.dialects import postgresql

revision: str = "8a0dca3e6f29"
down_revision: str | Sequence[str] | None = "fdc4eb678692"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# squawk: allow constraint-missing-not-valid -- the reach CHECKs on new nullable columns: shipped before migrations were linted; databases that ran it keep what it did

NEW_TENANT_TABLES = ["activity_recap_versions", "activity_schedule_changes"]
# Frozen copies of the rules when this was written: the kinds whose figure was a reach.
REACH_UNIT_OF_KIND = {"article": "reads", "podcast": "listens"}
RECAP_LINK_KINDS = ("recording", "slides", "article", "episode", "photos")


def _reach_unit(name: str) -> sa.Enum:
    return sa.Enum(
        "reads",
        "views",
        "listens",
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
    )


def _timestamp(name: str, nullable: bool = False, now: bool = False) -> sa.Column:
    default = sa.text("now()") if now else None
    return sa.Column(name, sa.DateTime(timezone=True), server_default=default, nullable=nullable)


def upgrade() -> None:
    op.add_column("activities", sa.Column("reach", sa.Integer(), nullable=True))
    op.add_column("activities", sa.Column("reach_unit", _reach_unit("reach_unit"), nullable=True))
    op.create_check_constraint(
        op.f("ck_activities_reach_not_negative"), "activities", "reach IS NULL OR reach >= 0"
    )
    op.create_check_constraint(
        op.f("ck_activities_reach_has_a_unit"),
        "activities",
        "(reach IS NULL) = (reach_unit IS NULL)",
    )
    op.create_table(
        "activity_recap_versions",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("activity_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("attendance", sa.Integer(), nullable=True),
        sa.Column("reach", sa.Integer(), nullable=True),
        sa.Column("reach_unit", _reach_unit("reach_unit"), nullable=True),
        sa.Column(
            "links",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("published_by_id", sa.Uuid(), nullable=True),
        _timestamp("published_at", now=True),
        sa.CheckConstraint(
            "attendance IS NULL OR attendance >= 0",
            name=op.f("ck_activity_recap_versions_attendance_not_negative"),
        ),
        sa.CheckConstraint("number >= 1", name=op.f("ck_activity_recap_versions_number_positive")),
        sa.CheckConstraint(
            "(reach IS NULL) = (reach_unit IS NULL)",
            name=op.f("ck_activity_recap_versions_reach_has_a_unit"),
        ),
        sa.CheckConstraint(
            "reach IS NULL OR reach >= 0",
            name=op.f("ck_activity_recap_versions_reach_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "activity_id"],
            ["activities.tenant_id", "activities.id"],
            name=op.f("fk_activity_recap_versions_tenant_id_activity_id_activities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "published_by_id"],
            ["people.tenant_id", "people.id"],
            name=op.f("fk_activity_recap_versions_tenant_id_published_by_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_activity_recap_versions_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_activity_recap_versions")),
        sa.UniqueConstraint(
            "tenant_id",
            "activity_id",
            "number",
            name=op.f("uq_activity_recap_versions_tenant_id_activity_id_number"),
        ),
    )
    op.create_table(
        "activity_schedule_changes",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("activity_id", sa.Uuid(), nullable=False),
        _timestamp("from_starts_at"),
        _timestamp("from_ends_at", nullable=True),
        _timestamp("to_starts_at"),
        _timestamp("to_ends_at", nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        _timestamp("occurred_at", now=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "activity_id"],
            ["activities.tenant_id", "activities.id"],
            name=op.f("fk_activity_schedule_changes_tenant_id_activity_id_activities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "actor_id"],
            ["people.tenant_id", "people.id"],
            name=op.f("fk_activity_schedule_changes_tenant_id_actor_id_people"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_activity_schedule_changes_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_activity_schedule_changes")),
    )
    op.create_index(
        "ix_activity_schedule_changes_activity",
        "activity_schedule_changes",
        ["tenant_id", "activity_id", "occurred_at"],
        unique=False,
    )
    for table in NEW_TENANT_TABLES:
        isolate_tenant_table(table)
    with _every_tenant("activities", "activity_links", "activity_recap_versions"):
        _move_reach_out_of_attendance()
        _recaps_become_versions()


class _every_tenant:
    """Data fixes across every tenant: the owner is bound by the forced RLS policy like
    everyone, so it is lifted for these tables inside the migration's transaction (nobody
    sees them without it)."""

    def __init__(self, *tables: str) -> None:
        self.tables = tables

    def __enter__(self) -> None:
        for table in self.tables:
            op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")

    def __exit__(self, *exc: object) -> None:
        for table in self.tables:
            op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")


def _unit_case() -> str:
    whens = " ".join(f"WHEN '{kind}' THEN '{unit}'" for kind, unit in REACH_UNIT_OF_KIND.items())
    return f"CASE kind {whens} END"


def _move_reach_out_of_attendance() -> None:
    kinds = ", ".join(f"'{kind}'" for kind in REACH_UNIT_OF_KIND)
    op.execute(
        f"UPDATE activities SET reach = actual_attendance, reach_unit = {_unit_case()},"
        f" actual_attendance = NULL WHERE kind IN ({kinds}) AND actual_attendance IS NOT NULL"
    )


def _recaps_become_versions() -> None:
    recap_links = f"""
        FROM activity_links l WHERE l.tenant_id = a.tenant_id AND l.activity_id = a.id
          AND l.created_at >= a.recap_published_at
          AND l.kind IN ({", ".join(f"'{k}'" for k in RECAP_LINK_KINDS)})"""
    op.execute(
        f"""
        INSERT INTO activity_recap_versions (tenant_id, id, activity_id, number, summary,
          attendance, reach, reach_unit, links, published_at)
        SELECT a.tenant_id, gen_random_uuid(), a.id, 1, a.recap_summary, a.actual_attendance,
          a.reach, a.reach_unit,
          COALESCE((SELECT jsonb_agg(jsonb_build_object('kind', l.kind, 'url', l.url,
            'title', l.title) ORDER BY l.created_at, l.id) {recap_links}), '[]'::jsonb),
          a.recap_published_at
        FROM activities a
        WHERE a.recap_summary IS NOT NULL AND a.recap_published_at IS NOT NULL
        """
    )
    op.execute(
        f"""
        DELETE FROM activity_links WHERE (tenant_id, id) IN (
          SELECT l.tenant_id, l.id FROM activities a, LATERAL (SELECT l.tenant_id, l.id
          {recap_links}) l WHERE a.recap_published_at IS NOT NULL)
        """
    )


def downgrade() -> None:
    with _every_tenant("activities", "activity_links", "activity_recap_versions"):
        # The current recap's links go back among the activity's links; earlier versions and
        # the reach unit are lost.
        op.execute(
            """
            INSERT INTO activity_links (tenant_id, id, activity_id, kind, url, title,
              created_at, updated_at)
            SELECT v.tenant_id, gen_random_uuid(), v.activity_id, link ->> 'kind',
              link ->> 'url', link ->> 'title',
              v.published_at + make_interval(secs => (position / 1000000.0)::float8), v.published_at
            FROM (SELECT DISTINCT ON (tenant_id, activity_id) * FROM activity_recap_versions
                  ORDER BY tenant_id, activity_id, number DESC) v,
                 jsonb_array_elements(v.links) WITH ORDINALITY AS e(link, position)
            """
        )
        op.execute(
            "UPDATE activities SET actual_attendance = reach WHERE reach IS NOT NULL"
            " AND actual_attendance IS NULL"
        )
    for table in NEW_TENANT_TABLES:
        drop_tenant_isolation(table)
    op.drop_index("ix_activity_schedule_changes_activity", table_name="activity_schedule_changes")
    op.drop_table("activity_schedule_changes")
    op.drop_table("activity_recap_versions")
    op.drop_constraint(op.f("ck_activities_reach_has_a_unit"), "activities", type_="check")
    op.drop_constraint(op.f("ck_activities_reach_not_negative"), "activities", type_="check")
    op.drop_column("activities", "reach_unit")
    op.drop_column("activities", "reach")
