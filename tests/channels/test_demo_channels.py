"""The demo's channels and reach on a tenant with an admin: exactly the three channels, then,
once the articles are published (here: their publications as the demo's articles have them,
5, 12 and 40 days ago), several readings of every publication spanning at least two months,
whose monthly totals add up to the latest readings; seeding again adds nothing."""

from __future__ import annotations

from datetime import date, timedelta

from chapters.channels import service
from chapters.db.session import open_tenant_session, tenant_sessionmaker
from chapters.demo.channels import seed_channels, seed_reach
from chapters.models import TenantRole
from tests.channels.channels_support import ADMIN, MEMBER, Api, World
from tests.support import make_chapter

CHANNELS = """{ channels(first: 10) { edges { node { name kind url } } } }"""
READINGS = """{ publications(first: 20) { edges { node { publishedOn channel { name }
  latestReading { reads views likes followersGained } readings { readOn } } } } }"""


async def test_the_demo_channels_and_reach(client, tenants, owner_engine) -> None:
    tenant = await tenants.create("channel-demo", {ADMIN: TenantRole.ADMIN, MEMBER: None})
    chapter = await make_chapter(owner_engine, tenant, "shanghai", staff=ADMIN, members=(MEMBER,))
    sessionmaker = tenant_sessionmaker(owner_engine)

    async def seed(step) -> str:
        async with open_tenant_session(sessionmaker, tenant.id) as session, session.begin():
            return str(await step(session))

    assert await seed(seed_channels) == "channels: 3 channels"
    assert await seed(seed_channels) == "channels: already seeded"
    admin = Api(client, tenant, ADMIN)
    channels = [e["node"] for e in (await admin.data(CHANNELS))["channels"]["edges"]]
    assert sorted((c["name"], c["kind"], c["url"]) for c in channels) == [
        ("Bilibili", "VIDEO", "https://space.bilibili.com/community-example"),
        ("WeChat official account", "WECHAT", "https://mp.weixin.qq.com/community-example"),
        ("Website", "WEBSITE", "https://community.example"),
    ]
    ids = {c["name"]: c["id"] for c in (await admin.channels())}
    assert await seed(seed_reach) == "reach: no publications to read"

    today = await seed(service.tenant_today)
    day = date.fromisoformat(today)
    world = World(tenant, chapter.id, owner_engine)
    published = {
        "Running Chapters at scale": (5, ("Website", "WeChat official account")),
        "Installing Chapters on a home lab": (12, ("Website",)),
        "Observability for meetup organisers": (40, ("Website", "Bilibili")),
    }
    for title, (days_ago, names) in published.items():
        on = day - timedelta(days=days_ago)
        await world.article(title, [(ids[name], None, on) for name in names])

    assert await seed(seed_reach) == "reach: 24 readings of 5 publications (cumulative totals)"
    assert await seed(seed_reach) == "reach: already seeded"

    rows = [e["node"] for e in (await admin.data(READINGS))["publications"]["edges"]]
    assert len(rows) == 5
    months: set[str] = set()
    for row in rows:
        assert len(row["readings"]) >= 3, row
        months |= {reading["readOn"][:7] for reading in row["readings"]}
        latest = row["latestReading"]
        assert latest is not None and any(latest[k] for k in latest), row
    assert len(months) >= 2

    # the monthly totals of each channel add up to its publications' latest totals
    first = (day - timedelta(days=45)).strftime("%Y-%m")
    totals = await admin.reach(first, today[:7])
    for name in ids:
        grown = sum(r["reads"] + r["views"] for r in totals if r["channel"]["name"] == name)
        latest = sum(
            (row["latestReading"]["reads"] or 0) + (row["latestReading"]["views"] or 0)
            for row in rows
            if row["channel"]["name"] == name
        )
        assert grown == latest > 0, name
    assert sum(r["publications"] for r in totals) == 5
