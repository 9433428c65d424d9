"""The organisation registry through the GraphQL endpoint: staff keep it, signed-in people read
it, contacts and notes stay with staff, leads link organisations to their own chapter only,
relationships are kept when they end, tenants stay apart, and a page of organisations costs a
constant number of SQL statements."""

from __future__ import annotations

import uuid
from typing import Any

from chapters.api.ids import global_id
from chapters.models import TenantRole
from tests import support
from tests.support import codes, make_chapter, person_id, statements_sent

OPS, LEAD, CO_LEAD, MEMBER = "ops@x.example", "lead@x.example", "colead@x.example", "m@x.example"
PEOPLE = {OPS: TenantRole.OPS, LEAD: None, CO_LEAD: None, MEMBER: None}

ERRORS = "errors { field code message }"
RELATIONSHIP = "id kind status startsOn endsOn notes"
CONTACT = "id name email title person { displayName }"
ORGANISATION = f"""id name kind website notes
  relationships {{ {RELATIONSHIP} }}
  contacts {{ {CONTACT} }}
  chapters {{ edges {{ node {{ slug }} }} }}"""

CREATE = f"""mutation ($input: OrganisationCreateInput!) {{
  organisationCreate(input: $input) {{ organisation {{ {ORGANISATION} }} {ERRORS} }}
}}"""
UPDATE = f"""mutation ($input: OrganisationUpdateInput!) {{
  organisationUpdate(input: $input) {{ organisation {{ {ORGANISATION} }} {ERRORS} }}
}}"""
RELATIONSHIP_ADD = f"""mutation ($input: OrganisationRelationshipAddInput!) {{
  organisationRelationshipAdd(input: $input) {{ relationship {{ {RELATIONSHIP} }} {ERRORS} }}
}}"""
RELATIONSHIP_UPDATE = f"""mutation ($input: OrganisationRelationshipUpdateInput!) {{
  organisationRelationshipUpdate(input: $input) {{ relationship {{ {RELATIONSHIP} }} {ERRORS} }}
}}"""
CONTACT_ADD = f"""mutation ($input: OrganisationContactAddInput!) {{
  organisationContactAdd(input: $input) {{ contact {{ {CONTACT} }} {ERRORS} }}
}}"""
CONTACT_UPDATE = f"""mutation ($input: OrganisationContactUpdateInput!) {{
  organisationContactUpdate(input: $input) {{ contact {{ {CONTACT} }} {ERRORS} }}
}}"""
CONTACT_REMOVE = f"""mutation ($input: OrganisationContactRemoveInput!) {{
  organisationContactRemove(input: $input) {{ contact {{ id name }} {ERRORS} }}
}}"""
LINK = f"""mutation ($input: ChapterOrganisationLinkInput!) {{
  chapterOrganisationLink(input: $input) {{
    organisation {{ name chapters {{ edges {{ node {{ slug }} }} }} }} chapter {{ slug }} {ERRORS}
  }}
}}"""
UNLINK = f"""mutation ($input: ChapterOrganisationLinkInput!) {{
  chapterOrganisationUnlink(input: $input) {{ organisation {{ name }} {ERRORS} }}
}}"""
LIST = f"""query ($filter: OrganisationFilter, $first: Int, $after: String, $last: Int,
               $before: String) {{
  organisations(filter: $filter, first: $first, after: $after, last: $last, before: $before) {{
    pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }}
    edges {{ node {{ {ORGANISATION} }} }}
  }}
}}"""
NODE = f"""query ($id: ID!) {{
  node(id: $id) {{ ... on Organisation {{ {ORGANISATION} }} }}
}}"""


class Api(support.Api):
    """One caller of one tenant's endpoint, with this module's queries."""

    async def page(self, **variables: Any) -> dict[str, Any]:
        return (await self.data(LIST, variables))["organisations"]

    async def organisations(self, **filter: Any) -> list[dict[str, Any]]:
        page = await self.page(filter=filter or None, first=100)
        return [edge["node"] for edge in page["edges"]]

    async def names(self, **filter: Any) -> list[str]:
        return [node["name"] for node in await self.organisations(**filter)]


