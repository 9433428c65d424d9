"""Moving one tenant between deployments with ``chapters export-tenant`` and ``import-tenant``,
run as an operator runs them: the demo tenant (three years of history, with a few values that
are hard to carry: bytes, NULs, quotes, a JSONB ``null``, numbers beyond a float's precision)
leaves the test database and arrives in a freshly migrated one, every row of every table
identical, ids included. Refusals write nothing."""

from __future__ import annotations

import gzip
import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from chapters.db.admin import DatabaseUrls, plain_dsn, scratch_database
from chapters.db.catalog import TENANT_DIRECTORY, quote, tenant_tables
from chapters.db.migrations import head_revisions
from chapters.demo import seed_demo
from chapters.tenants.moves import TABLES_LEFT_BEHIND, WRITTEN_BY_TRIGGERS
from tests.support import TenantFactory, run_cli

# Values that a careless serialisation loses or mangles, written into the demo tenant.
EDGE_VALUES = [
    # bytes with a NUL, CR/LF, a backslash and a quote; an array with a comma, quotes, a
    # backslash, braces, the word NULL, a real NULL and characters beyond the BMP
    """UPDATE recognition_settings SET logo = '\\x00ff0a0d5c2200'::bytea,
       signatories = ARRAY['Li, Wei', '"Quoted"', 'back\\slash', '{braces}', 'NULL', NULL,
                           '王小明 😀']
     WHERE tenant_id = $1""",
    # control characters and quotes in text
    """UPDATE people SET display_name = E'Tab\\there, new\\nline, "quote", \\\\ 😀'
     WHERE tenant_id = $1 AND id = (SELECT id FROM people WHERE tenant_id = $1 ORDER BY id LIMIT 1)""",
    # a JSONB null (a value, unlike SQL NULL), and numbers no float holds
    """UPDATE domain_events SET data = 'null'::jsonb
     WHERE tenant_id = $1 AND id = (SELECT id FROM domain_events WHERE tenant_id = $1 ORDER BY id LIMIT 1)""",
    """UPDATE domain_events
     SET data = '{"n": 1.10, "big": 123456789012345678901234567890, "s": "a\\nb", "z": null}'
     WHERE tenant_id = $1 AND id = (SELECT id FROM domain_events WHERE tenant_id = $1 ORDER BY id DESC LIMIT 1)""",
    """UPDATE incentive_budgets SET amount_cents = 9007199254740993 WHERE tenant_id = $1""",
    # a time with microseconds, far from now, in another zone
    """UPDATE audit_log SET occurred_at = '1999-12-31 23:59:59.999999+14'
     WHERE tenant_id = $1 AND id = (SELECT id FROM audit_log WHERE tenant_id = $1 ORDER BY id LIMIT 1)""",
]

ROWS_OF_TENANT = "SELECT count(*) FROM people WHERE tenant_id = $1"


async def _connect(url: str) -> asyncpg.Connection:
    """A superuser's connection: it reads every tenant's rows, whatever row-level security
    would show the service (so the comparison below does not lean on the code under test)."""
    return await asyncpg.connect(plain_dsn(url))


async def tenant_rows(url: str, tenant_id: uuid.UUID) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the tenant in every table (its ``tenants`` row included), all columns, by
    primary key, as the driver decodes them."""
    connection = await _connect(url)
    try:
        rows = {
            TENANT_DIRECTORY: [
                tuple(r)
                for r in await connection.fetch("SELECT * FROM tenants WHERE id = $1", tenant_id)
            ]
        }
        for table in await tenant_tables(connection):
            order = ", ".join(quote(column) for column in table.key)
            records = await connection.fetch(
                f"SELECT * FROM {quote(table.name)} WHERE tenant_id = $1 ORDER BY {order}",
                tenant_id,
            )
            rows[table.name] = [tuple(record) for record in records]
        return rows
    finally:
        await connection.close()


async def fetchval(url: str, query: str, *arguments: Any) -> Any:
    connection = await _connect(url)
    try:
        return await connection.fetchval(query, *arguments)
    finally:
        await connection.close()


def read_lines(path: Path) -> list[str]:
    return gzip.decompress(path.read_bytes()).decode().splitlines(keepends=True)


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_bytes(gzip.compress("".join(lines).encode()))
    return path


@pytest.fixture(scope="module")
def target(urls: DatabaseUrls, settings) -> Iterator[DatabaseUrls]:
    """Another deployment's database: freshly migrated, no tenant in it yet."""
    with scratch_database(urls.admin, settings, "chapters_move") as scratch:
        yield scratch


