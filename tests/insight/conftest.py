"""The hand-written past the insight tests share (its story: ``test_definitions``)."""

from __future__ import annotations

import pytest

from chapters.auth.operator import operator_principal
from chapters.auth.tokens import issue_access_token
from chapters.db.session import open_tenant_session, tenant_sessionmaker
from chapters.insight import periods, rollup
from chapters.insight.rules import DEFAULT_RULES
from chapters.models import ActivityKind, ActivityStatus, ChapterRole, TenantRole
from chapters.models import ParticipantRole as R
from tests.insight.history import History, write_history

Q2 = periods.quarter("2025-Q2")


async def story(h: History) -> None:
    await h.chapter("Hangzhou", created="2024-01-01")
    await h.chapter("Chengdu", created="2024-01-01")
    for name in ("ann", "bob", "cat", "dan", "eve", "fay", "gus", "hal"):
        await h.person(name, public=name in ("ann", "dan"))
    await h.member("ann", "Hangzhou", "2024-06-01")
    await h.member("bob", "Hangzhou", "2024-01-01")
    await h.member("cat", "Hangzhou", "2025-04-15")
    await h.member("dan", "Hangzhou", "2024-03-01")
    await h.member("eve", "Hangzhou", "2024-02-01", left="2025-05-10")
    await h.member("fay", "Hangzhou", "2024-09-01", role=ChapterRole.LEAD)
    await h.member("hal", "Hangzhou", "2024-01-01")
    await h.member("gus", "Chengdu", "2025-03-01")
    await h.activity("Hangzhou", "2024-10-01", people={"dan": R.SPEAKER})
    await h.activity("Hangzhou", "2024-12-01", people={"bob": R.ORGANIZER})
    await h.activity("Hangzhou", "2025-01-20", people={"eve": R.GUEST}, recap=True)
    await h.activity("Hangzhou", "2025-02-10", people={"ann": R.SPEAKER}, recap=True)
    await h.activity("Hangzhou", "2025-05-01", people={"dan": R.SPEAKER}, recap=True, attendance=40)
    await h.activity("Hangzhou", "2025-05-05", people={"ann": R.SPEAKER}, attendance=25)
    await h.activity(
        "Hangzhou", "2025-05-20", kind=ActivityKind.MENTORING, people={"cat": R.MENTEE}, recap=True
    )
    await h.activity(
        "Hangzhou", "2025-06-10", status=ActivityStatus.DRAFT, people={"hal": R.SPEAKER}
    )
    await h.activity("Hangzhou", "2025-06-15", status=ActivityStatus.CANCELLED)
    await h.code("gus", "2025-06-01")


@pytest.fixture
async def past(
    request, tenants, owner_engine, app_engine, client, keys, settings
):  # client: the app started (cursor key)
    """The story written; with ``indirect`` parameter "rollup", the insight rollup built
    after it (figures then come from it for everyone but seat holders)."""
    tenant = await tenants.create(
        "insight",
        {
            "ops@x.example": TenantRole.OPS,
            "viewer@x.example": TenantRole.VIEWER,
            "admin@x.example": TenantRole.ADMIN,
        },
    )
    history = await write_history(owner_engine, tenant.id, story)
    sessionmaker = tenant_sessionmaker(app_engine)
    if getattr(request, "param", "live") == "rollup":
        async with open_tenant_session(sessionmaker, tenant.id) as session, session.begin():
            await rollup.refresh(session, tenant.id, DEFAULT_RULES)

    async def call(work):
        async with open_tenant_session(sessionmaker, tenant.id) as session, session.begin():
            return await work(session, operator_principal(tenant.id), tenant.id)

    history.tenant = tenant

    def token(name: str) -> str:
        person = history.people[name]
        return issue_access_token(keys, settings, tenant_id=tenant.id, subject=str(person.id))

    history.token = token
    return history, call
