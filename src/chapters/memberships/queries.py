"""What may be read of memberships, and by whom: a membership, its history, a chapter's
roster and membership history, and a person's memberships."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from chapters import authz
from chapters.authz import Action
from chapters.db.loaders import Reader
from chapters.db.pagination import Page, PageArgs, paginate
from chapters.errors import NotFound
from chapters.memberships.loaders import (
    ROSTER_ORDER,
    HistoryPage,
    PeriodFilter,
    RosterFilter,
    history_by_chapter,
    members_by_chapter,
    periods_by_membership,
)
from chapters.memberships.service import get_visible_membership
from chapters.models import ChapterMembership, ChapterMembershipPeriod

__all__ = [
    "HistoryPage",
    "PeriodFilter",
    "RosterFilter",
    "history",
    "membership",
    "memberships_of_person",
    "periods",
    "require_roster",
    "roster",
]


async def membership(reader: Reader, membership_id: uuid.UUID | None) -> ChapterMembership | None:
    """The membership, if the caller may read its chapter's roster or it is their own."""
    if membership_id is None:
        return None
    try:
        return await get_visible_membership(reader.session, reader.principal, membership_id)
    except NotFound:
        return None


async def periods(
    reader: Reader, membership_id: uuid.UUID, args: PageArgs
) -> Page[ChapterMembershipPeriod]:
    """Every role and status a membership has had, oldest first (for whoever sees the
    membership)."""
    page: Page[ChapterMembershipPeriod] = await reader.loaders.of(periods_by_membership, args).load(
        membership_id
    )
    return page


async def roster(
    reader: Reader, chapter_id: uuid.UUID, filters: RosterFilter, args: PageArgs
) -> Page[ChapterMembership]:
    """A page of the chapter's memberships matching the filters, oldest first, for those who
    may read its roster (else Forbidden)."""
    require_roster(reader, chapter_id)
    page: Page[ChapterMembership] = await reader.loaders.of(members_by_chapter, filters, args).load(
        chapter_id
    )
    return page


def require_roster(reader: Reader, chapter_id: uuid.UUID) -> None:
    """Forbidden unless the caller may read the chapter's roster."""
    authz.require(reader.principal, Action.CHAPTER_READ_ROSTER, chapter_id=chapter_id)


async def history(
    reader: Reader, chapter_id: uuid.UUID, filters: PeriodFilter, args: PageArgs
) -> HistoryPage:
    """A page of the chapter's membership periods matching the filters, oldest first, with
    their number, for those who may read its membership history (else Forbidden)."""
    authz.require(reader.principal, Action.CHAPTER_READ_HISTORY, chapter_id=chapter_id)
    counted: HistoryPage = await reader.loaders.of(history_by_chapter, filters, args).load(
        chapter_id
    )
    return counted


async def memberships_of_person(
    reader: Reader, person_id: uuid.UUID, args: PageArgs
) -> Page[ChapterMembership]:
    """A person's memberships that the caller may see, oldest first: all of them for staff
    and the person, else those in chapters whose roster the caller may read."""
    principal = reader.principal
    statement = select(ChapterMembership).where(ChapterMembership.person_id == person_id)
    if not (
        authz.can(principal, Action.CHAPTER_READ_ROSTER)
        or authz.can(principal, Action.MEMBERSHIP_LEAVE, person_id=person_id)
    ):
        readable = set(principal.chapter_roles) if principal else set()
        statement = statement.where(ChapterMembership.chapter_id.in_(readable))
    return await paginate(reader.session, statement, ROSTER_ORDER, args)
