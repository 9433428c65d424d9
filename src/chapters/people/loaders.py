"""Batch loads for people, used through the per-request DataLoaders of chapters.db.loaders."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.models import PersonIdentity


async def identities_by_person(
    session: AsyncSession, person_ids: Sequence[uuid.UUID]
) -> list[list[PersonIdentity]]:
    """Each person's linked sign-in identities, oldest link first."""
    rows = await session.scalars(
        select(PersonIdentity)
        .where(PersonIdentity.person_id.in_(person_ids))
        .order_by(PersonIdentity.created_at, PersonIdentity.id)
    )
    by_person: dict[uuid.UUID, list[PersonIdentity]] = {pid: [] for pid in person_ids}
    for identity in rows:
        by_person[identity.person_id].append(identity)
    return [by_person[person_id] for person_id in person_ids]
