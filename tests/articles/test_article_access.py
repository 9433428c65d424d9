"""Who reads and edits which article, through the GraphQL endpoint: authors edit their own
drafts, not others'; a chapter's leads read the articles coming from their chapter; every
person reads published ones; viewers and editors read all; a partner organisation's client
reads only what its writers co-author, without people or contacts. The list costs the same
number of statements however many articles it shows."""

from __future__ import annotations

from chapters.api.ids import global_id
from tests.articles.articles_support import (
    ADMIN,
    AUTHOR_CREATE,
    CO_WRITER,
    COMMENT_ADD,
    EDITOR,
    LEAD,
    OPS,
    ORGANISATION_CREATE,
    OTHER,
    REPRINT_REQUEST,
    UPDATE,
    VIEWER,
    WRITER,
    Api,
    ClientApi,
    content_world,
    person,
)
from tests.partnerships.partnerships_support import partner_token
from tests.support import codes, statements_sent

LIST = """query { articles(first: 100) { edges { node { id title status
  chapter { slug } template { name } authors { id name }
  sections { key body } history { toStatus actor { id } }
  availableSteps submissionProblems { field }
  reviewComments { body } reprintPermissions { contact } publications { url } } } } }"""


async def test_authors_edit_their_own_drafts_only(client, tenants, owner_engine) -> None:
    tenant, shanghai = await content_world(client, tenants, owner_engine)
    writer, co_writer = Api(client, tenant, WRITER), Api(client, tenant, CO_WRITER)
    other, lead = Api(client, tenant, OTHER), Api(client, tenant, LEAD)
    draft = await writer.propose(chapterId=global_id("Chapter", shanghai.id))

    # someone else (a member of another chapter, the chapter's own lead) may not touch it
    for stranger in (other, lead):
        refused = await stranger.mutate(UPDATE, id=draft["id"], title="Mine now")
        assert codes(refused) == [(None, "FORBIDDEN")]
        assert codes(await stranger.step("Submit", draft["id"])) == [(None, "FORBIDDEN")]

    # its author adds a co-author, who may then edit it too
    added = await writer.ok(
        UPDATE, id=draft["id"], personIds=[person(tenant, WRITER), person(tenant, CO_WRITER)]
    )
    assert len(added["article"]["authors"]) == 2
    await co_writer.ok(UPDATE, id=draft["id"], summary="Shared notes.")
    # an author who is not an editor stays among the authors, and brings no writer of the pool
    dropped = await co_writer.mutate(UPDATE, id=draft["id"], personIds=[person(tenant, WRITER)])
    assert codes(dropped) == [("personIds", "INVALID")]
    found = await Api(client, tenant, EDITOR).ok(AUTHOR_CREATE, origin="FOUND", name="Li Wei")
    pooled = await writer.mutate(UPDATE, id=draft["id"], authorIds=[found["author"]["id"]])
    assert codes(pooled) == [(None, "FORBIDDEN")]
    # nor does a person propose an article for others only: they are among its authors
    for_others = await other.propose(personIds=[person(tenant, WRITER)])
    assert [a["person"]["id"] for a in for_others["authors"]] == [
        person(tenant, OTHER),
        person(tenant, WRITER),
    ]
    # editors edit anyone's draft
    await Api(client, tenant, EDITOR).ok(UPDATE, id=draft["id"], topic="Operations")


