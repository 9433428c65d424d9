"""Catalog guards: the schema itself keeps tenants apart, whatever a resolver does.

Each guard is a query over the PostgreSQL catalog that lists violations; the test asserts the
list is empty, and a negative control proves each guard does report a violating table.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

# Tables without tenant_id, each with the reason it may exist.
TENANT_FREE_TABLES = {
    "tenants": "the tenant directory itself; RLS lets any session read it, update only its own row",
    "alembic_version": "migration bookkeeping",
    # The job queue's own tables (procrastinate's schema). A job names its tenant in its
    # arguments, and the jobs table's policy binds tenant-bound transactions to their own
    # tenant's jobs (tests/jobs/test_queue.py); the others hold the queue's bookkeeping: job
    # ids, timestamps and worker heartbeats, no tenant data.
    "procrastinate_jobs": "the queue: RLS on args->>'tenant_id' for tenant-bound transactions",
    "procrastinate_events": "each job's state changes (job id, type, time)",
    "procrastinate_workers": "the workers' heartbeats",
    "procrastinate_periodic_defers": "when each periodic task was last deferred",
}

PREDICATE_FRAGMENT = "nullif(current_setting('app.tenant_id'::text, true), ''::text))::uuid"

_TENANT_TABLES = """
    SELECT c.oid::regclass::text AS name, c.relrowsecurity, c.relforcerowsecurity
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
      AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid
                  AND a.attname = 'tenant_id' AND NOT a.attisdropped)
"""


async def tenant_tables(conn: AsyncConnection) -> list[str]:
    return sorted(row.name for row in await conn.execute(text(_TENANT_TABLES)))


async def rls_violations(conn: AsyncConnection) -> list[str]:
    problems = []
    for row in await conn.execute(text(_TENANT_TABLES)):
        if not row.relrowsecurity:
            problems.append(f"{row.name}: row-level security not enabled")
        if not row.relforcerowsecurity:
            problems.append(f"{row.name}: row-level security not forced")
        policies = await conn.execute(
            text(
                "SELECT polname, polcmd::text AS polcmd, polpermissive, pg_get_expr(polqual, polrelid) AS using,"
                " pg_get_expr(polwithcheck, polrelid) AS with_check"
                " FROM pg_policy WHERE polrelid = CAST(:t AS regclass)"
            ),
            {"t": row.name},
        )
        complete = [
            p
            for p in policies
            if p.polcmd == "*"
            and p.polpermissive
            and PREDICATE_FRAGMENT in (p.using or "").lower()
            and PREDICATE_FRAGMENT in (p.with_check or "").lower()
            and (p.using or "").lower().startswith("(tenant_id = ")
        ]
        if not complete:
            problems.append(f"{row.name}: no ALL policy with USING and WITH CHECK on tenant_id")
    return problems


async def unlisted_tenant_free_tables(conn: AsyncConnection) -> list[str]:
    rows = await conn.execute(
        text(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')"
            " AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid"
            "   AND a.attname = 'tenant_id' AND NOT a.attisdropped)"
        )
    )
    return sorted(r.relname for r in rows if r.relname not in TENANT_FREE_TABLES)


async def foreign_key_violations(conn: AsyncConnection) -> list[str]:
    """Every FK between two tenant tables must pair tenant_id with tenant_id."""
    rows = await conn.execute(
        text(
            """
            SELECT con.conname, con.conrelid::regclass::text AS child,
                   con.confrelid::regclass::text AS parent,
                   array_position(con.conkey, ca.attnum) AS child_pos,
                   array_position(con.confkey, pa.attnum) AS parent_pos
            FROM pg_constraint con
            JOIN pg_namespace n ON n.oid = con.connamespace AND n.nspname = 'public'
            JOIN pg_attribute ca ON ca.attrelid = con.conrelid AND ca.attname = 'tenant_id'
            JOIN pg_attribute pa ON pa.attrelid = con.confrelid AND pa.attname = 'tenant_id'
            WHERE con.contype = 'f'
            """
        )
    )
    return [
        f"{r.child}.{r.conname} -> {r.parent}: not composite on tenant_id"
        for r in rows
        if r.child_pos is None or r.parent_pos is None or r.child_pos != r.parent_pos
    ]


async def unique_key_violations(conn: AsyncConnection) -> list[str]:
    """Every unique index (primary keys included) on a tenant table leads with tenant_id."""
    rows = await conn.execute(
        text(
            """
            SELECT i.indexrelid::regclass::text AS index, i.indrelid::regclass::text AS tbl,
                   a.attname AS first_column
            FROM pg_index i
            JOIN pg_class c ON c.oid = i.indrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
            LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
            WHERE i.indisunique
              AND EXISTS (SELECT 1 FROM pg_attribute t WHERE t.attrelid = c.oid
                          AND t.attname = 'tenant_id' AND NOT t.attisdropped)
            """
        )
    )
    return [
        f"{r.tbl}.{r.index}: unique key does not lead with tenant_id"
        for r in rows
        if r.first_column != "tenant_id"
    ]


GUARDS = [rls_violations, foreign_key_violations, unique_key_violations]


async def test_every_tenant_table_is_guarded(owner_engine: AsyncEngine) -> None:
    async with owner_engine.connect() as conn:
        tables = await tenant_tables(conn)
        problems = [p for guard in GUARDS for p in await guard(conn)]
    assert tables, "no tenant tables found: the guard would pass vacuously"
    assert "people" in tables
    assert problems == []


async def test_tenant_free_tables_are_on_the_allow_list(owner_engine: AsyncEngine) -> None:
    async with owner_engine.connect() as conn:
        assert await unlisted_tenant_free_tables(conn) == []


@pytest.mark.parametrize("guard", GUARDS, ids=lambda g: g.__name__)
async def test_guard_reports_a_violating_table(owner_engine: AsyncEngine, guard) -> None:
    """Negative control: tables built the wrong way are reported (then rolled back)."""
    async with owner_engine.connect() as conn, conn.begin() as transaction:
        await conn.execute(
            text(
                "CREATE TABLE bad_parent (tenant_id uuid NOT NULL REFERENCES tenants(id),"
                " id uuid PRIMARY KEY)"
            )
        )
        await conn.execute(
            text(
                "CREATE TABLE bad_child (tenant_id uuid NOT NULL, id uuid,"
                " parent_id uuid REFERENCES bad_parent(id), PRIMARY KEY (tenant_id, id))"
            )
        )
        problems = await guard(conn)
        await transaction.rollback()
    assert any("bad_" in problem for problem in problems), problems


async def test_allow_list_reports_an_unlisted_table(owner_engine: AsyncEngine) -> None:
    async with owner_engine.connect() as conn, conn.begin() as transaction:
        await conn.execute(text("CREATE TABLE stray_global_table (id int PRIMARY KEY)"))
        unlisted = await unlisted_tenant_free_tables(conn)
        await transaction.rollback()
    assert unlisted == ["stray_global_table"]
