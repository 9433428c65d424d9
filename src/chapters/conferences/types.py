"""Conferences and talk submissions as the API shows them. What a caller may see is decided
by ``conferences.queries``: staff-only fields are null for everyone else."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, TypeAlias
from uuid import UUID

import strawberry
from strawberry import relay

from chapters.api.connections import connection
from chapters.api.ids import LoadedNode
from chapters.conferences import queries
from chapters.db.pagination import PageArgs
from chapters.models.conference import (
    Conference,
    SubmissionStatus,
    TalkSubmission,
    TalkSubmissionTransition,
)
from chapters.people.types import PersonType, load_person

if TYPE_CHECKING:
    from chapters.activities.types import ActivityType

strawberry.enum(
    SubmissionStatus,
    name="TalkSubmissionStatus",
    description="DRAFTING: being written; SUBMITTED: sent to the call for papers; ACCEPTED "
    "(a TALK activity in the ledger), REJECTED, WITHDRAWN: final.",
)
SubmissionStatusType: TypeAlias = SubmissionStatus


@strawberry.type(
    name="TalkAcceptance",
    description="Accepted over decided (accepted or rejected) talk submissions.",
)
class AcceptanceType:
    year: int | None = strawberry.field(description="The conferences' year; null for one.")
    accepted: int
    decided: int
    rate: float | None = strawberry.field(description="accepted / decided; null if none.")

    @classmethod
    def from_model(cls, acceptance: queries.Acceptance) -> AcceptanceType:
        return cls(
            year=acceptance.year,
            accepted=acceptance.accepted,
            decided=acceptance.decided,
            rate=acceptance.rate,
        )


@strawberry.type(
    name="Conference",
    description="A conference run by others, with its call for papers, where the tenant's "
    "people may speak.",
)
class ConferenceType(LoadedNode, relay.Node):
    id: relay.NodeID[str]
    name: str
    starts_on: date
    ends_on: date
    city: str | None
    online: bool
    cfp_deadline: datetime | None = strawberry.field(description="The call for papers closes.")
    url: str | None
    created_at: datetime
    updated_at: datetime
    uuid: strawberry.Private[UUID]
    private_notes: strawberry.Private[str | None]

    @classmethod
    def from_model(cls, conference: Conference) -> ConferenceType:
        return cls(
            id=str(conference.id),
            uuid=conference.id,
            name=conference.name,
            starts_on=conference.starts_on,
            ends_on=conference.ends_on,
            city=conference.city,
            online=conference.online,
            cfp_deadline=conference.cfp_deadline,
            url=conference.url,
            created_at=conference.created_at,
            updated_at=conference.updated_at,
            private_notes=conference.notes,
        )

    @strawberry.field(description="Staff only; null for everyone else.")
    def notes(self, info: strawberry.Info) -> str | None:
        return self.private_notes if queries.reads_every_submission(info.context) else None

    @strawberry.field(
        description="Its talk submissions, oldest first (staff: every one; a person: those "
        "they speak on)."
    )
    async def submissions(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> TalkSubmissionConnection:
        args = PageArgs(first=first, after=after, last=last, before=before)
        filters = queries.SubmissionFilter(conference_id=self.uuid)
        page = await queries.submissions(info.context, filters, args)
        return connection(TalkSubmissionConnection, page, TalkSubmissionType.from_model)

    @strawberry.field(description="Its acceptance rate (staff; null for everyone else).")
    async def acceptance(self, info: strawberry.Info) -> AcceptanceType | None:
        acceptance = await queries.conference_acceptance(info.context, self.uuid)
        return AcceptanceType.from_model(acceptance) if acceptance else None

    @classmethod
    async def load(cls, info: strawberry.Info, object_id: UUID | None) -> ConferenceType | None:
        row = await queries.conference(info.context, object_id)
        return cls.from_model(row) if row else None


async def load_conference(
    info: strawberry.Info, conference_id: UUID | None
) -> ConferenceType | None:
    return await ConferenceType.load(info, conference_id)


@strawberry.type(
    name="TalkSubmissionStep",
    description="One step of a submission: who moved it from which status to which, when.",
)
class TalkSubmissionStepType:
    from_status: SubmissionStatusType | None = strawberry.field(description="Null at creation.")
    to_status: SubmissionStatusType
    occurred_at: datetime
    comment: str | None
    actor_id: strawberry.Private[UUID | None]

    @classmethod
    def from_model(cls, step: TalkSubmissionTransition) -> TalkSubmissionStepType:
        return cls(
            from_status=step.from_status,
            to_status=step.to_status,
            occurred_at=step.occurred_at,
            comment=step.comment,
            actor_id=step.actor_id,
        )

    @strawberry.field(description="Who took the step.")
    async def actor(self, info: strawberry.Info) -> PersonType | None:
        return await load_person(info, self.actor_id)


@strawberry.type(
    name="TalkSubmission",
    description="A talk proposed to a conference's call for papers by people of the tenant.",
)
class TalkSubmissionType(LoadedNode, relay.Node):
    id: relay.NodeID[str]
    title: str | None = strawberry.field(description="Needed to submit.")
    abstract: str | None = strawberry.field(description="Needed to submit.")
    track: str | None
    status: SubmissionStatusType
    submitted_at: datetime | None
    decided_at: datetime | None
    created_at: datetime
    updated_at: datetime
    uuid: strawberry.Private[UUID]
    conference_id: strawberry.Private[UUID]
    activity_id: strawberry.Private[UUID | None]

    @classmethod
    def from_model(cls, submission: TalkSubmission) -> TalkSubmissionType:
        return cls(
            id=str(submission.id),
            uuid=submission.id,
            title=submission.title,
            abstract=submission.abstract,
            track=submission.track,
            status=submission.status,
            submitted_at=submission.submitted_at,
            decided_at=submission.decided_at,
            created_at=submission.created_at,
            updated_at=submission.updated_at,
            conference_id=submission.conference_id,
            activity_id=submission.activity_id,
        )

    @strawberry.field
    async def conference(self, info: strawberry.Info) -> ConferenceType | None:
        return await load_conference(info, self.conference_id)

    @strawberry.field(description="The speakers, in order.")
    async def speakers(self, info: strawberry.Info) -> list[PersonType]:
        # gathered: the loaders batch every speaker of every submission on the page
        ids = await queries.speaker_ids(info.context, self.uuid)
        loaded = await asyncio.gather(*(load_person(info, p) for p in ids))
        return [person for person in loaded if person is not None]

    @strawberry.field(description="Its steps, oldest first: created, submitted, decided …")
    async def history(self, info: strawberry.Info) -> list[TalkSubmissionStepType]:
        steps = await queries.transitions(info.context, self.uuid)
        return [TalkSubmissionStepType.from_model(step) for step in steps]

    @strawberry.field(description="The TALK activity of the ledger, once accepted.")
    async def activity(
        self, info: strawberry.Info
    ) -> Annotated[ActivityType, strawberry.lazy("chapters.activities.types")] | None:
        from chapters.activities.types import load_activity

        return await load_activity(info, self.activity_id)

    @classmethod
    async def load(cls, info: strawberry.Info, object_id: UUID | None) -> TalkSubmissionType | None:
        row = await queries.submission(info.context, object_id)
        return cls.from_model(row) if row else None


@strawberry.type(name="ConferenceConnection")
class ConferenceConnection(relay.Connection[ConferenceType]):
    pass


@strawberry.type(name="TalkSubmissionConnection")
class TalkSubmissionConnection(relay.Connection[TalkSubmissionType]):
    pass
