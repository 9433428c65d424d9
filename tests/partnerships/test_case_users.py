"""Case users through the GraphQL endpoint: staff record an organisation's story; once it
grants permission to publish its name and logo it is on the public list (anonymous callers
included) with its public fields only; withdrawn, it leaves the list. A partner's client reads
its own organisation's story and nothing else, another tenant's ids are not found, and the
public list costs a constant number of SQL statements."""

from __future__ import annotations

import uuid

from chapters.api.ids import global_id
from chapters.models import TenantRole
from tests.partnerships.partnerships_support import (
    ADMIN,
    CASE_USER_ADD,
    CASE_USER_NODE,
    CASE_USER_UPDATE,
    GRANT,
    MEMBER,
    OPS,
    WITHDRAW,
    Api,
    PartnerApi,
    partner_token,
)
from tests.support import codes, make_activity, make_chapter, statements_sent

PEOPLE = {ADMIN: TenantRole.ADMIN, OPS: TenantRole.OPS, MEMBER: None}
PUBLIC_FIELDS = ("name", "website", "logoUrl", "products", "scale", "story", "published")


async def _talks(owner_engine, tenant, *titles: str, accept: bool = True) -> list[str]:
    chapter = await make_chapter(owner_engine, tenant, f"c-{uuid.uuid4().hex[:6]}", staff=OPS)
    ids = []
    for title in titles:
        activity = await make_activity(
            owner_engine, tenant, chapter.id, staff=OPS, title=title, accept=accept
        )
        ids.append(global_id("Activity", activity.id))
    return ids


async def test_permission_puts_a_story_on_the_public_list_and_withdrawal_takes_it_off(
    client, tenants, owner_engine
) -> None:
    tenant = await tenants.create(people=PEOPLE)
    ops, anonymous, member = (Api(client, tenant, e) for e in (OPS, None, MEMBER))
    [talk] = await _talks(owner_engine, tenant, "Running 500 nodes at Acme")
    [draft] = await _talks(owner_engine, tenant, "Not yet accepted", accept=False)
    acme = await ops.organisation("Acme Cloud", website="https://acme.example")
    cto = await ops.contact(acme, "Dana CTO")

    refused = await ops.mutate(
        CASE_USER_ADD, organisationId=acme, activityIds=[talk, draft], logoUrl="logo.png"
    )
    assert codes(refused) == [("logoUrl", "INVALID")]
    refused = await ops.mutate(CASE_USER_ADD, organisationId=acme, activityIds=[talk, draft])
    assert codes(refused) == [("activityIds.1", "NOT_FOUND")]
    refused = await ops.mutate(CASE_USER_ADD, organisationId=acme, products=[{"product": " "}])
    assert codes(refused) == [("products.0.product", "REQUIRED")]
    story = (
        await ops.ok(
            CASE_USER_ADD,
            organisationId=acme,
            products=[
                {"product": "Chapters", "version": "2.4"},
                {"product": "Chapters CLI", "version": None},
            ],
            scale="12 clusters, 500 nodes",
            story="Acme moved its CI to the community's stack.",
            logoUrl="https://acme.example/logo.svg",
            activityIds=[talk],
            notes="Renewal talk in March",
        )
    )["caseUser"]
    assert story["products"] == [
        {"product": "Chapters", "version": "2.4"},
        {"product": "Chapters CLI", "version": None},
    ]
    assert (story["published"], story["permission"], story["notes"]) == (
        False,
        None,
        "Renewal talk in March",
    )
    twice = await ops.mutate(CASE_USER_ADD, organisationId=acme)
    assert codes(twice) == [("organisationId", "CONFLICT")]
    assert await anonymous.case_users() == []
    assert await anonymous.node(CASE_USER_NODE, story["id"]) is None

    # who granted it: the organisation's contact, or a name; not both, not neither
    other_org = await ops.organisation("Other Org")
    stranger = await ops.contact(other_org, "Not Theirs")
    assert codes(await ops.mutate(GRANT, caseUserId=story["id"])) == [("grantedByName", "REQUIRED")]
    both = await ops.mutate(GRANT, caseUserId=story["id"], contactId=cto, grantedByName="Dana")
    assert codes(both) == [("contactId", "INVALID")]
    assert codes(await ops.mutate(GRANT, caseUserId=story["id"], contactId=stranger)) == [
        ("contactId", "NOT_FOUND")
    ]
    granted = (await ops.ok(GRANT, caseUserId=story["id"], contactId=cto))["caseUser"]
    assert granted["published"] is True
    assert granted["permission"]["grantedByContact"] == {"name": "Dana CTO"}
    assert granted["permission"]["recordedBy"] == {"displayName": "ops"}

    for caller in (anonymous, member):
        [public] = await caller.case_users()
        assert {k: public[k] for k in PUBLIC_FIELDS} == {
            "name": "Acme Cloud",
            "website": "https://acme.example",
            "logoUrl": "https://acme.example/logo.svg",
            "products": story["products"],
            "scale": "12 clusters, 500 nodes",
            "story": "Acme moved its CI to the community's stack.",
            "published": True,
        }
        assert public["activities"] == [{"title": "Running 500 nodes at Acme"}]
        assert (public["notes"], public["permission"]) == (None, None)  # staff's only
    assert (await anonymous.case_users())[0]["organisation"] is None  # the registry: people's

    withdrawn = (await ops.ok(WITHDRAW, caseUserId=story["id"]))["caseUser"]
    assert withdrawn["published"] is False
    assert withdrawn["permission"]["withdrawalRecordedBy"] == {"displayName": "ops"}
    assert withdrawn["permission"]["grantedByContact"] == {"name": "Dana CTO"}  # on record
    assert await anonymous.case_users() == []
    assert await anonymous.node(CASE_USER_NODE, story["id"]) is None
    again = await ops.mutate(WITHDRAW, caseUserId=story["id"])
    assert codes(again) == [("caseUserId", "CONFLICT")]
    assert [c["id"] for c in await ops.case_users()] == [story["id"]]  # staff see every story
    assert [c["id"] for c in await ops.case_users(published=False)] == [story["id"]]
    assert await ops.case_users(published=True) == []

    # granted again by a person named in free text
    regranted = (await ops.ok(GRANT, caseUserId=story["id"], grantedByName="Lee, Head of IT"))[
        "caseUser"
    ]
    assert regranted["permission"]["grantedByName"] == "Lee, Head of IT"
    assert regranted["permission"]["withdrawnOn"] is None
    assert [c["name"] for c in await anonymous.case_users()] == ["Acme Cloud"]

    refused = await member.mutate(CASE_USER_UPDATE, id=story["id"], story="Edited")
    assert codes(refused) == [(None, "FORBIDDEN")]
    refused = await member.mutate(WITHDRAW, caseUserId=story["id"])
    assert codes(refused) == [(None, "FORBIDDEN")]
    edited = await ops.ok(CASE_USER_UPDATE, id=story["id"], activityIds=None, scale=None)
    assert (edited["caseUser"]["activities"], edited["caseUser"]["scale"]) == ([], None)


