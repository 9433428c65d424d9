"""An activity's participants one at a time, and the part of the list the public sees.

Decisions:

- Adding or removing one participant is an edit of the activity: who may edit it (the owning
  chapter's leads and co-leads, staff, service clients with ``activities:write``) may, while it
  is a draft or sent back for changes. Leads of co-hosting chapters comment instead: the owner
  keeps the list.
- Once accepted, only staff correct the list (``ACTIVITY_CORRECT_PARTICIPANTS``): a speaker who
  did not come, a misspelt name. Under review it waits for the decision; a cancelled activity
  stays as it was.
- Who took part is personal data (``ACTIVITY_READ_PARTICIPANTS``). Callers without that right
  (anonymous callers, partners' clients, service clients without a read scope) see, on accepted
  activities, the people on stage (``PUBLIC_ROLES``) who chose a public profile and the
  external ones (by the name the organisers gave), nothing else: no other person, no email.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters import authz
from chapters.activities import service
from chapters.activities.loaders import ParticipantRow, participants_by_activity
from chapters.activities.service import ParticipantEntry, participant_key
from chapters.auth.principal import Principal
from chapters.authz import Action
from chapters.db.loaders import Reader
from chapters.db.session import get_row
from chapters.errors import ErrorCode, FieldError, InvalidInput, NotFound
from chapters.models import (
    Activity,
    ActivityParticipant,
    ActivityStatus,
    ParticipantRole,
    Person,
)

# The roles a public event page shows: who spoke, hosted, organised or wrote it.
PUBLIC_ROLES = frozenset(
    {
        ParticipantRole.SPEAKER,
        ParticipantRole.HOST,
        ParticipantRole.ORGANIZER,
        ParticipantRole.AUTHOR,
    }
)
LOCKED = {
    ActivityStatus.SUBMITTED: "Under review: its participants can change once ops decide",
    ActivityStatus.ACCEPTED: "Accepted: only staff correct its participants now",
    ActivityStatus.CANCELLED: "The activity was cancelled",
}


def shown_publicly(participant: ActivityParticipant, public_profile: bool | None) -> bool:
    """Whether a caller without participant rights sees this participant of an accepted
    activity (``public_profile``: the person's choice; None for external participants)."""
    if participant.role not in PUBLIC_ROLES:
        return False
    return participant.person_id is None or bool(public_profile)


def public_part(activity: Activity, rows: Iterable[ParticipantRow]) -> list[ParticipantRow]:
    if activity.status != ActivityStatus.ACCEPTED:
        return []
    return [row for row in rows if shown_publicly(row[0], row[2])]


async def participants_of(reader: Reader, activity: Activity) -> list[ParticipantRow]:
    """The participants the caller sees, in the order they were given, each with the
    person's display name (None for external ones) and public-profile choice: everyone for
    callers who may read participants, ``public_part`` for the others."""
    rows: list[ParticipantRow] = await reader.loaders.of(participants_by_activity).load(activity.id)
    if not authz.can(reader.principal, Action.ACTIVITY_READ_PARTICIPANTS):
        return public_part(activity, rows)
    return rows


async def _require_change(
    session: AsyncSession, principal: Principal | None, activity: Activity, field: str
) -> None:
    """The policy first (editing), then the status: see the module's decisions."""
    await service.require_on(session, principal, Action.ACTIVITY_EDIT, activity)
    if activity.status in service.EDITABLE:
        return
    if activity.status == ActivityStatus.ACCEPTED and await service.may_on(
        session, principal, Action.ACTIVITY_CORRECT_PARTICIPANTS, activity
    ):
        return
    reason = LOCKED.get(activity.status, "Its participants cannot change now")
    raise InvalidInput(FieldError(field, ErrorCode.CONFLICT, reason))


@dataclass(frozen=True)
class Added:
    activity: Activity
    participant: ActivityParticipant
    name: str  # the person's display name, or the external name


async def add_participant(
    session: AsyncSession,
    principal: Principal | None,
    activity_id: uuid.UUID,
    entry: ParticipantEntry,
) -> Added:
    """Add one person, or one external participant by name, after the others."""
    activity = await service.get_activity(session, principal, activity_id, "activity_id", lock=True)
    await _require_change(session, principal, activity, "activity_id")
    errors = service.check_participant(entry)
    if errors:
        raise InvalidInput(*errors)
    person = None
    if entry.person_id is not None:
        person = await get_row(session, Person, entry.person_id, "Person", "person_id")
    existing = await service.rows_of(session, ActivityParticipant, activity)
    limit = service.LIST_LIMITS["participants"]
    if len(existing) >= limit:
        raise InvalidInput(
            FieldError("activity_id", ErrorCode.INVALID, f"At most {limit} participants")
        )
    key = participant_key(entry.person_id, entry.external_name, entry.role)
    if any(participant_key(p.person_id, p.external_name, p.role) == key for p in existing):
        field = "person_id" if entry.person_id is not None else "external_name"
        raise InvalidInput(FieldError(field, ErrorCode.CONFLICT, "Listed already in this role"))
    now = service.utc_now()
    participant = ActivityParticipant(
        activity_id=activity.id, created_at=now, **service.participant_values(entry)
    )
    session.add(participant)
    activity.updated_at = now  # the list is part of the activity's last change
    await session.flush()
    name = person.display_name if person is not None else participant.external_name
    return Added(activity, participant, name or "")


async def remove_participant(
    session: AsyncSession, principal: Principal | None, participant_id: uuid.UUID
) -> Activity:
    """Take one participant off the list."""
    field = "participant_id"
    found = await get_row(session, ActivityParticipant, participant_id, "Participant", field)
    activity = await service.get_activity(session, principal, found.activity_id, field, lock=True)
    await _require_change(session, principal, activity, field)
    # Every change of the list locks the activity first: read the row again under that lock.
    participant = await session.scalar(
        select(ActivityParticipant).where(ActivityParticipant.id == participant_id)
    )
    if participant is None:
        raise NotFound("Participant", field=field)
    await session.delete(participant)
    activity.updated_at = service.utc_now()
    await session.flush()
    return activity
