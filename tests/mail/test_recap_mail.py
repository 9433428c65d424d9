"""The recap mail: every registrant with a seat gets it once, in their language, with the
recap's links; cancelled, waitlisted and erased registrants get nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from chapters.activities import lifecycle
from chapters.activities.recaps import RecapContent
from chapters.activities.service import LinkEntry
from chapters.db.session import open_tenant_session, tenant_sessionmaker
from chapters.jobs.queue import enqueue
from chapters.models import DomainEvent, LinkKind, RegistrationStatus, TenantRole
from chapters.models.mail import MailStatus
from tests.mail.mail_support import (
    add_registrations,
    bodies,
    messages,
    past,
    read_eml,
    run_jobs,
    set_locale,
)
from tests.support import make_activity, make_chapter, staff_session_call

STAFF = "ops@recap.example"
LEAD = "lead@recap.example"
SEATED = ["ann@recap.example", "bo@recap.example", "chen@recap.example"]
CANCELLED = "cancelled@recap.example"
WAITLISTED = "waiting@recap.example"
PUBLIC = "Public.Person@Elsewhere.example"


@pytest.fixture(scope="module")
async def world(tenants, owner_engine):
    people = {STAFF: TenantRole.OPS, LEAD: None, CANCELLED: None, WAITLISTED: None}
    people.update(dict.fromkeys(SEATED))
    tenant = await tenants.create("recap", people)
    await set_locale(owner_engine, tenant, "chen@recap.example", "zh-CN")
    chapter = await make_chapter(owner_engine, tenant, "hangzhou", staff=STAFF, lead=LEAD)
    activity = await make_activity(
        owner_engine, tenant, chapter.id, staff=STAFF, title="Rust <Meetup>", starts_at=past(2)
    )
    entries = [{"person_id": tenant.people[e].id} for e in SEATED]
    entries[1]["checked_in_at"] = datetime.now(UTC)
    entries += [
        {"person_id": tenant.people[CANCELLED].id, "status": RegistrationStatus.CANCELLED},
        {"person_id": tenant.people[WAITLISTED].id, "status": RegistrationStatus.WAITLISTED},
        {"name": "Pat", "email": PUBLIC, "locale": "en"},
        {"name": None, "email": None, "erased_at": datetime.now(UTC)},
    ]
    await add_registrations(owner_engine, tenant, activity.id, entries)
    return tenant, chapter, activity


async def test_recap_reaches_every_seated_registrant_once(
    world, owner_engine, app_engine, msettings, catcher, urls
):
    tenant, _, activity = world
    await run_jobs(msettings, urls, tenant)  # the registrations' own mail goes out first

    async def publish(session, principal):
        content = RecapContent(
            summary="We wrote a parser & shipped it.",
            links=[
                LinkEntry(
                    kind=LinkKind.SLIDES, url="https://slides.example/deck", title="The deck"
                ),
                LinkEntry(kind=LinkKind.RECORDING, url="https://video.example/rec"),
            ],
        )
        return await lifecycle.publish_recap(session, principal, activity.id, content)

    await staff_session_call(owner_engine, tenant, STAFF, publish)
    await run_jobs(msettings, urls, tenant)

    async with open_tenant_session(tenant_sessionmaker(app_engine), tenant.id) as session:
        event = await session.scalar(
            select(DomainEvent).where(
                DomainEvent.activity_id == activity.id,
                DomainEvent.type == "activity.recap_published",
            )
        )
    assert event is not None
    sent = await messages(app_engine, tenant, event_key=str(event.id))
    expected = sorted([*SEATED, PUBLIC.lower()])
    assert [row.recipient for row in sent] == expected
    assert {row.status for row in sent} == {MailStatus.SENT}
    assert {row.kind for row in sent} == {"recap_published"}

    for row in sent:
        message = read_eml(catcher, row.message_id)
        assert message is not None, row.recipient
        assert message["Message-ID"] == row.message_id
        assert message["To"] == row.recipient
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["List-Unsubscribe"] == f"<{row.unsubscribe_url}>"
        text, html = bodies(message)
        assert "https://video.example/rec" in text and "https://slides.example/deck" in text
        assert text.index("video.example") < text.index("slides.example")  # recording first
        assert "We wrote a parser & shipped it." in text
        assert "parser &amp; shipped" in html and "Rust &lt;Meetup&gt;" in html
        assert row.unsubscribe_url is not None and row.unsubscribe_url in html
        if row.recipient == "chen@recap.example":
            assert message["Subject"] == "活动回顾\uff1aRust <Meetup>"
            assert "录像" in text and "退订" in text
        else:
            assert message["Subject"] == "Recap: Rust <Meetup>"
            assert "Recording: https://video.example/rec" in text

    # Nothing for the cancelled, the waitlisted, the erased registrant.
    received = set(catcher.received)
    assert sum(row.message_id in received for row in sent) == len(sent)
    everyone = await messages(app_engine, tenant, kind="recap_published")
    assert {row.recipient for row in everyone} == set(expected)

    # The dispatch runs again (a retry): nothing is written or sent twice.
    before = list(catcher.received)
    async with open_tenant_session(tenant_sessionmaker(app_engine), tenant.id) as session:
        await enqueue(session, "events.dispatch", queue="events", event_id=str(event.id))
        await session.commit()
    await run_jobs(msettings, urls, tenant)
    again = await messages(app_engine, tenant, event_key=str(event.id))
    assert [(row.id, row.status) for row in again] == [(row.id, row.status) for row in sent]
    # (other tenants' mail may fall due meanwhile: a retry of an earlier test's, after backoff)
    resent = [m for m in catcher.received if m not in before]
    assert [m for m in resent if _recipient(catcher, m) in expected] == []


def _recipient(catcher, message_id: str) -> str | None:
    message = read_eml(catcher, message_id)
    return None if message is None else str(message["To"]).lower()


async def test_registration_mail_follows_the_status_and_the_language(
    world, owner_engine, app_engine, msettings, catcher, urls
):
    tenant, _, _ = world
    _, chapter, _ = world
    upcoming = await make_activity(owner_engine, tenant, chapter.id, staff=STAFF, title="Tea")
    await add_registrations(
        owner_engine,
        tenant,
        upcoming.id,
        [
            {"person_id": tenant.people["chen@recap.example"].id},
            {"person_id": tenant.people[WAITLISTED].id, "status": RegistrationStatus.WAITLISTED},
            {"name": "Pub", "email": "pub@x.example", "status": RegistrationStatus.PENDING},
        ],
    )
    await run_jobs(msettings, urls, tenant)
    rows = {
        row.recipient: row
        for row in await messages(app_engine, tenant)
        if row.kind.startswith("registration_") and "Tea" in row.subject
    }
    assert rows["chen@recap.example"].kind == "registration_received"
    assert rows["chen@recap.example"].subject == "报名成功\uff1aTea"
    assert rows[WAITLISTED].kind == "registration_waitlisted"
    assert rows["pub@x.example"].kind == "registration_confirmation"
    confirmation = read_eml(catcher, rows["pub@x.example"].message_id)
    assert confirmation is not None
    text, _ = bodies(confirmation)
    assert "http://chapters.test/t/" in text and "/registrations/confirm?token=" in text
    assert "/registrations/cancel?token=" in text
    # essential mail: no unsubscribe
    assert confirmation["List-Unsubscribe"] is None
    assert {row.status for row in rows.values()} == {MailStatus.SENT}
