"""Chapters and memberships through the HTTP API: the flows leads and ops run, the history
they can ask about, and the rules that keep one chapter's lead out of another chapter."""

from __future__ import annotations

import pytest

from chapters.api.ids import global_id
from chapters.models import TenantRole
from tests.support import data_of, gql, make_chapter, person_id

PEOPLE = {
    "admin@x.example": TenantRole.ADMIN,
    "ops@x.example": TenantRole.OPS,
    "lead.a@x.example": None,
    "colead.a@x.example": None,
    "member.a@x.example": None,
    "member2.a@x.example": None,
    "lead.b@x.example": None,
    "outsider@x.example": None,
}


@pytest.fixture
async def world(tenants, owner_engine):
    tenant = await tenants.create(people=PEOPLE)
    a = await make_chapter(
        owner_engine,
        tenant,
        "alpha",
        staff="ops@x.example",
        lead="lead.a@x.example",
        co_leads=("colead.a@x.example",),
        members=("member.a@x.example", "member2.a@x.example"),
    )
    b = await make_chapter(
        owner_engine, tenant, "beta", staff="ops@x.example", lead="lead.b@x.example"
    )
    return tenant, a, b


ROSTER = """query ($slug: String!) { chapter(slug: $slug) {
  name members { edges { node { role status person { displayName email } } } } } }"""


async def test_a_member_reads_the_roster_without_other_members_emails(client, world) -> None:
    tenant, _, _ = world
    body = await gql(
        client, tenant.slug, ROSTER, {"slug": "alpha"}, token=tenant.token("member.a@x.example")
    )
    people = {
        edge["node"]["person"]["displayName"]: edge["node"]["person"]["email"]
        for edge in data_of(body)["chapter"]["members"]["edges"]
    }
    assert people == {
        "lead.a": None,
        "colead.a": None,
        "member.a": "member.a@x.example",  # their own
        "member2.a": None,
    }


async def test_a_lead_sees_the_emails_of_their_chapter_only(client, world) -> None:
    tenant, _, _ = world
    token = tenant.token("lead.a@x.example")
    body = await gql(client, tenant.slug, ROSTER, {"slug": "alpha"}, token=token)
    emails = [e["node"]["person"]["email"] for e in data_of(body)["chapter"]["members"]["edges"]]
    assert None not in emails and len(emails) == 4
    other = await gql(client, tenant.slug, ROSTER, {"slug": "beta"}, token=token)
    assert other["data"]["chapter"]["members"] is None
    assert other["errors"][0]["extensions"]["code"] == "FORBIDDEN"


UPDATE = """mutation ($input: ChapterUpdateInput!) { chapterUpdate(input: $input) {
  chapter { name description } errors { field code message } } }"""


async def test_a_lead_cannot_change_another_chapter(client, world) -> None:
    tenant, a, b = world
    token = tenant.token("lead.a@x.example")
    own = await gql(
        client,
        tenant.slug,
        UPDATE,
        {"input": {"id": global_id("Chapter", a.id), "description": "Meetups every month"}},
        token=token,
    )
    assert data_of(own)["chapterUpdate"] == {
        "chapter": {"name": "Alpha", "description": "Meetups every month"},
        "errors": [],
    }
    other = await gql(
        client,
        tenant.slug,
        UPDATE,
        {"input": {"id": global_id("Chapter", b.id), "description": "Taken over"}},
        token=token,
    )
    assert data_of(other)["chapterUpdate"] == {
        "chapter": None,
        "errors": [
            {
                "field": None,
                "code": "FORBIDDEN",
                "message": "You are not allowed to edit this chapter",
            }
        ],
    }
    check = await gql(client, tenant.slug, '{ chapter(slug: "beta") { description } }')
    assert data_of(check)["chapter"]["description"] is None


APPOINT = """mutation ($input: ChapterAppointLeadInput!) { chapterAppointLead(input: $input) {
  membership { role status person { displayName } } errors { field code message } } }"""
HISTORY = """query ($slug: String!, $filter: MembershipHistoryFilter) { chapter(slug: $slug) {
  membershipHistory(filter: $filter, first: 50) { totalCount edges { node {
    role status startedAt endedAt person { displayName } changedBy { displayName } } } } } }"""