def top_level_codes(body: dict[str, Any]) -> set[str]:
    return {error["extensions"]["code"] for error in body.get("errors") or []}


async def _create(api: Api, name: str, kind: str = "COMPANY", **fields: Any) -> dict[str, Any]:
    payload = await api.mutate(CREATE, name=name, kind=kind, **fields)
    assert payload["errors"] == [], payload
    return payload["organisation"]


async def _relate(api: Api, organisation: dict[str, Any], kind: str, **fields: Any) -> dict:
    payload = await api.mutate(
        RELATIONSHIP_ADD, organisationId=organisation["id"], kind=kind, **fields
    )
    assert payload["errors"] == [], payload
    return payload["relationship"]


async def _world(tenants, owner_engine):
    tenant = await tenants.create(people=PEOPLE)
    alpha = await make_chapter(
        owner_engine,
        tenant,
        "alpha",
        staff=OPS,
        lead=LEAD,
        co_leads=(CO_LEAD,),
        members=(MEMBER,),
    )
    beta = await make_chapter(owner_engine, tenant, "beta", staff=OPS)
    return tenant, alpha, beta


async def test_ops_keep_the_registry_and_ended_relationships_stay(client, tenants) -> None:
    tenant = await tenants.create(people=PEOPLE)
    ops = Api(client, tenant, OPS)
    acme = await _create(
        ops, "  Acme Cloud ", website=" https://acme.example/oss ", notes="Met at KubeCon"
    )
    assert (acme["name"], acme["kind"], acme["website"], acme["notes"]) == (
        "Acme Cloud",
        "COMPANY",
        "https://acme.example/oss",
        "Met at KubeCon",
    )
    assert acme["relationships"] == [] and acme["contacts"] == []

    sponsor = await _relate(
        ops, acme, "SPONSOR", status="ACTIVE", startsOn="2023-01-01", notes="Gold tier"
    )
    assert (sponsor["kind"], sponsor["status"], sponsor["startsOn"], sponsor["endsOn"]) == (
        "SPONSOR",
        "ACTIVE",
        "2023-01-01",
        None,
    )
    assert (await _relate(ops, acme, "PARTNER"))["status"] == "PROPOSED"
    ended = await ops.mutate(
        RELATIONSHIP_UPDATE, id=sponsor["id"], status="ENDED", endsOn="2023-12-31", notes=None
    )
    assert ended["errors"] == []
    assert (ended["relationship"]["status"], ended["relationship"]["endsOn"]) == (
        "ENDED",
        "2023-12-31",
    )
    assert ended["relationship"]["startsOn"] == "2023-01-01"  # omitted: kept
    assert ended["relationship"]["notes"] is None  # null: cleared

    contact = await ops.mutate(
        CONTACT_ADD,
        organisationId=acme["id"],
        name="Dana Li",
        email="dana@acme.example",
        title="OSPO lead",
        personId=person_id(tenant, MEMBER),
    )
    assert contact["errors"] == []
    assert contact["contact"]["person"] == {"displayName": "m"}
    other = await ops.mutate(CONTACT_ADD, organisationId=acme["id"], name="Bo Chen")
    assert other["errors"] == []
    changed = await ops.mutate(
        CONTACT_UPDATE, id=contact["contact"]["id"], title=None, personId=None
    )
    assert changed["errors"] == []
    assert changed["contact"] == {
        "id": contact["contact"]["id"],
        "name": "Dana Li",
        "email": "dana@acme.example",
        "title": None,
        "person": None,
    }
    removed = await ops.mutate(CONTACT_REMOVE, contactId=other["contact"]["id"])
    assert removed == {"contact": {"id": other["contact"]["id"], "name": "Bo Chen"}, "errors": []}

    updated = await ops.mutate(UPDATE, id=acme["id"], name="Acme", website=None)
    assert updated["errors"] == []
    (listed,) = await ops.organisations()
    assert listed == updated["organisation"]
    assert (listed["name"], listed["kind"], listed["website"], listed["notes"]) == (
        "Acme",
        "COMPANY",  # omitted: kept
        None,
        "Met at KubeCon",
    )
    assert [(r["kind"], r["status"]) for r in listed["relationships"]] == [
        ("SPONSOR", "ENDED"),
        ("PARTNER", "PROPOSED"),
    ]
    assert [c["name"] for c in listed["contacts"]] == ["Dana Li"]
    node = await ops.data(NODE, {"id": acme["id"]})
    assert node["node"] == listed


