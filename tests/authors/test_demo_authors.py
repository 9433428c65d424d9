"""The demo's author pool, seeded after its channels and articles on a tenant with an admin and
a chapter's members: writers found and invited, one who accepted, one whose follow-up is
overdue, one who declined, a member invited this week, and topics on every author (the
articles' writers included); seeding again adds nothing."""

from __future__ import annotations

from datetime import UTC, datetime

from chapters.db.session import open_tenant_session, tenant_sessionmaker
from chapters.demo.articles import seed_articles
from chapters.demo.authors import seed_authors
from chapters.demo.channels import seed_channels
from chapters.models import TenantRole
from tests.authors.authors_support import ADMIN, MEMBER, OPS, WRITER, Api
from tests.support import make_chapter

NEWCOMERS = tuple(f"newcomer{i}@x.example" for i in range(3))  # more members than writers
PEOPLE = {
    ADMIN: TenantRole.ADMIN,
    OPS: TenantRole.OPS,
    WRITER: None,
    MEMBER: None,
    **dict.fromkeys(NEWCOMERS),
}
POOL = """{ authors(first: 50) { edges { node { name origin topics person { id }
  outreach { topic answer followUpOn } articles { title } } } } }"""


async def test_the_demo_authors(client, tenants, owner_engine) -> None:
    tenant = await tenants.create("authors-demo", PEOPLE)
    members = (WRITER, MEMBER, *NEWCOMERS)
    await make_chapter(owner_engine, tenant, "shanghai", staff=ADMIN, members=members)

    sessionmaker = tenant_sessionmaker(owner_engine)
    for seed in (seed_channels, seed_articles):
        async with open_tenant_session(sessionmaker, tenant.id) as session, session.begin():
            await seed(session)
    async with open_tenant_session(sessionmaker, tenant.id) as session, session.begin():
        summary = await seed_authors(session)
    assert summary.startswith("authors: 4 added"), summary
    async with open_tenant_session(sessionmaker, tenant.id) as session, session.begin():
        assert await seed_authors(session) == "authors: already seeded"

    pool = (await Api(client, tenant, ADMIN).data(POOL))["authors"]["edges"]
    authors = [edge["node"] for edge in pool]
    by_name = {author["name"]: author for author in authors}
    assert all(author["topics"] for author in authors), "topics on everyone"
    assert any(author["articles"] for author in authors), "the articles' writers are in the pool"

    today = datetime.now(UTC).date().isoformat()
    assert by_name["Li Wei"]["origin"] == "FOUND"
    assert [o["answer"] for o in by_name["Li Wei"]["outreach"]] == ["ACCEPTED"]
    assert [o["answer"] for o in by_name["Zhang Min"]["outreach"]] == ["DECLINED"]
    (pending,) = by_name["Chen Jie"]["outreach"]
    assert pending["answer"] == "PENDING" and pending["followUpOn"] < today
    invited = [a for a in authors if a["person"] and a["origin"] == "INVITED"]
    assert [o["answer"] for a in invited for o in a["outreach"]] == ["PENDING"]