@pytest.fixture(scope="module")
def target_env(cli_env: dict[str, str], target: DatabaseUrls) -> dict[str, str]:
    return {**cli_env, "DATABASE_URL": target.admin}


@pytest.fixture(scope="module")
async def demo(owner_engine: AsyncEngine, keys, urls: DatabaseUrls) -> uuid.UUID:
    """The demo tenant, with the edge values above."""
    tenant_id = (await seed_demo(owner_engine, echo=lambda line: None, keys=keys))["demo"]
    connection = await _connect(urls.admin)
    try:
        for statement in EDGE_VALUES:
            await connection.execute(statement, tenant_id)
    finally:
        await connection.close()
    return tenant_id


@pytest.fixture(scope="module")
def exported(demo: uuid.UUID, cli_env, tmp_path_factory) -> tuple[Path, str]:
    """The demo tenant's file, and what the command said on standard error."""
    path = tmp_path_factory.mktemp("moves") / "demo.jsonl.gz"
    result = run_cli(cli_env, "export-tenant", "--tenant", "demo", "-o", str(path))
    assert result.returncode == 0, result.stderr
    return path, result.stderr


@pytest.fixture(scope="module")
def imported(exported: tuple[Path, str], target_env) -> str:
    """The demo tenant imported into the target; what the command said on standard error."""
    result = run_cli(target_env, "import-tenant", str(exported[0]))
    assert result.returncode == 0, result.stderr
    return result.stderr


async def test_every_row_arrives_identical_with_its_ids(
    demo: uuid.UUID, imported: str, urls: DatabaseUrls, target: DatabaseUrls
) -> None:
    source = await tenant_rows(urls.admin, demo)
    arrived = await tenant_rows(target.admin, demo)
    moved = {name: rows for name, rows in source.items() if name not in TABLES_LEFT_BEHIND}
    assert sum(len(rows) for rows in moved.values()) > 4000, "the demo tenant is a rich one"
    assert sum(1 for rows in moved.values() if rows) >= 50
    assert sorted(moved) == sorted(name for name in arrived if name not in TABLES_LEFT_BEHIND)
    differing = [name for name in moved if moved[name] != arrived[name]]
    assert differing == []
    assert all(arrived[name] == [] for name in TABLES_LEFT_BEHIND)
    jobs = "SELECT count(*) FROM procrastinate_jobs WHERE args ->> 'tenant_id' = $1"
    assert await fetchval(target.admin, jobs, str(demo)) == 0, "jobs stay where they began"
    assert f"imported tenant demo ({demo}): " in imported
    assert "read back and identical" in imported
    assert "  imported chapters: 6 rows" in imported
    assert "Traceback" not in imported


async def test_every_kind_of_value_was_carried(
    demo: uuid.UUID, imported: str, urls: DatabaseUrls
) -> None:
    """Each column type of the tenant tables has a value (not NULL) in the demo tenant, so
    the comparison above covered every type; and the edge values are there as written."""
    connection = await _connect(urls.admin)
    try:
        carried, types = set(), set()
        for table in await tenant_tables(connection):
            if table.name in TABLES_LEFT_BEHIND:
                continue
            for column, type_ in zip(table.columns, table.types, strict=True):
                types.add(type_)
                present = await connection.fetchval(
                    f"SELECT EXISTS (SELECT 1 FROM {quote(table.name)}"
                    f" WHERE tenant_id = $1 AND {quote(column)} IS NOT NULL)",
                    demo,
                )
                if present:
                    carried.add(type_)
    finally:
        await connection.close()
    assert {"bytea", "jsonb", "bigint", "date", "character varying[]"} <= types
    assert carried == types


