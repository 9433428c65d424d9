"""Investigation aid for the insight benchmark: EXPLAIN one of the insight statements on
tenant 1 with the parameters the service binds, as the app role, optionally from a scratch
copy of the SQL (a module exposing the same names as ``chapters.insight.evidence``).

    python -m bench.insight_probe --database-url URL health-people [--analyze] [--sql MODULE]
    python -m bench.insight_probe --database-url URL time [--sql MODULE]   # every statement

Statements: health-people, health-activities, health-standing, metrics-people,
metrics-activities, cohorts, funnel.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import importlib
import os
import sys
import time
from datetime import date, timedelta
from typing import Any

from sqlalchemy import text

from bench import insight_data
from chapters.db.admin import resolve_urls
from chapters.db.session import create_engine, open_tenant_session, tenant_sessionmaker
from chapters.insight import periods, service
from chapters.insight.figures import Granularity
from chapters.settings import load_settings
from chapters.tenants.service import recap_overdue_days


async def service_statements(session: Any, sql: Any) -> dict[str, tuple[str, dict[str, Any]]]:
    """(SQL, parameters) of each statement, built as ``service`` builds them."""
    tenant = insight_data.tenant_id(1)
    basis = await service.basis_of(session, tenant)
    rules, now = basis.rules, basis.now
    chapters = list(
        (
            await session.execute(text("SELECT id FROM chapters WHERE status <> 'archived'"))
        ).scalars()
    )
    quarter = periods.quarter("2026-Q2")
    health = service._params(
        tenant, rules, [periods.previous(quarter), quarter], now, chapters=chapters
    )
    standing = {
        **health,
        "as_of": min(now, service._moment(quarter.ends_on)),
        "first": service._moment(quarter.starts_on),
        "last": service._moment(quarter.ends_on),
        "recap_cutoff": now - timedelta(days=recap_overdue_days(basis.tenant)),
    }
    span = periods.days(date(2023, 12, 1), date(2026, 12, 1))
    metrics = service._params(tenant, rules, periods.series(span, Granularity.MONTH), now)
    cohort_spans = service._last_periods(now.date(), Granularity.QUARTER, 12)
    cohorts = service._params(tenant, rules, cohort_spans, now, cohorts=12)
    funnel = service._params(
        tenant,
        rules,
        [quarter, periods.following(quarter)],
        now,
        period_end=service._moment(quarter.ends_on),
    )
    # read through the rollup, with nobody stale (what the service sends once it is built)
    health_rolled = {**health, "live": [], "last_month": health["bounds"][-2]}
    metrics_rolled = {**metrics, "live": [], "last_month": metrics["bounds"][-2]}
    return {
        "health-people": (sql.people_figures(True, segmented=False), health),
        "health-people-rollup": (sql.CHAPTER_ROLLUP, health_rolled),
        "health-activities": (sql.CHAPTER_ACTIVITIES, health),
        "health-standing": (sql.CHAPTER_STANDING, standing),
        "metrics-activities": (sql.TENANT_ACTIVITIES, metrics),
        "metrics-people": (sql.people_figures(False, segmented=False), metrics),
        "metrics-people-rollup": (sql.TENANT_MONTHS, metrics_rolled),
        "cohorts": (sql.COHORTS, cohorts),
        "funnel": (sql.FUNNEL, funnel),
    }


async def _run(args: argparse.Namespace) -> int:
    settings = dataclasses.replace(
        load_settings(), database_statement_timeout_ms=args.timeout * 1000
    )
    urls = resolve_urls(settings, admin_url=args.database_url)
    engine = create_engine(urls.app, settings)
    sql = importlib.import_module(args.sql)
    tenant = insight_data.tenant_id(1)
    sessionmaker = tenant_sessionmaker(engine)
    try:
        async with open_tenant_session(sessionmaker, tenant) as session, session.begin():
            statements = await service_statements(session, sql)
            reference = await service_statements(session, importlib.import_module(args.compare))
            names = list(statements) if args.statement == "time" else [args.statement]
            if args.only:
                names = [n for n in names if n in args.only]
            for name in names:
                statement, params = statements[name]
                if args.statement == "time":
                    best = []
                    for _ in range(args.repeat):
                        started = time.perf_counter()
                        rows = (await session.execute(text(statement), params)).all()
                        best.append((time.perf_counter() - started) * 1000)
                        if args.verbose:
                            print(f"  run {len(best)}: {best[-1]:.0f} ms", flush=True)
                    same = ""
                    if args.sql != args.compare:
                        ref_sql, ref_params = reference[name]
                        expected = (await session.execute(text(ref_sql), ref_params)).all()
                        same = (
                            ", same rows"
                            if sorted(map(tuple, rows), key=repr)
                            == sorted(map(tuple, expected), key=repr)
                            else ", ROWS DIFFER from " + args.compare
                        )
                    print(
                        f"{name}: {min(best):.0f} ms (min of {args.repeat}), {len(rows)} rows{same}",
                        flush=True,
                    )
                    continue
                options = "ANALYZE, BUFFERS" if args.analyze else "COSTS"
                rows = await session.execute(text(f"EXPLAIN ({options}) " + statement), params)
                print("\n".join(r[0] for r in rows))
    finally:
        await engine.dispose()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.insight_probe")
    parser.add_argument("statement")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--only", action="append", help="time only these statements")
    parser.add_argument("--verbose", action="store_true", help="print every run's time")
    parser.add_argument("--analyze", action="store_true")
    parser.add_argument("--sql", default="chapters.insight.evidence")
    parser.add_argument("--compare", default="chapters.insight.evidence", help="check rows against")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--timeout", type=int, default=120, help="statement timeout, s")
    return asyncio.run(_run(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
