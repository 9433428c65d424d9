from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry import relay

from chapters import authz
from chapters import models as m
from chapters.api.pagination import Ordering, PageArgs, paginate, paginate_per_parent
from chapters.authz import Action
from chapters.errors import Forbidden, NotFound
from chapters.memberships import service
from chapters.models import (
    ChapterMembership,
    ChapterMembershipPeriod,
    ChapterRole,
    MembershipStatus,
)
from chapters.people.types import PersonType, load_person

if TYPE_CHECKING:
    from chapters.local_chapters.types import ChapterType

ChapterRoleType = strawberry.enum(ChapterRole, name="ChapterRole")
MembershipStatusType = strawberry.enum(MembershipStatus, name="MembershipStatus")

ROSTER_ORDER = Ordering((ChapterMembership.created_at, ChapterMembership.id))
PERIOD_ORDER = Ordering((ChapterMembershipPeriod.started_at, ChapterMembershipPeriod.id))


async def _chapter(info: strawberry.Info, chapter_id: uuid.UUID) -> ChapterType | None:
    from chapters.local_chapters.types import load_chapter

    return await load_chapter(info, chapter_id)


@strawberry.type(name="ChapterMembership", description="A person's place in a chapter.")
class ChapterMembershipType(relay.Node):
    id: relay.NodeID[str]
    role: ChapterRoleType
    status: MembershipStatusType
    joined_at: datetime | None = strawberry.field(
        description="When the current (or latest) stint as an active member began; a member "
        "who left and came back has the date they came back. Null if never active."
    )
    left_at: datetime | None = strawberry.field(
        description="When the latest stint ended (the member left or was removed, or the "
        "invitation was withdrawn); null while the person is an active member."
    )
    first_joined_at: datetime | None = strawberry.field(
        description="When the person first became an active member of the chapter: a "
        "returning member keeps their first date (not a newcomer). Null if never active."
    )
    invited_by_email: bool = strawberry.field(
        description="The invitation named the person by their email address "
        "(membershipInviteByEmail)."
    )
    uuid: strawberry.Private[uuid.UUID]
    chapter_id: strawberry.Private[uuid.UUID]
    person_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_model(cls, membership: m.ChapterMembership) -> ChapterMembershipType:
        return cls(
            id=str(membership.id),
            uuid=membership.id,
            role=membership.role,
            status=membership.status,
            joined_at=membership.joined_at,
            left_at=membership.left_at,
            first_joined_at=membership.first_joined_at,
            invited_by_email=membership.invited_email is not None,
            chapter_id=membership.chapter_id,
            person_id=membership.person_id,
        )

    @strawberry.field
    async def person(self, info: strawberry.Info) -> PersonType | None:
        return await load_person(info, self.person_id)

    @strawberry.field
    async def chapter(
        self, info: strawberry.Info
    ) -> Annotated[ChapterType, strawberry.lazy("chapters.local_chapters.types")] | None:
        return await _chapter(info, self.chapter_id)

    @strawberry.field(description="Every role and status this membership has had, oldest first.")
    async def history(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> MembershipPeriodConnection:
        args = PageArgs(first=first, after=after)
        return await info.context.loaders.of(periods_page_by_membership, args).load(self.uuid)

    @classmethod
    async def resolve_nodes(
        cls, *, info: strawberry.Info, node_ids: Iterable[str], required: bool = False
    ) -> list[ChapterMembershipType | None]:
        return list(await asyncio.gather(*(_visible(info, node_id) for node_id in node_ids)))


async def _visible(info: strawberry.Info, node_id: str) -> ChapterMembershipType | None:
    ctx = info.context
    try:
        membership_id = uuid.UUID(node_id)
        membership = await service.get_visible_membership(ctx.session, ctx.principal, membership_id)
    except (ValueError, NotFound):
        return None
    return ChapterMembershipType.from_model(membership)


@strawberry.type(name="MembershipPeriod", description="A stretch of time with one role and status.")
class MembershipPeriodType:
    role: ChapterRoleType
    status: MembershipStatusType
    started_at: datetime
    ended_at: datetime | None = strawberry.field(description="Null while the period is current.")
    reason: str | None
    person_id: strawberry.Private[uuid.UUID]
    chapter_id: strawberry.Private[uuid.UUID]
    changed_by_id: strawberry.Private[uuid.UUID | None]

    @classmethod
    def from_model(cls, period: m.ChapterMembershipPeriod) -> MembershipPeriodType:
        return cls(
            role=period.role,
            status=period.status,
            started_at=period.started_at,
            ended_at=period.ended_at,
            reason=period.reason,
            person_id=period.person_id,
            chapter_id=period.chapter_id,
            changed_by_id=period.changed_by_id,
        )

    @strawberry.field
    async def person(self, info: strawberry.Info) -> PersonType | None:
        return await load_person(info, self.person_id)

    @strawberry.field
    async def chapter(
        self, info: strawberry.Info
    ) -> Annotated[ChapterType, strawberry.lazy("chapters.local_chapters.types")] | None:
        return await _chapter(info, self.chapter_id)

    @strawberry.field(description="Who made the change.")
    async def changed_by(self, info: strawberry.Info) -> PersonType | None:
        return await load_person(info, self.changed_by_id)


@strawberry.type(name="ChapterMembershipConnection")
class ChapterMembershipConnection(relay.Connection[ChapterMembershipType]):
    pass


@strawberry.type(name="MembershipPeriodConnection")
class MembershipPeriodConnection(relay.Connection[MembershipPeriodType]):
    total_count: int | None = strawberry.field(
        default=None, description="How many periods match the filter (on chapter history)."
    )


async def members_page_by_chapter(
    session: AsyncSession,
    filters: service.RosterFilter,
    args: PageArgs,
    chapter_ids: Sequence[uuid.UUID],
) -> list[ChapterMembershipConnection]:
    return await paginate_per_parent(
        session,
        ChapterMembership,
        service.roster_query(filters),
        ChapterMembership.chapter_id,
        chapter_ids,
        ROSTER_ORDER,
        args,
        ChapterMembershipType.from_model,
        ChapterMembershipConnection,
    )


async def periods_page_by_membership(
    session: AsyncSession, args: PageArgs, membership_ids: Sequence[uuid.UUID]
) -> list[MembershipPeriodConnection]:
    return await paginate_per_parent(
        session,
        ChapterMembershipPeriod,
        select(ChapterMembershipPeriod),
        ChapterMembershipPeriod.membership_id,
        membership_ids,
        PERIOD_ORDER,
        args,
        MembershipPeriodType.from_model,
        MembershipPeriodConnection,
    )


async def history_page_by_chapter(
    session: AsyncSession,
    filters: service.PeriodFilter,
    args: PageArgs,
    chapter_ids: Sequence[uuid.UUID],
) -> list[MembershipPeriodConnection]:
    statement = service.period_query(filters)
    pages = await paginate_per_parent(
        session,
        ChapterMembershipPeriod,
        statement,
        ChapterMembershipPeriod.chapter_id,
        chapter_ids,
        PERIOD_ORDER,
        args,
        MembershipPeriodType.from_model,
        MembershipPeriodConnection,
    )
    counted = statement.where(ChapterMembershipPeriod.chapter_id.in_(chapter_ids))
    counts = await _count_by_chapter(session, counted)
    for chapter_id, page in zip(chapter_ids, pages, strict=True):
        page.total_count = counts.get(chapter_id, 0)
    return pages


async def _count_by_chapter(session: AsyncSession, statement) -> dict[uuid.UUID, int]:
    matching = statement.subquery()
    rows = await session.execute(
        select(matching.c.chapter_id, func.count()).group_by(matching.c.chapter_id)
    )
    return dict(rows.all())


async def memberships_of_person(
    info: strawberry.Info, person_id: uuid.UUID, args: PageArgs
) -> ChapterMembershipConnection:
    """A person's memberships that the caller may see: all of them for staff and the person,
    else those in chapters whose roster the caller may read."""
    ctx = info.context
    statement = select(ChapterMembership).where(ChapterMembership.person_id == person_id)
    if not (
        authz.can(ctx.principal, Action.CHAPTER_READ_ROSTER)
        or authz.can(ctx.principal, Action.MEMBERSHIP_LEAVE, person_id=person_id)
    ):
        readable = set(ctx.principal.chapter_roles) if ctx.principal else set()
        statement = statement.where(ChapterMembership.chapter_id.in_(readable))
    return await paginate(
        ctx.session,
        statement,
        ROSTER_ORDER,
        args,
        ChapterMembershipType.from_model,
        ChapterMembershipConnection,
    )


def require_roster(info: strawberry.Info, chapter_id: uuid.UUID) -> None:
    if not authz.can(info.context.principal, Action.CHAPTER_READ_ROSTER, chapter_id=chapter_id):
        raise Forbidden(Action.CHAPTER_READ_ROSTER.value)
