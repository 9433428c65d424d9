from __future__ import annotations

import uuid
from datetime import date

import strawberry

from chapters.api.connections import connection
from chapters.api.errors import UserError
from chapters.api.ids import decode_id, global_id
from chapters.api.mutations import mutate
from chapters.committees import queries, service
from chapters.committees.types import (
    CommitteeConnection,
    CommitteeKindType,
    CommitteeSeatType,
    CommitteeType,
    SeatRoleType,
)
from chapters.db.pagination import PageArgs
from chapters.models import Committee, CommitteeSeat, SeatRole

# Ids in inputs are global ids typed as plain ``ID`` (the same in the SDL as ``relay.GlobalID``):
# strawberry would reject a malformed ``GlobalID`` before the resolver runs, as a top-level error;
# ``decode_id`` makes it a typed INVALID error on the field instead.


@strawberry.input
class CommitteeFilter:
    kind: list[CommitteeKindType] | None = None
    text: str | None = strawberry.field(default=None, description="Matches name or description.")

    def to_service(self) -> queries.CommitteeFilter:
        return queries.CommitteeFilter(kinds=tuple(self.kind or ()), text=self.text)


@strawberry.input
class CommitteeCreateInput:
    name: str
    kind: CommitteeKindType
    description: str | None = None


@strawberry.input(description="Fields to change; omitted fields stay, null clears.")
class CommitteeUpdateInput:
    id: strawberry.ID
    name: str | None = strawberry.UNSET
    kind: CommitteeKindType | None = strawberry.UNSET
    description: str | None = strawberry.UNSET


def _fields(data: CommitteeCreateInput | CommitteeUpdateInput) -> service.CommitteeFields:
    values = {
        name: getattr(data, name)
        for name in service.CommitteeFields.__dataclass_fields__
        if getattr(data, name, strawberry.UNSET) is not strawberry.UNSET
    }
    return service.CommitteeFields(**values)


@strawberry.input
class CommitteeSeatAddInput:
    committee_id: strawberry.ID
    person_id: strawberry.ID
    role: SeatRoleType = SeatRoleType.MEMBER
    starts_on: date | None = strawberry.field(
        default=None, description="The first day of the term; default: today."
    )
    ends_on: date | None = strawberry.field(
        default=None, description="The first day after the term, if known; default: open-ended."
    )


@strawberry.input
class CommitteeSeatEndInput:
    seat_id: strawberry.ID
    ends_on: date | None = strawberry.field(
        default=None,
        description="The first day the seat is no longer held; default: today (or the seat's "
        "first day, for a seat that has not started). A seat ending on its first day was never "
        "held: it is withdrawn (removed; the audit log keeps it).",
    )


@strawberry.input
class CommitteeSeatChangeRoleInput:
    seat_id: strawberry.ID
    role: SeatRoleType
    starts_on: date | None = strawberry.field(
        default=None,
        description="The first day of the new role, within the seat's term; default: today (or "
        "the seat's first day, for a seat that has not started).",
    )


@strawberry.type
class CommitteePayload:
    committee: CommitteeType | None
    errors: list[UserError]


@strawberry.type
class CommitteeSeatPayload:
    seat: CommitteeSeatType | None
    errors: list[UserError]


@strawberry.type
class CommitteeSeatEndPayload:
    seat: CommitteeSeatType | None = strawberry.field(
        description="The ended seat; null when it was withdrawn."
    )
    withdrawn_seat_id: strawberry.ID | None = strawberry.field(
        description="The id of the seat removed because it would never have been held."
    )
    errors: list[UserError]


@strawberry.type
class CommitteeSeatChangeRolePayload:
    ended_seat: CommitteeSeatType | None = strawberry.field(
        description="The previous seat, ended the day the new role starts; null when the new "
        "role starts on that seat's first day (the seat is then withdrawn)."
    )
    withdrawn_seat_id: strawberry.ID | None = strawberry.field(
        description="The id of the previous seat when it was withdrawn."
    )
    seat: CommitteeSeatType | None = strawberry.field(description="The seat with the new role.")
    errors: list[UserError]


def _seat_or_none(seat: CommitteeSeat | None) -> CommitteeSeatType | None:
    return CommitteeSeatType.from_model(seat) if seat else None


def _seat_id_or_none(seat_id: uuid.UUID | None) -> strawberry.ID | None:
    return strawberry.ID(global_id("CommitteeSeat", seat_id)) if seat_id else None


def _seat_end_payload(ended: service.SeatEnd) -> CommitteeSeatEndPayload:
    return CommitteeSeatEndPayload(
        seat=_seat_or_none(ended.seat),
        withdrawn_seat_id=_seat_id_or_none(ended.withdrawn_id),
        errors=[],
    )


def _seat_end_failed(errors: list[UserError]) -> CommitteeSeatEndPayload:
    return CommitteeSeatEndPayload(seat=None, withdrawn_seat_id=None, errors=errors)


