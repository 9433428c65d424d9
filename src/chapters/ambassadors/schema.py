"""This domain's root fields: programs and the public directory, nominations and their review,
terms, their renewal and a person's history."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry

from chapters.ambassadors import queries, service
from chapters.ambassadors.types import (
    AmbassadorConnection,
    AmbassadorNominationConnection,
    AmbassadorNominationType,
    AmbassadorProgramConnection,
    AmbassadorProgramType,
    AmbassadorTermConnection,
    AmbassadorTermType,
    AmbassadorType,
    NominationStatusType,
    StandingType,
)
from chapters.api.connections import connection
from chapters.api.errors import UserError
from chapters.api.ids import decode_id, decode_optional_id
from chapters.api.mutations import mutate
from chapters.changes import UNSET
from chapters.db.pagination import PageArgs

# Ids in inputs are global ids typed as plain ``ID``: ``decode_id`` turns a malformed one into a
# typed INVALID error on the field.


@strawberry.input
class AmbassadorProgramCreateInput:
    name: str
    term_months: int = strawberry.field(description="How long a term lasts: 1 to 120 months.")
    criteria: str | None = strawberry.field(
        default=None, description="What the program asks of an ambassador."
    )
    active: bool | None = strawberry.field(
        default=None, description="Whether it takes nominations (default true)."
    )


@strawberry.input(description="Fields to change; omitted fields stay, null clears criteria.")
class AmbassadorProgramUpdateInput:
    id: strawberry.ID
    name: str | None = strawberry.UNSET
    criteria: str | None = strawberry.UNSET
    term_months: int | None = strawberry.field(
        default=strawberry.UNSET, description="Applies to terms made from now on."
    )
    active: bool | None = strawberry.UNSET


def _program_fields(
    data: AmbassadorProgramCreateInput | AmbassadorProgramUpdateInput,
) -> service.ProgramFields:
    values = {
        name: getattr(data, name)
        for name in service.ProgramFields.__dataclass_fields__
        if getattr(data, name, strawberry.UNSET) is not strawberry.UNSET
    }
    return service.ProgramFields(**values)


@strawberry.input
class AmbassadorNominateInput:
    program_id: strawberry.ID
    person_id: strawberry.ID = strawberry.field(
        description="The nominee: oneself, a member of a chapter one leads, or (staff) anyone."
    )
    statement: str = strawberry.field(description="Why this person; the reviewers read it.")
    evidence_urls: list[str] | None = strawberry.field(
        default=None, description="Links to talks, articles, projects … (http or https)."
    )
    chapter_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The chapter to attach the ambassador to; a lead's nomination defaults "
        "to the chapter they lead.",
    )


@strawberry.input
class AmbassadorNominationAcceptInput:
    id: strawberry.ID
    starts_on: date
    ends_on: date | None = strawberry.field(
        default=None,
        description="The last day of the term; default: the program's term length.",
    )
    chapter_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET,
        description="The chapter to attach the ambassador to; omitted: the nomination's, "
        "null: none.",
    )


@strawberry.input
class AmbassadorNominationDeclineInput:
    id: strawberry.ID
    reason: str = strawberry.field(description="Shown to the nominee.")


@strawberry.input
class AmbassadorTermRenewInput:
    id: strawberry.ID
    ends_on: date | None = strawberry.field(
        default=None,
        description="The last day of the new term; default: the program's term length.",
    )


@strawberry.input
class AmbassadorNominationFilter:
    status: list[NominationStatusType] | None = None
    program_id: strawberry.ID | None = None
    person_id: strawberry.ID | None = None

    def to_service(self) -> queries.NominationFilter:
        return queries.NominationFilter(
            statuses=tuple(self.status or ()),
            program_id=decode_optional_id(self.program_id, "AmbassadorProgram", "program_id"),
            person_id=decode_optional_id(self.person_id, "Person", "person_id"),
        )


@strawberry.type
class AmbassadorProgramPayload:
    program: AmbassadorProgramType | None
    errors: list[UserError]


@strawberry.type
class AmbassadorNominationPayload:
    nomination: AmbassadorNominationType | None
    errors: list[UserError]


@strawberry.type
class AmbassadorNominationAcceptPayload:
    nomination: AmbassadorNominationType | None
    term: AmbassadorTermType | None
    errors: list[UserError]


@strawberry.type
class AmbassadorTermRenewPayload:
    previous_term: AmbassadorTermType | None = strawberry.field(
        description="The term renewed (now RENEWED)."
    )
    term: AmbassadorTermType | None = strawberry.field(description="The new, ACTIVE term.")
    errors: list[UserError]


def _program_payload(program: Any) -> AmbassadorProgramPayload:
    return AmbassadorProgramPayload(program=AmbassadorProgramType.from_model(program), errors=[])


def _program_failed(errors: list[UserError]) -> AmbassadorProgramPayload:
    return AmbassadorProgramPayload(program=None, errors=errors)


def _nomination_payload(nomination: Any) -> AmbassadorNominationPayload:
    return AmbassadorNominationPayload(
        nomination=AmbassadorNominationType.from_model(nomination), errors=[]
    )


def _nomination_failed(errors: list[UserError]) -> AmbassadorNominationPayload:
    return AmbassadorNominationPayload(nomination=None, errors=errors)


def _accepted(accepted: service.Accepted) -> AmbassadorNominationAcceptPayload:
    return AmbassadorNominationAcceptPayload(
        nomination=AmbassadorNominationType.from_model(accepted.nomination),
        term=AmbassadorTermType.from_model(accepted.term),
        errors=[],
    )


def _accept_failed(errors: list[UserError]) -> AmbassadorNominationAcceptPayload:
    return AmbassadorNominationAcceptPayload(nomination=None, term=None, errors=errors)


def _renewed(renewed: service.Renewed) -> AmbassadorTermRenewPayload:
    return AmbassadorTermRenewPayload(
        previous_term=AmbassadorTermType.from_model(renewed.previous),
        term=AmbassadorTermType.from_model(renewed.term),
        errors=[],
    )


def _renew_failed(errors: list[UserError]) -> AmbassadorTermRenewPayload:
    return AmbassadorTermRenewPayload(previous_term=None, term=None, errors=errors)


@strawberry.type
class AmbassadorQuery:
    @strawberry.field(description="The tenant's ambassador programs, by name (anyone).")
    async def ambassador_programs(
        self,
        info: strawberry.Info,
        include_inactive: bool = False,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> AmbassadorProgramConnection:
        args = PageArgs(first=first, after=after, last=last, before=before)
        page = await queries.programs(info.context, args, include_inactive=include_inactive)
        return connection(AmbassadorProgramConnection, page, AmbassadorProgramType.from_model)

    @strawberry.field(
        description="The ambassador directory (anyone): those serving now (ACTIVE) or alumni, "
        "of one program or all, longest serving first. Only people with a public profile, "
        "except for staff."
    )
    async def ambassadors(
        self,
        info: strawberry.Info,
        program_id: strawberry.ID | None = None,
        status: StandingType = StandingType.ACTIVE,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> AmbassadorConnection:
        args = PageArgs(first=first, after=after, last=last, before=before)
        program = decode_optional_id(program_id, "AmbassadorProgram", "program_id")
        page = await queries.directory(info.context, program, status, args)
        return connection(AmbassadorConnection, page, AmbassadorType.from_model)

    @strawberry.field(
        description="Nominations, newest first: all of them for staff (the review queue: "
        "filter by status), otherwise one's own, those one made and those of chapters one "
        "leads."
    )
    async def ambassador_nominations(
        self,
        info: strawberry.Info,
        filter: AmbassadorNominationFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> AmbassadorNominationConnection:
        args = PageArgs(first=first, after=after, last=last, before=before)
        wanted = filter.to_service() if filter else queries.NominationFilter()
        page = await queries.nominations(info.context, wanted, args)
        return connection(AmbassadorNominationConnection, page, AmbassadorNominationType.from_model)

    @strawberry.field(
        description="Active terms ending within withinDays days, soonest first, each with the "
        "ambassador's activity in it (staff): the renewal review."
    )
    async def ambassador_renewals_due(
        self,
        info: strawberry.Info,
        program_id: strawberry.ID | None = None,
        within_days: int = 30,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> AmbassadorTermConnection:
        args = PageArgs(first=first, after=after, last=last, before=before)
        program = decode_optional_id(program_id, "AmbassadorProgram", "program_id")
        page = await queries.renewals_due(info.context, program, within_days, args)
        return connection(AmbassadorTermConnection, page, AmbassadorTermType.from_model)

    @strawberry.field(
        description="A person's ambassador terms, newest first: the full history for staff "
        "and the person, the terms attached to their chapters for leads."
    )
    async def ambassador_terms(
        self,
        info: strawberry.Info,
        person_id: strawberry.ID,
        program_id: strawberry.ID | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> AmbassadorTermConnection:
        args = PageArgs(first=first, after=after, last=last, before=before)
        person = decode_id(person_id, "Person", "person_id")
        program = decode_optional_id(program_id, "AmbassadorProgram", "program_id")
        page = await queries.terms_of_person(info.context, person, program, args)
        return connection(AmbassadorTermConnection, page, AmbassadorTermType.from_model)


@strawberry.type
class AmbassadorMutation:
    @strawberry.mutation(description="Start an ambassador program (staff).")
    async def ambassador_program_create(
        self, info: strawberry.Info, input: AmbassadorProgramCreateInput
    ) -> AmbassadorProgramPayload:
        ctx = info.context

        async def work() -> Any:
            return await service.create_program(ctx.session, ctx.principal, _program_fields(input))

        return await mutate(info, work, present=_program_payload, failed=_program_failed)

    @strawberry.mutation(
        description="Change a program: its name, criteria, term length, whether it takes "
        "nominations (staff)."
    )
    async def ambassador_program_update(
        self, info: strawberry.Info, input: AmbassadorProgramUpdateInput
    ) -> AmbassadorProgramPayload:
        ctx = info.context

        async def work() -> Any:
            program_id = decode_id(input.id, "AmbassadorProgram", "id")
            return await service.update_program(
                ctx.session, ctx.principal, program_id, _program_fields(input)
            )

        return await mutate(info, work, present=_program_payload, failed=_program_failed)

    @strawberry.mutation(
        description="Nominate a person to a program: oneself, a member of a chapter one "
        "leads, or (staff) anyone. Staff review it."
    )
    async def ambassador_nominate(
        self, info: strawberry.Info, input: AmbassadorNominateInput
    ) -> AmbassadorNominationPayload:
        ctx = info.context

        async def work() -> Any:
            entry = service.Nomination(
                program_id=decode_id(input.program_id, "AmbassadorProgram", "program_id"),
                person_id=decode_id(input.person_id, "Person", "person_id"),
                statement=input.statement,
                evidence_urls=list(input.evidence_urls or ()),
                chapter_id=decode_optional_id(input.chapter_id, "Chapter", "chapter_id"),
            )
            return await service.nominate(ctx.session, ctx.principal, entry)

        return await mutate(info, work, present=_nomination_payload, failed=_nomination_failed)

    @strawberry.mutation(
        description="Accept a pending nomination (staff): the nominee's term starts on "
        "startsOn, ACTIVE."
    )
    async def ambassador_nomination_accept(
        self, info: strawberry.Info, input: AmbassadorNominationAcceptInput
    ) -> AmbassadorNominationAcceptPayload:
        ctx = info.context

        async def work() -> service.Accepted:
            chapter: Any = UNSET
            if input.chapter_id is not strawberry.UNSET:
                chapter = decode_optional_id(input.chapter_id, "Chapter", "chapter_id")
            return await service.accept(
                ctx.session,
                ctx.principal,
                decode_id(input.id, "AmbassadorNomination", "id"),
                starts_on=input.starts_on,
                ends_on=input.ends_on,
                chapter_id=chapter,
            )

        return await mutate(info, work, present=_accepted, failed=_accept_failed)

    @strawberry.mutation(
        description="Decline a pending nomination with a reason the nominee sees (staff)."
    )
    async def ambassador_nomination_decline(
        self, info: strawberry.Info, input: AmbassadorNominationDeclineInput
    ) -> AmbassadorNominationPayload:
        ctx = info.context

        async def work() -> Any:
            return await service.decline(
                ctx.session,
                ctx.principal,
                decode_id(input.id, "AmbassadorNomination", "id"),
                input.reason,
            )

        return await mutate(info, work, present=_nomination_payload, failed=_nomination_failed)

    @strawberry.mutation(
        description="Renew an active term (staff): a new term from the day after it ends; "
        "the renewed one becomes RENEWED."
    )
    async def ambassador_term_renew(
        self, info: strawberry.Info, input: AmbassadorTermRenewInput
    ) -> AmbassadorTermRenewPayload:
        ctx = info.context

        async def work() -> service.Renewed:
            return await service.renew(
                ctx.session,
                ctx.principal,
                decode_id(input.id, "AmbassadorTerm", "id"),
                ends_on=input.ends_on,
            )

        return await mutate(info, work, present=_renewed, failed=_renew_failed)
