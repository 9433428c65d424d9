"""Both servers must return the same rows for Q1-Q3 on the Chapters schema.

    .venv/bin/python -m bench.peer.verify [--inputs FILE] [--chapters http://127.0.0.1:8100]
        [--peer http://127.0.0.1:5679/graphql] [--n 30] [--no-raw]

For fixed, evenly spread chapters (and their tenants) it sends Q1, Q3 and Q2 (each of the five
statuses) to Chapters (/t/{slug}/graphql, the ops person's bearer token) and to PostGraphile
(X-Tenant-Id), and runs raw_sql.py's hand-written SQL for the same inputs (unless --no-raw),
normalises the answers to plain rows (uuids from the global ids, enum case,
timestamps as instants) and compares them field by field. Also checks isolation on both: a
chapter of another tenant must be null (PostGraphile: same tenantId argument, other tenant in
the header = RLS hides it), and PostGraphile without the header must see no activity (RLS binds
its role). Exit 1 on any mismatch. Prints one summary line.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import sys
import urllib.error
import urllib.request
from pathlib import Path

from bench.peer import config

Q = config.QUERIES
STATUSES = config.STATUSES


def post(url, query, variables, headers):
    body = json.dumps({"query": query, "variables": variables}).encode()
    req = urllib.request.Request(
        url, data=body, headers={"content-type": "application/json", **headers}
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            out = json.loads(r.read())
    except urllib.error.HTTPError as e:
        raise SystemExit(f"HTTP {e.code} from {url}: {e.read()[:300]!r}") from None
    if out.get("errors"):
        raise SystemExit(f"GraphQL errors from {url}: {out['errors']}")
    return out["data"]


def uuid_of(gid):
    raw = base64.b64decode(gid).decode()
    return raw.split(":", 1)[1]


def ts(v):
    return dt.datetime.fromisoformat(v.replace("Z", "+00:00")).timestamp() if v else None


def low(v):
    return v.lower() if isinstance(v, str) else v


def q1_chapters(d):
    c = d["chapter"]
    if c is None:
        return None
    return {
        "chapter": uuid_of(c["id"]),
        "name": c["name"],
        "members": [
            (low(e["node"]["role"]), e["node"]["person"]["displayName"])
            for e in c["members"]["edges"]
        ],
        "activities": [
            (
                uuid_of(n["id"]),
                n["title"],
                low(n["kind"]),
                low(n["status"]),
                ts(n["startsAt"]),
                n["venue"],
                sorted((low(o["role"]), o["name"]) for o in n["organisations"]),
            )
            for n in (e["node"] for e in d["activities"]["edges"])
        ],
    }


def q1_peer(d):
    c = d["chapterByTenantIdAndSlug"]
    if c is None:
        return None
    return {
        "chapter": c["rowId"],
        "name": c["name"],
        "members": [
            (m["role"], m["personByTenantIdAndPersonId"]["displayName"])
            for m in c["chapterMembershipsByTenantIdAndChapterId"]["nodes"]
        ],
        "activities": [
            (
                n["rowId"],
                n["title"],
                n["kind"],
                n["status"],
                ts(n["startsAt"]),
                n["venue"],
                sorted(
                    (o["role"], o["organisationByTenantIdAndOrganisationId"]["name"])
                    for o in n["activityOrganisationsByTenantIdAndActivityId"]["nodes"]
                ),
            )
            for n in c["activitiesByTenantIdAndChapterId"]["nodes"]
        ],
    }


def q2_chapters(d):
    return [
        (
            uuid_of(n["id"]),
            n["title"],
            low(n["kind"]),
            low(n["status"]),
            ts(n["startsAt"]),
            n["chapter"]["name"],
        )
        for n in (e["node"] for e in d["activities"]["edges"])
    ]


def q2_peer(d):
    return [
        (
            n["rowId"],
            n["title"],
            n["kind"],
            n["status"],
            ts(n["startsAt"]),
            n["chapterByTenantIdAndChapterId"]["name"],
        )
        for n in d["allActivities"]["nodes"]
    ]


def q3_chapters(d):
    n = d["node"]
    return n and (uuid_of(n["id"]), n["name"], n["slug"], n["city"], ts(n["createdAt"]))


def q3_peer(d, chapter_uuid):
    n = d["chapterByTenantIdAndRowId"]
    return n and (chapter_uuid, n["name"], n["slug"], n["city"], ts(n["createdAt"]))


def raw_answers(picks, tenants):
    """The same inputs through raw_sql.py's hand-written SQL (as chapters_app, RLS on)."""
    import asyncio

    import asyncpg

    from bench.peer import raw_sql as raw

    async def go():
        conn = await asyncpg.connect(raw.DSN)
        try:
            out = {}
            for row in picks:
                r = await raw.run_one(conn, "q1", row, None)
                out[("q1", row[3])] = {
                    "chapter": r["id"],
                    "name": r["name"],
                    "members": [(m["role"], m["displayName"]) for m in r["members"]],
                    "activities": [
                        (
                            x["id"],
                            x["title"],
                            x["kind"],
                            x["status"],
                            ts(x["startsAt"]),
                            x["venue"],
                            sorted((o["role"], o["name"]) for o in x["organisations"]),
                        )
                        for x in r["activities"]
                    ],
                }
                r = await raw.run_one(conn, "q3", row, None)
                out[("q3", row[3])] = (
                    str(r["id"]),
                    r["name"],
                    r["slug"],
                    r["city"],
                    r["created_at"].timestamp(),
                )
            for tslug, _tid, _tok in tenants:
                row = next(p for p in picks if p[0] == tslug)
                for st in STATUSES:
                    rs = await raw.run_one(conn, "q2", row, st)
                    out[("q2", tslug, st)] = [
                        (
                            str(r["id"]),
                            r["title"],
                            r["kind"],
                            r["status"],
                            r["starts_at"].timestamp(),
                            r["chapter_name"],
                        )
                        for r in rs
                    ]
            return out
        finally:
            await conn.close()

    return asyncio.run(go())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--inputs", default=str(config.INPUTS))
    ap.add_argument("--chapters", default="http://127.0.0.1:8100")
    ap.add_argument("--peer", default="http://127.0.0.1:5679/graphql")
    ap.add_argument("--n", type=int, default=30)
    ap.add_argument(
        "--no-raw", action="store_true", help="skip the comparison with raw_sql.py's SQL"
    )
    a = ap.parse_args()
    rows = [line.split("\t") for line in Path(a.inputs).read_text().splitlines()]
    step = max(1, len(rows) // a.n)
    picks = rows[::step][: a.n]
    qs = {p.stem: p.read_text() for p in Q.glob("*.graphql")}
    compared = mismatches = 0
    sizes = {"q1_members": set(), "q1_activities": set(), "q2_rows": set(), "q1_orgs": 0}

    def check(label, x, y):
        nonlocal compared, mismatches
        compared += 1
        if x != y:
            mismatches += 1
            print(
                f"MISMATCH {label}:\n  chapters: {json.dumps(x, default=str)[:600]}\n  peer:     {json.dumps(y, default=str)[:600]}"
            )

    tenants = list(dict.fromkeys((r[0], r[1], r[5]) for r in picks))[:8]
    raw = {} if a.no_raw else raw_answers(picks, tenants)
    for tslug, tid, cslug, cid, gid, token in picks:
        auth = {"authorization": f"Bearer {token}"}
        peer_h = {"x-tenant-id": tid}
        curl = f"{a.chapters}/t/{tslug}/graphql"
        x = q1_chapters(
            post(curl, qs["q1_dashboard.chapters"], {"slug": cslug, "chapterId": gid}, auth)
        )
        y = q1_peer(
            post(a.peer, qs["q1_dashboard.postgraphile"], {"tenantId": tid, "slug": cslug}, peer_h)
        )
        check(f"Q1 {tslug}/{cslug}", x, y)
        if raw:
            check(f"Q1 raw SQL {tslug}/{cslug}", x, raw[("q1", cid)])
        if x is None:
            mismatches += 1
            print(f"Q1 {tslug}/{cslug}: chapter not found")
            continue
        sizes["q1_members"].add(len(x["members"]))
        sizes["q1_activities"].add(len(x["activities"]))
        sizes["q1_orgs"] += sum(len(act[6]) for act in x["activities"])
        x = q3_chapters(post(curl, qs["q3_chapter.chapters"], {"id": gid}, auth))
        y = q3_peer(
            post(
                a.peer, qs["q3_chapter.postgraphile"], {"tenantId": tid, "chapterId": cid}, peer_h
            ),
            cid,
        )
        check(f"Q3 {tslug}/{cslug}", x, y)
        if raw:
            check(f"Q3 raw SQL {tslug}/{cslug}", x, raw[("q3", cid)])
        if x is None:
            mismatches += 1
            print(f"Q3 {tslug}/{cslug}: chapter not found")
    # another tenant's chapter: null on both
    (_t1, tid1, _cs1, cid1, gid1, _tok1), (t2, tid2, *_rest, tok2) = rows[0], rows[-1]
    x = post(
        f"{a.chapters}/t/{t2}/graphql",
        qs["q3_chapter.chapters"],
        {"id": gid1},
        {"authorization": f"Bearer {tok2}"},
    )
    y = post(
        a.peer,
        qs["q3_chapter.postgraphile"],
        {"tenantId": tid1, "chapterId": cid1},
        {"x-tenant-id": tid2},
    )
    check("Q3 cross-tenant must be null", (x["node"], y["chapterByTenantIdAndRowId"]), (None, None))
    # RLS binds the peer: without X-Tenant-Id (app.tenant_id = '') it must see no activity at all
    y = post(a.peer, qs["q2_feed.postgraphile"], {"status": "accepted"}, {})
    check("Q2 peer without tenant header must be empty (RLS)", y["allActivities"]["nodes"], [])
    for tslug, tid, token in tenants:
        for st in STATUSES:
            x = q2_chapters(
                post(
                    f"{a.chapters}/t/{tslug}/graphql",
                    qs["q2_feed.chapters"],
                    {"status": st.upper()},
                    {"authorization": f"Bearer {token}"},
                )
            )
            y = q2_peer(
                post(a.peer, qs["q2_feed.postgraphile"], {"status": st}, {"x-tenant-id": tid})
            )
            check(f"Q2 {tslug}/{st}", x, y)
            if raw:
                check(f"Q2 raw SQL {tslug}/{st}", x, raw[("q2", tslug, st)])
            sizes["q2_rows"].add(len(x))
    print(
        f"{compared} comparisons ({'Chapters vs PostGraphile and vs raw SQL' if raw else 'Chapters vs PostGraphile'}; {len(picks)} chapters: Q1+Q3; {len(tenants)} tenants x "
        f"{len(STATUSES)} statuses: Q2; 1 cross-tenant; 1 no-tenant RLS check), {mismatches} mismatches; Q1 members/page "
        f"{sorted(sizes['q1_members'])}, activities/page {sorted(sizes['q1_activities'])}, "
        f"co-host orgs in all Q1 pages {sizes['q1_orgs']}; Q2 rows/page {sorted(sizes['q2_rows'])}"
    )
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
