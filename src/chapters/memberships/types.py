from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, TypeAlias
from uuid import UUID

import strawberry
from strawberry import relay

from chapters import models as m
from chapters.api.connections import connection
from chapters.api.ids import LoadedNode
from chapters.db.pagination import PageArgs
from chapters.memberships import queries
from chapters.models import ChapterRole, MembershipStatus
from chapters.people.types import PersonType, load_person

if TYPE_CHECKING:
    from chapters.local_chapters.types import ChapterType

strawberry.enum(ChapterRole, name="ChapterRole")
strawberry.enum(MembershipStatus, name="MembershipStatus")
ChapterRoleType: TypeAlias = ChapterRole
MembershipStatusType: TypeAlias = MembershipStatus


async def _chapter(info: strawberry.Info, chapter_id: UUID) -> ChapterType | None:
    from chapters.local_chapters.types import load_chapter

    return await load_chapter(info, chapter_id)


@strawberry.type(name="ChapterMembership", description="A person's place in a chapter.")
class ChapterMembershipType(LoadedNode, relay.Node):
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
    uuid: strawberry.Private[UUID]
    chapter_id: strawberry.Private[UUID]
    person_id: strawberry.Private[UUID]

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
        page = await queries.periods(info.context, self.uuid, PageArgs(first=first, after=after))
        return connection(MembershipPeriodConnection, page, MembershipPeriodType.from_model)

    @classmethod
    async def load(
        cls, info: strawberry.Info, membership_id: UUID | None
    ) -> ChapterMembershipType | None:
        membership = await queries.membership(info.context, membership_id)
        return cls.from_model(membership) if membership else None


@strawberry.type(name="MembershipPeriod", description="A stretch of time with one role and status.")
class MembershipPeriodType:
    role: ChapterRoleType
    status: MembershipStatusType
    started_at: datetime
    ended_at: datetime | None = strawberry.field(description="Null while the period is current.")
    reason: str | None
    person_id: strawberry.Private[UUID]
    chapter_id: strawberry.Private[UUID]
    changed_by_id: strawberry.Private[UUID | None]

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


# A period is no relay Node (it has no id of its own), which strawberry accepts at run time.
@strawberry.type(name="MembershipPeriodConnection")
class MembershipPeriodConnection(relay.Connection[MembershipPeriodType]):  # type: ignore[type-var]
    total_count: int | None = strawberry.field(
        default=None, description="How many periods match the filter (on chapter history)."
    )


def history_connection(counted: queries.HistoryPage) -> MembershipPeriodConnection:
    """A page of a chapter's membership history (``memberships.queries.history``), with its
    total count."""
    history = connection(MembershipPeriodConnection, counted.page, MembershipPeriodType.from_model)
    history.total_count = counted.total_count
    return history


async def memberships_of_person(
    info: strawberry.Info, person_id: UUID, args: PageArgs
) -> ChapterMembershipConnection:
    """The person's memberships that the caller may see (``memberships.queries``)."""
    page = await queries.memberships_of_person(info.context, person_id, args)
    return connection(ChapterMembershipConnection, page, ChapterMembershipType.from_model)
