"""Read replicas (``DATABASE_REPLICA_URL``): queries are answered by a real streaming replica,
mutations by the primary, and a caller who wrote reads their write at once even while the
replica lags (replay paused); others see the replica's state until it catches up. A replica
that is down is read around: the primary answers, never an error.

The primary and its hot standby are started on free 127.0.0.1 ports from the Debian
PostgreSQL packages (``tests/db/streaming_replica.py``).
"""

from __future__ import annotations

import dataclasses
import itertools
import os
from collections.abc import AsyncIterator, Iterator

import asyncpg
import httpx
import pytest
from graphql import OperationType
from sqlalchemy import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from chapters.api.replica_reads import operation_type
from chapters.app import create_app
from chapters.db.admin import DatabaseUrls, scratch_database
from chapters.db.read_pool import STATEMENT_LISTENERS
from chapters.db.replica import (
    RECENT_WRITE_SECONDS,
    MemoryRecentWrites,
    lsn_number,
    lsn_text,
)
from chapters.models import TenantRole
from tests.db.streaming_replica import Cluster, caught_up, streaming_replica
from tests.support import TenantFactory, TenantFixture, data_of, gql, serving, trust_provider

WRITER = "writer@x.example"
READER = "reader@x.example"
RENAME = """mutation ($input: TenantUpdateInput!) {
  tenantUpdate(input: $input) { tenant { name } errors { code } } }"""
TEST_REDIS = os.environ.get("TEST_REDIS_URL") or "redis://127.0.0.1:6379/15"

_documents = itertools.count()


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    with streaming_replica() as started:
        yield started


@pytest.fixture(scope="module")
def replica_urls(cluster: Cluster, settings) -> Iterator[tuple[DatabaseUrls, str]]:
    """The migrated database on the primary, and the app role's URL of it on the replica."""
    with scratch_database(cluster.primary, settings, "chapters_replica") as urls:
        replica_port = make_url(cluster.replica).port
        on_replica = make_url(urls.app).set(port=replica_port)
        yield urls, on_replica.render_as_string(hide_password=False)


@pytest.fixture(scope="module")
async def primary_owner(replica_urls) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(replica_urls[0].owner, poolclass=NullPool)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="module")
async def tenant(primary_owner, keys, settings, cluster) -> TenantFixture:
    factory = TenantFactory(primary_owner, keys, settings)
    created = await factory.create(people={WRITER: TenantRole.ADMIN, READER: TenantRole.VIEWER})
    await caught_up(cluster.primary, cluster.replica)
    return created


def _app(settings, replica_urls, keys, **changes):
    urls, replica = replica_urls
    configured = dataclasses.replace(settings, database_replica_url=replica, **changes)
    return create_app(configured, app_url=urls.app, keys=keys)


async def _rename(http: httpx.AsyncClient, tenant: TenantFixture, name: str) -> None:
    response = await http.post(
        f"/t/{tenant.slug}/graphql",
        json={"query": RENAME, "variables": {"input": {"name": name}}},
        headers={"Authorization": f"Bearer {tenant.token(WRITER)}"},
    )
    assert response.status_code == 200, response.text
    assert data_of(response.json())["tenantUpdate"] == {"tenant": {"name": name}, "errors": []}


def test_the_operation_decides_where_a_request_reads() -> None:
    assert operation_type("{ tenant { name } }", None, 100) is OperationType.QUERY
    assert operation_type("mutation { a }", None, 100) is OperationType.MUTATION
    two = "query A { a } mutation B { b }"
    assert operation_type(two, "A", 100) is OperationType.QUERY
    assert operation_type(two, "B", 100) is OperationType.MUTATION
    assert operation_type(two, None, 100) is None  # which one: GraphQL refuses it
    assert operation_type("{ unclosed", None, 100) is None
    assert operation_type("{ " + "a " * 200 + "}", None, 100) is None  # over the token limit
    assert lsn_text(lsn_number("16/B374D848")) == "16/B374D848"


async def test_a_callers_recent_write_is_kept_for_a_while() -> None:
    clock = [0.0]
    writes = MemoryRecentWrites(clock=lambda: clock[0])
    await writes.record("t:person:1", 200)
    await writes.record("t:person:1", 100)  # an earlier write, recorded late
    assert await writes.latest("t:person:1") == 200
    assert await writes.latest("t:person:2") is None
    clock[0] = RECENT_WRITE_SECONDS + 1
    assert await writes.latest("t:person:1") is None


