"""The confirmation outbox goes out as mail, while the app role still cannot read it."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from chapters.db.session import open_tenant_session, tenant_sessionmaker
from chapters.models import Person, TenantRole
from chapters.models.mail import MailStatus
from chapters.people import confirmations
from tests.mail.mail_support import bodies, messages, read_eml, run_jobs, set_locale
from tests.support import outbox

PERSON = "mover@outbox.example"


@pytest.fixture(scope="module")
async def tenant(tenants, owner_engine):
    made = await tenants.create("outbox", {PERSON: TenantRole.VIEWER})
    await set_locale(owner_engine, made, PERSON, "zh")
    return made


async def test_an_email_change_token_is_mailed_once_and_stays_unreadable(
    tenant, app_engine, owner_engine, msettings, catcher, urls
):
    sessionmaker = tenant_sessionmaker(app_engine)
    async with open_tenant_session(sessionmaker, tenant.id) as session:
        person = await session.get(Person, (tenant.id, tenant.people[PERSON].id))
        await confirmations.request_email_change(session, person, "new@outbox.example")
        await session.commit()
    stored = await outbox(owner_engine, tenant)
    token = next(m.body["token"] for m in stored if m.kind == "email_change_confirmation")
    rows = await messages(app_engine, tenant)
    # the mail rows hold no secret
    assert all(token not in (row.text_body or "") + row.subject for row in rows)
    assert {row.recipient for row in rows} == {"new@outbox.example", PERSON}

    await run_jobs(msettings, urls, tenant)
    rows = {row.recipient: row for row in await messages(app_engine, tenant)}
    confirmation = rows["new@outbox.example"]
    assert confirmation.status == MailStatus.SENT and confirmation.locale == "zh"
    mail = read_eml(catcher, confirmation.message_id)
    assert mail is not None and mail["Subject"] == "请确认您的新邮箱地址"
    text_part, html = bodies(mail)
    assert token in text_part and token in html
    notice = read_eml(catcher, rows[PERSON].message_id)
    assert notice is not None and "new@outbox.example" in bodies(notice)[0]
    assert {m.sent_at is not None for m in await outbox(owner_engine, tenant)} == {True}

    # The app role still cannot read the outbox, and the take function gives nothing twice.
    async with open_tenant_session(sessionmaker, tenant.id) as session:
        with pytest.raises(Exception, match="permission denied"):
            await session.execute(text("SELECT body FROM outbox_messages"))
    async with open_tenant_session(sessionmaker, tenant.id) as session:
        taken = await session.scalar(
            text("SELECT mail_take_outbox_message(:id)"), {"id": confirmation.outbox_id}
        )
        assert taken is None
