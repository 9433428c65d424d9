"""Reach: editors and staff enter a publication's figures as read on a day, each a cumulative
total, so a reading never shows less than an earlier one nor more than a later one; the
totals per channel and month are the growth within each month, worked out by hand below for
two channels over three months; reach is staff's, viewers' and editors' to read, not
members'; a page of publications with their channel and latest reading costs the same
statements however long it is."""

from __future__ import annotations

from datetime import date, timedelta

from tests.channels.channels_support import (
    ADMIN,
    EDITOR,
    MEMBER,
    OPS,
    PUBLICATIONS,
    VIEWER,
    make_world,
)
from tests.support import codes, person_id, statements_sent

JAN, FEB, MAR = "2025-01", "2025-02", "2025-03"


async def test_readings_are_cumulative_totals(client, tenants, owner_engine) -> None:
    world = await make_world(tenants, owner_engine)
    ops, editor = world.api(client, OPS), world.api(client, EDITOR)
    blog = await ops.channel("Blog")
    await world.article("Scale", [(blog, None, date(2025, 1, 5))])
    (publication,) = await ops.publications()
    p = publication["id"]

    first = await editor.read(p, "2025-01-10", reads=100, views=150)
    assert first["errors"] == []
    assert first["reading"] | {"recordedBy": None} == {
        "readOn": "2025-01-10",
        "reads": 100,
        "views": 150,
        "likes": None,
        "followersGained": None,
        "recordedBy": None,
    }
    assert first["reading"]["recordedBy"]["id"] == person_id(world.tenant, EDITOR)
    assert (await editor.read(p, "2025-02-15", reads=350))["errors"] == []

    # nothing to record, negative figures, days outside [published, today]
    assert codes(await editor.read(p, "2025-01-20")) == [("reads", "REQUIRED")]
    negative = await editor.read(p, "2025-01-20", reads=-1, likes=-2)
    assert codes(negative) == [("reads", "INVALID"), ("likes", "INVALID")]
    assert codes(await editor.read(p, "2025-01-04", reads=1)) == [("readOn", "INVALID")]
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    assert codes(await editor.read(p, tomorrow, reads=400)) == [("readOn", "INVALID")]

    # totals do not go down: not below an earlier reading, not above a later one
    lower = await editor.read(p, "2025-01-31", reads=90)
    assert codes(lower) == [("reads", "INVALID")]
    assert "100 read on 2025-01-10" in lower["errors"][0]["message"]
    higher = await editor.read(p, "2025-01-31", reads=360, views=140)
    assert codes(higher) == [("reads", "INVALID"), ("views", "INVALID")]
    # a figure not read before is not compared; between the two readings is fine
    assert (await editor.read(p, "2025-01-31", reads=300, likes=10))["errors"] == []
    assert codes(await editor.read(p, "2025-02-20", reads=400, likes=9)) == [("likes", "INVALID")]

    # the same day again replaces that day's figures
    again = await ops.read(p, "2025-01-31", reads=310)
    assert again["errors"] == [] and again["reading"]["likes"] is None
    (listed,) = await ops.publications()
    assert [(r["readOn"], r["reads"]) for r in listed["readings"]] == [
        ("2025-01-10", 100),
        ("2025-01-31", 310),
        ("2025-02-15", 350),
    ]
    assert listed["latestReading"]["readOn"] == "2025-02-15"

    # neither members nor viewers enter reach; a missing publication is not found
    for email in (MEMBER, VIEWER):
        refused = await world.api(client, email).read(p, "2025-02-16", reads=360)
        assert codes(refused) == [(None, "FORBIDDEN")]
    gone = await ops.read("UHVibGljYXRpb246MQ==", "2025-02-16", reads=1)
    assert codes(gone) == [("publicationId", "NOT_FOUND")]


