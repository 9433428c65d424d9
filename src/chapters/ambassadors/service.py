"""Ambassador programs, nominations and terms: the rules and the writes (never a commit).

Decisions:

- Programs are staff's. A tenant may run several; an inactive program takes no nominations
  and keeps its terms.
- Anyone may nominate themself; a lead or co-lead may nominate the active members of the
  chapter they lead (the nomination is then attached to that chapter, unless another of theirs
  is named); staff may nominate anyone, for any chapter. One open nomination per program and
  person, and none for someone who already serves in the program.
- Staff review: accepting makes an ``active`` term (by default as long as the program's term
  length: starting on a day, it ends the day before the same date months later); declining
  needs a reason, which the nominee sees.
- A term runs from ``starts_on`` to ``ends_on``, both days included. Renewing it (staff, until
  its last day) makes it ``renewed`` and adds a term starting the day after. A term whose last
  day has passed unrenewed reads as ``ended`` at once (``shown_status``); the daily job
  (``tasks``) then stores it, with ``ended_at``, so the audit log records the transition.
- Days are UTC days.
"""

from __future__ import annotations

import calendar
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlparse

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters import authz
from chapters.auth.principal import Principal
from chapters.authz import Action
from chapters.changes import UNSET, Change, Changes
from chapters.db.session import flush_unique, get_row
from chapters.errors import ErrorCode, FieldError, Forbidden, InvalidInput, NotFound
from chapters.models import Chapter, ChapterMembership, MembershipStatus, Person
from chapters.models.ambassador import (
    AmbassadorNomination,
    AmbassadorProgram,
    AmbassadorTerm,
    NominatedAs,
    NominationStatus,
    TermStatus,
)
from chapters.validation import check_length, is_storable, required_text

NAME_LIMIT = 200
TEXT_LIMIT = 5000
URL_LIMIT = 2000
MAX_EVIDENCE = 10
MAX_TERM_MONTHS = 120


def today() -> date:
    return datetime.now(UTC).date()


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day where it is shorter)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def default_end(starts_on: date, term_months: int) -> date:
    """The last day of a term of ``term_months`` starting on ``starts_on``."""
    return add_months(starts_on, term_months) - timedelta(days=1)


def shown_status(term: AmbassadorTerm, on: date | None = None) -> TermStatus:
    """A term's status as of ``on`` (today): one past its last day that nothing renewed has
    ended, whether or not the daily job has stored that yet."""
    if term.status == TermStatus.ACTIVE and term.ends_on < (on or today()):
        return TermStatus.ENDED
    return term.status


# Programs


@dataclass(frozen=True, kw_only=True)
class ProgramFields(Changes):
    """Program fields; in updates, UNSET leaves a field as it is and None clears it."""

    name: Change[str | None] = UNSET
    criteria: Change[str | None] = UNSET
    term_months: Change[int | None] = UNSET
    active: Change[bool | None] = UNSET


UNIQUE_PROGRAM = {
    "uq_ambassador_programs_tenant_id_name": FieldError(
        "name", ErrorCode.CONFLICT, "Another program has this name"
    )
}


def _validate_program(values: dict[str, Any], *, creating: bool) -> list[FieldError]:
    errors: list[FieldError] = []
    if creating or "name" in values:
        errors += required_text(values.get("name"), "name", NAME_LIMIT)
    errors += check_length(values.get("criteria"), "criteria", TEXT_LIMIT)
    if creating or "term_months" in values:
        months = values.get("term_months")
        if months is None:
            errors.append(FieldError("term_months", ErrorCode.REQUIRED, "Give a term length"))
        elif not 1 <= months <= MAX_TERM_MONTHS:
            errors.append(
                FieldError(
                    "term_months", ErrorCode.INVALID, f"A term is 1 to {MAX_TERM_MONTHS} months"
                )
            )
    if "active" in values and values["active"] is None and not creating:
        errors.append(FieldError("active", ErrorCode.REQUIRED, "This cannot be cleared"))
    return errors


def _normalized_program(values: dict[str, Any]) -> dict[str, Any]:
    if "name" in values:
        values["name"] = values["name"].strip()
    if "criteria" in values:
        values["criteria"] = (values["criteria"] or "").strip() or None
    return values


