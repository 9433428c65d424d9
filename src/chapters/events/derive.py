"""Events from the rows a change wrote, in the same flush: one table, ``RULES``, says which
written row means which event, so no service has to remember to publish anything.

History rows are the evidence (an ``ActivityTransition`` is a step of the review, a
``ChapterMembershipPeriod`` a change of a membership …), plus the registration's own row.
Each event becomes a ``domain_events`` row and an ``events.dispatch`` job, inserted on the
flush's own connection: a change that rolls back leaves neither.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event, inspect, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from chapters.events.catalog import EventType as E
from chapters.jobs.queue import enqueue_in_flush
from chapters.models import (
    ActivityRecapVersion,
    ActivityScheduleChange,
    ActivityStatus,
    ActivityTransition,
    ChapterMembershipPeriod,
    ChapterStatusChange,
    MembershipStatus,
    Registration,
    RegistrationStatus,
)
from chapters.tenancy import TenantSession, bound_tenant


@dataclass(frozen=True)
class Happened:
    type: E
    subject_id: uuid.UUID
    activity_id: uuid.UUID | None = None
    chapter_id: uuid.UUID | None = None
    person_id: uuid.UUID | None = None
    actor_id: uuid.UUID | None = None
    data: dict[str, Any] = field(default_factory=dict)


_STEP_EVENTS = {
    ActivityStatus.SUBMITTED: E.ACTIVITY_SUBMITTED,
    ActivityStatus.ACCEPTED: E.ACTIVITY_ACCEPTED,
    ActivityStatus.CHANGES_REQUESTED: E.ACTIVITY_CHANGES_REQUESTED,
    ActivityStatus.CANCELLED: E.ACTIVITY_CANCELLED,
    ActivityStatus.DRAFT: E.ACTIVITY_REOPENED,
}


def _value(value: Any) -> Any:
    return getattr(value, "value", value)


def _transition(row: ActivityTransition, new: bool) -> Iterator[Happened]:
    kind = _STEP_EVENTS.get(row.to_status)
    if new and row.from_status is not None and kind is not None:
        yield Happened(
            kind,
            row.activity_id,
            activity_id=row.activity_id,
            actor_id=row.actor_id,
            data={"from_status": _value(row.from_status), "to_status": _value(row.to_status)},
        )


def _recap(row: ActivityRecapVersion, new: bool) -> Iterator[Happened]:
    if new:
        yield Happened(
            E.ACTIVITY_RECAP_PUBLISHED,
            row.activity_id,
            activity_id=row.activity_id,
            actor_id=row.published_by_id,
            data={"recap_version": row.number},
        )


def _reschedule(row: ActivityScheduleChange, new: bool) -> Iterator[Happened]:
    if new:
        yield Happened(
            E.ACTIVITY_RESCHEDULED,
            row.activity_id,
            activity_id=row.activity_id,
            actor_id=row.actor_id,
            data={
                "from_starts_at": row.from_starts_at.isoformat(),
                "to_starts_at": row.to_starts_at.isoformat(),
                "from_ends_at": row.from_ends_at.isoformat() if row.from_ends_at else None,
                "to_ends_at": row.to_ends_at.isoformat() if row.to_ends_at else None,
            },
        )


def _chapter_status(row: ChapterStatusChange, new: bool) -> Iterator[Happened]:
    if new and row.from_status is not None:
        yield Happened(
            E.CHAPTER_STATUS_CHANGED,
            row.chapter_id,
            chapter_id=row.chapter_id,
            actor_id=row.changed_by_id,
            data={"from_status": _value(row.from_status), "to_status": _value(row.to_status)},
        )


def _membership_event(
    row: ChapterMembershipPeriod, before: ChapterMembershipPeriod | None
) -> E | None:
    was_active = before is not None and before.status == MembershipStatus.ACTIVE
    if row.status == MembershipStatus.INVITED:
        return E.MEMBERSHIP_INVITED if before is None or before.status != row.status else None
    if row.status == MembershipStatus.LEFT:
        return E.MEMBERSHIP_LEFT if was_active else None
    if not was_active:
        return E.MEMBERSHIP_JOINED
    return E.MEMBERSHIP_ROLE_CHANGED if before is not None and before.role != row.role else None


def _membership(
    row: ChapterMembershipPeriod, new: bool, closed: dict[uuid.UUID, ChapterMembershipPeriod]
) -> Iterator[Happened]:
    if not new:
        return
    before = closed.get(row.membership_id)
    kind = _membership_event(row, before)
    if kind is not None:
        yield Happened(
            kind,
            row.membership_id,
            chapter_id=row.chapter_id,
            person_id=row.person_id,
            actor_id=row.changed_by_id,
            data={
                "membership_id": str(row.membership_id),
                "role": _value(row.role),
                "status": _value(row.status),
                "previous_role": _value(before.role) if before else None,
                "previous_status": _value(before.status) if before else None,
            },
        )


_REGISTRATION_STEPS = {
    (RegistrationStatus.PENDING, RegistrationStatus.CONFIRMED): E.REGISTRATION_CONFIRMED,
    (RegistrationStatus.PENDING, RegistrationStatus.WAITLISTED): E.REGISTRATION_CONFIRMED,
    (RegistrationStatus.WAITLISTED, RegistrationStatus.CONFIRMED): E.REGISTRATION_PROMOTED,
}


def _registration(row: Registration, new: bool) -> Iterator[Happened]:
    def happened(kind: E, **data: Any) -> Happened:
        return Happened(
            kind,
            row.id,
            activity_id=row.activity_id,
            person_id=row.person_id,
            data={"registration_id": str(row.id), "status": _value(row.status), **data},
        )

    if new:
        yield happened(E.REGISTRATION_CREATED)
        return
    state = inspect(row)
    status = state.attrs.status.history
    if status.deleted and status.added:
        before, after = status.deleted[0], status.added[0]
        if after == RegistrationStatus.CANCELLED:
            yield happened(E.REGISTRATION_CANCELLED, previous_status=_value(before))
        elif (kind := _REGISTRATION_STEPS.get((before, after))) is not None:
            yield happened(kind, previous_status=_value(before))
    checked_in = state.attrs.checked_in_at.history
    if checked_in.added and checked_in.added[0] is not None and not any(checked_in.deleted):
        yield happened(E.REGISTRATION_CHECKED_IN)


RowRule = Callable[[Any, bool], Iterator[Happened]]

# written row → the events it means (new rows, and changed ones for registrations)
RULES: dict[type, RowRule] = {
    ActivityTransition: _transition,
    ActivityRecapVersion: _recap,
    ActivityScheduleChange: _reschedule,
    ChapterStatusChange: _chapter_status,
    Registration: _registration,
}


_PREVIOUS_PERIOD = text(
    "SELECT role, status FROM chapter_membership_periods"
    " WHERE tenant_id = :tenant_id AND membership_id = :membership_id AND ended_at IS NOT NULL"
    " ORDER BY ended_at DESC, started_at DESC LIMIT 1"
)


def _closed_periods(session: Session, opened: list[ChapterMembershipPeriod]) -> dict:
    """The period each newly opened one follows: closed in this flush, or (a service that
    flushed the closing first) the membership's latest closed period in the database."""
    closed: dict[uuid.UUID, Any] = {
        row.membership_id: row
        for row in session.dirty
        if isinstance(row, ChapterMembershipPeriod) and row.ended_at is not None
    }
    tenant_id = bound_tenant(session) if opened else None
    for row in opened:
        if row.membership_id not in closed:
            previous = (
                session.connection()
                .execute(
                    _PREVIOUS_PERIOD, {"tenant_id": tenant_id, "membership_id": row.membership_id}
                )
                .first()
            )
            if previous is not None:
                closed[row.membership_id] = previous
    return closed


