"""Batch loads for committees and seats (used through ``reader.loaders.of(...)``)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import ColumnElement, Date, and_, cast, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.db.pagination import Ordering, Page, PageArgs, paginate_per_parent
from chapters.models import CommitteeSeat, Tenant

# Longest-serving first; the id breaks ties between seats that started the same day.
SEAT_ORDER = Ordering((CommitteeSeat.starts_on, CommitteeSeat.id))


async def today_by_tenant(session: AsyncSession, tenant_ids: Sequence[uuid.UUID]) -> list[date]:
    """Today's date in each tenant's timezone, by the database clock (the transaction's start),
    so every seat of a request is judged current or not against the same day."""
    local_today = cast(func.timezone(Tenant.timezone, func.now()), Date)
    rows = await session.execute(
        select(Tenant.id, local_today.label("today")).where(Tenant.id.in_(tenant_ids))
    )
    found = {tenant_id: today for tenant_id, today in rows}
    return [found[tenant_id] for tenant_id in tenant_ids]


def held_on(day: date) -> ColumnElement[bool]:
    """Seats whose term ``[starts_on, ends_on)`` covers ``day`` (``service.is_held_on`` for one
    loaded seat)."""
    return and_(
        CommitteeSeat.starts_on <= day,
        or_(CommitteeSeat.ends_on.is_(None), CommitteeSeat.ends_on > day),
    )


async def seats_by_committee(
    session: AsyncSession,
    day: date | None,
    args: PageArgs,
    committee_ids: Sequence[uuid.UUID],
) -> list[Page[CommitteeSeat]]:
    """A page of seats per committee, longest-serving first: those held on ``day``, or every
    seat when it is None."""
    statement = select(CommitteeSeat)
    if day is not None:
        statement = statement.where(held_on(day))
    return await paginate_per_parent(
        session, statement, CommitteeSeat.committee_id, committee_ids, SEAT_ORDER, args
    )
