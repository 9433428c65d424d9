"""Benchmark: community insight on a large tenant (issue 12's performance targets).

    bench/peer/pg.sh start        # a throwaway PostgreSQL on 127.0.0.1:55432
    python -m bench.insight --database-url postgresql://postgres@127.0.0.1:55432/chapters_insight

Creates and migrates the database when needed, loads ``--tenants`` tenants of the same size
(``bench.insight_data``; tenants already loaded are kept, ``--reload`` starts again), then
times the insight use cases on tenant 1, as the app role (row-level security binding it),
each call in a fresh tenant-bound transaction as a request has: ``chapterHealth`` for
2026-Q2, ``communityMetrics`` monthly from 2023-12 to 2026-11, and as extra lines the
quarterly retention cohorts (12) and the 2026-Q2 funnel. Prints p50 / p95 and the SQL
statements per call; ``--explain`` adds EXPLAIN (ANALYZE, BUFFERS) of each call's slowest
statement.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import asyncpg
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bench import insight_data
from chapters.auth.operator import operator_principal
from chapters.db import pagination
from chapters.db.admin import DatabaseUrls, bootstrap_database, plain_dsn, resolve_urls
from chapters.db.migrations import migrate
from chapters.db.pagination import PageArgs
from chapters.db.session import create_engine, open_tenant_session, tenant_sessionmaker
from chapters.insight import periods, rollup, service
from chapters.insight.figures import Granularity
from chapters.insight.rules import DEFAULT_RULES
from chapters.settings import Settings, load_settings

Call = Callable[[AsyncSession, uuid.UUID], Awaitable[Any]]


async def _health(session: AsyncSession, tenant: uuid.UUID) -> Any:
    return await service.chapter_health(
        session,
        operator_principal(tenant),
        tenant,
        periods.quarter("2026-Q2"),
        service.ChapterFilter(),
        PageArgs(first=20),
    )


async def _metrics(session: AsyncSession, tenant: uuid.UUID) -> Any:
    span = periods.days(date(2023, 12, 1), date(2026, 12, 1))
    return await service.community_metrics(
        session, operator_principal(tenant), tenant, span, Granularity.MONTH
    )


async def _cohorts(session: AsyncSession, tenant: uuid.UUID) -> Any:
    return await service.retention_cohorts(
        session, operator_principal(tenant), tenant, Granularity.QUARTER, 12
    )


async def _funnel(session: AsyncSession, tenant: uuid.UUID) -> Any:
    return await service.funnel(
        session, operator_principal(tenant), tenant, periods.quarter("2026-Q2")
    )


CALLS: dict[str, Call] = {
    "chapterHealth 2026-Q2 (20 chapters)": _health,
    "communityMetrics monthly 2023-12..2026-11 (36)": _metrics,
    "retentionCohorts quarterly, 12": _cohorts,
    "funnel 2026-Q2": _funnel,
}


# --- the data --------------------------------------------------------------------------------


async def _prepare(urls: DatabaseUrls, tenants: int, reload: bool) -> None:
    settings = load_settings()
    await bootstrap_database(urls, settings)
    await asyncio.to_thread(migrate, urls.owner, settings)
    conn = await asyncpg.connect(plain_dsn(urls.admin))
    try:
        if reload:
            print("reload: removing every tenant", flush=True)
            await conn.execute("TRUNCATE tenants CASCADE")
        loaded = {
            row["id"]
            for row in await conn.fetch(
                "SELECT id FROM tenants WHERE settings->>'bench' = $1", insight_data.VERSION
            )
        }
        await conn.execute(insight_data.RND)
        changed = False
        for number in range(1, tenants + 1):
            if insight_data.tenant_id(number) in loaded:
                continue
            await _load_tenant(conn, number, tenants)
            changed = True
        if changed:
            # VACUUM as well: a database in use has its visibility map set (index-only
            # scans); and before the rollups: planned on a new tenant that has no statistics
            # yet, their statement looks up a person's periods by scanning the tenant's.
            await _vacuum(conn, "")
        if await _build_rollups(urls, settings, tenants):
            await _vacuum(conn, "insight_person_months")
        elif not changed:
            print(f"{tenants} tenants already loaded", flush=True)
    finally:
        await conn.close()


async def _vacuum(conn: asyncpg.Connection, table: str) -> None:
    started = time.perf_counter()
    await conn.execute(f"VACUUM (ANALYZE) {table}")
    print(f"VACUUM (ANALYZE) {table} {time.perf_counter() - started:.0f} s".strip(), flush=True)


async def _build_rollups(urls: DatabaseUrls, settings: Settings, tenants: int) -> bool:
    """The insight rollup of every loaded tenant that has none (the loader's writes skip the
    triggers that would mark its people stale), as the worker's refresh builds it."""
    engine = create_engine(urls.admin, settings)
    built = False
    try:
        async with engine.connect() as conn:
            have = set(
                (await conn.execute(text("SELECT tenant_id FROM insight_rollups"))).scalars()
            )
        sessions = tenant_sessionmaker(engine)
        for number in range(1, tenants + 1):
            tenant = insight_data.tenant_id(number)
            if tenant in have:
                continue
            async with open_tenant_session(sessions, tenant) as session, session.begin():
                done = await rollup.refresh(session, tenant, DEFAULT_RULES, rebuild=True)
            built = True
            print(
                f"rollup {number}/{tenants}: {done.rows} rows in {done.seconds:.1f} s", flush=True
            )
    finally:
        await engine.dispose()
    return built