async def get_program(
    session: AsyncSession, program_id: uuid.UUID, field: str = "id"
) -> AmbassadorProgram:
    return await get_row(session, AmbassadorProgram, program_id, "Ambassador program", field)


async def create_program(
    session: AsyncSession, principal: Principal | None, fields: ProgramFields
) -> AmbassadorProgram:
    authz.require(principal, Action.AMBASSADOR_PROGRAM_MANAGE)
    values = fields.given_to_create()
    errors = _validate_program(values, creating=True)
    if errors:
        raise InvalidInput(*errors)
    program = AmbassadorProgram(**{"active": True, **_normalized_program(values)})
    session.add(program)
    await flush_unique(session, UNIQUE_PROGRAM)
    return program


async def update_program(
    session: AsyncSession, principal: Principal | None, program_id: uuid.UUID, fields: ProgramFields
) -> AmbassadorProgram:
    """Change a program; a new term length applies to terms made from now on."""
    authz.require(principal, Action.AMBASSADOR_PROGRAM_MANAGE)
    program = await get_program(session, program_id)
    values = fields.given()
    errors = _validate_program(values, creating=False)
    if errors:
        raise InvalidInput(*errors)
    for key, value in _normalized_program(values).items():
        setattr(program, key, value)
    await flush_unique(session, UNIQUE_PROGRAM)
    return program


# Nominations


@dataclass(frozen=True, kw_only=True)
class Nomination:
    program_id: uuid.UUID
    person_id: uuid.UUID
    statement: str | None
    evidence_urls: Sequence[str] = ()
    chapter_id: uuid.UUID | None = None


def check_evidence(urls: Sequence[str]) -> list[FieldError]:
    """Each link an http(s) URL of a reasonable length; at most ``MAX_EVIDENCE``."""
    if len(urls) > MAX_EVIDENCE:
        return [FieldError("evidence_urls", ErrorCode.INVALID, f"At most {MAX_EVIDENCE} links")]
    errors = []
    for index, url in enumerate(urls):
        field = f"evidence_urls.{index}"
        if len(url) > URL_LIMIT:
            errors.append(FieldError(field, ErrorCode.TOO_LONG, f"URL is over {URL_LIMIT}"))
            continue
        parsed = urlparse(url) if is_storable(url) else None
        if (
            parsed is None
            or parsed.scheme not in {"http", "https"}
            or not parsed.hostname
            or any(c.isspace() for c in url)
        ):
            errors.append(FieldError(field, ErrorCode.INVALID, "Use an http or https URL"))
    return errors


async def _active_member_chapters(session: AsyncSession, person_id: uuid.UUID) -> set[uuid.UUID]:
    rows = await session.scalars(
        select(ChapterMembership.chapter_id).where(
            ChapterMembership.person_id == person_id,
            ChapterMembership.status == MembershipStatus.ACTIVE,
        )
    )
    return set(rows)


async def _nominating_right(
    session: AsyncSession, principal: Principal, entry: Nomination
) -> tuple[NominatedAs, uuid.UUID | None]:
    """In which right the caller nominates, and the chapter the nomination is for.

    Staff: anyone, for any chapter. The person themself: for a chapter they are an active
    member of. A lead or co-lead: a person who is an active member of a chapter they lead,
    for that chapter."""
    chapter_id = entry.chapter_id
    if chapter_id is not None and not await session.scalar(
        select(Chapter.id).where(Chapter.id == chapter_id)
    ):
        raise NotFound("Chapter", field="chapter_id")
    if authz.can(principal, Action.AMBASSADOR_NOMINATE):  # staff, whoever the person is
        return NominatedAs.STAFF, chapter_id
    memberships = await _active_member_chapters(session, entry.person_id)
    if authz.can(principal, Action.AMBASSADOR_NOMINATE, person_id=entry.person_id):
        if chapter_id is not None and chapter_id not in memberships:
            raise InvalidInput(
                FieldError("chapter_id", ErrorCode.INVALID, "You are not a member of that chapter")
            )
        return NominatedAs.SELF, chapter_id
    shared = sorted(
        (c for c in memberships if authz.can(principal, Action.AMBASSADOR_NOMINATE, chapter_id=c)),
        key=str,
    )
    if not shared or (chapter_id is not None and chapter_id not in shared):
        raise Forbidden(Action.AMBASSADOR_NOMINATE.value)
    return NominatedAs.LEAD, chapter_id or shared[0]