async def test_names_are_unique_ignoring_case(client, tenants) -> None:
    tenant = await tenants.create(people=PEOPLE)
    ops = Api(client, tenant, OPS)
    await _create(ops, "Acme Cloud")
    other = await _create(ops, "Globex")
    duplicate = await ops.mutate(CREATE, name="ACME cloud", kind="MEDIA")
    assert duplicate["organisation"] is None
    assert codes(duplicate) == [("name", "CONFLICT")]
    renamed = await ops.mutate(UPDATE, id=other["id"], name="acme CLOUD ")
    assert codes(renamed) == [("name", "CONFLICT")]
    assert await ops.names() == ["Acme Cloud", "Globex"]
    # Renaming an organisation to its own name in another case is fine.
    assert (await ops.mutate(UPDATE, id=other["id"], name="GLOBEX"))["errors"] == []


async def test_invalid_input_gets_typed_errors_and_writes_nothing(client, tenants) -> None:
    tenant = await tenants.create(people=PEOPLE)
    ops = Api(client, tenant, OPS)
    bad = await ops.mutate(CREATE, name=" ", kind="COMPANY", website="ftp://acme.example")
    assert codes(bad) == [("name", "REQUIRED"), ("website", "INVALID")]
    long = await ops.mutate(CREATE, name="x" * 201, kind="COMPANY", website="acme.example")
    assert codes(long) == [("name", "TOO_LONG"), ("website", "INVALID")]
    spaced = await ops.mutate(CREATE, name="Acme", kind="COMPANY", website="https://ac me.example")
    assert codes(spaced) == [("website", "INVALID")]
    assert await ops.names() == []

    acme = await _create(ops, "Acme", website="https://acme.example")
    cleared = await ops.mutate(UPDATE, id=acme["id"], name=None, kind=None)
    assert codes(cleared) == [("name", "REQUIRED"), ("kind", "REQUIRED")]
    malformed = await ops.mutate(UPDATE, id="not a global id", name="Other")
    assert codes(malformed) == [("id", "INVALID")]
    wrong_type = await ops.mutate(
        UPDATE, id=global_id("Chapter", uuid.uuid4()), website="http://x.example"
    )
    assert codes(wrong_type) == [("id", "NOT_FOUND")]

    backwards = await ops.mutate(
        RELATIONSHIP_ADD,
        organisationId=acme["id"],
        kind="SPONSOR",
        startsOn="2024-06-01",
        endsOn="2024-01-01",
    )
    assert codes(backwards) == [("endsOn", "INVALID")]
    missing = await ops.mutate(
        RELATIONSHIP_ADD, organisationId=global_id("Organisation", uuid.uuid4()), kind="PARTNER"
    )
    assert codes(missing) == [("organisationId", "NOT_FOUND")]
    relationship = await _relate(ops, acme, "SPONSOR", startsOn="2024-06-01")
    earlier = await ops.mutate(RELATIONSHIP_UPDATE, id=relationship["id"], endsOn="2024-05-01")
    assert codes(earlier) == [("endsOn", "INVALID")]
    no_status = await ops.mutate(RELATIONSHIP_UPDATE, id=relationship["id"], status=None)
    assert codes(no_status) == [("status", "REQUIRED")]

    contact = await ops.mutate(
        CONTACT_ADD, organisationId=acme["id"], name="", email="not-an-email"
    )
    assert codes(contact) == [("name", "REQUIRED"), ("email", "INVALID")]
    nobody = await ops.mutate(
        CONTACT_ADD,
        organisationId=acme["id"],
        name="Dana",
        personId=global_id("Person", uuid.uuid4()),
    )
    assert codes(nobody) == [("personId", "NOT_FOUND")]

    (listed,) = await ops.organisations()
    assert (listed["name"], listed["website"], listed["contacts"]) == (
        "Acme",
        "https://acme.example",
        [],
    )
    assert [(r["startsOn"], r["endsOn"], r["status"]) for r in listed["relationships"]] == [
        ("2024-06-01", None, "PROPOSED")
    ]


