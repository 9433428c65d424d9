"""``chapters serve`` as an operator runs it: several worker processes that all answer, a stop
that lets the request in flight finish and closes the database pools, and a refusal to start
with more connections than the database accepts."""

from __future__ import annotations

import asyncio
import signal
import socket
import sys
import time
from pathlib import Path

import asyncpg
import httpx
import pytest

from chapters.api.ids import global_id
from chapters.db.admin import plain_dsn
from chapters.models import TenantRole
from tests.support import load_until_every_worker_answers, make_chapter, run_cli

ADMIN = "admin@x.example"
TENANT_NAME = "{ tenant { name } }"
RENAME = "mutation ($input: ChapterUpdateInput!) { chapterUpdate(input: $input) { chapter { name } errors { code } } }"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _parent_of(pid: int) -> int | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    return next(int(line.split()[1]) for line in status.splitlines() if line.startswith("PPid:"))


async def _serving_connections(admin: asyncpg.Connection, server_pid: int) -> dict[int, int]:
    """Database connections per serving process (a worker of ``server_pid``)."""
    rows = await admin.fetch(
        "SELECT application_name FROM pg_stat_activity WHERE application_name LIKE 'chapters:%'"
    )
    counts: dict[int, int] = {}
    for row in rows:
        pid = int(row["application_name"].split(":")[1])
        if _parent_of(pid) == server_pid:
            counts[pid] = counts.get(pid, 0) + 1
    return counts


async def _until_healthy(base: str, server: asyncio.subprocess.Process) -> None:
    deadline = time.monotonic() + 180  # two processes importing the app on a busy machine
    async with httpx.AsyncClient() as http:
        while time.monotonic() < deadline:
            assert server.returncode is None, "the server stopped"
            try:
                if (await http.get(f"{base}/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError("the server did not come up")


async def started_server(
    env: dict[str, str], workers: int
) -> tuple[asyncio.subprocess.Process, str]:
    """``chapters serve --workers N`` with ``env`` on a free port of 127.0.0.1, once it
    answers: the process and its base URL."""
    port = _free_port()
    server = await asyncio.create_subprocess_exec(
        sys.executable,
        *("-m", "chapters.cli", "serve", "--workers", str(workers)),
        env={**env, "CHAPTERS_HOST": "127.0.0.1", "CHAPTERS_PORT": str(port)},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        await _until_healthy(base, server)
    except BaseException:
        server.kill()
        await server.wait()
        raise
    return server, base


async def test_two_workers_answer_and_stop_gracefully_under_load(
    cli_env, tenants, owner_engine, urls
) -> None:
    tenant = await tenants.create(people={ADMIN: TenantRole.ADMIN})
    chapter = await make_chapter(owner_engine, tenant, "alpha", staff=ADMIN)
    env = {**cli_env, "CHAPTERS_SHUTDOWN_TIMEOUT_SECONDS": "20", "DATABASE_POOL_SIZE": "2"}
    server, base = await started_server(env, workers=2)
    graphql = f"{base}/t/{tenant.slug}/graphql"
    headers = {"Authorization": f"Bearer {tenant.token(ADMIN)}"}
    admin = await asyncpg.connect(plain_dsn(urls.admin))
    try:
        # Load: 50 clients at once, each request on a connection of its own, so the kernel
        # hands them to both workers.
        limits = httpx.Limits(max_keepalive_connections=0)
        async with httpx.AsyncClient(limits=limits, timeout=30) as http:

            async def ask() -> int:
                response = await http.post(graphql, json={"query": TENANT_NAME}, headers=headers)
                assert response.json()["data"]["tenant"]["name"] == f"Tenant {tenant.slug}"
                return response.status_code

            async def workers_serving() -> int:
                return len(await _serving_connections(admin, server.pid))

            await load_until_every_worker_answers(ask, workers_serving, workers=2, batch=50)
        serving = await _serving_connections(admin, server.pid)
        assert len(serving) == 2, serving  # both workers opened their pools: both answered

        # A request in flight when the server is told to stop: it waits on a row lock.
        locker = await asyncpg.connect(plain_dsn(urls.admin))
        await locker.execute("BEGIN")
        await locker.execute("SELECT 1 FROM chapters WHERE id = $1 FOR UPDATE", chapter.id)
        async with httpx.AsyncClient(timeout=30) as http:
            variables = {"input": {"id": global_id("Chapter", chapter.id), "name": "Alpha City"}}
            in_flight = asyncio.create_task(
                http.post(graphql, json={"query": RENAME, "variables": variables}, headers=headers)
            )
            for _ in range(100):
                waiting = await admin.fetchval(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE application_name LIKE 'chapters:%' AND wait_event_type = 'Lock'"
                )
                if waiting:
                    break
                await asyncio.sleep(0.1)
            assert waiting == 1
            server.send_signal(signal.SIGTERM)
            await asyncio.sleep(1.5)
            assert server.returncode is None  # still finishing the request in flight
            await locker.execute("ROLLBACK")
            await locker.close()
            answer = await in_flight
        assert answer.status_code == 200
        assert answer.json()["data"]["chapterUpdate"] == {
            "chapter": {"name": "Alpha City"},
            "errors": [],
        }
        assert await asyncio.wait_for(server.wait(), timeout=30) == 0
        assert await _serving_connections(admin, server.pid) == {}  # pools closed
    finally:
        if server.returncode is None:
            server.kill()
            await server.wait()
        await admin.close()


async def test_serve_refuses_more_connections_than_the_database_accepts(cli_env, urls) -> None:
    admin = await asyncpg.connect(plain_dsn(urls.admin))
    try:
        limit = int(await admin.fetchval("SHOW max_connections"))
    finally:
        await admin.close()
    workers = limit // 30 + 1  # x 3 x 10 connections each: more than the server accepts
    answer = run_cli({**cli_env, "DATABASE_POOL_SIZE": "10"}, "serve", "--workers", str(workers))
    assert answer.returncode == 1
    assert f"{workers} workers x 3 x DATABASE_POOL_SIZE 10 = {workers * 30} connections" in (
        answer.stderr
    )
    assert "Traceback" not in answer.stderr


@pytest.mark.parametrize(
    "variable", ["CHAPTERS_SHUTDOWN_TIMEOUT_SECONDS", "CHAPTERS_KEEP_ALIVE_SECONDS"]
)
def test_server_timeouts_are_checked(cli_env, variable) -> None:
    answer = run_cli({**cli_env, variable: "0"}, "serve", "--workers", "1")
    assert answer.returncode == 1
    assert variable in answer.stderr and "Traceback" not in answer.stderr