async def _load_tenant(conn: asyncpg.Connection, number: int, tenants: int) -> None:
    started = time.perf_counter()
    tenant = insight_data.tenant_id(number)
    async with conn.transaction():
        # Superuser: row-level security does not bind it, but the tenant is named all the same.
        await conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant))
        await conn.execute("SET LOCAL session_replication_role = replica")
        await conn.execute("SET LOCAL synchronous_commit = off")
        for _, sql in insight_data.STEPS:
            await conn.execute(sql.replace("$1::int", str(number)))
    print(
        f"tenant {number}/{tenants} {tenant} loaded in {time.perf_counter() - started:.1f} s",
        flush=True,
    )


# --- the measurements --------------------------------------------------------------------------


@dataclasses.dataclass
class Sent:
    statement: str
    parameters: Any
    ms: float = 0.0


class Recorder:
    """The statements ``engine`` sends, with their own duration (cursor execute to return)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.sent: list[Sent] = []
        self._started = 0.0
        event.listen(engine.sync_engine, "before_cursor_execute", self._before)
        event.listen(engine.sync_engine, "after_cursor_execute", self._after)

    def close(self, engine: AsyncEngine) -> None:
        event.remove(engine.sync_engine, "before_cursor_execute", self._before)
        event.remove(engine.sync_engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        self.sent.append(Sent(statement, parameters))
        self._started = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        self.sent[-1].ms = (time.perf_counter() - self._started) * 1000


@dataclasses.dataclass
class Result:
    name: str
    times: list[float]
    statements: int
    slowest: Sent

    def p(self, q: float) -> float:
        ordered = sorted(self.times)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def _measure(
    engine: AsyncEngine, tenant: uuid.UUID, name: str, call: Call, runs: int, warmups: int
) -> Result:
    sessionmaker = tenant_sessionmaker(engine)
    recorder = Recorder(engine)
    times: list[float] = []
    counts: list[int] = []
    slowest: Sent | None = None
    try:
        for run in range(warmups + runs):
            recorder.sent.clear()
            started = time.perf_counter()
            async with open_tenant_session(sessionmaker, tenant) as session, session.begin():
                await call(session, tenant)
            elapsed = (time.perf_counter() - started) * 1000
            if run < warmups:
                continue
            times.append(elapsed)
            counts.append(len(recorder.sent))
            heaviest = max(recorder.sent, key=lambda s: s.ms)
            if slowest is None or heaviest.ms > slowest.ms:
                slowest = heaviest
    finally:
        recorder.close(engine)
    assert slowest is not None
    if len(set(counts)) != 1:
        print(f"  {name}: statement counts varied: {sorted(set(counts))}", file=sys.stderr)
    return Result(name, times, max(counts), slowest)


async def _explain(engine: AsyncEngine, tenant: uuid.UUID, sent: Sent) -> str:
    sessionmaker = tenant_sessionmaker(engine)
    async with open_tenant_session(sessionmaker, tenant) as session, session.begin():
        conn = await session.connection()
        rows = await conn.exec_driver_sql(
            "EXPLAIN (ANALYZE, BUFFERS) " + sent.statement, sent.parameters
        )
        return "\n".join(row[0] for row in rows)


async def _run(args: argparse.Namespace) -> int:
    settings = load_settings()
    urls = resolve_urls(settings, admin_url=args.database_url)
    await _prepare(urls, args.tenants, args.reload)
    if args.load_only:
        return 0
    pagination.set_cursor_secret(os.urandom(32))  # what start-up does: the pages are signed
    # The service's own engine settings, with room for a slow statement to be measured.
    settings = dataclasses.replace(settings, database_statement_timeout_ms=args.timeout * 1000)
    engine = create_engine(urls.app, settings)
    tenant = insight_data.tenant_id(1)
    chosen = [
        name for name in CALLS if not args.only or any(o.lower() in name.lower() for o in args.only)
    ]
    results = []
    try:
        for name in chosen:
            try:
                result = await _measure(engine, tenant, name, CALLS[name], args.runs, args.warmups)
            except DBAPIError as error:  # a statement over --timeout: say so, measure the rest
                print(f"  {name}: FAILED ({str(error.orig).splitlines()[0]})", flush=True)
                continue
            results.append(result)
            print(
                f"  {name}: p50 {result.p(0.5):.0f} ms, p95 {result.p(0.95):.0f} ms, "
                f"{result.statements} statements",
                flush=True,
            )
        print()
        print(
            f"tenant 1 of {args.tenants} ({tenant}), {args.runs} runs after {args.warmups} warm-ups"
        )
        print("| call | p50 ms | p95 ms | min ms | statements | slowest statement ms |")
        print("|---|---|---|---|---|---|")
        for r in results:
            print(
                f"| {r.name} | {r.p(0.5):.0f} | {r.p(0.95):.0f} | {min(r.times):.0f} | "
                f"{r.statements} | {r.slowest.ms:.0f} |"
            )
        if args.explain:
            for r in results:
                print(f"\n=== {r.name}: slowest statement ({r.slowest.ms:.0f} ms)\n")
                print(r.slowest.statement.strip())
                print()
                print(await _explain(engine, tenant, r.slowest))
    finally:
        await engine.dispose()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.insight", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL"),
        help="superuser URL of the database to fill and measure (default: DATABASE_URL), "
        "e.g. postgresql://postgres@127.0.0.1:55432/chapters_insight",
    )
    parser.add_argument("--tenants", type=int, default=100, help="tenants of the same size (100)")
    parser.add_argument("--reload", action="store_true", help="remove every tenant and load again")
    parser.add_argument("--load-only", action="store_true", help="load, do not measure")
    parser.add_argument("--runs", type=int, default=30, help="measured calls of each (30)")
    parser.add_argument("--warmups", type=int, default=3, help="unmeasured calls first (3)")
    parser.add_argument(
        "--timeout", type=int, default=120, help="statement timeout in seconds (120)"
    )
    parser.add_argument("--only", action="append", help="measure calls whose name contains this")
    parser.add_argument(
        "--explain", action="store_true", help="EXPLAIN (ANALYZE, BUFFERS) each call's slowest"
    )
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("give --database-url or set DATABASE_URL")
    return asyncio.run(_run(args))


if __name__ == "__main__":
    sys.exit(main())
