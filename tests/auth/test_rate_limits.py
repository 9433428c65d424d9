"""Failed attempts on ``POST /oauth/token`` are limited per client id and per source address:
in this process by default, in Redis (shared by every replica) when ``REDIS_URL`` is set.

The Redis tests use ``TEST_REDIS_URL`` (CI sets it: then an unreachable server fails them), or
a Redis on 127.0.0.1:6379 database 15 when one answers; otherwise they are skipped, saying so.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from redis.asyncio import Redis
from redis.exceptions import RedisError

from chapters.app import create_app
from chapters.auth.ratelimit import FailureLimiter, MemoryCounter, RedisCounter
from chapters.models import TenantRole
from tests.support import data_of, gql, serving

DEFAULT_TEST_REDIS = "redis://127.0.0.1:6379/15"
CREATE = """mutation ($input: ApiClientCreateInput!) { apiClientCreate(input: $input) {
  client { clientId } clientSecret errors { code } } }"""


@dataclasses.dataclass(frozen=True)
class Credentials:
    client_id: str
    secret: str


@pytest.fixture(scope="module")
async def tenant(tenants):
    return await tenants.create(people={"admin@x.example": TenantRole.ADMIN})


@pytest.fixture
async def api_client(client, tenant):
    """A factory of fresh API clients (each a key of its own in the limiter)."""

    async def create() -> Credentials:
        body = await gql(
            client,
            tenant.slug,
            CREATE,
            {"input": {"name": "Sync", "kind": "SERVICE", "scopes": ["activities:read"]}},
            token=tenant.token("admin@x.example"),
        )
        created = data_of(body)["apiClientCreate"]
        return Credentials(created["client"]["clientId"], created["clientSecret"])

    return create


class Callers:
    """Clients of one app, each calling from a source address of its own."""

    def __init__(self, app) -> None:
        self._app = app
        self._open: list[httpx.AsyncClient] = []

    def at(self, address: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=self._app, client=(address, 40000))
        http = httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1")
        self._open.append(http)
        return http

    async def aclose(self) -> None:
        for http in self._open:
            await http.aclose()


@asynccontextmanager
async def app_with(settings, urls, keys, **limits) -> AsyncIterator[Callers]:
    app = create_app(dataclasses.replace(settings, **limits), app_url=urls.app, keys=keys)
    async with serving(app):
        callers = Callers(app)
        try:
            yield callers
        finally:
            await callers.aclose()


def fresh_address() -> str:
    """A source address no other test (or earlier run sharing a Redis) has used."""
    return f"2001:db8:{uuid.uuid4().hex[:4]}::{uuid.uuid4().hex[:4]}"


async def token(http: httpx.AsyncClient, client_id: str, secret: str) -> httpx.Response:
    return await http.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
    )


def assert_limited(response: httpx.Response, window: int) -> None:
    assert response.status_code == 429, response.text
    assert 0 < int(response.headers["retry-after"]) <= window
    assert response.json()["error"] == "slow_down"


# --- in this process (the default) -------------------------------------------------------------


async def test_failures_are_limited_per_client_id(settings, urls, keys, api_client) -> None:
    x, y = await api_client(), await api_client()
    async with app_with(
        settings, urls, keys, token_failures_per_client=3, token_failures_per_address=100
    ) as callers:
        a, b = callers.at(fresh_address()), callers.at(fresh_address())
        for _ in range(3):
            assert (await token(a, x.client_id, "wrong")).status_code == 401
        # x is locked, from any address, even with its right secret ...
        assert_limited(await token(b, x.client_id, x.secret), window=60)
        assert_limited(await token(a, x.client_id, "wrong"), window=60)
        # ... and nobody else is.
        assert (await token(b, y.client_id, y.secret)).status_code == 200
        assert (await token(a, y.client_id, y.secret)).status_code == 200


async def test_failures_are_limited_per_source_address(settings, urls, keys, api_client) -> None:
    y = await api_client()
    async with app_with(
        settings, urls, keys, token_failures_per_client=100, token_failures_per_address=3
    ) as callers:
        a, b = callers.at(fresh_address()), callers.at(fresh_address())
        # Made-up ids, each failing once, and credentials no client can have all count.
        assert (await token(a, f"made.{uuid.uuid4().hex}", "x")).status_code == 401
        assert (await token(a, f"made.{uuid.uuid4().hex}", "x")).status_code == 401
        assert (await token(a, "bad\x00id", "x")).status_code == 401
        assert_limited(await token(a, y.client_id, y.secret), window=60)
        assert (await token(b, y.client_id, y.secret)).status_code == 200


async def test_successes_do_not_count_and_a_limit_ends_with_its_window(
    settings, urls, keys, api_client
) -> None:
    x = await api_client()
    async with app_with(
        settings,
        urls,
        keys,
        token_failures_per_client=2,
        token_failures_per_address=2,
        token_failure_window_seconds=1,
    ) as callers:
        a = callers.at(fresh_address())
        for _ in range(5):
            assert (await token(a, x.client_id, x.secret)).status_code == 200
        for _ in range(2):
            assert (await token(a, x.client_id, "wrong")).status_code == 401
        blocked = await token(a, x.client_id, x.secret)
        assert_limited(blocked, window=1)
        await asyncio.sleep(int(blocked.headers["retry-after"]) + 0.1)
        assert (await token(a, x.client_id, x.secret)).status_code == 200


async def test_the_memory_counter_forgets_old_windows_under_a_flood_of_keys() -> None:
    clock = [0.0]
    counter = MemoryCounter(clock=lambda: clock[0])
    counter.MAX_KEYS = 50
    for n in range(1_000):
        await counter.record(f"key-{n}", window=60)
    assert await counter.blocked_for("key-999", 1) == 60
    assert len(counter._windows) <= 51


async def test_an_unreachable_redis_falls_back_to_counting_in_this_process() -> None:
    limiter = FailureLimiter(
        RedisCounter(Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=1)),
        per_client=2,
        per_address=100,
        window=60,
    )
    try:
        for _ in range(2):
            await limiter.failed(client_id="c", address="a")
        assert await limiter.retry_after(client_id="c", address="a") == 60
        assert await limiter.retry_after(client_id="d", address="a") == 0
    finally:
        await limiter.aclose()


# --- in Redis, shared by replicas --------------------------------------------------------------


@pytest.fixture
async def redis_url() -> str:
    configured = os.environ.get("TEST_REDIS_URL")
    url = configured or DEFAULT_TEST_REDIS
    probe = Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        await probe.ping()
    except (RedisError, OSError) as error:
        if configured:
            pytest.fail(f"TEST_REDIS_URL={configured} does not answer: {error}")
        pytest.skip(f"no Redis at {DEFAULT_TEST_REDIS} (set TEST_REDIS_URL to run these tests)")
    finally:
        await probe.aclose()
    return url


@pytest.fixture
async def shared(redis_url):
    """Limiters of two 'replicas' on one Redis, under a key prefix of this test's own."""
    prefix = f"chapters-test:{uuid.uuid4().hex}:"
    made: list[FailureLimiter] = []

    def limiter(*, per_client: int = 3, per_address: int = 100, window: int = 60):
        made.append(
            FailureLimiter(
                RedisCounter(Redis.from_url(redis_url), prefix=prefix),
                per_client=per_client,
                per_address=per_address,
                window=window,
            )
        )
        return made[-1]

    yield limiter
    cleanup = Redis.from_url(redis_url)
    async for key in cleanup.scan_iter(match=prefix + "*"):
        await cleanup.delete(key)
    await cleanup.aclose()
    for each in made:
        await each.aclose()


