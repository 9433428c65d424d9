"""Batch loads for mentoring programs and projects (used through ``reader.loaders.of(...)``).
No access decisions here: the read functions of ``queries`` decide."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.db.loaders import grouped
from chapters.db.pagination import Ordering, Page, PageArgs, paginate_per_parent
from chapters.models import MentoringProgram, MentoringProject, MentoringProjectMember, Person

if TYPE_CHECKING:
    from chapters.mentoring.queries import ProjectFilter

# Newest year first. One direction for every column keeps the keyset cursor a plain row
# comparison, so within a year names run from Z to A.
PROGRAM_ORDER = Ordering(
    (MentoringProgram.year, MentoringProgram.name, MentoringProgram.id), descending=True
)
# Projects by title; the id breaks ties.
PROJECT_ORDER = Ordering((MentoringProject.title, MentoringProject.id))


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
    return grouped(rows, lambda row: row.project_id, project_ids)


async def projects_page_by_program(
    session: AsyncSession,
    filters: ProjectFilter,
    args: PageArgs,
    program_ids: Sequence[uuid.UUID],
) -> list[Page[MentoringProject]]:
    """The same page of each program's projects matching ``filters``, by title."""
    statement = select(MentoringProject).where(*filters.conditions())
    return await paginate_per_parent(
        session, statement, MentoringProject.program_id, program_ids, PROJECT_ORDER, args
    )
