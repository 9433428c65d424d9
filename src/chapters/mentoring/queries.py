"""What may be read of mentoring programs and their projects: signed-in people of the tenant
read every program, and a project is as visible as its program."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import ColumnElement, select

from chapters import authz
from chapters.authz import Action
from chapters.db.filters import contains_text
from chapters.db.loaders import Reader, rows_by_id
from chapters.db.pagination import Page, PageArgs, paginate
from chapters.mentoring.loaders import PROGRAM_ORDER, people_by_project, projects_page_by_program
from chapters.models import (
    MentoringProgram,
    MentoringProject,
    MentoringProjectMember,
    ProjectRole,
    ProjectStatus,
)


@dataclass(frozen=True)
class ProgramFilter:
    year: int | None = None
    text: str | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if self.year is not None:
            conditions.append(MentoringProgram.year == self.year)
        if self.text and self.text.strip():
            conditions.append(
                contains_text(self.text, MentoringProgram.name, MentoringProgram.description)
            )
        return conditions


@dataclass(frozen=True)
class ProjectFilter:
    statuses: tuple[ProjectStatus, ...] = ()
    chapter_id: uuid.UUID | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if self.statuses:
            conditions.append(MentoringProject.status.in_(self.statuses))
        if self.chapter_id is not None:
            conditions.append(MentoringProject.chapter_id == self.chapter_id)
        return conditions


def _may_read(reader: Reader) -> bool:
    return authz.can(reader.principal, Action.PROGRAM_READ)


async def programs(
    reader: Reader, filters: ProgramFilter, args: PageArgs
) -> Page[MentoringProgram]:
    """The programs matching the filters, newest year first; signed-in people only."""
    authz.require(reader.principal, Action.PROGRAM_READ)
    statement = select(MentoringProgram).where(*filters.conditions())
    return await paginate(reader.session, statement, PROGRAM_ORDER, args)


async def program(reader: Reader, program_id: uuid.UUID | None) -> MentoringProgram | None:
    """A program, for signed-in people of the tenant (None for anyone else)."""
    if program_id is None or not _may_read(reader):
        return None
    row: MentoringProgram | None = await reader.loaders.of(rows_by_id, MentoringProgram).load(
        program_id
    )
    return row


async def project(reader: Reader, project_id: uuid.UUID | None) -> MentoringProject | None:
    """A project, as visible as its program (e.g. ``Activity.mentoringProject``)."""
    if project_id is None or not _may_read(reader):
        return None
    row: MentoringProject | None = await reader.loaders.of(rows_by_id, MentoringProject).load(
        project_id
    )
    return row


async def program_projects(
    reader: Reader, program_id: uuid.UUID, filters: ProjectFilter, args: PageArgs
) -> Page[MentoringProject]:
    """A page of the projects of a program the caller reads, by title."""
    page: Page[MentoringProject] = await reader.loaders.of(
        projects_page_by_program, filters, args
    ).load(program_id)
    return page


async def project_people(
    reader: Reader, project_id: uuid.UUID, role: ProjectRole
) -> list[uuid.UUID]:
    """The ids of a project's mentors or mentees, by name. Each is shown as the caller may
    see that person."""
    rows: list[MentoringProjectMember] = await reader.loaders.of(people_by_project).load(project_id)
    return [row.person_id for row in rows if row.role == role]
