"""`chapters serve` as an operator runs it: several worker processes answer, the access log is
off unless asked, and every worker tunes its garbage collector once started."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time

import httpx
import pytest

from chapters import cli
from chapters.app import apply_gc_policy
from chapters.settings import get_settings
from tests.support import data_of

VIEWER = '{"query": "{ viewer { email } }"}'


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture
def serve_env(urls, key_file) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=urls.admin,
        CHAPTERS_JWT_PRIVATE_KEY_FILE=key_file,
        CHAPTERS_HOST="127.0.0.1",
        CHAPTERS_PORT=str(_free_port()),
    )
    for name in ("DATABASE_APP_URL", "DATABASE_OWNER_URL", "CHAPTERS_WORKERS"):
        env.pop(name, None)
    env.pop("CHAPTERS_ACCESS_LOG", None)
    return env


async def _serve_and_ask(env: dict[str, str], tenant, *args: str) -> str:
    """Start `chapters serve ARGS`, ask it a GraphQL query twice, stop it; its log."""
    server = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "chapters.cli",
        "serve",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{env['CHAPTERS_PORT']}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=10) as http:
            deadline = time.monotonic() + 90
            while True:
                assert server.returncode is None, "the server exited"
                try:
                    if (await http.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "the server did not start"
                await asyncio.sleep(0.2)
            for _ in range(2):
                response = await http.post(
                    f"/t/{tenant.slug}/graphql",
                    content=VIEWER,
                    headers={
                        "Authorization": f"Bearer {tenant.token('admin@x.example')}",
                        "Content-Type": "application/json",
                    },
                )
                assert data_of(response.json()) == {"viewer": {"email": "admin@x.example"}}
    finally:
        server.send_signal(signal.SIGINT)
        try:
            output, _ = await asyncio.wait_for(server.communicate(), timeout=30)
        except TimeoutError:
            server.kill()
            output, _ = await server.communicate()
    return output.decode()


async def test_serve_runs_the_workers_asked_for_without_an_access_log(serve_env, tenants) -> None:
    tenant = await tenants.create()
    log = await _serve_and_ask(serve_env, tenant, "--workers", "2")
    assert log.count("Started server process") == 2, log
    assert "Application startup complete" in log
    assert "POST /t/" not in log and "GET /healthz" not in log, log


async def test_serve_logs_requests_when_asked(serve_env, tenants) -> None:
    tenant = await tenants.create()
    log = await _serve_and_ask({**serve_env, "CHAPTERS_WORKERS": "1"}, tenant, "--access-log")
    assert log.count("Started server process") == 1, log
    assert f"POST /t/{tenant.slug}/graphql" in log, log


def test_every_worker_applies_the_gc_policy_once_started(monkeypatch, urls) -> None:
    monkeypatch.setenv("DATABASE_APP_URL", urls.app)
    get_settings.cache_clear()
    try:
        app = cli.served_app()
    finally:
        get_settings.cache_clear()
    assert apply_gc_policy in app.on_startup
