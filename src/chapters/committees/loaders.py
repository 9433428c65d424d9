"""Batch loads for committees (used through ``ctx.loaders.of(...)``)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.models import Committee


async def committees_by_id(
    session: AsyncSession, ids: Sequence[uuid.UUID]
) -> list[Committee | None]:
    rows = await session.scalars(select(Committee).where(Committee.id.in_(ids)))
    found = {committee.id: committee for committee in rows}
    return [found.get(committee_id) for committee_id in ids]
