"""The path to Citus with ``tenant_id`` as the distribution column: what a co-located schema
needs, checked on the migrated database, and the DDL of ``deploy/citus.md`` checked against it.

- every tenant table has ``tenant_id`` (uuid, not null) in its primary key, in every unique
  key and unique index, and in every exclusion constraint: Citus enforces uniqueness only
  within a shard;
- every foreign key between tenant tables pairs ``tenant_id`` with ``tenant_id`` (co-located
  shards), a tenant table references no other global table than the reference tables, and no
  global table references a tenant table (Citus supports neither a reference nor a local
  table referencing a distributed one);
- every SQL statement of every example operation filters each tenant table it touches by its
  tenant: ``tests/api/test_schema.py::test_operation_runs`` runs them all and asks
  ``tests/tenancy/tenant_filters.py``, whose judgement is held to hand-written statements here.

Each catalog guard has a negative control.
"""

from __future__ import annotations

import re

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from chapters.db.admin import DatabaseUrls, plain_dsn
from chapters.db.catalog import TenantTable, tenant_tables
from chapters.settings import PROJECT_ROOT
from tests.tenancy.tenant_filters import table_columns, unfiltered_references
from tests.tenancy.test_catalog import TENANT_FREE_TABLES

CITUS_GUIDE = PROJECT_ROOT / "deploy" / "citus.md"

# Global tables that become Citus reference tables (a copy on every node), with the reason.
REFERENCE_TABLES = {
    "tenants": "the tenant directory: read by every request before its tenant is known, and"
    " referenced by every tenant table (ON DELETE CASCADE removes a tenant's rows)",
}
# Every other global table stays a plain table on the coordinator (TENANT_FREE_TABLES says
# what each holds): migration bookkeeping and the job queue.
LOCAL_TABLES = {
    name: why for name, why in TENANT_FREE_TABLES.items() if name not in REFERENCE_TABLES
}
# The table the distributed tables are co-located with: it references only ``tenants``.
ANCHOR = "people"

_IS_TENANT_TABLE = """EXISTS (SELECT 1 FROM pg_attribute t WHERE t.attrelid = {rel}
    AND t.attname = 'tenant_id' AND NOT t.attisdropped)"""

_KEYS_WITHOUT_TENANT = f"""
SELECT c.relname AS tbl, i.indexrelid::regclass::text AS name,
       CASE WHEN i.indisprimary THEN 'primary key' ELSE 'unique key' END AS kind
FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
WHERE i.indisunique AND {_IS_TENANT_TABLE.format(rel="c.oid")}
  AND NOT EXISTS (
    SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id'
      AND a.attnum = ANY ((i.indkey::int2[])[0:i.indnkeyatts - 1]))
UNION ALL
SELECT c.relname, con.conname, 'exclusion constraint'
FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
WHERE con.contype = 'x' AND {_IS_TENANT_TABLE.format(rel="c.oid")}
  AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid
                  AND a.attname = 'tenant_id' AND a.attnum = ANY (con.conkey))
"""

_TABLES_WITHOUT_PRIMARY_KEY = f"""
SELECT c.relname AS tbl FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
WHERE c.relkind IN ('r', 'p') AND {_IS_TENANT_TABLE.format(rel="c.oid")}
  AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary)
"""

_DISTRIBUTION_COLUMNS = f"""
SELECT c.relname AS tbl, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
WHERE c.relkind IN ('r', 'p') AND {_IS_TENANT_TABLE.format(rel="c.oid")}
"""

_SEQUENCE_COLUMNS = f"""
SELECT c.relname AS tbl, a.attname AS col FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
  AND {_IS_TENANT_TABLE.format(rel="c.oid")}
  AND (a.attidentity <> '' OR pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%')
"""

