"""Channels, publications and reach as the API shows them. What a caller may see is decided
by ``channels.queries``: reach figures are null (or empty) for callers who may not read them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, TypeAlias
from uuid import UUID

import strawberry
from strawberry import relay

from chapters.api.ids import LoadedNode, decode_id
from chapters.channels import queries
from chapters.channels.service import PublicationEntry
from chapters.models import Channel, ChannelKind, Publication, ReachReading
from chapters.people.types import PersonType, load_person

if TYPE_CHECKING:
    from chapters.activities.types import ActivityType
    from chapters.articles.types import ArticleType
    from chapters.newsletters.types import NewsletterIssueType

strawberry.enum(
    ChannelKind,
    name="ChannelKind",
    description="WEBSITE, WECHAT (official account), VIDEO (a video platform), GITHUB, "
    "TECH_SITE (a technical community site), NEWSLETTER (a mailing list), OTHER.",
)
ChannelKindType: TypeAlias = ChannelKind


@strawberry.type(
    name="Channel",
    description="Where the tenant publishes: its website, WeChat official account, a video "
    "platform … A retired channel takes no new publications.",
)
class ChannelType(LoadedNode, relay.Node):
    id: relay.NodeID[str]
    name: str
    kind: ChannelKindType
    url: str | None = strawberry.field(description="The channel's home (http or https).")
    retired: bool
    created_at: datetime
    updated_at: datetime
    uuid: strawberry.Private[UUID]

    @classmethod
    def from_model(cls, channel: Channel) -> ChannelType:
        return cls(
            id=str(channel.id),
            uuid=channel.id,
            name=channel.name,
            kind=channel.kind,
            url=channel.url,
            retired=channel.retired,
            created_at=channel.created_at,
            updated_at=channel.updated_at,
        )

    @classmethod
    async def load(cls, info: strawberry.Info, object_id: UUID | None) -> ChannelType | None:
        row = await queries.channel(info.context, object_id)
        return cls.from_model(row) if row else None


async def load_channel(info: strawberry.Info, channel_id: UUID | None) -> ChannelType | None:
    return await ChannelType.load(info, channel_id)


@strawberry.type(
    name="ReachReading",
    description="A publication's figures as read on a day. Each figure is the cumulative "
    "total as of that day (reads so far, views so far …), null where it was not read.",
)
class ReachReadingType:
    read_on: date = strawberry.field(description="The day the figures were read.")
    reads: int | None
    views: int | None
    likes: int | None
    followers_gained: int | None = strawberry.field(
        description="Followers the publication brought so far."
    )
    recorded_at: datetime
    recorded_by_id: strawberry.Private[UUID | None]

    @classmethod
    def from_model(cls, reading: ReachReading) -> ReachReadingType:
        return cls(
            read_on=reading.read_on,
            reads=reading.reads,
            views=reading.views,
            likes=reading.likes,
            followers_gained=reading.followers_gained,
            recorded_at=reading.recorded_at,
            recorded_by_id=reading.recorded_by_id,
        )

    @strawberry.field(description="Who entered the figures.")
    async def recorded_by(self, info: strawberry.Info) -> PersonType | None:
        return await load_person(info, self.recorded_by_id)


@strawberry.type(
    name="Publication",
    description="One piece of content on one channel: an article, a newsletter issue or an "
    "activity's recording (exactly one of `article`, `newsletterIssue`, `activity` is set, "
    "when the caller may read it), with its address there and the day it appeared.",
)
class PublicationType(LoadedNode, relay.Node):
    id: relay.NodeID[str]
    url: str | None
    published_on: date
    created_at: datetime
    uuid: strawberry.Private[UUID]
    channel_id: strawberry.Private[UUID]
    article_id: strawberry.Private[UUID | None]
    newsletter_issue_id: strawberry.Private[UUID | None]
    activity_id: strawberry.Private[UUID | None]

    @classmethod
    def from_model(cls, publication: Publication) -> PublicationType:
        return cls(
            id=str(publication.id),
            uuid=publication.id,
            url=publication.url,
            published_on=publication.published_on,
            created_at=publication.created_at,
            channel_id=publication.channel_id,
            article_id=publication.article_id,
            newsletter_issue_id=publication.newsletter_issue_id,
            activity_id=publication.activity_id,
        )

    @strawberry.field
    async def channel(self, info: strawberry.Info) -> ChannelType | None:
        return await load_channel(info, self.channel_id)

    @strawberry.field(description="The article published, if this is one.")
    async def article(
        self, info: strawberry.Info
    ) -> Annotated[ArticleType, strawberry.lazy("chapters.articles.types")] | None:
        from chapters.articles.types import load_article

        return await load_article(info, self.article_id)

    @strawberry.field(description="The newsletter issue published, if this is one.")
    async def newsletter_issue(
        self, info: strawberry.Info
    ) -> Annotated[NewsletterIssueType, strawberry.lazy("chapters.newsletters.types")] | None:
        from chapters.newsletters.types import NewsletterIssueType

        if self.newsletter_issue_id is None:
            return None
        loaded: NewsletterIssueType | None = await NewsletterIssueType.load(
            info, self.newsletter_issue_id
        )
        return loaded

    @strawberry.field(description="The activity whose recording this is, if one.")
    async def activity(
        self, info: strawberry.Info
    ) -> Annotated[ActivityType, strawberry.lazy("chapters.activities.types")] | None:
        from chapters.activities.types import load_activity

        return await load_activity(info, self.activity_id)

    @strawberry.field(
        description="The most recent reach reading: cumulative totals as of its day (null: "
        "never read, or not the caller's to see)."
    )
    async def latest_reading(self, info: strawberry.Info) -> ReachReadingType | None:
        reading = await queries.latest_reading(info.context, self.uuid)
        return ReachReadingType.from_model(reading) if reading else None

    @strawberry.field(
        description="Every reach reading, the earliest first (empty for callers who may not "
        "read reach)."
    )
    async def readings(self, info: strawberry.Info) -> list[ReachReadingType]:
        rows = await queries.readings(info.context, self.uuid)
        return [ReachReadingType.from_model(row) for row in rows]

    @classmethod
    async def load(cls, info: strawberry.Info, object_id: UUID | None) -> PublicationType | None:
        row = await queries.publication(info.context, object_id)
        return cls.from_model(row) if row else None


def publication_list(rows: Sequence[Publication]) -> list[PublicationType]:
    return [PublicationType.from_model(row) for row in rows]


async def publications_of_article(info: strawberry.Info, article_id: UUID) -> list[PublicationType]:
    """Where an article was published (batched per request; empty for callers who may not
    read channels): for ``ArticleType.publications``."""
    return publication_list(await queries.article_publications(info.context, article_id))


async def publications_of_newsletter_issue(
    info: strawberry.Info, issue_id: UUID
) -> list[PublicationType]:
    """Where a newsletter issue was published: for ``NewsletterIssueType.publications``."""
    return publication_list(await queries.newsletter_issue_publications(info.context, issue_id))


async def publications_of_activity(
    info: strawberry.Info, activity_id: UUID
) -> list[PublicationType]:
    """Where an activity's recording was published: for ``ActivityType.publications``."""
    return publication_list(await queries.activity_publications(info.context, activity_id))


