"""Benchmark: authenticated GraphQL requests through the whole stack, in process.

    make bench        (or: python -m bench.graphql_requests --requests 1000 --concurrency 16)

Each request: bearer verification, tenant lookup (cached), one transaction with the tenant
set, the person lookup, the resolvers. The garbage collector is set up as `chapters serve`
sets it up (``apply_gc_policy``) unless ``--default-gc``. Runs on a scratch database (TEST_DATABASE_URL or the
embedded PostgreSQL) that is dropped afterwards. Prints latency percentiles and throughput.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from litestar import Litestar
from sqlalchemy import event, make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from chapters.app import apply_gc_policy, create_app
from chapters.auth.keys import SigningKeys, generate_signing_key
from chapters.auth.tokens import issue_access_token
from chapters.db.admin import DatabaseUrls, scratch_database, scratch_server_url
from chapters.db.session import open_tenant_session, tenant_sessionmaker
from chapters.demo import seed_demo
from chapters.people.service import find_person_by_email
from chapters.settings import load_settings

QUERIES = {
    "viewer+tenant": "{ viewer { email tenantRole person { displayName } } tenant { name } }",
    "chapters+rosters": "{ chapters(first: 20) { edges { node { name parent { name }"
    " members(first: 20) { edges { node { role person { displayName email } } } } } } } }",
    "activities": "{ activities(first: 20) { edges { node { title status chapter { name }"
    " coHosts { name } organisations { name } participants { role person { displayName } }"
    " links { url } } } } }",
}


@asynccontextmanager
async def demo_app(urls: DatabaseUrls) -> AsyncIterator[tuple[httpx.AsyncClient, Litestar, str]]:
    """The demo data on the scratch database, the app serving it in process (its lifespan
    started) and a bearer token of the demo tenant's admin."""
    settings = load_settings()
    key = generate_signing_key()
    from joserfc.jwk import ECKey, KeySet

    keys = SigningKeys(key, KeySet([ECKey.import_key(key.as_dict(private=False))]))
    owner = create_async_engine(urls.owner, poolclass=NullPool)
    tenant_ids = await seed_demo(owner, echo=lambda *_: None)
    async with open_tenant_session(tenant_sessionmaker(owner), tenant_ids["demo"]) as s:
        admin = await find_person_by_email(s, "admin@demo.example")
    await owner.dispose()
    token = issue_access_token(keys, settings, tenant_id=tenant_ids["demo"], subject=str(admin.id))
    app = create_app(settings, app_url=urls.app, keys=keys)
    async with app.lifespan():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
            yield http, app, token


async def _run(urls: DatabaseUrls, requests: int, concurrency: int, gc_policy: bool) -> None:
    async with demo_app(urls) as (http, app, token):
        if gc_policy:
            apply_gc_policy()  # as `chapters serve` does in every worker once started
        engine = app.state.runtime.engine.sync_engine
        for name, query in QUERIES.items():
            statements = await _statements(http, engine, query, token)
            await _measure(
                http,
                f"{name} ({statements} SQL statements)",
                query,
                token,
                requests,
                concurrency,
            )


async def _statements(http: httpx.AsyncClient, engine, query: str, token: str) -> int:
    """How many SQL statements one request of ``query`` runs."""
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        await http.post(
            "/t/demo/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"}
        )
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


async def _measure(
    http: httpx.AsyncClient, name: str, query: str, token: str, requests: int, concurrency: int
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    semaphore = asyncio.Semaphore(concurrency)

    async def one() -> float:
        started = time.perf_counter()
        response = await http.post("/t/demo/graphql", json={"query": query}, headers=headers)
        assert response.status_code == 200 and "errors" not in response.json()
        return time.perf_counter() - started

    async def limited() -> float:
        async with semaphore:
            return await one()

    for _ in range(50):  # warm-up
        await one()
    sequential = [await one() for _ in range(requests)]
    started = time.perf_counter()
    await asyncio.gather(*(limited() for _ in range(requests)))
    elapsed = time.perf_counter() - started
    q = statistics.quantiles(sequential, n=100)
    print(
        f"{name}: sequential p50 {q[49] * 1000:.2f} ms, p95 {q[94] * 1000:.2f} ms, "
        f"p99 {q[98] * 1000:.2f} ms; concurrency {concurrency}: {requests / elapsed:.0f} req/s"
    )


def main() -> int:
    logging.getLogger("httpx").setLevel(logging.WARNING)  # the client's own per-request log
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--default-gc",
        action="store_true",
        help="keep Python's default garbage collector settings (`chapters serve` tunes them)",
    )
    args = parser.parse_args()
    settings = load_settings()
    with scratch_database(scratch_server_url(settings), settings, "chapters_bench") as urls:
        print(f"==> bench database {make_url(urls.admin).database}", file=sys.stderr)
        asyncio.run(_run(urls, args.requests, args.concurrency, not args.default_gc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
