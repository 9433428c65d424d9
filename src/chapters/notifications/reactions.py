"""In-app notifications from events (called by ``chapters.events.dispatch``).

Who is told what:

- ``activity.changes_requested`` / ``activity.accepted``: the owning chapter's leads and
  co-leads (active memberships) and the activity's creator;
- ``activity.recap_published`` (the first version: a correction is not news): the people
  registered for it (not cancelled);
- ``activity.cancelled`` / ``activity.rescheduled``: the people registered for it who hold a
  seat or wait for one (confirmed or waitlisted; a move of an activity cancelled since is not
  news);
- ``membership.invited``: the invitee; ``membership.role_changed``: the member;
- ``registration.promoted``: the registrant, when a person;
- ``chapter.status_changed``: the chapter's leads and co-leads.

Whoever caused the event is not told of it, nor anyone who turned the kind off in the app.
Each notification names its event: a dispatch retried after a failure adds nothing twice
(``INSERT … ON CONFLICT DO NOTHING`` on (person, event, kind)).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.activities.announcements import (
    activity_now,
    chapter_name,
    moment,
    move_reason,
    step_reason,
)
from chapters.events.catalog import EventType
from chapters.events.dispatch import Event
from chapters.mail.render import when
from chapters.models import (
    Activity,
    ActivityStatus,
    ChapterMembership,
    ChapterRole,
    MembershipStatus,
    Registration,
    RegistrationStatus,
)
from chapters.models.notification import MessageKind, Notification
from chapters.notifications.preferences import in_app_wanted_by
from chapters.registrations.service import EXPECTED

BATCH_SIZE = 1000  # rows per INSERT (8 parameters each: well under PostgreSQL's 32767)
_LEADING = (ChapterRole.LEAD, ChapterRole.CO_LEAD)


@dataclass
class Tell:
    """A notification to write for some people."""

    kind: MessageKind
    people: set[uuid.UUID]
    activity_id: uuid.UUID | None = None
    chapter_id: uuid.UUID | None = None
    data: dict[str, Any] = field(default_factory=dict)


async def on_event(session: AsyncSession, event: Event) -> None:
    plan = _PLANS.get(event.type)
    if plan is None:
        return
    tell = await plan(session, event)
    if tell is None:
        return
    people = tell.people - {event.actor_id}
    people = await in_app_wanted_by(session, people, tell.kind)
    await _write(session, event, tell, sorted(people))


async def _write(session: AsyncSession, event: Event, tell: Tell, people: list[uuid.UUID]) -> None:
    for start in range(0, len(people), BATCH_SIZE):
        rows = [
            {
                "tenant_id": event.tenant_id,
                "id": uuid.uuid4(),
                "person_id": person_id,
                "kind": tell.kind,
                "event_id": event.id,
                "activity_id": tell.activity_id,
                "chapter_id": tell.chapter_id,
                "data": tell.data,
            }
            for person_id in people[start : start + BATCH_SIZE]
        ]
        await session.execute(
            insert(Notification)
            .values(rows)
            .on_conflict_do_nothing(constraint="uq_notifications_tenant_id_person_id_event_id_kind")
        )


async def _leads_of(session: AsyncSession, chapter_id: uuid.UUID | None) -> set[uuid.UUID]:
    if chapter_id is None:
        return set()
    people = await session.scalars(
        select(ChapterMembership.person_id).where(
            ChapterMembership.chapter_id == chapter_id,
            ChapterMembership.status == MembershipStatus.ACTIVE,
            ChapterMembership.role.in_(_LEADING),
        )
    )
    return set(people)


def _about(activity: Activity, chapter_name: str | None) -> dict[str, Any]:
    return {"activity_title": activity.title, "chapter_name": chapter_name}


def _review(kind: MessageKind) -> Callable[[AsyncSession, Event], Awaitable[Tell | None]]:
    async def plan(session: AsyncSession, event: Event) -> Tell | None:
        activity = await activity_now(session, event.activity_id)
        if activity is None:
            return None
        people = await _leads_of(session, activity.chapter_id)
        if activity.created_by_id is not None:
            people.add(activity.created_by_id)
        return Tell(
            kind,
            people,
            activity_id=activity.id,
            chapter_id=activity.chapter_id,
            data=_about(activity, await chapter_name(session, activity.chapter_id)),
        )

    return plan


async def _recap_published(session: AsyncSession, event: Event) -> Tell | None:
    if event.data.get("recap_version", 1) != 1:
        return None
    activity = await activity_now(session, event.activity_id)
    if activity is None:
        return None
    registrants = await session.scalars(
        select(Registration.person_id)
        .where(
            Registration.activity_id == activity.id,
            Registration.person_id.is_not(None),
            Registration.status != RegistrationStatus.CANCELLED,
        )
        .distinct()
    )
    return Tell(
        MessageKind.RECAP_PUBLISHED,
        {person_id for person_id in registrants if person_id is not None},
        activity_id=activity.id,
        chapter_id=activity.chapter_id,
        data=_about(activity, await chapter_name(session, activity.chapter_id)),
    )


async def _expected_people(session: AsyncSession, activity_id: uuid.UUID) -> set[uuid.UUID]:
    """The people registered for the activity who hold a seat or wait for one."""
    people = await session.scalars(
        select(Registration.person_id)
        .where(
            Registration.activity_id == activity_id,
            Registration.person_id.is_not(None),
            Registration.status.in_(EXPECTED),
        )
        .distinct()
    )
    return {person_id for person_id in people if person_id is not None}


async def _cancelled(session: AsyncSession, event: Event) -> Tell | None:
    activity = await activity_now(session, event.activity_id)
    if activity is None:
        return None
    reason = await step_reason(session, activity.id, ActivityStatus.CANCELLED)
    return Tell(
        MessageKind.ACTIVITY_CANCELLED,
        await _expected_people(session, activity.id),
        activity_id=activity.id,
        chapter_id=activity.chapter_id,
        data={
            **_about(activity, await chapter_name(session, activity.chapter_id)),
            "reason": reason,
        },
    )


def _when(event: Event, start: str, end: str, timezone: str) -> str | None:
    starts = moment(event.data.get(start))
    if starts is None:
        return None
    return when(starts, moment(event.data.get(end)), timezone)


async def _rescheduled(session: AsyncSession, event: Event) -> Tell | None:
    activity = await activity_now(session, event.activity_id)
    if activity is None or activity.status == ActivityStatus.CANCELLED:
        return None
    # The times as text in the activity's own zone: what a registrant compares with their plans.
    times = {
        "from_when": _when(event, "from_starts_at", "from_ends_at", activity.timezone),
        "to_when": _when(event, "to_starts_at", "to_ends_at", activity.timezone),
    }
    reason = await move_reason(session, activity.id, event.data)
    return Tell(
        MessageKind.ACTIVITY_RESCHEDULED,
        await _expected_people(session, activity.id),
        activity_id=activity.id,
        chapter_id=activity.chapter_id,
        data={
            **_about(activity, await chapter_name(session, activity.chapter_id)),
            **times,
            "reason": reason,
        },
    )


def _membership(kind: MessageKind) -> Callable[[AsyncSession, Event], Awaitable[Tell | None]]:
    async def plan(session: AsyncSession, event: Event) -> Tell | None:
        if event.person_id is None:
            return None
        data = {
            "chapter_name": await chapter_name(session, event.chapter_id),
            "membership_id": event.data.get("membership_id", str(event.subject_id)),
            "role": event.data.get("role"),
            "previous_role": event.data.get("previous_role"),
        }
        return Tell(kind, {event.person_id}, chapter_id=event.chapter_id, data=data)

    return plan


async def _promoted(session: AsyncSession, event: Event) -> Tell | None:
    activity = await activity_now(session, event.activity_id)
    if event.person_id is None or activity is None or activity.status == ActivityStatus.CANCELLED:
        return None  # cancelled since: the cancellation is the news
    return Tell(
        MessageKind.WAITLIST_PROMOTION,
        {event.person_id},
        activity_id=activity.id,
        chapter_id=activity.chapter_id,
        data={
            **_about(activity, await chapter_name(session, activity.chapter_id)),
            "registration_id": str(event.subject_id),
        },
    )


async def _chapter_status(session: AsyncSession, event: Event) -> Tell | None:
    if event.chapter_id is None:
        return None
    return Tell(
        MessageKind.CHAPTER_STATUS_CHANGED,
        await _leads_of(session, event.chapter_id),
        chapter_id=event.chapter_id,
        data={
            "chapter_name": await chapter_name(session, event.chapter_id),
            "from_status": event.data.get("from_status"),
            "to_status": event.data.get("to_status"),
        },
    )


Plan = Callable[[AsyncSession, Event], Awaitable[Tell | None]]

# event type → who is told, and what
_PLANS: dict[EventType, Plan] = {
    EventType.ACTIVITY_CHANGES_REQUESTED: _review(MessageKind.CHANGES_REQUESTED),
    EventType.ACTIVITY_ACCEPTED: _review(MessageKind.ACTIVITY_ACCEPTED),
    EventType.ACTIVITY_RECAP_PUBLISHED: _recap_published,
    EventType.ACTIVITY_CANCELLED: _cancelled,
    EventType.ACTIVITY_RESCHEDULED: _rescheduled,
    EventType.MEMBERSHIP_INVITED: _membership(MessageKind.CHAPTER_INVITATION),
    EventType.MEMBERSHIP_ROLE_CHANGED: _membership(MessageKind.ROLE_CHANGED),
    EventType.REGISTRATION_PROMOTED: _promoted,
    EventType.CHAPTER_STATUS_CHANGED: _chapter_status,
}