_FOREIGN_KEYS = f"""
SELECT con.conname AS name, child.relname AS child, parent.relname AS parent,
       {_IS_TENANT_TABLE.format(rel="child.oid")} AS child_is_tenant,
       {_IS_TENANT_TABLE.format(rel="parent.oid")} AS parent_is_tenant,
       (SELECT array_position(con.conkey, a.attnum) FROM pg_attribute a
        WHERE a.attrelid = child.oid AND a.attname = 'tenant_id') AS child_position,
       (SELECT array_position(con.confkey, a.attnum) FROM pg_attribute a
        WHERE a.attrelid = parent.oid AND a.attname = 'tenant_id') AS parent_position
FROM pg_constraint con
JOIN pg_class child ON child.oid = con.conrelid
JOIN pg_class parent ON parent.oid = con.confrelid
JOIN pg_namespace n ON n.oid = con.connamespace AND n.nspname = 'public'
WHERE con.contype = 'f'
"""


async def key_violations(conn: AsyncConnection) -> list[str]:
    """Primary, unique and exclusion keys of tenant tables that leave out ``tenant_id``; tenant
    tables without a primary key; a ``tenant_id`` that is not a non-null uuid; columns that
    take their values from a sequence (one sequence would serve every shard)."""
    problems = [
        f"{row.tbl}: {row.kind} {row.name} leaves out tenant_id"
        for row in await conn.execute(text(_KEYS_WITHOUT_TENANT))
    ]
    problems += [
        f"{row.tbl}: no primary key"
        for row in await conn.execute(text(_TABLES_WITHOUT_PRIMARY_KEY))
    ]
    problems += [
        f"{row.tbl}: tenant_id is {row.type}{'' if row.attnotnull else ', nullable'}"
        for row in await conn.execute(text(_DISTRIBUTION_COLUMNS))
        if row.type != "uuid" or not row.attnotnull
    ]
    problems += [
        f"{row.tbl}: {row.col} takes its values from a sequence"
        for row in await conn.execute(text(_SEQUENCE_COLUMNS))
    ]
    return problems


async def reference_violations(conn: AsyncConnection) -> list[str]:
    """Foreign keys that co-located shards and reference tables cannot hold."""
    problems = []
    for fk in await conn.execute(text(_FOREIGN_KEYS)):
        if fk.child_is_tenant and fk.parent_is_tenant:
            if fk.child_position is None or fk.child_position != fk.parent_position:
                problems.append(f"{fk.child}.{fk.name} -> {fk.parent}: not paired on tenant_id")
        elif fk.child_is_tenant and fk.parent not in REFERENCE_TABLES:
            problems.append(
                f"{fk.child}.{fk.name} -> {fk.parent}: a global table, not a reference table"
            )
        elif fk.parent_is_tenant:
            problems.append(
                f"{fk.child}.{fk.name} -> {fk.parent}: a global table references a tenant table"
            )
    return problems


GUARDS = [key_violations, reference_violations]


async def test_every_key_and_reference_suits_a_distributed_schema(
    owner_engine: AsyncEngine,
) -> None:
    async with owner_engine.connect() as conn:
        problems = [problem for guard in GUARDS for problem in await guard(conn)]
        foreign_keys = (await conn.execute(text(_FOREIGN_KEYS))).all()
    assert sum(1 for fk in foreign_keys if fk.child_is_tenant and fk.parent_is_tenant) > 100
    assert problems == []


# Tables a distributed schema cannot hold: unique keys without tenant_id, a nullable tenant_id,
# a foreign key that leaves tenant_id out, a global table referencing a tenant table, a tenant
# table referencing a global table other than the reference tables, a sequence.
STRAY_TABLES = [
    "CREATE TABLE stray_parent (tenant_id uuid NOT NULL REFERENCES tenants(id), id uuid,"
    " code text, PRIMARY KEY (tenant_id, id), UNIQUE (id), UNIQUE (code))",
    "CREATE TABLE stray_child (tenant_id uuid, id uuid PRIMARY KEY,"
    " parent_id uuid REFERENCES stray_parent(id))",
    "CREATE TABLE stray_global (id int PRIMARY KEY, parent uuid REFERENCES stray_parent(id),"
    " version text REFERENCES alembic_version(version_num))",
    "CREATE TABLE stray_pointer (tenant_id uuid NOT NULL, id uuid PRIMARY KEY,"
    " number bigserial, version text REFERENCES alembic_version(version_num))",
]


