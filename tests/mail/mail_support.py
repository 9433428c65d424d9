"""What the mail tests share: a real SMTP catcher on 127.0.0.1, settings that point at it,
the worker run until the queue is empty, and ways to read what was sent."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import uuid
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from chapters.db.session import open_tenant_session, tenant_sessionmaker
from chapters.jobs.worker import run_worker
from chapters.mail.catcher import Catcher, file_name
from chapters.models import Person, Registration, RegistrationStatus
from chapters.models.mail import MailMessage
from chapters.settings import Settings
from tests.support import TenantFixture

PUBLIC_URL = "http://chapters.test"


def mail_settings(settings: Settings, catcher: Catcher, **changes: Any) -> Settings:
    return dataclasses.replace(
        settings,
        smtp_host="127.0.0.1",
        smtp_port=catcher.port,
        smtp_timeout_seconds=5,
        outbox_dir=catcher.outbox_dir,
        public_url=PUBLIC_URL,
        **changes,
    )


_DUE = text(
    "SELECT count(*) FROM procrastinate_jobs WHERE status = 'todo'"
    " AND (scheduled_at IS NULL OR scheduled_at <= now())"
)


async def run_jobs(settings: Settings, urls: Any, tenant: TenantFixture) -> None:
    """Run the worker until the tenant has no job due (a job's jobs included: a worker run
    with ``wait=False`` stops once it finds the queue empty, before jobs enqueued by jobs
    that are still running)."""
    sessionmaker = tenant_sessionmaker(create_async_engine(urls.app, poolclass=NullPool))
    for _ in range(10):
        await run_worker(settings, urls.app, wait=False)
        async with open_tenant_session(sessionmaker, tenant.id) as session:
            if not await session.scalar(_DUE):
                return
    raise AssertionError("jobs still due after 10 worker runs")


def read_eml(catcher: Catcher, message_id: str) -> EmailMessage | None:
    path = catcher.outbox_dir / file_name(message_id)
    if not path.exists():
        return None
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def bodies(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    return str(text.get_content()), str(html.get_content())


def eml_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.eml"))


async def messages(engine: AsyncEngine, tenant: TenantFixture, **where: Any) -> list[MailMessage]:
    async with open_tenant_session(tenant_sessionmaker(engine), tenant.id) as session:
        query = select(MailMessage).order_by(MailMessage.recipient, MailMessage.created_at)
        for name, value in where.items():
            query = query.where(getattr(MailMessage, name) == value)
        return list(await session.scalars(query))


async def add_registrations(
    owner_engine: AsyncEngine,
    tenant: TenantFixture,
    activity_id: uuid.UUID,
    entries: list[dict[str, Any]],
) -> list[Registration]:
    """Registrations written as rows (the registration events follow from them)."""
    now = datetime.now(UTC)
    rows = []
    async with open_tenant_session(tenant_sessionmaker(owner_engine), tenant.id) as session:
        for number, entry in enumerate(entries):
            status = entry.pop("status", RegistrationStatus.CONFIRMED)
            row = Registration(
                activity_id=activity_id,
                status=status,
                code=f"C{number:04d}{uuid.uuid4().hex[:4]}",
                confirmed_at=now if status == RegistrationStatus.CONFIRMED else None,
                **entry,
            )
            session.add(row)
            rows.append(row)
        await session.commit()
    return rows


async def set_locale(
    owner_engine: AsyncEngine, tenant: TenantFixture, email_address: str, locale: str
) -> None:
    async with open_tenant_session(tenant_sessionmaker(owner_engine), tenant.id) as session:
        person = await session.scalar(select(Person).where(Person.email == email_address))
        assert person is not None
        person.locale = locale
        await session.commit()


def past(days: float) -> datetime:
    return datetime.now(UTC).replace(microsecond=0) - timedelta(days=days)
