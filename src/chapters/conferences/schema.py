"""This domain's root fields: conferences (signed-in people read; staff record them), talk
submissions (their speakers draft, submit and withdraw; staff decide), the calls for papers
closing soon and the acceptance rates (staff)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import Any

import strawberry

from chapters.api.connections import connection
from chapters.api.errors import UserError
from chapters.api.ids import decode_id
from chapters.api.mutations import given_fields, mutate
from chapters.conferences import queries, service
from chapters.conferences.types import (
    AcceptanceType,
    ConferenceConnection,
    ConferenceType,
    SubmissionStatusType,
    TalkSubmissionConnection,
    TalkSubmissionType,
)
from chapters.db.pagination import PageArgs
from chapters.models.conference import Conference, TalkSubmission


@strawberry.input
class TalkSubmissionFilter:
    conference_id: strawberry.ID | None = None
    person_id: strawberry.ID | None = strawberry.field(
        default=None, description="Submissions this person is a speaker on."
    )
    status: list[SubmissionStatusType] | None = None

    def to_service(self) -> queries.SubmissionFilter:
        return queries.SubmissionFilter(
            conference_id=decode_id(str(self.conference_id), "Conference", "conference_id")
            if self.conference_id
            else None,
            person_id=decode_id(str(self.person_id), "Person", "person_id")
            if self.person_id
            else None,
            statuses=tuple(self.status or ()),
        )


@strawberry.input
class ConferenceCreateInput:
    name: str
    starts_on: date
    ends_on: date
    city: str | None = None
    online: bool = False
    cfp_deadline: datetime | None = strawberry.field(
        default=None,
        description="When the call for papers closes; staff are told 14 and 3 days before.",
    )
    url: str | None = strawberry.field(default=None, description="http or https.")
    notes: str | None = strawberry.field(default=None, description="Staff only.")


@strawberry.input(description="Fields to change; omitted fields stay, null clears.")
class ConferenceUpdateInput:
    id: strawberry.ID
    name: str | None = strawberry.UNSET
    starts_on: date | None = strawberry.UNSET
    ends_on: date | None = strawberry.UNSET
    city: str | None = strawberry.UNSET
    online: bool | None = strawberry.UNSET
    cfp_deadline: datetime | None = strawberry.UNSET
    url: str | None = strawberry.UNSET
    notes: str | None = strawberry.UNSET


@strawberry.input
class TalkSubmissionCreateInput:
    conference_id: strawberry.ID
    title: str | None = None
    abstract: str | None = None
    track: str | None = None
    speaker_ids: list[strawberry.ID] | None = strawberry.field(
        default=None,
        description="People of the tenant, in order (default: the caller). A person lists "
        "themself; staff may list anyone.",
    )


@strawberry.input(description="Fields of a draft to change; omitted fields stay, null clears.")
class TalkSubmissionUpdateInput:
    id: strawberry.ID
    title: str | None = strawberry.UNSET
    abstract: str | None = strawberry.UNSET
    track: str | None = strawberry.UNSET
    speaker_ids: list[strawberry.ID] | None = strawberry.UNSET


@strawberry.input
class TalkSubmissionStepInput:
    id: strawberry.ID
    comment: str | None = None


@strawberry.type
class ConferencePayload:
    conference: ConferenceType | None
    errors: list[UserError]


@strawberry.type
class TalkSubmissionPayload:
    submission: TalkSubmissionType | None
    errors: list[UserError]


def _conference_fields(data: Any) -> service.ConferenceFields:
    return service.ConferenceFields(
        **given_fields(data, service.ConferenceFields.__dataclass_fields__)
    )


def _submission_fields(data: Any) -> service.SubmissionFields:
    values = given_fields(data, service.SubmissionFields.__dataclass_fields__)
    if values.get("speaker_ids") is not None:
        values["speaker_ids"] = [
            decode_id(str(value), "Person", f"speaker_ids.{index}")
            for index, value in enumerate(values["speaker_ids"])
        ]
    return service.SubmissionFields(**values)


def _conference_payload(conference: Conference) -> ConferencePayload:
    return ConferencePayload(conference=ConferenceType.from_model(conference), errors=[])


def _conference_failed(errors: list[UserError]) -> ConferencePayload:
    return ConferencePayload(conference=None, errors=errors)


def _submission_payload(submission: TalkSubmission) -> TalkSubmissionPayload:
    return TalkSubmissionPayload(submission=TalkSubmissionType.from_model(submission), errors=[])


def _submission_failed(errors: list[UserError]) -> TalkSubmissionPayload:
    return TalkSubmissionPayload(submission=None, errors=errors)


Step = Callable[..., Awaitable[TalkSubmission]]


async def _step(info: strawberry.Info, input: TalkSubmissionStepInput, step: Step) -> Any:
    ctx = info.context

    async def work() -> TalkSubmission:
        submission_id = decode_id(str(input.id), "TalkSubmission", "id")
        return await step(ctx.session, ctx.principal, submission_id, input.comment)

    return await mutate(info, work, present=_submission_payload, failed=_submission_failed)


@strawberry.type
class ConferenceQuery:
    @strawberry.field(description="Conferences, the latest first (signed-in people).")
    async def conferences(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> ConferenceConnection:
        args = PageArgs(first=first, after=after, last=last, before=before)
        page = await queries.conferences(info.context, args)
        return connection(ConferenceConnection, page, ConferenceType.from_model)

    @strawberry.field(
        description="Talk submissions, oldest first (staff: every one; a person: those they "
        "are a speaker on)."
    )
    async def talk_submissions(
        self,
        info: strawberry.Info,
        filter: TalkSubmissionFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> TalkSubmissionConnection:
        filters = (filter or TalkSubmissionFilter()).to_service()
        args = PageArgs(first=first, after=after, last=last, before=before)
        page = await queries.submissions(info.context, filters, args)
        return connection(TalkSubmissionConnection, page, TalkSubmissionType.from_model)

    @strawberry.field(
        description="Conferences whose call for papers closes from now to `withinDays` days "
        "ahead, the soonest first (ops and admins)."
    )
    async def upcoming_cfp_deadlines(
        self,
        info: strawberry.Info,
        within_days: int = 14,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> ConferenceConnection:
        args = PageArgs(first=first, after=after, last=last, before=before)
        page = await queries.upcoming_cfp_deadlines(info.context, within_days, args)
        return connection(ConferenceConnection, page, ConferenceType.from_model)

    @strawberry.field(
        description="Per year of the conferences' start: accepted over decided talk "
        "submissions (ops and admins)."
    )
    async def talk_acceptance_by_year(self, info: strawberry.Info) -> list[AcceptanceType]:
        return [
            AcceptanceType.from_model(a) for a in await queries.acceptance_by_year(info.context)
        ]


@strawberry.type
class ConferenceMutation:
    @strawberry.mutation(description="Record a conference (ops and admins).")
    async def conference_create(
        self, info: strawberry.Info, input: ConferenceCreateInput
    ) -> ConferencePayload:
        ctx = info.context

        async def work() -> Conference:
            fields = _conference_fields(input)
            return await service.create_conference(ctx.session, ctx.principal, fields)

        return await mutate(info, work, present=_conference_payload, failed=_conference_failed)

    @strawberry.mutation(description="Change a conference (ops and admins).")
    async def conference_update(
        self, info: strawberry.Info, input: ConferenceUpdateInput
    ) -> ConferencePayload:
        ctx = info.context

        async def work() -> Conference:
            conference_id = decode_id(str(input.id), "Conference", "id")
            fields = _conference_fields(input)
            return await service.update_conference(
                ctx.session, ctx.principal, conference_id, fields
            )

        return await mutate(info, work, present=_conference_payload, failed=_conference_failed)

    @strawberry.mutation(
        description="Draft a talk for a conference: a person listing themself among its "
        "speakers, or staff for anyone."
    )
    async def talk_submission_create(
        self, info: strawberry.Info, input: TalkSubmissionCreateInput
    ) -> TalkSubmissionPayload:
        ctx = info.context

        async def work() -> TalkSubmission:
            conference_id = decode_id(str(input.conference_id), "Conference", "conference_id")
            fields = _submission_fields(input)
            return await service.create_submission(
                ctx.session, ctx.principal, conference_id, fields
            )

        return await mutate(info, work, present=_submission_payload, failed=_submission_failed)

    @strawberry.mutation(description="Edit a draft (its speakers, or ops and admins).")
    async def talk_submission_update(
        self, info: strawberry.Info, input: TalkSubmissionUpdateInput
    ) -> TalkSubmissionPayload:
        ctx = info.context

        async def work() -> TalkSubmission:
            submission_id = decode_id(str(input.id), "TalkSubmission", "id")
            fields = _submission_fields(input)
            return await service.update_submission(
                ctx.session, ctx.principal, submission_id, fields
            )

        return await mutate(info, work, present=_submission_payload, failed=_submission_failed)

    @strawberry.mutation(
        description="Send a draft to the call for papers; its title and abstract are needed "
        "(its speakers, or ops and admins)."
    )
    async def talk_submission_submit(
        self, info: strawberry.Info, input: TalkSubmissionStepInput
    ) -> TalkSubmissionPayload:
        result: TalkSubmissionPayload = await _step(info, input, service.submit)
        return result

    @strawberry.mutation(
        description="Withdraw a draft or a submitted talk (its speakers, or ops and admins)."
    )
    async def talk_submission_withdraw(
        self, info: strawberry.Info, input: TalkSubmissionStepInput
    ) -> TalkSubmissionPayload:
        result: TalkSubmissionPayload = await _step(info, input, service.withdraw)
        return result

    @strawberry.mutation(
        description="Accept a submitted talk: it enters the ledger as an accepted TALK "
        "activity of the first speaker's chapter (ops and admins)."
    )
    async def talk_submission_accept(
        self, info: strawberry.Info, input: TalkSubmissionStepInput
    ) -> TalkSubmissionPayload:
        result: TalkSubmissionPayload = await _step(info, input, service.accept)
        return result

    @strawberry.mutation(description="Reject a submitted talk (ops and admins).")
    async def talk_submission_reject(
        self, info: strawberry.Info, input: TalkSubmissionStepInput
    ) -> TalkSubmissionPayload:
        result: TalkSubmissionPayload = await _step(info, input, service.reject)
        return result
