"""Publications: an article, a newsletter issue or an activity's recording on a channel, once
per channel; a retired channel takes no new ones; an activity's recording is published once
the accepted activity has started; editors and staff record and remove them, signed-in
people read them (with the channel, the content and, for staff and editors, the reach)."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from chapters.api.ids import global_id
from chapters.errors import ErrorCode, FieldError, InvalidInput
from tests.channels.channels_support import (
    ADMIN,
    EDITOR,
    MEMBER,
    OPS,
    PUBLICATION_REMOVE,
    PUBLISH_RECORDING,
    VIEWER,
    make_world,
)
from tests.support import codes

ACTIVITY_PUBLICATIONS = """query ($id: ID!) { node(id: $id) { ... on Activity {
  publications { url publishedOn channel { name } } } } }"""


async def test_where_content_went(client, tenants, owner_engine) -> None:
    world = await make_world(tenants, owner_engine)
    ops, editor, member = (world.api(client, e) for e in (OPS, EDITOR, MEMBER))
    website = await ops.channel("Website", url="https://community.example")
    wechat = await ops.channel("WeChat", "WECHAT")
    bilibili = await ops.channel("Bilibili", "VIDEO")

    article = await world.article(
        "Running Chapters at scale",
        [
            (website, "https://community.example/scale", date(2025, 3, 1)),
            (wechat, None, date(2025, 3, 2)),
        ],
    )
    issue = await world.newsletter_issue(
        "March news", [(website, "https://community.example/news/1", date(2025, 3, 5))]
    )
    activity = await world.activity(days_ago=3)
    recorded = await editor.ok(
        PUBLISH_RECORDING,
        activityId=activity,
        publications=[
            {"channelId": bilibili, "url": "https://b.example/v/1", "publishedOn": "2025-03-09"}
        ],
    )
    (recording,) = recorded["publications"]
    assert (recording["channel"]["name"], recording["url"]) == ("Bilibili", "https://b.example/v/1")
    assert recording["activity"]["id"] == activity
    assert (recording["article"], recording["newsletterIssue"]) == (None, None)

    # the activity says where its recording went
    node = (await member.data(ACTIVITY_PUBLICATIONS, {"id": activity}))["node"]
    assert node["publications"] == [
        {
            "url": "https://b.example/v/1",
            "publishedOn": "2025-03-09",
            "channel": {"name": "Bilibili"},
        }
    ]

    # every publication, the latest first, to any signed-in person; filtered by channel, days
    listed = await member.publications()
    assert [(p["channel"]["name"], p["publishedOn"]) for p in listed] == [
        ("Bilibili", "2025-03-09"),
        ("Website", "2025-03-05"),
        ("WeChat", "2025-03-02"),
        ("Website", "2025-03-01"),
    ]
    subjects = [
        (p["article"] is not None, p["newsletterIssue"] is not None, p["activity"] is not None)
        for p in listed
    ]
    only_article = (True, False, False)
    assert subjects == [(False, False, True), (False, True, False), only_article, only_article]
    assert [p["article"]["id"] for p in listed[2:]] == [article, article]
    assert listed[1]["newsletterIssue"]["id"] == issue
    on_website = await member.publications(channelId=website)
    assert [p["publishedOn"] for p in on_website] == ["2025-03-05", "2025-03-01"]
    early = await member.publications(**{"from": "2025-03-02", "to": "2025-03-05"})
    assert [p["publishedOn"] for p in early] == ["2025-03-05", "2025-03-02"]
    backwards = await member.raw(
        'query { publications(filter: {from: "2025-03-05", to: "2025-03-01"}) { edges {'
        " cursor } } }"
    )
    assert backwards["errors"][0]["extensions"]["code"] == "INVALID"

    # removed by mistake: gone, with its readings; again: not found
    removed = await editor.ok(PUBLICATION_REMOVE, id=recording["id"])
    assert removed["removedId"] == recording["id"]
    assert len(await member.publications()) == 3
    again = await editor.mutate(PUBLICATION_REMOVE, id=recording["id"])
    assert codes(again) == [("id", "NOT_FOUND")]


async def test_recording_rules(client, tenants, owner_engine) -> None:
    world = await make_world(tenants, owner_engine)
    ops, editor = world.api(client, OPS), world.api(client, EDITOR)
    website = await ops.channel("Website")
    video = await ops.channel("Video", "VIDEO")
    old = await ops.channel("Old blog")
    await ops.mutate(
        "mutation ($input: ChannelIdInput!) { channelRetire(input: $input) { errors { code } } }",
        id=old,
    )
    past = await world.activity(days_ago=2)
    upcoming = await world.activity(days_ago=-5)
    draft = await world.activity(days_ago=2, accept=False)

    def on(*channels: str, url: str | None = None) -> list[dict]:
        return [{"channelId": c, "url": url, "publishedOn": "2025-03-09"} for c in channels]

    async def publish(caller, activity: str, publications: list[dict]) -> dict:
        return await caller.mutate(
            PUBLISH_RECORDING, activityId=activity, publications=publications
        )

    # no recording before it starts, nor of an activity not accepted
    assert codes(await publish(ops, upcoming, on(website))) == [("activityId", "CONFLICT")]
    assert codes(await publish(ops, draft, on(website))) == [("activityId", "CONFLICT")]
    # channels: each once, current, known; addresses on the web
    twice = await publish(editor, past, on(website, website))
    assert codes(twice) == [("publications.1.channelId", "CONFLICT")]
    assert codes(await publish(editor, past, on(old))) == [("publications.0.channelId", "INVALID")]
    unknown = on(website, global_id("Channel", uuid.uuid4()))
    assert codes(await publish(editor, past, unknown)) == [
        ("publications.1.channelId", "NOT_FOUND")
    ]
    assert codes(await publish(editor, past, on("nope"))) == [
        ("publications.0.channelId", "INVALID")
    ]
    bad_url = await publish(editor, past, on(website, url="javascript:alert(1)"))
    assert codes(bad_url) == [("publications.0.url", "INVALID")]
    assert codes(await publish(editor, past, [])) == [("publications", "REQUIRED")]

    # once recorded on a channel, not again there; another channel is fine
    assert (await publish(editor, past, on(website)))["errors"] == []
    again = await publish(editor, past, on(video, website))
    assert codes(again) == [("publications.1.channelId", "CONFLICT")]
    assert (await publish(editor, past, on(video)))["errors"] == []

    # people who are neither editors nor staff
    for email in (MEMBER, VIEWER):
        refused = await publish(world.api(client, email), past, on(website))
        assert codes(refused) == [(None, "FORBIDDEN")]
    assert codes(await publish(world.api(client, ADMIN), "nope", on(website))) == [
        ("activityId", "INVALID")
    ]


async def test_one_publication_per_channel_for_articles_and_issues(
    client, tenants, owner_engine
) -> None:
    world = await make_world(tenants, owner_engine)
    ops = world.api(client, OPS)
    website = await ops.channel("Website")
    retired = await ops.channel("Retired")
    await ops.mutate(
        "mutation ($input: ChannelIdInput!) { channelRetire(input: $input) { errors { code } } }",
        id=retired,
    )
    day = date(2025, 3, 1)
    with pytest.raises(InvalidInput) as twice:
        await world.article("Twice", [(website, None, day), (website, None, day)])
    assert twice.value.errors == [
        FieldError(
            "publications.1.channel_id", ErrorCode.CONFLICT, "Already published on this channel"
        )
    ]
    with pytest.raises(InvalidInput) as gone:
        await world.newsletter_issue("On a retired channel", [(retired, None, day)])
    assert gone.value.errors == [
        FieldError("publications.0.channel_id", ErrorCode.INVALID, "Channel is retired")
    ]
    with pytest.raises(InvalidInput) as bad:
        await world.article("Bad address", [(website, "mailto:x@y.example", day)])
    assert [(e.field, e.code) for e in bad.value.errors] == [
        ("publications.0.url", ErrorCode.INVALID)
    ]
    assert await ops.publications() == []
