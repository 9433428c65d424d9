"""The daily renewal reminders, run by a real worker: staff are mailed (and told in the app)
once when an agreement in force is 30 days or less from its renewal, once more at 7 days,
never twice however often the job runs; drafts, agreements that ran out and renewals further
away are left alone; one tenant's run tells nobody of another's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from chapters.db.session import open_tenant_session, tenant_sessionmaker
from chapters.jobs.queue import enqueue
from chapters.models import TenantRole
from chapters.models.mail import MailStatus
from chapters.models.notification import Notification
from tests.mail.mail_support import bodies, messages, read_eml, run_jobs
from tests.partnerships.partnerships_support import ADMIN, AGREEMENT_ADD, MEMBER, OPS, Api

PEOPLE = {ADMIN: TenantRole.ADMIN, OPS: TenantRole.OPS, MEMBER: None}
NOW = datetime.now(UTC).replace(hour=7, minute=15, second=0, microsecond=0)
TODAY = NOW.date()
KIND = "agreement_renewal_due"


def _day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


async def _agreement(ops: Api, organisation: str, renews_in: int, **fields) -> str:
    relationship = await ops.relationship(await ops.organisation(organisation))
    values = {"status": "ACTIVE", "startsOn": _day(-300), "renewsOn": _day(renews_in), **fields}
    payload = await ops.ok(AGREEMENT_ADD, relationshipId=relationship, kind="SPONSORSHIP", **values)
    return str(payload["agreement"]["id"])


async def _run_daily(app_engine, msettings, urls, tenant, at: datetime) -> None:
    async with open_tenant_session(tenant_sessionmaker(app_engine), tenant.id) as session:
        await enqueue(
            session, "partnerships.remind_renewals", queue="housekeeping", at=int(at.timestamp())
        )
        await session.commit()
    await run_jobs(msettings, urls, tenant)


async def _reminders(app_engine, tenant) -> list[tuple[str, str]]:
    """(recipient, subject) of every reminder mail, sorted."""
    rows = await messages(app_engine, tenant, kind=KIND)
    return sorted((row.recipient, row.subject) for row in rows)


async def _notified(owner_engine, tenant) -> list[tuple[str, str, int]]:
    async with open_tenant_session(tenant_sessionmaker(owner_engine), tenant.id) as session:
        rows = await session.scalars(select(Notification).where(Notification.kind == KIND))
        names = {person.id: email for email, person in tenant.people.items()}
        return sorted(
            (names[row.person_id], row.data["organisation_name"], row.data["days"]) for row in rows
        )


async def test_staff_are_reminded_once_at_30_and_once_at_7_days(
    client, tenants, owner_engine, app_engine, msettings, catcher, urls
) -> None:
    tenant = await tenants.create("renewals", PEOPLE)
    other = await tenants.create("renewals-other", PEOPLE)
    ops = Api(client, tenant, OPS)
    await _agreement(ops, "Soon Corp", renews_in=20, documentUrl="https://docs.example/soon")
    await _agreement(ops, "Very Soon Ltd", renews_in=5)
    await _agreement(ops, "Far Away Inc", renews_in=60)
    await _agreement(ops, "Draft Co", renews_in=10, status="DRAFT")
    await _agreement(ops, "Ran Out GmbH", renews_in=3, endsOn=_day(-1))
    await _agreement(Api(client, other, OPS), "Elsewhere", renews_in=10)

    for at in (NOW, NOW + timedelta(hours=2)):  # the job run twice the same day
        await _run_daily(app_engine, msettings, urls, tenant, at)
    first = [
        (ADMIN, f"Renewal due on {_day(20)}: Soon Corp"),
        (ADMIN, f"Renewal due on {_day(5)}: Very Soon Ltd"),
        (OPS, f"Renewal due on {_day(20)}: Soon Corp"),
        (OPS, f"Renewal due on {_day(5)}: Very Soon Ltd"),
    ]
    assert await _reminders(app_engine, tenant) == sorted(first)
    assert await _notified(owner_engine, tenant) == [
        (ADMIN, "Soon Corp", 20),
        (ADMIN, "Very Soon Ltd", 5),
        (OPS, "Soon Corp", 20),
        (OPS, "Very Soon Ltd", 5),
    ]
    rows = await messages(app_engine, tenant, kind=KIND)
    assert {row.status for row in rows} == {MailStatus.SENT}
    soon = next(row for row in rows if "Soon Corp" in row.subject and row.recipient == OPS)
    mail = read_eml(catcher, soon.message_id)
    assert mail is not None
    text, html = bodies(mail)
    assert "comes up for renewal on " + _day(20) + ", in 20 days" in text
    assert "https://docs.example/soon" in text and "Soon Corp" in html

    # the next day: nothing new; two weeks on, Soon Corp is 6 days away: its 7-day reminder
    await _run_daily(app_engine, msettings, urls, tenant, NOW + timedelta(days=1))
    assert await _reminders(app_engine, tenant) == sorted(first)
    await _run_daily(app_engine, msettings, urls, tenant, NOW + timedelta(days=14))
    await _run_daily(app_engine, msettings, urls, tenant, NOW + timedelta(days=15))
    assert await _reminders(app_engine, tenant) == sorted(
        [
            *first,
            (ADMIN, f"Renewal due on {_day(20)}: Soon Corp"),
            (OPS, f"Renewal due on {_day(20)}: Soon Corp"),
        ]
    )
    assert len(await _notified(owner_engine, tenant)) == 6
    assert await _reminders(app_engine, other) == []  # its own run has not happened