@pytest.mark.parametrize("guard", GUARDS, ids=lambda guard: guard.__name__)
async def test_guard_reports_a_table_that_cannot_be_distributed(
    owner_engine: AsyncEngine, guard
) -> None:
    """Negative control: tables built the wrong way are reported (then rolled back)."""
    async with owner_engine.connect() as conn, conn.begin() as transaction:
        for statement in STRAY_TABLES:
            await conn.execute(text(statement))
        problems = await guard(conn)
        await transaction.rollback()
    stray = [problem for problem in problems if "stray_" in problem]
    if guard is key_violations:
        assert {problem.split(":")[0] for problem in stray} == {
            "stray_parent",
            "stray_child",
            "stray_pointer",
        }, stray
        assert "stray_child: tenant_id is uuid, nullable" in stray
        assert "stray_pointer: number takes its values from a sequence" in stray
    else:
        assert any("stray_child" in p and "not paired" in p for p in stray), stray
        assert any("stray_global" in p and "references a tenant table" in p for p in stray)
        assert any("stray_pointer" in p and "not a reference table" in p for p in stray)


def distribution_ddl(tables: list[TenantTable]) -> str:
    """The distribution calls of ``deploy/citus.md``: the reference tables, then every tenant
    table parents first, each co-located with ``ANCHOR`` (distributed first)."""
    names = [ANCHOR, *(table.name for table in tables if table.name != ANCHOR)]
    lines = [f"SELECT create_reference_table('{name}');" for name in REFERENCE_TABLES]
    lines.append(
        f"SELECT create_distributed_table('{ANCHOR}', 'tenant_id', colocate_with => 'none');"
    )
    lines += [
        f"SELECT create_distributed_table('{name}', 'tenant_id', colocate_with => '{ANCHOR}');"
        for name in names[1:]
    ]
    return "\n".join(lines) + "\n"


DDL_BLOCK = re.compile(r"<!-- distribution DDL: .*? -->\s*```sql\n(?P<ddl>.*?)```", re.DOTALL)


async def test_the_citus_guide_distributes_exactly_the_tenant_tables(urls: DatabaseUrls) -> None:
    connection = await asyncpg.connect(plain_dsn(urls.owner))
    try:
        tables = await tenant_tables(connection)
    finally:
        await connection.close()
    by_name = {table.name: table for table in tables}
    assert by_name[ANCHOR].parents == frozenset(), f"{ANCHOR} must reference only tenants"
    match = DDL_BLOCK.search(CITUS_GUIDE.read_text())
    assert match is not None, "deploy/citus.md has no distribution DDL block"
    expected = distribution_ddl(tables)
    assert match["ddl"] == expected, (
        "deploy/citus.md is stale: replace its distribution DDL block with\n" + expected
    )
    distributed = re.findall(r"create_distributed_table\('(\w+)'", match["ddl"])
    for position, name in enumerate(distributed):
        assert by_name[name].parents <= set(distributed[:position]), f"{name} before a parent"
    guide = CITUS_GUIDE.read_text()
    for name in LOCAL_TABLES:
        assert f"`{name}`" in guide, f"deploy/citus.md does not say what becomes of {name}"


