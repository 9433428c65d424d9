"""The body of a delivery: ``{"type", "timestamp", "data"}`` (Standard Webhooks' shape) from a
domain event. ``data`` names objects by the API's global ids and carries the changed fields;
names and email addresses only for an endpoint granted personal data."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.events.dispatch import Event
from chapters.global_ids import global_id
from chapters.models import Person, Registration

# Event columns → (payload key, the API's type of the object).
_EVENT_IDS = (
    ("activity_id", "activity_id", "Activity"),
    ("chapter_id", "chapter_id", "Chapter"),
    ("person_id", "person_id", "Person"),
    ("actor_id", "actor_id", "Person"),
)
# Ids inside the event's data → the API's type of the object.
_DATA_IDS = {"membership_id": "ChapterMembership", "registration_id": "Registration"}


def _global(type_name: str, value: Any) -> str | None:
    if value is None:
        return None
    try:
        return global_id(type_name, uuid.UUID(str(value)))
    except ValueError:
        return None


def base_data(event: Event) -> dict[str, Any]:
    """Ids and changed fields: nothing that names or reaches a person."""
    data: dict[str, Any] = {}
    for attribute, key, type_name in _EVENT_IDS:
        value = getattr(event, attribute)
        if value is not None:
            data[key] = _global(type_name, value)
    for key, value in event.data.items():
        data[key] = _global(_DATA_IDS[key], value) if key in _DATA_IDS else value
    return data


async def personal_data(session: AsyncSession, event: Event) -> dict[str, Any]:
    """The names and addresses of the people the event is about (granted endpoints only)."""
    extra: dict[str, Any] = {}
    people = {pid for pid in (event.person_id, event.actor_id) if pid is not None}
    if people:
        rows = (
            await session.execute(
                select(Person.id, Person.display_name, Person.email).where(Person.id.in_(people))
            )
        ).all()
        found = {row.id: row for row in rows}
        for key, pid in (("person", event.person_id), ("actor", event.actor_id)):
            if pid is not None and pid in found:
                row = found[pid]
                extra[key] = {
                    "id": global_id("Person", pid),
                    "name": row.display_name,
                    "email": row.email,
                }
    registration_id = event.data.get("registration_id")
    if registration_id is not None:
        registrant = (
            await session.execute(
                select(Registration.name, Registration.email, Registration.person_id).where(
                    Registration.id == uuid.UUID(str(registration_id))
                )
            )
        ).first()
        if registrant is not None:
            person = extra.get("person", {})
            extra["registrant"] = {
                "name": registrant.name or person.get("name"),
                "email": registrant.email or person.get("email"),
            }
    return extra


def payload(event: Event, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": event.type.value,
        "timestamp": event.occurred_at.isoformat(),
        "data": data,
    }
