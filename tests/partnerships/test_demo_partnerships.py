"""The demo's agreements and case users on a tenant with the demo's organisations: one
renewal due within a month, two stories of which the public sees the one that allows it;
seeding again adds nothing."""

from __future__ import annotations

from chapters.db.session import open_tenant_session, tenant_sessionmaker
from chapters.demo.partnerships import seed_partnerships
from chapters.models import TenantRole
from tests.partnerships.partnerships_support import ADMIN, Api


async def test_the_demo_partnerships(client, tenants, owner_engine) -> None:
    tenant = await tenants.create("partner-demo", {ADMIN: TenantRole.ADMIN})
    admin = Api(client, tenant, ADMIN)
    cloud = await admin.organisation("Example Cloud Inc.")
    for kind in ("SPONSOR", "CO_HOST"):
        await admin.relationship(cloud, kind)
    await admin.contact(cloud, "Grace Lin")
    await admin.relationship(await admin.organisation("Cloud Native Training Co."))
    await admin.organisation("Nanshan Robotics")

    sessionmaker = tenant_sessionmaker(owner_engine)
    async with open_tenant_session(sessionmaker, tenant.id) as session, session.begin():
        summary = await seed_partnerships(session)
    assert summary.startswith("partnerships: 3 agreements"), summary
    async with open_tenant_session(sessionmaker, tenant.id) as session, session.begin():
        assert await seed_partnerships(session) == "partnerships: already seeded"

    due = await admin.agreements(renewalWithinDays=30)
    assert [(a["organisation"]["name"], a["kind"]) for a in due] == [
        ("Example Cloud Inc.", "SPONSORSHIP")
    ]
    assert len(await admin.agreements(status=["ACTIVE"])) == 3
    public = await Api(client, tenant, None).case_users()
    assert [c["name"] for c in public] == ["Example Cloud Inc."]
    stories = {c["name"]: c for c in await admin.case_users()}
    assert set(stories) == {"Example Cloud Inc.", "Nanshan Robotics"}
    permission = stories["Example Cloud Inc."]["permission"]
    assert permission["grantedByContact"] == {"name": "Grace Lin"}
    assert permission["recordedBy"] == {"displayName": "admin"}
    assert stories["Nanshan Robotics"]["permission"] is None