@strawberry.input(description="Where a piece of content was published.")
class PublicationInput:
    channel_id: strawberry.ID
    url: str | None = strawberry.field(
        default=None, description="Its address on the channel (http or https)."
    )
    published_on: date = strawberry.field(description="The day it appeared there.")

    def to_service(self, index: int = 0, field: str = "publications") -> PublicationEntry:
        """The entry for ``record_publications``; a bad channel id is a typed error at
        ``<field>.<index>.channel_id``."""
        channel_id = decode_id(str(self.channel_id), "Channel", f"{field}.{index}.channel_id")
        return PublicationEntry(channel_id=channel_id, url=self.url, published_on=self.published_on)


def publication_entries(
    inputs: Sequence[PublicationInput], field: str = "publications"
) -> list[PublicationEntry]:
    """Every input's entry, each error naming its place in the list."""
    return [entry.to_service(index, field) for index, entry in enumerate(inputs)]


@strawberry.type(
    name="ChannelMonthReach",
    description="A channel's reach in a month: how much each figure grew within it (per "
    "publication: its last reading in the month minus its last reading before, a first "
    "reading counting fully; summed over the channel's publications), and how many "
    "publications appeared on it that month.",
)
class ChannelMonthReachType:
    month: str = strawberry.field(description="The month, as 2026-03.")
    channel_name: str = strawberry.field(
        description="The channel's name (for readers of reach who may not read channels)."
    )
    starts_on: date = strawberry.field(description="The month's first day.")
    reads: int
    views: int
    likes: int
    followers_gained: int
    publications: int = strawberry.field(description="Publications that appeared that month.")
    channel_id: strawberry.Private[UUID]

    @classmethod
    def from_model(cls, row: queries.MonthlyReach) -> ChannelMonthReachType:
        return cls(
            month=queries.month_label(row.month),
            starts_on=row.month,
            channel_name=row.channel_name,
            reads=row.reads,
            views=row.views,
            likes=row.likes,
            followers_gained=row.followers_gained,
            publications=row.publications,
            channel_id=row.channel_id,
        )

    @strawberry.field(description="Null for callers who may not read channels.")
    async def channel(self, info: strawberry.Info) -> ChannelType | None:
        return await load_channel(info, self.channel_id)


@strawberry.type(name="ChannelConnection")
class ChannelConnection(relay.Connection[ChannelType]):
    pass


@strawberry.type(name="PublicationConnection")
class PublicationConnection(relay.Connection[PublicationType]):
    pass
