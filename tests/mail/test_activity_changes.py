"""An accepted activity cancelled or moved: everyone holding a seat or waiting for one is
mailed once, in their language, with the reason (a move: the old and the new time in the
activity's zone); a registration still to be confirmed, or cancelled, hears nothing. The
registrations stay as they were, nobody can register any more, and no reminder goes out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from chapters.activities import lifecycle, schedule
from chapters.db.session import open_tenant_session, tenant_sessionmaker
from chapters.errors import InvalidInput
from chapters.jobs.queue import enqueue
from chapters.mail.service import ALL_KINDS, unsubscribe
from chapters.models import DomainEvent, Registration, RegistrationStatus, TenantRole
from chapters.models.mail import MailStatus
from chapters.registrations import service as registrations
from tests.mail.mail_support import (
    add_registrations,
    bodies,
    messages,
    read_eml,
    run_jobs,
    set_locale,
)
from tests.support import make_activity, make_chapter, staff_session_call

STAFF = "ops@moved.example"
LEAD = "lead@moved.example"
SEATED = "ann@moved.example"
WAITING = "wu@moved.example"  # reads Chinese
DROPPED = "dropped@moved.example"
UNCONFIRMED = "pending@elsewhere.example"
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
async def world(tenants, owner_engine):
    people = {STAFF: TenantRole.OPS, LEAD: None, SEATED: None, WAITING: None, DROPPED: None}
    tenant = await tenants.create("moved", people)
    await set_locale(owner_engine, tenant, WAITING, "zh-CN")
    chapter = await make_chapter(owner_engine, tenant, "suzhou", staff=STAFF, lead=LEAD)
    return tenant, chapter


def next_week_at(hour_utc: int) -> datetime:
    day = datetime.now(UTC).replace(hour=hour_utc, minute=0, second=0, microsecond=0)
    return day + timedelta(days=7)


async def registered_activity(owner_engine, tenant, chapter, title: str, starts_at: datetime):
    """An accepted activity with one registrant of each status."""
    activity = await make_activity(
        owner_engine, tenant, chapter.id, staff=STAFF, title=title, starts_at=starts_at
    )
    await add_registrations(
        owner_engine,
        tenant,
        activity.id,
        [
            {"person_id": tenant.people[SEATED].id},
            {"person_id": tenant.people[WAITING].id, "status": RegistrationStatus.WAITLISTED},
            {"person_id": tenant.people[DROPPED].id, "status": RegistrationStatus.CANCELLED},
            {
                "name": "Pending Pat",
                "email": UNCONFIRMED,
                "locale": "en",
                "status": RegistrationStatus.PENDING,
            },
        ],
    )
    return activity


async def event_of(app_engine, tenant, activity_id, kind: str) -> DomainEvent:
    async with open_tenant_session(tenant_sessionmaker(app_engine), tenant.id) as session:
        event = await session.scalar(
            select(DomainEvent).where(
                DomainEvent.activity_id == activity_id, DomainEvent.type == kind
            )
        )
    assert event is not None
    return event


async def statuses(app_engine, tenant, activity_id) -> dict[str, RegistrationStatus]:
    async with open_tenant_session(tenant_sessionmaker(app_engine), tenant.id) as session:
        rows = await session.scalars(
            select(Registration).where(Registration.activity_id == activity_id)
        )
        return {str(row.email or row.person_id): row.status for row in rows}


async def test_a_cancellation_reaches_the_seated_and_the_waitlisted_once(
    world, owner_engine, app_engine, msettings, catcher, urls
):
    tenant, chapter = world
    activity = await registered_activity(
        owner_engine, tenant, chapter, "Rust <Night>", next_week_at(11)
    )
    await run_jobs(msettings, urls, tenant)  # the registrations' own mail goes out first
    before = await statuses(app_engine, tenant, activity.id)
    # Essential: sent even to an address that unsubscribed from everything it could.
    async with open_tenant_session(tenant_sessionmaker(owner_engine), tenant.id) as session:
        await unsubscribe(session, SEATED, ALL_KINDS)
        await session.commit()

    async def cancel(session, principal):
        await lifecycle.cancel(session, principal, activity.id, "The venue flooded & closed.")

    await staff_session_call(owner_engine, tenant, STAFF, cancel)
    await run_jobs(msettings, urls, tenant)

    event = await event_of(app_engine, tenant, activity.id, "activity.cancelled")
    sent = await messages(app_engine, tenant, event_key=str(event.id))
    assert [row.recipient for row in sent] == [SEATED, WAITING]
    assert {(row.kind, row.status) for row in sent} == {("activity_cancelled", MailStatus.SENT)}
    by_recipient = {row.recipient: row for row in sent}
    for row in sent:
        mail = read_eml(catcher, row.message_id)
        assert mail is not None, row.recipient
        assert mail["List-Unsubscribe"] is None  # essential: no way out of it
        text, html = bodies(mail)
        assert "The venue flooded & closed." in text and "flooded &amp; closed" in html
        assert "Suzhou" in text and "Rust &lt;Night&gt;" in html
    english = read_eml(catcher, by_recipient[SEATED].message_id)
    chinese = read_eml(catcher, by_recipient[WAITING].message_id)
    assert english is not None and chinese is not None
    assert english["Subject"] == "Cancelled: Rust <Night>"
    assert chinese["Subject"] == "活动取消\uff1aRust <Night>"
    assert "取消原因" in bodies(chinese)[0]

    # Nobody else was told: not the cancelled registrant, not the unconfirmed one.
    everyone = await messages(app_engine, tenant, kind="activity_cancelled")
    assert {row.recipient for row in everyone} == {SEATED, WAITING}

    # The dispatch runs again (a retry): nothing is written or sent twice.
    received = list(catcher.received)
    async with open_tenant_session(tenant_sessionmaker(app_engine), tenant.id) as session:
        await enqueue(session, "events.dispatch", queue="events", event_id=str(event.id))
        await session.commit()
    await run_jobs(msettings, urls, tenant)
    again = await messages(app_engine, tenant, event_key=str(event.id))
    assert [(row.id, row.status) for row in again] == [(row.id, row.status) for row in sent]
    assert [m for m in catcher.received if m not in received] == []

    # The registrations stay the record of who had signed up; nobody signs up any more.
    assert await statuses(app_engine, tenant, activity.id) == before

    async def register(session, principal):
        await registrations.register(session, principal, activity.id)

    # (ops, who still see the cancelled activity: others find no such activity)
    with pytest.raises(InvalidInput, match="Only accepted activities take registrations"):
        await staff_session_call(owner_engine, tenant, STAFF, register)


async def test_a_move_shows_the_old_and_the_new_time_in_the_activitys_zone(
    world, owner_engine, app_engine, msettings, catcher, urls
):
    tenant, chapter = world
    old_start = next_week_at(11)  # 19:00 in Shanghai
    activity = await registered_activity(owner_engine, tenant, chapter, "Go Tour", old_start)
    await run_jobs(msettings, urls, tenant)
    new_start = old_start + timedelta(days=1, hours=-9)  # the next day, 10:00 in Shanghai

    async def move(session, principal):
        await schedule.reschedule(
            session,
            principal,
            activity.id,
            starts_at=new_start,
            reason="The speaker's flight moved.",
        )

    await staff_session_call(owner_engine, tenant, STAFF, move)
    await run_jobs(msettings, urls, tenant)

    event = await event_of(app_engine, tenant, activity.id, "activity.rescheduled")
    sent = await messages(app_engine, tenant, event_key=str(event.id))
    assert [row.recipient for row in sent] == [SEATED, WAITING]
    assert {(row.kind, row.status) for row in sent} == {("activity_rescheduled", MailStatus.SENT)}
    old_day = old_start.astimezone(SHANGHAI).strftime("%Y-%m-%d")
    new_day = new_start.astimezone(SHANGHAI).strftime("%Y-%m-%d")
    was = f"{old_day} 19:00 - 21:00 (Asia/Shanghai)"
    now = f"{new_day} 10:00 - 12:00 (Asia/Shanghai)"  # it lasts as long as before
    by_recipient = {row.recipient: row for row in sent}
    english = read_eml(catcher, by_recipient[SEATED].message_id)
    chinese = read_eml(catcher, by_recipient[WAITING].message_id)
    assert english is not None and chinese is not None
    assert english["Subject"] == "New time: Go Tour"
    assert english["List-Unsubscribe"] is None
    text, html = bodies(english)
    assert f"When: {now}" in text and f"It was: {was}" in text
    assert "The speaker's flight moved." in text and now in html and was in html
    assert "/registrations/cancel?token=" in text  # cannot come at the new time: cancel
    assert chinese["Subject"] == "活动改期\uff1aGo Tour"
    zh_text, _ = bodies(chinese)
    assert f"时间\uff1a{now}" in zh_text and f"原定时间\uff1a{was}" in zh_text
    everyone = await messages(app_engine, tenant, kind="activity_rescheduled")
    assert {row.recipient for row in everyone} == {SEATED, WAITING}


async def test_no_reminder_for_a_cancelled_activity(
    world, owner_engine, app_engine, msettings, catcher, urls
):
    tenant, chapter = world
    now = datetime.now(UTC).replace(microsecond=0)
    tomorrow = now + timedelta(hours=24, minutes=30)
    await registered_activity(owner_engine, tenant, chapter, "Held", tomorrow)
    called_off = await registered_activity(owner_engine, tenant, chapter, "Called off", tomorrow)

    async def cancel(session, principal):
        await lifecycle.cancel(session, principal, called_off.id, "Nobody can host it.")

    await staff_session_call(owner_engine, tenant, STAFF, cancel)
    async with open_tenant_session(tenant_sessionmaker(app_engine), tenant.id) as session:
        await enqueue(session, "mail.queue_reminders", queue="mail", at=int(now.timestamp()))
        await session.commit()
    await run_jobs(msettings, urls, tenant)

    reminders = await messages(app_engine, tenant, kind="activity_reminder")
    assert sorted((row.recipient, row.subject) for row in reminders) == [(SEATED, "Tomorrow: Held")]
