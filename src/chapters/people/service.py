"""Use cases on people."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.auth.principal import Principal
from chapters.models import ChapterMembership, MembershipStatus, Person


async def find_person(session: AsyncSession, person_id: uuid.UUID) -> Person | None:
    return await session.scalar(select(Person).where(Person.id == person_id))


async def find_person_by_email(session: AsyncSession, email: str) -> Person | None:
    return await session.scalar(select(Person).where(func.lower(Person.email) == email.lower()))


async def load_principal(session: AsyncSession, person: Person) -> Principal:
    """The principal for a signed-in person, with the roles of their active memberships."""
    rows = await session.execute(
        select(ChapterMembership.chapter_id, ChapterMembership.role).where(
            ChapterMembership.person_id == person.id,
            ChapterMembership.status == MembershipStatus.ACTIVE,
        )
    )
    return Principal(
        tenant_id=person.tenant_id,
        person_id=person.id,
        email=person.email,
        display_name=person.display_name,
        tenant_role=person.tenant_role,
        chapter_roles={chapter_id: role for chapter_id, role in rows},
    )
