"""The author pool through the GraphQL endpoint: editors and staff add people of the tenant
(once each) and writers from outside, with topics and where they were found; bad input gets
typed errors; how to reach an author, the notes and the outreach log are shown to editors,
staff and the author themself only; a lead reads the authors who are members of their chapter,
a member and a partner nothing; the outreach log keeps each approach and its answer, and the
author's last contact."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chapters.api.ids import global_id
from chapters.models import TenantRole
from tests.authors.authors_support import (
    ADMIN,
    AUTHOR_CREATE,
    AUTHOR_NODE,
    AUTHOR_UPDATE,
    AUTHORS,
    BETA,
    EDITOR,
    LEAD,
    MEMBER,
    OPS,
    OUTREACH_ANSWER,
    OUTREACH_LOG,
    WRITER,
    Api,
    person,
)
from tests.partnerships.partnerships_support import PartnerApi, partner_token
from tests.support import codes, make_chapter, make_editor

PEOPLE = {
    ADMIN: TenantRole.ADMIN,
    OPS: TenantRole.OPS,
    EDITOR: None,
    LEAD: None,
    WRITER: None,
    MEMBER: None,
    BETA: None,
}
TODAY = datetime.now(UTC).date()


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


async def _world(client, tenants, owner_engine):
    tenant = await tenants.create(people=PEOPLE)
    await make_chapter(
        owner_engine, tenant, "alpha", staff=OPS, lead=LEAD, members=(WRITER, MEMBER)
    )
    await make_chapter(owner_engine, tenant, "beta", staff=OPS, members=(BETA,))
    await make_editor(owner_engine, tenant, EDITOR, staff=OPS)
    return tenant


async def _organisation(api: Api, name: str) -> str:
    body = await api.data(
        "mutation ($input: OrganisationCreateInput!) { organisationCreate(input: $input) {"
        " organisation { id } errors { code } } }",
        {"input": {"name": name, "kind": "COMPANY"}},
    )
    return str(body["organisationCreate"]["organisation"]["id"])


async def test_editors_keep_the_pool_with_typed_errors(client, tenants, owner_engine) -> None:
    tenant = await _world(client, tenants, owner_engine)
    editor, ops = Api(client, tenant, EDITOR), Api(client, tenant, OPS)
    cloud = await _organisation(ops, "Example Cloud")

    found = await editor.author(
        name="  Li Wei ",
        contact="WeChat: liwei-writes",
        organisationId=cloud,
        topics=[" Observability ", "eBPF", "observability", "  "],
        sourceUrl="https://blog.example/liwei",
        notes="Writes in Chinese and English.",
    )
    assert {k: found[k] for k in ("name", "origin", "topics", "sourceUrl", "contact")} == {
        "name": "Li Wei",
        "origin": "FOUND",
        "topics": ["Observability", "eBPF"],
        "sourceUrl": "https://blog.example/liwei",
        "contact": "WeChat: liwei-writes",
    }
    assert found["organisation"] == {"name": "Example Cloud"}
    assert (found["person"], found["outreach"]) == (None, [])

    # a person of the tenant: their name is their profile's, and they are in the pool once
    writer = await editor.author(personId=person(tenant, WRITER), origin="INVITED")
    assert writer["name"] == "writer" and writer["person"]["id"] == person(tenant, WRITER)
    again = await ops.mutate(AUTHOR_CREATE, personId=person(tenant, WRITER), origin="FOUND")
    assert codes(again) == [("personId", "CONFLICT")]
    named = await ops.mutate(
        AUTHOR_CREATE, personId=person(tenant, MEMBER), name="M", origin="WROTE"
    )
    assert codes(named) == [("name", "INVALID")]

    # neither a person nor a name; a bad address; too many or too long topics
    assert codes(await ops.mutate(AUTHOR_CREATE, origin="FOUND")) == [("name", "REQUIRED")]
    bad_url = await ops.mutate(AUTHOR_CREATE, name="X", origin="FOUND", sourceUrl="ftp://x")
    assert codes(bad_url) == [("sourceUrl", "INVALID")]
    many = await ops.mutate(
        AUTHOR_CREATE, name="X", origin="FOUND", topics=[f"t{i}" for i in range(21)]
    )
    assert codes(many) == [("topics", "INVALID")]
    long = await ops.mutate(AUTHOR_CREATE, name="X", origin="FOUND", topics=["ok", "x" * 101])
    assert codes(long) == [("topics.1", "TOO_LONG")]
    nobody = global_id("Person", "00000000-0000-0000-0000-000000000001")
    assert codes(await ops.mutate(AUTHOR_CREATE, personId=nobody, origin="FOUND")) == [
        ("personId", "NOT_FOUND")
    ]
    no_org = global_id("Organisation", "00000000-0000-0000-0000-000000000002")
    missing = await ops.mutate(AUTHOR_CREATE, name="X", origin="FOUND", organisationId=no_org)
    assert codes(missing) == [("organisationId", "NOT_FOUND")]

    # updates: a given list replaces the topics; null clears; a writer from outside keeps a name
    changed = await editor.ok(
        AUTHOR_UPDATE, id=found["id"], topics=["Tracing"], contact=None, origin="INVITED"
    )
    author = changed["author"]
    assert (author["topics"], author["contact"], author["origin"]) == (["Tracing"], None, "INVITED")
    assert author["notes"] == "Writes in Chinese and English."
    assert codes(await editor.mutate(AUTHOR_UPDATE, id=found["id"], name=None)) == [
        ("name", "REQUIRED")
    ]
    assert codes(await editor.mutate(AUTHOR_UPDATE, id=writer["id"], name="W")) == [
        ("name", "INVALID")
    ]
    assert codes(await editor.mutate(AUTHOR_UPDATE, id=found["id"], origin=None)) == [
        ("origin", "REQUIRED")
    ]

    # members and leads keep nothing
    for email in (MEMBER, LEAD):
        refused = await Api(client, tenant, email).mutate(AUTHOR_CREATE, name="Y", origin="FOUND")
        assert codes(refused) == [(None, "FORBIDDEN")]
        update = await Api(client, tenant, email).mutate(AUTHOR_UPDATE, id=found["id"], notes="")
        assert codes(update) == [(None, "FORBIDDEN")]


async def test_who_reads_the_pool_and_who_sees_how_to_reach_an_author(
    client, tenants, owner_engine
) -> None:
    tenant = await _world(client, tenants, owner_engine)
    ops = Api(client, tenant, OPS)
    outsider = await ops.author(name="Zhang Min", contact="zm@blog.example", notes="Met at KubeCon")
    writer = await ops.author(personId=person(tenant, WRITER), contact="+86 138", notes="Busy")
    beta = await ops.author(personId=person(tenant, BETA), contact="beta@x.example")
    await ops.outreach(writer["id"], day(-3), topic="Scaling chapters")

    # editors, ops and admins read everything, contacts included
    for email in (EDITOR, OPS, ADMIN):
        listed = {a["id"]: a for a in await Api(client, tenant, email).authors()}
        assert set(listed) == {outsider["id"], writer["id"], beta["id"]}
        assert listed[writer["id"]]["contact"] == "+86 138"
        assert listed[writer["id"]]["notes"] == "Busy"
        assert [o["topic"] for o in listed[writer["id"]]["outreach"]] == ["Scaling chapters"]
        assert listed[writer["id"]]["lastContactedOn"] == day(-3)

    # the lead of alpha: alpha's member authors only, never how to reach them
    lead = Api(client, tenant, LEAD)
    (seen,) = await lead.authors()
    assert seen["id"] == writer["id"] and seen["name"] == "writer"
    assert (seen["contact"], seen["notes"], seen["outreach"]) == (None, None, None)
    assert seen["lastContactedOn"] == day(-3)
    assert await lead.node(outsider["id"]) is None
    assert await lead.node(beta["id"]) is None
    assert (await lead.node(writer["id"]) or {})["id"] == writer["id"]

    # the author themself reads their own entry, contact and log included; nothing else
    me = Api(client, tenant, WRITER)
    own = await me.node(writer["id"])
    assert own is not None and (own["contact"], own["notes"]) == ("+86 138", "Busy")
    assert len(own["outreach"]) == 1
    assert await me.node(outsider["id"]) is None
    refused = await me.raw(AUTHORS)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    # a member reads nothing of the pool
    member = Api(client, tenant, MEMBER)
    assert (await member.raw(AUTHORS))["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await member.node(writer["id"]) is None

    # nor does a partner's client
    organisation = await _organisation(Api(client, tenant, ADMIN), "Partner Co")
    partner = PartnerApi(client, tenant, await partner_token(client, tenant, organisation))
    assert (await partner.raw(AUTHORS))["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await partner.data(AUTHOR_NODE, {"id": writer["id"]}))["node"] is None


async def test_filters(client, tenants, owner_engine) -> None:
    tenant = await _world(client, tenants, owner_engine)
    ops = Api(client, tenant, OPS)
    li = await ops.author(name="Li Wei", topics=["Observability", "eBPF"], origin="FOUND")
    writer = await ops.author(personId=person(tenant, WRITER), topics=["Community"], origin="WROTE")
    beta = await ops.author(personId=person(tenant, BETA), topics=["Kubernetes observability"])

    async def names(**filter) -> set[str]:
        return {a["id"] for a in await ops.authors(**filter)}

    assert await names(topic="OBSERV") == {li["id"], beta["id"]}
    assert await names(origin="WROTE") == {writer["id"]}
    assert await names(chapterId=global_id("Chapter", await _chapter_id(ops, "alpha"))) == {
        writer["id"]
    }
    assert await names(search="li w") == {li["id"]}
    assert await names(search="write") == {writer["id"]}  # the person's display name
    assert await names(hasWritten=False) == {li["id"], writer["id"], beta["id"]}
    assert await names(hasWritten=True) == set()
    bad = await ops.raw(AUTHORS, {"filter": {"search": "x" * 201}})
    assert bad["errors"][0]["extensions"]["code"] == "INVALID"


async def _chapter_id(api: Api, slug: str) -> str:
    body = await api.data("query ($slug: String!) { chapter(slug: $slug) { id } }", {"slug": slug})
    from strawberry.relay import from_base64

    return from_base64(body["chapter"]["id"])[1]


async def test_outreach_log_answers_and_last_contact(client, tenants, owner_engine) -> None:
    tenant = await _world(client, tenants, owner_engine)
    editor = Api(client, tenant, EDITOR)
    author = (await editor.author(name="Chen Jie", origin="INVITED"))["id"]

    first = await editor.outreach(author, day(-10), topic="Service mesh", followUpOn=day(-3))
    assert (first["answer"], first["followUpOn"], first["answeredOn"]) == ("PENDING", day(-3), None)
    assert first["contactedBy"]["id"] == person(tenant, EDITOR)
    later = await editor.ok(OUTREACH_LOG, authorId=author, contactedOn=day(-2), notes="Pinged")
    assert later["outreach"]["author"]["lastContactedOn"] == day(-2)
    # an older contact logged afterwards does not move the last contact back
    older = await editor.ok(OUTREACH_LOG, authorId=author, contactedOn=day(-20))
    assert older["outreach"]["author"]["lastContactedOn"] == day(-2)
    node = await editor.node(author)
    assert node is not None
    assert [o["contactedOn"] for o in node["outreach"]] == [day(-2), day(-10), day(-20)]

    # dates: no contact ahead of today, no follow-up before the contact
    ahead = await editor.mutate(OUTREACH_LOG, authorId=author, contactedOn=day(3))
    assert codes(ahead) == [("contactedOn", "INVALID")]
    early = await editor.mutate(
        OUTREACH_LOG, authorId=author, contactedOn=day(-5), followUpOn=day(-6)
    )
    assert codes(early) == [("followUpOn", "INVALID")]
    no_article = global_id("Article", "00000000-0000-0000-0000-000000000003")
    unknown = await editor.mutate(
        OUTREACH_LOG, authorId=author, contactedOn=day(-1), articleId=no_article
    )
    assert codes(unknown) == [("articleId", "NOT_FOUND")]

    # answers: not pending, not before the contact nor ahead of today; answering clears the
    # follow-up
    pending = await editor.mutate(OUTREACH_ANSWER, id=first["id"], answer="PENDING")
    assert codes(pending) == [("answer", "INVALID")]
    before = await editor.mutate(
        OUTREACH_ANSWER, id=first["id"], answer="ACCEPTED", answeredOn=day(-11)
    )
    assert codes(before) == [("answeredOn", "INVALID")]
    future = await editor.mutate(
        OUTREACH_ANSWER, id=first["id"], answer="ACCEPTED", answeredOn=day(5)
    )
    assert codes(future) == [("answeredOn", "INVALID")]
    answered = (
        await editor.ok(OUTREACH_ANSWER, id=first["id"], answer="ACCEPTED", answeredOn=day(-4))
    )["outreach"]
    assert (answered["answer"], answered["answeredOn"], answered["followUpOn"]) == (
        "ACCEPTED",
        day(-4),
        None,
    )
    today = (await editor.ok(OUTREACH_ANSWER, id=later["outreach"]["id"], answer="DECLINED"))[
        "outreach"
    ]
    assert (today["answer"], today["answeredOn"]) == ("DECLINED", day(0))

    # only editors and staff log and answer
    lead = Api(client, tenant, LEAD)
    refused = await lead.mutate(OUTREACH_LOG, authorId=author, contactedOn=day(-1))
    assert codes(refused) == [(None, "FORBIDDEN")]
    refused = await lead.mutate(OUTREACH_ANSWER, id=first["id"], answer="DECLINED")
    assert codes(refused) == [(None, "FORBIDDEN")]
