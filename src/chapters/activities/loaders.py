"""Batch loads for activities' nested lists (through ``reader.loaders.of(...)``): one
statement per list, however many activities a page shows.

No access decisions here: these loads are shared by callers with different rights, and the
read functions that use them (``queries``, ``participants``, ``recaps``, ``lifecycle``) decide.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.db.loaders import grouped
from chapters.db.pagination import Ordering, Page, PageArgs, paginate_per_parent
from chapters.models import (
    ORGANISING_ROLES,
    ActivityCoHost,
    ActivityComment,
    ActivityLink,
    ActivityOrganisation,
    ActivityParticipant,
    ActivityRecapVersion,
    ActivityScheduleChange,
    ActivityTransition,
    Chapter,
    Organisation,
    Person,
    Tenant,
)
from chapters.tenants.service import recap_overdue_days

# The review thread reads top to bottom, and so do the histories.
COMMENT_ORDER = Ordering((ActivityComment.created_at, ActivityComment.id))
RECAP_HISTORY_ORDER = Ordering((ActivityRecapVersion.number, ActivityRecapVersion.id))
SCHEDULE_ORDER = Ordering((ActivityScheduleChange.occurred_at, ActivityScheduleChange.id))

# A participant with the person's display name and public-profile choice (None for external
# participants).
ParticipantRow = tuple[ActivityParticipant, str | None, bool | None]


async def co_hosts_by_activity(
    session: AsyncSession, activity_ids: Sequence[uuid.UUID]
) -> list[list[Chapter]]:
    """The co-hosting chapters, by name."""
    result = await session.execute(
        select(ActivityCoHost.activity_id, Chapter)
        .join(Chapter, Chapter.id == ActivityCoHost.chapter_id)
        .where(ActivityCoHost.activity_id.in_(activity_ids))
        .order_by(Chapter.name, Chapter.id)
    )
    pairs = [(activity_id, chapter) for activity_id, chapter in result]
    groups = grouped(pairs, lambda row: row[0], activity_ids)
    return [[chapter for _, chapter in group] for group in groups]


async def organisers_by_activity(
    session: AsyncSession, activity_ids: Sequence[uuid.UUID]
) -> list[frozenset[uuid.UUID]]:
    """The people listed as each activity's organisers or hosts."""
    result = await session.execute(
        select(ActivityParticipant.activity_id, ActivityParticipant.person_id).where(
            ActivityParticipant.activity_id.in_(activity_ids),
            ActivityParticipant.role.in_(ORGANISING_ROLES),
            ActivityParticipant.person_id.is_not(None),
        )
    )
    groups = grouped(
        [(activity_id, person_id) for activity_id, person_id in result],
        lambda row: row[0],
        activity_ids,
    )
    return [frozenset(person_id for _, person_id in group if person_id) for group in groups]


async def organisations_by_activity(
    session: AsyncSession, activity_ids: Sequence[uuid.UUID]
) -> list[list[tuple[ActivityOrganisation, str]]]:
    """Each organisation taking part, with its name, by name."""
    result = await session.execute(
        select(ActivityOrganisation, Organisation.name)
        .join(Organisation, Organisation.id == ActivityOrganisation.organisation_id)
        .where(ActivityOrganisation.activity_id.in_(activity_ids))
        .order_by(Organisation.name, ActivityOrganisation.role, ActivityOrganisation.id)
    )
    pairs = [(link, name) for link, name in result]
    return grouped(pairs, lambda row: row[0].activity_id, activity_ids)


async def participants_by_activity(
    session: AsyncSession, activity_ids: Sequence[uuid.UUID]
) -> list[list[ParticipantRow]]:
    """In the order they were given, each with the person's name and public-profile choice
    (None for external participants)."""
    result = await session.execute(
        select(ActivityParticipant, Person.display_name, Person.public_profile)
        .outerjoin(Person, Person.id == ActivityParticipant.person_id)
        .where(ActivityParticipant.activity_id.in_(activity_ids))
        .order_by(ActivityParticipant.created_at, ActivityParticipant.id)
    )
    # The outer join leaves the person's columns null for external participants.
    triples: list[ParticipantRow] = [(p, name, public) for p, name, public in result]
    return grouped(triples, lambda row: row[0].activity_id, activity_ids)


async def links_by_activity(
    session: AsyncSession, activity_ids: Sequence[uuid.UUID]
) -> list[list[ActivityLink]]:
    """In the order they were given."""
    rows = await session.scalars(
        select(ActivityLink)
        .where(ActivityLink.activity_id.in_(activity_ids))
        .order_by(ActivityLink.created_at, ActivityLink.id)
    )
    return grouped(rows, lambda row: row.activity_id, activity_ids)


async def transitions_by_activity(
    session: AsyncSession, activity_ids: Sequence[uuid.UUID]
) -> list[list[ActivityTransition]]:
    """The history, oldest step first."""
    rows = await session.scalars(
        select(ActivityTransition)
        .where(ActivityTransition.activity_id.in_(activity_ids))
        .order_by(ActivityTransition.occurred_at, ActivityTransition.id)
    )
    return grouped(rows, lambda row: row.activity_id, activity_ids)


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


async def comments_by_activity(
    session: AsyncSession, args: PageArgs, activity_ids: Sequence[uuid.UUID]
) -> list[Page[ActivityComment]]:
    """A page of each activity's review thread, oldest first."""
    return await paginate_per_parent(
        session,
        select(ActivityComment),
        ActivityComment.activity_id,
        activity_ids,
        COMMENT_ORDER,
        args,
    )


async def recap_history_by_activity(
    session: AsyncSession, args: PageArgs, activity_ids: Sequence[uuid.UUID]
) -> list[Page[ActivityRecapVersion]]:
    """A page of each activity's recap versions, the first first."""
    return await paginate_per_parent(
        session,
        select(ActivityRecapVersion),
        ActivityRecapVersion.activity_id,
        activity_ids,
        RECAP_HISTORY_ORDER,
        args,
    )


async def schedule_changes_by_activity(
    session: AsyncSession, args: PageArgs, activity_ids: Sequence[uuid.UUID]
) -> list[Page[ActivityScheduleChange]]:
    """A page of each activity's moves to new dates, oldest first."""
    return await paginate_per_parent(
        session,
        select(ActivityScheduleChange),
        ActivityScheduleChange.activity_id,
        activity_ids,
        SCHEDULE_ORDER,
        args,
    )


async def overdue_cutoff(session: AsyncSession, tenant_id: uuid.UUID) -> datetime:
    """Activities that ended before this moment and have no recap are overdue (the database
    clock, so that lists and each activity's ``isRecapOverdue`` agree)."""
    tenant, now = (
        await session.execute(select(Tenant, func.now()).where(Tenant.id == tenant_id))
    ).one()
    cutoff: datetime = now - timedelta(days=recap_overdue_days(tenant))
    return cutoff


async def overdue_cutoff_by_tenant(
    session: AsyncSession, tenant_ids: Sequence[uuid.UUID]
) -> list[datetime]:
    return [await overdue_cutoff(session, tenant_id) for tenant_id in tenant_ids]
