"""The demo's newsletters, on the seeded demo with its channels, articles, authors and reach
(the content seeds' order: channels → articles → authors → reach → newsletters): the column
"Community Weekly" with issue #1 published on the website a week ago and issue #2 a draft, and
the draft for the fortnight before seeding holding exactly the items listed here by hand;
seeding again adds nothing.

The demo's articles, project updates and outbound meetups are dated from the day of seeding;
its ledger of activities has fixed dates. ``LEDGER_NEAR`` lists, by hand, the ledger's accepted
activities from 16 November 2026 (the day after the demo's past participation ends) on: the
ledger ends in January 2027 and none of its activities from December on is accepted, so the
test expects those of the list that fall in the draft's windows, for any seeding day from 29
November 2026 (the first whose fortnight lies past the participation's end).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from chapters.auth.tokens import issue_access_token
from chapters.db.session import open_tenant_session, tenant_sessionmaker
from chapters.demo import seed_demo
from chapters.demo.articles import seed_articles
from chapters.demo.authors import seed_authors
from chapters.demo.channels import seed_channels, seed_reach
from chapters.demo.newsletters import seed_newsletters
from chapters.models import Person
from tests.newsletters.newsletters_support import DRAFT, ISSUES
from tests.support import TenantFixture, gql

ZONE = ZoneInfo("Asia/Shanghai")  # the demo tenant's clock
PARTICIPATION_ENDS = date(2026, 11, 15)
# The ledger's accepted activities after PARTICIPATION_ENDS, by their day on their own clock
# (its others there, to January 2027, are drafts, in review, sent back or rescheduled).
LEDGER_NEAR = [(date(2026, 11, 25), "Shanghai Cloud Native Meetup #36: AI infrastructure")]
# The outbound demo's meetups, two days before seeding and tomorrow.
RECAPPED_MEETUP = "Docs sprint night (recap mail demo)"
UPCOMING_MEETUP = "Serverless on a Saturday: live demos (registration demo)"
ARTICLES = ["Installing Chapters on a home lab", "Running Chapters at scale: lessons from Shanghai"]
UPDATES = [
    "The Chinese docs translation is complete",
    "Chapters 2.4 released: calendar feeds and verifiable certificates",
]


def _titles(issue: dict, *sections: str) -> list[tuple[str, str]]:
    return [(i["section"], i["title"]) for i in issue["items"] if i["section"] in sections]


def _ledger(first: date, last: date) -> list[tuple[date, str]]:
    return [(day, title) for day, title in LEDGER_NEAR if first <= day <= last]


async def test_the_demo_newsletters(client, owner_engine, keys, settings) -> None:
    demo = await seed_demo(owner_engine, echo=lambda line: None, keys=keys)
    tenant_id = demo["demo"]
    today = datetime.now(ZONE).date()
    sessionmaker = tenant_sessionmaker(owner_engine)

    async def seed(step) -> str:
        async with open_tenant_session(sessionmaker, tenant_id) as session, session.begin():
            return str(await step(session))

    # seeded by seed_demo (here or by an earlier test on this database), once
    for step in (seed_channels, seed_articles, seed_authors, seed_reach, seed_newsletters):
        assert (await seed(step)).endswith("already seeded")

    async def token(email: str) -> str:
        async with open_tenant_session(sessionmaker, tenant_id) as session:
            person = await session.scalar(select(Person).where(Person.email == email))
        assert person is not None
        return issue_access_token(keys, settings, tenant_id=tenant_id, subject=str(person.id))

    tenant = TenantFixture(id=tenant_id, slug="demo")
    admin = await token("admin@demo.example")
    issues = await gql(client, tenant.slug, ISSUES, {}, token=admin)
    found = [edge["node"] for edge in issues["data"]["newsletterIssues"]["edges"]]
    assert [(i["number"], i["status"], i["periodStart"], i["periodEnd"]) for i in found] == [
        (2, "DRAFT", str(today - timedelta(days=7)), str(today - timedelta(days=1))),
        (1, "PUBLISHED", str(today - timedelta(days=14)), str(today - timedelta(days=8))),
    ]
    second, first = found
    assert first["publications"] == [
        {
            "url": "https://community.example/newsletter/1",
            "publishedOn": str(today - timedelta(days=7)),
            "channel": {"name": "Website"},
        }
    ]
    assert _titles(first, "ARTICLES", "PROJECT_UPDATES") == [
        ("ARTICLES", "Installing Chapters on a home lab"),
        ("PROJECT_UPDATES", "The Chinese docs translation is complete"),
    ]
    assert _titles(second, "ARTICLES", "PROJECT_UPDATES") == [
        ("ARTICLES", "Running Chapters at scale: lessons from Shanghai"),
        ("PROJECT_UPDATES", "Chapters 2.4 released: calendar feeds and verifiable certificates"),
    ]
    # a member reads the published issue only
    member = await token("member@demo.example")
    seen = await gql(client, tenant.slug, ISSUES, {}, token=member)
    assert [e["node"]["number"] for e in seen["data"]["newsletterIssues"]["edges"]] == [1]

    # the draft for the fortnight before seeding: exactly these items
    assert today - timedelta(days=13) > PARTICIPATION_ENDS
    columns = await gql(
        client, tenant.slug, "{ newsletterColumns { edges { node { id } } } }", token=admin
    )
    [weekly] = [edge["node"]["id"] for edge in columns["data"]["newsletterColumns"]["edges"]]
    period = {"from": str(today - timedelta(days=13)), "to": str(today - timedelta(days=1))}
    body = await gql(client, tenant.slug, DRAFT, {"column": weekly, "period": period}, token=admin)
    sections = {
        s["section"]: [i["title"] for i in s["items"]]
        for s in body["data"]["newsletterDraft"]["sections"]
    }
    recaps = sorted(
        [
            *_ledger(today - timedelta(days=13), today - timedelta(days=1)),
            (today - timedelta(days=2), RECAPPED_MEETUP),
        ]
    )
    upcoming = sorted([*_ledger(today, today + timedelta(days=27)), (today, UPCOMING_MEETUP)])
    assert sections == {
        "UPCOMING": [title for _, title in upcoming],
        "RECAPS": [title for _, title in recaps],
        "ARTICLES": ARTICLES,
        "NEW_CONTRIBUTORS": [],  # the demo's code contributors all began before 2026
        "RECOGNITION": [],  # its certificates are issued on the day of seeding, one revoked
        "PROJECT_UPDATES": UPDATES,
    }
