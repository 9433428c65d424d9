"""Batch loads for memberships and their history (used through ``ctx.loaders.of(...)``)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.models import ChapterMembership, MembershipStatus, Person


@dataclass(frozen=True)
class ChaptersOfPerson:
    """The chapters a person has to do with, as the visibility rules of ``authz`` need them."""

    active: set[uuid.UUID] = field(default_factory=set)  # an active member of
    any_status: set[uuid.UUID] = field(default_factory=set)  # invited, active or left
    # Invited by the address the person still has: their leads typed it.
    invited_with_this_email: set[uuid.UUID] = field(default_factory=set)


async def chapters_by_person(
    session: AsyncSession, person_ids: Sequence[uuid.UUID]
) -> list[ChaptersOfPerson]:
    """Each person's chapters, in one statement for the whole batch. An invitation by id
    grants nothing until it is accepted: an invitee is not yet a member, so the inviting lead
    does not see their email (the lead never typed the address); an invitation by email
    names the address, so the chapter's leads see it while it is still the person's."""
    rows = await session.execute(
        select(
            ChapterMembership.person_id,
            ChapterMembership.chapter_id,
            ChapterMembership.status,
            ChapterMembership.invited_email == func.lower(Person.email),
        )
        .join(Person, Person.id == ChapterMembership.person_id)
        .where(ChapterMembership.person_id.in_(person_ids))
    )
    chapters = {person_id: ChaptersOfPerson() for person_id in person_ids}
    for person_id, chapter_id, status, typed_email in rows:
        of_person = chapters[person_id]
        of_person.any_status.add(chapter_id)
        if status == MembershipStatus.ACTIVE:
            of_person.active.add(chapter_id)
        if typed_email:
            of_person.invited_with_this_email.add(chapter_id)
    return [chapters[person_id] for person_id in person_ids]
