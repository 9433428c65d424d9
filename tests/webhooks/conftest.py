"""A world for webhook tests: an app and a worker allowed to reach 127.0.0.1, a receiver on
127.0.0.1 that verifies signatures, and one fresh tenant per test (a tenant's endpoints
receive all its events, so tests do not share one)."""

from __future__ import annotations

import dataclasses
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from chapters.app import create_app
from chapters.db.session import open_tenant_session, tenant_sessionmaker
from chapters.jobs.worker import run_worker
from chapters.models import TenantRole
from chapters.settings import Settings
from chapters.webhooks.receiver import Receiver
from tests.support import Api, TenantFixture, make_activity, make_chapter, serving

ADMIN = "admin@wh.example"
STAFF = "ops@wh.example"
LEAD = "lead@wh.example"
MEMBER = "member@wh.example"
PEOPLE = {ADMIN: TenantRole.ADMIN, STAFF: TenantRole.OPS, LEAD: None, MEMBER: None}

CREATE = """
mutation($input: WebhookEndpointCreateInput!) {
  webhookEndpointCreate(input: $input) {
    endpoint { id url eventTypes enabled includePersonalData }
    secret
    errors { field code message }
  }
}"""
DELIVERIES = """
query($endpoint: ID!, $status: [WebhookDeliveryStatus!]) {
  webhookDeliveries(endpointId: $endpoint, status: $status, first: 50) {
    edges { node {
      id eventType webhookId status attempts lastStatusCode lastError responseExcerpt
      deliveredAt payload attemptLog { attempt statusCode error }
    } }
  }
}"""
ENDPOINT = """
query($id: ID!) {
  webhookEndpoint(id: $id) {
    id url enabled disabledReason disabledAt consecutiveFailures eventTypes
  }
}"""


@pytest.fixture(scope="module")
def webhook_settings(settings: Settings) -> Settings:
    return dataclasses.replace(
        settings, webhook_allow_private_networks=True, webhook_timeout_seconds=3
    )


@pytest.fixture(scope="module")
async def webhook_client(webhook_settings, urls, keys) -> AsyncIterator[httpx.AsyncClient]:
    """The API of a deployment that lets endpoints live on 127.0.0.1."""
    async with serving(create_app(webhook_settings, app_url=urls.app, keys=keys)) as http:
        yield http


@dataclass
class World:
    tenant: TenantFixture
    chapter: Any
    admin: Api

    def api(self, client: httpx.AsyncClient, email: str | None) -> Api:
        return Api(client, self.tenant, email)


@pytest.fixture
async def world(
    tenants, owner_engine, app_engine, webhook_client, webhook_settings, urls
) -> AsyncIterator[World]:
    tenant = await tenants.create("wh", dict(PEOPLE))
    chapter = await make_chapter(owner_engine, tenant, "hangzhou", staff=STAFF, lead=LEAD)
    # The chapter's own events are dispatched before a test registers its endpoints.
    await drain(webhook_settings, urls, app_engine, tenant.id)
    yield World(tenant, chapter, Api(webhook_client, tenant, ADMIN))
    # Waiting deliveries would be attempted by later tests' workers, at ports that may serve
    # another test's receiver by then: deleting the endpoints makes their jobs do nothing.
    async with open_tenant_session(tenant_sessionmaker(owner_engine), tenant.id) as session:
        await session.execute(text("DELETE FROM webhook_endpoints"))
        await session.commit()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    server.start()
    yield server
    server.stop()


def url_of(receiver: Receiver, host: str = "127.0.0.1", scheme: str = "http") -> str:
    return f"{scheme}://{host}:{receiver.port}/hook"


async def create_endpoint(api: Api, url: str, **fields: Any) -> tuple[str, str]:
    """An endpoint's global id and secret."""
    fields.setdefault("eventTypes", ["activity.accepted"])
    payload = (await api.data(CREATE, {"input": {"url": url, **fields}}))["webhookEndpointCreate"]
    assert payload["errors"] == []
    return payload["endpoint"]["id"], payload["secret"]


async def accept_activity(owner_engine, world: World, title: str = "Meetup"):
    return await make_activity(
        owner_engine, world.tenant, world.chapter.id, staff=STAFF, title=title
    )


DUE = text(
    "SELECT count(*) FROM procrastinate_jobs WHERE status = 'todo'"
    " AND task_name IN ('events.dispatch', 'webhooks.deliver')"
    " AND (scheduled_at IS NULL OR scheduled_at <= now())"
)


async def drain(settings: Settings, urls, app_engine, tenant_id: uuid.UUID) -> None:
    """Run the worker until the tenant's due dispatches and deliveries are done (a run ends
    when the queue looks empty, which it may while a job it runs is enqueueing the next)."""
    sessionmaker = tenant_sessionmaker(app_engine)
    for _ in range(10):
        await run_worker(settings, urls.app, wait=False)
        async with open_tenant_session(sessionmaker, tenant_id) as session:
            if not await session.scalar(DUE):
                return
    raise AssertionError("jobs are still due after ten runs of the worker")


async def make_due(app_engine, tenant_id: uuid.UUID) -> int:
    """Time passes: the tenant's scheduled delivery attempts are due now."""
    async with open_tenant_session(tenant_sessionmaker(app_engine), tenant_id) as session:
        result = await session.execute(
            text(
                "UPDATE procrastinate_jobs SET scheduled_at = now() WHERE status = 'todo'"
                " AND task_name = 'webhooks.deliver' AND scheduled_at > now()"
            )
        )
        await session.commit()
    return int(result.rowcount)  # type: ignore[attr-defined]


async def deliveries(api: Api, endpoint_id: str, status: list[str] | None = None) -> list[dict]:
    data = await api.data(DELIVERIES, {"endpoint": endpoint_id, "status": status})
    return [edge["node"] for edge in data["webhookDeliveries"]["edges"]]


async def endpoint(api: Api, endpoint_id: str) -> dict | None:
    return (await api.data(ENDPOINT, {"id": endpoint_id}))["webhookEndpoint"]


def arrivals_by_id(receiver: Receiver) -> Counter[str | None]:
    return Counter(arrival.webhook_id for arrival in receiver.arrivals)
