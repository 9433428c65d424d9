"""The mail jobs: sending queued messages, and the periodic reminders.

``mail.send`` takes up to ``BATCH_SIZE`` messages and sends them over one SMTP connection.
Messages are marked sent as the server accepts them (committed every few messages), so a
batch retried after a failure (or handed back after its worker died) skips what went out
already; a message the server accepted just before a crash, but not yet marked, goes out
again with the same Message-ID (the receiver's idempotency key). A server that cannot be
reached fails the job, which the queue retries with backoff; the messages wait, queued, with
their attempts and last error.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import aiosmtplib
import procrastinate
from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.jobs.queue import blueprint, enqueue_for_every_tenant, runtime, tenant_task
from chapters.mail import sender
from chapters.mail.kinds import MessageKind
from chapters.mail.render import Rendered, render, when
from chapters.mail.service import (
    SEND_QUEUE,
    Draft,
    activity_context,
    chapter_leads,
    queue_mail,
    registrants,
    registration_links,
    tenant_of,
    tenant_staff,
)
from chapters.models import Activity, ActivityStatus, Chapter
from chapters.models.mail import MailMessage, MailStatus

log = logging.getLogger(__name__)

# Reminders go out for activities starting within this window (hourly runs; the unique key
# per activity and start makes a later run add only what an earlier one did not send, and a
# moved activity reminds again).
REMINDER_WINDOW = timedelta(hours=25)
RECAP_DUE_AFTER = timedelta(days=7)
# Leads are reminded once a week for this long; the ops digest lists every overdue recap.
RECAP_REMIND_FOR = timedelta(days=35)

_TAKE_OUTBOX = text("SELECT mail_take_outbox_message(:id)")


class MailServerUnavailable(RuntimeError):
    pass


@tenant_task("mail.send", queue=SEND_QUEUE)
async def send(session: AsyncSession, *, ids: list[str]) -> None:
    settings = runtime().settings
    wanted = [uuid.UUID(value) for value in ids]
    pending = list(
        await session.scalars(
            select(MailMessage)
            .where(MailMessage.id.in_(wanted), MailMessage.status == MailStatus.QUEUED)
            .order_by(MailMessage.created_at, MailMessage.id)
        )
    )
    await session.commit()
    if not pending:
        return
    client = sender.smtp_client(settings)
    try:
        await client.connect()
    except (aiosmtplib.SMTPException, OSError) as error:
        await _note_attempt(session, [row.id for row in pending], error)
        raise MailServerUnavailable(
            f"{settings.smtp_host}:{settings.smtp_port}: {error}"
        ) from error
    outcomes = _Outcomes(session)
    try:
        for position, row in enumerate(pending):
            try:
                await _send_one(session, client, settings, row, outcomes)
            except (aiosmtplib.SMTPException, OSError) as error:
                await session.rollback()  # gives back this message's outbox body, if it took one
                await outcomes.record()
                await _note_attempt(session, [r.id for r in pending[position:]], error)
                raise MailServerUnavailable(str(error)) from error
        await outcomes.record()
    finally:
        if client.is_connected:
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError):
                client.close()


class _Outcomes:
    """Sent messages, marked so every ``RECORD_EVERY`` messages (one commit for a few): a
    crash between two marks sends at most that many again, with their Message-IDs."""

    RECORD_EVERY = 10

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.sent: list[uuid.UUID] = []

    async def sent_one(self, row_id: uuid.UUID) -> None:
        self.sent.append(row_id)
        if len(self.sent) >= self.RECORD_EVERY:
            await self.record()

    async def record(self) -> None:
        if self.sent:
            await self.session.execute(
                update(MailMessage)
                .where(MailMessage.id.in_(self.sent), MailMessage.status == MailStatus.QUEUED)
                .values(
                    status=MailStatus.SENT,
                    attempts=MailMessage.attempts + 1,
                    last_error=None,
                    sent_at=func.now(),
                )
            )
            self.sent = []
        await self.session.commit()


async def _send_one(
    session: AsyncSession,
    client: aiosmtplib.SMTP,
    settings: Any,
    row: MailMessage,
    outcomes: _Outcomes,
) -> None:
    content = await _content(session, row)
    if content is None:
        await _failed(session, row, "the outbox message was already taken", outcomes)
        return
    try:
        message = sender.build_message(row, settings, content.text, content.html)
    except UnicodeEncodeError:  # an address this sender cannot write (no SMTPUTF8)
        await _failed(session, row, "address not ASCII: not sent", outcomes)
        return
    try:
        await client.sendmail(sender.envelope_sender(settings), [row.recipient], message)
    except aiosmtplib.SMTPException as error:
        if not sender.is_permanent(error):
            raise
        log.warning("mail %s to %s refused: %s", row.message_id, row.recipient, error)
        await _failed(session, row, str(error)[:2000], outcomes, attempted=True)
        return
    await outcomes.sent_one(row.id)
    if row.outbox_id is not None:
        # the outbox body was taken in this transaction: mark it sent with it, at once
        await outcomes.record()


async def _failed(
    session: AsyncSession,
    row: MailMessage,
    reason: str,
    outcomes: _Outcomes,
    *,
    attempted: bool = False,
) -> None:
    """Mark a message failed for good (``attempted``: the server was asked, and refused)."""
    attempts = MailMessage.attempts + 1 if attempted else MailMessage.attempts
    await session.execute(
        update(MailMessage)
        .where(MailMessage.id == row.id)
        .values(status=MailStatus.FAILED, attempts=attempts, last_error=reason)
    )
    await outcomes.record()


async def _content(session: AsyncSession, row: MailMessage) -> Rendered | None:
    if row.outbox_id is None:
        return Rendered(row.subject, row.text_body or "", row.html_body or "")
    body = await session.scalar(_TAKE_OUTBOX, {"id": row.outbox_id})
    if body is None:
        return None
    tenant = await tenant_of(session)
    return render(row.kind, row.locale, {"tenant_name": tenant.name, **outbox_context(body)})


def outbox_context(body: dict[str, Any]) -> dict[str, Any]:
    """An outbox message's body (camelCase JSON) as template values."""
    return {
        "token": body.get("token", ""),
        "expires": (body.get("expiresAt") or "")[:16].replace("T", " "),
        "new_email": body.get("newEmail", ""),
    }


