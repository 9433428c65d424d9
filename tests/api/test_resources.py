"""Resources: slow or idle clients, oversized or pathological requests and an unavailable
database never starve other requests, never hang, and never answer 500."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncIterator

import httpx
from sqlalchemy import text

from chapters.app import create_app
from chapters.models import TenantRole
from tests.support import data_of, gql, no_garbage_collection, serving, statements_sent

SMALL_POOL = {"pool_size": 1, "max_overflow": 0, "pool_timeout": 1}
QUERY = b'{"query": "{ viewer { email } }"}'


async def _trickle(body: bytes, pieces: int, pause: float) -> AsyncIterator[bytes]:
    """A client that sends its body slowly: each ``receive`` of the app waits ``pause``."""
    step = max(1, len(body) // pieces)
    for start in range(0, len(body), step):
        await asyncio.sleep(pause)
        yield body[start : start + step]


def _small_pool_app(settings, urls, keys, **changes):
    return create_app(
        dataclasses.replace(settings, **changes),
        app_url=urls.app,
        keys=keys,
        engine_options=SMALL_POOL,
    )


async def test_slow_bodies_do_not_hold_the_pool(settings, urls, keys, tenants) -> None:
    tenant = await tenants.create(people={"ops@x.example": TenantRole.OPS})
    headers = {
        "Authorization": f"Bearer {tenant.token('ops@x.example')}",
        "Content-Type": "application/json",
    }
    async with serving(_small_pool_app(settings, urls, keys)) as http:
        slow = [
            asyncio.create_task(
                http.post(
                    f"/t/{tenant.slug}/graphql",
                    content=_trickle(QUERY, pieces=6, pause=0.4),
                    headers=headers,
                )
            )
            for _ in range(4)
        ]
        await asyncio.sleep(0.3)  # every slow request has started sending
        started = time.perf_counter()
        body = await gql(
            http, tenant.slug, "{ viewer { email } }", token=tenant.token("ops@x.example")
        )
        waited = time.perf_counter() - started
        assert data_of(body) == {"viewer": {"email": "ops@x.example"}}
        # The pool timeout is 1 s: waiting for a connection held by a slow client would
        # fail this request, not merely slow it down.
        assert waited < 0.9, f"a normal query waited {waited:.2f} s behind slow clients"
        for response in await asyncio.gather(*slow):
            assert response.status_code == 200


async def test_a_request_past_its_deadline_is_a_503(settings, urls, keys, tenants) -> None:
    tenant = await tenants.create()
    app = create_app(
        dataclasses.replace(settings, request_timeout_seconds=1), app_url=urls.app, keys=keys
    )
    async with serving(app) as http:
        started = time.perf_counter()
        response = await http.post(
            f"/t/{tenant.slug}/graphql",
            content=_trickle(QUERY, pieces=10, pause=0.5),
            headers={"Content-Type": "application/json"},
        )
        elapsed = time.perf_counter() - started
        assert response.status_code == 503
        assert "within 1 s" in response.json()["error"]
        assert elapsed < 2
        # The app still answers.
        assert data_of(await gql(http, tenant.slug, "{ __typename }")) == {"__typename": "Query"}


async def test_an_oversized_body_is_a_413(client, tenants, settings) -> None:
    tenant = await tenants.create()
    padding = " " * settings.max_body_bytes
    response = await client.post(
        f"/t/{tenant.slug}/graphql",
        content=b'{"query": "{ __typename }"' + padding.encode() + b"}",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/json")


def _pathological_documents(settings) -> dict[str, str]:
    half_mib = 512 * 1024
    return {
        "nested braces": "{" * half_mib,
        "nested selections": "{ a" * (half_mib // 3),
        "many tokens": "{ " + "__typename " * (half_mib // 11) + "}",
        "deep list literal": '{ chapter(slug: "x") { name } }'.replace('"x"', "[" * 5000),
        "fragment ladder": " ".join(
            ["fragment F0 on Query { __typename }"]
            + [f"fragment F{i} on Query {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, 60)]
        )
        + " { ...F59 }",
    }


async def test_pathological_documents_are_refused_fast_without_sql(app, client, tenants, settings):
    tenant = await tenants.create()
    await gql(client, tenant.slug, "{ __typename }")  # the tenant directory knows the slug
    with statements_sent(app.state.runtime.engine) as statements:
        for name, document in _pathological_documents(settings).items():
            with no_garbage_collection():
                started = time.process_time()  # CPU of this process, which runs the app
                response = await client.post(f"/t/{tenant.slug}/graphql", json={"query": document})
                elapsed = time.process_time() - started
            assert response.status_code == 400, (name, response.text[:200])
            assert elapsed < 0.5, f"{name}: {elapsed:.2f} s of CPU"
        # Ignored text costs its reading, and no more.
        comment = "#" + "x" * (512 * 1024) + "\n{ __typename }"
        response = await client.post(f"/t/{tenant.slug}/graphql", json={"query": comment})
        assert response.json()["data"] == {"__typename": "Query"}
    assert statements == []


async def test_an_unreachable_database_is_a_503(settings, keys, tenants) -> None:
    app = create_app(settings, app_url="postgresql+asyncpg://nobody@127.0.0.1:1/none", keys=keys)
    async with serving(app) as http:
        started = time.perf_counter()
        response = await http.post("/t/demo/graphql", json={"query": "{ __typename }"})
        assert time.perf_counter() - started < 2
    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    assert response.json()["error"] == "The database is unavailable; retry later."


async def test_an_exhausted_pool_is_a_503_and_health_still_answers(
    settings, urls, keys, tenants
) -> None:
    tenant = await tenants.create(people={"ops@x.example": TenantRole.OPS})
    app = _small_pool_app(settings, urls, keys)
    async with serving(app) as http:
        await gql(http, tenant.slug, "{ __typename }")  # the tenant directory knows the slug
        async with app.state.runtime.engine.connect() as held:
            await held.execute(text("SELECT 1"))
            anonymous = _post(
                http, tenant.slug, "{ chapters(first: 1) { edges { node { name } } } }"
            )
            signed_in = _post(
                http, tenant.slug, "{ viewer { email } }", token=tenant.token("ops@x.example")
            )
            started = time.perf_counter()
            health = await http.get("/healthz")
            assert health.status_code == 200
            assert time.perf_counter() - started < 0.5
            responses = await asyncio.gather(anonymous, signed_in)
            assert time.perf_counter() - started < 2.5
        for response in responses:
            assert response.status_code == 503, response.text
            assert response.headers["retry-after"] == "1"
            assert "database is unavailable" in response.text
            assert "INTERNAL" not in response.text
        # Released, the pool serves again.
        assert data_of(await gql(http, tenant.slug, "{ __typename }")) == {"__typename": "Query"}


async def _post(http: httpx.AsyncClient, slug: str, query: str, token: str | None = None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await http.post(f"/t/{slug}/graphql", json={"query": query}, headers=headers)


async def test_the_deadline_also_ends_a_wait_for_the_database(settings, urls, keys, tenants):
    tenant = await tenants.create()
    app = create_app(
        dataclasses.replace(settings, request_timeout_seconds=1),
        app_url=urls.app,
        keys=keys,
        engine_options={**SMALL_POOL, "pool_timeout": 30},
    )
    async with serving(app) as http:
        await gql(http, tenant.slug, "{ __typename }")  # the tenant directory knows the slug
        async with app.state.runtime.engine.connect() as held:
            await held.execute(text("SELECT 1"))
            started = time.perf_counter()
            response = await _post(
                http, tenant.slug, "{ chapters(first: 1) { edges { node { name } } } }"
            )
            elapsed = time.perf_counter() - started
        assert response.status_code == 503
        assert "within 1 s" in response.json()["error"]
        assert elapsed < 2.5
        # Nothing was left behind: the pool serves the next request.
        assert data_of(
            await gql(http, tenant.slug, "{ chapters(first: 1) { edges { node { name } } } }")
        )
