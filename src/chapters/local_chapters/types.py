from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, TypeAlias
from uuid import UUID

import strawberry
from strawberry import relay

from chapters import models as m
from chapters.api.connections import connection
from chapters.api.ids import LoadedNode
from chapters.db.pagination import PageArgs
from chapters.insight import service as insight
from chapters.local_chapters import queries
from chapters.memberships import queries as membership_queries
from chapters.memberships.types import (
    ChapterMembershipConnection,
    ChapterMembershipType,
    ChapterRoleType,
    MembershipPeriodConnection,
    MembershipStatusType,
    history_connection,
)
from chapters.models import ChapterStatus, MembershipStatus
from chapters.people.types import PersonType, load_person

if TYPE_CHECKING:
    from chapters.committees.types import CommitteeType
    from chapters.insight.types import ChapterHealthType

strawberry.enum(ChapterStatus, name="ChapterStatus")
ChapterStatusType: TypeAlias = ChapterStatus


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
    changed_by_id: strawberry.Private[UUID | None]

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
    uuid: strawberry.Private[UUID]
    parent_id: strawberry.Private[UUID | None]
    committee_id: strawberry.Private[UUID | None]

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
        page = await queries.children(info.context, self.uuid, PageArgs(first=first, after=after))
        return connection(ChapterConnection, page, ChapterType.from_model)

    @strawberry.field
    async def committee(
        self, info: strawberry.Info
    ) -> Annotated[CommitteeType, strawberry.lazy("chapters.committees.types")] | None:
        from chapters.committees.types import load_committee

        return await load_committee(info, self.committee_id)

    @strawberry.field(description="Every status the chapter has had, oldest first.")
    async def status_history(self, info: strawberry.Info) -> list[ChapterStatusChangeType]:
        changes = await queries.status_history(info.context, self.uuid)
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
        statuses = [MembershipStatus.ACTIVE] if status is strawberry.UNSET else (status or [])
        filters = membership_queries.RosterFilter(roles=tuple(role or ()), statuses=tuple(statuses))
        args = PageArgs(first=first, after=after)
        page = await membership_queries.roster(info.context, self.uuid, filters, args)
        return connection(ChapterMembershipConnection, page, ChapterMembershipType.from_model)

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
        filters = (filter or MembershipHistoryFilter()).to_service()
        args = PageArgs(first=first, after=after)
        counted = await membership_queries.history(info.context, self.uuid, filters, args)
        return history_connection(counted)

    @strawberry.field(
        description="When the chapter last had an accepted activity, its own or co-hosted."
    )
    async def last_activity_at(self, info: strawberry.Info) -> datetime | None:
        return await insight.chapter_last_activity(info.context, info.context.tenant.id, self.uuid)

    @strawberry.field(
        description="The chapter's health now, over the tenant's at-risk window (null for "
        "callers who may not read its figures: they are staff's, viewers' and its leads')."
    )
    async def health(
        self, info: strawberry.Info
    ) -> Annotated[ChapterHealthType, strawberry.lazy("chapters.insight.types")] | None:
        from chapters.insight.types import ChapterHealthType

        row = await insight.chapter_health_now(info.context, info.context.tenant.id, self.uuid)
        return ChapterHealthType.of(row) if row else None

    @strawberry.field(description="The caller's role in this chapter, if an active member.")
    def viewer_role(self, info: strawberry.Info) -> ChapterRoleType | None:
        principal = info.context.principal
        return principal.chapter_roles.get(self.uuid) if principal else None

    @classmethod
    async def load(cls, info: strawberry.Info, chapter_id: UUID | None) -> ChapterType | None:
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

    def to_service(self) -> membership_queries.PeriodFilter:
        return membership_queries.PeriodFilter(
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


async def load_chapter(info: strawberry.Info, chapter_id: UUID | None) -> ChapterType | None:
    chapter = await queries.chapter(info.context, chapter_id)
    return ChapterType.from_model(chapter) if chapter else None
