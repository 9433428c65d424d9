"""Batch loads for memberships and their history (used through ``reader.loaders.of(...)``).
They decide no access: the read functions of ``memberships.queries`` do."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.db.pagination import Ordering, Page, PageArgs, paginate_per_parent
from chapters.models import (
    ChapterMembership,
    ChapterMembershipPeriod,
    ChapterRole,
    MembershipStatus,
    Person,
)

ROSTER_ORDER = Ordering((ChapterMembership.created_at, ChapterMembership.id))
PERIOD_ORDER = Ordering((ChapterMembershipPeriod.started_at, ChapterMembershipPeriod.id))


@dataclass(frozen=True)
class RosterFilter:
    """Memberships with any of these roles and any of these statuses (empty: any)."""

    roles: tuple[ChapterRole, ...] = ()
    statuses: tuple[MembershipStatus, ...] = ()

    def conditions(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if self.roles:
            conditions.append(ChapterMembership.role.in_(self.roles))
        if self.statuses:
            conditions.append(ChapterMembership.status.in_(self.statuses))
        return conditions


@dataclass(frozen=True)
class PeriodFilter:
    """Membership periods with any of these roles and statuses (empty: any), current at some
    time in ``overlapping``, or that started (the change happened) in ``started_within``;
    each range is [start, end)."""

    roles: tuple[ChapterRole, ...] = ()
    statuses: tuple[MembershipStatus, ...] = ()
    overlapping: tuple[datetime, datetime] | None = None
    started_within: tuple[datetime, datetime] | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        period = ChapterMembershipPeriod
        if self.roles:
            conditions.append(period.role.in_(self.roles))
        if self.statuses:
            conditions.append(period.status.in_(self.statuses))
        if self.overlapping is not None:
            start, end = self.overlapping
            conditions.append(period.started_at < end)
            conditions.append(or_(period.ended_at.is_(None), period.ended_at > start))
        if self.started_within is not None:
            start, end = self.started_within
            conditions.append(period.started_at >= start)
            conditions.append(period.started_at < end)
        return conditions


@dataclass(frozen=True)
class HistoryPage:
    """A page of a chapter's membership history, and how many periods match in all."""

    page: Page[ChapterMembershipPeriod]
    total_count: int


async def members_by_chapter(
    session: AsyncSession,
    filters: RosterFilter,
    args: PageArgs,
    chapter_ids: Sequence[uuid.UUID],
) -> list[Page[ChapterMembership]]:
    """A page of each chapter's roster, oldest membership first."""
    statement = select(ChapterMembership).where(*filters.conditions())
    return await paginate_per_parent(
        session, statement, ChapterMembership.chapter_id, chapter_ids, ROSTER_ORDER, args
    )


async def periods_by_membership(
    session: AsyncSession, args: PageArgs, membership_ids: Sequence[uuid.UUID]
) -> list[Page[ChapterMembershipPeriod]]:
    """A page of each membership's periods, oldest first."""
    return await paginate_per_parent(
        session,
        select(ChapterMembershipPeriod),
        ChapterMembershipPeriod.membership_id,
        membership_ids,
        PERIOD_ORDER,
        args,
    )


async def history_by_chapter(
    session: AsyncSession,
    filters: PeriodFilter,
    args: PageArgs,
    chapter_ids: Sequence[uuid.UUID],
) -> list[HistoryPage]:
    """A page of each chapter's membership periods matching the filters, oldest first, with
    the number of matching periods."""
    statement = select(ChapterMembershipPeriod).where(*filters.conditions())
    pages = await paginate_per_parent(
        session, statement, ChapterMembershipPeriod.chapter_id, chapter_ids, PERIOD_ORDER, args
    )
    counted = statement.where(ChapterMembershipPeriod.chapter_id.in_(chapter_ids))
    counts = await _count_by_chapter(session, counted)
    return [
        HistoryPage(page, counts.get(chapter_id, 0))
        for chapter_id, page in zip(chapter_ids, pages, strict=True)
    ]


async def _count_by_chapter(
    session: AsyncSession, statement: Select[ChapterMembershipPeriod]
) -> dict[uuid.UUID, int]:
    matching = statement.subquery()
    rows = await session.execute(
        select(matching.c.chapter_id, func.count()).group_by(matching.c.chapter_id)
    )
    return {chapter_id: count for chapter_id, count in rows}


@dataclass(frozen=True)
class ChaptersOfPerson:
    """The chapters a person has to do with, as the visibility rules of ``authz`` need them."""

    active: set[uuid.UUID] = field(default_factory=set)  # an active member of
    any_status: set[uuid.UUID] = field(default_factory=set)  # invited, active or left
    # Invited by the address the person still has: their leads typed it.
    invited_with_this_email: set[uuid.UUID] = field(default_factory=set)


async def chapters_by_person(
    session: AsyncSession, person_ids: Sequence[uuid.UUID]
) -> list[ChaptersOfPerson]:
    """Each person's chapters, in one statement for the whole batch. An invitation by id
    grants nothing until it is accepted: an invitee is not yet a member, so the inviting lead
    does not see their email (the lead never typed the address); an invitation by email
    names the address, so the chapter's leads see it while it is still the person's."""
    rows = await session.execute(
        select(
            ChapterMembership.person_id,
            ChapterMembership.chapter_id,
            ChapterMembership.status,
            ChapterMembership.invited_email == func.lower(Person.email),
        )
        .join(Person, Person.id == ChapterMembership.person_id)
        .where(ChapterMembership.person_id.in_(person_ids))
    )
    chapters = {person_id: ChaptersOfPerson() for person_id in person_ids}
    for person_id, chapter_id, status, typed_email in rows:
        of_person = chapters[person_id]
        of_person.any_status.add(chapter_id)
        if status == MembershipStatus.ACTIVE:
            of_person.active.add(chapter_id)
        if typed_email:
            of_person.invited_with_this_email.add(chapter_id)
    return [chapters[person_id] for person_id in person_ids]
