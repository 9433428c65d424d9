"""Moving one tenant between deployments: what ``chapters export-tenant`` writes and
``chapters import-tenant`` reads.

What moves: the tenant's row of ``tenants`` and every row of every tenant table, found in the
catalog (``db.catalog``) so that a new table moves without a code change, each with its ids:
nothing is renumbered. What stays: the tables of ``TABLES_LEFT_BEHIND``, and the job queue
(procrastinate's tables belong to the deployment: its job ids come from the deployment's
sequence, and a job that is running must finish where it started). The export counts the
tenant's unfinished jobs, so the operator knows to let the source's worker finish them first.

The file is gzip-compressed JSON lines:

1. a header: the format and its version, the source's migration revisions, the tenant (id,
   slug, name), the time, per table (in the file's order) its columns and its row count, and
   the tenant's unfinished jobs by task;
2. per table a line ``{"table": NAME, "rows": N}``, then N lines of one row each: a JSON array
   of the row's values as PostgreSQL writes them as text (what ``COPY`` writes: timestamps in
   UTC, bytea in hex, arrays and JSONB as their literals; SQL NULL is ``null``), which the
   import reads back with the same types' input (``CAST(text AS type)``). Every value
   round-trips exactly as PostgreSQL's own dump does, a JSONB ``null`` apart from SQL NULL;
3. an end line: the total and, per table, the SHA-256 of its row lines. A file without it was
   cut short.

Tables come parents first (foreign keys); the rows of a table that references itself come
parents first too; the tables that triggers write into (``WRITTEN_BY_TRIGGERS``) come last.

The export reads one snapshot (REPEATABLE READ, read only) bound to the tenant, through a
cursor, so a large tenant never sits in memory. The import is one transaction of the owner
role bound to the file's tenant: row-level security is forced on the owner too, so a row that
names another tenant is refused, and afterwards the whole tenant is there or nothing is. Before
committing it reads every row back exactly as the export read them and compares the digests.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any

import asyncpg

from chapters.db.catalog import (
    TENANT_COLUMN,
    TENANT_DIRECTORY,
    CatalogError,
    TenantTable,
    describe_table,
    quote,
    tenant_tables,
)
from chapters.tenants.service import validate_slug

FORMAT = "chapters-tenant-export"
FORMAT_VERSION = 1

# Tenant tables whose rows do not move, each with the reason.
TABLES_LEFT_BEHIND: dict[str, str] = {
    "job_errors": (
        "why attempts of the tenant's jobs failed, keyed by the source queue's job ids: the jobs"
        " stay in the source's queue, and in the target's queue those ids name other jobs"
    ),
}

# Tenant tables that triggers of other tables write into, each with the trigger's story. The
# import inserts them last: first it removes what its own inserts made the triggers write,
# then it writes the file's rows (tests/tenants/ checks that this lists every such table).
WRITTEN_BY_TRIGGERS: dict[str, str] = {
    "insight_stale_people": (
        "the insight triggers of the evidence tables (memberships and their periods, committee"
        " seats, participants, registrations, code contributions) mark the people of the rows"
        " they see inserted as stale"
    ),
}

BATCH_ROWS = 1000  # rows per INSERT of the import (and per fetch of the export's cursor)
BATCH_BYTES = 4 * 1024 * 1024  # ...or fewer, when their lines are this long

# Both sides write values with the same settings, so the import's read-back gives the export's
# bytes; the tenant binds row-level security (the owner is bound too: it is forced).
_SESSION = (
    "SELECT set_config('app.tenant_id', $1, true), set_config('TimeZone', 'UTC', true),"
    " set_config('DateStyle', 'ISO, YMD', true), set_config('IntervalStyle', 'postgres', true),"
    " set_config('bytea_output', 'hex', true), set_config('extra_float_digits', '1', true)"
)
_UNFINISHED_JOBS = """
SELECT task_name, count(*) AS jobs FROM procrastinate_jobs
WHERE args ->> 'tenant_id' = $1 AND status IN ('todo', 'doing')
GROUP BY task_name ORDER BY task_name
"""

Progress = Callable[[str, int], None]  # called with a table's name and its rows, once moved


class MoveError(Exception):
    """Why a tenant cannot be exported or imported, in one line for the operator."""


@dataclass
class Moved:
    """What an export wrote or an import read: the tenant, the rows per table (in the file's
    order), the compressed size, the tenant's jobs that stayed in the source's queue; after an
    import under another slug, the former slug and the active API clients whose ids begin
    with it (the token endpoint finds a client's tenant by that prefix)."""

    tenant_id: uuid.UUID
    slug: str
    rows: dict[str, int] = field(default_factory=dict)
    bytes: int = 0
    unfinished_jobs: dict[str, int] = field(default_factory=dict)
    former_slug: str | None = None
    clients_named_by_former_slug: int = 0

    @property
    def total(self) -> int:
        return sum(self.rows.values())


async def move_plan(connection: asyncpg.Connection) -> list[TenantTable]:
    """The tables that move, in the order they are written and read: the tenant directory,
    then the tenant tables parents first, then those the triggers write into."""
    try:
        tables = [t for t in await tenant_tables(connection) if t.name not in TABLES_LEFT_BEHIND]
        directory = await describe_table(connection, TENANT_DIRECTORY)
    except CatalogError as error:
        raise MoveError(str(error)) from None
    last = [table for table in tables if table.name in WRITTEN_BY_TRIGGERS]
    for table in tables:
        if table.parents & {written.name for written in last}:
            raise MoveError(f"{table.name} references a table that triggers write into")
    return [directory, *(t for t in tables if t.name not in WRITTEN_BY_TRIGGERS), *last]


def rows_query(table: TenantTable) -> str:
    """The tenant's rows of ``table`` ($1: the tenant's id), one JSON array of texts each, in
    the file's order: by primary key (bytewise), and parents first where the table references
    itself."""
    name = quote(table.name)
    values = "to_json(ARRAY[" + ", ".join(f"t.{quote(c)}::text" for c in table.columns) + "])::text"
    tenant = "id" if table.name == TENANT_DIRECTORY else TENANT_COLUMN
    where = f"t.{quote(tenant)} = $1"
    order = ", ".join(
        f"t.{quote(column)}" + (' COLLATE "C"' if column in table.collatable else "")
        for column in table.key
    )
    if not table.self_references:
        return f"SELECT {values} FROM {name} AS t WHERE {where} ORDER BY {order}"
    if len(table.self_references) > 1:
        raise MoveError(f"{table.name} references itself more than once: no order of its rows")
    (reference,) = table.self_references
    carried = ", ".join(f"t.{quote(c)}" for c in dict.fromkeys(table.key + reference.referenced))
    roots = " OR ".join(f"t.{quote(c)} IS NULL" for c in reference.columns if c != TENANT_COLUMN)
    link = " AND ".join(
        f"t.{quote(c)} = tree.{quote(r)}"
        for c, r in zip(reference.columns, reference.referenced, strict=True)
    )
    same = " AND ".join(f"t.{quote(k)} = tree.{quote(k)}" for k in table.key)
    return (
        f"WITH RECURSIVE tree AS ("
        f"SELECT {carried}, 0 AS depth FROM {name} AS t WHERE {where} AND ({roots})"
        f" UNION ALL SELECT {carried}, tree.depth + 1 FROM {name} AS t"
        f" JOIN tree ON {link} WHERE {where}) "
        f"SELECT {values} FROM {name} AS t JOIN tree ON {same} WHERE {where}"
        f" ORDER BY tree.depth, {order}"
    )


def _insert_query(table: TenantTable, given: dict[str, str] | None = None) -> str:
    """Insert the rows of a JSON array of rows ($1); ``given``: columns whose value is a
    parameter instead."""
    given = given or {}
    columns = ", ".join(quote(column) for column in table.columns)
    values = ", ".join(
        given.get(column, f"CAST(r.value ->> {index} AS {type_})")
        for index, (column, type_) in enumerate(zip(table.columns, table.types, strict=True))
    )
    return (
        f"INSERT INTO {quote(table.name)} ({columns})"
        f" SELECT {values} FROM json_array_elements($1::json) AS r"
    )


class _Counted:
    """A binary sink that counts the bytes written through it."""

    def __init__(self, sink: IO[bytes]) -> None:
        self.sink, self.bytes = sink, 0

    def write(self, data: bytes) -> int:
        self.bytes += len(data)
        return self.sink.write(data)

    def flush(self) -> None:
        self.sink.flush()


def _line(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


async def export_tenant(
    connection: asyncpg.Connection, slug: str, sink: IO[bytes], progress: Progress
) -> Moved:
    """Write the tenant ``slug`` to ``sink`` (see the module's docstring)."""
    async with connection.transaction(isolation="repeatable_read", readonly=True):
        tenant = await connection.fetchrow(
            "SELECT id, slug, name FROM tenants WHERE slug = $1", slug
        )
        if tenant is None:
            raise MoveError(f"no tenant {slug!r}")
        tenant_id: uuid.UUID = tenant["id"]
        await connection.fetchval(_SESSION, str(tenant_id))
        tables = await move_plan(connection)
        tenant_of = {t.name: "id" if t.name == TENANT_DIRECTORY else TENANT_COLUMN for t in tables}
        counts = {
            t.name: await connection.fetchval(
                f"SELECT count(*) FROM {quote(t.name)} WHERE {quote(tenant_of[t.name])} = $1",
                tenant_id,
            )
            for t in tables
        }
        moved = Moved(
            tenant_id, slug, unfinished_jobs=await _unfinished_jobs(connection, tenant_id)
        )
        counted = _Counted(sink)
        with gzip.GzipFile(fileobj=counted, mode="wb", filename="", mtime=0) as out:
            out.write(_line(_header(await _revisions(connection), tenant, tables, counts, moved)))
            digests: dict[str, str] = {}
            for table in tables:
                out.write(_line({"table": table.name, "rows": counts[table.name]}))
                digest, rows = hashlib.sha256(), 0
                query = rows_query(table)
                async for record in connection.cursor(query, tenant_id, prefetch=BATCH_ROWS):
                    line = record[0].encode() + b"\n"
                    out.write(line)
                    digest.update(line)
                    rows += 1
                digests[table.name] = digest.hexdigest()
                moved.rows[table.name] = rows
                progress(table.name, rows)
            out.write(_line({"end": True, "rows": moved.total, "sha256": digests}))
    moved.bytes = counted.bytes
    return moved


def _header(
    revisions: list[str],
    tenant: asyncpg.Record,
    tables: list[TenantTable],
    counts: dict[str, int],
    moved: Moved,
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "revisions": revisions,
        "tenant": {"id": str(tenant["id"]), "slug": tenant["slug"], "name": tenant["name"]},
        "exported_at": datetime.now(UTC).isoformat(),
        "tables": [
            {"name": t.name, "columns": list(t.columns), "rows": counts[t.name]} for t in tables
        ],
        "tables_left_behind": TABLES_LEFT_BEHIND,
        "unfinished_jobs_left_behind": moved.unfinished_jobs,
    }


async def _revisions(connection: asyncpg.Connection) -> list[str]:
    if await connection.fetchval("SELECT to_regclass('alembic_version')") is None:
        return []
    return sorted(r[0] for r in await connection.fetch("SELECT version_num FROM alembic_version"))


async def _unfinished_jobs(connection: asyncpg.Connection, tenant_id: uuid.UUID) -> dict[str, int]:
    if await connection.fetchval("SELECT to_regclass('procrastinate_jobs')") is None:
        return {}
    rows = await connection.fetch(_UNFINISHED_JOBS, str(tenant_id))
    return {row["task_name"]: row["jobs"] for row in rows}


@dataclass(frozen=True)
class _Section:
    name: str
    columns: list[str]
    rows: int


@dataclass(frozen=True)
class _Header:
    revisions: list[str]
    tenant_id: uuid.UUID
    slug: str
    sections: list[_Section]


def _read_header(value: Any) -> _Header:
    if not isinstance(value, dict) or value.get("format") != FORMAT:
        raise MoveError(
            "not a tenant export: its first line is not the header export-tenant writes"
        )
    if value.get("version") != FORMAT_VERSION:
        raise MoveError(
            f"the file is of format version {value.get('version')!r};"
            f" this version of chapters reads version {FORMAT_VERSION}"
        )
    try:
        sections = [
            _Section(str(t["name"]), [str(c) for c in t["columns"]], int(t["rows"]))
            for t in value["tables"]
        ]
        return _Header(
            revisions=sorted(str(r) for r in value["revisions"]),
            tenant_id=uuid.UUID(value["tenant"]["id"]),
            slug=str(value["tenant"]["slug"]),
            sections=sections,
        )
    except (KeyError, TypeError, ValueError) as error:
        raise MoveError(f"the header is damaged ({type(error).__name__}: {error})") from None


class _Lines:
    """The lines of a gzip-compressed file, each checked whole; damage is a ``MoveError``."""

    def __init__(self, source: IO[bytes]) -> None:
        self._file = gzip.GzipFile(fileobj=source, mode="rb")
        self.number = 0

    def _read(self) -> bytes:
        try:
            return self._file.readline()
        except gzip.BadGzipFile as error:
            if self.number == 0:
                raise MoveError("not a tenant export: the file is not gzip-compressed") from None
            raise MoveError(f"the file is damaged after line {self.number} ({error})") from None
        except (EOFError, OSError, zlib.error) as error:
            raise MoveError(f"the file is damaged after line {self.number} ({error})") from None

    def next(self) -> bytes:
        line = self._read()
        if not line.endswith(b"\n"):
            raise MoveError(
                f"the file ends after line {self.number}, before its end line: it is incomplete"
            )
        self.number += 1
        return line

    def json(self) -> Any:
        line = self.next()
        try:
            return json.loads(line)
        except ValueError:
            raise MoveError(f"line {self.number} is not JSON: the file is damaged") from None

    def text(self) -> str:
        line = self.next()
        try:
            return line[:-1].decode()
        except UnicodeDecodeError:
            raise MoveError(f"line {self.number} is not UTF-8: the file is damaged") from None

    def at_end(self) -> bool:
        return self._read() == b""


async def import_tenant(
    connection: asyncpg.Connection,
    source: IO[bytes],
    progress: Progress,
    *,
    as_slug: str | None = None,
) -> Moved:
    """Read a file ``export_tenant`` wrote into this database, in one transaction, under the
    file's slug or ``as_slug``; refused (nothing written) when the migration revisions differ,
    when the tenant's id or slug is taken here, or when the file is damaged."""
    lines = _Lines(source)
    header = _read_header(lines.json())
    slug = as_slug or header.slug
    if as_slug is not None and validate_slug(as_slug):
        raise MoveError(f"--as-slug {as_slug!r}: use lowercase letters, digits and dashes")
    revisions = await _revisions(connection)
    if revisions != header.revisions:
        raise MoveError(
            f"the file was exported at migration revision {', '.join(header.revisions) or 'none'},"
            f" this database is at {', '.join(revisions) or 'none'}:"
            " bring both to the same revision (chapters migrate) first"
        )
    plan = await move_plan(connection)
    _check_tables(plan, header.sections)
    await _check_free(connection, header.tenant_id, slug)
    moved = Moved(header.tenant_id, slug)
    digests: dict[str, str] = {}
    async with connection.transaction():
        await connection.fetchval(_SESSION, str(header.tenant_id))
        tenant_line = ""
        for table, section in zip(plan, header.sections, strict=True):
            marker = lines.json()
            if marker != {"table": table.name, "rows": section.rows}:
                raise MoveError(
                    f"line {lines.number}: the rows of {table.name} were expected; the file is damaged"
                )
            digest = hashlib.sha256()
            if table.name == TENANT_DIRECTORY:
                tenant_line = await _insert_tenant(connection, lines, table, header, slug, digest)
            else:
                await _insert_rows(connection, lines, table, section.rows, header.tenant_id, digest)
            digests[table.name] = digest.hexdigest()
            moved.rows[table.name] = section.rows
            progress(table.name, section.rows)
        end = lines.json()
        if not isinstance(end, dict) or end.get("end") is not True:
            raise MoveError(f"line {lines.number} is not the end line: the file is damaged")
        if end.get("sha256") != digests or end.get("rows") != moved.total:
            raise MoveError(
                "the rows differ from the digests of the file's end line: it is damaged"
            )
        if not lines.at_end():
            raise MoveError(f"the file goes on after its end line (line {lines.number})")
        await _verify(connection, plan, header.tenant_id, digests, tenant_line, slug)
        if slug != header.slug:
            moved.former_slug = header.slug
            moved.clients_named_by_former_slug = await connection.fetchval(
                "SELECT count(*) FROM api_clients"
                " WHERE tenant_id = $1 AND revoked_at IS NULL AND starts_with(client_id, $2)",
                header.tenant_id,
                header.slug + ".",
            )
    return moved


def _check_tables(plan: list[TenantTable], sections: list[_Section]) -> None:
    """The file holds the tables this database moves, in the same order with the same
    columns (so it must, at the same revision; this tells which differs if not)."""
    here = [(table.name, list(table.columns)) for table in plan]
    there = [(section.name, section.columns) for section in sections]
    if here == there:
        return
    for (name, columns), (file_name, file_columns) in zip(here, there, strict=False):
        if name != file_name:
            raise MoveError(
                f"the file's tables differ from this database's: {file_name} where {name} is expected"
            )
        if columns != file_columns:
            raise MoveError(f"the columns of {name} differ between the file and this database")
    raise MoveError(f"the file has {len(there)} tables, this database moves {len(here)}")


async def _check_free(connection: asyncpg.Connection, tenant_id: uuid.UUID, slug: str) -> None:
    taken = await connection.fetchrow(
        "SELECT id, slug FROM tenants WHERE id = $1 OR slug = $2 ORDER BY id = $1 DESC LIMIT 1",
        tenant_id,
        slug,
    )
    if taken is None:
        return
    if taken["id"] == tenant_id:
        raise MoveError(
            f"tenant {tenant_id} is already in this database (as {taken['slug']!r}): ids are"
            " kept as they are, so a tenant is imported once per database (--as-slug gives it"
            " another slug, not other ids)"
        )
    raise MoveError(f"this database already has a tenant {slug!r}: choose another with --as-slug")


async def _insert_tenant(
    connection: asyncpg.Connection,
    lines: _Lines,
    table: TenantTable,
    header: _Header,
    slug: str,
    digest: Any,
) -> str:
    text = lines.text()
    digest.update(text.encode() + b"\n")
    try:
        values = json.loads(text)
        named = dict(zip(table.columns, values, strict=True))
    except ValueError:
        raise MoveError(f"line {lines.number}: the tenant's row is damaged") from None
    if named.get("id") != str(header.tenant_id):
        raise MoveError(f"line {lines.number}: the tenant's row is not the header's tenant")
    try:
        await connection.execute(_insert_query(table, {"slug": "$2"}), f"[{text}]", slug)
    except asyncpg.UniqueViolationError:
        raise MoveError(f"tenant {slug!r} was created here meanwhile: nothing imported") from None
    except asyncpg.PostgresError as error:
        raise MoveError(f"tenants: the database refused the tenant's row: {error}") from None
    return text


async def _insert_rows(
    connection: asyncpg.Connection,
    lines: _Lines,
    table: TenantTable,
    rows: int,
    tenant_id: uuid.UUID,
    digest: Any,
) -> None:
    query = _insert_query(table)
    try:
        if table.name in WRITTEN_BY_TRIGGERS:  # what the import's own inserts made them write
            await connection.execute(
                f"DELETE FROM {quote(table.name)} WHERE {TENANT_COLUMN} = $1", tenant_id
            )
        batch: list[str] = []
        size = 0
        for _ in range(rows):
            text = lines.text()
            digest.update(text.encode() + b"\n")
            batch.append(text)
            size += len(text)
            if len(batch) == BATCH_ROWS or size >= BATCH_BYTES:
                await connection.execute(query, "[" + ",".join(batch) + "]")
                batch, size = [], 0
        if batch:
            await connection.execute(query, "[" + ",".join(batch) + "]")
    except asyncpg.InsufficientPrivilegeError:
        raise MoveError(
            f"{table.name}: a row names another tenant than the file's (refused by row-level"
            " security): nothing imported"
        ) from None
    except asyncpg.PostgresError as error:
        raise MoveError(
            f"{table.name}: the database refused a row ({error}): nothing imported"
        ) from None


async def _verify(
    connection: asyncpg.Connection,
    plan: list[TenantTable],
    tenant_id: uuid.UUID,
    digests: dict[str, str],
    tenant_line: str,
    slug: str,
) -> None:
    """Read every imported row back as the export reads rows: the same bytes, or no commit
    (the tenant's row: the file's, with its new slug)."""
    for table in plan:
        if table.name == TENANT_DIRECTORY:
            expected = json.loads(tenant_line)
            expected[table.columns.index("slug")] = slug
            read_back = await connection.fetch(rows_query(table), tenant_id)
            if [json.loads(record[0]) for record in read_back] != [expected]:
                raise MoveError("the tenant's row reads back differently: nothing imported")
            continue
        digest = hashlib.sha256()
        async for record in connection.cursor(rows_query(table), tenant_id, prefetch=BATCH_ROWS):
            digest.update(record[0].encode() + b"\n")
        if digest.hexdigest() != digests[table.name]:
            raise MoveError(
                f"{table.name}: the imported rows read back differently: nothing imported"
            )
