"""Reprint permissions through the GraphQL endpoint: a reprint names where it first appeared;
editors record the request to its author and the answer; the reprint cannot be published
until a request was granted, then it is; contacts are the editors' only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.articles.articles_support import (
    AUTHOR_CREATE,
    EDITOR,
    LEAD,
    OPS,
    REPRINT_ANSWER,
    REPRINT_REQUEST,
    UPDATE,
    WRITER,
    Api,
    content_world,
)
from tests.support import codes

TODAY = datetime.now(UTC).date()
SOURCE = "https://blog.example/observability-for-organisers"


async def test_a_reprint_is_published_once_its_permission_is_granted(
    client, tenants, owner_engine
) -> None:
    tenant, shanghai = await content_world(client, tenants, owner_engine)
    ops, editor = Api(client, tenant, OPS), Api(client, tenant, EDITOR)
    from chapters.api.ids import global_id

    found = await editor.ok(
        AUTHOR_CREATE, origin="FOUND", name="Li Wei", contact="li@blog.example", sourceUrl=SOURCE
    )
    reprint = await editor.propose(
        title="Observability for meetup organisers",
        kind="DEEP_DIVE",
        source="REPRINT",
        sourceUrl=SOURCE,
        body="Dashboards for the rest of us.",
        authorIds=[found["author"]["id"]],
        chapterId=global_id("Chapter", shanghai.id),
    )
    article = reprint["id"]
    assert (reprint["source"], reprint["sourceUrl"]) == ("REPRINT", SOURCE)
    # a reprint keeps where it first appeared
    cleared = await editor.mutate(UPDATE, id=article, sourceUrl=None)
    assert codes(cleared) == [("sourceUrl", "REQUIRED")]

    await editor.steps(article, "Start", "Submit", "StartReview")
    website = await ops.channel("Website")
    went = [{"channelId": website, "publishedOn": TODAY.isoformat()}]

    # no permission asked yet: refused
    refused = await editor.step("Publish", article, publications=went)
    assert codes(refused) == [("reprintPermission", "CONFLICT")]

    # the request: who was asked, how, when (today by default), the terms offered
    assert codes(await editor.mutate(REPRINT_REQUEST, articleId=article, contact=" ")) == [
        ("contact", "REQUIRED")
    ]
    ahead = (TODAY + timedelta(days=3)).isoformat()
    future = await editor.mutate(
        REPRINT_REQUEST, articleId=article, contact="li@blog.example", requestedOn=ahead
    )
    assert codes(future) == [("requestedOn", "INVALID")]
    member = Api(client, tenant, WRITER)
    forbidden = await member.mutate(REPRINT_REQUEST, articleId=article, contact="x")
    assert codes(forbidden) == [(None, "FORBIDDEN")]
    asked_on = (TODAY - timedelta(days=10)).isoformat()
    requested = await editor.ok(
        REPRINT_REQUEST,
        articleId=article,
        contact="li@blog.example",
        requestedOn=asked_on,
        terms=["ATTRIBUTION", "LINK_BACK"],
    )
    permission = requested["permission"]
    assert {k: permission[k] for k in ("sourceUrl", "status", "requestedOn", "terms")} == {
        "sourceUrl": SOURCE,
        "status": "REQUESTED",
        "requestedOn": asked_on,
        "terms": ["ATTRIBUTION", "LINK_BACK"],
    }
    assert codes(await editor.step("Publish", article, publications=went)) == [
        ("reprintPermission", "CONFLICT")
    ]

    # answers: not "requested", not before the request; no answer still blocks
    answer = {"id": permission["id"]}
    assert codes(await editor.mutate(REPRINT_ANSWER, **answer, status="REQUESTED")) == [
        ("status", "INVALID")
    ]
    early = (TODAY - timedelta(days=11)).isoformat()
    assert codes(
        await editor.mutate(REPRINT_ANSWER, **answer, status="GRANTED", answeredOn=early)
    ) == [("answeredOn", "INVALID")]
    silent = await editor.ok(REPRINT_ANSWER, **answer, status="NO_ANSWER")
    assert silent["permission"]["answeredOn"] == TODAY.isoformat()
    assert codes(await editor.step("Publish", article, publications=went)) == [
        ("reprintPermission", "CONFLICT")
    ]

    # granted after all, with the author's terms: published
    granted = await editor.ok(
        REPRINT_ANSWER,
        **answer,
        status="GRANTED",
        terms=["ATTRIBUTION"],
        termsNote="Name the blog in the first paragraph.",
    )
    assert (granted["permission"]["status"], granted["permission"]["terms"]) == (
        "GRANTED",
        ["ATTRIBUTION"],
    )
    published = (await editor.step("Publish", article, publications=went))["article"]
    assert published["status"] == "PUBLISHED"

    # the chapter's lead reads the permission, not the contact; editors read both
    seen = await Api(client, tenant, LEAD).node(article)
    assert seen is not None
    assert [(p["status"], p["contact"]) for p in seen["reprintPermissions"]] == [("GRANTED", None)]
    mine = await editor.node(article)
    assert mine is not None and mine["reprintPermissions"][0]["contact"] == "li@blog.example"


async def test_only_a_reprint_asks_for_permission(client, tenants, owner_engine) -> None:
    tenant, _ = await content_world(client, tenants, owner_engine)
    editor = Api(client, tenant, EDITOR)
    original = await editor.propose(title="Our own words", body="Written here.")
    refused = await editor.mutate(REPRINT_REQUEST, articleId=original["id"], contact="a@b.example")
    assert codes(refused) == [("articleId", "CONFLICT")]
