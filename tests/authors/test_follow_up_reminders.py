"""The daily outreach follow-ups, run by a real worker: the content editors are told in the app
once of each approach still unanswered whose follow-up day has come, never twice however often
the job runs; answered approaches and follow-ups still ahead are left alone; a tenant without
editors tells its staff; one tenant's run tells nobody of another's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from chapters.db.session import open_tenant_session, tenant_sessionmaker
from chapters.jobs.queue import enqueue
from chapters.models import TenantRole
from chapters.models.notification import Notification
from tests.authors.authors_support import ADMIN, EDITOR, OPS, OUTREACH_ANSWER, Api
from tests.mail.mail_support import run_jobs
from tests.support import make_editor

OTHER_EDITOR = "editor2@x.example"
PEOPLE = {ADMIN: TenantRole.ADMIN, OPS: TenantRole.OPS, EDITOR: None, OTHER_EDITOR: None}
NOW = datetime.now(UTC).replace(hour=7, minute=40, second=0, microsecond=0)
KIND = "author_follow_up_due"


def _day(days: int) -> str:
    return (NOW + timedelta(days=days)).date().isoformat()


async def _run_daily(app_engine, msettings, urls, tenant, at: datetime) -> None:
    async with open_tenant_session(tenant_sessionmaker(app_engine), tenant.id) as session:
        await enqueue(
            session, "authors.remind_follow_ups", queue="housekeeping", at=int(at.timestamp())
        )
        await session.commit()
    await run_jobs(msettings, urls, tenant)


async def _notified(owner_engine, tenant) -> list[tuple[str, str, str]]:
    async with open_tenant_session(tenant_sessionmaker(owner_engine), tenant.id) as session:
        rows = await session.scalars(select(Notification).where(Notification.kind == KIND))
        names = {person.id: email for email, person in tenant.people.items()}
        return sorted(
            (names[row.person_id], row.data["author_name"], row.data["follow_up_on"])
            for row in rows
        )


async def test_editors_are_told_once_of_each_follow_up_due(
    client, tenants, owner_engine, app_engine, msettings, urls
) -> None:
    tenant = await tenants.create("follow-up", PEOPLE)
    other = await tenants.create("follow-up-other", PEOPLE)
    for email in (EDITOR, OTHER_EDITOR):
        await make_editor(owner_engine, tenant, email, staff=OPS)
    await make_editor(owner_engine, other, EDITOR, staff=OPS)
    editor = Api(client, tenant, EDITOR)

    async def asked(name: str, contacted: int, follow_up: int | None) -> str:
        author = await editor.author(name=name, origin="INVITED")
        outreach = await editor.outreach(
            author["id"], _day(contacted), followUpOn=None if follow_up is None else _day(follow_up)
        )
        return str(outreach["id"])

    await asked("Due Today", -7, 0)
    await asked("Overdue", -20, -6)
    answered = await asked("Answered", -10, -1)
    await asked("Not Yet", -2, 5)
    await asked("No Follow-up", -3, None)
    await editor.ok(OUTREACH_ANSWER, id=answered, answer="DECLINED")
    elsewhere = Api(client, other, EDITOR)
    await elsewhere.outreach(
        (await elsewhere.author(name="Far Away"))["id"], _day(-9), followUpOn=_day(-1)
    )

    for at in (NOW, NOW + timedelta(hours=3)):  # the job run twice the same day
        await _run_daily(app_engine, msettings, urls, tenant, at)
    first = sorted(
        (email, name, _day(due))
        for email in (EDITOR, OTHER_EDITOR)
        for name, due in (("Due Today", 0), ("Overdue", -6))
    )
    assert await _notified(owner_engine, tenant) == first

    # the next days: nothing new until "Not Yet" comes due
    await _run_daily(app_engine, msettings, urls, tenant, NOW + timedelta(days=1))
    assert await _notified(owner_engine, tenant) == first
    await _run_daily(app_engine, msettings, urls, tenant, NOW + timedelta(days=5))
    due = [(EDITOR, "Not Yet", _day(5)), (OTHER_EDITOR, "Not Yet", _day(5))]
    assert await _notified(owner_engine, tenant) == sorted(first + due)
    assert await _notified(owner_engine, other) == []  # its own run has not happened


async def test_without_editors_staff_are_told(
    client, tenants, owner_engine, app_engine, msettings, urls
) -> None:
    tenant = await tenants.create("follow-up-staff", PEOPLE)
    ops = Api(client, tenant, OPS)
    author = await ops.author(personId=None, name="Wang Fang", origin="FOUND")
    await ops.outreach(author["id"], _day(-4), followUpOn=_day(-1))
    await _run_daily(app_engine, msettings, urls, tenant, NOW)
    assert await _notified(owner_engine, tenant) == [
        (ADMIN, "Wang Fang", _day(-1)),
        (OPS, "Wang Fang", _day(-1)),
    ]
