"""Use cases on mentoring programs and their projects. Services validate, ask the policy, write,
and never commit (the request's transaction does).

Programs belong to central staff. A project is run by the chapter it belongs to: its lead and
co-leads manage it alongside staff; a project without a chapter is staff's alone, and only staff
move a project from one chapter to another (that changes who runs it).

A project's life is ``proposed → accepted → in_progress → completed``; any step before the end
may instead end in ``failed`` (a rejected proposal, a withdrawn student, an abandoned project).
The two ends are final and each needs an outcome, the line the community reports.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol
from urllib.parse import urlparse

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters import authz
from chapters.auth.principal import Principal
from chapters.authz import Action
from chapters.changes import UNSET, Change, Changes
from chapters.db.session import flush_unique, get_row
from chapters.errors import DomainError, ErrorCode, FieldError, InvalidInput, NotFound
from chapters.models import (
    Chapter,
    MentoringProgram,
    MentoringProject,
    MentoringProjectMember,
    Person,
    ProjectRole,
    ProjectStatus,
)
from chapters.validation import check_date_order, check_length, required_text

NAME_LIMIT = 200
TEXT_LIMIT = 5000
URL_LIMIT = 500
FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_PEOPLE = 50  # per list of a project: mentors, or mentees

TRANSITIONS: dict[ProjectStatus, frozenset[ProjectStatus]] = {
    ProjectStatus.PROPOSED: frozenset({ProjectStatus.ACCEPTED, ProjectStatus.FAILED}),
    ProjectStatus.ACCEPTED: frozenset({ProjectStatus.IN_PROGRESS, ProjectStatus.FAILED}),
    ProjectStatus.IN_PROGRESS: frozenset({ProjectStatus.COMPLETED, ProjectStatus.FAILED}),
}
FINAL = frozenset({ProjectStatus.COMPLETED, ProjectStatus.FAILED})

PROGRAM_DATES = (
    "applications_open_on",
    "applications_close_on",
    "coding_starts_on",
    "coding_ends_on",
)


class Phase(enum.StrEnum):
    UPCOMING = "upcoming"
    APPLICATIONS_OPEN = "applications_open"
    BETWEEN = "between"
    CODING = "coding"
    FINISHED = "finished"


class Schedule(Protocol):
    year: int
    applications_open_on: date | None
    applications_close_on: date | None
    coding_starts_on: date | None
    coding_ends_on: date | None


def phase_on(program: Schedule, today: date) -> Phase:
    """Where a program stands on ``today``: the latest milestone it has reached. All dates are
    inclusive (applications close at the end of their closing day, coding ends at the end of
    its last day). A missing date is a milestone not reached, except that a program with no
    coding end date is finished once its year is over."""
    if program.coding_ends_on is not None and today > program.coding_ends_on:
        return Phase.FINISHED
    if program.coding_ends_on is None and today.year > program.year:
        return Phase.FINISHED
    if program.coding_starts_on is not None and today >= program.coding_starts_on:
        return Phase.CODING
    if program.applications_close_on is not None and today > program.applications_close_on:
        return Phase.BETWEEN
    if program.applications_open_on is not None and today >= program.applications_open_on:
        return Phase.APPLICATIONS_OPEN
    return Phase.UPCOMING


@dataclass(frozen=True, kw_only=True)
class ProgramFields(Changes):
    """Program fields; in updates, UNSET leaves a field as it is and None clears it."""

    name: Change[str | None] = UNSET
    year: Change[int | None] = UNSET
    description: Change[str | None] = UNSET
    applications_open_on: Change[date | None] = UNSET
    applications_close_on: Change[date | None] = UNSET
    coding_starts_on: Change[date | None] = UNSET
    coding_ends_on: Change[date | None] = UNSET


@dataclass(frozen=True, kw_only=True)
class ProjectFields(Changes):
    """Project fields; in updates, UNSET leaves a field as it is and None clears it."""

    title: Change[str | None] = UNSET
    repository_url: Change[str | None] = UNSET
    outcome: Change[str | None] = UNSET
    chapter_id: Change[uuid.UUID | None] = UNSET


# Programs


def _check_year(values: dict[str, Any], creating: bool) -> list[FieldError]:
    if not creating and "year" not in values:
        return []
    year = values.get("year")
    if year is None:
        return [FieldError("year", ErrorCode.REQUIRED, "A program needs a year")]
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return [FieldError("year", ErrorCode.INVALID, f"Year is {FIRST_YEAR} to {LAST_YEAR}")]
    return []


def _check_program_dates(
    values: dict[str, Any], program: MentoringProgram | None
) -> list[FieldError]:
    """Both ranges in order, judged on the dates the program will have once the change is
    made; the error names the end date unless only the start date was given."""
    dates = {
        name: values[name] if name in values else getattr(program, name, None)
        for name in PROGRAM_DATES
    }
    errors = []
    for start, end in PROGRAM_DATES[:2], PROGRAM_DATES[2:]:
        field = start if start in values and end not in values else end
        errors += check_date_order(dates[start], dates[end], field)
    return errors


def _validate_program(values: dict[str, Any], program: MentoringProgram | None) -> list[FieldError]:
    creating = program is None
    errors: list[FieldError] = []
    if creating or "name" in values:
        errors += required_text(values.get("name"), "name", NAME_LIMIT)
    errors += _check_year(values, creating)
    errors += check_length(values.get("description"), "description", TEXT_LIMIT)
    return errors + _check_program_dates(values, program)


def _normalized_program(values: dict[str, Any]) -> dict[str, Any]:
    """Names are stored trimmed; a blank description is no description."""
    if "name" in values:
        values["name"] = values["name"].strip()
    if values.get("description") is not None:
        values["description"] = values["description"].strip() or None
    return values


UNIQUE_PROGRAM = {
    "uq_mentoring_programs_tenant_id_name_year": FieldError(
        "name", ErrorCode.CONFLICT, "Another program of that year has this name"
    )
}


async def get_program(
    session: AsyncSession, program_id: uuid.UUID, field: str = "id"
) -> MentoringProgram:
    return await get_row(session, MentoringProgram, program_id, "Mentoring program", field)


async def create_program(
    session: AsyncSession, principal: Principal | None, fields: ProgramFields
) -> MentoringProgram:
    authz.require(principal, Action.PROGRAM_MANAGE)
    values = fields.given_to_create()
    errors = _validate_program(values, None)
    if errors:
        raise InvalidInput(*errors)
    program = MentoringProgram(**_normalized_program(values))
    session.add(program)
    await flush_unique(session, UNIQUE_PROGRAM)
    return program


async def update_program(
    session: AsyncSession,
    principal: Principal | None,
    program_id: uuid.UUID,
    fields: ProgramFields,
) -> MentoringProgram:
    authz.require(principal, Action.PROGRAM_MANAGE)
    program = await get_program(session, program_id)
    values = fields.given()
    errors = _validate_program(values, program)
    if errors:
        raise InvalidInput(*errors)
    for key, value in _normalized_program(values).items():
        setattr(program, key, value)
    await flush_unique(session, UNIQUE_PROGRAM)
    return program


# Projects


def _check_url(url: str | None) -> list[FieldError]:
    url = (url or "").strip()
    if not url:
        return []  # no repository (yet)
    if len(url) > URL_LIMIT:
        return [
            FieldError("repository_url", ErrorCode.TOO_LONG, f"URL is over {URL_LIMIT} characters")
        ]
    parsed = urlparse(url)
    if parsed.scheme not in {"http", "https"} or not parsed.netloc or any(c.isspace() for c in url):
        return [FieldError("repository_url", ErrorCode.INVALID, "Use an http or https URL")]
    return []


def _normalized_project(values: dict[str, Any]) -> dict[str, Any]:
    """Titles are stored trimmed; a blank URL or outcome is none."""
    if "title" in values and values["title"] is not None:
        values["title"] = values["title"].strip()
    for name in ("repository_url", "outcome"):
        if values.get(name) is not None:
            values[name] = values[name].strip() or None
    return values


def _validate_project(values: dict[str, Any], *, creating: bool) -> list[FieldError]:
    errors: list[FieldError] = []
    if creating or "title" in values:
        errors += required_text(values.get("title"), "title", NAME_LIMIT)
    errors += _check_url(values.get("repository_url"))
    errors += check_length(values.get("outcome"), "outcome", TEXT_LIMIT)
    return errors


def _unique(ids: Sequence[uuid.UUID]) -> list[uuid.UUID]:
    return list(dict.fromkeys(ids))


def _check_people(mentor_ids: list[uuid.UUID], mentee_ids: list[uuid.UUID]) -> list[FieldError]:
    errors = [
        FieldError(field, ErrorCode.INVALID, f"At most {MAX_PEOPLE} people")
        for field, ids in (("mentor_ids", mentor_ids), ("mentee_ids", mentee_ids))
        if len(ids) > MAX_PEOPLE
    ]
    if set(mentor_ids) & set(mentee_ids):
        errors.append(
            FieldError("mentee_ids", ErrorCode.INVALID, "A person cannot be both mentor and mentee")
        )
    return errors


async def _people_exist(session: AsyncSession, ids: list[uuid.UUID], field: str) -> None:
    if not ids:
        return
    found = set(await session.scalars(select(Person.id).where(Person.id.in_(ids))))
    if set(ids) - found:
        raise NotFound("Person", field=field)


async def _chapter_exists(session: AsyncSession, chapter_id: uuid.UUID) -> None:
    if await session.scalar(select(Chapter.id).where(Chapter.id == chapter_id)) is None:
        raise NotFound("Chapter", field="chapter_id")


async def get_project(
    session: AsyncSession, project_id: uuid.UUID, field: str = "id", *, lock: bool = False
) -> MentoringProject:
    """A project; ``lock`` holds its row for the rest of the transaction, so concurrent changes
    to its status or people queue up instead of judging stale state."""
    return await get_row(
        session, MentoringProject, project_id, "Mentoring project", field, lock=lock
    )


async def _managed_project(
    session: AsyncSession, principal: Principal | None, project_id: uuid.UUID
) -> MentoringProject:
    project = await get_project(session, project_id, lock=True)
    authz.require(principal, Action.PROJECT_MANAGE, chapter_id=project.chapter_id)
    return project


async def _replace_people(
    session: AsyncSession,
    project_id: uuid.UUID,
    mentor_ids: list[uuid.UUID],
    mentee_ids: list[uuid.UUID],
) -> None:
    """Make the project's people exactly these: rows of people who stay are kept (a changed
    role is an update), so the audit trail shows who joined and who left."""
    wanted = {pid: ProjectRole.MENTOR for pid in mentor_ids}
    wanted |= {pid: ProjectRole.MENTEE for pid in mentee_ids}
    rows = await session.scalars(
        select(MentoringProjectMember).where(MentoringProjectMember.project_id == project_id)
    )
    for row in rows.all():
        role = wanted.pop(row.person_id, None)
        if role is None:
            await session.delete(row)
        elif row.role != role:
            row.role = role
    for person_id, role in wanted.items():
        session.add(MentoringProjectMember(project_id=project_id, person_id=person_id, role=role))
    await session.flush()


async def _checked_people(
    session: AsyncSession, mentor_ids: Sequence[uuid.UUID], mentee_ids: Sequence[uuid.UUID]
) -> tuple[list[uuid.UUID], list[uuid.UUID]]:
    mentors, mentees = _unique(mentor_ids), _unique(mentee_ids)
    errors = _check_people(mentors, mentees)
    if errors:
        raise InvalidInput(*errors)
    await _people_exist(session, mentors, "mentor_ids")
    await _people_exist(session, mentees, "mentee_ids")
    return mentors, mentees


async def create_project(
    session: AsyncSession,
    principal: Principal | None,
    program_id: uuid.UUID,
    fields: ProjectFields,
    *,
    mentor_ids: Sequence[uuid.UUID] = (),
    mentee_ids: Sequence[uuid.UUID] = (),
) -> MentoringProject:
    """A proposed project of a program; leads may propose projects for their own chapter."""
    values = fields.given_to_create()
    values.pop("outcome", None)  # a new project has no outcome yet
    chapter_id = values.get("chapter_id")
    authz.require(principal, Action.PROJECT_MANAGE, chapter_id=chapter_id)
    errors = _validate_project(values, creating=True)
    if errors:
        raise InvalidInput(*errors)
    await get_program(session, program_id, "program_id")
    if chapter_id is not None:
        await _chapter_exists(session, chapter_id)
    mentors, mentees = await _checked_people(session, mentor_ids, mentee_ids)
    project = MentoringProject(
        program_id=program_id, status=ProjectStatus.PROPOSED, **_normalized_project(values)
    )
    session.add(project)
    await session.flush()
    await _replace_people(session, project.id, mentors, mentees)
    return project


async def _check_move(
    session: AsyncSession, principal: Principal | None, chapter_id: uuid.UUID | None
) -> None:
    """Moving a project to another chapter (or to none) changes who runs it: staff only."""
    if not authz.can(principal, Action.PROGRAM_MANAGE):
        raise DomainError(
            FieldError(
                "chapter_id",
                ErrorCode.FORBIDDEN,
                "Only central ops and admins move a project to another chapter",
            )
        )
    if chapter_id is not None:
        await _chapter_exists(session, chapter_id)


def _check_outcome(status: ProjectStatus, outcome: str | None) -> list[FieldError]:
    if status in FINAL and not outcome:
        return [
            FieldError("outcome", ErrorCode.REQUIRED, f"A {status.value} project needs an outcome")
        ]
    return []


async def update_project(
    session: AsyncSession,
    principal: Principal | None,
    project_id: uuid.UUID,
    fields: ProjectFields,
) -> MentoringProject:
    project = await _managed_project(session, principal, project_id)
    values = fields.given()
    errors = _validate_project(values, creating=False)
    if errors:
        raise InvalidInput(*errors)
    values = _normalized_project(values)
    if "outcome" in values:
        errors = _check_outcome(project.status, values["outcome"])
        if errors:
            raise InvalidInput(*errors)
    if "chapter_id" in values and values["chapter_id"] != project.chapter_id:
        await _check_move(session, principal, values["chapter_id"])
    for key, value in values.items():
        setattr(project, key, value)
    await session.flush()
    return project


async def set_status(
    session: AsyncSession,
    principal: Principal | None,
    project_id: uuid.UUID,
    status: ProjectStatus,
    *,
    outcome: Change[str | None] = UNSET,
) -> MentoringProject:
    """Move a project one step along its life; an outcome given here is recorded with it."""
    project = await _managed_project(session, principal, project_id)
    errors = check_length(outcome if outcome is not UNSET else None, "outcome", TEXT_LIMIT)
    if status not in TRANSITIONS.get(project.status, frozenset()):
        errors.append(
            FieldError(
                "status",
                ErrorCode.INVALID,
                f"A {project.status.value} project cannot become {status.value}",
            )
        )
    if isinstance(outcome, str):
        outcome = outcome.strip() or None
    errors += _check_outcome(status, project.outcome if outcome is UNSET else outcome)
    if errors:
        raise InvalidInput(*errors)
    project.status = status
    if outcome is not UNSET:
        project.outcome = outcome
    await session.flush()
    return project


async def set_members(
    session: AsyncSession,
    principal: Principal | None,
    project_id: uuid.UUID,
    *,
    mentor_ids: Sequence[uuid.UUID],
    mentee_ids: Sequence[uuid.UUID],
) -> MentoringProject:
    """Replace both lists of a project's people at once."""
    project = await _managed_project(session, principal, project_id)
    mentors, mentees = await _checked_people(session, mentor_ids, mentee_ids)
    await _replace_people(session, project.id, mentors, mentees)
    return project
