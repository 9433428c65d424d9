"""GraphQL types of ambassador programs, nominations, terms and the public directory."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import TypeAlias

import strawberry
from strawberry import relay

from chapters.ambassadors import queries
from chapters.ambassadors.queries import Standing
from chapters.ambassadors.service import shown_status
from chapters.api.ids import LoadedNode, global_id
from chapters.local_chapters.types import ChapterType, load_chapter
from chapters.models.ambassador import (
    AmbassadorNomination,
    AmbassadorProgram,
    AmbassadorTerm,
    NominatedAs,
    NominationStatus,
    TermStatus,
)
from chapters.people.types import PersonType, load_person

strawberry.enum(
    NominationStatus,
    name="AmbassadorNominationStatus",
    description="PENDING: waits for staff's review; ACCEPTED: made a term; DECLINED: with a "
    "reason.",
)
NominationStatusType: TypeAlias = NominationStatus
strawberry.enum(
    NominatedAs,
    name="AmbassadorNominatedAs",
    description="In which right the nominator acted: the person themself, a lead of their "
    "chapter, or staff.",
)
NominatedAsType: TypeAlias = NominatedAs
strawberry.enum(
    TermStatus,
    name="AmbassadorTermStatus",
    description="ACTIVE: serving (or about to); RENEWED: a later term continues it; ENDED: "
    "its last day passed unrenewed (the holder is an alumnus).",
)
TermStatusType: TypeAlias = TermStatus
strawberry.enum(
    Standing,
    name="AmbassadorStanding",
    description="ACTIVE: holds a term covering today; ALUMNI: their latest term ended.",
)
StandingType: TypeAlias = Standing


@strawberry.type(
    name="AmbassadorProgram",
    description="An ambassador program of the community (it may run several).",
)
class AmbassadorProgramType(LoadedNode, relay.Node):
    id: relay.NodeID[str]
    name: str
    criteria: str | None = strawberry.field(description="What the program asks of an ambassador.")
    term_months: int = strawberry.field(description="How long a term lasts by default.")
    active: bool = strawberry.field(description="Whether it takes nominations.")
    created_at: datetime

    @classmethod
    def from_model(cls, program: AmbassadorProgram) -> AmbassadorProgramType:
        return cls(
            id=str(program.id),
            name=program.name,
            criteria=program.criteria,
            term_months=program.term_months,
            active=program.active,
            created_at=program.created_at,
        )

    @classmethod
    async def load(
        cls, info: strawberry.Info, object_id: uuid.UUID | None
    ) -> AmbassadorProgramType | None:
        found = await queries.program(info.context, object_id)
        return None if found is None else cls.from_model(found)


async def load_program(
    info: strawberry.Info, program_id: uuid.UUID | None
) -> AmbassadorProgramType | None:
    return await AmbassadorProgramType.load(info, program_id)


@strawberry.type(
    name="AmbassadorTermActivity",
    description="What an ambassador did during a term, from the ledger: accepted activities "
    "starting within it, and mentoring projects of programs running then.",
)
class AmbassadorTermActivityType:
    activities_organised: int
    talks_given: int = strawberry.field(description="Activities they spoke at.")
    activities_hosted: int
    articles_authored: int
    projects_mentored: int


@strawberry.type(
    name="AmbassadorTerm",
    description="A period a person serves as an ambassador. Seen by staff, its holder and the "
    "leads of the chapter it is attached to.",
)
class AmbassadorTermType(LoadedNode, relay.Node):
    id: relay.NodeID[str]
    starts_on: date
    ends_on: date = strawberry.field(description="Its last day.")
    status: TermStatusType = strawberry.field(
        description="As of today: a term past its last day that nothing renewed is ENDED."
    )
    renewed_at: datetime | None
    ended_at: datetime | None = strawberry.field(
        description="When the daily job recorded its end (null until then)."
    )
    created_at: datetime
    row: strawberry.Private[AmbassadorTerm]

    @classmethod
    def from_model(cls, term: AmbassadorTerm) -> AmbassadorTermType:
        return cls(
            id=str(term.id),
            starts_on=term.starts_on,
            ends_on=term.ends_on,
            status=shown_status(term),
            renewed_at=term.renewed_at,
            ended_at=term.ended_at,
            created_at=term.created_at,
            row=term,
        )

    @classmethod
    async def load(
        cls, info: strawberry.Info, object_id: uuid.UUID | None
    ) -> AmbassadorTermType | None:
        found = await queries.term(info.context, object_id)
        return None if found is None else cls.from_model(found)

    @strawberry.field
    async def program(self, info: strawberry.Info) -> AmbassadorProgramType | None:
        return await load_program(info, self.row.program_id)

    @strawberry.field(description="The ambassador (null if the caller may not see them).")
    async def person(self, info: strawberry.Info) -> PersonType | None:
        return await load_person(info, self.row.person_id)

    @strawberry.field(description="The chapter the ambassador is attached to, if any.")
    async def chapter(self, info: strawberry.Info) -> ChapterType | None:
        return await load_chapter(info, self.row.chapter_id)

    @strawberry.field(description="The term this one renews.")
    async def previous_term(self, info: strawberry.Info) -> AmbassadorTermType | None:
        return await AmbassadorTermType.load(info, self.row.previous_term_id)

    @strawberry.field(description="What the ambassador did during the term.")
    async def activity(self, info: strawberry.Info) -> AmbassadorTermActivityType | None:
        found = await queries.activity(info.context, self.row)
        if found is None:
            return None
        return AmbassadorTermActivityType(
            activities_organised=found.organised,
            talks_given=found.spoke,
            activities_hosted=found.hosted,
            articles_authored=found.authored,
            projects_mentored=found.mentored,
        )


@strawberry.type(
    name="AmbassadorNomination",
    description="A person put forward for an ambassador program. Seen by staff, the nominee, "
    "whoever made it and the leads of the chapter it is for.",
)
class AmbassadorNominationType(LoadedNode, relay.Node):
    id: relay.NodeID[str]
    nominated_as: NominatedAsType
    statement: str
    evidence_urls: list[str]
    status: NominationStatusType
    reviewed_at: datetime | None
    decline_reason: str | None = strawberry.field(description="Why staff declined it.")
    created_at: datetime
    row: strawberry.Private[AmbassadorNomination]

    @classmethod
    def from_model(cls, nomination: AmbassadorNomination) -> AmbassadorNominationType:
        return cls(
            id=str(nomination.id),
            nominated_as=nomination.nominated_as,
            statement=nomination.statement,
            evidence_urls=list(nomination.evidence_urls or []),
            status=nomination.status,
            reviewed_at=nomination.reviewed_at,
            decline_reason=nomination.decline_reason,
            created_at=nomination.created_at,
            row=nomination,
        )

    @classmethod
    async def load(
        cls, info: strawberry.Info, object_id: uuid.UUID | None
    ) -> AmbassadorNominationType | None:
        found = await queries.nomination(info.context, object_id)
        return None if found is None else cls.from_model(found)

    @strawberry.field
    async def program(self, info: strawberry.Info) -> AmbassadorProgramType | None:
        return await load_program(info, self.row.program_id)

    @strawberry.field(description="The nominee.")
    async def person(self, info: strawberry.Info) -> PersonType | None:
        return await load_person(info, self.row.person_id)

    @strawberry.field
    async def nominated_by(self, info: strawberry.Info) -> PersonType | None:
        return await load_person(info, self.row.nominated_by_id)

    @strawberry.field(description="The chapter the ambassador would be attached to.")
    async def chapter(self, info: strawberry.Info) -> ChapterType | None:
        return await load_chapter(info, self.row.chapter_id)

    @strawberry.field(description="The term it made, once accepted.")
    async def term(self, info: strawberry.Info) -> AmbassadorTermType | None:
        return await AmbassadorTermType.load(info, self.row.term_id)


@strawberry.type(
    name="Ambassador",
    description="An entry of the public ambassador directory: a person's term in a program. "
    "Never an email.",
)
class AmbassadorType:
    id: strawberry.ID = strawberry.field(description="The id of the term (an AmbassadorTerm).")
    person_id: strawberry.ID
    standing: StandingType
    starts_on: date
    ends_on: date = strawberry.field(description="The last day of the term.")
    row: strawberry.Private[AmbassadorTerm]

    @classmethod
    def from_model(cls, term: AmbassadorTerm) -> AmbassadorType:
        ended = shown_status(term) == TermStatus.ENDED
        return cls(
            id=strawberry.ID(global_id("AmbassadorTerm", term.id)),
            person_id=strawberry.ID(global_id("Person", term.person_id)),
            standing=Standing.ALUMNI if ended else Standing.ACTIVE,
            starts_on=term.starts_on,
            ends_on=term.ends_on,
            row=term,
        )

    @strawberry.field(description="The ambassador's public name.")
    async def display_name(self, info: strawberry.Info) -> str:
        return await queries.holder_name(info.context, self.row)

    @strawberry.field
    async def program(self, info: strawberry.Info) -> AmbassadorProgramType | None:
        return await load_program(info, self.row.program_id)

    @strawberry.field(description="The chapter the ambassador is attached to, if any.")
    async def chapter(self, info: strawberry.Info) -> ChapterType | None:
        return await load_chapter(info, self.row.chapter_id)


@strawberry.type(name="AmbassadorProgramConnection")
class AmbassadorProgramConnection(relay.Connection[AmbassadorProgramType]):
    pass


@strawberry.type(name="AmbassadorNominationConnection")
class AmbassadorNominationConnection(relay.Connection[AmbassadorNominationType]):
    pass


@strawberry.type(name="AmbassadorTermConnection")
class AmbassadorTermConnection(relay.Connection[AmbassadorTermType]):
    pass


@strawberry.type(name="AmbassadorConnection")
class AmbassadorConnection(relay.Connection[AmbassadorType]):  # type: ignore[type-var]
    pass
