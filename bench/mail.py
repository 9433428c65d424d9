"""Benchmark: 10,000 recap mails to the local catcher, end to end, with one worker.

    python -m bench.mail [--registrants 10000] [--concurrency 4]

In a scratch database on TEST_DATABASE_URL (or the embedded server): an accepted activity
with ``--registrants`` confirmed public registrants; the catcher (``chapters mail-catcher``)
and one ``chapters worker`` run as child processes, as in development. The clock starts when
the recap is committed (its event and dispatch job in the same transaction) and stops when
every message is marked sent: the dispatch writes the mail rows and their send jobs (100
messages a job, one SMTP connection each), the worker sends them, the catcher writes each to
a file. Prints the total time, messages per second and the files the catcher wrote.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from chapters.db.admin import DatabaseUrls, scratch_database, scratch_server_url
from chapters.db.session import open_tenant_session, tenant_sessionmaker
from chapters.models import (
    Activity,
    ActivityKind,
    ActivityRecapVersion,
    ActivityStatus,
    Chapter,
    ChapterStatus,
    Registration,
    RegistrationStatus,
)
from chapters.settings import load_settings
from chapters.tenants.admin import ensure_tenant

SENT = text("SELECT count(*) FROM mail_messages WHERE status = 'sent'")
WRITTEN = text("SELECT count(*) FROM mail_messages")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _count_files(directory: Path) -> int:
    return len(list(directory.glob("*.eml")))


def _child(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "chapters.cli", *args], env=env, stdout=subprocess.DEVNULL
    )


async def _world(urls: DatabaseUrls, registrants: int) -> tuple[uuid.UUID, uuid.UUID]:
    owner = create_async_engine(urls.owner, poolclass=NullPool)
    tenant_id, _ = await ensure_tenant(owner, slug="bench-mail", name="Mail benchmark")
    now = datetime.now(UTC)
    async with open_tenant_session(tenant_sessionmaker(owner), tenant_id) as session:
        chapter = Chapter(
            name="Hangzhou", slug="hangzhou", timezone="Asia/Shanghai", status=ChapterStatus.ACTIVE
        )
        session.add(chapter)
        await session.flush()
        activity = Activity(
            chapter_id=chapter.id,
            kind=ActivityKind.OFFLINE_MEETUP,
            status=ActivityStatus.ACCEPTED,
            title="Rust Meetup",
            starts_at=now - timedelta(days=2),
            ends_at=now - timedelta(days=2) + timedelta(hours=2),
            timezone="Asia/Shanghai",
            venue="West Lake Library",
        )
        session.add(activity)
        await session.flush()
        # written as plain rows: no registration events (their mail is not what is measured)
        rows = [
            {
                "tenant_id": tenant_id,
                "id": uuid.uuid4(),
                "activity_id": activity.id,
                "name": f"Registrant {number}",
                "email": f"registrant{number}@bench.example",
                "locale": "zh" if number % 3 == 0 else "en",
                "status": RegistrationStatus.CONFIRMED,
                "code": f"B{number:07d}",
                "confirmed_at": now,
            }
            for number in range(registrants)
        ]
        for start in range(0, len(rows), 2000):
            await session.execute(insert(Registration), rows[start : start + 2000])
        await session.commit()
    await owner.dispose()
    return tenant_id, activity.id


async def _run(urls: DatabaseUrls, registrants: int, concurrency: int) -> None:
    tenant_id, activity_id = await _world(urls, registrants)
    print(f"{registrants} registrants ready", file=sys.stderr)
    outbox = Path(tempfile.mkdtemp(prefix="chapters-bench-outbox-"))
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_APP_URL": urls.app,
        "DATABASE_URL": urls.admin,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(port),
        "CHAPTERS_OUTBOX_DIR": str(outbox),
        "CHAPTERS_WORKER_CONCURRENCY": str(concurrency),
    }
    catcher = _child(["mail-catcher"], env)
    worker = _child(["worker"], env)
    owner = create_async_engine(urls.owner, poolclass=NullPool)
    try:
        await asyncio.sleep(3)  # both start; the worker LISTENs
        async with open_tenant_session(tenant_sessionmaker(owner), tenant_id) as session:
            session.add(
                ActivityRecapVersion(
                    activity_id=activity_id,
                    number=1,
                    summary="We wrote a parser and shipped it.",
                    links=[
                        {"kind": "recording", "url": "https://video.example/rec", "title": None},
                        {"kind": "slides", "url": "https://slides.example/deck", "title": "Deck"},
                    ],
                )
            )
            started = time.monotonic()
            await session.commit()
        sent, deadline, written_after = 0, started + 600, None
        async with owner.connect() as connection:
            while time.monotonic() < deadline:
                await connection.execute(
                    text("SELECT set_config('app.tenant_id', :t, false)"), {"t": str(tenant_id)}
                )
                sent = int(await connection.scalar(SENT) or 0)
                if written_after is None and await connection.scalar(WRITTEN) >= registrants:
                    written_after = time.monotonic() - started
                await connection.commit()
                if sent >= registrants:
                    break
                await asyncio.sleep(0.2)
        elapsed = time.monotonic() - started
        files = _count_files(outbox)
        print(
            json.dumps(
                {
                    "registrants": registrants,
                    "sent": sent,
                    "files": files,
                    "seconds": round(elapsed, 1),
                    "rows_written_after_seconds": round(written_after or 0, 1),
                    "per_second": round(sent / elapsed, 1),
                }
            )
        )
        print(f"{sent} recap mails sent in {elapsed:.1f} s ({sent / elapsed:.0f}/s)")
    finally:
        for child in (worker, catcher):
            child.terminate()
            child.wait(timeout=30)
        await owner.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--registrants", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    settings = load_settings()
    with scratch_database(scratch_server_url(settings), settings, "chapters_bench") as urls:
        asyncio.run(_run(urls, args.registrants, args.concurrency))
    return 0


if __name__ == "__main__":
    sys.exit(main())
