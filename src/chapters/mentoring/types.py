from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry import relay

from chapters import authz
from chapters import models as m
from chapters.api.ids import decode_id
from chapters.api.loaders import rows_by_id
from chapters.api.pagination import Ordering, PageArgs, paginate_per_parent
from chapters.local_chapters.types import ChapterType, load_chapter
from chapters.mentoring import service
from chapters.mentoring.loaders import people_by_project
from chapters.models import MentoringProject, ProjectRole, ProjectStatus
from chapters.people.types import PersonType, load_person, parse_uuid

MentoringProjectStatusType = strawberry.enum(
    ProjectStatus,
    name="MentoringProjectStatus",
    description="PROPOSED → ACCEPTED → IN_PROGRESS → COMPLETED; any step before the end may "
    "become FAILED instead. COMPLETED and FAILED are final.",
)
MentoringProgramPhaseType = strawberry.enum(
    service.Phase,
    name="MentoringProgramPhase",
    description="Where a program stands today (UTC): the latest milestone reached. "
    "UPCOMING before applications open; APPLICATIONS_OPEN from the opening day through the "
    "closing day; BETWEEN after applications close and before coding starts; CODING from the "
    "first through the last coding day; FINISHED after it. A missing date is a milestone not "
    "reached, except that a program without a coding end date is FINISHED once its year is over.",
)

# Projects by title; the id breaks ties.
PROJECT_ORDER = Ordering((MentoringProject.title, MentoringProject.id))


def today_utc() -> date:
    return datetime.now(UTC).date()


@strawberry.input
class MentoringProjectFilter:
    status: list[MentoringProjectStatusType] | None = None
    chapter_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only the projects of this chapter."
    )

    def to_service(self) -> service.ProjectFilter:
        chapter_id = (
            decode_id(str(self.chapter_id), "Chapter", "chapterId") if self.chapter_id else None
        )
        return service.ProjectFilter(statuses=tuple(self.status or ()), chapter_id=chapter_id)


@strawberry.type(
    name="MentoringProgram",
    description="A mentoring program, such as a yearly student open-source program. Dates are "
    "inclusive days.",
)
class MentoringProgramType(relay.Node):
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
    uuid: strawberry.Private[uuid.UUID]

    @classmethod
    def from_model(cls, program: m.MentoringProgram) -> MentoringProgramType:
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
        args = PageArgs(first=first, after=after)
        return await info.context.loaders.of(projects_page_by_program, filters, args).load(
            self.uuid
        )

    @classmethod
    async def resolve_nodes(
        cls, *, info: strawberry.Info, node_ids: Iterable[str], required: bool = False
    ) -> list[MentoringProgramType | None]:
        return list(await asyncio.gather(*(load_program(info, parse_uuid(i)) for i in node_ids)))


@strawberry.type(name="MentoringProject", description="A project of a mentoring program.")
class MentoringProjectType(relay.Node):
    id: relay.NodeID[str]
    title: str
    repository_url: str | None
    status: MentoringProjectStatusType
    outcome: str | None = strawberry.field(
        description="What came of the project; set when it completes or fails."
    )
    created_at: datetime
    updated_at: datetime
    uuid: strawberry.Private[uuid.UUID]
    program_id: strawberry.Private[uuid.UUID]
    chapter_id: strawberry.Private[uuid.UUID | None]

    @classmethod
    def from_model(cls, project: m.MentoringProject) -> MentoringProjectType:
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

    @classmethod
    async def resolve_nodes(
        cls, *, info: strawberry.Info, node_ids: Iterable[str], required: bool = False
    ) -> list[MentoringProjectType | None]:
        return list(await asyncio.gather(*(load_project(info, parse_uuid(i)) for i in node_ids)))


@strawberry.type(name="MentoringProgramConnection")
class MentoringProgramConnection(relay.Connection[MentoringProgramType]):
    pass


@strawberry.type(name="MentoringProjectConnection")
class MentoringProjectConnection(relay.Connection[MentoringProjectType]):
    pass


def _may_read(info: strawberry.Info) -> bool:
    return authz.can(info.context.principal, authz.Action.PROGRAM_READ)


async def load_program(
    info: strawberry.Info, program_id: uuid.UUID | None
) -> MentoringProgramType | None:
    """Programs are visible to signed-in people of the tenant."""
    if program_id is None or not _may_read(info):
        return None
    program = await info.context.loaders.of(rows_by_id, m.MentoringProgram).load(program_id)
    return MentoringProgramType.from_model(program) if program else None


async def load_project(
    info: strawberry.Info, project_id: uuid.UUID | None
) -> MentoringProjectType | None:
    """Projects are as visible as their programs (e.g. ``Activity.mentoringProject``)."""
    if project_id is None or not _may_read(info):
        return None
    project = await info.context.loaders.of(rows_by_id, m.MentoringProject).load(project_id)
    return MentoringProjectType.from_model(project) if project else None


async def _people(
    info: strawberry.Info, project_id: uuid.UUID, role: ProjectRole
) -> list[PersonType]:
    rows = await info.context.loaders.of(people_by_project).load(project_id)
    people = await asyncio.gather(
        *(load_person(info, row.person_id) for row in rows if row.role == role)
    )
    return [person for person in people if person is not None]


async def projects_page_by_program(
    session: AsyncSession,
    filters: service.ProjectFilter,
    args: PageArgs,
    program_ids: Sequence[uuid.UUID],
) -> list[MentoringProjectConnection]:
    return await paginate_per_parent(
        session,
        MentoringProject,
        service.project_query(filters),
        MentoringProject.program_id,
        program_ids,
        PROJECT_ORDER,
        args,
        MentoringProjectType.from_model,
        MentoringProjectConnection,
    )
