"""What the reactions to an activity's events tell people, mail and in-app alike: the
activity as it is now, its chapter's name, and the reason given for a step or a move."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.models import Activity, ActivityScheduleChange, ActivityTransition, Chapter


async def activity_now(session: AsyncSession, activity_id: uuid.UUID | None) -> Activity | None:
    if activity_id is None:
        return None
    return await session.scalar(select(Activity).where(Activity.id == activity_id))


async def chapter_name(session: AsyncSession, chapter_id: uuid.UUID | None) -> str | None:
    if chapter_id is None:
        return None
    name: str | None = await session.scalar(select(Chapter.name).where(Chapter.id == chapter_id))
    return name


async def step_reason(session: AsyncSession, activity_id: uuid.UUID, to_status: Any) -> str | None:
    """The comment of the activity's latest step to ``to_status``: a review decision and a
    cancellation give their reason there (cancelling is final: its one step holds it)."""
    comment: str | None = await session.scalar(
        select(ActivityTransition.comment)
        .where(
            ActivityTransition.activity_id == activity_id,
            ActivityTransition.to_status == to_status,
        )
        .order_by(ActivityTransition.occurred_at.desc())
        .limit(1)
    )
    return comment


def moment(value: Any) -> datetime | None:
    """A time an event's data holds (ISO 8601 text), or None."""
    return datetime.fromisoformat(value) if isinstance(value, str) else None


async def move_reason(
    session: AsyncSession, activity_id: uuid.UUID, data: dict[str, Any]
) -> str | None:
    """The reason of the move an ``activity.rescheduled`` event is (the event names no row:
    the latest move from and to the dates its data holds)."""
    to_starts, from_starts = moment(data.get("to_starts_at")), moment(data.get("from_starts_at"))
    reason: str | None = await session.scalar(
        select(ActivityScheduleChange.reason)
        .where(
            ActivityScheduleChange.activity_id == activity_id,
            *([ActivityScheduleChange.to_starts_at == to_starts] if to_starts else []),
            *([ActivityScheduleChange.from_starts_at == from_starts] if from_starts else []),
        )
        .order_by(ActivityScheduleChange.occurred_at.desc())
        .limit(1)
    )
    return reason
