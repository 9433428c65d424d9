"""Operator-side helpers for people (seeding, the CLI)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from chapters.models import Person, TenantRole
from chapters.people.service import find_person_by_email


async def ensure_person(
    session: AsyncSession, *, email: str, display_name: str, tenant_role: TenantRole | None = None
) -> Person:
    """The person with this email, created if missing (idempotent)."""
    person = await find_person_by_email(session, email)
    if person is None:
        person = Person(email=email, display_name=display_name, tenant_role=tenant_role)
        session.add(person)
        await session.flush()
    return person
