"""Benchmark: enqueue-to-done latency of the job queue, one ``chapters worker`` process.

    python -m bench.jobs [--jobs 200] [--interval 0.05]

In a scratch database on TEST_DATABASE_URL (or the embedded server): starts one worker (a
child process, as in production), then commits ``--jobs`` transactions one after another,
each enqueueing an ``events.dispatch`` job the way a change does (an event row and its job in
the change's transaction), ``--interval`` seconds apart. The queue's own event log
(``procrastinate_events``, stamped by PostgreSQL) gives each job's times: deferred → started
(the worker heard of it: LISTEN/NOTIFY) → succeeded (the dispatch ran its reactions). Prints
p50 / p95 / max of both spans.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from chapters.db.admin import DatabaseUrls, scratch_database, scratch_server_url
from chapters.db.session import create_engine, open_tenant_session, tenant_sessionmaker
from chapters.jobs.queue import enqueue
from chapters.settings import load_settings
from chapters.tenants.admin import ensure_tenant

SPANS = text(
    """SELECT j.id,
              max(e.at) FILTER (WHERE e.type = 'deferred') AS deferred,
              max(e.at) FILTER (WHERE e.type = 'started') AS started,
              max(e.at) FILTER (WHERE e.type = 'succeeded') AS succeeded
       FROM procrastinate_jobs j JOIN procrastinate_events e ON e.job_id = j.id
       WHERE j.task_name = 'events.dispatch' GROUP BY j.id"""
)
DONE = text(
    "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'events.dispatch'"
    " AND status = 'succeeded'"
)


def _worker(urls: DatabaseUrls) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_APP_URL": urls.app, "DATABASE_URL": urls.admin}
    return subprocess.Popen(
        [sys.executable, "-m", "chapters.cli", "worker", "--concurrency", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
    )


def _spans(rows: list, start: str, end: str) -> str:
    if not rows:
        return "no job finished (is the worker running? its output is above)"
    values = sorted((getattr(r, end) - getattr(r, start)).total_seconds() * 1000 for r in rows)
    p95 = values[int(len(values) * 0.95) - 1]
    return f"p50 {statistics.median(values):.0f} ms, p95 {p95:.0f} ms, max {values[-1]:.0f} ms"


async def _run(urls: DatabaseUrls, jobs: int, interval: float) -> None:
    settings = load_settings()
    owner = create_async_engine(urls.owner, poolclass=NullPool)
    app = create_engine(urls.app, settings)
    tenant_id, _ = await ensure_tenant(owner, slug="bench-jobs", name="Jobs benchmark")
    worker = _worker(urls)
    try:
        await asyncio.sleep(3)  # the worker starts and LISTENs
        sessionmaker = tenant_sessionmaker(app)
        for number in range(jobs):
            async with open_tenant_session(sessionmaker, tenant_id) as session:
                await enqueue(
                    session, "events.dispatch", queue="events", event_id=str(uuid.uuid4())
                )
                await session.commit()
            await asyncio.sleep(interval)
            if number and number % 50 == 0:
                print(f"  {number} jobs enqueued", file=sys.stderr)
        deadline = time.monotonic() + 60
        async with owner.connect() as connection:
            while (await connection.scalar(DONE)) < jobs and time.monotonic() < deadline:
                await connection.commit()
                await asyncio.sleep(0.2)
            rows = (await connection.execute(SPANS)).all()
        rows = [r for r in rows if r.succeeded is not None]
        print(json.dumps({"jobs": jobs, "done": len(rows)}))
        print(f"enqueue -> started:   {_spans(rows, 'deferred', 'started')}")
        print(f"enqueue -> succeeded: {_spans(rows, 'deferred', 'succeeded')}")
    finally:
        worker.terminate()
        worker.wait(timeout=15)
        await owner.dispose()
        await app.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--interval", type=float, default=0.05)
    args = parser.parse_args()
    settings = load_settings()
    with scratch_database(scratch_server_url(settings), settings, "chapters_bench") as urls:
        asyncio.run(_run(urls, args.jobs, args.interval))
    return 0


if __name__ == "__main__":
    sys.exit(main())