def test_the_file_says_what_it_holds(
    demo: uuid.UUID, exported: tuple[Path, str], imported: str
) -> None:
    path, said = exported
    lines = read_lines(path)
    header, end = json.loads(lines[0]), json.loads(lines[-1])
    assert header["format"] == "chapters-tenant-export" and header["version"] == 1
    assert header["revisions"] == sorted(head_revisions())
    assert header["tenant"] == {
        "id": str(demo),
        "slug": "demo",
        "name": "Demo Cloud Native Community",
    }
    names = [table["name"] for table in header["tables"]]
    assert names[0] == "tenants" and names[-1] == "insight_stale_people"
    assert (
        names.index("chapters")
        < names.index("chapter_memberships")
        < names.index("chapter_membership_periods")
    ), "parents come first"
    assert "job_errors" not in names and set(header["tables_left_behind"]) == {"job_errors"}
    assert end["end"] is True
    assert end["rows"] == sum(table["rows"] for table in header["tables"])
    assert len(lines) == 2 + len(names) + end["rows"]
    for table in header["tables"]:
        assert f"  exported {table['name']}: {table['rows']:,} rows\n" in said
    assert re.search(
        rf"exported tenant demo \({demo}\): [\d,]+ rows of \d+ tables, [\d,]+ bytes", said
    )
    if header["unfinished_jobs_left_behind"]:
        waiting = sum(header["unfinished_jobs_left_behind"].values())
        assert f"note: {waiting} unfinished jobs of demo stay in this deployment's queue" in said


async def test_importing_the_same_tenant_again_is_refused(
    demo: uuid.UUID, exported: tuple[Path, str], imported: str, target_env, target
) -> None:
    before = await fetchval(target.admin, ROWS_OF_TENANT, demo)
    again = run_cli(target_env, "import-tenant", str(exported[0]))
    assert again.returncode == 1
    assert f"tenant {demo} is already in this database (as 'demo')" in again.stderr
    assert "Traceback" not in again.stderr
    assert await fetchval(target.admin, ROWS_OF_TENANT, demo) == before


async def test_another_slug_in_the_same_database_is_refused(
    demo: uuid.UUID, exported: tuple[Path, str], cli_env, urls: DatabaseUrls
) -> None:
    """The ids are kept, so a copy beside the original would collide: refused (renumbering
    is not offered)."""
    copy = run_cli(cli_env, "import-tenant", str(exported[0]), "--as-slug", "demo-copy")
    assert copy.returncode == 1
    assert "already in this database" in copy.stderr and "not other ids" in copy.stderr
    assert await fetchval(urls.admin, "SELECT count(*) FROM tenants WHERE slug = 'demo-copy'") == 0


async def export_small_tenant(
    tenants: TenantFactory, cli_env: dict[str, str], folder: Path
) -> tuple[uuid.UUID, Path]:
    """A new tenant with one person and an API client, exported to ``folder``."""
    tenant = await tenants.create(prefix="move")
    created = run_cli(
        cli_env, "create-client", "--tenant", tenant.slug, "--name", "Sync", "--kind", "service"
    )
    assert created.returncode == 0, created.stderr
    path = folder / f"{tenant.slug}.jsonl.gz"
    result = run_cli(cli_env, "export-tenant", "--tenant", tenant.slug, "-o", str(path))
    assert result.returncode == 0, result.stderr
    return tenant.id, path


@pytest.fixture(scope="module")
async def small_tenant(tenants, cli_env, tmp_path_factory) -> tuple[uuid.UUID, Path]:
    """A small tenant's file that no test imports whole: the refusals' material."""
    return await export_small_tenant(tenants, cli_env, tmp_path_factory.mktemp("small"))