async def test_lead_handover_keeps_the_history(client, world) -> None:
    tenant, a, _ = world
    token = tenant.token("lead.a@x.example")
    body = await gql(
        client,
        tenant.slug,
        APPOINT,
        {
            "input": {
                "chapterId": global_id("Chapter", a.id),
                "personId": person_id(tenant, "colead.a@x.example"),
                "previousLeadBecomes": "MEMBER",
                "reason": "moving abroad",
            }
        },
        token=token,
    )
    assert data_of(body)["chapterAppointLead"] == {
        "membership": {"role": "LEAD", "status": "ACTIVE", "person": {"displayName": "colead.a"}},
        "errors": [],
    }
    leads = await gql(
        client,
        tenant.slug,
        HISTORY,
        {"slug": "alpha", "filter": {"role": ["LEAD"]}},
        token=tenant.token("ops@x.example"),
    )
    periods = data_of(leads)["chapter"]["membershipHistory"]
    assert periods["totalCount"] == 2
    first, second = (edge["node"] for edge in periods["edges"])
    assert first["person"]["displayName"] == "lead.a" and first["endedAt"] is not None
    assert second["person"]["displayName"] == "colead.a" and second["endedAt"] is None
    assert second["changedBy"]["displayName"] == "lead.a"
    # Who led at a moment between the two: exactly the first lead.
    moment = {"from": first["startedAt"], "to": first["endedAt"]}
    during = await gql(
        client,
        tenant.slug,
        HISTORY,
        {
            "slug": "alpha",
            "filter": {"role": ["LEAD"], "status": ["ACTIVE"], "overlapping": moment},
        },
        token=tenant.token("ops@x.example"),
    )
    names = [
        e["node"]["person"]["displayName"]
        for e in data_of(during)["chapter"]["membershipHistory"]["edges"]
    ]
    assert names == ["lead.a"]


async def test_a_co_lead_cannot_appoint_the_lead(client, world) -> None:
    tenant, a, _ = world
    body = await gql(
        client,
        tenant.slug,
        APPOINT,
        {
            "input": {
                "chapterId": global_id("Chapter", a.id),
                "personId": person_id(tenant, "colead.a@x.example"),
            }
        },
        token=tenant.token("colead.a@x.example"),
    )
    assert data_of(body)["chapterAppointLead"]["errors"][0]["code"] == "FORBIDDEN"


REMOVE = """mutation ($input: MembershipChangeInput!) { membershipRemove(input: $input) {
  membership { status leftAt } errors { field code message } } }"""
MEMBERS_BY_STATUS = """query ($slug: String!) { chapter(slug: $slug) {
  members(status: [LEFT]) { edges { node { id person { displayName } } } }
  current: members { edges { node { id person { displayName } } } } } }"""


async def test_removing_a_member_keeps_them_as_left(client, world) -> None:
    tenant, _, _ = world
    ops = tenant.token("ops@x.example")
    roster = data_of(
        await gql(client, tenant.slug, MEMBERS_BY_STATUS, {"slug": "alpha"}, token=ops)
    )
    member = next(
        e["node"]["id"]
        for e in roster["chapter"]["current"]["edges"]
        if e["node"]["person"]["displayName"] == "member2.a"
    )
    body = await gql(
        client,
        tenant.slug,
        REMOVE,
        {"input": {"membershipId": member, "reason": "moved away"}},
        token=tenant.token("lead.a@x.example"),
    )
    result = data_of(body)["membershipRemove"]
    assert result["errors"] == [] and result["membership"]["status"] == "LEFT"
    roster = data_of(
        await gql(client, tenant.slug, MEMBERS_BY_STATUS, {"slug": "alpha"}, token=ops)
    )
    assert [e["node"]["person"]["displayName"] for e in roster["chapter"]["members"]["edges"]] == [
        "member2.a"
    ]
    assert "member2.a" not in str(roster["chapter"]["current"])


async def test_the_database_allows_one_active_lead_per_chapter(owner_engine, world) -> None:
    from sqlalchemy import select
    from sqlalchemy.exc import IntegrityError

    from chapters.db.session import open_tenant_session, tenant_sessionmaker
    from chapters.models import ChapterMembership, ChapterRole

    tenant, a, _ = world
    async with open_tenant_session(tenant_sessionmaker(owner_engine), tenant.id) as session:
        colead = await session.scalar(
            select(ChapterMembership).where(
                ChapterMembership.chapter_id == a.id, ChapterMembership.role == ChapterRole.CO_LEAD
            )
        )
        colead.role = ChapterRole.LEAD  # bypassing the service: the index must still refuse
        with pytest.raises(IntegrityError, match="uq_chapter_memberships_one_active_lead"):
            await session.flush()


