"""Batch functions of this domain: one statement for many keys."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Date, cast, distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.models import (
    Activity,
    ActivityParticipant,
    ActivityStatus,
    MentoringProgram,
    MentoringProject,
    MentoringProjectMember,
    ParticipantRole,
    ProjectRole,
    ProjectStatus,
)
from chapters.models.ambassador import AmbassadorTerm

# A mentoring project counts once it was accepted (not a proposal, not a failure).
MENTORED = (ProjectStatus.ACCEPTED, ProjectStatus.IN_PROGRESS, ProjectStatus.COMPLETED)


@dataclass(frozen=True)
class TermActivity:
    """What an ambassador did during a term, from the ledger: accepted activities starting
    within it, by their role, and the mentoring projects they mentored in it."""

    organised: int = 0
    spoke: int = 0
    hosted: int = 0
    authored: int = 0
    mentored: int = 0


def _in_term(role: ParticipantRole) -> ColumnElement[int]:
    """How many accepted activities starting within the term the person had ``role`` in."""
    day = cast(func.timezone("UTC", Activity.starts_at), Date)
    return (
        select(func.count(distinct(ActivityParticipant.activity_id)))
        .join(
            Activity,
            (Activity.tenant_id == ActivityParticipant.tenant_id)
            & (Activity.id == ActivityParticipant.activity_id),
        )
        .where(
            ActivityParticipant.tenant_id == AmbassadorTerm.tenant_id,
            ActivityParticipant.person_id == AmbassadorTerm.person_id,
            ActivityParticipant.role == role,
            Activity.status == ActivityStatus.ACCEPTED,
            day >= AmbassadorTerm.starts_on,
            day <= AmbassadorTerm.ends_on,
        )
        .correlate(AmbassadorTerm)
        .scalar_subquery()
    )


def _mentored() -> ColumnElement[int]:
    """Projects the person mentored in a program whose coding period (or, without dates, its
    year) overlaps the term."""
    begins = func.coalesce(
        MentoringProgram.coding_starts_on, func.make_date(MentoringProgram.year, 1, 1)
    )
    ends = func.coalesce(
        MentoringProgram.coding_ends_on, func.make_date(MentoringProgram.year, 12, 31)
    )
    return (
        select(func.count(distinct(MentoringProjectMember.project_id)))
        .join(
            MentoringProject,
            (MentoringProject.tenant_id == MentoringProjectMember.tenant_id)
            & (MentoringProject.id == MentoringProjectMember.project_id),
        )
        .join(
            MentoringProgram,
            (MentoringProgram.tenant_id == MentoringProject.tenant_id)
            & (MentoringProgram.id == MentoringProject.program_id),
        )
        .where(
            MentoringProjectMember.tenant_id == AmbassadorTerm.tenant_id,
            MentoringProjectMember.person_id == AmbassadorTerm.person_id,
            MentoringProjectMember.role == ProjectRole.MENTOR,
            MentoringProject.status.in_(MENTORED),
            begins <= AmbassadorTerm.ends_on,
            ends >= AmbassadorTerm.starts_on,
        )
        .correlate(AmbassadorTerm)
        .scalar_subquery()
    )


async def activity_by_term(
    session: AsyncSession, term_ids: Sequence[uuid.UUID]
) -> list[TermActivity]:
    """Each term's ``TermActivity``, in one statement for all of them."""
    result = await session.execute(
        select(
            AmbassadorTerm.id,
            _in_term(ParticipantRole.ORGANIZER),
            _in_term(ParticipantRole.SPEAKER),
            _in_term(ParticipantRole.HOST),
            _in_term(ParticipantRole.AUTHOR),
            _mentored(),
        ).where(AmbassadorTerm.id.in_(term_ids))
    )
    found = {row[0]: TermActivity(*row[1:]) for row in result}
    return [found.get(term_id, TermActivity()) for term_id in term_ids]
