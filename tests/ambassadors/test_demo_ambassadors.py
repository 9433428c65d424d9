"""The demo's ambassadors on a tenant with the demo's people and chapters: one serving, one
renewed, one alumna, one nomination to review, as the directory and the review queue show
them; seeding again adds nothing."""

from __future__ import annotations

from sqlalchemy import update

from chapters.db.session import open_tenant_session, tenant_sessionmaker
from chapters.demo.ambassadors import seed_ambassadors
from chapters.models import Person, TenantRole
from tests.support import Api, make_chapter, person_id

NAMES = {
    "xu@x.example": "Xu Ming",
    "emily@x.example": "Emily Wong",
    "chen@x.example": "Chen Jie",
    "xie@x.example": "Xie Na",
}
DIRECTORY = """query ($status: AmbassadorStanding!) { ambassadors(status: $status) {
  edges { node { displayName program { name } chapter { slug } } } } }"""
QUEUE = """{ ambassadorNominations(filter: {status: [PENDING]}) {
  edges { node { person { displayName } program { name } nominatedAs } } } }"""
HISTORY = """query ($id: ID!) { ambassadorTerms(personId: $id) { edges { node { status } } } }"""


async def test_the_demo_ambassadors(client, tenants, owner_engine):
    tenant = await tenants.create(
        "amb-demo", {"admin@x.example": TenantRole.ADMIN, **dict.fromkeys(NAMES)}
    )
    for slug in ("hangzhou", "guangzhou", "shenzhen"):
        await make_chapter(owner_engine, tenant, slug, staff="admin@x.example")
    sessionmaker = tenant_sessionmaker(owner_engine)
    async with open_tenant_session(sessionmaker, tenant.id) as session, session.begin():
        for email, name in NAMES.items():
            await session.execute(
                update(Person)
                .where(Person.id == tenant.people[email].id)
                .values(display_name=name, public_profile=True)
            )
        summary = await seed_ambassadors(session)
    assert "3 ambassadors" in summary
    async with open_tenant_session(sessionmaker, tenant.id) as session, session.begin():
        assert await seed_ambassadors(session) == "ambassadors: already seeded"

    anonymous, admin = Api(client, tenant, None), Api(client, tenant, "admin@x.example")
    active = (await anonymous.data(DIRECTORY, {"status": "ACTIVE"}))["ambassadors"]["edges"]
    assert sorted(edge["node"]["displayName"] for edge in active) == ["Emily Wong", "Xu Ming"]
    alumni = (await anonymous.data(DIRECTORY, {"status": "ALUMNI"}))["ambassadors"]["edges"]
    assert [edge["node"]["displayName"] for edge in alumni] == ["Chen Jie"]
    (pending,) = (await admin.data(QUEUE))["ambassadorNominations"]["edges"]
    assert pending["node"] == {
        "person": {"displayName": "Xie Na"},
        "program": {"name": "Student Ambassadors"},
        "nominatedAs": "SELF",
    }
    emily = await admin.data(HISTORY, {"id": person_id(tenant, "emily@x.example")})
    statuses = [edge["node"]["status"] for edge in emily["ambassadorTerms"]["edges"]]
    assert statuses == ["ACTIVE", "RENEWED"]
