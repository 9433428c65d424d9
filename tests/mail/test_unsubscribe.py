"""One-click unsubscribe (RFC 8058): a POST to the link in the mail, no sign-in; the next
non-essential mail to that address is suppressed, essential mail still goes."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from chapters.db.session import open_tenant_session, tenant_sessionmaker
from chapters.mail.service import ALL_KINDS, queue_certificate_issued, unsubscribe
from chapters.memberships.service import invite_by_email
from chapters.models import TenantRole
from chapters.models.mail import MailStatus
from tests.mail.mail_support import messages, read_eml, run_jobs
from tests.support import make_chapter, staff_session_call

STAFF = "ops@unsub.example"
PERSON = "reader@unsub.example"


@pytest.fixture(scope="module")
async def world(tenants, owner_engine):
    tenant = await tenants.create("unsub", {STAFF: TenantRole.OPS, PERSON: None})
    chapter = await make_chapter(owner_engine, tenant, "suzhou", staff=STAFF)
    return tenant, chapter


async def _certificate(app_engine, tenant, msettings, title: str) -> None:
    from chapters.jobs.queue import JobRuntime, set_runtime

    # queued as another domain would, inside a job (the worker's settings give the links)
    set_runtime(JobRuntime(sessionmaker=tenant_sessionmaker(app_engine), settings=msettings))
    try:
        async with open_tenant_session(tenant_sessionmaker(app_engine), tenant.id) as session:
            await queue_certificate_issued(
                session, tenant.people[PERSON].id, title, f"https://certs.example/{title}"
            )
            await session.commit()
    finally:
        set_runtime(None)


async def test_one_click_post_unsubscribes_and_later_mail_is_suppressed(
    world, owner_engine, app_engine, msettings, catcher, urls, client
):
    tenant, chapter = world
    await _certificate(app_engine, tenant, msettings, "Speaker")
    await run_jobs(msettings, urls, tenant)
    [first] = await messages(app_engine, tenant, kind="certificate_issued")
    assert first.status == MailStatus.SENT
    mail = read_eml(catcher, first.message_id)
    assert mail is not None
    link = str(mail["List-Unsubscribe"]).strip("<>")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = urlsplit(link).path + "?" + urlsplit(link).query

    # GET only shows the question (link scanners must not unsubscribe anyone)
    page = await client.get(path)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<form method="post">' in page.text and PERSON in page.text
    assert "http" not in page.text.split("<body", 1)[1]  # no external assets
    await _certificate(app_engine, tenant, msettings, "Host")
    await run_jobs(msettings, urls, tenant)
    assert {
        row.status for row in await messages(app_engine, tenant, kind="certificate_issued")
    } == {MailStatus.SENT}

    # The mail client's one-click POST, no token header, no cookie.
    done = await client.post(
        path,
        content="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert done.status_code == 200 and "Unsubscribed" in done.text
    again = await client.post(path, content="List-Unsubscribe=One-Click")
    assert again.status_code == 200  # idempotent

    await _certificate(app_engine, tenant, msettings, "Mentor")
    # Even opted out of every optional kind, essential mail (an invitation) still goes.
    async with open_tenant_session(tenant_sessionmaker(app_engine), tenant.id) as session:
        await unsubscribe(session, PERSON, ALL_KINDS)
        await session.commit()

    async def invite(session, principal):
        return await invite_by_email(session, principal, chapter.id, PERSON)

    await staff_session_call(owner_engine, tenant, STAFF, invite)
    received_before = list(catcher.received)
    await run_jobs(msettings, urls, tenant)
    certificates = {
        row.subject: row for row in await messages(app_engine, tenant, kind="certificate_issued")
    }
    mentor = certificates["Your certificate: Mentor"]
    assert mentor.status == MailStatus.SUPPRESSED and mentor.sent_at is None
    assert mentor.message_id not in catcher.received
    [invitation] = await messages(app_engine, tenant, kind="chapter_invitation")
    assert invitation.status == MailStatus.SENT
    assert invitation.message_id in catcher.received
    assert invitation.message_id not in received_before


async def test_a_bad_or_foreign_token_unsubscribes_nobody(world, client, tenants):
    tenant, _ = world
    bad = await client.post(f"/t/{tenant.slug}/mail/unsubscribe?token=nonsense")
    assert bad.status_code == 400
    from chapters.mail.service import unsubscribe_token

    other = await tenants.create("unsub-other", {})
    token = unsubscribe_token(other.slug, PERSON, "recap_published")
    foreign = await client.post(f"/t/{tenant.slug}/mail/unsubscribe?token={token}")
    assert foreign.status_code == 400