async def test_only_staff_manage_and_see_contacts_and_notes(client, tenants, owner_engine) -> None:
    tenant, _, _ = await _world(tenants, owner_engine)
    ops = Api(client, tenant, OPS)
    acme = await _create(ops, "Acme", notes="Budget owner: Dana")
    relationship = await _relate(ops, acme, "SPONSOR", notes="Gold tier")
    contact = await ops.mutate(CONTACT_ADD, organisationId=acme["id"], name="Dana")
    assert contact["errors"] == []

    for email in (LEAD, MEMBER):
        api = Api(client, tenant, email)
        (seen,) = await api.organisations()
        assert (seen["name"], seen["notes"], seen["contacts"]) == ("Acme", None, None)
        assert [(r["kind"], r["notes"]) for r in seen["relationships"]] == [("SPONSOR", None)]
        contact_node = await api.data(
            "query ($id: ID!) { node(id: $id) { ... on OrganisationContact { name } } }",
            {"id": contact["contact"]["id"]},
        )
        assert contact_node == {"node": None}
        attempts = [
            await api.mutate(CREATE, name=f"By {email}", kind="MEDIA"),
            await api.mutate(UPDATE, id=acme["id"], name="Renamed"),
            await api.mutate(RELATIONSHIP_ADD, organisationId=acme["id"], kind="PARTNER"),
            await api.mutate(RELATIONSHIP_UPDATE, id=relationship["id"], status="ENDED"),
            await api.mutate(CONTACT_ADD, organisationId=acme["id"], name="Eve"),
            await api.mutate(CONTACT_UPDATE, id=contact["contact"]["id"], name="Eve"),
            await api.mutate(CONTACT_REMOVE, contactId=contact["contact"]["id"]),
        ]
        assert [codes(attempt) for attempt in attempts] == [[(None, "FORBIDDEN")]] * 7

    (seen,) = await ops.organisations()
    assert (seen["name"], seen["notes"]) == ("Acme", "Budget owner: Dana")
    assert [c["name"] for c in seen["contacts"]] == ["Dana"]
    assert [(r["status"], r["notes"]) for r in seen["relationships"]] == [("PROPOSED", "Gold tier")]


