"""Reminders of dates coming up (a partner agreement's renewal, a call for papers closing):
which reminder a day is due for, and the in-app notification written once per reminder."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.mail.kinds import MessageKind
from chapters.models.notification import Notification
from chapters.notifications.preferences import in_app_wanted_by
from chapters.tenancy import bound_tenant


def threshold_for(days_left: int, thresholds: tuple[int, ...]) -> int | None:
    """The reminder due ``days_left`` days before a date: the smallest threshold reached."""
    reached = [threshold for threshold in thresholds if 0 <= days_left <= threshold]
    return min(reached) if reached else None


async def notify_once(
    session: AsyncSession,
    kind: MessageKind,
    reminder: uuid.UUID,
    data: dict[str, Any],
    people: set[uuid.UUID | None],
) -> None:
    """One in-app notification per person for ``reminder`` (it stands in for an event: the
    notification's key is (person, reminder, kind), so a rerun adds nothing), written as the
    event reactions write theirs; those who turned the kind off in the app are not told."""
    wanted = await in_app_wanted_by(session, {p for p in people if p is not None}, kind)
    if not wanted:
        return
    tenant_id = bound_tenant(session.sync_session)
    rows = [
        {
            "tenant_id": tenant_id,
            "id": uuid.uuid4(),
            "person_id": person_id,
            "kind": kind,
            "event_id": reminder,
            "data": data,
        }
        for person_id in sorted(wanted)
    ]
    await session.execute(
        insert(Notification)
        .values(rows)
        .on_conflict_do_nothing(constraint="uq_notifications_tenant_id_person_id_event_id_kind")
    )
