"""Deliveries reach a real receiver on 127.0.0.1, signed per Standard Webhooks: once each,
after the receiver comes back, under both secrets during a rotation; an endpoint that keeps
failing is disabled."""

from __future__ import annotations

import base64
import dataclasses
import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from chapters.db.session import open_tenant_session, tenant_sessionmaker
from chapters.global_ids import global_id
from chapters.jobs.queue import enqueue
from chapters.models import DomainEvent
from chapters.webhooks.receiver import Receiver
from tests.support import make_chapter
from tests.webhooks.conftest import (
    LEAD,
    MEMBER,
    STAFF,
    accept_activity,
    arrivals_by_id,
    create_endpoint,
    deliveries,
    drain,
    endpoint,
    make_due,
    url_of,
)

ROTATE = """
mutation($id: ID!) {
  webhookEndpointRotateSecret(id: $id) {
    secret previousSecretsExpireAt errors { field code }
  }
}"""
UPDATE = """
mutation($input: WebhookEndpointUpdateInput!) {
  webhookEndpointUpdate(input: $input) {
    endpoint { enabled consecutiveFailures disabledReason }
    errors { field code }
  }
}"""
RETRY = """
mutation($id: ID!) {
  webhookDeliveryRetry(id: $id) { delivery { status } errors { field code } }
}"""


async def test_an_accepted_activity_reaches_the_receiver_signed(
    world, receiver, owner_engine, app_engine, webhook_settings, urls
):
    endpoint_id, secret = await create_endpoint(world.admin, url_of(receiver))
    assert secret.startswith("whsec_")
    receiver.secrets = [secret]

    activity = await accept_activity(owner_engine, world, "KubeCon watch party")
    await drain(webhook_settings, urls, app_engine, world.tenant.id)

    [arrival] = receiver.arrivals
    assert arrival.verified, arrival.error
    # Verifiable by anyone holding the secret, with the library receivers use.
    assert Webhook(secret).verify(arrival.body, arrival.headers) == arrival.payload
    assert arrival.headers["webhook-id"].startswith("msg_")
    assert abs(int(arrival.headers["webhook-timestamp"]) - datetime.now(UTC).timestamp()) < 60
    assert arrival.payload["type"] == "activity.accepted"
    datetime.fromisoformat(arrival.payload["timestamp"])
    data = arrival.payload["data"]
    assert data["activity_id"] == global_id("Activity", activity.id)
    assert data["chapter_id"] == global_id("Chapter", world.chapter.id)
    assert (data["from_status"], data["to_status"]) == ("submitted", "accepted")
    # No personal data unless granted: ids only.
    assert "@" not in arrival.body.decode() and "person" not in data and "actor" not in data

    # The delivery log, as the admin sees it.
    [delivery] = await deliveries(world.admin, endpoint_id)
    assert delivery["status"] == "SUCCEEDED"
    assert (delivery["attempts"], delivery["lastStatusCode"]) == (1, 204)
    assert delivery["webhookId"] == arrival.webhook_id
    assert delivery["payload"] == arrival.payload
    assert delivery["attemptLog"] == [{"attempt": 1, "statusCode": 204, "error": None}]

    # The event's dispatch running again (a retried job) sends nothing twice.
    async with open_tenant_session(tenant_sessionmaker(app_engine), world.tenant.id) as session:
        event_ids = (
            await session.scalars(
                select(DomainEvent.id).where(DomainEvent.activity_id == activity.id)
            )
        ).all()
        for event_id in event_ids:
            await enqueue(session, "events.dispatch", queue="events", event_id=str(event_id))
        await session.commit()
    await drain(webhook_settings, urls, app_engine, world.tenant.id)
    assert len(receiver.arrivals) == 1
    assert len(await deliveries(world.admin, endpoint_id)) == 1