def events_of_flush(session: Session) -> list[Happened]:
    opened = [row for row in session.new if isinstance(row, ChapterMembershipPeriod)]
    closed = _closed_periods(session, opened)
    found: list[Happened] = []
    for row in opened:
        found.extend(_membership(row, True, closed))
    for row in session.new:
        if isinstance(row, ChapterMembershipPeriod):
            continue
        if (rule := RULES.get(type(row))) is not None:
            found.extend(rule(row, True))
    for row in session.dirty:
        if isinstance(row, Registration):
            found.extend(_registration(row, False))
    return found


_INSERT_EVENT = text(
    "INSERT INTO domain_events"
    " (tenant_id, id, type, subject_id, activity_id, chapter_id, person_id, actor_id, data)"
    " VALUES (:tenant_id, :id, :type, :subject_id, :activity_id,"
    " coalesce(CAST(:chapter_id AS uuid), (SELECT a.chapter_id FROM activities a"
    "  WHERE a.tenant_id = :tenant_id AND a.id = CAST(:activity_id AS uuid))),"
    " :person_id, :actor_id, CAST(:data AS jsonb))"
)


_SILENCED = "events_silenced"


@contextmanager
def silenced(session: AsyncSession) -> Iterator[None]:
    """Write history without telling anyone: loading past records (the demo's three years,
    an import) must not mail people about what happened long ago."""
    info = session.sync_session.info
    info[_SILENCED] = True
    try:
        yield
    finally:
        info.pop(_SILENCED, None)


@event.listens_for(TenantSession, "after_flush")
def _publish(session: Session, flush_context: Any) -> None:
    if session.info.get(_SILENCED):
        return
    happened = events_of_flush(session)
    if not happened:
        return
    tenant_id = bound_tenant(session)
    connection = session.connection()
    for item in happened:
        event_id = uuid.uuid4()
        connection.execute(
            _INSERT_EVENT,
            {
                "tenant_id": tenant_id,
                "id": event_id,
                "type": item.type.value,
                "subject_id": item.subject_id,
                "activity_id": item.activity_id,
                "chapter_id": item.chapter_id,
                "person_id": item.person_id,
                "actor_id": item.actor_id,
                "data": json.dumps(item.data, default=str),
            },
        )
        enqueue_in_flush(connection, tenant_id, "events.dispatch", event_id=str(event_id))
