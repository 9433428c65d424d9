"""What every step of the demo's replay shares: it is audited as the mutation a person of the
tenant would have called (``as_mutation``), dated by the ``Clock``, and its days are read on a
clock (``at_ten``, ``on_clock``, ``day_at``).

The services stamp what they write with the time of writing, and the demo replays three years
in one transaction: after each step of the story, ``Clock.stamp`` gives the rows it wrote the
step's time. So a membership dates from the day it began, an activity was written up weeks
before it takes place, submitted a few days later, reviewed a few days after that and recapped
once it ended, and the review queue has an order. Steps a fixed date would put in the future
happen just before seeding (``Clock.limit``).
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime, case, func, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.audit.recorder import audited
from chapters.auth.principal import Principal
from chapters.models import Base, Person, TenantRole
from chapters.tenancy import bound_tenant

# Columns that say when a row was written or a step taken (not dates of the story itself, such
# as an activity's start or a membership period's, which the services are given).
RECORD_TIMES = (
    "created_at",
    "updated_at",
    "occurred_at",
    "published_at",
    "changed_at",
    "submitted_at",
    "reviewed_at",
    "recap_published_at",
)


class Clock:
    """Dates what the seeding writes. The services stamp rows with the time of writing (the
    transaction's ``now()`` or the time of the call), and the demo replays three years in one
    transaction: after each step of the story, ``stamp`` gives every record time written since
    the previous stamp the step's time. ``limit``: the story ends before it is seeded."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.since = datetime.now(UTC)
        self.limit = self.since - timedelta(hours=1)
        self.tables = [
            table
            for table in Base.metadata.sorted_tables
            if "tenant_id" in table.c and any(name in table.c for name in RECORD_TIMES)
        ]

    async def stamp(self, when: datetime) -> None:
        """Times set by the database become ``when``; times set by a service become ``when``
        plus their offset from the previous stamp, which keeps the order of a list written
        microseconds apart."""
        tenant_id = bound_tenant(self.session.sync_session)
        since = literal(self.since, DateTime(timezone=True))
        moment = literal(when, DateTime(timezone=True))
        for table in self.tables:
            columns = [table.c[name] for name in RECORD_TIMES if name in table.c]
            values = {
                column.name: case(
                    (column == func.now(), moment),
                    (column >= since, moment + (column - since)),
                    else_=column,
                )
                for column in columns
            }
            fresh = or_(*(or_(column == func.now(), column >= since) for column in columns))
            await self.session.execute(
                update(table).where(table.c.tenant_id == tenant_id, fresh).values(values)
            )
        self.since = datetime.now(UTC)


async def first_with_role(session: AsyncSession, role: TenantRole) -> Person | None:
    """The tenant's first person (by email) with ``role``: the demo writes as its first admin."""
    statement = select(Person).where(Person.tenant_role == role).order_by(Person.email)
    return await session.scalar(statement.limit(1))


def as_mutation(
    session: AsyncSession, mutation: str, actor: Principal
) -> AbstractContextManager[None]:
    """Audit the writes of the block as ``mutation``, called by ``actor`` (no request)."""
    return audited(session, action=mutation, actor_id=actor.person_id, request_id=None)


def at_ten(day: str, timezone: ZoneInfo) -> datetime:
    """10:00 on the ISO ``day``, on ``timezone``'s clock: when a dated change happened."""
    return datetime.combine(date.fromisoformat(day), time(10, 0), tzinfo=timezone)


def on_clock(moment: str, timezone: ZoneInfo) -> datetime:
    """``moment`` ("YYYY-MM-DD HH:MM") on ``timezone``'s clock."""
    return datetime.fromisoformat(moment).replace(tzinfo=timezone)


def day_at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=UTC)


def count(number: int, noun: str) -> str:
    """For the summary lines: "1 chapter", "6 chapters"."""
    return f"{number} {noun}{'' if number == 1 else 's'}"