def _role_change_payload(change: service.RoleChange) -> CommitteeSeatChangeRolePayload:
    return CommitteeSeatChangeRolePayload(
        ended_seat=_seat_or_none(change.ended),
        withdrawn_seat_id=_seat_id_or_none(change.withdrawn_id),
        seat=_seat_or_none(change.seat),
        errors=[],
    )


def _role_change_failed(errors: list[UserError]) -> CommitteeSeatChangeRolePayload:
    return CommitteeSeatChangeRolePayload(
        ended_seat=None, withdrawn_seat_id=None, seat=None, errors=errors
    )


def _committee_payload(committee: Committee) -> CommitteePayload:
    return CommitteePayload(committee=CommitteeType.from_model(committee), errors=[])


def _committee_failed(errors: list[UserError]) -> CommitteePayload:
    return CommitteePayload(committee=None, errors=errors)


def _seat_payload(seat: CommitteeSeat) -> CommitteeSeatPayload:
    return CommitteeSeatPayload(seat=CommitteeSeatType.from_model(seat), errors=[])


def _seat_failed(errors: list[UserError]) -> CommitteeSeatPayload:
    return CommitteeSeatPayload(seat=None, errors=errors)


@strawberry.type
class CommitteeQuery:
    @strawberry.field(description="Committees by name. Signed-in people only.")
    async def committees(
        self,
        info: strawberry.Info,
        filter: CommitteeFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> CommitteeConnection:
        filters = (filter or CommitteeFilter()).to_service()
        args = PageArgs(first=first, after=after, last=last, before=before)
        page = await queries.committees(info.context, filters, args)
        return connection(CommitteeConnection, page, CommitteeType.from_model)


@strawberry.type
class CommitteeMutation:
    @strawberry.mutation(description="Create a committee (central ops and admins).")
    async def committee_create(
        self, info: strawberry.Info, input: CommitteeCreateInput
    ) -> CommitteePayload:
        ctx = info.context

        async def work() -> Committee:
            return await service.create_committee(ctx.session, ctx.principal, _fields(input))

        return await mutate(info, work, present=_committee_payload, failed=_committee_failed)

    @strawberry.mutation(description="Rename or describe a committee (central ops and admins).")
    async def committee_update(
        self, info: strawberry.Info, input: CommitteeUpdateInput
    ) -> CommitteePayload:
        ctx = info.context

        async def work() -> Committee:
            committee_id = decode_id(input.id, "Committee", "id")
            return await service.update_committee(
                ctx.session, ctx.principal, committee_id, _fields(input)
            )

        return await mutate(info, work, present=_committee_payload, failed=_committee_failed)

    @strawberry.mutation(
        description="Seat a person on a committee for a term (ops, admins). At most one chair, "
        "one vice chair and one secretary at any moment (a CONFLICT on role); members unlimited."
    )
    async def committee_seat_add(
        self, info: strawberry.Info, input: CommitteeSeatAddInput
    ) -> CommitteeSeatPayload:
        ctx = info.context

        async def work() -> CommitteeSeat:
            committee_id = decode_id(input.committee_id, "Committee", "committeeId")
            person_id = decode_id(input.person_id, "Person", "personId")
            return await service.add_seat(
                ctx,
                committee_id,
                person_id,
                role=SeatRole(input.role),
                starts_on=input.starts_on,
                ends_on=input.ends_on,
            )

        return await mutate(info, work, present=_seat_payload, failed=_seat_failed)

    @strawberry.mutation(
        description="End a seat's term; the seat stays, as a past term. A seat that has not "
        "started is withdrawn: removed, the audit log keeping it (ops, admins)."
    )
    async def committee_seat_end(
        self, info: strawberry.Info, input: CommitteeSeatEndInput
    ) -> CommitteeSeatEndPayload:
        ctx = info.context

        async def work() -> service.SeatEnd:
            seat_id = decode_id(input.seat_id, "CommitteeSeat", "seatId")
            return await service.end_seat(ctx, seat_id, ends_on=input.ends_on)

        return await mutate(info, work, present=_seat_end_payload, failed=_seat_end_failed)

    @strawberry.mutation(
        description="Give a seat's holder another role: the seat ends the day the new role "
        "starts and a seat with the new role opens, up to the same end (ops, admins). At most "
        "one chair, vice chair and secretary at any moment."
    )
    async def committee_seat_change_role(
        self, info: strawberry.Info, input: CommitteeSeatChangeRoleInput
    ) -> CommitteeSeatChangeRolePayload:
        ctx = info.context

        async def work() -> service.RoleChange:
            seat_id = decode_id(input.seat_id, "CommitteeSeat", "seatId")
            return await service.change_seat_role(
                ctx, seat_id, SeatRole(input.role), starts_on=input.starts_on
            )

        return await mutate(info, work, present=_role_change_payload, failed=_role_change_failed)
