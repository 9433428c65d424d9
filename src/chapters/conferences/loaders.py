"""Batch loads for conferences and talk submissions (used through ``reader.loaders.of(...)``):
one statement for the speakers of every submission on a page, one for the decision counts of
every conference on a page."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.db.loaders import grouped
from chapters.models.conference import (
    DECIDED,
    SubmissionStatus,
    TalkSubmission,
    TalkSubmissionSpeaker,
    TalkSubmissionTransition,
)


async def speaker_ids_by_submission(
    session: AsyncSession, submission_ids: Sequence[uuid.UUID]
) -> list[list[uuid.UUID]]:
    """The ids of each submission's speakers, in the list's order."""
    rows = (
        await session.execute(
            select(TalkSubmissionSpeaker.submission_id, TalkSubmissionSpeaker.person_id)
            .where(TalkSubmissionSpeaker.submission_id.in_(submission_ids))
            .order_by(TalkSubmissionSpeaker.submission_id, TalkSubmissionSpeaker.position)
        )
    ).all()
    groups = grouped(rows, lambda row: row[0], submission_ids)
    return [[row[1] for row in group] for group in groups]


async def decisions_by_conference(
    session: AsyncSession, conference_ids: Sequence[uuid.UUID]
) -> list[tuple[int, int]]:
    """Per conference: (accepted, decided) submissions; decided is accepted or rejected."""
    accepted = func.count().filter(TalkSubmission.status == SubmissionStatus.ACCEPTED)
    rows = (
        await session.execute(
            select(TalkSubmission.conference_id, accepted, func.count())
            .where(
                TalkSubmission.conference_id.in_(conference_ids),
                TalkSubmission.status.in_(DECIDED),
            )
            .group_by(TalkSubmission.conference_id)
        )
    ).all()
    counts = {row[0]: (int(row[1]), int(row[2])) for row in rows}
    return [counts.get(conference_id, (0, 0)) for conference_id in conference_ids]


async def transitions_by_submission(
    session: AsyncSession, submission_ids: Sequence[uuid.UUID]
) -> list[list[TalkSubmissionTransition]]:
    """Each submission's steps, oldest first."""
    rows = await session.scalars(
        select(TalkSubmissionTransition)
        .where(TalkSubmissionTransition.submission_id.in_(submission_ids))
        .order_by(TalkSubmissionTransition.occurred_at, TalkSubmissionTransition.id)
    )
    return grouped(rows.all(), lambda row: row.submission_id, submission_ids)