async def test_a_tenant_arrives_under_another_slug(
    tenants, cli_env, tmp_path: Path, target_env, urls: DatabaseUrls, target: DatabaseUrls
) -> None:
    tenant_id, path = await export_small_tenant(tenants, cli_env, tmp_path)
    slug = f"moved-{uuid.uuid4().hex[:8]}"
    result = run_cli(target_env, "import-tenant", str(path), "--as-slug", slug)
    assert result.returncode == 0, result.stderr
    assert f"imported tenant {slug} ({tenant_id})" in result.stderr
    assert "note: 1 API clients keep client ids that begin with the tenant's former slug" in (
        result.stderr
    )
    source = await tenant_rows(urls.admin, tenant_id)
    arrived = await tenant_rows(target.admin, tenant_id)
    (tenant_row,) = arrived.pop(TENANT_DIRECTORY)
    (source_row,) = source.pop(TENANT_DIRECTORY)
    assert (
        tenant_row[1] == slug and tenant_row[:1] + tenant_row[2:] == source_row[:1] + source_row[2:]
    )
    assert arrived == source and source["people"] and source["api_clients"]


def _cut_in_half(lines: list[str]) -> bytes:
    whole = gzip.compress("".join(lines).encode())
    return whole[: len(whole) // 2]


def _retarget_a_row(lines: list[str]) -> list[str]:
    """The first person's row names a tenant that is not the file's."""
    start = next(i for i, line in enumerate(lines) if line.startswith('{"table":"people"'))
    person = json.loads(lines[start + 1])
    person[0] = str(uuid.uuid4())
    return [*lines[: start + 1], json.dumps(person) + "\n", *lines[start + 2 :]]


def _rename_a_person(lines: list[str]) -> list[str]:
    """The first person's display name is another (a valid row: only the digest tells)."""
    start = next(i for i, line in enumerate(lines) if line.startswith('{"table":"people"'))
    renamed = lines[start + 1].replace('"admin@x.example"', '"someone@x.example"')
    assert renamed != lines[start + 1]
    return [*lines[: start + 1], renamed, *lines[start + 2 :]]


def _another_revision(lines: list[str]) -> list[str]:
    header = json.loads(lines[0])
    header["revisions"] = ["0123456789ab"]
    return [json.dumps(header) + "\n", *lines[1:]]


DAMAGES = {
    # name: (what makes the damaged file's bytes from the good file's lines, the message)
    "cut short": (_cut_in_half, "the file is damaged after line"),
    "without its end line": (lambda lines: lines[:-1], "before its end line: it is incomplete"),
    "not compressed": (lambda lines: "".join(lines).encode(), "not gzip-compressed"),
    "not an export": (lambda lines: ['{"hello": "world"}\n'], "not a tenant export"),
    "a value changed": (_rename_a_person, "the rows differ from the digests"),
    "a row of another tenant": (_retarget_a_row, "a row names another tenant"),
    "another revision": (_another_revision, "the file was exported at migration revision 0123"),
}


@pytest.mark.parametrize("damage", sorted(DAMAGES))
async def test_a_damaged_or_foreign_file_writes_nothing(
    damage: str, small_tenant, target_env, target: DatabaseUrls, tmp_path: Path
) -> None:
    tenant_id, path = small_tenant
    make, message = DAMAGES[damage]
    made = make(read_lines(path))
    damaged = tmp_path / "damaged.jsonl.gz"
    if isinstance(made, bytes):
        damaged.write_bytes(made)
    else:
        write_lines(damaged, made)
    result = run_cli(target_env, "import-tenant", str(damaged))
    assert result.returncode == 1, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert (
        await fetchval(target.admin, "SELECT count(*) FROM tenants WHERE id = $1", tenant_id) == 0
    )
    assert await fetchval(target.admin, ROWS_OF_TENANT, tenant_id) == 0


async def test_a_slug_taken_in_the_target_is_refused(
    small_tenant, imported: str, target_env, target
) -> None:
    tenant_id, path = small_tenant
    result = run_cli(target_env, "import-tenant", str(path), "--as-slug", "demo")
    assert result.returncode == 1
    assert "this database already has a tenant 'demo': choose another with --as-slug" in (
        result.stderr
    )
    assert (
        await fetchval(target.admin, "SELECT count(*) FROM tenants WHERE id = $1", tenant_id) == 0
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["export-tenant", "--tenant", "no-such-tenant", "-o", "{tmp}/x.gz"],
            "no tenant 'no-such-tenant'",
        ),
        (["import-tenant", "{tmp}/missing.gz"], "No such file or directory"),
        (["import-tenant", "{file}", "--as-slug", "Not A Slug"], "lowercase letters"),
    ],
)
def test_bad_input_gets_a_clear_error(args, message, small_tenant, cli_env, tmp_path: Path) -> None:
    _, path = small_tenant
    filled = [arg.format(tmp=tmp_path, file=path) for arg in args]
    result = run_cli(cli_env, *filled)
    assert result.returncode in {1, 2}
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "x.gz").exists()


