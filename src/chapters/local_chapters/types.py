from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry import relay

from chapters import authz
from chapters import models as m
from chapters.api.ids import LoadedNode
from chapters.api.loaders import rows_by_id
from chapters.api.pagination import Ordering, PageArgs, paginate_per_parent
from chapters.authz import Action
from chapters.errors import Forbidden
from chapters.local_chapters.loaders import status_history_by_chapter
from chapters.memberships import service as membership_service
from chapters.memberships.types import (
    ChapterMembershipConnection,
    ChapterRoleType,
    MembershipPeriodConnection,
    MembershipStatusType,
    history_page_by_chapter,
    members_page_by_chapter,
    require_roster,
)
from chapters.models import Chapter, ChapterStatus, MembershipStatus
from chapters.people.types import PersonType, load_person

if TYPE_CHECKING:
    from chapters.committees.types import CommitteeType

ChapterStatusType = strawberry.enum(ChapterStatus, name="ChapterStatus")
CHILD_ORDER = Ordering((Chapter.name, Chapter.id))


@strawberry.type(description="A way to reach a chapter: website, WeChat account, mailing list …")
class ContactLink:
    kind: str
    url: str


@strawberry.type(name="ChapterStatusChange")
class ChapterStatusChangeType:
    from_status: ChapterStatusType | None
    to_status: ChapterStatusType
    reason: str | None
    changed_at: datetime
    changed_by_id: strawberry.Private[uuid.UUID | None]

    @strawberry.field
    async def changed_by(self, info: strawberry.Info) -> PersonType | None:
        return await load_person(info, self.changed_by_id)


