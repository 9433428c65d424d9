"""Batch loads for case users (used through ``reader.loaders.of(...)``): one statement for the
linked activities of every case user on a page."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.db.loaders import grouped
from chapters.models.partnership import CaseUserActivity


async def activity_ids_by_case_user(
    session: AsyncSession, case_user_ids: Sequence[uuid.UUID]
) -> list[list[uuid.UUID]]:
    """The ids of each case user's linked activities, in the story's order."""
    rows = (
        await session.execute(
            select(CaseUserActivity.case_user_id, CaseUserActivity.activity_id)
            .where(CaseUserActivity.case_user_id.in_(case_user_ids))
            .order_by(CaseUserActivity.case_user_id, CaseUserActivity.position)
        )
    ).all()
    groups = grouped(rows, lambda row: row[0], case_user_ids)
    return [[row[1] for row in group] for group in groups]
