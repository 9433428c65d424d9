"""Use cases on people."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.auth.principal import Principal
from chapters.models import Person


async def find_person(session: AsyncSession, person_id: uuid.UUID) -> Person | None:
    return await session.scalar(select(Person).where(Person.id == person_id))


async def find_person_by_email(session: AsyncSession, email: str) -> Person | None:
    return await session.scalar(select(Person).where(func.lower(Person.email) == email.lower()))


def principal_for(person: Person) -> Principal:
    return Principal(
        tenant_id=person.tenant_id,
        person_id=person.id,
        email=person.email,
        display_name=person.display_name,
        tenant_role=person.tenant_role,
    )