async def test_a_membership_cannot_point_into_another_tenant(owner_engine, tenants, world) -> None:
    """Composite foreign keys: the database refuses a row naming another tenant's chapter."""
    import uuid

    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    from chapters.db.session import open_tenant_session, tenant_sessionmaker

    _, a, _ = world
    other = await tenants.create(people={"x@x.example": None})
    async with open_tenant_session(tenant_sessionmaker(owner_engine), other.id) as session:
        with pytest.raises(IntegrityError) as refused:
            await session.execute(
                text(
                    "INSERT INTO chapter_memberships (tenant_id, id, chapter_id, person_id, role, status)"
                    " VALUES (:t, :i, :c, :p, 'member', 'active')"
                ),
                {"t": other.id, "i": uuid.uuid4(), "c": a.id, "p": other.people["x@x.example"].id},
            )
    assert refused.value.orig.sqlstate == "23503"


CREATE = """mutation ($input: ChapterCreateInput!) { chapterCreate(input: $input) {
  chapter { slug timezone status parent { slug } statusHistory { toStatus reason } }
  errors { field code message } } }"""


async def test_ops_create_chapters_and_bad_input_is_typed(client, world) -> None:
    tenant, a, _ = world
    ops = tenant.token("ops@x.example")
    good = await gql(
        client,
        tenant.slug,
        CREATE,
        {
            "input": {
                "name": "Alpha West",
                "slug": "alpha-west",
                "parentId": global_id("Chapter", a.id),
                "contactLinks": [{"kind": "website", "url": "https://alpha.example"}],
            }
        },
        token=ops,
    )
    assert data_of(good)["chapterCreate"] == {
        "chapter": {
            "slug": "alpha-west",
            "timezone": "UTC",
            "status": "FORMING",
            "parent": {"slug": "alpha"},
            "statusHistory": [{"toStatus": "FORMING", "reason": "chapter created"}],
        },
        "errors": [],
    }
    bad = await gql(
        client,
        tenant.slug,
        CREATE,
        {
            "input": {
                "name": " ",
                "slug": "Alpha West",
                "timezone": "Mars/Base",
                "country": "China",
                "contactLinks": [{"kind": "fax", "url": "javascript:alert(1)"}],
            }
        },
        token=ops,
    )
    fields = {(e["field"], e["code"]) for e in data_of(bad)["chapterCreate"]["errors"]}
    assert fields == {
        ("name", "REQUIRED"),
        ("slug", "INVALID"),
        ("timezone", "INVALID"),
        ("country", "INVALID"),
        ("contactLinks.0.kind", "INVALID"),
        ("contactLinks.0.url", "INVALID"),
    }
    taken = await gql(
        client, tenant.slug, CREATE, {"input": {"name": "Again", "slug": "alpha"}}, token=ops
    )
    assert data_of(taken)["chapterCreate"]["errors"] == [
        {"field": "slug", "code": "CONFLICT", "message": "Another chapter has this slug"}
    ]
    member = await gql(
        client,
        tenant.slug,
        CREATE,
        {"input": {"name": "Mine", "slug": "mine"}},
        token=tenant.token("lead.a@x.example"),
    )
    assert data_of(member)["chapterCreate"]["errors"][0]["code"] == "FORBIDDEN"


async def test_cycles_in_the_chapter_tree_are_refused(client, world, owner_engine, tenants) -> None:
    tenant, a, _ = world
    child = await make_chapter(
        owner_engine, tenant, "alpha-kid", staff="ops@x.example", parent_id=a.id
    )
    body = await gql(
        client,
        tenant.slug,
        UPDATE.replace("chapter { name description }", "chapter { name }"),
        {"input": {"id": global_id("Chapter", a.id), "parentId": global_id("Chapter", child.id)}},
        token=tenant.token("ops@x.example"),
    )
    assert data_of(body)["chapterUpdate"]["errors"] == [
        {"field": "parentId", "code": "INVALID", "message": "A chapter cannot be its own ancestor"}
    ]


STATUS = """mutation ($input: ChapterChangeStatusInput!) { chapterChangeStatus(input: $input) {
  chapter { status statusHistory { fromStatus toStatus reason changedBy { displayName } } }
  errors { field code message } } }"""


async def test_status_changes_are_kept_with_who_and_why(client, world) -> None:
    tenant, a, _ = world
    body = await gql(
        client,
        tenant.slug,
        STATUS,
        {
            "input": {
                "id": global_id("Chapter", a.id),
                "status": "DORMANT",
                "reason": "no events in 6 months",
            }
        },
        token=tenant.token("ops@x.example"),
    )
    chapter = data_of(body)["chapterChangeStatus"]["chapter"]
    assert chapter["status"] == "DORMANT"
    assert chapter["statusHistory"][-1] == {
        "fromStatus": "ACTIVE",
        "toStatus": "DORMANT",
        "reason": "no events in 6 months",
        "changedBy": {"displayName": "ops"},
    }
    lead = await gql(
        client,
        tenant.slug,
        STATUS,
        {"input": {"id": global_id("Chapter", a.id), "status": "ACTIVE", "reason": "back"}},
        token=tenant.token("lead.a@x.example"),
    )
    assert data_of(lead)["chapterChangeStatus"]["errors"][0]["code"] == "FORBIDDEN"


