"""``chapters serve --workers 2``: ``/metrics``, answered by either worker, counts the requests
both answered (prometheus_client's multiprocess mode, in a directory the command makes and
removes)."""

from __future__ import annotations

import asyncio

import asyncpg
import httpx

from chapters.db.admin import plain_dsn
from chapters.models import TenantRole
from tests.cli.test_serve import _serving_connections, started_server
from tests.observability.test_metrics import TENANT, parsed, value
from tests.support import load_until_every_worker_answers

ADMIN = "admin@x.example"
ROUTE = "/t/{tenant_slug}/graphql"


async def test_metrics_add_up_the_requests_of_every_worker(
    cli_env, tenants, urls, tmp_path
) -> None:
    tenant = await tenants.create(people={ADMIN: TenantRole.ADMIN})
    directory = tmp_path / "metrics"
    directory.mkdir()
    (directory / "counter_999999.db").write_bytes(b"left by an earlier run")
    env = {**cli_env, "DATABASE_POOL_SIZE": "2", "PROMETHEUS_MULTIPROC_DIR": str(directory)}
    server, base = await started_server(env, workers=2)
    headers = {"Authorization": f"Bearer {tenant.token(ADMIN)}"}
    admin = await asyncpg.connect(plain_dsn(urls.admin))
    try:
        # each request on a connection of its own, so the kernel hands them to both workers
        limits = httpx.Limits(max_keepalive_connections=0)
        async with httpx.AsyncClient(limits=limits, timeout=30) as http:

            async def ask() -> int:
                response = await http.post(
                    f"{base}/t/{tenant.slug}/graphql", json={"query": TENANT}, headers=headers
                )
                return response.status_code

            async def workers_serving() -> int:
                return len(await _serving_connections(admin, server.pid))

            sent = await load_until_every_worker_answers(ask, workers_serving, workers=2, batch=20)
            assert len(await _serving_connections(admin, server.pid)) == 2  # both answered

            scrapes = [parsed((await http.get(f"{base}/metrics")).text) for _ in range(4)]
        for samples in scrapes:  # whichever worker answered the scrape
            labels = {"route": ROUTE, "operation": "Tenant", "outcome": "ok"}
            assert value(samples, "chapters_http_requests_total", **labels) == sent
            count = value(samples, "chapters_http_request_sql_statements_count", route=ROUTE)
            assert count == sent
            # both workers' pools, added up; the compiled reads' pool answered
            assert value(samples, "chapters_db_pool_limit", pool="reads") == 2 * 2
        assert not (directory / "counter_999999.db").exists()  # the earlier run's, removed
    finally:
        if server.returncode is None:
            server.terminate()
            await asyncio.wait_for(server.wait(), timeout=30)
        await admin.close()
    # each worker dropped its pools' gauges when it stopped
    assert not list(directory.glob("gauge_livesum_*.db"))
