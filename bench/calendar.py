"""Benchmark: a chapter's calendar feed (``GET /t/{tenant}/chapters/{slug}/calendar.ics``)
with 5,000 activities in its window, p50/p95 over N requests.

    python -m bench.calendar [--activities 5000] [--requests 200] [--scratch-database] [--keep]

Loads a new tenant into the database DATABASE_URL names (bootstrapped and migrated first, as
``chapters migrate`` does; with ``--scratch-database``, a throwaway database on
TEST_DATABASE_URL or the embedded server instead): chapter ``bench`` with ``--activities``
accepted activities from ten months ago to a year ahead (three time zones; every tenth
rescheduled once, every twentieth cancelled after acceptance, a tenth co-hosted with it by
another chapter) plus as many drafts and activities older than the window, which the feed
must skip. Then requests the feed through the whole HTTP application in this process (an
``httpx`` ASGI client: routing, the tenant-bound session, the statements, the writing of the
text; no network) ``--requests`` times in each of four cases: cold (the process's caches of
written events and feeds emptied first), one activity changed since the last request,
unchanged, and ``If-None-Match`` with the current ETag (304). Prints the events and bytes of
the feed and p50/p95 of each case. ``--keep`` keeps the tenant to inspect it.

Measured on the 2-core development machine, 5,000 events, 2.7 MB, p50: 304 16.6 ms;
unchanged 17.1 ms; one changed 73 ms; cold 352 ms (bench/README.md).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import time
import uuid
from contextlib import nullcontext

import httpx
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from chapters.app import create_app
from chapters.db import migrations
from chapters.db.admin import (
    DatabaseUrls,
    bootstrap_database,
    resolve_urls,
    scratch_database,
    scratch_server_url,
)
from chapters.feeds import calendar
from chapters.settings import Settings, load_settings
from chapters.tenants.admin import ensure_tenant

LOAD = [
    """INSERT INTO chapters (tenant_id, id, name, slug, timezone, status)
       VALUES (:tenant, gen_random_uuid(), 'Bench Chapter', 'bench', 'Asia/Shanghai', 'active'),
              (:tenant, gen_random_uuid(), 'Other Chapter', 'other', 'Europe/Berlin', 'active')""",
    # in the window: accepted (a tenth of them the other chapter's, co-hosted below)
    """INSERT INTO activities (tenant_id, id, chapter_id, kind, status, title, description,
                               starts_at, ends_at, timezone, venue, online_url, tags)
       SELECT :tenant, gen_random_uuid(),
              CASE WHEN i % 10 = 0 THEN o.id ELSE b.id END,
              'offline_meetup', 'accepted',
              'Meetup #' || i || ': eBPF, "observability"; 云原生与可观测性 — and more',
              'Talks and demos, then pizza.' || chr(10) || 'Bring a laptop; doors at 18:30.',
              now() - interval '300 days' + i * (interval '700 days' / :rows),
              now() - interval '300 days' + i * (interval '700 days' / :rows)
                + interval '2 hours',
              (ARRAY['Asia/Shanghai', 'Europe/Berlin', 'America/New_York'])[1 + i % 3],
              CASE WHEN i % 4 = 0 THEN NULL ELSE 'Innovation Hub ' || i % 50 END,
              CASE WHEN i % 4 = 0 THEN 'https://meet.example/' || i END,
              ARRAY['kubernetes']::varchar[]
       FROM generate_series(1, :rows) AS i,
            (SELECT id FROM chapters WHERE tenant_id = :tenant AND slug = 'bench') AS b,
            (SELECT id FROM chapters WHERE tenant_id = :tenant AND slug = 'other') AS o""",
    # outside the feed: drafts, and accepted activities older than the window
    """INSERT INTO activities (tenant_id, id, chapter_id, kind, status, title, starts_at,
                               ends_at, timezone, venue)
       SELECT :tenant, gen_random_uuid(), b.id, 'offline_meetup',
              CASE WHEN i % 2 = 0 THEN 'draft' ELSE 'accepted' END, 'Hidden #' || i,
              CASE WHEN i % 2 = 0 THEN now() + i * interval '1 hour'
                   ELSE now() - interval '800 days' + i * interval '1 hour' END,
              NULL, 'Asia/Shanghai', 'Somewhere'
       FROM generate_series(1, :rows) AS i,
            (SELECT id FROM chapters WHERE tenant_id = :tenant AND slug = 'bench') AS b""",
    """INSERT INTO activity_co_hosts (tenant_id, id, activity_id, chapter_id)
       SELECT :tenant, gen_random_uuid(), a.id, b.id
       FROM activities AS a JOIN chapters AS o ON o.id = a.chapter_id AND o.slug = 'other',
            (SELECT id FROM chapters WHERE tenant_id = :tenant AND slug = 'bench') AS b
       WHERE a.tenant_id = :tenant""",
    """INSERT INTO activity_transitions (tenant_id, id, activity_id, from_status, to_status)
       SELECT :tenant, gen_random_uuid(), id, 'submitted', 'accepted'
       FROM activities WHERE tenant_id = :tenant AND status = 'accepted'""",
    """INSERT INTO activity_schedule_changes (tenant_id, id, activity_id, from_starts_at,
                                             to_starts_at, reason)
       SELECT :tenant, gen_random_uuid(), id, starts_at - interval '1 day', starts_at, 'moved'
       FROM activities
       WHERE tenant_id = :tenant AND title LIKE 'Meetup%' AND abs(hashtext(id::text)) % 10 = 0""",
    """WITH cancelled AS (
         UPDATE activities SET status = 'cancelled'
         WHERE tenant_id = :tenant AND title LIKE 'Meetup%' AND abs(hashtext(id::text)) % 20 = 1
         RETURNING id)
       INSERT INTO activity_transitions (tenant_id, id, activity_id, from_status, to_status)
       SELECT :tenant, gen_random_uuid(), id, 'accepted', 'cancelled' FROM cancelled""",
]
ANALYZE = [
    "chapters",
    "activities",
    "activity_co_hosts",
    "activity_transitions",
    "activity_schedule_changes",
]


async def _as_tenant(engine: AsyncEngine, tenant_id: uuid.UUID, statements: list[str], **values):
    async with engine.begin() as connection:
        await connection.execute(
            text("SELECT set_config('app.tenant_id', :tenant, true)"), {"tenant": str(tenant_id)}
        )
        for statement in statements:
            await connection.execute(text(statement), {"tenant": tenant_id, **values})


async def _load(owner: AsyncEngine, rows: int) -> tuple[uuid.UUID, str]:
    slug = f"bench-calendar-{uuid.uuid4().hex[:8]}"
    tenant_id, _ = await ensure_tenant(owner, slug=slug, name="Calendar benchmark")
    await _as_tenant(owner, tenant_id, LOAD, rows=rows)
    async with owner.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        for table in ANALYZE:
            await connection.execute(text(f"ANALYZE {table}"))
    return tenant_id, slug


def _percentiles(samples: list[float]) -> str:
    cuts = statistics.quantiles(samples, n=20)
    return f"p50 {statistics.median(samples) * 1000:.1f} ms, p95 {cuts[18] * 1000:.1f} ms"


async def _timed(http: httpx.AsyncClient, path: str, status: int, **headers: str) -> float:
    started = time.perf_counter()
    response = await http.get(path, headers=headers)
    elapsed = time.perf_counter() - started
    assert response.status_code == status, (response.status_code, response.text[:300])
    return elapsed


async def _measure(
    urls: DatabaseUrls,
    settings: Settings,
    owner: AsyncEngine,
    tenant_id: uuid.UUID,
    slug: str,
    requests: int,
) -> None:
    app = create_app(settings, app_url=urls.app)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per request
    path = f"/t/{slug}/chapters/bench/calendar.ics"
    touch = ["UPDATE activities SET updated_at = clock_timestamp() WHERE id = :id"]
    async with owner.begin() as connection:
        await connection.execute(
            text("SELECT set_config('app.tenant_id', :tenant, true)"), {"tenant": str(tenant_id)}
        )
        ids = list(
            await connection.scalars(
                text(
                    "SELECT a.id FROM activities AS a JOIN chapters AS c ON c.id = a.chapter_id"
                    " WHERE a.tenant_id = :tenant AND c.slug = 'bench'"
                    " AND a.title LIKE 'Meetup%' AND a.status = 'accepted'"
                ),
                {"tenant": tenant_id},
            )
        )
    samples: dict[str, list[float]] = {"cold": [], "one changed": [], "unchanged": [], "304": []}
    async with app.lifespan():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
            first = await http.get(path)
            first.raise_for_status()
            events = first.content.count(b"BEGIN:VEVENT")
            for _ in range(5):  # warm-up: pooled connections, plans
                await http.get(path)
            for number in range(requests):
                # cold: nothing of the feed written before (a new process, or every event new)
                calendar._EVENTS.clear()
                calendar._BODIES = calendar._Bodies(calendar.BODY_CACHE_BYTES)
                samples["cold"].append(await _timed(http, path, 200))
                # an activity changed since: the rows are read, one event is written anew
                await _as_tenant(owner, tenant_id, touch, id=ids[number % len(ids)])
                samples["one changed"].append(await _timed(http, path, 200))
                # unchanged: the head says this process has written it already
                samples["unchanged"].append(await _timed(http, path, 200))
                etag = (await http.get(path)).headers["etag"]
                samples["304"].append(await _timed(http, path, 304, **{"If-None-Match": etag}))
    print(
        f"chapter feed: {events:,} events, {len(first.content) / 1e6:.2f} MB; {requests} requests"
    )
    for name, values in samples.items():
        print(f"  {name:>11}: {_percentiles(values)}")


async def _run(
    urls: DatabaseUrls, settings: Settings, rows: int, requests: int, *, clean_up: bool
) -> None:
    owner = create_async_engine(urls.owner, poolclass=NullPool)
    started = time.perf_counter()
    tenant_id, slug = await _load(owner, rows)
    print(f"==> loaded tenant {slug} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    try:
        if requests:
            await _measure(urls, settings, owner, tenant_id, slug, requests)
    finally:
        if clean_up:  # (a scratch database is dropped whole)
            await _as_tenant(owner, tenant_id, ["DELETE FROM tenants WHERE id = :tenant"])
        await owner.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--activities", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the tenant (to inspect it)")
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
            _run(
                urls,
                settings,
                args.activities,
                args.requests,
                clean_up=not (args.scratch_database or args.keep),
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