async def test_the_tables_named_in_the_lists_exist(urls: DatabaseUrls) -> None:
    """The lists of tables that stay behind and that triggers write into name tenant tables."""
    connection = await _connect(urls.admin)
    try:
        present = {table.name for table in await tenant_tables(connection)}
    finally:
        await connection.close()
    assert set(TABLES_LEFT_BEHIND) <= present
    assert set(WRITTEN_BY_TRIGGERS) <= present


# The functions that triggers run, and the functions those call (by name, in their source).
_TRIGGERED_FUNCTIONS = r"""
WITH RECURSIVE reached AS (
    SELECT p.oid FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
    WHERE NOT t.tgisinternal AND p.pronamespace = 'public'::regnamespace
      AND p.proname NOT LIKE 'procrastinate%'
  UNION
    SELECT callee.oid FROM reached
    JOIN pg_proc caller ON caller.oid = reached.oid
    JOIN pg_proc callee ON callee.pronamespace = 'public'::regnamespace
     AND caller.prosrc ~ ('\m' || callee.proname || '\s*\(')
)
SELECT p.prosrc FROM reached JOIN pg_proc p ON p.oid = reached.oid
"""
WRITE = re.compile(
    r"\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+(?:ONLY\s+)?(?:public\.)?\"?(\w+)", re.I
)


async def tables_triggers_write(connection: asyncpg.Connection) -> set[str]:
    """The tenant tables that the triggers' functions write into."""
    names = {table.name for table in await tenant_tables(connection)}
    sources = [row["prosrc"] for row in await connection.fetch(_TRIGGERED_FUNCTIONS)]
    return {match.lower() for source in sources for match in WRITE.findall(source)} & names


async def test_every_table_a_trigger_writes_into_is_imported_last(urls: DatabaseUrls) -> None:
    """Inserting a tenant's rows fires the tables' triggers; a table they write into must be
    on ``WRITTEN_BY_TRIGGERS`` (imported last, over what the triggers wrote)."""
    connection = await _connect(urls.admin)
    try:
        written = await tables_triggers_write(connection)
    finally:
        await connection.close()
    assert written, "the insight triggers write: the guard would pass vacuously"
    assert written == set(WRITTEN_BY_TRIGGERS)


async def test_the_trigger_guard_reports_a_new_trigger(urls: DatabaseUrls) -> None:
    """Negative control: a trigger that writes into another tenant table is found."""
    connection = await _connect(urls.admin)
    try:
        transaction = connection.transaction()
        await transaction.start()
        await connection.execute(
            "CREATE FUNCTION stray_note() RETURNS trigger LANGUAGE plpgsql AS $$"
            " BEGIN PERFORM stray_write(NEW.tenant_id); RETURN NULL; END $$;"
            " CREATE FUNCTION stray_write(tenant uuid) RETURNS void LANGUAGE sql AS $$"
            "  UPDATE committees SET name = name WHERE tenant_id = tenant $$;"
            " CREATE TRIGGER stray AFTER INSERT ON people FOR EACH ROW EXECUTE FUNCTION stray_note()"
        )
        written = await tables_triggers_write(connection)
        await transaction.rollback()
    finally:
        await connection.close()
    assert "committees" in written
