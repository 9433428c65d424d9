"""Queueing mail: one ``MailMessage`` row per (event, recipient), rendered in the recipient's
language, suppressed when they do not want its kind, and a send job enqueued in the same
transaction (a change that rolls back sends nothing).

Every producer (event reactions, the periodic reminders, the confirmation outbox, other
domains through ``queue_certificate_issued``) goes through ``queue_mail``: rows are inserted
``ON CONFLICT DO NOTHING`` on (tenant, event key, recipient), and only the rows this call
inserted get a send job, so producing the same message twice sends it once.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import Any

from markupsafe import escape
from sqlalchemy import String, case, cast, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from chapters import links
from chapters.jobs.queue import enqueue, runtime
from chapters.mail.kinds import MailKind, MessageKind, is_essential
from chapters.mail.render import Rendered, render, template_locale, when
from chapters.models import (
    Activity,
    ChapterMembership,
    ChapterRole,
    MembershipStatus,
    Person,
    Registration,
    RegistrationStatus,
    Tenant,
    TenantRole,
)
from chapters.models.mail import MailMessage, MailStatus, MailUnsubscribe
from chapters.notifications.preferences import locale_of, mail_wanted_by
from chapters.registrations import links as registration_urls
from chapters.settings import Settings, get_settings
from chapters.tenancy import bound_tenant

SEND_TASK = "mail.send"
SEND_QUEUE = "mail"
# Messages per send job: one SMTP connection carries them all.
BATCH_SIZE = 100
_INSERT_CHUNK = 1000

UNSUBSCRIBE_PURPOSE = "mail.unsubscribe"
UNSUBSCRIBE_PATH = "mail/unsubscribe"
ALL_KINDS = "*"  # an unsubscribe from every non-essential kind


@dataclass
class Draft:
    """A message to produce. ``locale`` None: the person's language, else the tenant's."""

    kind: MailKind
    event_key: str
    recipient: str
    context: dict[str, Any] = field(default_factory=dict)
    person_id: uuid.UUID | None = None
    recipient_name: str | None = None
    locale: str | None = None
    outbox_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Recipient:
    email: str
    person_id: uuid.UUID | None
    name: str | None
    locale: str | None = None


def current_settings() -> Settings:
    """The worker's settings inside a job, else the process's."""
    try:
        return runtime().settings  # type: ignore[no-any-return]
    except RuntimeError:
        return get_settings()


def mail_domain(settings: Settings) -> str:
    address = parseaddr(settings.mail_from)[1]
    return address.rpartition("@")[2] or "chapters.localhost"


def message_id_for(row_id: uuid.UUID, settings: Settings) -> str:
    return f"<{row_id}@{mail_domain(settings)}>"


async def tenant_of(session: AsyncSession) -> Tenant:
    tenant_id = bound_tenant(session.sync_session)
    tenant = await session.scalar(select(Tenant).where(Tenant.id == tenant_id))
    if tenant is None:
        raise LookupError(f"no tenant {tenant_id}")
    return tenant


# --- unsubscribes -------------------------------------------------------------------------


def unsubscribe_token(tenant_slug: str, email: str, kind: str) -> str:
    return links.sign(UNSUBSCRIBE_PURPOSE, tenant_slug, email.lower(), kind)


def unsubscribe_url(settings: Settings, tenant_slug: str, email: str, kind: str) -> str:
    token = unsubscribe_token(tenant_slug, email, kind)
    return links.link(settings.public_url, tenant_slug, UNSUBSCRIBE_PATH, token=token)


def read_unsubscribe_token(tenant_slug: str, token: str) -> tuple[str, str] | None:
    """(email, kind) a valid token of ``tenant_slug`` names; None for anything else."""
    values = links.unsign(UNSUBSCRIBE_PURPOSE, token)
    if values is None or len(values) != 3 or values[0] != tenant_slug:
        return None
    return values[1], values[2]


async def unsubscribe(session: AsyncSession, email: str, kind: str) -> None:
    await session.execute(
        insert(MailUnsubscribe)
        .values(
            tenant_id=bound_tenant(session.sync_session),
            id=uuid.uuid4(),
            email=email.lower(),
            kind=kind,
        )
        .on_conflict_do_nothing(index_elements=["tenant_id", "email", "kind"])
    )


async def _unsubscribed(session: AsyncSession, drafts: Sequence[Draft]) -> set[tuple[str, str]]:
    wanted = {(d.recipient, d.kind.value) for d in drafts if not is_essential(d.kind)}
    if not wanted:
        return set()
    emails = {email for email, _ in wanted}
    rows = await session.execute(
        select(MailUnsubscribe.email, MailUnsubscribe.kind).where(MailUnsubscribe.email.in_(emails))
    )
    found: set[tuple[str, str]] = set()
    for email, kind in rows:
        if kind == ALL_KINDS:
            found.update((e, k) for e, k in wanted if e == email)
        else:
            found.add((email, kind))
    return found


async def _wanting(
    session: AsyncSession, drafts: Sequence[Draft]
) -> dict[MailKind, set[uuid.UUID]]:
    """Per non-essential kind, the people who want it (the notification preferences)."""
    people: dict[MailKind, set[uuid.UUID]] = {}
    for draft in drafts:
        if draft.person_id is not None and not is_essential(draft.kind):
            people.setdefault(draft.kind, set()).add(draft.person_id)
    return {kind: await mail_wanted_by(session, ids, kind.value) for kind, ids in people.items()}


# --- queueing -------------------------------------------------------------------------------


async def queue_mail(
    session: AsyncSession, drafts: Sequence[Draft], *, send: bool = True
) -> list[uuid.UUID]:
    """Write the drafts' messages (those not written before) and enqueue their sending;
    the ids of the rows this call wrote and that are to be sent."""
    if not drafts:
        return []
    settings = current_settings()
    tenant = await tenant_of(session)
    unique: dict[tuple[str, str], Draft] = {}
    for draft in drafts:
        draft.recipient = draft.recipient.strip().lower()
        unique.setdefault((draft.event_key, draft.recipient), draft)
    opted_out = await _unsubscribed(session, list(unique.values()))
    renderer = _Renderer(tenant.name)
    locales: dict[uuid.UUID | None, str] = {}
    wanting = await _wanting(session, list(unique.values()))
    rows: list[dict[str, Any]] = []
    for draft in unique.values():
        essential = is_essential(draft.kind)
        status = MailStatus.QUEUED
        if not essential:
            suppressed = (draft.recipient, draft.kind.value) in opted_out
            if not suppressed and draft.person_id is not None:
                suppressed = draft.person_id not in wanting[draft.kind]
            if suppressed:
                status = MailStatus.SUPPRESSED
        locale = draft.locale
        if locale is None:
            if draft.person_id not in locales:
                locales[draft.person_id] = await locale_of(session, draft.person_id)
            locale = locales[draft.person_id]
        unsubscribe = (
            None
            if essential
            else unsubscribe_url(settings, tenant.slug, draft.recipient, draft.kind.value)
        )
        rendered = renderer.render(draft, locale, unsubscribe)
        row_id = uuid.uuid4()
        keep_body = draft.outbox_id is None  # outbox bodies are rendered when sent
        rows.append(
            {
                "tenant_id": tenant.id,
                "id": row_id,
                "kind": draft.kind.value,
                "event_key": draft.event_key[:200],
                "recipient": draft.recipient,
                "person_id": draft.person_id,
                "locale": locale,
                "subject": rendered.subject,
                "text_body": rendered.text if keep_body else None,
                "html_body": rendered.html if keep_body else None,
                "unsubscribe_url": unsubscribe,
                "outbox_id": draft.outbox_id,
                "status": status,
                "message_id": message_id_for(row_id, settings),
            }
        )
    to_send: list[uuid.UUID] = []
    for start in range(0, len(rows), _INSERT_CHUNK):
        written = await session.execute(
            insert(MailMessage)
            .values(rows[start : start + _INSERT_CHUNK])
            .on_conflict_do_nothing(index_elements=["tenant_id", "event_key", "recipient"])
            .returning(MailMessage.id, MailMessage.status)
        )
        to_send.extend(row_id for row_id, status in written if status == MailStatus.QUEUED)
    if send:
        await enqueue_sending(session, to_send)
    return to_send


class _Renderer:
    """Renders each distinct message once and fills in what differs per recipient (their
    name, their unsubscribe link): ten thousand recap mails are a few templates rendered,
    not ten thousand. Drafts that share a context object share the rendering."""

    NAME = "@@recipient-name-7c1e@@"
    UNSUBSCRIBE = "@@unsubscribe-url-7c1e@@"

    def __init__(self, tenant_name: str) -> None:
        self.tenant_name = tenant_name
        self.done: dict[tuple[Any, ...], Rendered] = {}

    def render(self, draft: Draft, locale: str, unsubscribe: str | None) -> Rendered:
        name = draft.recipient_name or None
        key = (
            draft.kind,
            template_locale(locale),
            name is None,
            unsubscribe is None,
            id(draft.context),
        )
        base = self.done.get(key)
        if base is None:
            base = render(
                draft.kind.value,
                locale,
                {
                    "tenant_name": self.tenant_name,
                    "recipient_name": None if name is None else self.NAME,
                    "unsubscribe_url": None if unsubscribe is None else self.UNSUBSCRIBE,
                    **draft.context,
                },
            )
            self.done[key] = base
        plain = {self.NAME: name or "", self.UNSUBSCRIBE: unsubscribe or ""}
        escaped = {key: str(escape(value)) for key, value in plain.items()}
        return Rendered(
            subject=_fill(base.subject, plain),
            text=_fill(base.text, plain),
            html=_fill(base.html, escaped),
        )


def _fill(template: str, values: dict[str, str]) -> str:
    for slot, value in values.items():
        template = template.replace(slot, value)
    return template


async def enqueue_sending(session: AsyncSession, ids: Sequence[uuid.UUID]) -> None:
    for start in range(0, len(ids), BATCH_SIZE):
        batch = [str(row_id) for row_id in ids[start : start + BATCH_SIZE]]
        await enqueue(session, SEND_TASK, queue=SEND_QUEUE, ids=batch)


async def queue_certificate_issued(
    session: AsyncSession, person_id: uuid.UUID, title: str, url: str, *, key: str | None = None
) -> list[uuid.UUID]:
    """Tell a person a certificate was issued to them (for the recognition domain). ``key``
    names the certificate (default: its URL): the same certificate is mailed once."""
    person = await session.scalar(select(Person).where(Person.id == person_id))
    if person is None:
        return []
    draft = Draft(
        MessageKind.CERTIFICATE_ISSUED,
        f"certificate:{key or url}",
        person.email,
        {"title": title, "url": url},
        person_id=person.id,
        recipient_name=person.display_name,
    )
    return await queue_mail(session, [draft])


# --- recipients -------------------------------------------------------------------------------


async def chapter_leads(session: AsyncSession, chapter_id: uuid.UUID | None) -> list[Recipient]:
    """The chapter's active lead and co-leads."""
    if chapter_id is None:
        return []
    rows = await session.execute(
        select(Person.id, Person.email, Person.display_name)
        .join(ChapterMembership, ChapterMembership.person_id == Person.id)
        .where(
            ChapterMembership.chapter_id == chapter_id,
            ChapterMembership.status == MembershipStatus.ACTIVE,
            ChapterMembership.role.in_([ChapterRole.LEAD, ChapterRole.CO_LEAD]),
        )
        .order_by(Person.email)
    )
    return [Recipient(email, person_id, name) for person_id, email, name in rows]


