"""Resolving the tenant named in a request path, before any tenant-bound session exists."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from chapters.models import Tenant

CACHE_SECONDS = 60.0


@dataclass(frozen=True)
class TenantRef:
    id: uuid.UUID
    slug: str


class TenantDirectory:
    """slug → tenant id, with known slugs cached for a minute (slugs never change)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._known: dict[str, tuple[float, TenantRef]] = {}

    async def find(self, slug: str) -> TenantRef | None:
        cached = self._known.get(slug)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        async with self._engine.connect() as conn:
            tenant_id = await conn.scalar(select(Tenant.id).where(Tenant.slug == slug))
        if tenant_id is None:
            return None
        ref = TenantRef(id=tenant_id, slug=slug)
        self._known[slug] = (time.monotonic() + CACHE_SECONDS, ref)
        return ref
