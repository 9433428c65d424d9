"""Batch loads for newsletters (used through ``reader.loaders.of(...)``): one statement for the
items of every issue on a page, one for the latest issue of every column on a page, one for
whether the caller is a content editor."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.db.loaders import grouped
from chapters.models.content import NewsletterIssue, NewsletterItem
from chapters.newsletters.assembly import SECTION_ORDER


async def items_by_issue(
    session: AsyncSession, issue_ids: Sequence[uuid.UUID]
) -> list[list[NewsletterItem]]:
    """Each issue's items, section by section in the fixed order, each section in place."""
    rows = (
        await session.scalars(select(NewsletterItem).where(NewsletterItem.issue_id.in_(issue_ids)))
    ).all()
    ordered = sorted(rows, key=lambda item: (SECTION_ORDER[item.section], item.position, item.id))
    return grouped(ordered, lambda row: row.issue_id, issue_ids)


async def latest_issue_by_column(
    session: AsyncSession, column_ids: Sequence[uuid.UUID]
) -> list[tuple[int, date] | None]:
    """Each column's latest issue (by number): its number and the last day it covers."""
    rows = await session.execute(
        select(NewsletterIssue.column_id, NewsletterIssue.number, NewsletterIssue.period_end)
        .where(NewsletterIssue.column_id.in_(column_ids))
        .ext(distinct_on(NewsletterIssue.column_id))
        .order_by(NewsletterIssue.column_id, NewsletterIssue.number.desc())
    )
    latest = {column_id: (number, end) for column_id, number, end in rows.all()}
    return [latest.get(column_id) for column_id in column_ids]
