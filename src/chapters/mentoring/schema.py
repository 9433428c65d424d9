from __future__ import annotations

import uuid
from datetime import date

import strawberry

from chapters.api.connections import connection
from chapters.api.errors import UserError
from chapters.api.ids import decode_id
from chapters.api.mutations import mutate
from chapters.changes import UNSET
from chapters.db.pagination import PageArgs
from chapters.mentoring import queries, service
from chapters.mentoring.types import (
    MentoringProgramConnection,
    MentoringProgramType,
    MentoringProjectStatusType,
    MentoringProjectType,
)
from chapters.models import MentoringProgram, MentoringProject, ProjectStatus

# Ids in inputs are global ids typed as plain ``ID``: ``decode_id`` turns a malformed one into a
# typed INVALID error on the field, where a ``GlobalID`` would fail the whole request.


@strawberry.input
class MentoringProgramFilter:
    year: int | None = None
    text: str | None = strawberry.field(default=None, description="Matches name or description.")

    def to_service(self) -> queries.ProgramFilter:
        return queries.ProgramFilter(year=self.year, text=self.text)


@strawberry.input
class MentoringProgramCreateInput:
    name: str
    year: int = strawberry.field(description="2000 to 2100.")
    description: str | None = None
    applications_open_on: date | None = None
    applications_close_on: date | None = strawberry.field(
        default=None, description="The last day applications are accepted."
    )
    coding_starts_on: date | None = None
    coding_ends_on: date | None = strawberry.field(
        default=None, description="The last day of coding."
    )


@strawberry.input(description="Fields to change; omitted fields stay, null clears.")
class MentoringProgramUpdateInput:
    id: strawberry.ID
    name: str | None = strawberry.UNSET
    year: int | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    applications_open_on: date | None = strawberry.UNSET
    applications_close_on: date | None = strawberry.UNSET
    coding_starts_on: date | None = strawberry.UNSET
    coding_ends_on: date | None = strawberry.UNSET


def _program_fields(
    data: MentoringProgramCreateInput | MentoringProgramUpdateInput,
) -> service.ProgramFields:
    values = {
        name: getattr(data, name)
        for name in service.ProgramFields.__dataclass_fields__
        if getattr(data, name, strawberry.UNSET) is not strawberry.UNSET
    }
    return service.ProgramFields(**values)


@strawberry.input
class MentoringProjectCreateInput:
    program_id: strawberry.ID
    chapter_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The chapter that runs the project (its leads may create it); "
        "null: run by central staff.",
    )
    title: str
    repository_url: str | None = strawberry.field(default=None, description="An http(s) URL.")
    mentor_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    mentee_ids: list[strawberry.ID] = strawberry.field(default_factory=list)


@strawberry.input(description="Fields to change; omitted fields stay, null clears.")
class MentoringProjectUpdateInput:
    id: strawberry.ID
    title: str | None = strawberry.UNSET
    repository_url: str | None = strawberry.UNSET
    outcome: str | None = strawberry.UNSET
    chapter_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET,
        description="Move the project to another chapter, or to none (central ops and admins).",
    )


def _project_fields(
    data: MentoringProjectCreateInput | MentoringProjectUpdateInput,
) -> service.ProjectFields:
    values = {}
    for name in service.ProjectFields.__dataclass_fields__:
        value = getattr(data, name, strawberry.UNSET)
        if value is strawberry.UNSET:
            continue
        if name == "chapter_id" and value is not None:
            value = decode_id(str(value), "Chapter", "chapterId")
        values[name] = value
    return service.ProjectFields(**values)


@strawberry.input
class MentoringProjectSetStatusInput:
    id: strawberry.ID
    status: MentoringProjectStatusType
    outcome: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="Recorded with the change; COMPLETED and FAILED need one (given here or "
        "set before).",
    )


@strawberry.input(description="The project's people; both lists replace the current ones.")
class MentoringProjectSetMembersInput:
    id: strawberry.ID
    mentor_ids: list[strawberry.ID]
    mentee_ids: list[strawberry.ID]


def _person_ids(values: list[strawberry.ID], field: str) -> list[uuid.UUID]:
    return [decode_id(str(value), "Person", field) for value in values]


@strawberry.type
class MentoringProgramPayload:
    program: MentoringProgramType | None
    errors: list[UserError]


@strawberry.type
class MentoringProjectPayload:
    project: MentoringProjectType | None
    errors: list[UserError]


def _program_payload(program: MentoringProgram) -> MentoringProgramPayload:
    return MentoringProgramPayload(program=MentoringProgramType.from_model(program), errors=[])


def _program_failed(errors: list[UserError]) -> MentoringProgramPayload:
    return MentoringProgramPayload(program=None, errors=errors)