async def test_personal_data_only_for_an_endpoint_granted_it(
    world, owner_engine, app_engine, webhook_settings, urls
):
    plain, granted = Receiver(), Receiver()
    plain.start(), granted.start()
    try:
        _, plain_secret = await create_endpoint(
            world.admin, url_of(plain), eventTypes=["membership.joined"]
        )
        _, granted_secret = await create_endpoint(
            world.admin,
            url_of(granted),
            eventTypes=["membership.joined"],
            includePersonalData=True,
        )
        plain.secrets, granted.secrets = [plain_secret], [granted_secret]
        await make_chapter(
            owner_engine, world.tenant, "ningbo", staff=STAFF, lead=LEAD, members=(MEMBER,)
        )
        await drain(webhook_settings, urls, app_engine, world.tenant.id)
    finally:
        plain.stop(), granted.stop()

    member_id = global_id("Person", world.tenant.people[MEMBER].id)
    plain_joined = {a.payload["data"]["person_id"]: a for a in plain.arrivals}
    granted_joined = {a.payload["data"]["person_id"]: a for a in granted.arrivals}
    assert member_id in plain_joined and member_id in granted_joined
    assert all(a.verified for a in [*plain.arrivals, *granted.arrivals])
    for arrival in plain.arrivals:
        body = arrival.body.decode()
        assert "@" not in body and '"name"' not in body and '"email"' not in body
        assert "person" not in arrival.payload["data"]
    person = granted_joined[member_id].payload["data"]["person"]
    assert person == {"id": member_id, "name": "member", "email": MEMBER}
    membership = plain_joined[member_id].payload["data"]["membership_id"]
    assert base64.b64decode(membership).decode().startswith("ChapterMembership:")


async def test_secret_rotation_signs_with_old_and_new_during_the_overlap(
    world, receiver, owner_engine, app_engine, webhook_settings, urls
):
    endpoint_id, old = await create_endpoint(world.admin, url_of(receiver))
    receiver.secrets = [old]  # a receiver that has not switched yet
    rotated = (await world.admin.data(ROTATE, {"id": endpoint_id}))["webhookEndpointRotateSecret"]
    assert rotated["errors"] == []
    new = rotated["secret"]
    assert new.startswith("whsec_") and new != old
    overlap = datetime.fromisoformat(rotated["previousSecretsExpireAt"]) - datetime.now(UTC)
    assert timedelta(hours=23) < overlap <= timedelta(hours=24)

    await accept_activity(owner_engine, world, "During the overlap")
    await drain(webhook_settings, urls, app_engine, world.tenant.id)
    [arrival] = receiver.arrivals
    assert arrival.verified
    assert len(arrival.headers["webhook-signature"].split(" ")) == 2
    for secret in (old, new):
        assert Webhook(secret).verify(arrival.body, arrival.headers) == arrival.payload

    # After the overlap only the new secret signs.
    async with open_tenant_session(tenant_sessionmaker(owner_engine), world.tenant.id) as session:
        await session.execute(
            text(
                "UPDATE webhook_secrets SET expires_at = now() - interval '1 second'"
                " WHERE expires_at IS NOT NULL"
            )
        )
        await session.commit()
    receiver.secrets = [new]
    await accept_activity(owner_engine, world, "After the overlap")
    await drain(webhook_settings, urls, app_engine, world.tenant.id)
    later = receiver.arrivals[1]
    assert later.verified and len(later.headers["webhook-signature"].split(" ")) == 1
    try:
        Webhook(old).verify(later.body, later.headers)
        raise AssertionError("the expired secret still verifies")
    except WebhookVerificationError:
        pass


