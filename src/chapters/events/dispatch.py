"""The ``events.dispatch`` job: one event, handed to every domain's reaction in turn.

A reaction turns the event into its own work (a webhook delivery per subscribed endpoint, a
mail per recipient, an in-app notification …), written idempotently (``ON CONFLICT DO
NOTHING`` on a key naming the event), so a dispatch retried after a failure adds nothing twice.
Reactions are registered in ``REACTIONS`` below, in one place.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.events.catalog import EventType
from chapters.jobs.queue import tenant_task
from chapters.models import DomainEvent


@dataclass(frozen=True)
class Event:
    id: uuid.UUID
    tenant_id: uuid.UUID
    type: EventType
    subject_id: uuid.UUID
    chapter_id: uuid.UUID | None
    activity_id: uuid.UUID | None
    person_id: uuid.UUID | None
    actor_id: uuid.UUID | None
    data: dict[str, Any]
    occurred_at: datetime


Reaction = Callable[[AsyncSession, Event], Awaitable[None]]


def _reactions() -> list[Reaction]:
    # Imported here: the reactions' modules import this one for ``Event``.
    from chapters.mail.reactions import on_event as mail
    from chapters.notifications.reactions import on_event as notifications
    from chapters.webhooks.reactions import on_event as webhooks

    return [webhooks, mail, notifications]


async def load_event(session: AsyncSession, event_id: uuid.UUID) -> Event | None:
    row = await session.scalar(select(DomainEvent).where(DomainEvent.id == event_id))
    if row is None:
        return None
    return Event(
        id=row.id,
        tenant_id=row.tenant_id,
        type=EventType(row.type),
        subject_id=row.subject_id,
        chapter_id=row.chapter_id,
        activity_id=row.activity_id,
        person_id=row.person_id,
        actor_id=row.actor_id,
        data=row.data,
        occurred_at=row.occurred_at,
    )


@tenant_task("events.dispatch", queue="events")
async def dispatch(session: AsyncSession, *, event_id: str) -> None:
    event = await load_event(session, uuid.UUID(event_id))
    if event is None:  # the tenant was deleted since
        return
    for react in _reactions():
        await react(session, event)