async def _serving(
    session: AsyncSession, program_id: uuid.UUID, person_id: uuid.UUID, on: date
) -> bool:
    """Whether the person holds a term of the program that has not ended by ``on``."""
    found = await session.scalar(
        select(AmbassadorTerm.id)
        .where(
            AmbassadorTerm.program_id == program_id,
            AmbassadorTerm.person_id == person_id,
            AmbassadorTerm.status != TermStatus.ENDED,
            AmbassadorTerm.ends_on >= on,
        )
        .limit(1)
    )
    return found is not None


def _own(principal: Principal | None) -> uuid.UUID | None:
    return principal.person_id if principal is not None else None


UNIQUE_NOMINATION = {
    "uq_ambassador_nominations_open": FieldError(
        "person_id", ErrorCode.CONFLICT, "This person already has an open nomination here"
    )
}


async def nominate(
    session: AsyncSession, principal: Principal | None, entry: Nomination
) -> AmbassadorNomination:
    # Whoever may nominate at least themself (a signed-in person) gets past here; the right
    # for this nominee is judged once the nominee and their chapters are known.
    caller = authz.require_caller(principal, Action.AMBASSADOR_NOMINATE, person_id=_own(principal))
    errors = required_text(entry.statement, "statement", TEXT_LIMIT)
    errors += check_evidence(entry.evidence_urls)
    if errors:
        raise InvalidInput(*errors)
    await get_row(session, Person, entry.person_id, "Person", "person_id")
    nominated_as, chapter_id = await _nominating_right(session, caller, entry)
    program = await get_program(session, entry.program_id, "program_id")
    if not program.active:
        raise InvalidInput(
            FieldError("program_id", ErrorCode.INVALID, "The program takes no nominations now")
        )
    if await _serving(session, program.id, entry.person_id, today()):
        raise InvalidInput(
            FieldError("person_id", ErrorCode.CONFLICT, "This person already serves here")
        )
    nomination = AmbassadorNomination(
        program_id=program.id,
        person_id=entry.person_id,
        nominated_by_id=caller.person_id,
        nominated_as=nominated_as,
        chapter_id=chapter_id,
        statement=(entry.statement or "").strip(),
        evidence_urls=list(dict.fromkeys(url.strip() for url in entry.evidence_urls)),
        status=NominationStatus.PENDING,
    )
    session.add(nomination)
    await flush_unique(session, UNIQUE_NOMINATION)
    return nomination


async def _pending(session: AsyncSession, nomination_id: uuid.UUID) -> AmbassadorNomination:
    nomination = await get_row(
        session, AmbassadorNomination, nomination_id, "Ambassador nomination", lock=True
    )
    if nomination.status != NominationStatus.PENDING:
        raise InvalidInput(
            FieldError("id", ErrorCode.CONFLICT, f"The nomination is {nomination.status.value}")
        )
    return nomination


async def _overlapping(
    session: AsyncSession,
    program_id: uuid.UUID,
    person_id: uuid.UUID,
    starts_on: date,
    ends_on: date,
) -> bool:
    found = await session.scalar(
        select(AmbassadorTerm.id)
        .where(
            AmbassadorTerm.program_id == program_id,
            AmbassadorTerm.person_id == person_id,
            AmbassadorTerm.starts_on <= ends_on,
            AmbassadorTerm.ends_on >= starts_on,
        )
        .limit(1)
    )
    return found is not None


def _check_end(starts_on: date, ends_on: date, field: str = "ends_on") -> None:
    if ends_on <= starts_on:
        raise InvalidInput(FieldError(field, ErrorCode.INVALID, "A term ends after it starts"))
    if ends_on > add_months(starts_on, MAX_TERM_MONTHS):
        raise InvalidInput(
            FieldError(field, ErrorCode.INVALID, f"A term lasts at most {MAX_TERM_MONTHS} months")
        )


@dataclass(frozen=True)
class Accepted:
    nomination: AmbassadorNomination
    term: AmbassadorTerm


