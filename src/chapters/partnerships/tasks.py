"""This domain's jobs: the daily renewal reminders.

Every day, per tenant, staff (ops and admins: ``mail.service.tenant_staff``, who run the
agreements) are told of each agreement in force coming up for renewal: once when it is 30 days
away or less, once more at 7 days. Each reminder is a mail (``mail.service.queue_mail``) and an
in-app notification, both keyed by (agreement, renewal date, threshold): a second run the same
day, or the next day, adds nothing; a renewal date moved later reminds again on the new date.
A run that first sees an agreement 7 days or less before its renewal sends the 7-day reminder
only.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import procrastinate
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.jobs.queue import blueprint, enqueue_for_every_tenant, tenant_task
from chapters.mail.kinds import MessageKind
from chapters.mail.service import Draft, drafts_for, queue_mail, tenant_staff
from chapters.models import Organisation
from chapters.models.partnership import AgreementStatus, PartnerAgreement
from chapters.notifications import reminders

QUEUE = "housekeeping"
THRESHOLDS = (30, 7)  # days before the renewal date; the first reminder, then the last
KIND = MessageKind.AGREEMENT_RENEWAL_DUE
# Names a reminder in place of an event: the in-app notification's key is (person, this, kind).
_REMINDER_NAMESPACE = uuid.UUID("6a1f4f0e-5d1b-4c52-9a43-2f3b2d0c7e11")


@blueprint.periodic(cron="15 7 * * *", periodic_id="partnerships-renewals")
@blueprint.task(name="partnerships.daily", queue=QUEUE, pass_context=True)
async def daily(context: procrastinate.JobContext, timestamp: int) -> None:
    await enqueue_for_every_tenant(
        context, "partnerships.remind_renewals", queue=QUEUE, timestamp=timestamp
    )


def reminder_key(agreement: PartnerAgreement, threshold: int) -> str:
    return f"agreement_renewal:{agreement.id}:{agreement.renews_on}:{threshold}d"


@tenant_task("partnerships.remind_renewals", queue=QUEUE)
async def remind_renewals(session: AsyncSession, *, at: int) -> None:
    """Tell staff of the agreements in force whose renewal is due within 30 days (``at``: a
    Unix time; its UTC day is today)."""
    today = datetime.fromtimestamp(at, UTC).date()
    rows = (
        await session.execute(
            select(PartnerAgreement, Organisation.name)
            .join(Organisation, Organisation.id == PartnerAgreement.organisation_id)
            .where(
                PartnerAgreement.status == AgreementStatus.ACTIVE,
                PartnerAgreement.renews_on >= today,
                PartnerAgreement.renews_on <= today + timedelta(days=max(THRESHOLDS)),
            )
            .order_by(PartnerAgreement.renews_on, PartnerAgreement.id)
        )
    ).all()
    due = [
        (agreement, name, threshold)
        for agreement, name in rows
        if not _ran_out(agreement, today)
        and (threshold := reminders.threshold_for(_days_left(agreement, today), THRESHOLDS))
        is not None
    ]
    if not due:
        return
    staff = await tenant_staff(session)
    drafts: list[Draft] = []
    for agreement, name, threshold in due:
        data = _reminder_data(agreement, name, today)
        drafts += drafts_for(staff, KIND, reminder_key(agreement, threshold), data)
        await reminders.notify_once(
            session, KIND, _reminder(agreement, threshold), data, {p.person_id for p in staff}
        )
    await queue_mail(session, drafts)


def _days_left(agreement: PartnerAgreement, today: date) -> int:
    assert agreement.renews_on is not None
    return (agreement.renews_on - today).days


def _ran_out(agreement: PartnerAgreement, today: date) -> bool:
    return agreement.ends_on is not None and agreement.ends_on < today


def _reminder_data(
    agreement: PartnerAgreement, organisation_name: str, today: date
) -> dict[str, Any]:
    """The values the mail and the notification are written from."""
    return {
        "organisation_name": organisation_name,
        "agreement_kind": agreement.kind.value,
        "agreement_id": str(agreement.id),
        "renews_on": agreement.renews_on.isoformat() if agreement.renews_on else None,
        "ends_on": agreement.ends_on.isoformat() if agreement.ends_on else None,
        "days": _days_left(agreement, today),
        "document_url": agreement.document_url,
    }


def _reminder(agreement: PartnerAgreement, threshold: int) -> uuid.UUID:
    return uuid.uuid5(_REMINDER_NAMESPACE, reminder_key(agreement, threshold))