async def test_leads_link_organisations_to_their_own_chapter_only(
    client, tenants, owner_engine
) -> None:
    tenant, alpha, beta = await _world(tenants, owner_engine)
    ops = Api(client, tenant, OPS)
    acme = await _create(ops, "Acme")
    alpha_id, beta_id = global_id("Chapter", alpha.id), global_id("Chapter", beta.id)
    lead, co_lead, member = (Api(client, tenant, e) for e in (LEAD, CO_LEAD, MEMBER))

    linked = await lead.mutate(LINK, chapterId=alpha_id, organisationId=acme["id"])
    assert linked == {
        "organisation": {"name": "Acme", "chapters": {"edges": [{"node": {"slug": "alpha"}}]}},
        "chapter": {"slug": "alpha"},
        "errors": [],
    }
    again = await co_lead.mutate(LINK, chapterId=alpha_id, organisationId=acme["id"])
    assert codes(again) == [("organisationId", "CONFLICT")]
    elsewhere = await lead.mutate(LINK, chapterId=beta_id, organisationId=acme["id"])
    assert codes(elsewhere) == [(None, "FORBIDDEN")]
    by_member = await member.mutate(LINK, chapterId=alpha_id, organisationId=acme["id"])
    assert codes(by_member) == [(None, "FORBIDDEN")]
    unknown = await lead.mutate(
        LINK, chapterId=alpha_id, organisationId=global_id("Organisation", uuid.uuid4())
    )
    assert codes(unknown) == [("organisationId", "NOT_FOUND")]
    assert (await ops.mutate(LINK, chapterId=beta_id, organisationId=acme["id"]))["errors"] == []

    (seen,) = await member.organisations()
    assert [edge["node"]["slug"] for edge in seen["chapters"]["edges"]] == ["alpha", "beta"]
    assert await member.names(chapterId=beta_id) == ["Acme"]

    not_theirs = await co_lead.mutate(UNLINK, chapterId=beta_id, organisationId=acme["id"])
    assert codes(not_theirs) == [(None, "FORBIDDEN")]
    unlinked = await co_lead.mutate(UNLINK, chapterId=alpha_id, organisationId=acme["id"])
    assert unlinked == {"organisation": {"name": "Acme"}, "errors": []}
    twice = await co_lead.mutate(UNLINK, chapterId=alpha_id, organisationId=acme["id"])
    assert codes(twice) == [("organisationId", "NOT_FOUND")]
    assert await member.names(chapterId=alpha_id) == []
    assert await member.names(chapterId=beta_id) == ["Acme"]


async def test_filters_and_keyset_pages(client, tenants, owner_engine) -> None:
    tenant, alpha, beta = await _world(tenants, owner_engine)
    ops = Api(client, tenant, OPS)
    acme = await _create(ops, "Acme Cloud", website="https://acme.example")
    globex = await _create(ops, "Globex", kind="FOUNDATION", website="https://globex.org")
    initech = await _create(ops, "Initech University", kind="UNIVERSITY")
    await _create(ops, "Zhihu Media", kind="MEDIA")
    await _relate(ops, acme, "SPONSOR", status="ACTIVE")
    await _relate(ops, globex, "SPONSOR", status="ENDED")
    await _relate(ops, globex, "PARTNER", status="ACTIVE")
    await _relate(ops, initech, "CASE_USER", status="PAUSED")
    alpha_id = global_id("Chapter", alpha.id)
    for organisation in (acme, initech):
        payload = await ops.mutate(LINK, chapterId=alpha_id, organisationId=organisation["id"])
        assert payload["errors"] == []

    member = Api(client, tenant, MEMBER)
    assert await member.names(kind=["FOUNDATION", "UNIVERSITY"]) == [
        "Globex",
        "Initech University",
    ]
    assert await member.names(relationship=["SPONSOR"]) == ["Acme Cloud", "Globex"]
    assert await member.names(relationshipStatus=["ACTIVE"]) == ["Acme Cloud", "Globex"]
    # Both filters describe the same relationship: Globex's sponsorship has ended.
    assert await member.names(relationship=["SPONSOR"], relationshipStatus=["ACTIVE"]) == [
        "Acme Cloud"
    ]
    assert await member.names(relationship=["SPONSOR"], relationshipStatus=["ENDED"]) == ["Globex"]
    assert await member.names(text="GLOBEX.org") == ["Globex"]
    assert await member.names(text="univ") == ["Initech University"]
    assert await member.names(text="100%") == []
    assert await member.names(chapterId=alpha_id) == ["Acme Cloud", "Initech University"]
    assert await member.names(chapterId=global_id("Chapter", beta.id)) == []
    assert await member.names(kind=["COMPANY"], chapterId=alpha_id) == ["Acme Cloud"]
    bad = await member.raw(LIST, {"filter": {"chapterId": "nonsense"}})
    assert top_level_codes(bad) == {"INVALID"}

    first = await member.page(first=3)
    assert [e["node"]["name"] for e in first["edges"]] == [
        "Acme Cloud",
        "Globex",
        "Initech University",
    ]
    assert (first["pageInfo"]["hasNextPage"], first["pageInfo"]["hasPreviousPage"]) == (
        True,
        False,
    )
    second = await member.page(first=3, after=first["pageInfo"]["endCursor"])
    assert [e["node"]["name"] for e in second["edges"]] == ["Zhihu Media"]
    assert (second["pageInfo"]["hasNextPage"], second["pageInfo"]["hasPreviousPage"]) == (
        False,
        True,
    )
    back = await member.page(last=2, before=second["pageInfo"]["startCursor"])
    assert [e["node"]["name"] for e in back["edges"]] == ["Globex", "Initech University"]
    assert back["pageInfo"]["hasPreviousPage"] is True


