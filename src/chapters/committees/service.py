"""Use cases on committees and their seats. Services validate, ask the policy, write, and never
commit (the request's transaction does).

A seat is a person's place on a committee for a term ``[starts_on, ends_on)``: held from
``starts_on`` up to, not including, ``ends_on`` (open-ended while ``ends_on`` is null). Half-open
terms let one seat end on the day the next begins (a member who becomes chair: end the member
seat and add the chair seat on the same date) and let a seat that never took effect be ended on
its first day, leaving an empty term. Seats are never deleted: ending one records ``ends_on``,
so past terms stay queryable.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters import authz
from chapters.auth.principal import Principal
from chapters.authz import Action
from chapters.changes import UNSET, Changes
from chapters.committees.loaders import today_by_tenant
from chapters.db import flush_unique, get_row
from chapters.errors import ErrorCode, FieldError, InvalidInput, NotFound
from chapters.models import Committee, CommitteeKind, CommitteeSeat, Person, SeatRole
from chapters.validation import check_date_order, check_length, required_text

NAME_LIMIT = 200
DESCRIPTION_LIMIT = 5000


@dataclass(frozen=True, kw_only=True)
class CommitteeFields(Changes):
    """Committee fields; in updates, UNSET leaves a field as it is and None clears it."""

    name: Any = UNSET
    kind: Any = UNSET
    description: Any = UNSET


@dataclass(frozen=True)
class CommitteeFilter:
    kinds: tuple[CommitteeKind, ...] = ()
    text: str | None = None


@dataclass(frozen=True)
class SeatFilter:
    """``held_on`` keeps only the seats held on that day; None keeps every seat."""

    held_on: date | None = None


def is_held_on(starts_on: date, ends_on: date | None, day: date) -> bool:
    """Whether a term ``[starts_on, ends_on)`` covers ``day`` (``_held_on`` in SQL)."""
    return starts_on <= day and (ends_on is None or day < ends_on)


def _held_on(day: date) -> ColumnElement[bool]:
    return and_(
        CommitteeSeat.starts_on <= day,
        or_(CommitteeSeat.ends_on.is_(None), CommitteeSeat.ends_on > day),
    )


async def tenant_today(session: AsyncSession, tenant_id: uuid.UUID) -> date:
    """Today's date in the tenant's timezone: the day terms are measured against."""
    (today,) = await today_by_tenant(session, [tenant_id])
    return today


def committee_query(principal: Principal | None, filters: CommitteeFilter) -> Select:
    """Committees matching the filters; signed-in people of the tenant may list them."""
    authz.require(principal, Action.COMMITTEE_READ)
    conditions: list[ColumnElement[bool]] = []
    if filters.kinds:
        conditions.append(Committee.kind.in_(filters.kinds))
    if filters.text and filters.text.strip():
        pattern = f"%{_escape_like(filters.text.strip())}%"
        conditions.append(
            or_(
                Committee.name.ilike(pattern, escape="\\"),
                Committee.description.ilike(pattern, escape="\\"),
            )
        )
    statement = select(Committee)
    return statement.where(and_(*conditions)) if conditions else statement


def seat_query(filters: SeatFilter) -> Select:
    statement = select(CommitteeSeat)
    if filters.held_on is not None:
        statement = statement.where(_held_on(filters.held_on))
    return statement


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _validate(values: dict[str, Any], *, creating: bool) -> list[FieldError]:
    errors: list[FieldError] = []
    if creating or "name" in values:
        errors += required_text(values.get("name"), "name", NAME_LIMIT)
    if (creating or "kind" in values) and values.get("kind") is None:
        errors.append(FieldError("kind", ErrorCode.REQUIRED, "A committee needs a kind"))
    errors += check_length(values.get("description"), "description", DESCRIPTION_LIMIT)
    return errors


def _normalized(values: dict[str, Any]) -> dict[str, Any]:
    """Names are stored trimmed; a blank description is no description."""
    if "name" in values:
        values["name"] = values["name"].strip()
    if "description" in values and values["description"] is not None:
        values["description"] = values["description"].strip() or None
    return values


async def _check_name_free(
    session: AsyncSession, name: str, committee_id: uuid.UUID | None
) -> None:
    """Committee names are unique in a tenant, ignoring case: "Steering" and "steering" would
    confuse everyone. The database's unique constraint (exact match) backs this up against
    concurrent writers, see ``_flush_unique``."""
    statement = select(Committee.id).where(func.lower(Committee.name) == name.lower())
    if committee_id is not None:
        statement = statement.where(Committee.id != committee_id)
    if await session.scalar(statement.limit(1)) is not None:
        raise InvalidInput(NAME_TAKEN)


NAME_TAKEN = FieldError("name", ErrorCode.CONFLICT, "Another committee has this name")
UNIQUE_NAME = {"uq_committees_tenant_id_name": NAME_TAKEN}


async def get_committee(
    session: AsyncSession, committee_id: uuid.UUID, field: str = "id", *, lock: bool = False
) -> Committee:
    return await get_row(session, Committee, committee_id, "Committee", field, lock=lock)


async def create_committee(
    session: AsyncSession, principal: Principal | None, fields: CommitteeFields
) -> Committee:
    authz.require(principal, Action.COMMITTEE_MANAGE)
    values = fields.given()
    errors = _validate(values, creating=True)
    if errors:
        raise InvalidInput(*errors)
    values = _normalized(values)
    await _check_name_free(session, values["name"], None)
    committee = Committee(**values)
    session.add(committee)
    await flush_unique(session, UNIQUE_NAME)
    return committee


async def update_committee(
    session: AsyncSession,
    principal: Principal | None,
    committee_id: uuid.UUID,
    fields: CommitteeFields,
) -> Committee:
    authz.require(principal, Action.COMMITTEE_MANAGE)
    committee = await get_committee(session, committee_id)
    values = fields.given()
    errors = _validate(values, creating=False)
    if errors:
        raise InvalidInput(*errors)
    values = _normalized(values)
    if "name" in values:
        await _check_name_free(session, values["name"], committee.id)
    for key, value in values.items():
        setattr(committee, key, value)
    await flush_unique(session, UNIQUE_NAME)
    return committee


async def _person_exists(session: AsyncSession, person_id: uuid.UUID) -> None:
    if await session.scalar(select(Person.id).where(Person.id == person_id)) is None:
        raise NotFound("Person", field="personId")


async def _check_no_overlap(
    session: AsyncSession,
    committee_id: uuid.UUID,
    person_id: uuid.UUID,
    starts_on: date,
    ends_on: date | None,
) -> None:
    """One person, one seat on a committee at any time: a new term may not overlap another
    term of the same person on the same committee, past, current or upcoming (empty terms
    never overlap anything). A change of role is the end of one seat and the start of the
    next. Several people may share a role (co-chairs are common), so roles are not limited."""
    if ends_on == starts_on:
        return
    conditions = [
        CommitteeSeat.committee_id == committee_id,
        CommitteeSeat.person_id == person_id,
        or_(CommitteeSeat.ends_on.is_(None), CommitteeSeat.ends_on > starts_on),
        or_(CommitteeSeat.ends_on.is_(None), CommitteeSeat.ends_on > CommitteeSeat.starts_on),
    ]
    if ends_on is not None:
        conditions.append(CommitteeSeat.starts_on < ends_on)
    clash = await session.scalar(select(CommitteeSeat).where(*conditions).limit(1))
    if clash is not None:
        until = f"until {clash.ends_on}" if clash.ends_on else "with no end date"
        raise InvalidInput(
            FieldError(
                "personId",
                ErrorCode.CONFLICT,
                f"This person already holds a seat on this committee from {clash.starts_on} "
                f"{until}",
            )
        )


async def add_seat(
    session: AsyncSession,
    principal: Principal | None,
    committee_id: uuid.UUID,
    person_id: uuid.UUID,
    *,
    role: SeatRole = SeatRole.MEMBER,
    starts_on: date | None = None,
    ends_on: date | None = None,
) -> CommitteeSeat:
    """Seat a person on a committee; the term starts today (in the tenant's timezone) unless
    given. Past terms may be recorded too. The committee row is locked for the rest of the
    transaction, so two concurrent additions for one person cannot both pass the overlap check.
    """
    authz.require(principal, Action.COMMITTEE_MANAGE)
    committee = await get_committee(session, committee_id, "committeeId", lock=True)
    if starts_on is None:
        starts_on = await tenant_today(session, principal.tenant_id)
    errors = check_date_order(starts_on, ends_on, "endsOn")
    if errors:
        raise InvalidInput(*errors)
    await _person_exists(session, person_id)
    await _check_no_overlap(session, committee.id, person_id, starts_on, ends_on)
    seat = CommitteeSeat(
        committee_id=committee.id,
        person_id=person_id,
        role=role,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    session.add(seat)
    await session.flush()
    return seat


async def get_seat(
    session: AsyncSession, seat_id: uuid.UUID, field: str = "seatId"
) -> CommitteeSeat:
    return await get_row(session, CommitteeSeat, seat_id, "Committee seat", field)


def _has_ended(seat: CommitteeSeat, today: date) -> bool:
    """No longer held, and never to be again: its end date has come, or its term is empty."""
    return seat.ends_on is not None and (seat.ends_on <= today or seat.ends_on == seat.starts_on)


async def end_seat(
    session: AsyncSession,
    principal: Principal | None,
    seat_id: uuid.UUID,
    *,
    ends_on: date | None = None,
) -> CommitteeSeat:
    """End a seat's term on ``ends_on``: the first day the person no longer holds it. By default
    today, or the seat's first day if it has not started yet (withdrawing it). A seat that has
    ended cannot be ended again; a seat with an end date still ahead may be ended earlier, never
    later (a new term is a new seat)."""
    authz.require(principal, Action.COMMITTEE_MANAGE)
    seat = await get_seat(session, seat_id)
    today = await tenant_today(session, principal.tenant_id)
    if _has_ended(seat, today):
        raise InvalidInput(
            FieldError("seatId", ErrorCode.INVALID, f"This seat already ended on {seat.ends_on}")
        )
    if ends_on is None:
        ends_on = max(today, seat.starts_on)
    errors = check_date_order(seat.starts_on, ends_on, "endsOn")
    if seat.ends_on is not None and ends_on >= seat.ends_on:
        errors.append(
            FieldError(
                "endsOn",
                ErrorCode.INVALID,
                f"The term already ends on {seat.ends_on}; it can only be ended earlier",
            )
        )
    if errors:
        raise InvalidInput(*errors)
    seat.ends_on = ends_on
    await session.flush()
    return seat