async def _note_attempt(
    session: AsyncSession, row_ids: list[uuid.UUID], error: BaseException
) -> None:
    await session.rollback()  # an outbox body taken for a message that did not go out
    await session.execute(
        update(MailMessage)
        .where(MailMessage.id.in_(row_ids), MailMessage.status == MailStatus.QUEUED)
        .values(attempts=MailMessage.attempts + 1, last_error=str(error)[:2000] or repr(error))
    )
    await session.commit()


# --- periodic ------------------------------------------------------------------------------


@blueprint.periodic(cron="0 * * * *", periodic_id="mail-reminders")
@blueprint.task(name="mail.hourly", queue=SEND_QUEUE, pass_context=True)
async def hourly(context: procrastinate.JobContext, timestamp: int) -> None:
    await enqueue_for_every_tenant(
        context, "mail.queue_reminders", queue=SEND_QUEUE, timestamp=timestamp
    )


@blueprint.periodic(cron="0 8 * * *", periodic_id="mail-recap-overdue")
@blueprint.task(name="mail.daily", queue=SEND_QUEUE, pass_context=True)
async def daily(context: procrastinate.JobContext, timestamp: int) -> None:
    await enqueue_for_every_tenant(
        context, "mail.queue_recap_overdue", queue=SEND_QUEUE, timestamp=timestamp
    )


@tenant_task("mail.queue_reminders", queue=SEND_QUEUE)
async def queue_reminders(session: AsyncSession, *, at: int) -> None:
    """The day-before reminder to the registrants of accepted activities starting soon."""
    now = datetime.fromtimestamp(at, UTC)
    activities = await session.scalars(
        select(Activity).where(
            Activity.status == ActivityStatus.ACCEPTED,
            Activity.starts_at > now,
            Activity.starts_at <= now + REMINDER_WINDOW,
        )
    )
    tenant = await tenant_of(session)
    drafts: list[Draft] = []
    for activity in activities:
        key = f"reminder:{activity.id}:{activity.starts_at.astimezone(UTC).isoformat()}"
        common = activity_context(activity)
        for registrant in await registrants(session, activity.id, include_checked_in=False):
            registration = registrant.registration
            drafts.append(
                Draft(
                    MessageKind.ACTIVITY_REMINDER,
                    key,
                    registrant.recipient.email,
                    {
                        **common,
                        "code": registration.code,
                        "cancel_url": registration_links(tenant.slug, registration.id)[1],
                    },
                    person_id=registrant.recipient.person_id,
                    recipient_name=registrant.recipient.name,
                    locale=registrant.recipient.locale,
                )
            )
    await queue_mail(session, drafts)


@tenant_task("mail.queue_recap_overdue", queue=SEND_QUEUE)
async def queue_recap_overdue(session: AsyncSession, *, at: int) -> None:
    """Weekly reminders to the leads of activities whose recap is overdue, and a daily
    digest of them all to central ops."""
    now = datetime.fromtimestamp(at, UTC)
    ended = func.coalesce(Activity.ends_at, Activity.starts_at)
    rows = (
        await session.execute(
            select(Activity, Chapter.name)
            .outerjoin(Chapter, Chapter.id == Activity.chapter_id)
            .where(
                Activity.status == ActivityStatus.ACCEPTED,
                Activity.recap_published_at.is_(None),
                ended < now - RECAP_DUE_AFTER,
            )
            .order_by(ended)
        )
    ).all()
    drafts: list[Draft] = []
    digest: list[dict[str, Any]] = []
    for activity, chapter_name in rows:
        end = activity.ends_at or activity.starts_at
        days = (now - end).days
        digest.append(
            {
                "title": activity.title,
                "chapter": chapter_name or "—",
                "ended": when(end, None, activity.timezone),
                "days": days,
            }
        )
        if now - end > RECAP_REMIND_FOR:
            continue
        key = f"recap_overdue:{activity.id}:week{days // 7}"
        context = {**activity_context(activity), "days": days}
        for lead in await chapter_leads(session, activity.chapter_id):
            drafts.append(
                Draft(
                    MessageKind.RECAP_OVERDUE,
                    key,
                    lead.email,
                    context,
                    person_id=lead.person_id,
                    recipient_name=lead.name,
                )
            )
    if digest:
        key = f"ops_digest:{now.date().isoformat()}"
        for person in await tenant_staff(session):
            drafts.append(
                Draft(
                    MessageKind.OPS_DIGEST,
                    key,
                    person.email,
                    {"activities": digest},
                    person_id=person.person_id,
                    recipient_name=person.name,
                )
            )
    await queue_mail(session, drafts)
