"""Mail to organisers (review decisions, overdue recaps, the ops digest), the day-before
reminder, the invitation, templates in both languages, and ``chapters outbox``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

import aiosmtplib
import pytest

from chapters.activities import lifecycle
from chapters.db.session import open_tenant_session, tenant_sessionmaker
from chapters.jobs.queue import enqueue
from chapters.mail.kinds import ESSENTIAL, MAILED, MailKind
from chapters.mail.render import render
from chapters.models import ChapterRole, RegistrationStatus, TenantRole
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
from tests.support import make_activity, make_chapter, run_cli, staff_session_call

STAFF = "ops@leads.example"
ADMIN = "admin@leads.example"
LEAD = "lead@leads.example"
CO_LEAD = "co@leads.example"
MEMBER = "member@leads.example"
GUEST = "guest@leads.example"


@pytest.fixture(scope="module")
async def world(tenants, owner_engine):
    tenant = await tenants.create(
        "leads",
        {
            STAFF: TenantRole.OPS,
            ADMIN: TenantRole.ADMIN,
            LEAD: None,
            CO_LEAD: None,
            MEMBER: None,
            GUEST: None,
        },
    )
    await set_locale(owner_engine, tenant, CO_LEAD, "zh")
    chapter = await make_chapter(
        owner_engine,
        tenant,
        "ningbo",
        staff=STAFF,
        lead=LEAD,
        co_leads=(CO_LEAD,),
        members=(MEMBER,),
    )
    return tenant, chapter


async def test_review_decisions_reach_the_chapters_leads(
    world, owner_engine, app_engine, msettings, catcher, urls
):
    tenant, chapter = world
    draft = await make_activity(
        owner_engine, tenant, chapter.id, staff=STAFF, title="Review me", accept=False
    )

    async def request_changes(session, principal):
        await lifecycle.submit(session, principal, draft.id)
        await lifecycle.review(
            session, principal, draft.id, lifecycle.Step.REQUEST_CHANGES, "Add a <venue>"
        )

    await staff_session_call(owner_engine, tenant, STAFF, request_changes)
    await run_jobs(msettings, urls, tenant)
    rows = await messages(app_engine, tenant, kind="changes_requested")
    assert [row.recipient for row in rows] == sorted([LEAD, CO_LEAD])  # not the member
    assert {row.status for row in rows} == {MailStatus.SENT}
    by_person = {row.recipient: row for row in rows}
    assert by_person[CO_LEAD].subject.startswith("需要修改")
    mail = read_eml(catcher, by_person[LEAD].message_id)
    assert mail is not None
    text, html = bodies(mail)
    assert "Add a <venue>" in text and "Add a &lt;venue&gt;" in html

    async def accept(session, principal):
        await lifecycle.submit(session, principal, draft.id)
        await lifecycle.review(session, principal, draft.id, lifecycle.Step.ACCEPT)

    await staff_session_call(owner_engine, tenant, STAFF, accept)
    await run_jobs(msettings, urls, tenant)
    accepted = await messages(app_engine, tenant, kind="activity_accepted")
    assert {row.recipient for row in accepted} >= {LEAD, CO_LEAD}
    assert all(row.message_id in catcher.received for row in accepted)


async def test_the_reminder_goes_the_day_before_once_and_again_when_moved(
    world, owner_engine, app_engine, msettings, catcher, urls
):
    tenant, chapter = world
    now = datetime.now(UTC).replace(microsecond=0)
    soon = await make_activity(
        owner_engine,
        tenant,
        chapter.id,
        staff=STAFF,
        title="Tomorrow",
        starts_at=now + timedelta(hours=24, minutes=30),
    )
    later = await make_activity(
        owner_engine,
        tenant,
        chapter.id,
        staff=STAFF,
        title="Next week",
        starts_at=now + timedelta(days=6),
    )
    for activity in (soon, later):
        await add_registrations(
            owner_engine,
            tenant,
            activity.id,
            [
                {"person_id": tenant.people[GUEST].id},
                {"person_id": tenant.people[MEMBER].id, "status": RegistrationStatus.CANCELLED},
            ],
        )
    for _ in range(2):  # two hourly runs: one reminder
        async with open_tenant_session(tenant_sessionmaker(app_engine), tenant.id) as session:
            await enqueue(session, "mail.queue_reminders", queue="mail", at=int(now.timestamp()))
            await session.commit()
        await run_jobs(msettings, urls, tenant)
    reminders = await messages(app_engine, tenant, kind="activity_reminder")
    assert [(row.recipient, row.subject) for row in reminders] == [(GUEST, "Tomorrow: Tomorrow")]
    assert reminders[0].status == MailStatus.SENT
    mail = read_eml(catcher, reminders[0].message_id)
    assert mail is not None and mail["List-Unsubscribe"] is not None
    assert "Your check-in code" in bodies(mail)[0]


async def test_overdue_recaps_remind_the_leads_weekly_and_ops_daily(
    world, owner_engine, app_engine, msettings, catcher, urls
):
    tenant, chapter = world
    await make_activity(
        owner_engine, tenant, chapter.id, staff=STAFF, title="Forgotten", starts_at=past(9)
    )
    await make_activity(
        owner_engine, tenant, chapter.id, staff=STAFF, title="Recent", starts_at=past(2)
    )
    now = datetime.now(UTC).replace(hour=8)
    for at in (now, now + timedelta(hours=1)):  # a daily run repeated: nothing twice
        async with open_tenant_session(tenant_sessionmaker(app_engine), tenant.id) as session:
            await enqueue(session, "mail.queue_recap_overdue", queue="mail", at=int(at.timestamp()))
            await session.commit()
        await run_jobs(msettings, urls, tenant)
    overdue = await messages(app_engine, tenant, kind="recap_overdue")
    assert sorted((row.recipient, row.subject) for row in overdue) == [
        (CO_LEAD, "活动回顾逾期\uff1aForgotten"),
        (LEAD, "Recap overdue: Forgotten"),
    ]
    digest = await messages(app_engine, tenant, kind="ops_digest")
    assert sorted(row.recipient for row in digest) == sorted([STAFF, ADMIN])
    mail = read_eml(catcher, digest[0].message_id)
    assert mail is not None
    text, _ = bodies(mail)
    assert "Forgotten (Ningbo)" in text and "Recent" not in text


async def test_an_invitation_is_mailed_to_the_invitee(
    world, owner_engine, app_engine, msettings, catcher, urls
):
    tenant, chapter = world
    from chapters.memberships.service import invite_by_email

    async def invite(session, principal):
        return await invite_by_email(
            session,
            principal,
            chapter.id,
            "New.Comer@Leads.example",
            display_name="New Comer",
            role=ChapterRole.MEMBER,
        )

    await staff_session_call(owner_engine, tenant, STAFF, invite)
    await run_jobs(msettings, urls, tenant)
    [row] = await messages(app_engine, tenant, kind="chapter_invitation")
    assert row.recipient == "new.comer@leads.example" and row.status == MailStatus.SENT
    mail = read_eml(catcher, row.message_id)
    assert mail is not None and mail["Subject"] == "You are invited to join Ningbo"
    assert mail["List-Unsubscribe"] is None  # essential


@pytest.mark.parametrize("locale", ["en", "zh"])
@pytest.mark.parametrize("kind", MAILED)
def test_every_kind_renders_in_both_languages(kind: MailKind, locale: str):
    activity = {"title": "T<1>", "when": "w", "venue": "v", "online_url": None}
    context = {
        "tenant_name": "Acme",
        "recipient_name": "Ann",
        "unsubscribe_url": None if kind in ESSENTIAL else "https://u.example/x?token=a&b=1",
        "activity": activity,
        "comment": "c",
        "summary": "s",
        "revised": True,
        "links": [{"label": "L", "url": "https://l.example", "title": None}],
        "chapter": "C",
        "invited_by": "B",
        "role": None,
        "sign_in_url": "https://s.example",
        "confirm_url": "https://c.example",
        "cancel_url": "https://x.example",
        "code": "K",
        "days": 8,
        "activities": [{"title": "A", "chapter": "C", "ended": "e", "days": 8}],
        "title": "Cert",
        "url": "https://cert.example",
        "token": "tok",
        "expires": "x",
        "new_email": "n@x.example",
        "reason": "r",
        "previous_when": "p",
        "organisation_name": "O",
        "agreement_kind": "mou",
        "renews_on": "2027-01-01",
        "ends_on": "2027-01-31",
        "document_url": "https://d.example",
    }
    rendered = render(kind.value, locale, context)
    assert rendered.subject and "\n" not in rendered.subject
    assert rendered.html.startswith("<!DOCTYPE html>") and f'lang="{locale}"' in rendered.html
    assert ("您好" in rendered.text) == (locale == "zh")
    assert ("Hello" in rendered.text) == (locale == "en")
    if kind not in ESSENTIAL:
        assert "https://u.example/x?token=a&amp;b=1" in rendered.html
        assert "https://u.example/x?token=a&b=1" in rendered.text
    if "T<1>" in rendered.text:
        assert "T&lt;1&gt;" in rendered.html and "T<1>" not in rendered.html


async def test_the_outbox_command_lists_the_caught_mail_newest_first(catcher, cli_env):
    for day, subject in ((1, "Older"), (2, "Newer")):
        message = EmailMessage()
        message["From"] = "a@x.example"
        message["To"] = f"{subject.lower()}@x.example"
        message["Subject"] = subject
        message["Date"] = format_datetime(datetime(2026, 11, day, tzinfo=UTC))
        message["Message-ID"] = f"<{subject}@x.example>"
        message.set_content("hi")
        await aiosmtplib.send(message, hostname="127.0.0.1", port=catcher.port)
    env = {**cli_env, "CHAPTERS_OUTBOX_DIR": str(catcher.outbox_dir)}
    result = run_cli(env, "outbox")
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if not line.startswith("    ")]
    assert [line.split("  ")[1:] for line in lines] == [
        ["newer@x.example", "Newer"],
        ["older@x.example", "Older"],
    ]
    limited = run_cli(env, "outbox", "--limit", "1")
    assert "Newer" in limited.stdout and "Older" not in limited.stdout
