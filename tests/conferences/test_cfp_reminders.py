"""The daily CFP deadline reminders, run by a real worker: staff are told in the app once when
a call for papers closes in 14 days or less, once more at 3 days, never twice however often the
job runs; deadlines further away or already past are left alone; a deadline moved later
reminds again; one tenant's run tells nobody of another's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from chapters.db.session import open_tenant_session, tenant_sessionmaker
from chapters.jobs.queue import enqueue
from chapters.models import TenantRole
from chapters.models.notification import Notification
from tests.conferences.conferences_support import ADMIN, CONFERENCE_UPDATE, OPS, SPEAKER, Api
from tests.mail.mail_support import run_jobs

PEOPLE = {ADMIN: TenantRole.ADMIN, OPS: TenantRole.OPS, SPEAKER: None}
NOW = datetime.now(UTC).replace(hour=7, minute=20, second=0, microsecond=0)
KIND = "cfp_deadline_due"


def _at(days: int) -> str:
    """A deadline ``days`` days from NOW, at the end of that day's afternoon (UTC)."""
    return (NOW + timedelta(days=days)).replace(hour=17, minute=0).isoformat()


async def _run_daily(app_engine, msettings, urls, tenant, at: datetime) -> None:
    async with open_tenant_session(tenant_sessionmaker(app_engine), tenant.id) as session:
        await enqueue(
            session,
            "conferences.remind_cfp_deadlines",
            queue="housekeeping",
            at=int(at.timestamp()),
        )
        await session.commit()
    await run_jobs(msettings, urls, tenant)


async def _notified(owner_engine, tenant) -> list[tuple[str, str, int]]:
    async with open_tenant_session(tenant_sessionmaker(owner_engine), tenant.id) as session:
        rows = await session.scalars(select(Notification).where(Notification.kind == KIND))
        names = {person.id: email for email, person in tenant.people.items()}
        return sorted(
            (names[row.person_id], row.data["conference_name"], row.data["days"]) for row in rows
        )


async def test_staff_are_told_once_at_14_and_once_at_3_days(
    client, tenants, owner_engine, app_engine, msettings, urls
) -> None:
    tenant = await tenants.create("cfp", PEOPLE)
    other = await tenants.create("cfp-other", PEOPLE)
    ops = Api(client, tenant, OPS)
    soon = await ops.conference("Soon Conf", cfpDeadline=_at(10))
    await ops.conference("Very Soon Conf", cfpDeadline=_at(2))
    await ops.conference("Far Conf", cfpDeadline=_at(40))
    await ops.conference("Closed Conf", cfpDeadline=_at(-1))
    await ops.conference("No CFP Conf")
    await Api(client, other, OPS).conference("Elsewhere", cfpDeadline=_at(5))

    for at in (NOW, NOW + timedelta(hours=2)):  # the job run twice the same day
        await _run_daily(app_engine, msettings, urls, tenant, at)
    first = [
        (ADMIN, "Soon Conf", 10),
        (ADMIN, "Very Soon Conf", 2),
        (OPS, "Soon Conf", 10),
        (OPS, "Very Soon Conf", 2),
    ]
    assert await _notified(owner_engine, tenant) == first

    # the next day: nothing new; a week on, Soon Conf is 3 days away: its 3-day reminder
    await _run_daily(app_engine, msettings, urls, tenant, NOW + timedelta(days=1))
    assert await _notified(owner_engine, tenant) == first
    await _run_daily(app_engine, msettings, urls, tenant, NOW + timedelta(days=7))
    await _run_daily(app_engine, msettings, urls, tenant, NOW + timedelta(days=8))
    at_three = [(ADMIN, "Soon Conf", 3), (OPS, "Soon Conf", 3)]
    assert await _notified(owner_engine, tenant) == sorted(first + at_three)

    # the deadline is extended by two weeks: reminded again on the new deadline
    await ops.ok(CONFERENCE_UPDATE, id=soon, cfpDeadline=_at(24))
    await _run_daily(app_engine, msettings, urls, tenant, NOW + timedelta(days=10))
    moved = [(ADMIN, "Soon Conf", 14), (OPS, "Soon Conf", 14)]
    assert await _notified(owner_engine, tenant) == sorted(first + at_three + moved)
    assert await _notified(owner_engine, other) == []  # its own run has not happened
