"""Batch loads for chapters (used through ``ctx.loaders.of(...)``)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.models import ChapterStatusChange


async def status_history_by_chapter(
    session: AsyncSession, chapter_ids: Sequence[uuid.UUID]
) -> list[list[ChapterStatusChange]]:
    rows = await session.scalars(
        select(ChapterStatusChange)
        .where(ChapterStatusChange.chapter_id.in_(chapter_ids))
        .order_by(ChapterStatusChange.changed_at, ChapterStatusChange.id)
    )
    history: dict[uuid.UUID, list[ChapterStatusChange]] = {cid: [] for cid in chapter_ids}
    for change in rows:
        history[change.chapter_id].append(change)
    return [history[chapter_id] for chapter_id in chapter_ids]
