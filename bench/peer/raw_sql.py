"""Raw-SQL floor for Q1-Q3 on the Chapters schema: one hand-written statement per scenario
through an asyncpg pool, as the app role chapters_app with row-level security on, no HTTP, no
GraphQL. A request = what both servers must do at least under RLS: BEGIN; set_config(
'app.tenant_id', <tenant>, true); <the statement>; COMMIT (4 round trips). Q1 is one statement
in which PostgreSQL builds the whole JSON document (PostGraphile's strategy); Q2 one join; Q3
one primary-key lookup. Closed loop: CONCURRENCY workers, each sending its next request as soon
as the previous one is answered; random chapters/tenants/statuses as in wrk/requests.lua.

usage: .venv/bin/python -m bench.peer.raw_sql --query q1|q2|q3 [--concurrency 32] [--pool 16]
          [--duration 15] [--warmup 3] [--inputs FILE] [--dsn ...] [--json-out F]
Prints one line "RAWJSON {...}".
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import time
from pathlib import Path

import asyncpg
import uvloop

from bench.peer import config

DSN = config.APP_DSN
STATUSES = config.STATUSES
SET_TENANT = "SELECT set_config('app.tenant_id', $1, true)"

SQL_Q1 = """
SELECT json_build_object(
  'id', c.id, 'name', c.name,
  'members', (
    SELECT coalesce(json_agg(json_build_object('role', x.role, 'displayName', x.display_name)
                             ORDER BY x.created_at, x.id), '[]')
    FROM (SELECT m.id, m.role, m.created_at, p.display_name
          FROM chapter_memberships m
          JOIN people p ON p.tenant_id = m.tenant_id AND p.id = m.person_id
          WHERE m.tenant_id = c.tenant_id AND m.chapter_id = c.id AND m.status = 'active'
          ORDER BY m.created_at, m.id
          LIMIT 20) x),
  'activities', (
    SELECT coalesce(json_agg(json_build_object(
             'id', y.id, 'title', y.title, 'kind', y.kind, 'status', y.status,
             'startsAt', y.starts_at, 'venue', y.venue, 'organisations', y.orgs)
             ORDER BY y.starts_at DESC, y.id DESC), '[]')
    FROM (SELECT a.id, a.title, a.kind, a.status, a.starts_at, a.venue,
                 (SELECT coalesce(json_agg(json_build_object('role', ao.role, 'name', o.name)
                                           ORDER BY o.name, ao.role, ao.id), '[]')
                  FROM activity_organisations ao
                  JOIN organisations o ON o.tenant_id = ao.tenant_id AND o.id = ao.organisation_id
                  WHERE ao.tenant_id = a.tenant_id AND ao.activity_id = a.id) AS orgs
          FROM activities a
          WHERE a.tenant_id = c.tenant_id AND a.chapter_id = c.id
          ORDER BY a.starts_at DESC, a.id DESC
          LIMIT 20) y)
)::text
FROM chapters c
WHERE c.tenant_id = $1 AND c.slug = $2
"""

SQL_Q2 = """
SELECT a.id, a.title, a.kind, a.status, a.starts_at, c.name AS chapter_name
FROM activities a
LEFT JOIN chapters c ON c.tenant_id = a.tenant_id AND c.id = a.chapter_id
WHERE a.tenant_id = $1 AND a.status = $2
ORDER BY a.starts_at DESC, a.id DESC
LIMIT 50
"""

SQL_Q3 = "SELECT id, name, slug, city, created_at FROM chapters WHERE tenant_id = $1 AND id = $2"


def load_inputs(path):
    return [line.split("\t") for line in Path(path).read_text().splitlines()]


async def run_one(conn, kind, row, status):
    _tslug, tid, cslug, cid, _gid, _token = row
    async with conn.transaction():
        await conn.execute(SET_TENANT, tid)
        if kind == "q1":
            return json.loads(await conn.fetchval(SQL_Q1, tid, cslug))
        if kind == "q2":
            return await conn.fetch(SQL_Q2, tid, status)
        return await conn.fetchrow(SQL_Q3, tid, cid)


def check(kind, r):
    if kind == "q1":
        assert len(r["members"]) == 20 and len(r["activities"]) == 20, r
    elif kind == "q2":
        assert len(r) == 50
    else:
        assert r is not None


async def run(a):
    rows = load_inputs(a.inputs)
    pool = await asyncpg.create_pool(a.dsn, min_size=a.pool, max_size=a.pool)
    lat, errors = [], 0
    t_start = time.perf_counter() + a.warmup
    t_end = t_start + a.duration

    async def worker(i):
        nonlocal errors
        rnd = random.Random(1000 + i)
        while True:
            t0 = time.perf_counter()
            if t0 >= t_end:
                return
            try:
                async with pool.acquire() as conn:
                    check(
                        a.query,
                        await run_one(conn, a.query, rnd.choice(rows), rnd.choice(STATUSES)),
                    )
            except Exception:
                errors += 1
                continue
            t1 = time.perf_counter()
            if t0 >= t_start and t1 <= t_end:
                lat.append(t1 - t0)

    await asyncio.gather(*(worker(i) for i in range(a.concurrency)))
    await pool.close()
    return lat, errors


def pct(v, p):
    return v[min(len(v) - 1, max(0, round(p / 100 * len(v)) - 1))] if v else float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--query", choices=["q1", "q2", "q3"], required=True)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--pool", type=int, default=16)
    ap.add_argument("--duration", type=float, default=15)
    ap.add_argument("--warmup", type=float, default=3)
    ap.add_argument("--inputs", default=str(config.INPUTS))
    ap.add_argument("--dsn", default=DSN)
    ap.add_argument("--json-out")
    a = ap.parse_args()
    uvloop.install()
    lat, errors = asyncio.run(run(a))
    lat.sort()
    res = {
        "query": a.query,
        "concurrency": a.concurrency,
        "pool": a.pool,
        "requests": len(lat),
        "duration_s": a.duration,
        "rps": round(len(lat) / a.duration, 1),
        "p50_ms": round(pct(lat, 50) * 1000, 3),
        "p90_ms": round(pct(lat, 90) * 1000, 3),
        "p99_ms": round(pct(lat, 99) * 1000, 3),
        "mean_ms": round(statistics.fmean(lat) * 1000, 3) if lat else None,
        "errors": errors,
    }
    print("RAWJSON " + json.dumps(res), flush=True)
    if a.json_out:
        Path(a.json_out).write_text(json.dumps(res))


if __name__ == "__main__":
    main()
