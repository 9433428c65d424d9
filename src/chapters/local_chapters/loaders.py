"""Batch loads for chapters (used through ``reader.loaders.of(...)``)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.db.loaders import grouped
from chapters.db.pagination import Ordering, Page, PageArgs, paginate_per_parent
from chapters.models import Chapter, ChapterStatusChange

BY_NAME = Ordering((Chapter.name, Chapter.id))


async def children_by_parent(
    session: AsyncSession, args: PageArgs, parent_ids: Sequence[uuid.UUID]
) -> list[Page[Chapter]]:
    return await paginate_per_parent(
        session, select(Chapter), Chapter.parent_id, parent_ids, BY_NAME, args
    )


async def status_history_by_chapter(
    session: AsyncSession, chapter_ids: Sequence[uuid.UUID]
) -> list[list[ChapterStatusChange]]:
    rows = await session.scalars(
        select(ChapterStatusChange)
        .where(ChapterStatusChange.chapter_id.in_(chapter_ids))
        .order_by(ChapterStatusChange.changed_at, ChapterStatusChange.id)
    )
    return grouped(rows, lambda change: change.chapter_id, chapter_ids)
