"""Partner agreements through the GraphQL endpoint: staff record them on a relationship and
take them through their statuses, bad input gets typed errors, an active agreement past its
end reads expired, a terminated one stays terminated, a partner's client sees its own
organisation's agreements without the staff's notes, and another tenant's ids are not found."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from chapters.api.ids import global_id
from chapters.models import TenantRole
from tests.partnerships.partnerships_support import (
    ADMIN,
    AGREEMENT_ADD,
    AGREEMENT_NODE,
    AGREEMENT_UPDATE,
    MEMBER,
    OPS,
    Api,
    PartnerApi,
    partner_token,
)
from tests.support import codes

PEOPLE = {ADMIN: TenantRole.ADMIN, OPS: TenantRole.OPS, MEMBER: None}
TODAY = datetime.now(UTC).date()


def _day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


async def test_staff_record_an_agreement_and_take_it_through_its_statuses(client, tenants) -> None:
    tenant = await tenants.create(people=PEOPLE)
    ops = Api(client, tenant, OPS)
    acme = await ops.organisation("Acme Cloud")
    partnership = await ops.relationship(acme)

    draft = (
        await ops.ok(
            AGREEMENT_ADD,
            relationshipId=partnership,
            kind="MOU",
            renewsOn=_day(300),
            documentUrl=" https://docs.example/acme-mou.pdf ",
            notes="Signed by their CTO",
        )
    )["agreement"]
    assert {k: draft[k] for k in ("kind", "status", "documentUrl", "notes")} == {
        "kind": "MOU",
        "status": "DRAFT",
        "documentUrl": "https://docs.example/acme-mou.pdf",
        "notes": "Signed by their CTO",
    }
    assert draft["organisation"] == {"name": "Acme Cloud"}
    assert draft["relationship"] == {"kind": "PARTNER"}

    # in force needs a start date
    refused = await ops.mutate(AGREEMENT_UPDATE, id=draft["id"], status="ACTIVE")
    assert codes(refused) == [("startsOn", "REQUIRED")]
    active = (
        await ops.ok(
            AGREEMENT_UPDATE,
            id=draft["id"],
            status="ACTIVE",
            startsOn=_day(-30),
            endsOn=_day(335),
        )
    )["agreement"]
    assert (active["status"], active["startsOn"], active["endsOn"]) == (
        "ACTIVE",
        _day(-30),
        _day(335),
    )
    assert [a["id"] for a in await ops.agreements(status=["ACTIVE"])] == [draft["id"]]

    # the end date passes: it reads expired without anyone recording it, filters agree
    await ops.ok(AGREEMENT_UPDATE, id=draft["id"], startsOn=_day(-400), endsOn=_day(-1))
    expired = await ops.node(AGREEMENT_NODE, draft["id"])
    assert expired is not None and expired["status"] == "EXPIRED"
    assert await ops.agreements(status=["ACTIVE"]) == []
    assert [a["id"] for a in await ops.agreements(status=["EXPIRED"])] == [draft["id"]]

    terminated = (await ops.ok(AGREEMENT_UPDATE, id=draft["id"], status="TERMINATED"))["agreement"]
    assert terminated["status"] == "TERMINATED"
    final = await ops.mutate(AGREEMENT_UPDATE, id=draft["id"], status="ACTIVE")
    assert codes(final) == [("status", "CONFLICT")]
    noted = await ops.ok(AGREEMENT_UPDATE, id=draft["id"], notes="Ended by mutual consent")
    assert noted["agreement"]["notes"] == "Ended by mutual consent"

    # ended agreements stay on record next to the relationship's new ones
    await ops.ok(AGREEMENT_ADD, relationshipId=partnership, kind="SPONSORSHIP")
    listed = await ops.agreements(organisationId=acme)
    assert [(a["kind"], a["status"]) for a in listed] == [
        ("MOU", "TERMINATED"),
        ("SPONSORSHIP", "DRAFT"),
    ]


async def test_bad_input_gets_typed_errors(client, tenants) -> None:
    tenant = await tenants.create(people=PEOPLE)
    ops = Api(client, tenant, OPS)
    partnership = await ops.relationship(await ops.organisation("Globex"))

    ends_first = await ops.mutate(
        AGREEMENT_ADD, relationshipId=partnership, kind="MOU", startsOn=_day(0), endsOn=_day(-1)
    )
    assert codes(ends_first) == [("endsOn", "INVALID")]
    for url in ("not a url", "ftp://docs.example/x.pdf", "https://", "http://[::1"):
        bad_url = await ops.mutate(
            AGREEMENT_ADD, relationshipId=partnership, kind="MOU", documentUrl=url
        )
        assert codes(bad_url) == [("documentUrl", "INVALID")], url
    renews_first = await ops.mutate(
        AGREEMENT_ADD,
        relationshipId=partnership,
        kind="MOU",
        startsOn=_day(0),
        renewsOn=_day(-10),
    )
    assert codes(renews_first) == [("renewsOn", "INVALID")]
    made = await ops.ok(AGREEMENT_ADD, relationshipId=partnership, kind="OTHER", startsOn=_day(0))
    moved_start = await ops.mutate(
        AGREEMENT_UPDATE, id=made["agreement"]["id"], endsOn=_day(5), startsOn=_day(10)
    )
    assert codes(moved_start) == [("endsOn", "INVALID")]
    cleared = await ops.mutate(AGREEMENT_UPDATE, id=made["agreement"]["id"], kind=None)
    assert codes(cleared) == [("kind", "REQUIRED")]
    unknown = await ops.mutate(
        AGREEMENT_ADD,
        relationshipId=global_id("OrganisationRelationship", uuid.uuid4()),
        kind="MOU",
    )
    assert codes(unknown) == [("relationshipId", "NOT_FOUND")]
    assert (await ops.node(AGREEMENT_NODE, made["agreement"]["id"]))["kind"] == "OTHER"


async def test_only_staff_manage_and_read_agreements(client, tenants) -> None:
    tenant = await tenants.create(people=PEOPLE)
    ops, member = Api(client, tenant, OPS), Api(client, tenant, MEMBER)
    partnership = await ops.relationship(await ops.organisation("Initech"))
    made = await ops.ok(AGREEMENT_ADD, relationshipId=partnership, kind="CO_HOSTING")
    agreement = made["agreement"]["id"]

    refused = await member.mutate(AGREEMENT_ADD, relationshipId=partnership, kind="MOU")
    assert codes(refused) == [(None, "FORBIDDEN")]
    refused = await member.mutate(AGREEMENT_UPDATE, id=agreement, notes="mine now")
    assert codes(refused) == [(None, "FORBIDDEN")]
    listed = await member.raw("{ partnerAgreements { edges { node { id } } } }")
    assert listed["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await member.node(AGREEMENT_NODE, agreement) is None
    assert await Api(client, tenant, None).node(AGREEMENT_NODE, agreement) is None


async def test_a_partner_sees_its_own_agreements_without_notes(client, tenants) -> None:
    tenant = await tenants.create(people=PEOPLE)
    ops = Api(client, tenant, OPS)
    own_org, other_org = await ops.organisation("Partner Co"), await ops.organisation("Rival Co")
    own = await ops.ok(
        AGREEMENT_ADD,
        relationshipId=await ops.relationship(own_org),
        kind="TRAINING_PARTNERSHIP",
        notes="Discount agreed: 20%",
    )
    other = await ops.ok(
        AGREEMENT_ADD, relationshipId=await ops.relationship(other_org), kind="SPONSORSHIP"
    )
    partner = PartnerApi(client, tenant, await partner_token(client, tenant, own_org))

    seen = await partner.agreements()
    assert [(a["id"], a["kind"], a["notes"]) for a in seen] == [
        (own["agreement"]["id"], "TRAINING_PARTNERSHIP", None)
    ]
    assert seen[0]["organisation"] == {"name": "Partner Co"}
    assert await partner.agreements(organisationId=other_org) == []
    assert await partner.node(AGREEMENT_NODE, other["agreement"]["id"]) is None
    refused = await partner.mutate(AGREEMENT_UPDATE, id=own["agreement"]["id"], notes="x")
    assert codes(refused) == [(None, "FORBIDDEN")]


async def test_another_tenants_agreements_are_not_found(client, tenants) -> None:
    home = await tenants.create(people=PEOPLE)
    abroad = await tenants.create(people=PEOPLE)
    there = Api(client, abroad, OPS)
    relationship = await there.relationship(await there.organisation("Foreign Ltd"))
    foreign = (await there.ok(AGREEMENT_ADD, relationshipId=relationship, kind="MOU"))["agreement"][
        "id"
    ]

    here = Api(client, home, ADMIN)
    assert await here.node(AGREEMENT_NODE, foreign) is None
    assert await here.agreements() == []
    updated = await here.mutate(AGREEMENT_UPDATE, id=foreign, notes="x")
    assert codes(updated) == [("id", "NOT_FOUND")]
    added = await here.mutate(AGREEMENT_ADD, relationshipId=relationship, kind="MOU")
    assert codes(added) == [("relationshipId", "NOT_FOUND")]