@strawberry.type(name="Chapter", description="A city or regional chapter of the community.")
class ChapterType(LoadedNode, relay.Node):
    id: relay.NodeID[str]
    name: str
    slug: str
    city: str | None
    region: str | None
    country: str | None
    timezone: str
    description: str | None
    status: ChapterStatusType
    founded_on: date | None
    contact_links: list[ContactLink]
    created_at: datetime
    updated_at: datetime
    uuid: strawberry.Private[uuid.UUID]
    parent_id: strawberry.Private[uuid.UUID | None]
    committee_id: strawberry.Private[uuid.UUID | None]

    @classmethod
    def from_model(cls, chapter: m.Chapter) -> ChapterType:
        return cls(
            id=str(chapter.id),
            uuid=chapter.id,
            name=chapter.name,
            slug=chapter.slug,
            city=chapter.city,
            region=chapter.region,
            country=chapter.country,
            timezone=chapter.timezone,
            description=chapter.description,
            status=chapter.status,
            founded_on=chapter.founded_on,
            contact_links=[
                ContactLink(kind=link["kind"], url=link["url"]) for link in chapter.contact_links
            ],
            created_at=chapter.created_at,
            updated_at=chapter.updated_at,
            parent_id=chapter.parent_id,
            committee_id=chapter.committee_id,
        )

    @strawberry.field
    async def parent(self, info: strawberry.Info) -> ChapterType | None:
        return await load_chapter(info, self.parent_id)

    @strawberry.field(description="Sub-chapters (e.g. the city chapters of a region).")
    async def children(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> ChapterConnection:
        args = PageArgs(first=first, after=after)
        return await info.context.loaders.of(children_page_by_parent, args).load(self.uuid)

    @strawberry.field
    async def committee(
        self, info: strawberry.Info
    ) -> Annotated[CommitteeType, strawberry.lazy("chapters.committees.types")] | None:
        from chapters.committees.types import load_committee

        return await load_committee(info, self.committee_id)

    @strawberry.field(description="Every status the chapter has had, oldest first.")
    async def status_history(self, info: strawberry.Info) -> list[ChapterStatusChangeType]:
        changes = await info.context.loaders.of(status_history_by_chapter).load(self.uuid)
        return [
            ChapterStatusChangeType(
                from_status=c.from_status,
                to_status=c.to_status,
                reason=c.reason,
                changed_at=c.changed_at,
                changed_by_id=c.changed_by_id,
            )
            for c in changes
        ]

    @strawberry.field(
        description="The roster (members, co-leads, the lead), current by default. Null, with a "
        "FORBIDDEN error, for callers who may not read it."
    )
    async def members(
        self,
        info: strawberry.Info,
        role: list[ChapterRoleType] | None = None,
        status: list[MembershipStatusType] | None = strawberry.UNSET,
        first: int | None = None,
        after: str | None = None,
    ) -> ChapterMembershipConnection | None:
        require_roster(info, self.uuid)
        statuses = [MembershipStatus.ACTIVE] if status is strawberry.UNSET else (status or [])
        filters = membership_service.RosterFilter(roles=tuple(role or ()), statuses=tuple(statuses))
        args = PageArgs(first=first, after=after)
        return await info.context.loaders.of(members_page_by_chapter, filters, args).load(self.uuid)

    @strawberry.field(
        description="The membership history: each period of one role and status. Filter by "
        "`overlapping` to ask who held a role during a time, by `startedWithin` to count "
        "changes such as members who left in a quarter."
    )
    async def membership_history(
        self,
        info: strawberry.Info,
        filter: MembershipHistoryFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> MembershipPeriodConnection | None:
        if not authz.can(info.context.principal, Action.CHAPTER_READ_HISTORY, chapter_id=self.uuid):
            raise Forbidden(Action.CHAPTER_READ_HISTORY.value)
        filters = (filter or MembershipHistoryFilter()).to_service()
        args = PageArgs(first=first, after=after)
        return await info.context.loaders.of(history_page_by_chapter, filters, args).load(self.uuid)

    @strawberry.field(description="The caller's role in this chapter, if an active member.")
    def viewer_role(self, info: strawberry.Info) -> ChapterRoleType | None:
        principal = info.context.principal
        return principal.chapter_roles.get(self.uuid) if principal else None

    @classmethod
    async def load(cls, info: strawberry.Info, chapter_id: uuid.UUID | None) -> ChapterType | None:
        return await load_chapter(info, chapter_id)


@strawberry.input(description="A time range [from, to).")
class TimeRange:
    start: datetime = strawberry.field(name="from")
    end: datetime = strawberry.field(name="to")


@strawberry.input
class MembershipHistoryFilter:
    role: list[ChapterRoleType] | None = None
    status: list[MembershipStatusType] | None = None
    overlapping: TimeRange | None = None
    started_within: TimeRange | None = None

    def to_service(self) -> membership_service.PeriodFilter:
        return membership_service.PeriodFilter(
            roles=tuple(self.role or ()),
            statuses=tuple(self.status or ()),
            overlapping=(self.overlapping.start, self.overlapping.end)
            if self.overlapping
            else None,
            started_within=(self.started_within.start, self.started_within.end)
            if self.started_within
            else None,
        )


@strawberry.type(name="ChapterConnection")
class ChapterConnection(relay.Connection[ChapterType]):
    pass


async def load_chapter(info: strawberry.Info, chapter_id: uuid.UUID | None) -> ChapterType | None:
    """Chapters are in the public directory: anyone who can reach the tenant may read them."""
    if chapter_id is None:
        return None
    chapter = await info.context.loaders.of(rows_by_id, m.Chapter).load(chapter_id)
    return ChapterType.from_model(chapter) if chapter else None


async def children_page_by_parent(
    session: AsyncSession, args: PageArgs, parent_ids: Sequence[uuid.UUID]
) -> list[ChapterConnection]:
    return await paginate_per_parent(
        session,
        Chapter,
        select(Chapter),
        Chapter.parent_id,
        parent_ids,
        CHILD_ORDER,
        args,
        ChapterType.from_model,
        ChapterConnection,
    )
