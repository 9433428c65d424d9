"""Batch loads for mentoring projects (used through ``ctx.loaders.of(...)``)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.models import MentoringProjectMember, Person


async def people_by_project(
    session: AsyncSession, project_ids: Sequence[uuid.UUID]
) -> list[list[MentoringProjectMember]]:
    """Each project's mentors and mentees together, by display name: one statement serves
    both lists of every project on a page."""
    rows = await session.scalars(
        select(MentoringProjectMember)
        .join(
            Person,
            and_(
                Person.tenant_id == MentoringProjectMember.tenant_id,
                Person.id == MentoringProjectMember.person_id,
            ),
        )
        .where(MentoringProjectMember.project_id.in_(project_ids))
        .order_by(Person.display_name, Person.id)
    )
    people: dict[uuid.UUID, list[MentoringProjectMember]] = {pid: [] for pid in project_ids}
    for row in rows:
        people[row.project_id].append(row)
    return [people[project_id] for project_id in project_ids]