async def test_monthly_totals_per_channel(client, tenants, owner_engine) -> None:
    """Blog: P1 (an article, Jan 5), P3 (a newsletter issue, Feb 10) and P4 (an older
    article, Dec 20, read before the window too); WeChat: P2 (the same article, Jan 6).

    P1: Jan 10 100 reads 150 views; Jan 31 300 reads 10 likes; Feb 15 350 reads; Mar 20
        400 reads 500 views 12 likes → Jan 300/150/10, Feb 50/0/0, Mar 50/350/2
    P2: Jan 20 40 reads 5 followers; Mar 1 90 reads 9 followers → Jan 40/5, Mar 50/4
    P3: Feb 11 20 reads; Feb 28 60; Mar 31 70 → Feb 60, Mar 10
    P4: Dec 31 1000 reads; Jan 15 1100; Apr 2 1500 → Jan 100 (April is outside)
    """
    world = await make_world(tenants, owner_engine)
    ops, editor = world.api(client, OPS), world.api(client, EDITOR)
    blog = await ops.channel("Blog")
    wechat = await ops.channel("WeChat", "WECHAT")
    await world.article("Older", [(blog, None, date(2024, 12, 20))])
    await world.article("Scale", [(blog, None, date(2025, 1, 5)), (wechat, None, date(2025, 1, 6))])
    await world.newsletter_issue("February", [(blog, None, date(2025, 2, 10))])
    by_day = {p["publishedOn"]: p["id"] for p in await ops.publications()}
    p1, p2, p3, p4 = (by_day[d] for d in ("2025-01-05", "2025-01-06", "2025-02-10", "2024-12-20"))
    readings = [
        (p1, "2025-03-20", {"reads": 400, "views": 500, "likes": 12}),  # the latest first
        (p1, "2025-01-10", {"reads": 100, "views": 150}),
        (p1, "2025-01-31", {"reads": 300, "likes": 10}),
        (p1, "2025-02-15", {"reads": 350}),
        (p2, "2025-01-20", {"reads": 40, "followersGained": 5}),
        (p2, "2025-03-01", {"reads": 90, "followersGained": 9}),
        (p3, "2025-02-11", {"reads": 20}),
        (p3, "2025-02-28", {"reads": 60}),
        (p3, "2025-03-31", {"reads": 70}),
        (p4, "2024-12-31", {"reads": 1000}),
        (p4, "2025-01-15", {"reads": 1100}),
        (p4, "2025-04-02", {"reads": 1500}),
    ]
    for publication, day, figures in readings:
        assert (await editor.read(publication, day, **figures))["errors"] == []

    def row(month, channel, publications, reads, views=0, likes=0, followers=0) -> dict:
        return {
            "month": month,
            "startsOn": f"{month}-01",
            "channel": {"name": channel},
            "publications": publications,
            "reads": reads,
            "views": views,
            "likes": likes,
            "followersGained": followers,
        }

    assert await ops.reach(JAN, MAR) == [
        row(JAN, "Blog", 1, 300 + 100, views=150, likes=10),
        row(JAN, "WeChat", 1, 40, followers=5),
        row(FEB, "Blog", 1, 50 + 60),
        row(MAR, "Blog", 0, 50 + 10, views=350, likes=2),
        row(MAR, "WeChat", 0, 50, followers=4),
    ]
    # a later window starts from what was read before it; one channel only
    assert await ops.reach(FEB, MAR, channelIds=[wechat]) == [
        row(MAR, "WeChat", 0, 50, followers=4)
    ]
    assert await ops.reach(FEB, FEB) == [row(FEB, "Blog", 1, 110)]
    # December: P4 appeared and was first read (its first reading counts fully)
    assert await ops.reach("2024-12", "2024-12") == [row("2024-12", "Blog", 1, 1000)]

    # bad windows
    for first, last, field in (("2025-3", MAR, "from"), (MAR, JAN, "to"), (JAN, "2028-02", "to")):
        body = await ops.raw(
            "query ($from: String!, $to: String!) { channelReach(from: $from, to: $to) { month } }",
            {"from": first, "to": last},
        )
        assert [
            (e["extensions"]["code"], e["extensions"].get("field")) for e in body["errors"]
        ] == [("INVALID", field)], body


async def test_who_reads_reach(client, tenants, owner_engine) -> None:
    world = await make_world(tenants, owner_engine)
    ops = world.api(client, OPS)
    blog = await ops.channel("Blog")
    await world.article("Scale", [(blog, None, date(2025, 1, 5))])
    (publication,) = await ops.publications()
    assert (await ops.read(publication["id"], "2025-01-10", reads=5))["errors"] == []

    for email in (ADMIN, OPS, VIEWER, EDITOR):
        caller = world.api(client, email)
        assert [r["reads"] for r in await caller.reach(JAN, JAN)] == [5], email
        (seen,) = await caller.publications()
        assert seen["latestReading"]["reads"] == 5 and len(seen["readings"]) == 1
    member = world.api(client, MEMBER)
    body = await member.raw('query { channelReach(from: "2025-01", to: "2025-01") { reads } }')
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    # members see the publication, not its reach
    (seen,) = await member.publications()
    assert (seen["channel"]["name"], seen["latestReading"], seen["readings"]) == ("Blog", None, [])


async def test_a_page_of_publications_costs_the_same_however_long(
    client, app, tenants, owner_engine
) -> None:
    world = await make_world(tenants, owner_engine)
    ops = world.api(client, OPS)
    channels = [await ops.channel(f"Channel {n}") for n in range(3)]

    async def publish(count: int) -> None:
        for n in range(count):
            await world.article(
                f"Piece {n}", [(channel, None, date(2025, 1, 5)) for channel in channels]
            )
        for publication in await ops.publications():
            if publication["latestReading"] is None:
                await ops.read(publication["id"], "2025-01-10", reads=1)

    async def statements(expected: int) -> int:
        with statements_sent(app.state.runtime.engine) as sent:
            data = await ops.data(PUBLICATIONS, {"filter": None})
        assert len(data["publications"]["edges"]) == expected
        assert all(edge["node"]["latestReading"] for edge in data["publications"]["edges"])
        return len(sent)

    await publish(1)
    await statements(3)  # warm: the tenant's lookup is cached after the first request
    few = await statements(3)
    await publish(3)
    assert await statements(12) == few
