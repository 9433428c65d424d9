from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, TypeAlias
from uuid import UUID

import strawberry
from strawberry import relay

from chapters import models as m
from chapters.api.connections import connection
from chapters.api.ids import LoadedNode
from chapters.committees import queries
from chapters.db.pagination import PageArgs
from chapters.models import CommitteeKind, SeatRole
from chapters.people.types import PersonType, load_person

strawberry.enum(CommitteeKind, name="CommitteeKind")
strawberry.enum(SeatRole, name="SeatRole")
CommitteeKindType: TypeAlias = CommitteeKind
SeatRoleType: TypeAlias = SeatRole


@strawberry.type(name="Committee", description="A committee: the user committee, steering …")
class CommitteeType(LoadedNode, relay.Node):
    id: relay.NodeID[str]
    name: str
    kind: CommitteeKindType
    description: str | None
    created_at: datetime
    uuid: strawberry.Private[UUID]

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
        args = PageArgs(first=first, after=after)
        page = await queries.seats(info.context, self.uuid, current=current, as_of=as_of, args=args)
        return connection(CommitteeSeatConnection, page, CommitteeSeatType.from_model)

    @classmethod
    async def load(cls, info: strawberry.Info, object_id: UUID | None) -> CommitteeType | None:
        return await load_committee(info, object_id)


@strawberry.type(
    name="CommitteeSeat",
    description="A person's seat on a committee for a term [startsOn, endsOn). Ended seats stay.",
)
class CommitteeSeatType(LoadedNode, relay.Node):
    id: relay.NodeID[str]
    role: SeatRoleType
    starts_on: date = strawberry.field(description="The first day the seat is held.")
    ends_on: date | None = strawberry.field(
        description="The first day the seat is no longer held; null while open-ended."
    )
    uuid: strawberry.Private[UUID]
    committee_id: strawberry.Private[UUID]
    person_id: strawberry.Private[UUID]

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
        return await queries.is_held_today(info.context, self.starts_on, self.ends_on)

    @strawberry.field
    async def person(self, info: strawberry.Info) -> PersonType | None:
        return await load_person(info, self.person_id)

    @strawberry.field
    async def committee(self, info: strawberry.Info) -> CommitteeType | None:
        return await load_committee(info, self.committee_id)

    @classmethod
    async def load(cls, info: strawberry.Info, object_id: UUID | None) -> CommitteeSeatType | None:
        return await load_seat(info, object_id)


@strawberry.type(name="CommitteeConnection")
class CommitteeConnection(relay.Connection[CommitteeType]):
    pass


@strawberry.type(name="CommitteeSeatConnection")
class CommitteeSeatConnection(relay.Connection[CommitteeSeatType]):
    pass


async def load_committee(info: strawberry.Info, committee_id: UUID | None) -> CommitteeType | None:
    committee = await queries.committee(info.context, committee_id)
    return CommitteeType.from_model(committee) if committee else None


async def load_seat(info: strawberry.Info, seat_id: UUID | None) -> CommitteeSeatType | None:
    seat = await queries.seat(info.context, seat_id)
    return CommitteeSeatType.from_model(seat) if seat else None
