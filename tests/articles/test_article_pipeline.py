"""The article pipeline through the GraphQL endpoint: a member proposes an article from a
template, drafts and submits it; the submission missing sections answers one typed error per
missing section; editors review it with comments per section, send it back for changes, take
the revision, schedule and publish it on channels; its authors are told. Illegal steps are
CONFLICTs; articles are declined and withdrawn; an article without a template needs a body."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from chapters.api.ids import global_id
from tests.articles.articles_support import (
    BEST_PRACTICE,
    CO_WRITER,
    COMMENT_ADD,
    COMMENT_RESOLVE,
    CREATE,
    EDITOR,
    LEAD,
    OPS,
    OTHER,
    UPDATE,
    WRITER,
    Api,
    content_world,
    person,
)
from tests.support import code_set, codes

LATER = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
TODAY = datetime.now(UTC).date().isoformat()
LESSONS = "Keep one ledger, let chapters own their meetups, and write everything down."


async def test_an_article_from_a_template_goes_from_idea_to_published(
    client, tenants, owner_engine
) -> None:
    tenant, shanghai = await content_world(client, tenants, owner_engine)
    ops, editor = Api(client, tenant, OPS), Api(client, tenant, EDITOR)
    writer, co_writer = Api(client, tenant, WRITER), Api(client, tenant, CO_WRITER)
    template = await editor.template("Best practice", BEST_PRACTICE, kind="BEST_PRACTICE")
    website, wechat = await ops.channel("Website"), await ops.channel("WeChat", "WECHAT")

    # a member proposes an idea from the template, with a co-author: they are its first author
    idea = await writer.propose(
        kind=None,
        templateId=template,
        chapterId=shanghai_id(shanghai),
        topic="Operations",
        personIds=[person(tenant, CO_WRITER)],
    )
    assert (idea["status"], idea["kind"], idea["chapter"]) == (
        "IDEA",
        "BEST_PRACTICE",
        {"slug": "shanghai"},
    )
    assert [a["person"]["id"] for a in idea["authors"]] == [
        person(tenant, WRITER),
        person(tenant, CO_WRITER),
    ]
    assert [s["key"] for s in idea["sections"]] == ["background", "setup", "lessons", "next_steps"]
    assert set(idea["availableSteps"]) == {"START", "WITHDRAW"}
    article = idea["id"]

    # drafting: submitting it with sections missing answers every missing one at once
    await writer.steps(article, "Start")
    short = [{"key": "lessons", "body": "Too short."}]
    await writer.ok(UPDATE, id=article, sections=short)
    missing = await writer.step("Submit", article)
    assert codes(missing) == [
        ("sections.background", "REQUIRED"),
        ("sections.lessons", "INVALID"),
    ]
    assert missing["errors"][0]["message"] == "The section “Background” is required"
    node = await writer.node(article)
    assert node is not None and codes({"errors": node["submissionProblems"]}) == codes(missing)

    # an unknown section is refused where it was given
    unknown = await writer.mutate(UPDATE, id=article, sections=[{"key": "appendix", "body": "x"}])
    assert codes(unknown) == [("sections.0.key", "INVALID")]

    sections = [
        {"key": "background", "body": "Forty chapters, one community."},
        {"key": "lessons", "body": LESSONS},
    ]
    await co_writer.ok(UPDATE, id=article, sections=sections)
    submitted = (await writer.step("Submit", article))["article"]
    assert submitted["status"] == "SUBMITTED" and submitted["submittedAt"]
    assert submitted["submissionProblems"] == [
        {
            "field": "id",
            "code": "CONFLICT",
            "message": "The article is submitted: it cannot be submitted",
        }
    ]

    # submitted: its authors no longer edit it; only editors review it
    late = await writer.mutate(UPDATE, id=article, title="Renamed")
    assert codes(late) == [("id", "CONFLICT")]
    assert codes(await writer.step("StartReview", article)) == [(None, "FORBIDDEN")]
    assert codes(await writer.step("Publish", article, publications=[])) == [(None, "FORBIDDEN")]

    # review: comments per section, and on the whole
    in_review = (await editor.step("StartReview", article))["article"]
    assert "REQUEST_CHANGES" in in_review["availableSteps"]
    on_lessons = await editor.ok(
        COMMENT_ADD, articleId=article, sectionKey="lessons", body="Add the numbers."
    )
    await editor.ok(COMMENT_ADD, articleId=article, body="Lovely read overall.")
    wrong = await editor.mutate(COMMENT_ADD, articleId=article, sectionKey="intro", body="?")
    assert codes(wrong) == [("sectionKey", "INVALID")]
    refused = await writer.mutate(COMMENT_ADD, articleId=article, body="Self-review")
    assert codes(refused) == [(None, "FORBIDDEN")]

    # changes requested: a comment is needed; the authors are told
    assert codes(await editor.step("RequestChanges", article)) == [("comment", "REQUIRED")]
    back = await editor.step("RequestChanges", article, comment="See the comments.")
    assert back["article"]["status"] == "CHANGES_REQUESTED"
    told = await co_writer.notifications()
    assert [(n["kind"], n["title"]) for n in told] == [
        ("ARTICLE_STATUS_CHANGED", "Running Chapters at scale: sent back for changes")
    ]
    assert told[0]["body"] == (
        "Your article Running Chapters at scale is now sent back for changes. See the comments."
    )

    # the authors read the review, resolve it, revise and resubmit
    node = await writer.node(article)
    assert node is not None
    assert [(c["sectionKey"], c["resolved"]) for c in node["reviewComments"]] == [
        ("lessons", False),
        (None, False),
    ]
    resolved = await writer.ok(COMMENT_RESOLVE, id=on_lessons["comment"]["id"])
    assert resolved["comment"]["resolved"] and resolved["comment"]["resolvedAt"]
    revised = [sections[0], {"key": "lessons", "body": LESSONS + " Numbers: 40 chapters."}]
    await writer.ok(UPDATE, id=article, sections=revised)
    await writer.steps(article, "Submit")
    await editor.steps(article, "StartReview")

    # scheduling needs a date ahead
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    assert codes(await editor.step("Schedule", article, scheduledFor=past)) == [
        ("scheduledFor", "INVALID")
    ]
    scheduled = await editor.step("Schedule", article, scheduledFor=LATER.isoformat())
    assert scheduled["article"]["status"] == "SCHEDULED"
    assert scheduled["article"]["scheduledFor"] == LATER.isoformat()

    # publishing records where it went (at least one channel, each once)
    assert codes(await editor.step("Publish", article, publications=[])) == [
        ("publications", "REQUIRED")
    ]
    twice = [{"channelId": website, "publishedOn": TODAY}] * 2
    assert codes(await editor.step("Publish", article, publications=twice)) == [
        ("publications.1.channelId", "CONFLICT")
    ]
    went = [
        {"channelId": website, "url": "https://community.example/scale", "publishedOn": TODAY},
        {"channelId": wechat, "publishedOn": TODAY},
    ]
    published = (await editor.step("Publish", article, publications=went))["article"]
    assert published["status"] == "PUBLISHED" and published["publishedAt"]
    assert published["availableSteps"] == []

    node = await Api(client, tenant, OTHER).node(article)  # any person reads it now
    assert node is not None
    assert sorted((p["channel"]["name"], p["url"]) for p in node["publications"]) == [
        ("WeChat", None),
        ("Website", "https://community.example/scale"),
    ]
    assert node["reviewComments"] is None  # not an author nor an editor
    assert [
        (s["fromStatus"], s["toStatus"], s["comment"], s["actor"]["id"]) for s in node["history"]
    ] == [
        (None, "IDEA", None, person(tenant, WRITER)),
        ("IDEA", "DRAFTING", None, person(tenant, WRITER)),
        ("DRAFTING", "SUBMITTED", None, person(tenant, WRITER)),
        ("SUBMITTED", "IN_REVIEW", None, person(tenant, EDITOR)),
        ("IN_REVIEW", "CHANGES_REQUESTED", "See the comments.", person(tenant, EDITOR)),
        ("CHANGES_REQUESTED", "SUBMITTED", None, person(tenant, WRITER)),
        ("SUBMITTED", "IN_REVIEW", None, person(tenant, EDITOR)),
        ("IN_REVIEW", "SCHEDULED", None, person(tenant, EDITOR)),
        ("SCHEDULED", "PUBLISHED", None, person(tenant, EDITOR)),
    ]

    # published is final
    for step in ("Publish", "Submit", "Withdraw", "Decline", "Schedule"):
        extra = {"publications": went} if step == "Publish" else {}
        if step == "Schedule":
            extra = {"scheduledFor": LATER.isoformat()}
        assert codes(await editor.step(step, article, **extra)) == [("id", "CONFLICT")]
    # the authors were told of each decision; the editor, who took them, of none
    titles = [n["title"] for n in await writer.notifications()]
    assert sorted(titles) == sorted(
        f"Running Chapters at scale: {status}"
        for status in ("sent back for changes", "scheduled", "published")
    )
    assert await editor.notifications() == []
    # the lead of shanghai saw all of it on the way
    assert [a["status"] for a in await Api(client, tenant, LEAD).articles()] == ["PUBLISHED"]


def shanghai_id(chapter) -> str:
    return global_id("Chapter", chapter.id)


async def test_invitation_decline_withdrawal_and_illegal_steps(
    client, tenants, owner_engine
) -> None:
    tenant, _ = await content_world(client, tenants, owner_engine)
    editor, writer = Api(client, tenant, EDITOR), Api(client, tenant, WRITER)

    # an editor's idea names nobody yet: it cannot be invited until someone is named
    idea = await editor.propose(title="Installing on a home lab", kind="INSTALLATION_GUIDE")
    assert idea["authors"] == []
    assert codes(await editor.step("Invite", idea["id"])) == [("personIds", "REQUIRED")]
    assert codes(await editor.step("Submit", idea["id"])) == [("id", "CONFLICT")]
    await editor.ok(UPDATE, id=idea["id"], personIds=[person(tenant, WRITER)])
    invited = (await editor.step("Invite", idea["id"], comment="Would you write it?"))["article"]
    assert invited["status"] == "INVITED"

    # the invited author accepts by starting it, and writes the body (no template)
    await writer.steps(idea["id"], "Start")
    empty = await writer.step("Submit", idea["id"])
    assert codes(empty) == [("body", "REQUIRED")]
    no_template = await writer.mutate(UPDATE, id=idea["id"], sections=[{"key": "x", "body": "y"}])
    assert codes(no_template) == [("sections", "INVALID")]
    await writer.ok(UPDATE, id=idea["id"], body="Step one: buy a small server.")
    await writer.steps(idea["id"], "Submit")

    # the editors decline it; the author is told; declined is final
    declined = (await editor.step("Decline", idea["id"], comment="Covered last month."))["article"]
    assert declined["status"] == "DECLINED"
    assert [n["title"] for n in await writer.notifications()] == [
        "Installing on a home lab: declined"
    ]
    for step in ("Start", "Submit", "Withdraw", "Decline", "StartReview"):
        assert codes(await editor.step(step, idea["id"])) == [("id", "CONFLICT")]
    refused = await editor.step("Start", idea["id"])
    assert refused["errors"][0]["message"] == "The article is declined: it cannot be started"

    # an author withdraws their own draft; nobody else who is not an editor may
    mine = await writer.propose(title="Second thoughts")
    other = Api(client, tenant, OTHER)
    assert codes(await other.step("Withdraw", mine["id"])) == [(None, "FORBIDDEN")]
    assert codes(await writer.step("Withdraw", mine["id"], comment="No time")) == []
    node = await writer.node(mine["id"])
    assert node is not None and node["status"] == "WITHDRAWN"
    assert node["history"][-1]["comment"] == "No time"

    # reviewing before submission, scheduling before review: illegal steps
    draft = await writer.propose(title="A deep dive", kind="DEEP_DIVE", body="Deep.")
    assert codes(await editor.step("StartReview", draft["id"])) == [("id", "CONFLICT")]
    assert codes(await editor.step("Schedule", draft["id"], scheduledFor=LATER.isoformat())) == [
        ("id", "CONFLICT")
    ]
    # an article in review may be published straight away (news)
    await writer.steps(draft["id"], "Start", "Submit")
    await editor.steps(draft["id"], "StartReview")
    channel = await Api(client, tenant, OPS).channel("Website")
    published = await editor.step(
        "Publish", draft["id"], publications=[{"channelId": channel, "publishedOn": TODAY}]
    )
    assert published["article"]["status"] == "PUBLISHED"


async def test_bad_input_answers_typed_errors(client, tenants, owner_engine) -> None:
    tenant, _ = await content_world(client, tenants, owner_engine)
    writer = Api(client, tenant, WRITER)

    bad = await writer.mutate(CREATE, title=" ", kind=None, summary="x" * 2001)
    assert code_set(bad) == {("title", "REQUIRED"), ("kind", "REQUIRED"), ("summary", "TOO_LONG")}
    reprint = await writer.mutate(CREATE, title="Found it", kind="NEWS", source="REPRINT")
    assert codes(reprint) == [("sourceUrl", "REQUIRED")]
    url = await writer.mutate(CREATE, title="T", kind="NEWS", sourceUrl="ftp://x")
    assert codes(url) == [("sourceUrl", "INVALID")]
    nobody = await writer.mutate(
        CREATE, title="T", kind="NEWS", personIds=[global_id("Person", uuid.uuid4())]
    )
    assert codes(nobody) == [("personIds.0", "NOT_FOUND")]
    template = await writer.mutate(CREATE, title="T", templateId="QXJ0aWNsZVRlbXBsYXRlOng=")
    assert codes(template) == [("templateId", "NOT_FOUND")]
