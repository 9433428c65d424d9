"""The demo's conferences on a tenant with an admin and a chapter's members: one call for
papers closing within two weeks, one talk accepted into the ledger and one rejected; seeding
again adds nothing."""

from __future__ import annotations

from chapters.db.session import open_tenant_session, tenant_sessionmaker
from chapters.demo.conferences import seed_conferences
from chapters.models import TenantRole
from tests.conferences.conferences_support import ADMIN, GUEST, OTHER, SPEAKER, UPCOMING, Api
from tests.support import make_chapter

PEOPLE = {ADMIN: TenantRole.ADMIN, SPEAKER: None, OTHER: None, GUEST: None}
TALKS = """{ talkSubmissions(first: 20) { edges { node { title status
  activity { kind status chapter { slug } } } } } }"""


async def test_the_demo_conferences(client, tenants, owner_engine) -> None:
    tenant = await tenants.create("conference-demo", PEOPLE)
    await make_chapter(owner_engine, tenant, "shanghai", staff=ADMIN, members=(SPEAKER, OTHER))
    await make_chapter(owner_engine, tenant, "hangzhou", staff=ADMIN, members=(GUEST,))

    sessionmaker = tenant_sessionmaker(owner_engine)
    async with open_tenant_session(sessionmaker, tenant.id) as session, session.begin():
        summary = await seed_conferences(session)
    assert summary.startswith("conferences: 2 conferences"), summary
    async with open_tenant_session(sessionmaker, tenant.id) as session, session.begin():
        assert await seed_conferences(session) == "conferences: already seeded"

    admin = Api(client, tenant, ADMIN)
    upcoming = (await admin.data(UPCOMING, {"days": 14}))["upcomingCfpDeadlines"]["edges"]
    assert [edge["node"]["name"] for edge in upcoming] == ["KubeCon + CloudNativeCon Asia"]
    talks = {
        e["node"]["title"]: e["node"] for e in (await admin.data(TALKS))["talkSubmissions"]["edges"]
    }
    accepted = talks["Forty chapters, one ledger"]
    assert accepted["status"] == "ACCEPTED"
    assert accepted["activity"] == {
        "kind": "TALK",
        "status": "ACCEPTED",
        "chapter": {"slug": "shanghai"},
    }
    rejected = talks["Docs sprints that stick"]
    assert (rejected["status"], rejected["activity"]) == ("REJECTED", None)
