"""SQL statements (and transactions) per request, counted by the server: pg_stat_statements
(track = top, utility statements included, so BEGIN / COMMIT / ROLLBACK count) and
pg_stat_database (xact_commit + xact_rollback), for the app role chapters_app on the database.

    .venv/bin/python -m bench.peer.count_statements --server chapters|pg --kind q1|q2|q3 [--n 200]
        [--inputs FILE] [--db chapters_perf] [--url ...] [--json-out F]

Requests are sent one at a time (random chapters / tenants / statuses, as in wrk/requests.lua).
Chapters caches tenant slugs for 60 s: one request per tenant is sent first (not counted), so the
numbers are the steady state; a slug looked up again during the count (its minute ran out) is
taken out of the steady-state figure.
The cluster's pg_stat_statements.track is set to 'top' for the count and back to 'none' after.
The extension lives in the `postgres` database only (its view is cluster-wide), so the measured
databases keep exactly the schema the project's migrations create.
Also: the statements' own execution time in the server (pg_stat_statements total_exec_time) per
request, and the client-side time per request of this sequential (unloaded) loop.
Prints "STMTJSON {...}".
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import time
import urllib.request
from pathlib import Path

from bench.peer import config

Q = config.QUERIES
FILES = config.FILES
STATUSES = config.STATUSES
PSQL = [*config.PSQL, "-At", "-F", "\t"]


def sql(db: str, query: str) -> list[list[str]]:
    out = subprocess.run(
        [*PSQL, "-d", db, "-c", query], capture_output=True, text=True, check=True
    ).stdout
    return [line.split("\t") for line in out.splitlines() if line]


def build(server: str, kind: str, row: list[str], status: str, base: str, query: str):
    tslug, tid, cslug, cid, gid, token = row
    if server == "chapters":
        url, headers = f"{base}/t/{tslug}/graphql", {"authorization": f"Bearer {token}"}
        variables = {
            "q1": {"slug": cslug, "chapterId": gid},
            "q2": {"status": status.upper()},
            "q3": {"id": gid},
        }[kind]
    else:
        url, headers = f"{base}/graphql", {"x-tenant-id": tid}
        variables = {
            "q1": {"tenantId": tid, "slug": cslug},
            "q2": {"status": status},
            "q3": {"tenantId": tid, "chapterId": cid},
        }[kind]
    body = json.dumps({"query": query, "variables": variables}).encode()
    return urllib.request.Request(
        url, data=body, headers={"content-type": "application/json", **headers}
    )


def send(req) -> None:
    with urllib.request.urlopen(req, timeout=30) as r:
        out = json.loads(r.read())
    if r.status != 200 or out.get("errors") or "data" not in out:
        raise SystemExit(f"bad response: {out}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", choices=["chapters", "pg"], required=True)
    ap.add_argument("--kind", choices=list(FILES), required=True)
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--inputs", default=str(config.INPUTS))
    ap.add_argument("--db", default=config.DB)
    ap.add_argument("--url")
    ap.add_argument("--json-out")
    a = ap.parse_args()
    base = a.url or ("http://127.0.0.1:8100" if a.server == "chapters" else "http://127.0.0.1:5679")
    suffix = "chapters" if a.server == "chapters" else "postgraphile"
    query = (Q / f"{FILES[a.kind]}.{suffix}.graphql").read_text()
    rows = [line.split("\t") for line in Path(a.inputs).read_text().splitlines()]
    rnd = random.Random(7)
    for row in {r[0]: r for r in rows}.values():  # warm the tenant-slug cache
        send(build(a.server, a.kind, row, "accepted", base, query))
    reqs = [
        build(a.server, a.kind, rnd.choice(rows), rnd.choice(STATUSES), base, query)
        for _ in range(a.n)
    ]
    sql("postgres", "ALTER SYSTEM SET pg_stat_statements.track = 'top'")
    sql("postgres", "SELECT pg_reload_conf()")
    time.sleep(11)  # idle backends flush pending pg_stat_database counters (warm-up) within 10 s
    try:
        sql("postgres", "SELECT pg_stat_statements_reset()")
        x0 = sql(
            a.db,
            f"SELECT xact_commit + xact_rollback, xact_rollback FROM pg_stat_database WHERE datname = '{a.db}'",
        )[0]
        t0 = time.monotonic()
        for req in reqs:
            send(req)
        elapsed = time.monotonic() - t0
        time.sleep(
            11
        )  # idle backends flush pg_stat_database counters within 10 s (PG 15 shared-memory stats)
        x1 = sql(
            a.db,
            f"SELECT xact_commit + xact_rollback, xact_rollback FROM pg_stat_database WHERE datname = '{a.db}'",
        )[0]
        stmts = sql(
            "postgres",
            "SELECT calls, round(total_exec_time::numeric, 3), "
            "regexp_replace(left(query, 400), '\\s+', ' ', 'g') FROM pg_stat_statements s "
            "JOIN pg_roles r ON r.oid = s.userid JOIN pg_database d ON d.oid = s.dbid "
            f"WHERE r.rolname = 'chapters_app' AND d.datname = '{a.db}' ORDER BY calls DESC",
        )
    finally:
        sql("postgres", "ALTER SYSTEM SET pg_stat_statements.track = 'none'")
        sql("postgres", "SELECT pg_reload_conf()")
    total = sum(int(c) for c, _, _ in stmts)
    # Chapters resolves the tenant slug with its own short connection when its 60-s cache entry
    # has expired: BEGIN + the lookup + ROLLBACK = 3 counted statements. Under load that is
    # <= 1 per tenant per minute, so report the steady state too.
    lookups = sum(
        int(c)
        for c, _, q in stmts
        if q.startswith("SELECT tenants.id FROM tenants WHERE tenants.slug")
    )
    exec_ms = sum(float(t) for _, t, _ in stmts)
    res = {
        "server": a.server,
        "kind": a.kind,
        "requests": a.n,
        "statements_per_request": round(total / a.n, 2),
        "tenant_slug_lookups_per_request": round(lookups / a.n, 3),
        "statements_per_request_steady": round((total - 3 * lookups) / a.n, 2),
        "transactions_per_request": round((int(x1[0]) - int(x0[0])) / a.n, 2),
        "rollbacks_per_request": round((int(x1[1]) - int(x0[1])) / a.n, 2),
        "sequential_ms_per_request": round(elapsed / a.n * 1000, 2),
        "db_exec_ms_per_request": round(exec_ms / a.n, 3),
        "statements": [
            {
                "calls_per_request": round(int(c) / a.n, 2),
                "exec_ms_per_call": round(float(t) / int(c), 3),
                "query": q,
            }
            for c, t, q in stmts
        ],
    }
    print("STMTJSON " + json.dumps(res))
    if a.json_out:
        Path(a.json_out).write_text(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
