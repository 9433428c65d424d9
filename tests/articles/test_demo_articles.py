"""The demo's articles on a tenant with an admin, an ops person and chapters' members, once
the demo's channels are there: the ops person is the content editor; two templates; an
article in every state of the pipeline; exactly three published (5, 12 and 40 days ago, on
the agreed channels), one of them a reprint whose permission was granted, and a reprint
awaiting its author's answer; seeding again adds nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chapters.db.session import open_tenant_session, tenant_sessionmaker
from chapters.demo.articles import seed_articles
from chapters.demo.channels import seed_channels
from chapters.models import TenantRole
from tests.articles.articles_support import (
    ADMIN,
    CO_WRITER,
    LEAD,
    OPS,
    OTHER,
    TEMPLATES,
    WRITER,
    Api,
    person,
)
from tests.support import make_chapter

PEOPLE = {
    ADMIN: TenantRole.ADMIN,
    OPS: TenantRole.OPS,
    LEAD: None,
    WRITER: None,
    CO_WRITER: None,
    OTHER: None,
}
ARTICLES = """{ articles(first: 50) { edges { node { title status source publishedAt
  publications { publishedOn channel { name } }
  reprintPermissions { status } } } } }"""
EDITORS = "{ contentEditors(first: 5) { edges { node { person { id } } } } }"


async def test_the_demo_articles(client, tenants, owner_engine) -> None:
    tenant = await tenants.create("article-demo", PEOPLE)
    await make_chapter(
        owner_engine, tenant, "shanghai", staff=ADMIN, lead=LEAD, members=(WRITER, CO_WRITER)
    )
    await make_chapter(owner_engine, tenant, "hangzhou", staff=ADMIN, members=(OTHER,))
    sessionmaker = tenant_sessionmaker(owner_engine)

    async def seed(step) -> str:
        async with open_tenant_session(sessionmaker, tenant.id) as session, session.begin():
            return str(await step(session))

    assert (await seed(seed_articles)).startswith("articles: no admin, members or channels")
    await seed(seed_channels)
    assert (await seed(seed_articles)).startswith("articles: 1 editor, 2 templates, 3 articles")
    assert await seed(seed_articles) == "articles: already seeded"

    admin = Api(client, tenant, ADMIN)
    editors = (await admin.data(EDITORS))["contentEditors"]["edges"]
    assert [edge["node"]["person"]["id"] for edge in editors] == [person(tenant, OPS)]
    templates = (await admin.data(TEMPLATES))["articleTemplates"]["edges"]
    assert [edge["node"]["name"] for edge in templates] == ["Best practice", "Installation guide"]
    assert [(s["key"], s["required"]) for s in templates[0]["node"]["sections"]] == [
        ("background", True),
        ("setup", False),
        ("lessons", True),
        ("next_steps", False),
    ]

    articles = [e["node"] for e in (await admin.data(ARTICLES))["articles"]["edges"]]
    statuses = {article["status"] for article in articles}
    assert statuses == {
        "IDEA",
        "INVITED",
        "DRAFTING",
        "SUBMITTED",
        "IN_REVIEW",
        "CHANGES_REQUESTED",
        "SCHEDULED",
        "PUBLISHED",
        "DECLINED",
        "WITHDRAWN",
    }
    today = datetime.now(UTC).date()
    published = {
        article["title"]: (
            datetime.fromisoformat(article["publishedAt"]).date(),
            sorted((p["channel"]["name"], p["publishedOn"]) for p in article["publications"]),
        )
        for article in articles
        if article["status"] == "PUBLISHED"
    }

    def on(days: int, *channels: str) -> tuple:
        day = today - timedelta(days=days)
        return day, sorted((channel, day.isoformat()) for channel in channels)

    assert published == {
        "Running Chapters at scale: lessons from Shanghai": on(
            5, "Website", "WeChat official account"
        ),
        "Installing Chapters on a home lab": on(12, "Website"),
        "Observability for meetup organisers": on(40, "Website", "Bilibili"),
    }
    reprints = {
        article["title"]: (article["status"], [p["status"] for p in article["reprintPermissions"]])
        for article in articles
        if article["source"] == "REPRINT"
    }
    assert reprints == {
        "Observability for meetup organisers": ("PUBLISHED", ["GRANTED"]),
        "Scaling a community chat to ten thousand members": ("IN_REVIEW", ["REQUESTED"]),
    }
