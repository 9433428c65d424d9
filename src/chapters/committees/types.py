from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry import relay

from chapters import authz
from chapters import models as m
from chapters.api.loaders import rows_by_id
from chapters.api.pagination import Ordering, PageArgs, paginate_per_parent
from chapters.committees import service
from chapters.committees.loaders import today_by_tenant
from chapters.models import CommitteeKind, CommitteeSeat, SeatRole
from chapters.people.types import PersonType, load_person, parse_uuid

CommitteeKindType = strawberry.enum(CommitteeKind, name="CommitteeKind")
SeatRoleType = strawberry.enum(SeatRole, name="SeatRole")

# Longest-serving first; the id breaks ties between seats that started the same day.
SEAT_ORDER = Ordering((CommitteeSeat.starts_on, CommitteeSeat.id))


@strawberry.type(name="Committee", description="A committee: the user committee, steering …")
class CommitteeType(relay.Node):
    id: relay.NodeID[str]
    name: str
    kind: CommitteeKindType
    description: str | None
    created_at: datetime
    uuid: strawberry.Private[uuid.UUID]

    @classmethod
    def from_model(cls, committee: m.Committee) -> CommitteeType:
        return cls(
            id=str(committee.id),
            uuid=committee.id,
            name=committee.name,
            kind=committee.kind,
            description=committee.description,
            created_at=committee.created_at,
        )

    @strawberry.field(
        description="Seats on the committee, longest-serving first: by default those held "
        "today (in the tenant's timezone); with `asOf` those held on that day (`current` is "
        "then ignored); with `current: false` every seat, ended and upcoming ones included."
    )
    async def seats(
        self,
        info: strawberry.Info,
        current: bool = True,
        as_of: Annotated[
            date | None,
            strawberry.argument(
                description="A day: the seats held on it (a term covers [startsOn, endsOn))."
            ),
        ] = None,
        first: int | None = None,
        after: str | None = None,
    ) -> CommitteeSeatConnection:
        held_on = as_of or (await tenant_today(info) if current else None)
        filters = service.SeatFilter(held_on=held_on)
        args = PageArgs(first=first, after=after)
        return await info.context.loaders.of(seats_page_by_committee, filters, args).load(self.uuid)

    @classmethod
    async def resolve_nodes(
        cls, *, info: strawberry.Info, node_ids: Iterable[str], required: bool = False
    ) -> list[CommitteeType | None]:
        return list(await asyncio.gather(*(load_committee(info, parse_uuid(i)) for i in node_ids)))


@strawberry.type(
    name="CommitteeSeat",
    description="A person's seat on a committee for a term [startsOn, endsOn). Ended seats stay.",
)
class CommitteeSeatType(relay.Node):
    id: relay.NodeID[str]
    role: SeatRoleType
    starts_on: date = strawberry.field(description="The first day the seat is held.")
    ends_on: date | None = strawberry.field(
        description="The first day the seat is no longer held; null while open-ended."
    )
    uuid: strawberry.Private[uuid.UUID]
    committee_id: strawberry.Private[uuid.UUID]
    person_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_model(cls, seat: m.CommitteeSeat) -> CommitteeSeatType:
        return cls(
            id=str(seat.id),
            uuid=seat.id,
            role=seat.role,
            starts_on=seat.starts_on,
            ends_on=seat.ends_on,
            committee_id=seat.committee_id,
            person_id=seat.person_id,
        )

    @strawberry.field(description="Whether the seat is held today (in the tenant's timezone).")
    async def is_current(self, info: strawberry.Info) -> bool:
        return service.is_held_on(self.starts_on, self.ends_on, await tenant_today(info))

    @strawberry.field
    async def person(self, info: strawberry.Info) -> PersonType | None:
        return await load_person(info, self.person_id)

    @strawberry.field
    async def committee(self, info: strawberry.Info) -> CommitteeType | None:
        return await load_committee(info, self.committee_id)

    @classmethod
    async def resolve_nodes(
        cls, *, info: strawberry.Info, node_ids: Iterable[str], required: bool = False
    ) -> list[CommitteeSeatType | None]:
        return list(await asyncio.gather(*(load_seat(info, parse_uuid(i)) for i in node_ids)))


@strawberry.type(name="CommitteeConnection")
class CommitteeConnection(relay.Connection[CommitteeType]):
    pass


@strawberry.type(name="CommitteeSeatConnection")
class CommitteeSeatConnection(relay.Connection[CommitteeSeatType]):
    pass


def _may_read(info: strawberry.Info) -> bool:
    return authz.can(info.context.principal, authz.Action.COMMITTEE_READ)


async def load_committee(
    info: strawberry.Info, committee_id: uuid.UUID | None
) -> CommitteeType | None:
    """Committees are visible to signed-in people of the tenant."""
    if committee_id is None or not _may_read(info):
        return None
    committee = await info.context.loaders.of(rows_by_id, m.Committee).load(committee_id)
    return CommitteeType.from_model(committee) if committee else None


async def load_seat(info: strawberry.Info, seat_id: uuid.UUID | None) -> CommitteeSeatType | None:
    """Seats are as visible as their committees."""
    if seat_id is None or not _may_read(info):
        return None
    seat = await info.context.loaders.of(rows_by_id, m.CommitteeSeat).load(seat_id)
    return CommitteeSeatType.from_model(seat) if seat else None


async def tenant_today(info: strawberry.Info) -> date:
    """Today in the tenant's timezone, loaded once per request."""
    return await info.context.loaders.of(today_by_tenant).load(info.context.tenant.id)


async def seats_page_by_committee(
    session: AsyncSession,
    filters: service.SeatFilter,
    args: PageArgs,
    committee_ids: Sequence[uuid.UUID],
) -> list[CommitteeSeatConnection]:
    return await paginate_per_parent(
        session,
        CommitteeSeat,
        service.seat_query(filters),
        CommitteeSeat.committee_id,
        committee_ids,
        SEAT_ORDER,
        args,
        CommitteeSeatType.from_model,
        CommitteeSeatConnection,
    )
