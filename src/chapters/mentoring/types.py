from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Self, TypeAlias
from uuid import UUID

import strawberry
from strawberry import relay

from chapters import models as m
from chapters.api.connections import connection
from chapters.api.ids import LoadedNode, decode_id
from chapters.db.pagination import PageArgs
from chapters.local_chapters.types import ChapterType, load_chapter
from chapters.mentoring import queries, service
from chapters.models import ProjectRole, ProjectStatus
from chapters.people.types import PersonType, load_person

strawberry.enum(
    ProjectStatus,
    name="MentoringProjectStatus",
    description="PROPOSED → ACCEPTED → IN_PROGRESS → COMPLETED; any step before the end may "
    "become FAILED instead. COMPLETED and FAILED are final.",
)
MentoringProjectStatusType: TypeAlias = ProjectStatus
strawberry.enum(
    service.Phase,
    name="MentoringProgramPhase",
    description="Where a program stands today (UTC): the latest milestone reached. "
    "UPCOMING before applications open; APPLICATIONS_OPEN from the opening day through the "
    "closing day; BETWEEN after applications close and before coding starts; CODING from the "
    "first through the last coding day; FINISHED after it. A missing date is a milestone not "
    "reached, except that a program without a coding end date is FINISHED once its year is over.",
)
MentoringProgramPhaseType: TypeAlias = service.Phase


def today_utc() -> date:
    return datetime.now(UTC).date()


@strawberry.input
class MentoringProjectFilter:
    status: list[MentoringProjectStatusType] | None = None
    chapter_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only the projects of this chapter."
    )

    def to_service(self) -> queries.ProjectFilter:
        chapter_id = (
            decode_id(str(self.chapter_id), "Chapter", "chapterId") if self.chapter_id else None
        )
        return queries.ProjectFilter(statuses=tuple(self.status or ()), chapter_id=chapter_id)


@strawberry.type(
    name="MentoringProgram",
    description="A mentoring program, such as a yearly student open-source program. Dates are "
    "inclusive days.",
)
class MentoringProgramType(LoadedNode, relay.Node):
    id: relay.NodeID[str]
    name: str
    year: int
    description: str | None
    applications_open_on: date | None
    applications_close_on: date | None = strawberry.field(
        description="The last day applications are accepted."
    )
    coding_starts_on: date | None
    coding_ends_on: date | None = strawberry.field(description="The last day of coding.")
    created_at: datetime
    updated_at: datetime
    uuid: strawberry.Private[UUID]

    @classmethod
    def from_model(cls, program: m.MentoringProgram) -> Self:
        return cls(
            id=str(program.id),
            uuid=program.id,
            name=program.name,
            year=program.year,
            description=program.description,
            applications_open_on=program.applications_open_on,
            applications_close_on=program.applications_close_on,
            coding_starts_on=program.coding_starts_on,
            coding_ends_on=program.coding_ends_on,
            created_at=program.created_at,
            updated_at=program.updated_at,
        )

    @classmethod
    async def load(cls, info: strawberry.Info, object_id: UUID | None) -> Self | None:
        program = await queries.program(info.context, object_id)
        return cls.from_model(program) if program else None

    @strawberry.field(description="Where the program stands today (UTC).")
    def phase(self) -> MentoringProgramPhaseType:
        return service.phase_on(self, today_utc())

    @strawberry.field(description="The program's projects, by title.")
    async def projects(
        self,
        info: strawberry.Info,
        filter: MentoringProjectFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> MentoringProjectConnection:
        filters = (filter or MentoringProjectFilter()).to_service()
        page = await queries.program_projects(
            info.context, self.uuid, filters, PageArgs(first=first, after=after)
        )
        return connection(MentoringProjectConnection, page, MentoringProjectType.from_model)


@strawberry.type(name="MentoringProject", description="A project of a mentoring program.")
class MentoringProjectType(LoadedNode, relay.Node):
    id: relay.NodeID[str]
    title: str
    repository_url: str | None
    status: MentoringProjectStatusType
    outcome: str | None = strawberry.field(
        description="What came of the project; set when it completes or fails."
    )
    created_at: datetime
    updated_at: datetime
    uuid: strawberry.Private[UUID]
    program_id: strawberry.Private[UUID]
    chapter_id: strawberry.Private[UUID | None]

    @classmethod
    def from_model(cls, project: m.MentoringProject) -> Self:
        return cls(
            id=str(project.id),
            uuid=project.id,
            title=project.title,
            repository_url=project.repository_url,
            status=project.status,
            outcome=project.outcome,
            created_at=project.created_at,
            updated_at=project.updated_at,
            program_id=project.program_id,
            chapter_id=project.chapter_id,
        )

    @classmethod
    async def load(cls, info: strawberry.Info, object_id: UUID | None) -> Self | None:
        project = await queries.project(info.context, object_id)
        return cls.from_model(project) if project else None

    @strawberry.field
    async def program(self, info: strawberry.Info) -> MentoringProgramType | None:
        return await load_program(info, self.program_id)

    @strawberry.field(description="The chapter running the project; null: run by central staff.")
    async def chapter(self, info: strawberry.Info) -> ChapterType | None:
        return await load_chapter(info, self.chapter_id)

    @strawberry.field(description="The mentors, by name.")
    async def mentors(self, info: strawberry.Info) -> list[PersonType]:
        return await _people(info, self.uuid, ProjectRole.MENTOR)

    @strawberry.field(description="The mentees (students), by name.")
    async def mentees(self, info: strawberry.Info) -> list[PersonType]:
        return await _people(info, self.uuid, ProjectRole.MENTEE)


@strawberry.type(name="MentoringProgramConnection")
class MentoringProgramConnection(relay.Connection[MentoringProgramType]):
    pass


@strawberry.type(name="MentoringProjectConnection")
class MentoringProjectConnection(relay.Connection[MentoringProjectType]):
    pass


async def load_program(
    info: strawberry.Info, program_id: UUID | None
) -> MentoringProgramType | None:
    """Programs are visible to signed-in people of the tenant."""
    return await MentoringProgramType.load(info, program_id)


async def load_project(
    info: strawberry.Info, project_id: UUID | None
) -> MentoringProjectType | None:
    """Projects are as visible as their programs (e.g. ``Activity.mentoringProject``)."""
    return await MentoringProjectType.load(info, project_id)


async def _people(info: strawberry.Info, project_id: UUID, role: ProjectRole) -> list[PersonType]:
    person_ids = await queries.project_people(info.context, project_id, role)
    people = await asyncio.gather(*(load_person(info, person_id) for person_id in person_ids))
    return [person for person in people if person is not None]
