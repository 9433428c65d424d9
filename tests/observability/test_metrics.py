"""``GET /metrics`` as Prometheus scrapes it: requests counted by route, operation and outcome
(operation names bounded to the trusted documents'), their time and SQL statements, token
verifications and rate-limit refusals, the pools and the job queue; with
``CHAPTERS_METRICS_TOKEN`` set, only for callers sending it."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from prometheus_client import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from chapters.app import create_app
from chapters.auth.tokens import issue_access_token
from chapters.db.session import open_tenant_session, tenant_sessionmaker
from chapters.jobs.queue import enqueue
from chapters.models import TenantRole
from tests.support import serving, statements_sent

ADMIN = "admin@x.example"
TENANT = (
    "# The community named in the path, for page headers and defaults.\n"
    "query Tenant {\n  tenant {\n    slug\n    name\n    timezone\n    defaultLocale\n  }\n}\n"
)
GRAPHQL_ROUTE = "/t/{tenant_slug}/graphql"  # the route label: its template
METRICS_TOKEN = "metrics-" + uuid.uuid4().hex

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parsed(exposition: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
    }


async def scrape(http: httpx.AsyncClient, token: str | None = None) -> Samples:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await http.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == CONTENT_TYPE_PLAIN_0_0_4
    return parsed(response.text)


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def moved(before: Samples, after: Samples, name: str, **labels: str) -> float:
    return value(after, name, **labels) - value(before, name, **labels)


def requests_moved(before: Samples, after: Samples, route: str = GRAPHQL_ROUTE) -> dict:
    """What moved of ``chapters_http_requests_total`` on ``route``: (operation, outcome) -> n."""
    moves = {}
    for (name, labels), count in after.items():
        found = dict(labels)
        if name == "chapters_http_requests_total" and found["route"] == route:
            delta = count - before.get((name, labels), 0.0)
            if delta:
                moves[(found["operation"], found["outcome"])] = delta
    return moves


@pytest.fixture(scope="module")
async def tenant(tenants):
    return await tenants.create(people={ADMIN: TenantRole.ADMIN})


async def post(client, slug: str, query: str, token: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await client.post(f"/t/{slug}/graphql", json={"query": query}, headers=headers)


async def test_requests_are_counted_by_route_operation_and_outcome(client, app, tenant) -> None:
    token = tenant.token(ADMIN)
    before = await scrape(client)
    with statements_sent(app.state.runtime.engine) as statements:
        answers = [
            await post(client, tenant.slug, TENANT, token),  # a trusted document
            await post(client, tenant.slug, TENANT, token),  # (the front door answers it)
            await post(client, tenant.slug, "query MyOwnName { tenant { slug } }", token),
            await post(client, tenant.slug, "{ chapters(first: -1) { edges { cursor } } }", token),
            await post(client, tenant.slug, "query Tenant { tenant { nope } }", token),
            await post(client, "no-such-tenant", "{ tenant { slug } }", token),
        ]
    after = await scrape(client)
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 400, 404]
    assert requests_moved(before, after) == {
        ("Tenant", "ok"): 2,
        ("other", "ok"): 1,  # a name no trusted document has
        ("anonymous", "graphql_errors"): 1,  # a field error: 200 with errors
        ("Tenant", "client_error"): 1,  # invalid: named, never run
        ("anonymous", "client_error"): 1,  # no such tenant
    }
    route = {"route": GRAPHQL_ROUTE}
    assert moved(before, after, "chapters_http_request_sql_statements_count", **route) == 6
    assert moved(before, after, "chapters_http_request_sql_statements_sum", **route) == len(
        statements
    )
    duration = {"route": GRAPHQL_ROUTE, "operation": "Tenant"}
    assert moved(before, after, "chapters_http_request_duration_seconds_count", **duration) == 3
    assert moved(before, after, "chapters_http_request_duration_seconds_sum", **duration) > 0
    # a histogram's buckets: the slowest bucket holds them all
    slowest = {**duration, "le": "+Inf"}
    assert moved(before, after, "chapters_http_request_duration_seconds_bucket", **slowest) == 3


async def test_no_label_names_a_tenant_a_person_or_a_query(client, tenant) -> None:
    await post(client, tenant.slug, "query Q1x { tenant { slug } }", tenant.token(ADMIN))
    samples = await scrape(client)
    labels = {(k, v) for _, sample_labels in samples for k, v in sample_labels}
    assert not [v for _, v in labels if tenant.slug in v or "@" in v]
    # a route is its template: its braces name parameters, nothing else has any
    assert not [v for k, v in labels if k != "route" and "{" in v]
    routes = {v for k, v in labels if k == "route"}
    assert all(route.startswith("/") or route == "unmatched" for route in routes), routes
    operations = {v for k, v in labels if k == "operation"}
    assert "Q1x" not in operations and {"other", "anonymous"} <= operations


async def test_token_verifications_are_counted_by_outcome(client, tenant, keys, settings) -> None:
    person = str(tenant.people[ADMIN].id)
    expired = issue_access_token(
        keys, settings, tenant_id=tenant.id, subject=person, ttl_seconds=-120
    )
    query = "query Tenant { tenant { slug } }"  # not a trusted document: Strawberry's path
    before = await scrape(client)
    assert (await post(client, tenant.slug, query, tenant.token(ADMIN))).status_code == 200
    assert (await post(client, tenant.slug, TENANT, tenant.token(ADMIN))).status_code == 200
    assert (await post(client, tenant.slug, query)).status_code == 200
    assert (await post(client, tenant.slug, query, "not-a-token")).status_code == 401
    assert (await post(client, tenant.slug, query, expired)).status_code == 401
    after = await scrape(client)
    outcomes = {
        outcome: moved(before, after, "chapters_token_verifications_total", outcome=outcome)
        for outcome in ("valid", "none", "invalid", "expired", "unlinked")
    }
    assert outcomes == {"valid": 2, "none": 1, "invalid": 1, "expired": 1, "unlinked": 0}


async def test_the_pools_are_reported(client, settings) -> None:
    samples = await scrape(client)
    size = settings.database_pool_size
    assert value(samples, "chapters_db_pool_limit", pool="engine") == 2 * size
    assert value(samples, "chapters_db_pool_limit", pool="reads") == size
    for pool in ("engine", "reads"):
        assert value(samples, "chapters_db_pool_waiting", pool=pool) == 0
        idle = value(samples, "chapters_db_pool_connections", pool=pool, state="idle")
        in_use = value(samples, "chapters_db_pool_connections", pool=pool, state="in_use")
        assert 0 <= in_use + idle <= 2 * size


async def test_callers_waiting_for_a_connection_are_reported(settings, urls, keys) -> None:
    app = create_app(
        dataclasses.replace(settings, database_pool_size=1), app_url=urls.app, keys=keys
    )
    async with serving(app) as http:
        await scrape(
            http
        )  # the job queue counted (for a while): the next scrape needs no connection
        engine = app.state.runtime.engine

        async def third() -> None:
            async with engine.connect() as connection:
                await connection.exec_driver_sql("SELECT 1")

        async with engine.connect() as first, engine.connect() as second:  # size 1, overflow 1
            await first.exec_driver_sql("SELECT 1")
            await second.exec_driver_sql("SELECT 1")
            waiting = asyncio.create_task(third())
            await asyncio.sleep(0.1)
            samples = await scrape(http)
            waiting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await waiting
        assert value(samples, "chapters_db_pool_waiting", pool="engine") == 1
        assert value(samples, "chapters_db_pool_connections", pool="engine", state="in_use") == 2
        assert value(samples, "chapters_db_pool_overflow", pool="engine") == 1


@pytest.fixture
async def guarded(settings, urls, keys) -> AsyncIterator[httpx.AsyncClient]:
    """An app whose /metrics asks for a token, with two failed token requests per client."""
    app = create_app(
        dataclasses.replace(settings, metrics_token=METRICS_TOKEN, token_failures_per_client=2),
        app_url=urls.app,
        keys=keys,
    )
    async with serving(app) as http:
        yield http


async def test_metrics_ask_for_the_token_when_one_is_set(guarded) -> None:
    assert (await guarded.get("/metrics")).status_code == 401
    wrong = {"Authorization": "Bearer " + METRICS_TOKEN[:-1]}
    answer = await guarded.get("/metrics", headers=wrong)
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"].startswith("Bearer")
    assert METRICS_TOKEN not in answer.text
    assert "chapters_http_requests_total" in str(await scrape(guarded, METRICS_TOKEN))


async def test_rate_limit_refusals_are_counted(guarded) -> None:
    before = await scrape(guarded, METRICS_TOKEN)
    client_id = f"nobody-{uuid.uuid4().hex[:8]}"
    statuses = [
        (
            await guarded.post(
                "/oauth/token",
                data={"grant_type": "client_credentials"},
                auth=(client_id, "wrong"),
            )
        ).status_code
        for _ in range(4)
    ]
    after = await scrape(guarded, METRICS_TOKEN)
    assert statuses == [401, 401, 429, 429]
    limiter = {"limiter": "oauth_token"}
    assert moved(before, after, "chapters_rate_limit_refusals_total", **limiter) == 2
    assert requests_moved(before, after, "/oauth/token") == {("anonymous", "client_error"): 4}


async def test_the_job_queue_is_counted_by_queue_and_status(
    guarded, tenant, app_engine, owner_engine
) -> None:
    queue = f"metrics-{uuid.uuid4().hex[:6]}"
    async with open_tenant_session(tenant_sessionmaker(app_engine), tenant.id) as session:
        for n in range(3):
            await enqueue(session, "metrics.example", queue=queue, n=n)
        await session.commit()
    async with owner_engine.begin() as connection:
        await connection.execute(
            text(
                "UPDATE procrastinate_jobs SET status = 'failed'"
                " WHERE id = (SELECT min(id) FROM procrastinate_jobs WHERE queue_name = :queue)"
            ),
            {"queue": queue},
        )
    samples = await scrape(guarded, METRICS_TOKEN)
    jobs = {
        status: value(samples, "chapters_job_queue_jobs", queue=queue, status=status)
        for status in ("todo", "doing", "failed", "aborting")
    }
    assert jobs == {"todo": 2, "doing": 0, "failed": 1, "aborting": 0}
    async with owner_engine.begin() as connection:  # no worker of another test runs them
        await connection.execute(
            text("DELETE FROM procrastinate_jobs WHERE queue_name = :queue"), {"queue": queue}
        )
