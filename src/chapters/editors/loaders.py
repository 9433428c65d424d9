"""Batch loads for content editors (used through ``reader.loaders.of(...)``): whether each
person is one, so that a request asks once about its caller however many fields need it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.models import ContentEditor


async def editors_among(session: AsyncSession, person_ids: Sequence[uuid.UUID]) -> list[bool]:
    """Whether each person is a content editor."""
    editors = set(
        await session.scalars(
            select(ContentEditor.person_id).where(ContentEditor.person_id.in_(person_ids))
        )
    )
    return [person_id in editors for person_id in person_ids]
