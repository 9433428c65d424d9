"""Batch loads for people, used through the per-request DataLoaders in chapters.api.loaders."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.models import Person


async def people_by_id(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[Person | None]:
    rows = await session.scalars(select(Person).where(Person.id.in_(ids)))
    by_id = {person.id: person for person in rows}
    return [by_id.get(person_id) for person_id in ids]