async def tenant_staff(session: AsyncSession) -> list[Recipient]:
    """Central ops: the tenant's ops and admins."""
    rows = await session.execute(
        select(Person.id, Person.email, Person.display_name)
        .where(Person.tenant_role.in_([TenantRole.OPS, TenantRole.ADMIN]))
        .order_by(Person.email)
    )
    return [Recipient(email, person_id, name) for person_id, email, name in rows]


@dataclass(frozen=True)
class Registrant:
    registration: Registration
    recipient: Recipient


async def registrants(
    session: AsyncSession, activity_id: uuid.UUID, *, include_checked_in: bool = True
) -> list[Registrant]:
    """The activity's registrants with a seat: confirmed (or checked in), not cancelled,
    not erased."""
    seated = Registration.status == RegistrationStatus.CONFIRMED
    if include_checked_in:
        seated = or_(seated, Registration.checked_in_at.is_not(None))
    rows = await session.execute(
        select(Registration, Person.email, Person.display_name)
        .outerjoin(Person, Person.id == Registration.person_id)
        .where(
            Registration.activity_id == activity_id,
            seated,
            Registration.status != RegistrationStatus.CANCELLED,
            Registration.erased_at.is_(None),
        )
        .order_by(Registration.created_at)
    )
    found = []
    for registration, person_email, person_name in rows:
        recipient = registrant_recipient(registration, person_email, person_name)
        if recipient is not None:
            found.append(Registrant(registration, recipient))
    return found