async def test_deliveries_wait_for_a_receiver_that_is_down_and_arrive_once(
    world, owner_engine, app_engine, webhook_settings, urls
):
    receiver = Receiver()
    port = receiver.start()
    receiver.stop()  # down: nothing listens on the port
    endpoint_id, secret = await create_endpoint(world.admin, f"http://127.0.0.1:{port}/hook")
    receiver.secrets = [secret]
    for title in ("One", "Two", "Three"):
        await accept_activity(owner_engine, world, title)
    await drain(webhook_settings, urls, app_engine, world.tenant.id)

    waiting = await deliveries(world.admin, endpoint_id)
    assert len(waiting) == 3
    for delivery in waiting:
        assert (delivery["status"], delivery["attempts"]) == ("PENDING", 1)
        assert delivery["lastStatusCode"] is None and delivery["lastError"]
    assert (await endpoint(world.admin, endpoint_id))["consecutiveFailures"] == 3

    # Back, but answering 503 for a while.
    receiver.status = 503
    receiver.start(port=port)
    try:
        assert await make_due(app_engine, world.tenant.id) == 3
        await drain(webhook_settings, urls, app_engine, world.tenant.id)
        assert len(receiver.arrivals) == 3
        assert {d["lastStatusCode"] for d in await deliveries(world.admin, endpoint_id)} == {503}

        receiver.status = None  # healthy
        assert await make_due(app_engine, world.tenant.id) == 3
        await drain(webhook_settings, urls, app_engine, world.tenant.id)
        # Nothing more is due, and nothing is sent again.
        assert await make_due(app_engine, world.tenant.id) == 0
        await drain(webhook_settings, urls, app_engine, world.tenant.id)
    finally:
        receiver.stop()

    log = await deliveries(world.admin, endpoint_id)
    assert {d["status"] for d in log} == {"SUCCEEDED"}
    assert {d["webhookId"]: d["attempts"] for d in log} == {d["webhookId"]: 3 for d in log}
    for delivery in log:
        assert [a["statusCode"] for a in delivery["attemptLog"]] == [None, 503, 204]
        assert delivery["attemptLog"][0]["error"]
    # Each delivery arrived (verified) exactly once after the 503s, under its one webhook-id.
    verified = receiver.arrivals[3:]
    assert len(verified) == 3 and all(a.verified for a in verified)
    assert sorted(arrivals_by_id(receiver).values()) == [2, 2, 2]  # a 503 and the success
    assert {a.webhook_id for a in verified} == {d["webhookId"] for d in log}
    assert len({json.loads(a.body)["data"]["activity_id"] for a in verified}) == 3
    assert (await endpoint(world.admin, endpoint_id))["consecutiveFailures"] == 0


async def test_an_endpoint_that_keeps_failing_is_disabled_until_an_admin_enables_it(
    world, receiver, owner_engine, app_engine, webhook_settings, urls
):
    strict = dataclasses.replace(webhook_settings, webhook_failures_to_disable=3)
    endpoint_id, secret = await create_endpoint(world.admin, url_of(receiver))
    receiver.secrets, receiver.status = [secret], 500
    await accept_activity(owner_engine, world, "Failing")
    await drain(strict, urls, app_engine, world.tenant.id)
    for _ in range(2):
        assert await make_due(app_engine, world.tenant.id) == 1
        await drain(strict, urls, app_engine, world.tenant.id)
    assert len(receiver.arrivals) == 3

    shown = await endpoint(world.admin, endpoint_id)
    assert shown["enabled"] is False and shown["disabledAt"]
    assert "3 failed attempts" in shown["disabledReason"]
    assert "HTTP 500" in shown["disabledReason"]
    [failed] = await deliveries(world.admin, endpoint_id, ["FAILED"])
    assert [a["statusCode"] for a in failed["attemptLog"]] == [500, 500, 500]
    assert failed["responseExcerpt"] == "ok"  # what the receiver answered
    assert await make_due(app_engine, world.tenant.id) == 0

    # Disabled: new events make no delivery.
    await accept_activity(owner_engine, world, "While disabled")
    await drain(strict, urls, app_engine, world.tenant.id)
    assert len(await deliveries(world.admin, endpoint_id)) == 1
    assert len(receiver.arrivals) == 3

    # Re-enabled: the count starts again; the failed delivery can be sent again.
    enabled = (await world.admin.data(UPDATE, {"input": {"id": endpoint_id, "enabled": True}}))[
        "webhookEndpointUpdate"
    ]
    assert enabled == {
        "endpoint": {"enabled": True, "consecutiveFailures": 0, "disabledReason": None},
        "errors": [],
    }
    receiver.status = None
    retried = (await world.admin.data(RETRY, {"id": failed["id"]}))["webhookDeliveryRetry"]
    assert retried == {"delivery": {"status": "PENDING"}, "errors": []}
    again = (await world.admin.data(RETRY, {"id": failed["id"]}))["webhookDeliveryRetry"]
    assert again["errors"] == [{"field": "id", "code": "CONFLICT"}]
    await drain(strict, urls, app_engine, world.tenant.id)
    [delivered] = await deliveries(world.admin, endpoint_id)
    assert (delivered["status"], delivered["lastStatusCode"], delivered["attempts"]) == (
        "SUCCEEDED",
        204,
        4,
    )
    assert receiver.arrivals[-1].verified
    assert receiver.arrivals[-1].webhook_id == failed["webhookId"]
