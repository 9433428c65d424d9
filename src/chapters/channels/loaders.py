"""Batch loads for publications and their reach (used through ``reader.loaders.of(...)``):
one statement for the publications of every article, newsletter issue or activity on a page,
one for the latest reading (or the readings) of every publication on a page."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import ColumnElement, select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from chapters.db.loaders import grouped
from chapters.models import Publication, ReachReading


async def _publications_of(
    session: AsyncSession,
    subject: InstrumentedAttribute[uuid.UUID | None],
    subject_ids: Sequence[uuid.UUID],
) -> list[list[Publication]]:
    rows = await session.scalars(
        select(Publication)
        .where(subject.in_(subject_ids))
        .order_by(Publication.published_on, Publication.id)
    )
    return grouped(rows.all(), lambda row: getattr(row, subject.key), subject_ids)


async def publications_by_article(
    session: AsyncSession, article_ids: Sequence[uuid.UUID]
) -> list[list[Publication]]:
    """Each article's publications, the earliest first."""
    return await _publications_of(session, Publication.article_id, article_ids)


async def publications_by_newsletter_issue(
    session: AsyncSession, issue_ids: Sequence[uuid.UUID]
) -> list[list[Publication]]:
    """Each newsletter issue's publications, the earliest first."""
    return await _publications_of(session, Publication.newsletter_issue_id, issue_ids)


async def publications_by_activity(
    session: AsyncSession, activity_ids: Sequence[uuid.UUID]
) -> list[list[Publication]]:
    """Where each activity's recording was published, the earliest first."""
    return await _publications_of(session, Publication.activity_id, activity_ids)


async def readings_by_publication(
    session: AsyncSession, publication_ids: Sequence[uuid.UUID]
) -> list[list[ReachReading]]:
    """Each publication's reach readings, the earliest first."""
    rows = await session.scalars(
        select(ReachReading)
        .where(ReachReading.publication_id.in_(publication_ids))
        .order_by(ReachReading.publication_id, ReachReading.read_on)
    )
    return grouped(rows.all(), lambda row: row.publication_id, publication_ids)


async def latest_reading_by_publication(
    session: AsyncSession, publication_ids: Sequence[uuid.UUID]
) -> list[ReachReading | None]:
    """Each publication's most recent reach reading (None: never read)."""
    in_batch: ColumnElement[bool] = ReachReading.publication_id.in_(publication_ids)
    rows = await session.scalars(
        select(ReachReading)
        .where(in_batch)
        .ext(distinct_on(ReachReading.publication_id))
        .order_by(ReachReading.publication_id, ReachReading.read_on.desc())
    )
    latest = {row.publication_id: row for row in rows}
    return [latest.get(publication_id) for publication_id in publication_ids]
