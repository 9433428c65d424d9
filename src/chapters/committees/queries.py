"""What may be read of committees and their seats: signed-in people of the tenant read them;
seats are as visible as their committees."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, select

from chapters import authz
from chapters.authz import Action
from chapters.committees.loaders import seats_by_committee
from chapters.committees.service import is_held_on, tenant_today
from chapters.db.filters import contains_text
from chapters.db.loaders import Reader, rows_by_id
from chapters.db.pagination import Ordering, Page, PageArgs, paginate
from chapters.models import Committee, CommitteeKind, CommitteeSeat

BY_NAME = Ordering((Committee.name, Committee.id))


@dataclass(frozen=True)
class CommitteeFilter:
    kinds: tuple[CommitteeKind, ...] = ()
    text: str | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if self.kinds:
            conditions.append(Committee.kind.in_(self.kinds))
        if self.text and self.text.strip():
            conditions.append(contains_text(self.text, Committee.name, Committee.description))
        return conditions


def may_read(reader: Reader) -> bool:
    return authz.can(reader.principal, Action.COMMITTEE_READ)


async def committees(reader: Reader, filters: CommitteeFilter, args: PageArgs) -> Page[Committee]:
    """The committees matching the filters, by name."""
    authz.require(reader.principal, Action.COMMITTEE_READ)
    statement = select(Committee).where(*filters.conditions())
    return await paginate(reader.session, statement, BY_NAME, args)


async def committee(reader: Reader, committee_id: uuid.UUID | None) -> Committee | None:
    if committee_id is None or not may_read(reader):
        return None
    row: Committee | None = await reader.loaders.of(rows_by_id, Committee).load(committee_id)
    return row


async def seat(reader: Reader, seat_id: uuid.UUID | None) -> CommitteeSeat | None:
    if seat_id is None or not may_read(reader):
        return None
    row: CommitteeSeat | None = await reader.loaders.of(rows_by_id, CommitteeSeat).load(seat_id)
    return row


async def seats(
    reader: Reader,
    committee_id: uuid.UUID,
    *,
    current: bool,
    as_of: date | None,
    args: PageArgs,
) -> Page[CommitteeSeat]:
    """The seats of a readable committee, longest-serving first: those held on ``as_of``;
    without it, those held today (``current``) or every seat, ended and upcoming ones
    included."""
    day = as_of or (await tenant_today(reader) if current else None)
    page: Page[CommitteeSeat] = await reader.loaders.of(seats_by_committee, day, args).load(
        committee_id
    )
    return page


async def is_held_today(reader: Reader, starts_on: date, ends_on: date | None) -> bool:
    """Whether a term ``[starts_on, ends_on)`` covers today, in the tenant's timezone."""
    return is_held_on(starts_on, ends_on, await tenant_today(reader))
