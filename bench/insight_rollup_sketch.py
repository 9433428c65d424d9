"""Sketch of the rollup issue 12's targets need, measured on the insight benchmark's tenant 1:
the evidence summarised once per person and month, then read per request.

    python -m bench.insight_rollup_sketch --database-url postgresql://postgres@127.0.0.1:55432/chapters_insight

Not the service: scratch tables (``scratch_*``, tenant 1 alone, the default rules: inactive
after 90 days, code counts) built from the service's own SQL (``chapters.insight.evidence``),
read as the superuser (they have no grants or policies).
What it shows, with the figures checked against the service's statement:

1. ``MOVES`` computed over *all* evidence (no ``as_of``), then filtered by ``at < as_of`` at
   read time, gives exactly the moves the service computes for any ``as_of``: a move before
   ``as_of`` depends only on the evidence before it. So the moves can be kept as the evidence
   is written, whatever period is asked later.
2. The active (person, month) pairs likewise, each with the first moment of evidence in the
   month (``first_at < as_of`` at read time).
3. One row per (person, month) with the month's first evidence, the next month's, and its
   first reactivation and inactivity moves answers the tenant's monthly active / stayed /
   reactivated / inactive counts with one scan.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import time

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bench import insight_data
from bench.insight_probe import service_statements
from chapters.db.admin import resolve_urls
from chapters.db.session import create_engine, open_tenant_session, tenant_sessionmaker
from chapters.insight import evidence
from chapters.settings import load_settings

_ALL_TIME = "'infinity'::timestamptz"


def _build_statements(tenant: str) -> list[str]:
    every = (
        evidence.EVIDENCE.replace(":as_of", _ALL_TIME)
        .replace(":tenant", f"'{tenant}'::uuid")
        .replace(":code_counts", "true")
    )
    moves = evidence.MOVES.replace(":inactive", "interval '90 days'").replace(":as_of", _ALL_TIME)
    month = "date_trunc('month', {} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'"
    return [
        "DROP TABLE IF EXISTS scratch_moves, scratch_months, scratch_person_months",
        f"CREATE TABLE scratch_moves AS WITH {every}, {moves} SELECT person_id, at, move FROM moves",
        f"""CREATE TABLE scratch_months AS WITH {every}
        SELECT person_id, month, min(first_at) AS first_at FROM (
          SELECT person_id, {month.format("started")} AS month, started AS first_at
          FROM evidence WHERE ended = started
          UNION ALL
          SELECT person_id, m AT TIME ZONE 'UTC', greatest(started, m AT TIME ZONE 'UTC')
          FROM evidence, generate_series(
            date_trunc('month', started AT TIME ZONE 'UTC'),
            date_trunc('month', least(ended, now() + interval '1 year') AT TIME ZONE 'UTC'),
            interval '1 month') m
          WHERE ended > started
        ) spans GROUP BY person_id, month""",
        f"""CREATE TABLE scratch_person_months AS
        WITH moved AS (
          SELECT person_id, {month.format("at")} AS month,
                 min(at) FILTER (WHERE move = 'reactivated') AS reactivated_at,
                 min(at) FILTER (WHERE move = 'inactive') AS inactive_at
          FROM scratch_moves WHERE move IN ('reactivated', 'inactive') AND at < 'infinity'
          GROUP BY 1, 2
        )
        SELECT coalesce(m.person_id, v.person_id) AS person_id,
               coalesce(m.month, v.month) AS month, m.first_at, n.first_at AS next_first_at,
               v.reactivated_at, v.inactive_at
        FROM scratch_months m
        FULL JOIN moved v ON v.person_id = m.person_id AND v.month = m.month
        LEFT JOIN scratch_months n
          ON n.person_id = m.person_id AND n.month = m.month + interval '1 month'""",
        "CREATE INDEX ON scratch_person_months (month)",
        "ANALYZE scratch_moves",
        "ANALYZE scratch_months",
        "ANALYZE scratch_person_months",
    ]


MONTHLY = text(
    """SELECT month,
      count(*) FILTER (WHERE first_at < :as_of) AS active,
      count(*) FILTER (WHERE next_first_at < :as_of) AS stayed,
      count(*) FILTER (WHERE reactivated_at < :as_of) AS reactivated
    FROM scratch_person_months WHERE month >= :first AND month < :last
    GROUP BY month ORDER BY month"""
)


async def _run(database_url: str, repeat: int) -> None:
    tenant = str(insight_data.tenant_id(1))
    admin = create_async_engine(database_url)
    try:
        async with admin.begin() as connection:
            started = time.perf_counter()
            for statement in _build_statements(tenant):
                await connection.execute(text(statement))
            built = (time.perf_counter() - started) * 1000
            rows = await connection.scalar(text("SELECT count(*) FROM scratch_person_months"))
        print(f"built in {built:.0f} ms: {rows} (person, month) rows")
        settings = load_settings()
        urls = resolve_urls(settings, admin_url=database_url)
        engine = create_engine(urls.admin, settings)
        sessions = tenant_sessionmaker(engine)
        async with open_tenant_session(sessions, insight_data.tenant_id(1)) as session:
            statements = await service_statements(
                session, importlib.import_module(evidence.__name__)
            )
            statement, params = statements["metrics-people"]
            started = time.perf_counter()
            expected = (await session.execute(text(statement), params)).all()
            service_ms = (time.perf_counter() - started) * 1000
            times, got = [], []
            for _ in range(repeat):
                started = time.perf_counter()
                got = (await session.execute(MONTHLY, params)).all()
                times.append((time.perf_counter() - started) * 1000)
        await engine.dispose()
        by_bucket = {row.bucket: row for row in expected}
        same = all(
            (row.active, row.stayed, row.reactivated)
            == (
                by_bucket[index].active,
                by_bucket[index].stayed,
                by_bucket[index].reactivated,
            )
            for index, row in enumerate(got, start=1)
        ) and len(got) == len(expected)
        print(
            f"monthly active/stayed/reactivated over {len(got)} months: service statement "
            f"{service_ms:.0f} ms, from the rollup {min(times):.0f} ms (min of {repeat}); "
            + ("same figures" if same else "FIGURES DIFFER")
        )
    finally:
        await admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.insight_rollup_sketch")
    parser.add_argument("--database-url", required=True, help="superuser URL (scratch tables)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(_run(args.database_url, args.repeat))


if __name__ == "__main__":
    main()