async def test_who_reads_which_article(client, tenants, owner_engine) -> None:
    tenant, shanghai = await content_world(client, tenants, owner_engine)
    writer, other, editor = (Api(client, tenant, e) for e in (WRITER, OTHER, EDITOR))
    ours = await writer.propose(title="From Shanghai", chapterId=global_id("Chapter", shanghai.id))
    theirs = await other.propose(title="From nowhere in particular", body="Text.")
    news = await editor.propose(
        title="Release day", kind="NEWS", body="It is out.", personIds=[person(tenant, EDITOR)]
    )
    await editor.steps(news["id"], "Start", "Submit", "StartReview")
    channel = await Api(client, tenant, OPS).channel("Website")
    went = [{"channelId": channel, "publishedOn": "2026-11-30"}]
    assert (await editor.step("Publish", news["id"], publications=went))["errors"] == []

    def titles(rows):
        return sorted(row["title"] for row in rows)

    everything = ["From Shanghai", "From nowhere in particular", "Release day"]
    for email in (ADMIN, OPS, VIEWER, EDITOR):
        assert titles(await Api(client, tenant, email).articles()) == everything, email
    # the lead of shanghai: its article and the published one; authors: their own and it
    assert titles(await Api(client, tenant, LEAD).articles()) == ["From Shanghai", "Release day"]
    assert titles(await writer.articles()) == ["From Shanghai", "Release day"]
    assert titles(await other.articles()) == ["From nowhere in particular", "Release day"]
    assert titles(await Api(client, tenant, CO_WRITER).articles()) == ["Release day"]
    assert await Api(client, tenant, CO_WRITER).node(ours["id"]) is None
    assert await Api(client, tenant, LEAD).node(theirs["id"]) is None
    assert (await Api(client, tenant, LEAD).node(ours["id"]) or {}).get("title") == "From Shanghai"
    # filters
    assert titles(await editor.articles(status=["PUBLISHED"])) == ["Release day"]
    assert titles(await editor.articles(kind=["NEWS"])) == ["Release day"]
    assert titles(await editor.articles(chapterId=global_id("Chapter", shanghai.id))) == [
        "From Shanghai"
    ]
    assert titles(await editor.articles(topic="")) == everything
    # anonymous callers read nothing
    anonymous = await Api(client, tenant, None).raw(LIST)
    assert anonymous["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_partner_reads_only_what_its_writers_co_author(
    client, tenants, owner_engine
) -> None:
    tenant, _ = await content_world(client, tenants, owner_engine)
    admin, editor = Api(client, tenant, ADMIN), Api(client, tenant, EDITOR)
    organisation = (await admin.ok(ORGANISATION_CREATE, name="Acme Cloud", kind="COMPANY"))[
        "organisation"
    ]["id"]
    acme_writer = await editor.ok(
        AUTHOR_CREATE,
        origin="INVITED",
        name="Zhang San",
        contact="zhang@acme.example",
        organisationId=organisation,
    )
    co_authored = await editor.propose(
        title="Acme and us",
        source="REPRINT",
        sourceUrl="https://acme.example/blog/us",
        personIds=[person(tenant, WRITER)],
        authorIds=[acme_writer["author"]["id"]],
    )
    await editor.ok(COMMENT_ADD, articleId=co_authored["id"], body="Tighten the intro.")
    await editor.ok(REPRINT_REQUEST, articleId=co_authored["id"], contact="zhang@acme.example")
    elsewhere = await editor.propose(title="Not Acme's", personIds=[person(tenant, WRITER)])

    partner = ClientApi(client, tenant, await partner_token(client, tenant, organisation))
    seen = await partner.articles()
    assert [row["title"] for row in seen] == ["Acme and us"]
    node = await partner.node(co_authored["id"])
    assert node is not None
    # no people, no contacts, no review
    assert node["authors"] == [] and node["reviewComments"] is None
    assert [p["contact"] for p in node["reprintPermissions"]] == [None]
    assert all(step["actor"] is None for step in node["history"])
    assert node["availableSteps"] == [] and node["submissionProblems"] is None
    assert await partner.node(elsewhere["id"]) is None
    body = str(await partner.raw(LIST))
    for personal in ("zhang@acme.example", "Zhang San", "writer"):
        assert personal not in body


async def test_the_list_costs_the_same_however_long(client, app, tenants, owner_engine) -> None:
    tenant, shanghai = await content_world(client, tenants, owner_engine)
    editor, writer = Api(client, tenant, EDITOR), Api(client, tenant, WRITER)
    template = await editor.template(
        "Guide", [{"key": "steps", "title": "Steps"}], kind="INSTALLATION_GUIDE"
    )

    async def write(count: int) -> None:
        for index in range(count):
            article = await writer.propose(
                title=f"Guide {index}",
                templateId=template,
                chapterId=global_id("Chapter", shanghai.id),
                personIds=[person(tenant, CO_WRITER)],
                sections=[{"key": "steps", "body": "One, two."}],
            )
            await writer.steps(article["id"], "Start", "Submit")
            await editor.ok(COMMENT_ADD, articleId=article["id"], sectionKey="steps", body="Ok")

    async def statements(expected: int) -> int:
        with statements_sent(app.state.runtime.engine) as sent:
            data = await editor.data(LIST)
        assert len(data["articles"]["edges"]) == expected
        return len(sent)

    await write(2)
    await statements(2)  # warm: the tenant's lookup is cached after the first request
    few = await statements(2)
    await write(5)
    assert await statements(7) == few
