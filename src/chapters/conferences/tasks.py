"""This domain's jobs: the daily call-for-papers reminders.

Every day, per tenant, staff (ops and admins: ``mail.service.tenant_staff``) are told in the
app of each conference whose call for papers closes soon: once when it is 14 days away or
less, once more at 3 days. Each reminder is keyed by (conference, deadline, threshold): a
second run the same day, or the next day, adds nothing; a deadline moved later reminds again.
A run that first sees a deadline 3 days or less away sends the 3-day reminder only.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import procrastinate
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.jobs.queue import blueprint, enqueue_for_every_tenant, tenant_task
from chapters.mail.service import tenant_staff
from chapters.models.conference import Conference
from chapters.models.notification import MessageKind
from chapters.notifications import reminders

QUEUE = "housekeeping"
THRESHOLDS = (14, 3)  # days before the deadline; the first reminder, then the last
KIND = MessageKind.CFP_DEADLINE_DUE
# Names a reminder in place of an event: the in-app notification's key is (person, this, kind).
_REMINDER_NAMESPACE = uuid.UUID("0b7c2d8e-3f4a-4e61-8c5d-9a1e6f2b7d34")


@blueprint.periodic(cron="20 7 * * *", periodic_id="conferences-cfp-deadlines")
@blueprint.task(name="conferences.daily", queue=QUEUE, pass_context=True)
async def daily(context: procrastinate.JobContext, timestamp: int) -> None:
    await enqueue_for_every_tenant(
        context, "conferences.remind_cfp_deadlines", queue=QUEUE, timestamp=timestamp
    )


def reminder_key(conference: Conference, threshold: int) -> str:
    deadline = conference.cfp_deadline.isoformat() if conference.cfp_deadline else None
    return f"cfp_deadline:{conference.id}:{deadline}:{threshold}d"


def _days_left(conference: Conference, today: date) -> int:
    assert conference.cfp_deadline is not None
    return (conference.cfp_deadline.astimezone(UTC).date() - today).days


@tenant_task("conferences.remind_cfp_deadlines", queue=QUEUE)
async def remind_cfp_deadlines(session: AsyncSession, *, at: int) -> None:
    """Tell staff of the calls for papers closing within 14 days (``at``: a Unix time; the
    deadlines still ahead of it count, by their UTC day)."""
    moment = datetime.fromtimestamp(at, UTC)
    today = moment.date()
    conferences = (
        await session.scalars(
            select(Conference)
            .where(
                Conference.cfp_deadline >= moment,
                Conference.cfp_deadline < moment + timedelta(days=max(THRESHOLDS) + 1),
            )
            .order_by(Conference.cfp_deadline, Conference.id)
        )
    ).all()
    due = [
        (conference, threshold)
        for conference in conferences
        if (threshold := reminders.threshold_for(_days_left(conference, today), THRESHOLDS))
        is not None
    ]
    if not due:
        return
    staff = {person.person_id for person in await tenant_staff(session)}
    for conference, threshold in due:
        await reminders.notify_once(
            session,
            KIND,
            _reminder(conference, threshold),
            _reminder_data(conference, today),
            staff,
        )


def _reminder_data(conference: Conference, today: date) -> dict[str, Any]:
    """The values the notification is written from."""
    assert conference.cfp_deadline is not None
    return {
        "conference_name": conference.name,
        "conference_id": str(conference.id),
        "cfp_deadline": conference.cfp_deadline.astimezone(UTC).isoformat(timespec="minutes"),
        "starts_on": conference.starts_on.isoformat(),
        "days": _days_left(conference, today),
        "url": conference.url,
    }


def _reminder(conference: Conference, threshold: int) -> uuid.UUID:
    return uuid.uuid5(_REMINDER_NAMESPACE, reminder_key(conference, threshold))