async def test_anonymous_callers_and_other_tenants_see_nothing(
    client, tenants, owner_engine
) -> None:
    tenant = await tenants.create(people=PEOPLE)
    other = await tenants.create(people={OPS: TenantRole.OPS})
    acme = await _create(Api(client, tenant, OPS), "Acme")

    anonymous = Api(client, tenant, None)
    listed = await anonymous.raw(LIST, {"first": 5})
    assert top_level_codes(listed) == {"FORBIDDEN"}
    assert listed["data"] is None
    assert await anonymous.data(NODE, {"id": acme["id"]}) == {"node": None}
    denied = await anonymous.mutate(CREATE, name="Anon", kind="MEDIA")
    assert codes(denied) == [(None, "FORBIDDEN")]

    stranger = Api(client, other, OPS)
    assert await stranger.data(NODE, {"id": acme["id"]}) == {"node": None}
    assert codes(await stranger.mutate(UPDATE, id=acme["id"], name="Mine")) == [("id", "NOT_FOUND")]
    assert codes(
        await stranger.mutate(RELATIONSHIP_ADD, organisationId=acme["id"], kind="SPONSOR")
    ) == [("organisationId", "NOT_FOUND")]
    assert codes(await stranger.mutate(CONTACT_ADD, organisationId=acme["id"], name="X")) == [
        ("organisationId", "NOT_FOUND")
    ]
    # The same name is free in another tenant.
    assert (await stranger.mutate(CREATE, name="Acme", kind="COMPANY"))["errors"] == []
    assert await stranger.names() == ["Acme"]
    assert [o["name"] for o in await Api(client, tenant, OPS).organisations()] == ["Acme"]


async def _statements_for(client, app, tenants, owner_engine, count: int) -> int:
    tenant, alpha, beta = await _world(tenants, owner_engine)
    ops = Api(client, tenant, OPS)
    chapter_ids = [global_id("Chapter", alpha.id), global_id("Chapter", beta.id)]
    for index in range(count):
        organisation = await _create(ops, f"Org {index:03d}")
        await _relate(ops, organisation, "SPONSOR", status="ACTIVE")
        await _relate(ops, organisation, "PARTNER")
        payload = await ops.mutate(
            CONTACT_ADD,
            organisationId=organisation["id"],
            name=f"Contact {index}",
            personId=person_id(tenant, MEMBER),
        )
        assert payload["errors"] == []
        for chapter_id in chapter_ids:
            payload = await ops.mutate(
                LINK, chapterId=chapter_id, organisationId=organisation["id"]
            )
            assert payload["errors"] == []
    with statements_sent(app.state.runtime.engine) as statements:
        page = await ops.page(first=100)
    assert len(page["edges"]) == count
    for edge in page["edges"]:
        node = edge["node"]
        assert (len(node["relationships"]), len(node["contacts"])) == (2, 1)
        assert [e["node"]["slug"] for e in node["chapters"]["edges"]] == ["alpha", "beta"]
    return len(statements)


async def test_a_page_costs_a_constant_number_of_statements(
    client, app, tenants, owner_engine
) -> None:
    few = await _statements_for(client, app, tenants, owner_engine, 5)
    many = await _statements_for(client, app, tenants, owner_engine, 50)
    assert few == many, (few, many)
    assert many <= 10