async def accept(
    session: AsyncSession,
    principal: Principal | None,
    nomination_id: uuid.UUID,
    *,
    starts_on: date,
    ends_on: date | None = None,
    chapter_id: Change[uuid.UUID | None] = UNSET,
) -> Accepted:
    """Accept a pending nomination: a term from ``starts_on`` to ``ends_on`` (by default the
    program's term length), for the nomination's chapter unless another is given."""
    caller = authz.require_caller(principal, Action.AMBASSADOR_REVIEW)
    nomination = await _pending(session, nomination_id)
    program = await get_program(session, nomination.program_id, "id")
    last_day = ends_on or default_end(starts_on, program.term_months)
    _check_end(starts_on, last_day)
    chapter = nomination.chapter_id if chapter_id is UNSET else chapter_id
    if chapter is not None:
        await get_row(session, Chapter, chapter, "Chapter", "chapter_id")
    if await _overlapping(session, program.id, nomination.person_id, starts_on, last_day):
        raise InvalidInput(
            FieldError("starts_on", ErrorCode.CONFLICT, "It overlaps a term the person holds")
        )
    term = AmbassadorTerm(
        program_id=program.id,
        person_id=nomination.person_id,
        chapter_id=chapter,
        nomination_id=nomination.id,
        starts_on=starts_on,
        ends_on=last_day,
        status=TermStatus.ACTIVE,
    )
    session.add(term)
    await session.flush()
    nomination.status = NominationStatus.ACCEPTED
    nomination.term_id = term.id
    nomination.reviewed_by_id = caller.person_id
    nomination.reviewed_at = datetime.now(UTC)
    await session.flush()
    return Accepted(nomination, term)


async def decline(
    session: AsyncSession, principal: Principal | None, nomination_id: uuid.UUID, reason: str | None
) -> AmbassadorNomination:
    caller = authz.require_caller(principal, Action.AMBASSADOR_REVIEW)
    errors = required_text(reason, "reason", TEXT_LIMIT)
    if errors:
        raise InvalidInput(*errors)
    nomination = await _pending(session, nomination_id)
    nomination.status = NominationStatus.DECLINED
    nomination.decline_reason = (reason or "").strip()
    nomination.reviewed_by_id = caller.person_id
    nomination.reviewed_at = datetime.now(UTC)
    await session.flush()
    return nomination


# Terms


@dataclass(frozen=True)
class Renewed:
    previous: AmbassadorTerm
    term: AmbassadorTerm


async def renew(
    session: AsyncSession,
    principal: Principal | None,
    term_id: uuid.UUID,
    *,
    ends_on: date | None = None,
) -> Renewed:
    """A new term from the day after ``term_id`` ends (to ``ends_on``, by default the
    program's term length); the previous one becomes ``renewed``."""
    authz.require(principal, Action.AMBASSADOR_REVIEW)
    previous = await get_row(session, AmbassadorTerm, term_id, "Ambassador term", lock=True)
    status = shown_status(previous)
    if status != TermStatus.ACTIVE:
        raise InvalidInput(
            FieldError("id", ErrorCode.CONFLICT, f"The term is {status.value}: nominate anew")
        )
    program = await get_program(session, previous.program_id, "id")
    starts_on = previous.ends_on + timedelta(days=1)
    last_day = ends_on or default_end(starts_on, program.term_months)
    _check_end(starts_on, last_day)
    if await _overlapping(session, program.id, previous.person_id, starts_on, last_day):
        raise InvalidInput(
            FieldError("ends_on", ErrorCode.CONFLICT, "It overlaps a term the person holds")
        )
    term = AmbassadorTerm(
        program_id=program.id,
        person_id=previous.person_id,
        chapter_id=previous.chapter_id,
        previous_term_id=previous.id,
        starts_on=starts_on,
        ends_on=last_day,
        status=TermStatus.ACTIVE,
    )
    session.add(term)
    previous.status = TermStatus.RENEWED
    previous.renewed_at = datetime.now(UTC)
    await session.flush()
    return Renewed(previous, term)


async def end_lapsed_terms(session: AsyncSession, on: date) -> int:
    """Store ``ended`` on the active terms whose last day is before ``on`` (the daily job).
    Row by row through the ORM, so the audit log records each transition."""
    terms = (
        await session.scalars(
            select(AmbassadorTerm)
            .where(AmbassadorTerm.status == TermStatus.ACTIVE, AmbassadorTerm.ends_on < on)
            .with_for_update(skip_locked=True)
        )
    ).all()
    now = datetime.now(UTC)
    for term in terms:
        term.status = TermStatus.ENDED
        term.ended_at = now
    await session.flush()
    return len(terms)
