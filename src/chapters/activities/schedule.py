"""Rescheduling: new dates for an activity at any stage short of cancelled, with a reason.

Editing a draft's dates needs no reason; once an activity is submitted or accepted it is
locked for editing, and this is how its owning chapter's leads (or ops) move it. Every move
is kept (``ActivityScheduleChange``): from which dates to which, who, when and why.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from chapters.activities import service
from chapters.auth.principal import Principal
from chapters.authz import Action
from chapters.changes import UNSET, Change
from chapters.errors import ErrorCode, FieldError, InvalidInput
from chapters.models import Activity, ActivityScheduleChange, ActivityStatus
from chapters.validation import required_text

REASON_LIMIT = 2000


def _new_dates(
    activity: Activity, starts_at: datetime, ends_at: Change[datetime | None]
) -> tuple[datetime, datetime | None]:
    """The new dates, checked; without an end given, it lasts as long as before. (The API
    takes only times with a UTC offset: see ``chapters.api.scalars``.)"""
    starts = starts_at.astimezone(UTC)
    if ends_at is UNSET:
        length = activity.ends_at - activity.starts_at if activity.ends_at else None
        try:
            ends = starts + length if length is not None else None
        except OverflowError:
            message = "Too late to last as long as before: give endsAt"
            raise InvalidInput(FieldError("starts_at", ErrorCode.INVALID, message)) from None
    else:
        ends = ends_at.astimezone(UTC) if ends_at is not None else None
    if ends is not None and ends < starts:
        raise InvalidInput(FieldError("ends_at", ErrorCode.INVALID, "Cannot end before it starts"))
    if (starts, ends) == (activity.starts_at, activity.ends_at):
        raise InvalidInput(
            FieldError("starts_at", ErrorCode.INVALID, "These are its dates already")
        )
    return starts, ends


async def reschedule(
    session: AsyncSession,
    principal: Principal | None,
    activity_id: uuid.UUID,
    *,
    starts_at: datetime,
    ends_at: Change[datetime | None] = UNSET,
    reason: str,
) -> Activity:
    activity = await service.get_activity(session, principal, activity_id, lock=True)
    caller = await service.require_on(session, principal, Action.ACTIVITY_RESCHEDULE, activity)
    errors = required_text(reason, "reason", REASON_LIMIT)
    if activity.status == ActivityStatus.CANCELLED:
        errors.append(FieldError("id", ErrorCode.CONFLICT, "The activity was cancelled"))
    if errors:
        raise InvalidInput(*errors)
    new_starts, new_ends = _new_dates(activity, starts_at, ends_at)
    now = service.utc_now()
    session.add(
        ActivityScheduleChange(
            activity_id=activity.id,
            from_starts_at=activity.starts_at,
            from_ends_at=activity.ends_at,
            to_starts_at=new_starts,
            to_ends_at=new_ends,
            reason=reason.strip(),
            actor_id=caller.person_id,
            occurred_at=now,
        )
    )
    activity.starts_at, activity.ends_at, activity.updated_at = new_starts, new_ends, now
    await session.flush()
    return activity
