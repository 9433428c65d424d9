"""Changing and deleting endpoints; the delivery log's order, filter and pages."""

from __future__ import annotations

from tests.support import codes
from tests.webhooks.conftest import (
    accept_activity,
    create_endpoint,
    deliveries,
    drain,
    endpoint,
    url_of,
)

UPDATE = """
mutation($input: WebhookEndpointUpdateInput!) {
  webhookEndpointUpdate(input: $input) {
    endpoint { url eventTypes description includePersonalData enabled disabledReason }
    errors { field code }
  }
}"""
DELETE = """
mutation($id: ID!) { webhookEndpointDelete(id: $id) { deletedId errors { field code } } }"""
PAGE = """
query($endpoint: ID!, $after: String) {
  webhookDeliveries(endpointId: $endpoint, first: 2, after: $after) {
    edges { node { webhookId createdAt } }
    pageInfo { hasNextPage endCursor }
  }
}"""


async def test_an_admin_changes_disables_and_deletes_an_endpoint(
    world, receiver, owner_engine, app_engine, webhook_settings, urls
):
    endpoint_id, secret = await create_endpoint(world.admin, "http://127.0.0.1:9/old")
    receiver.secrets = [secret]

    async def update(**fields):
        body = await world.admin.data(UPDATE, {"input": {"id": endpoint_id, **fields}})
        return body["webhookEndpointUpdate"]

    changed = await update(
        url=url_of(receiver),
        eventTypes=["activity.submitted", "activity.accepted", "activity.submitted"],
        description="CRM",
    )
    assert changed["errors"] == []
    assert changed["endpoint"] == {
        "url": url_of(receiver),
        "eventTypes": ["activity.accepted", "activity.submitted"],
        "description": "CRM",
        "includePersonalData": False,
        "enabled": True,
        "disabledReason": None,
    }
    assert codes(await update(url="ftp://x")) == [("url", "INVALID")]
    assert codes(await update(eventTypes=["nope"])) == [("eventTypes.0", "INVALID")]
    assert codes(await update(description="x" * 501)) == [("description", "TOO_LONG")]
    assert codes(await update(enabled=None, url=None)) == [
        ("url", "REQUIRED"),
        ("enabled", "REQUIRED"),
    ]
    assert codes(await update(url=None)) == [("url", "REQUIRED")]
    assert (await endpoint(world.admin, endpoint_id))["url"] == url_of(receiver)  # unchanged

    for title in ("First", "Second"):
        await accept_activity(owner_engine, world, title)
    await drain(webhook_settings, urls, app_engine, world.tenant.id)
    assert len(receiver.arrivals) == 4 and all(a.verified for a in receiver.arrivals)

    # Newest first, in pages; the status filter.
    first = (await world.admin.data(PAGE, {"endpoint": endpoint_id}))["webhookDeliveries"]
    assert first["pageInfo"]["hasNextPage"] is True
    rest = (
        await world.admin.data(
            PAGE, {"endpoint": endpoint_id, "after": first["pageInfo"]["endCursor"]}
        )
    )["webhookDeliveries"]
    times = [e["node"]["createdAt"] for e in first["edges"] + rest["edges"]]
    assert len(times) == 4 and times == sorted(times, reverse=True)
    # (Arrival order is not promised: deliveries run concurrently.)
    assert {a.webhook_id for a in receiver.arrivals} == {
        e["node"]["webhookId"] for e in first["edges"] + rest["edges"]
    }
    assert await deliveries(world.admin, endpoint_id, ["FAILED"]) == []

    # Disabled by an admin: events make no deliveries until it is enabled again.
    disabled = await update(enabled=False)
    assert disabled["endpoint"]["enabled"] is False
    assert disabled["endpoint"]["disabledReason"] == "Disabled by an admin"
    await accept_activity(owner_engine, world, "Unheard")
    await drain(webhook_settings, urls, app_engine, world.tenant.id)
    assert len(receiver.arrivals) == 4

    deleted = (await world.admin.data(DELETE, {"id": endpoint_id}))["webhookEndpointDelete"]
    assert deleted == {"deletedId": endpoint_id, "errors": []}
    assert await endpoint(world.admin, endpoint_id) is None
    again = (await world.admin.data(DELETE, {"id": endpoint_id}))["webhookEndpointDelete"]
    assert codes(again) == [("id", "NOT_FOUND")]