async def test_another_tenants_chapter_is_plain_not_found(client, world, tenants) -> None:
    _, a, _ = world
    other = await tenants.create(people={"ops@y.example": TenantRole.OPS})
    body = await gql(
        client,
        other.slug,
        UPDATE,
        {"input": {"id": global_id("Chapter", a.id), "name": "Stolen"}},
        token=other.token("ops@y.example"),
    )
    assert data_of(body)["chapterUpdate"]["errors"] == [
        {"field": "id", "code": "NOT_FOUND", "message": "Chapter not found"}
    ]
    node = await gql(
        client,
        other.slug,
        "query ($id: ID!) { node(id: $id) { id } }",
        {"id": global_id("Chapter", a.id)},
        token=other.token("ops@y.example"),
    )
    assert data_of(node) == {"node": None}


INVITE = """mutation ($input: MembershipJoinInput!) { membershipInvite(input: $input) {
  membership { id status role } errors { field code message } } }"""
ACCEPT = """mutation ($input: MembershipChangeInput!) { membershipAccept(input: $input) {
  membership { status joinedAt } errors { field code message } } }"""


async def test_invite_then_accept(client, world) -> None:
    tenant, a, _ = world
    invited = await gql(
        client,
        tenant.slug,
        INVITE,
        {
            "input": {
                "chapterId": global_id("Chapter", a.id),
                "personId": person_id(tenant, "outsider@x.example"),
            }
        },
        token=tenant.token("colead.a@x.example"),
    )
    membership = data_of(invited)["membershipInvite"]["membership"]
    assert (membership["status"], membership["role"]) == ("INVITED", "MEMBER")
    again = await gql(
        client,
        tenant.slug,
        INVITE,
        {
            "input": {
                "chapterId": global_id("Chapter", a.id),
                "personId": person_id(tenant, "outsider@x.example"),
            }
        },
        token=tenant.token("colead.a@x.example"),
    )
    assert data_of(again)["membershipInvite"]["errors"][0]["code"] == "CONFLICT"
    not_theirs = await gql(
        client,
        tenant.slug,
        ACCEPT,
        {"input": {"membershipId": membership["id"]}},
        token=tenant.token("member.a@x.example"),
    )
    assert data_of(not_theirs)["membershipAccept"]["errors"][0]["code"] in {
        "FORBIDDEN",
        "NOT_FOUND",
    }
    accepted = await gql(
        client,
        tenant.slug,
        ACCEPT,
        {"input": {"membershipId": membership["id"]}},
        token=tenant.token("outsider@x.example"),
    )
    result = data_of(accepted)["membershipAccept"]
    assert result["errors"] == [] and result["membership"]["status"] == "ACTIVE"


async def test_directory_filters_and_keyset_pages(client, tenants, owner_engine) -> None:
    tenant = await tenants.create(people={"ops@x.example": TenantRole.OPS})
    for index in range(7):
        await make_chapter(owner_engine, tenant, f"city-{index}", staff="ops@x.example")
    query = """query ($after: String, $text: String) { chapters(first: 3, after: $after, filter: {text: $text}) {
      edges { node { slug } } pageInfo { hasNextPage endCursor } } }"""
    seen, after = [], None
    while True:
        page = data_of(await gql(client, tenant.slug, query, {"after": after}))["chapters"]
        seen += [edge["node"]["slug"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [f"city-{i}" for i in range(7)]
    text = data_of(await gql(client, tenant.slug, query, {"text": "ty-3"}))["chapters"]["edges"]
    assert [edge["node"]["slug"] for edge in text] == ["city-3"]
    bad = await gql(client, tenant.slug, "{ chapters(first: 101) { edges { node { slug } } } }")
    assert bad["errors"][0]["extensions"]["code"] == "INVALID"
    cursor = await gql(
        client, tenant.slug, '{ chapters(after: "garbage") { edges { node { slug } } } }'
    )
    assert cursor["errors"][0]["extensions"] == {"code": "INVALID", "field": "after"}


async def test_a_malformed_id_is_a_typed_error(client, world) -> None:
    tenant, _, _ = world
    body = await gql(
        client,
        tenant.slug,
        UPDATE,
        {"input": {"id": "not a global id", "name": "x"}},
        token=tenant.token("ops@x.example"),
    )
    assert data_of(body)["chapterUpdate"]["errors"] == [
        {"field": "id", "code": "INVALID", "message": "Not a valid id"}
    ]
