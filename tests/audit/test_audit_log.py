"""The audit log through the HTTP endpoint: what each mutation records, pages newest first,
who reads it, and the app role cannot rewrite it. The entries are made by people's mutations
(``tests/people/test_people.py``)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine
from strawberry.relay import from_base64

from chapters.models import TenantRole
from tests.people.test_people import (
    ADMIN,
    AUDIT,
    LINK,
    MEMBER,
    NODE,
    OPS,
    STAFFED,
    UPDATE,
    _audit,
    _call,
    _create,
    _mutate,
)
from tests.support import data_of, person_id


async def test_the_audit_log_records_each_mutation(client, tenants) -> None:
    tenant = await tenants.create(people=STAFFED)
    ops_id, admin_id = person_id(tenant, OPS), person_id(tenant, ADMIN)
    person = await _create(client, tenant, displayName="Audited", email="audited@x.example")
    await _mutate(client, tenant, OPS, UPDATE, {"id": person["id"], "displayName": "Renamed"})
    await _mutate(
        client,
        tenant,
        ADMIN,
        LINK,
        {"personId": person["id"], "issuer": "https://idp.example", "subject": "a-1"},
    )

    history = await _audit(client, tenant, OPS, objectId=person["id"])
    assert [entry["action"] for entry in history] == ["personUpdate", "personCreate"]
    updated, created = history
    assert updated["operation"] == "UPDATE"
    assert updated["objectType"] == "Person"
    assert updated["objectId"] == person["id"]
    assert updated["actor"]["id"] == ops_id
    assert updated["requestId"]
    assert updated["changes"] == [{"field": "displayName", "before": "Audited", "after": "Renamed"}]
    assert created["operation"] == "INSERT"
    created_fields = {c["field"]: (c["before"], c["after"]) for c in created["changes"]}
    assert created_fields["email"] == (None, "audited@x.example")
    assert created_fields["displayName"] == (None, "Audited")

    # Identities are for admins and the person: ops see that one was linked, not to what.
    (hidden,) = await _audit(client, tenant, OPS, actorId=admin_id)
    assert hidden["changes"] == []
    (link,) = await _audit(client, tenant, ADMIN, actorId=admin_id)
    assert (link["action"], link["objectType"], link["operation"]) == (
        "personLinkIdentity",
        "IdentityLinkRequest",  # an admin's link waits for the person's confirmation
        "INSERT",
    )
    link_fields = {c["field"]: c["after"] for c in link["changes"]}
    assert link_fields["subject"] == "a-1"
    assert link_fields["personId"] == from_base64(person["id"])[1]

    by_action = await _audit(client, tenant, ADMIN, action="personCreate")
    assert [entry["objectId"] for entry in by_action] == [person["id"]]
    assert await _audit(client, tenant, OPS, actorId=ops_id, action="personLinkIdentity") == []

    # Time windows are [from, to): the update's own instant is inside from, outside to.
    at = updated["occurredAt"]
    since = await _audit(client, tenant, OPS, objectId=person["id"], occurredFrom=at)
    assert [entry["action"] for entry in since] == ["personUpdate"]
    before = await _audit(client, tenant, OPS, objectId=person["id"], occurredTo=at)
    assert [entry["action"] for entry in before] == ["personCreate"]
    assert await _audit(client, tenant, OPS, occurredFrom=at, occurredTo=at) == []

    # Entries are nodes, for ops and admins only.
    node = data_of(await _call(client, tenant, OPS, NODE, {"id": updated["id"]}))
    assert node["node"] == {"id": updated["id"], "action": "personUpdate"}
    hidden = data_of(await _call(client, tenant, MEMBER, NODE, {"id": updated["id"]}))
    assert hidden["node"] is None


async def test_the_audit_log_pages_newest_first(client, tenants) -> None:
    tenant = await tenants.create(people={OPS: TenantRole.OPS})
    for index in range(5):
        await _create(client, tenant, displayName=f"P{index}", email=f"p{index}@x.example")
    seen, after = [], None
    while True:
        variables = {"filter": {"action": "personCreate"}, "first": 2, "after": after}
        page = data_of(await _call(client, tenant, OPS, AUDIT, variables))["auditLog"]
        seen += [edge["node"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len({entry["id"] for entry in seen}) == 5
    created = [next(c["after"] for c in e["changes"] if c["field"] == "displayName") for e in seen]
    assert created == [f"P{index}" for index in reversed(range(5))]


@pytest.mark.parametrize("email", [MEMBER, "viewer@x.example", None])
async def test_only_staff_read_the_audit_log(client, tenants, email) -> None:
    tenant = await tenants.create(people={MEMBER: None, "viewer@x.example": TenantRole.VIEWER})
    body = await _call(client, tenant, email, AUDIT, {})
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_malformed_object_id_is_invalid(client, tenants) -> None:
    tenant = await tenants.create(people={OPS: TenantRole.OPS})
    body = await _call(client, tenant, OPS, AUDIT, {"filter": {"objectId": "not an id"}})
    assert body["errors"][0]["extensions"] == {"code": "INVALID", "field": "objectId"}


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"]
)
async def test_the_app_role_cannot_rewrite_the_audit_log(
    app_engine: AsyncEngine, tenants, statement: str
) -> None:
    tenant = await tenants.create(people={OPS: TenantRole.OPS})
    async with app_engine.connect() as conn:
        await conn.execute(
            text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant.id)}
        )
        assert await conn.scalar(text("SELECT count(*) FROM audit_log")) > 0
        with pytest.raises(DBAPIError) as refused:
            await conn.execute(text(statement))
        await conn.rollback()
    assert refused.value.orig.sqlstate == "42501"