def registrant_recipient(
    registration: Registration, person_email: str | None, person_name: str | None
) -> Recipient | None:
    email = registration.email or person_email
    if not email:
        return None
    return Recipient(
        email,
        registration.person_id,
        registration.name or person_name,
        # a public registrant's language is the one they registered in
        registration.locale if registration.person_id is None else None,
    )


async def registration_with_recipient(
    session: AsyncSession, registration_id: uuid.UUID
) -> Registrant | None:
    row = (
        await session.execute(
            select(Registration, Person.email, Person.display_name)
            .outerjoin(Person, Person.id == Registration.person_id)
            .where(Registration.id == registration_id, Registration.erased_at.is_(None))
        )
    ).first()
    if row is None:
        return None
    recipient = registrant_recipient(row[0], row[1], row[2])
    return Registrant(row[0], recipient) if recipient is not None else None


async def activities_by_id(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Activity]:
    rows = await session.scalars(select(Activity).where(Activity.id.in_(ids)))
    return {row.id: row for row in rows}


def activity_context(activity: Activity) -> dict[str, Any]:
    return {
        "activity": {
            "title": activity.title,
            "when": when(activity.starts_at, activity.ends_at, activity.timezone),
            "venue": activity.venue,
            "online_url": activity.online_url,
        }
    }


