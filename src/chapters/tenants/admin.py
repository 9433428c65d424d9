"""Creating tenants: an operator's job, run as the owner role (the app role cannot insert)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from chapters.errors import InvalidInput
from chapters.models import Tenant
from chapters.tenants.service import validate_slug


async def ensure_tenant(
    owner_engine: AsyncEngine,
    *,
    slug: str,
    name: str,
    timezone: str = "UTC",
    default_locale: str = "en",
) -> tuple[uuid.UUID, bool]:
    """Create the tenant unless its slug exists; return its id and whether it was created."""
    errors = validate_slug(slug)
    if errors:
        raise InvalidInput(*errors)
    async with owner_engine.begin() as conn:
        created = await conn.scalar(
            insert(Tenant)
            .values(
                id=uuid.uuid4(),
                slug=slug,
                name=name,
                timezone=timezone,
                default_locale=default_locale,
            )
            .on_conflict_do_nothing(index_elements=[Tenant.slug])
            .returning(Tenant.id)
        )
        if created is not None:
            return created, True
        existing = await conn.scalar(select(Tenant.id).where(Tenant.slug == slug))
    if existing is None:  # the conflicting row was removed in between
        raise RuntimeError(f"Tenant {slug} conflicted on insert but cannot be found")
    return existing, False


async def tenant_id_for_slug(engine: AsyncEngine, slug: str) -> uuid.UUID | None:
    async with engine.connect() as conn:
        return await conn.scalar(select(Tenant.id).where(Tenant.slug == slug))