# Statements a router plan can take (each reference pinned to one tenant) ...
PINNED = [
    "SELECT p.id FROM people p WHERE p.tenant_id = $1 AND p.id = $2",
    "SELECT 1 FROM people p JOIN chapter_memberships m ON m.tenant_id = p.tenant_id"
    " AND m.person_id = p.id WHERE p.tenant_id = $1::uuid",
    "SELECT (SELECT count(*) FROM chapter_memberships m WHERE m.tenant_id = p.tenant_id"
    " AND m.person_id = p.id) FROM people p WHERE p.tenant_id = $1",
    "SELECT x.id FROM (SELECT tenant_id, id FROM people) AS x WHERE x.tenant_id = $1",
    "SELECT 1 FROM people WHERE (people.tenant_id, people.id) IN (($1, $2), ($1, $3))",
    "WITH mine AS (SELECT tenant_id, id FROM people WHERE tenant_id = $1"
    " UNION ALL SELECT tenant_id, id FROM people WHERE tenant_id = $1 AND id = $2)"
    " SELECT 1 FROM mine JOIN chapter_memberships m ON m.tenant_id = mine.tenant_id",
    "INSERT INTO people (tenant_id, id, email) VALUES ($1, $2, $3), ($1, $4, $5)",
    "INSERT INTO insight_stale_people (tenant_id, person_id)"
    " SELECT p.tenant_id, p.id FROM people p WHERE p.tenant_id = $1 ON CONFLICT DO NOTHING",
    "UPDATE people SET email = $1 WHERE people.tenant_id = $2 AND people.id = $3"
    " RETURNING people.updated_at",
    "DELETE FROM people USING chapters c WHERE people.tenant_id = $1"
    " AND c.tenant_id = people.tenant_id",
    "SELECT CASE WHEN set_config('app.tenant_id', $1::text, true) IS NOT NULL THEN"
    " (SELECT json_agg(p.email) FROM people p WHERE p.tenant_id = $2) END",
    # the reference table, the coordinator's tables, transaction control
    "SELECT tenants.id FROM tenants WHERE tenants.slug = $1",
    "SELECT procrastinate_defer_jobs_v1(ARRAY[]::procrastinate_job_to_defer_v1[])",
    "SELECT set_config('app.tenant_id', $1, true)",
    "SAVEPOINT sa_savepoint_1",
]

# ... and statements that a router cannot take, with what must be reported.
UNPINNED = {
    "SELECT id FROM people WHERE id = $1": ["people"],
    "SELECT 1 FROM people p WHERE p.tenant_id = $1 OR p.id = $2": ["people AS p"],
    "SELECT 1 FROM people p WHERE NOT (p.tenant_id <> $1)": ["people AS p"],
    "SELECT 1 FROM people p WHERE p.tenant_id = current_setting('app.tenant_id')::uuid": [
        "people AS p"
    ],
    "SELECT 1 FROM people p JOIN chapter_memberships m ON m.person_id = p.id"
    " WHERE p.tenant_id = $1": ["chapter_memberships AS m"],
    "SELECT 1 FROM people p JOIN chapters c ON c.tenant_id = p.tenant_id": [
        "people AS p",
        "chapters AS c",
    ],
    "SELECT (SELECT count(*) FROM chapter_memberships m WHERE m.person_id = p.id)"
    " FROM people p WHERE p.tenant_id = $1": ["chapter_memberships AS m"],
    "SELECT id FROM people WHERE tenant_id = $1 UNION SELECT id FROM chapters": ["chapters"],
    "SELECT x.id FROM (SELECT tenant_id, id FROM people UNION ALL"
    " SELECT tenant_id, id FROM people WHERE tenant_id = $1) x WHERE x.tenant_id = $1": ["people"],
    "INSERT INTO people (id, email) VALUES ($1, $2)": [
        "INSERT INTO people: a row without a bound tenant_id"
    ],
    "INSERT INTO insight_stale_people (tenant_id, person_id) SELECT p.tenant_id, p.id"
    " FROM people p": [
        "people AS p",
        "INSERT INTO insight_stale_people: a row without a bound tenant_id",
    ],
    "UPDATE people SET email = $1 WHERE id = $2": ["people"],
    "DELETE FROM people WHERE id = $1": ["people"],
}


@pytest.fixture(scope="module")
async def catalog(owner_engine: AsyncEngine) -> dict[str, tuple[str, ...]]:
    return await table_columns(owner_engine)


@pytest.mark.parametrize("statement", PINNED)
def test_a_statement_pinned_to_its_tenant_passes(statement: str, catalog) -> None:
    assert unfiltered_references(statement, catalog) == []


@pytest.mark.parametrize("statement", sorted(UNPINNED))
def test_a_statement_a_router_cannot_take_is_reported(statement: str, catalog) -> None:
    assert sorted(unfiltered_references(statement, catalog)) == sorted(UNPINNED[statement])
