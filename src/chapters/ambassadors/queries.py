"""What may be read of ambassador programs, nominations and terms.

- Programs and the directory are public; the directory shows only people who chose a public
  profile, except to those who may read every term (staff), and never an email.
- A nomination is seen by staff, by its nominee, by whoever made it, and by the leads of the
  chapter it is for.
- A term, with the activity in it, is seen by staff, by its holder and by the leads of the
  chapter it is attached to.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, Select, false, or_, select
from sqlalchemy.orm import aliased

from chapters import authz
from chapters.ambassadors.loaders import TermActivity, activity_by_term
from chapters.ambassadors.service import today
from chapters.auth.principal import Principal
from chapters.authz import Action
from chapters.db.loaders import Reader, rows_by_id
from chapters.db.pagination import Ordering, Page, PageArgs, paginate
from chapters.errors import ErrorCode, FieldError, Forbidden, InvalidInput, NotFound
from chapters.models import Person
from chapters.models.ambassador import (
    AmbassadorNomination,
    AmbassadorProgram,
    AmbassadorTerm,
    NominationStatus,
    TermStatus,
)

PROGRAM_ORDER = Ordering((AmbassadorProgram.name, AmbassadorProgram.id))
NEWEST_NOMINATION_FIRST = Ordering(
    (AmbassadorNomination.created_at, AmbassadorNomination.id), descending=True
)
SOONEST_END_FIRST = Ordering((AmbassadorTerm.ends_on, AmbassadorTerm.id))
NEWEST_TERM_FIRST = Ordering((AmbassadorTerm.starts_on, AmbassadorTerm.id), descending=True)
LONGEST_SERVING_FIRST = Ordering((AmbassadorTerm.starts_on, AmbassadorTerm.id))
MAX_DAYS_AHEAD = 366


class Standing(enum.StrEnum):
    """Where an ambassador stands in a program, as the directory lists them."""

    ACTIVE = "active"  # holds a term covering today
    ALUMNI = "alumni"  # their latest term ended unrenewed


# Programs


async def programs(
    reader: Reader, args: PageArgs, *, include_inactive: bool = False
) -> Page[AmbassadorProgram]:
    authz.require(reader.principal, Action.AMBASSADOR_READ_DIRECTORY)
    statement = select(AmbassadorProgram)
    if not include_inactive:
        statement = statement.where(AmbassadorProgram.active)
    return await paginate(reader.session, statement, PROGRAM_ORDER, args)


async def program(reader: Reader, program_id: uuid.UUID | None) -> AmbassadorProgram | None:
    if program_id is None or not authz.can(reader.principal, Action.AMBASSADOR_READ_DIRECTORY):
        return None
    row: AmbassadorProgram | None = await reader.loaders.of(rows_by_id, AmbassadorProgram).load(
        program_id
    )
    return row


# Nominations


@dataclass(frozen=True)
class NominationFilter:
    statuses: tuple[NominationStatus, ...] = ()
    program_id: uuid.UUID | None = None
    person_id: uuid.UUID | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if self.statuses:
            conditions.append(AmbassadorNomination.status.in_(self.statuses))
        if self.program_id is not None:
            conditions.append(AmbassadorNomination.program_id == self.program_id)
        if self.person_id is not None:
            conditions.append(AmbassadorNomination.person_id == self.person_id)
        return conditions


def _visible_nominations(principal: Principal | None) -> ColumnElement[bool] | None:
    """The nominations the caller sees (None: all of them)."""
    if authz.can(principal, Action.AMBASSADOR_READ_NOMINATION):
        return None
    if principal is None or principal.person_id is None:
        raise Forbidden(Action.AMBASSADOR_READ_NOMINATION.value)
    led = [
        chapter_id
        for chapter_id in authz.chapter_ids_led_by(principal)
        if authz.can(principal, Action.AMBASSADOR_READ_NOMINATION, chapter_id=chapter_id)
    ]
    mine = principal.person_id
    return or_(
        AmbassadorNomination.person_id == mine,
        AmbassadorNomination.nominated_by_id == mine,
        AmbassadorNomination.chapter_id.in_(led) if led else false(),
    )


def may_read_nomination(principal: Principal | None, row: AmbassadorNomination) -> bool:
    mine = principal.person_id if principal is not None else None
    if mine is not None and row.nominated_by_id == mine:
        return True
    return authz.can(
        principal,
        Action.AMBASSADOR_READ_NOMINATION,
        chapter_id=row.chapter_id,
        person_id=row.person_id,
    )


async def nomination(
    reader: Reader, nomination_id: uuid.UUID | None
) -> AmbassadorNomination | None:
    if nomination_id is None:
        return None
    row: AmbassadorNomination | None = await reader.loaders.of(
        rows_by_id, AmbassadorNomination
    ).load(nomination_id)
    return row if row is not None and may_read_nomination(reader.principal, row) else None


async def nominations(
    reader: Reader, filter: NominationFilter, args: PageArgs
) -> Page[AmbassadorNomination]:
    """Newest first: staff's review queue (filter by status), anyone else's own."""
    statement = select(AmbassadorNomination).where(*filter.conditions())
    visible = _visible_nominations(reader.principal)
    if visible is not None:
        statement = statement.where(visible)
    return await paginate(reader.session, statement, NEWEST_NOMINATION_FIRST, args)


# Terms


def may_read_term(principal: Principal | None, term: AmbassadorTerm) -> bool:
    return authz.can(
        principal,
        Action.AMBASSADOR_READ_TERMS,
        chapter_id=term.chapter_id,
        person_id=term.person_id,
    )


async def term(reader: Reader, term_id: uuid.UUID | None) -> AmbassadorTerm | None:
    if term_id is None:
        return None
    row: AmbassadorTerm | None = await reader.loaders.of(rows_by_id, AmbassadorTerm).load(term_id)
    return row if row is not None and may_read_term(reader.principal, row) else None


async def activity(reader: Reader, row: AmbassadorTerm) -> TermActivity | None:
    """What the holder did during the term, for those who may read the term."""
    if not may_read_term(reader.principal, row):
        return None
    result: TermActivity = await reader.loaders.of(activity_by_term).load(row.id)
    return result


async def terms_of_person(
    reader: Reader, person_id: uuid.UUID, program_id: uuid.UUID | None, args: PageArgs
) -> Page[AmbassadorTerm]:
    """A person's terms, newest first: all of them for staff and the person, those attached
    to their chapters for leads."""
    principal = reader.principal
    statement = select(AmbassadorTerm).where(AmbassadorTerm.person_id == person_id)
    if program_id is not None:
        statement = statement.where(AmbassadorTerm.program_id == program_id)
    if not authz.can(principal, Action.AMBASSADOR_READ_TERMS, person_id=person_id):
        led = [
            chapter_id
            for chapter_id in authz.chapter_ids_led_by(principal)
            if authz.can(principal, Action.AMBASSADOR_READ_TERMS, chapter_id=chapter_id)
        ]
        if not led:
            raise Forbidden(Action.AMBASSADOR_READ_TERMS.value)
        statement = statement.where(AmbassadorTerm.chapter_id.in_(led))
    return await paginate(reader.session, statement, NEWEST_TERM_FIRST, args)


async def renewals_due(
    reader: Reader, program_id: uuid.UUID | None, within_days: int, args: PageArgs
) -> Page[AmbassadorTerm]:
    """Active terms whose last day is within ``within_days`` from today, soonest first."""
    authz.require(reader.principal, Action.AMBASSADOR_REVIEW)
    if not 0 <= within_days <= MAX_DAYS_AHEAD:
        raise InvalidInput(
            FieldError("within_days", ErrorCode.INVALID, f"Give 0 to {MAX_DAYS_AHEAD} days")
        )
    await _known_program(reader, program_id)
    day = today()
    statement = select(AmbassadorTerm).where(
        AmbassadorTerm.status == TermStatus.ACTIVE,
        AmbassadorTerm.ends_on >= day,
        AmbassadorTerm.ends_on <= day + timedelta(days=within_days),
    )
    if program_id is not None:
        statement = statement.where(AmbassadorTerm.program_id == program_id)
    return await paginate(reader.session, statement, SOONEST_END_FIRST, args)


async def _known_program(reader: Reader, program_id: uuid.UUID | None) -> None:
    if program_id is not None and await program(reader, program_id) is None:
        raise NotFound("Ambassador program", field="program_id")


# The directory


def _standing(statement: Select, standing: Standing, on: date) -> Select:
    """One term per person and program: the one covering ``on`` (active), or the latest,
    past and unrenewed (alumni)."""
    if standing == Standing.ACTIVE:
        return statement.where(
            AmbassadorTerm.starts_on <= on,
            AmbassadorTerm.ends_on >= on,
            AmbassadorTerm.status != TermStatus.ENDED,
        )
    later = aliased(AmbassadorTerm)
    return statement.where(
        AmbassadorTerm.ends_on < on,
        AmbassadorTerm.status != TermStatus.RENEWED,
        ~select(later.id)
        .where(
            later.tenant_id == AmbassadorTerm.tenant_id,
            later.person_id == AmbassadorTerm.person_id,
            later.program_id == AmbassadorTerm.program_id,
            later.starts_on > AmbassadorTerm.starts_on,
        )
        .exists(),
    )


async def directory(
    reader: Reader, program_id: uuid.UUID | None, standing: Standing, args: PageArgs
) -> Page[AmbassadorTerm]:
    """The ambassadors (or alumni) of a program, or of every program, longest serving first:
    each as the term that makes them one."""
    authz.require(reader.principal, Action.AMBASSADOR_READ_DIRECTORY)
    await _known_program(reader, program_id)
    statement = _standing(select(AmbassadorTerm), standing, today())
    if program_id is not None:
        statement = statement.where(AmbassadorTerm.program_id == program_id)
    if not authz.can(reader.principal, Action.AMBASSADOR_READ_TERMS):
        statement = statement.join(
            Person,
            (Person.tenant_id == AmbassadorTerm.tenant_id)
            & (Person.id == AmbassadorTerm.person_id),
        ).where(Person.public_profile)
    return await paginate(reader.session, statement, LONGEST_SERVING_FIRST, args)


async def holder_name(reader: Reader, row: AmbassadorTerm) -> str:
    """The display name of a directory entry's holder (the query already kept only those the
    caller may see)."""
    person: Person | None = await reader.loaders.of(rows_by_id, Person).load(row.person_id)
    return person.display_name if person is not None else ""
