"""Batch loads for memberships and their history (used through ``ctx.loaders.of(...)``)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.models import ChapterMembership, MembershipStatus


async def active_chapter_ids_by_person(
    session: AsyncSession, person_ids: Sequence[uuid.UUID]
) -> list[set[uuid.UUID]]:
    """The chapters each person is an active member of. An invitation grants nothing until it
    is accepted: an invitee is not yet a member, so the inviting lead does not see their
    email (the invitation names the person by id; the lead never typed the address)."""
    rows = await session.execute(
        select(ChapterMembership.person_id, ChapterMembership.chapter_id).where(
            ChapterMembership.person_id.in_(person_ids),
            ChapterMembership.status == MembershipStatus.ACTIVE,
        )
    )
    chapters: dict[uuid.UUID, set[uuid.UUID]] = {pid: set() for pid in person_ids}
    for person_id, chapter_id in rows:
        chapters[person_id].add(chapter_id)
    return [chapters[person_id] for person_id in person_ids]
