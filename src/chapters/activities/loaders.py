"""Batch loads for activities' nested lists (used through ``ctx.loaders.of(...)``): one
statement per list, however many activities a page shows."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.activities.queries import overdue_cutoff
from chapters.models import (
    ActivityCoHost,
    ActivityLink,
    ActivityOrganisation,
    ActivityParticipant,
    ActivityRecapVersion,
    ActivityTransition,
    Chapter,
    Organisation,
    Person,
)

T = TypeVar("T")


def _grouped(
    rows: Iterable[T], activity_ids: Sequence[uuid.UUID], key: Callable[[T], uuid.UUID]
) -> list[list[T]]:
    groups: dict[uuid.UUID, list[T]] = {activity_id: [] for activity_id in activity_ids}
    for row in rows:
        groups[key(row)].append(row)
    return [groups[activity_id] for activity_id in activity_ids]


async def co_hosts_by_activity(
    session: AsyncSession, activity_ids: Sequence[uuid.UUID]
) -> list[list[Chapter]]:
    """The co-hosting chapters, by name."""
    rows = await session.execute(
        select(ActivityCoHost.activity_id, Chapter)
        .join(Chapter, Chapter.id == ActivityCoHost.chapter_id)
        .where(ActivityCoHost.activity_id.in_(activity_ids))
        .order_by(Chapter.name, Chapter.id)
    )
    pairs = rows.all()
    return [[c for _, c in group] for group in _grouped(pairs, activity_ids, lambda r: r[0])]


async def organisations_by_activity(
    session: AsyncSession, activity_ids: Sequence[uuid.UUID]
) -> list[list[tuple[ActivityOrganisation, str]]]:
    """Each organisation taking part, with its name, by name."""
    rows = await session.execute(
        select(ActivityOrganisation, Organisation.name)
        .join(Organisation, Organisation.id == ActivityOrganisation.organisation_id)
        .where(ActivityOrganisation.activity_id.in_(activity_ids))
        .order_by(Organisation.name, ActivityOrganisation.role, ActivityOrganisation.id)
    )
    pairs: list[Any] = rows.all()
    return _grouped(pairs, activity_ids, lambda r: r[0].activity_id)


async def _in_order(
    session: AsyncSession, model: type, activity_ids: Sequence[uuid.UUID], *order: Any
) -> list[list[Any]]:
    rows = await session.scalars(
        select(model).where(model.activity_id.in_(activity_ids)).order_by(*order, model.id)
    )
    return _grouped(rows, activity_ids, lambda row: row.activity_id)


async def participants_by_activity(
    session: AsyncSession, activity_ids: Sequence[uuid.UUID]
) -> list[list[tuple[ActivityParticipant, str | None, bool | None]]]:
    """In the order they were given, each with the person's name and public-profile choice
    (None for external participants)."""
    rows = await session.execute(
        select(ActivityParticipant, Person.display_name, Person.public_profile)
        .outerjoin(Person, Person.id == ActivityParticipant.person_id)
        .where(ActivityParticipant.activity_id.in_(activity_ids))
        .order_by(ActivityParticipant.created_at, ActivityParticipant.id)
    )
    triples: list[Any] = rows.all()
    return _grouped(triples, activity_ids, lambda r: r[0].activity_id)


async def links_by_activity(
    session: AsyncSession, activity_ids: Sequence[uuid.UUID]
) -> list[list[ActivityLink]]:
    """In the order they were given; recap links after the others."""
    return await _in_order(session, ActivityLink, activity_ids, ActivityLink.created_at)


async def transitions_by_activity(
    session: AsyncSession, activity_ids: Sequence[uuid.UUID]
) -> list[list[ActivityTransition]]:
    """The history, oldest step first."""
    return await _in_order(
        session, ActivityTransition, activity_ids, ActivityTransition.occurred_at
    )


async def current_recap_by_activity(
    session: AsyncSession, activity_ids: Sequence[uuid.UUID]
) -> list[ActivityRecapVersion | None]:
    """The latest version of each activity's recap (None without one)."""
    rows = await session.scalars(
        select(ActivityRecapVersion)
        .ext(distinct_on(ActivityRecapVersion.activity_id))
        .where(ActivityRecapVersion.activity_id.in_(activity_ids))
        .order_by(ActivityRecapVersion.activity_id, ActivityRecapVersion.number.desc())
    )
    latest = {row.activity_id: row for row in rows}
    return [latest.get(activity_id) for activity_id in activity_ids]


async def overdue_cutoff_by_tenant(
    session: AsyncSession, tenant_ids: Sequence[uuid.UUID]
) -> list[datetime]:
    return [await overdue_cutoff(session, tenant_id) for tenant_id in tenant_ids]
