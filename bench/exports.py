"""Benchmark: an activities export, rows per second and memory, through the export service.

    python -m bench.exports --rows 1000000 [--format csv|xlsx] [--scratch-database]

Loads ``--rows`` activities (20 chapters; a tenth co-hosted, a tenth with a sponsor, every
one with two tags) into a new tenant of the database DATABASE_URL names (bootstrapped and
migrated first, as ``chapters migrate`` does; with ``--scratch-database``, a throwaway
database on TEST_DATABASE_URL or the embedded server instead), exports them with
``exports.service`` as the app role does (CSV: PostgreSQL's COPY, streamed; XLSX: a
server-side cursor into a write-only workbook), the bytes counted and dropped (no network),
then deletes the tenant. Prints one line: rows/s, the bytes written, and this process's
resident memory when a tenth of the rows were written and at the end, and its peak (the
workbook's temporary files are on disk, not counted).

Measured on the 2-core development machine (PostgreSQL on the same cores), 1,000,000
activities: CSV 97,000-132,000 rows/s (70,000 while other jobs kept the load average near
4), RSS flat at 76-77 MiB (peak 78 MiB). The bound is PostgreSQL's side of the COPY (the
joins, the sort and making the cells' text); the Python process mostly waits. XLSX: ~5,000 rows/s (200,000 rows), RSS flat at 84 MiB; the bound is
openpyxl, ~10 µs a cell.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import time
import uuid
from contextlib import nullcontext

from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from chapters.auth.operator import operator_principal
from chapters.db import migrations
from chapters.db.admin import (
    DatabaseUrls,
    bootstrap_database,
    resolve_urls,
    scratch_database,
    scratch_server_url,
)
from chapters.db.session import create_engine, open_tenant_session, tenant_sessionmaker
from chapters.exports.service import ExportRun, prepare_export
from chapters.settings import Settings, load_settings
from chapters.tenants.admin import ensure_tenant

CHAPTERS = 20

LOAD = [
    """INSERT INTO chapters (tenant_id, id, name, slug, timezone, status)
       SELECT :tenant, gen_random_uuid(), 'Chapter ' || i, 'chapter-' || i, 'Asia/Shanghai',
              'active'
       FROM generate_series(1, 20) AS i""",
    """INSERT INTO organisations (tenant_id, id, name, kind)
       SELECT :tenant, gen_random_uuid(), 'Sponsor ' || i, 'company'
       FROM generate_series(1, 50) AS i""",
    """INSERT INTO activities (tenant_id, id, chapter_id, kind, status, title, starts_at,
                               ends_at, timezone, venue, actual_attendance, tags)
       SELECT :tenant, gen_random_uuid(), c.ids[1 + i % 20],
              (ARRAY['offline_meetup', 'talk', 'online_meetup'])[1 + i % 3],
              (ARRAY['accepted', 'submitted', 'draft', 'accepted'])[1 + i % 4],
              'Meetup #' || i || ': eBPF, "observability" and more',
              timestamptz '2016-01-01 00:00Z' + i * interval '3 minutes',
              timestamptz '2016-01-01 02:00Z' + i * interval '3 minutes',
              'Asia/Shanghai', 'Innovation Hub ' || i % 50, i % 200,
              ARRAY['kubernetes', 'ebpf']::varchar[]
       FROM generate_series(1, :rows) AS i,
            (SELECT array_agg(id ORDER BY slug) AS ids FROM chapters
             WHERE tenant_id = :tenant) AS c""",
    """INSERT INTO activity_co_hosts (tenant_id, id, activity_id, chapter_id)
       SELECT :tenant, gen_random_uuid(), a.id,
              c.ids[1 + abs(hashtext(a.id::text)) % 20]
       FROM activities AS a,
            (SELECT array_agg(id) AS ids FROM chapters WHERE tenant_id = :tenant) AS c
       WHERE a.tenant_id = :tenant AND abs(hashtext(a.id::text)) % 10 = 0
         AND a.chapter_id <> c.ids[1 + abs(hashtext(a.id::text)) % 20]""",
    """INSERT INTO activity_organisations (tenant_id, id, activity_id, organisation_id, role)
       SELECT :tenant, gen_random_uuid(), a.id, o.ids[1 + abs(hashtext(a.title)) % 50],
              'sponsor'
       FROM activities AS a,
            (SELECT array_agg(id) AS ids FROM organisations WHERE tenant_id = :tenant) AS o
       WHERE a.tenant_id = :tenant AND abs(hashtext(a.title)) % 10 = 1""",
]
ANALYZE = ["chapters", "organisations", "activities", "activity_co_hosts", "activity_organisations"]


def _rss_mb() -> float:
    try:
        import psutil

        return float(psutil.Process().memory_info().rss) / 2**20
    except ImportError:
        with open("/proc/self/status") as status:
            line = next(line for line in status if line.startswith("VmRSS:"))
        return int(line.split()[1]) / 1024


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


async def _as_tenant(engine: AsyncEngine, tenant_id: uuid.UUID, statements: list[str], **values):
    async with engine.begin() as connection:
        await connection.execute(
            text("SELECT set_config('app.tenant_id', :tenant, true)"), {"tenant": str(tenant_id)}
        )
        for statement in statements:
            await connection.execute(text(statement), {"tenant": tenant_id, **values})


async def _load(owner: AsyncEngine, rows: int) -> uuid.UUID:
    slug = f"bench-exports-{uuid.uuid4().hex[:8]}"
    tenant_id, _ = await ensure_tenant(owner, slug=slug, name="Exports benchmark")
    started = time.perf_counter()
    await _as_tenant(owner, tenant_id, LOAD, rows=rows)
    async with owner.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        for table in ANALYZE:
            await connection.execute(text(f"ANALYZE {table}"))
    print(
        f"==> {rows:,} activities loaded into tenant {slug} in "
        f"{time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )
    return tenant_id


async def _export(app: AsyncEngine, tenant_id: uuid.UUID, rows: int, format_name: str) -> str:
    principal = operator_principal(tenant_id)
    samples: list[float] = []

    def progress(written: int) -> None:
        if not samples and written >= rows // 10:
            samples.append(_rss_mb())

    async with open_tenant_session(tenant_sessionmaker(app), tenant_id) as session:
        export = await prepare_export(session, principal, tenant_id, "activities", format_name, {})
        run = ExportRun(session, principal, export, progress=progress)
        size = 0
        started = time.perf_counter()
        async for chunk in run.chunks():
            size += len(chunk)
        elapsed = time.perf_counter() - started
        await session.rollback()  # the audit entry goes with the tenant
    early = samples[0] if samples else float("nan")
    return (
        f"{format_name} export: {run.rows:,} rows in {elapsed:.1f} s = "
        f"{run.rows / elapsed:,.0f} rows/s, {size / 2**20:,.0f} MiB written; RSS "
        f"{early:.0f} MiB at 10 % -> {_rss_mb():.0f} MiB at the end, peak {_peak_rss_mb():.0f} MiB"
    )


async def _run(
    urls: DatabaseUrls, settings: Settings, rows: int, format_name: str, *, clean_up: bool
) -> None:
    owner = create_async_engine(urls.owner, poolclass=NullPool)
    app = create_engine(urls.app, settings)  # the app role, its pool and timeouts
    tenant_id = await _load(owner, rows)
    try:
        print(await _export(app, tenant_id, rows, format_name))
    finally:
        if clean_up:  # (a scratch database is dropped whole)
            await _as_tenant(owner, tenant_id, ["DELETE FROM tenants WHERE id = :tenant"])
        await owner.dispose()
        await app.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    parser.add_argument(
        "--scratch-database",
        action="store_true",
        help="a throwaway database on TEST_DATABASE_URL (or the embedded server)",
    )
    args = parser.parse_args()
    settings = load_settings()
    if args.scratch_database:
        place = scratch_database(scratch_server_url(settings), settings, "chapters_bench")
    else:
        urls = resolve_urls(settings)
        asyncio.run(bootstrap_database(urls, settings))
        migrations.migrate(urls.owner, settings)
        place = nullcontext(urls)
    with place as urls:
        print(f"==> database {make_url(urls.admin).database}", file=sys.stderr)
        asyncio.run(
            _run(urls, settings, args.rows, args.format, clean_up=not args.scratch_database)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
