"""This domain's jobs: the daily outreach follow-ups.

Every day, per tenant, the content editors (or, while the tenant has none, staff: ops and
admins) are told in the app of each approach to an author still unanswered whose follow-up day
has come (``AUTHOR_FOLLOW_UP_DUE``). Each reminder is keyed by (outreach, follow-up day): a
second run, the same day or later, adds nothing; answering the author clears the follow-up.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import procrastinate
from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.jobs.queue import blueprint, enqueue_for_every_tenant, tenant_task
from chapters.mail.service import tenant_staff
from chapters.models import Author, AuthorOutreach, ContentEditor, OutreachAnswer, Person
from chapters.models.notification import MessageKind
from chapters.notifications import reminders

QUEUE = "housekeeping"
KIND = MessageKind.AUTHOR_FOLLOW_UP_DUE
# Names a reminder in place of an event: the in-app notification's key is (person, this, kind).
_REMINDER_NAMESPACE = uuid.UUID("5d0f3c7e-8a21-4b9d-9e64-2c7a1f8b3e50")


@blueprint.periodic(cron="40 7 * * *", periodic_id="authors-outreach-follow-ups")
@blueprint.task(name="authors.daily", queue=QUEUE, pass_context=True)
async def daily(context: procrastinate.JobContext, timestamp: int) -> None:
    await enqueue_for_every_tenant(
        context, "authors.remind_follow_ups", queue=QUEUE, timestamp=timestamp
    )


def reminder_key(outreach: AuthorOutreach) -> str:
    due = outreach.follow_up_on.isoformat() if outreach.follow_up_on else None
    return f"author_follow_up:{outreach.id}:{due}"


async def _recipients(session: AsyncSession) -> set[uuid.UUID | None]:
    """The content editors; while there are none, staff."""
    editors = set(await session.scalars(select(ContentEditor.person_id)))
    if editors:
        return set(editors)
    return {person.person_id for person in await tenant_staff(session)}


@tenant_task("authors.remind_follow_ups", queue=QUEUE)
async def remind_follow_ups(session: AsyncSession, *, at: int) -> None:
    """Tell the editors of the approaches still unanswered whose follow-up day is ``at``'s
    UTC day or earlier (``at``: a Unix time)."""
    today = datetime.fromtimestamp(at, UTC).date()
    rows = (
        await session.execute(
            select(AuthorOutreach, Author.name, Person.display_name)
            .join(
                Author,
                and_(
                    Author.tenant_id == AuthorOutreach.tenant_id,
                    Author.id == AuthorOutreach.author_id,
                ),
            )
            .outerjoin(
                Person, and_(Person.tenant_id == Author.tenant_id, Person.id == Author.person_id)
            )
            .where(
                AuthorOutreach.answer == OutreachAnswer.PENDING,
                AuthorOutreach.follow_up_on <= today,
            )
            .order_by(AuthorOutreach.follow_up_on, AuthorOutreach.id)
        )
    ).all()
    if not rows:
        return
    people = await _recipients(session)
    for outreach, outside_name, person_name in rows:
        data = _reminder_data(outreach, person_name or outside_name or "", today)
        await reminders.notify_once(session, KIND, _reminder(outreach), data, people)


def _reminder_data(outreach: AuthorOutreach, author_name: str, today: date) -> dict[str, Any]:
    """The values the notification is written from."""
    assert outreach.follow_up_on is not None
    return {
        "author_name": author_name,
        "author_id": str(outreach.author_id),
        "outreach_id": str(outreach.id),
        "topic": outreach.topic,
        "contacted_on": outreach.contacted_on.isoformat(),
        "follow_up_on": outreach.follow_up_on.isoformat(),
        "days_overdue": (today - outreach.follow_up_on).days,
    }


def _reminder(outreach: AuthorOutreach) -> uuid.UUID:
    return uuid.uuid5(_REMINDER_NAMESPACE, reminder_key(outreach))