def _project_payload(project: MentoringProject) -> MentoringProjectPayload:
    return MentoringProjectPayload(project=MentoringProjectType.from_model(project), errors=[])


def _project_failed(errors: list[UserError]) -> MentoringProjectPayload:
    return MentoringProjectPayload(project=None, errors=errors)


@strawberry.type
class MentoringQuery:
    @strawberry.field(
        description="Mentoring programs, newest year first (then by name, Z to A). Signed-in "
        "people only."
    )
    async def mentoring_programs(
        self,
        info: strawberry.Info,
        filter: MentoringProgramFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> MentoringProgramConnection:
        page = await queries.programs(
            info.context,
            (filter or MentoringProgramFilter()).to_service(),
            PageArgs(first=first, after=after, last=last, before=before),
        )
        return connection(MentoringProgramConnection, page, MentoringProgramType.from_model)


@strawberry.type
class MentoringMutation:
    @strawberry.mutation(description="Create a mentoring program (central ops and admins).")
    async def mentoring_program_create(
        self, info: strawberry.Info, input: MentoringProgramCreateInput
    ) -> MentoringProgramPayload:
        ctx = info.context

        async def work() -> MentoringProgram:
            return await service.create_program(ctx.session, ctx.principal, _program_fields(input))

        return await mutate(info, work, present=_program_payload, failed=_program_failed)

    @strawberry.mutation(description="Edit a mentoring program (central ops and admins).")
    async def mentoring_program_update(
        self, info: strawberry.Info, input: MentoringProgramUpdateInput
    ) -> MentoringProgramPayload:
        ctx = info.context

        async def work() -> MentoringProgram:
            program_id = decode_id(str(input.id), "MentoringProgram", "id")
            return await service.update_program(
                ctx.session, ctx.principal, program_id, _program_fields(input)
            )

        return await mutate(info, work, present=_program_payload, failed=_program_failed)

    @strawberry.mutation(
        description="Propose a project in a program (ops, admins, and the leads of its chapter)."
    )
    async def mentoring_project_create(
        self, info: strawberry.Info, input: MentoringProjectCreateInput
    ) -> MentoringProjectPayload:
        ctx = info.context

        async def work() -> MentoringProject:
            return await service.create_project(
                ctx.session,
                ctx.principal,
                decode_id(str(input.program_id), "MentoringProgram", "programId"),
                _project_fields(input),
                mentor_ids=_person_ids(input.mentor_ids, "mentorIds"),
                mentee_ids=_person_ids(input.mentee_ids, "menteeIds"),
            )

        return await mutate(info, work, present=_project_payload, failed=_project_failed)

    @strawberry.mutation(
        description="Edit a project (ops, admins, and the leads of its chapter; only ops and "
        "admins move it to another chapter)."
    )
    async def mentoring_project_update(
        self, info: strawberry.Info, input: MentoringProjectUpdateInput
    ) -> MentoringProjectPayload:
        ctx = info.context

        async def work() -> MentoringProject:
            project_id = decode_id(str(input.id), "MentoringProject", "id")
            return await service.update_project(
                ctx.session, ctx.principal, project_id, _project_fields(input)
            )

        return await mutate(info, work, present=_project_payload, failed=_project_failed)

    @strawberry.mutation(
        description="Move a project one step along its life (ops, admins, and the leads of its "
        "chapter)."
    )
    async def mentoring_project_set_status(
        self, info: strawberry.Info, input: MentoringProjectSetStatusInput
    ) -> MentoringProjectPayload:
        ctx = info.context

        async def work() -> MentoringProject:
            project_id = decode_id(str(input.id), "MentoringProject", "id")
            outcome = UNSET if input.outcome is strawberry.UNSET else input.outcome
            return await service.set_status(
                ctx.session, ctx.principal, project_id, ProjectStatus(input.status), outcome=outcome
            )

        return await mutate(info, work, present=_project_payload, failed=_project_failed)

    @strawberry.mutation(
        description="Replace a project's mentors and mentees (ops, admins, and the leads of its "
        "chapter). Nobody may be both on one project."
    )
    async def mentoring_project_set_members(
        self, info: strawberry.Info, input: MentoringProjectSetMembersInput
    ) -> MentoringProjectPayload:
        ctx = info.context

        async def work() -> MentoringProject:
            return await service.set_members(
                ctx.session,
                ctx.principal,
                decode_id(str(input.id), "MentoringProject", "id"),
                mentor_ids=_person_ids(input.mentor_ids, "mentorIds"),
                mentee_ids=_person_ids(input.mentee_ids, "menteeIds"),
            )

        return await mutate(info, work, present=_project_payload, failed=_project_failed)
