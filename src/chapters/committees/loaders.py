"""Batch loads for committees and seats (used through ``ctx.loaders.of(...)``)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import Date, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.models import Tenant


async def today_by_tenant(session: AsyncSession, tenant_ids: Sequence[uuid.UUID]) -> list[date]:
    """Today's date in each tenant's timezone, by the database clock (the transaction's start),
    so every seat of a request is judged current or not against the same day."""
    local_today = cast(func.timezone(Tenant.timezone, func.now()), Date)
    rows = await session.execute(
        select(Tenant.id, local_today.label("today")).where(Tenant.id.in_(tenant_ids))
    )
    found = {tenant_id: today for tenant_id, today in rows}
    return [found[tenant_id] for tenant_id in tenant_ids]