async def test_a_partner_reads_its_own_story_only(client, tenants) -> None:
    tenant = await tenants.create(people=PEOPLE)
    ops = Api(client, tenant, OPS)
    own_org, other_org = await ops.organisation("Partner Co"), await ops.organisation("Rival Co")
    own = (await ops.ok(CASE_USER_ADD, organisationId=own_org, story="Ours", notes="Staff only"))[
        "caseUser"
    ]
    await ops.contact(own_org, "Pat Contact")
    other = (await ops.ok(CASE_USER_ADD, organisationId=other_org, story="Theirs"))["caseUser"]
    await ops.ok(GRANT, caseUserId=other["id"], grantedByName="Their CEO")
    partner = PartnerApi(client, tenant, await partner_token(client, tenant, own_org))

    [seen] = await partner.case_users()  # its own, not yet published; not the published other
    assert (seen["id"], seen["story"], seen["name"]) == (own["id"], "Ours", "Partner Co")
    assert (seen["notes"], seen["permission"]) == (None, None)
    assert await partner.node(CASE_USER_NODE, other["id"]) is None
    contacts = await partner.data(
        "query ($id: ID!) { node(id: $id) { ... on Organisation { contacts { name } } } }",
        {"id": own_org},
    )
    assert contacts["node"] == {"contacts": None}
    refused = await partner.mutate(CASE_USER_UPDATE, id=own["id"], story="Rewritten")
    assert codes(refused) == [(None, "FORBIDDEN")]


async def test_another_tenants_case_users_are_not_found(client, tenants) -> None:
    home = await tenants.create(people=PEOPLE)
    abroad = await tenants.create(people=PEOPLE)
    there = Api(client, abroad, OPS)
    foreign_org = await there.organisation("Foreign Ltd")
    foreign = (await there.ok(CASE_USER_ADD, organisationId=foreign_org))["caseUser"]["id"]
    await there.ok(GRANT, caseUserId=foreign, grantedByName="Someone")

    here = Api(client, home, ADMIN)
    assert await here.case_users() == []
    assert await Api(client, home, None).case_users() == []
    assert await here.node(CASE_USER_NODE, foreign) is None
    assert codes(await here.mutate(CASE_USER_UPDATE, id=foreign, story="x")) == [
        ("id", "NOT_FOUND")
    ]
    assert codes(await here.mutate(WITHDRAW, caseUserId=foreign)) == [("caseUserId", "NOT_FOUND")]
    assert codes(await here.mutate(CASE_USER_ADD, organisationId=foreign_org)) == [
        ("organisationId", "NOT_FOUND")
    ]
    own = await here.ok(CASE_USER_ADD, organisationId=await here.organisation("Home"))
    foreign_contact = await there.contact(foreign_org, "Abroad Contact")
    granted = await here.mutate(GRANT, caseUserId=own["caseUser"]["id"], contactId=foreign_contact)
    assert codes(granted) == [("contactId", "NOT_FOUND")]


async def _public_list_statements(client, app, tenants, owner_engine, count: int) -> int:
    tenant = await tenants.create(people=PEOPLE)
    ops = Api(client, tenant, OPS)
    talks = await _talks(owner_engine, tenant, "Talk one", "Talk two")
    for index in range(count):
        organisation = await ops.organisation(f"User {index}", website="https://u.example")
        made = await ops.ok(
            CASE_USER_ADD,
            organisationId=organisation,
            products=[{"product": "Chapters", "version": "2"}],
            activityIds=talks,
        )
        await ops.ok(GRANT, caseUserId=made["caseUser"]["id"], grantedByName="CTO")
    anonymous = Api(client, tenant, None)
    with statements_sent(app.state.runtime.engine) as statements:
        listed = await anonymous.case_users()
    assert len(listed) == count
    assert all(len(c["activities"]) == 2 and c["website"] for c in listed)
    return len(statements)


async def test_the_public_list_costs_a_constant_number_of_statements(
    client, app, tenants, owner_engine
) -> None:
    few = await _public_list_statements(client, app, tenants, owner_engine, 3)
    many = await _public_list_statements(client, app, tenants, owner_engine, 15)
    assert few == many, (few, many)
    assert many <= 8
