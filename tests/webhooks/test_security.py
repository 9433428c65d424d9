"""Who may manage webhooks, where deliveries may go, and what stays within a tenant."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import text

from chapters.db.session import open_tenant_session, tenant_sessionmaker
from chapters.models import TenantRole
from chapters.webhooks.receiver import Receiver
from tests.support import Api, code_set, codes
from tests.webhooks.conftest import (
    ADMIN,
    CREATE,
    ENDPOINT,
    LEAD,
    MEMBER,
    STAFF,
    accept_activity,
    create_endpoint,
    deliveries,
    drain,
    url_of,
)

LIST = "{ webhookEndpoints(first: 50) { edges { node { id url } } } }"
UPDATE = """
mutation($input: WebhookEndpointUpdateInput!) {
  webhookEndpointUpdate(input: $input) { endpoint { id } errors { field code } }
}"""
DELETE = """
mutation($id: ID!) { webhookEndpointDelete(id: $id) { deletedId errors { field code } } }"""
ROTATE = """
mutation($id: ID!) {
  webhookEndpointRotateSecret(id: $id) { secret errors { field code } }
}"""
RETRY = """
mutation($id: ID!) {
  webhookDeliveryRetry(id: $id) { delivery { id } errors { field code } }
}"""


async def _create(api: Api, url: str, **fields) -> dict:
    body = await api.raw(CREATE, {"input": {"url": url, **fields}})
    assert not body.get("errors"), body
    return body["data"]["webhookEndpointCreate"]


@pytest.fixture(scope="module")
async def strict_admin(client, tenants) -> Api:
    """An admin of a deployment with the default settings (no private networks)."""
    tenant = await tenants.create("wh-ssrf", {ADMIN: TenantRole.ADMIN})
    return Api(client, tenant, ADMIN)


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://localhost/hook",  # a name resolving to loopback
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.10/hook",
        "https://172.16.0.1/hook",
        "https://169.254.169.254/latest/meta-data",  # cloud metadata (link-local)
        "https://0.0.0.0/hook",
        "http://93.184.215.14/hook",  # public, but plain http
        "ftp://93.184.215.14/hook",
        "https://user:password@93.184.215.14/hook",
    ],
)
async def test_private_and_unsafe_urls_are_refused_when_not_allowed(client, tenants, url):
    tenant = await tenants.create(
        "wh-ssrf",
        {ADMIN: None}
        | {ADMIN: __import__("chapters.models", fromlist=["TenantRole"]).TenantRole.ADMIN},
    )
    payload = await _create(Api(client, tenant, ADMIN), url)
    assert payload["endpoint"] is None and payload["secret"] is None
    assert codes(payload) == [("url", "INVALID")], payload


async def test_a_deployment_allowing_private_networks_accepts_them(world):
    payload = await _create(world.admin, "http://localhost:9/hook")
    assert payload["errors"] == [] and payload["endpoint"]["url"] == "http://localhost:9/hook"


async def test_delivery_time_checks_refuse_private_targets(
    world, receiver, owner_engine, app_engine, webhook_settings, urls
):
    """An endpoint set while private networks were allowed (or a name that resolves elsewhere
    now) gets nothing once they are not: checked at every delivery."""
    for url in (url_of(receiver, "localhost", "https"), url_of(receiver, "127.0.0.1")):
        await create_endpoint(world.admin, url)
    strict = dataclasses.replace(webhook_settings, webhook_allow_private_networks=False)
    await accept_activity(owner_engine, world, "Refused")
    await drain(strict, urls, app_engine, world.tenant.id)
    assert receiver.arrivals == []
    listed = (await world.admin.data(LIST))["webhookEndpoints"]["edges"]
    errors = []
    for edge in listed:
        [delivery] = await deliveries(world.admin, edge["node"]["id"])
        assert delivery["lastStatusCode"] is None and delivery["status"] == "PENDING"
        errors.append(delivery["lastError"])
    assert any("loopback" in error for error in errors), errors  # localhost, resolved
    assert any("https://" in error for error in errors), errors  # http refused outright


async def test_event_types_are_checked_against_the_catalog(world):
    payload = await _create(
        world.admin, "http://127.0.0.1:9/h", eventTypes=["activity.accepted", "activity.eaten"]
    )
    assert codes(payload) == [("eventTypes.1", "INVALID")]
    payload = await _create(world.admin, "http://127.0.0.1:9/h", eventTypes=[])
    assert codes(payload) == [("eventTypes", "REQUIRED")]
    payload = await _create(world.admin, "", eventTypes=None)
    assert codes(payload) == [("url", "REQUIRED")]
    payload = await _create(world.admin, "http://127.0.0.1:9/h", eventTypes=None)
    assert payload["errors"] == [] and payload["endpoint"]["eventTypes"] is None  # all


async def test_only_tenant_admins_manage_webhooks(world, webhook_client):
    endpoint_id, _ = await create_endpoint(world.admin, "http://127.0.0.1:9/hook")
    for email in (STAFF, LEAD, MEMBER, None):
        api = world.api(webhook_client, email)
        body = await api.raw(LIST)
        assert body["errors"] and body["data"] is None, (email, body)
        assert (await api.raw(ENDPOINT, {"id": endpoint_id}))["data"] == {"webhookEndpoint": None}
        body = await api.raw(
            "query($e: ID!) { webhookDeliveries(endpointId: $e) { edges { cursor } } }",
            {"e": endpoint_id},
        )
        assert body["errors"] and body["data"] is None
        created = (await api.raw(CREATE, {"input": {"url": "http://127.0.0.1:9/x"}}))["data"]
        denied = {("FORBIDDEN",), ("UNAUTHENTICATED",)}
        assert {(c,) for _, c in codes(created["webhookEndpointCreate"])} <= denied
        assert codes(created["webhookEndpointCreate"])
        for query, variables, name in (
            (UPDATE, {"input": {"id": endpoint_id, "enabled": False}}, "webhookEndpointUpdate"),
            (DELETE, {"id": endpoint_id}, "webhookEndpointDelete"),
            (ROTATE, {"id": endpoint_id}, "webhookEndpointRotateSecret"),
        ):
            result = (await api.raw(query, variables))["data"][name]
            assert result["errors"] and {c for _, c in codes(result)} <= {
                "FORBIDDEN",
                "UNAUTHENTICATED",
            }, (email, name, result)
    # Nothing changed.
    shown = (await world.admin.data(ENDPOINT, {"id": endpoint_id}))["webhookEndpoint"]
    assert shown["enabled"] is True


async def test_tenants_never_see_or_receive_each_others_webhooks(
    world, tenants, owner_engine, app_engine, webhook_client, webhook_settings, urls
):
    from tests.support import make_chapter
    from tests.webhooks.conftest import PEOPLE, World

    other_tenant = await tenants.create("wh-b", dict(PEOPLE))
    other_chapter = await make_chapter(owner_engine, other_tenant, "suzhou", staff=STAFF)
    other = World(other_tenant, other_chapter, Api(webhook_client, other_tenant, ADMIN))
    await drain(webhook_settings, urls, app_engine, other_tenant.id)

    mine, theirs = Receiver(), Receiver()
    mine.start(), theirs.start()
    try:
        my_endpoint, my_secret = await create_endpoint(world.admin, url_of(mine), eventTypes=None)
        their_endpoint, their_secret = await create_endpoint(
            other.admin, url_of(theirs), eventTypes=None
        )
        mine.secrets, theirs.secrets = [my_secret], [their_secret]
        await accept_activity(owner_engine, other, "Theirs")
        await drain(webhook_settings, urls, app_engine, other.tenant.id)
        await drain(webhook_settings, urls, app_engine, world.tenant.id)
    finally:
        mine.stop(), theirs.stop()
    assert mine.arrivals == []
    assert {a.payload["type"] for a in theirs.arrivals} == {
        "activity.submitted",
        "activity.accepted",
    }
    assert all(a.verified for a in theirs.arrivals)

    [their_delivery, *_] = await deliveries(other.admin, their_endpoint)
    listed = (await world.admin.data(LIST))["webhookEndpoints"]["edges"]
    assert [edge["node"]["id"] for edge in listed] == [my_endpoint]
    assert (await world.admin.data(ENDPOINT, {"id": their_endpoint}))["webhookEndpoint"] is None
    body = await world.admin.raw(
        "query($e: ID!) { webhookDeliveries(endpointId: $e) { edges { cursor } } }",
        {"e": their_endpoint},
    )
    assert body["errors"] and "not found" in body["errors"][0]["message"]
    for query, variables, name in (
        (UPDATE, {"input": {"id": their_endpoint, "enabled": False}}, "webhookEndpointUpdate"),
        (DELETE, {"id": their_endpoint}, "webhookEndpointDelete"),
        (ROTATE, {"id": their_endpoint}, "webhookEndpointRotateSecret"),
        (RETRY, {"id": their_delivery["id"]}, "webhookDeliveryRetry"),
    ):
        result = (await world.admin.data(query, variables))[name]
        assert code_set(result) == {("id", "NOT_FOUND")}, (name, result)
    assert (await other.admin.data(ENDPOINT, {"id": their_endpoint}))["webhookEndpoint"]["enabled"]


async def test_secrets_are_never_read_back_nor_written_to_the_audit_log(
    world, owner_engine, webhook_client
):
    created = await _create(world.admin, "http://127.0.0.1:9/hook")
    rotated = (await world.admin.data(ROTATE, {"id": created["endpoint"]["id"]}))[
        "webhookEndpointRotateSecret"
    ]
    secrets = [created["secret"], rotated["secret"]]
    fields = await world.admin.data('{ __type(name: "WebhookEndpoint") { fields { name } } }')
    names = [field["name"] for field in fields["__type"]["fields"]]
    assert "url" in names and not any("secret" in name.lower() for name in names)
    async with open_tenant_session(tenant_sessionmaker(owner_engine), world.tenant.id) as session:
        rows = (
            await session.execute(
                text(
                    "SELECT object_type, changes::text AS changes FROM audit_log"
                    " WHERE object_type LIKE 'Webhook%'"
                )
            )
        ).all()
    assert {row.object_type for row in rows} >= {"WebhookEndpoint", "WebhookSecret"}
    for row in rows:
        assert not any(secret in row.changes for secret in secrets)
        assert "whsec_" not in row.changes