def registration_links(tenant_slug: str, registration_id: uuid.UUID) -> tuple[str, str]:
    """(confirmation URL, cancellation URL) of a registration."""
    settings = current_settings()
    return (
        registration_urls.confirmation_url(settings.public_url, tenant_slug, registration_id),
        registration_urls.cancellation_url(settings.public_url, tenant_slug, registration_id),
    )


def drafts_for(
    recipients: Sequence[Recipient], kind: MailKind, event_key: str, context: dict[str, Any]
) -> list[Draft]:
    return [
        Draft(
            kind,
            event_key,
            recipient.email,
            context,
            person_id=recipient.person_id,
            recipient_name=recipient.name,
            locale=recipient.locale,
        )
        for recipient in recipients
    ]


async def messages_of(
    session: AsyncSession, event_key: str, recipients: Sequence[str] | None = None
) -> list[MailMessage]:
    """The messages an event produced (optionally only to these addresses)."""
    query = select(MailMessage).where(MailMessage.event_key == event_key)
    if recipients is not None:
        query = query.where(MailMessage.recipient.in_([r.lower() for r in recipients]))
    return list(await session.scalars(query.order_by(MailMessage.recipient)))


async def forget_recipient(session: AsyncSession, email: str) -> None:
    """Erase an address from the mail records (a registrant erased on request): the rows stay,
    so the counts do, without the address or what was written to it; what was still to be
    sent never goes. An unsubscribe stays: it is what the address asked for."""
    await session.execute(
        update(MailMessage)
        .where(func.lower(MailMessage.recipient) == email.lower())
        .values(
            recipient=func.concat("erased:", cast(MailMessage.id, String)),
            text_body=None,
            html_body=None,
            unsubscribe_url=None,
            status=case(
                (MailMessage.status == MailStatus.QUEUED, MailStatus.SUPPRESSED),
                else_=MailMessage.status,
            ),
        )
    )
    await session.execute(delete(MailUnsubscribe).where(MailUnsubscribe.email == email.lower()))