async def test_replicas_share_the_limit_through_redis(shared) -> None:
    one, two = shared(), shared()
    for _ in range(3):
        await one.failed(client_id="client-1", address="192.0.2.1")
    assert 59 <= await two.retry_after(client_id="client-1", address="192.0.2.9") <= 60
    assert await two.retry_after(client_id="client-2", address="192.0.2.9") == 0


async def test_concurrent_failures_are_counted_exactly(shared) -> None:
    one, two = shared(per_client=40), shared(per_client=40)
    await asyncio.gather(
        *(
            replica.failed(client_id="client-1", address=f"192.0.2.{n}")
            for n in range(20)
            for replica in (one, two)
        )
    )
    assert await one.retry_after(client_id="client-1", address="x") > 0
    assert await shared(per_client=41).retry_after(client_id="client-1", address="x") == 0


async def test_a_shared_limit_ends_with_its_window(shared) -> None:
    one, two = shared(per_client=1, window=1), shared(per_client=1, window=1)
    await one.failed(client_id="client-1", address="a")
    assert await two.retry_after(client_id="client-1", address="b") == 1
    await asyncio.sleep(1.1)
    assert await two.retry_after(client_id="client-1", address="b") == 0


async def test_two_app_instances_share_the_limit_over_http(
    settings, urls, keys, api_client, redis_url
) -> None:
    x, y = await api_client(), await api_client()
    limits = {"redis_url": redis_url, "token_failures_per_client": 3}
    async with (
        app_with(settings, urls, keys, **limits) as first,
        app_with(settings, urls, keys, **limits) as second,
    ):
        a, b = first.at(fresh_address()), second.at(fresh_address())
        for _ in range(3):
            assert (await token(a, x.client_id, "wrong")).status_code == 401
        assert_limited(await token(b, x.client_id, x.secret), window=60)
        assert (await token(b, y.client_id, y.secret)).status_code == 200