async def _names(http: httpx.AsyncClient, tenant: TenantFixture, email: str) -> list[str]:
    """The tenant's name as the person reads it: a document new to the app (Strawberry
    answers, and the document becomes known), then the same again twice (the compiled front
    door answers: reading the caller first if this process has not met them, then as one
    statement through a read pool)."""
    query = f"# read {next(_documents)}\n{{ tenant {{ name }} }}"
    headers = {"Authorization": f"Bearer {tenant.token(email)}"}
    names, front_door = [], []
    STATEMENT_LISTENERS.append(front_door.append)
    try:
        for _ in range(3):
            response = await http.post(
                f"/t/{tenant.slug}/graphql", json={"query": query}, headers=headers
            )
            assert response.status_code == 200, response.text
            names.append(data_of(response.json())["tenant"]["name"])
    finally:
        STATEMENT_LISTENERS.remove(front_door.append)
    assert front_door, "the front door did not answer"
    return names


async def _replay(cluster: Cluster, action: str) -> None:
    standby = await asyncpg.connect(cluster.replica)
    try:
        await standby.execute(f"SELECT pg_wal_replay_{action}()")
    finally:
        await standby.close()


async def test_queries_read_on_the_replica_and_a_writer_reads_their_write(
    cluster, replica_urls, tenant, settings, keys
) -> None:
    app = _app(settings, replica_urls, keys, redis_url=None)
    async with serving(app) as http:
        before = (await _names(http, tenant, READER))[0]
        await _replay(cluster, "pause")
        try:
            await _rename(http, tenant, "Renamed while the replica waits")  # on the primary
            assert await _names(http, tenant, WRITER) == ["Renamed while the replica waits"] * 3
            # the replica answers everyone else, and has not replayed the rename
            assert await _names(http, tenant, READER) == [before] * 3
        finally:
            await _replay(cluster, "resume")
        await caught_up(cluster.primary, cluster.replica)
        assert await _names(http, tenant, READER) == ["Renamed while the replica waits"] * 3
        replica = await asyncpg.connect(cluster.replica)
        try:
            serving_here = await replica.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1",
                f"chapters:{os.getpid()}",
            )
        finally:
            await replica.close()
        assert serving_here >= 1  # this process's pools hold connections to the replica


async def test_every_process_knows_a_callers_write_through_redis(
    cluster, replica_urls, tenant, settings, keys
) -> None:
    """Two API processes (two apps here) share the callers' recent writes through Redis: a
    write through one is read back through the other while the replica lags."""
    first = _app(settings, replica_urls, keys, redis_url=TEST_REDIS)
    second = _app(settings, replica_urls, keys, redis_url=TEST_REDIS)
    async with serving(first) as one, serving(second) as other:
        before = (await _names(other, tenant, READER))[0]
        await _replay(cluster, "pause")
        try:
            await _rename(one, tenant, "Renamed through the first process")
            assert await _names(other, tenant, WRITER) == ["Renamed through the first process"] * 3
            assert await _names(other, tenant, READER) == [before] * 3
        finally:
            await _replay(cluster, "resume")
        await caught_up(cluster.primary, cluster.replica)


async def test_a_first_sign_in_links_its_identity_on_the_primary(
    cluster, replica_urls, tenant, settings, keys, provider
) -> None:
    """Signing in with a provider's token for the first time links the identity to the person
    of its verified email: a write, in a query. The replica refuses it; the primary links."""
    app = _app(settings, replica_urls, keys, redis_url=None)
    async with serving(app) as http:
        await trust_provider(http, tenant, provider, caller=WRITER, linkByVerifiedEmail=True)
        await caught_up(cluster.primary, cluster.replica)
        token = provider.token(sub="first-sign-in", email=READER, email_verified=True)
        viewer = await gql(http, tenant.slug, "{ viewer { email } }", token=token)
        assert data_of(viewer) == {"viewer": {"email": READER}}
    primary = await asyncpg.connect(replica_urls[0].admin.replace("+asyncpg", ""))
    try:
        linked = await primary.fetchval(
            "SELECT count(*) FROM person_identities WHERE subject = 'first-sign-in'"
        )
    finally:
        await primary.close()
    assert linked == 1


async def test_a_replica_that_is_down_is_read_around(
    cluster, replica_urls, tenant, settings, keys
) -> None:
    app = _app(settings, replica_urls, keys, redis_url=None)
    async with serving(app) as http:
        await _names(http, tenant, READER)  # the replica's pools are open
        cluster.stop_replica()
        await _rename(http, tenant, "Renamed with the replica down")
        assert await _names(http, tenant, READER) == ["Renamed with the replica down"] * 3
        assert await _names(http, tenant, WRITER) == ["Renamed with the replica down"] * 3
