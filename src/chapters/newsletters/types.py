"""Newsletter columns, issues, their items, drafts and project updates as the API shows them.
What a caller may see is decided by ``newsletters.queries``."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, TypeAlias
from uuid import UUID

import strawberry
from strawberry import relay

from chapters.api.ids import LoadedNode
from chapters.models.content import (
    Cadence,
    IssueStatus,
    NewsletterColumn,
    NewsletterIssue,
    NewsletterItem,
    NewsletterSection,
    ProjectUpdate,
)
from chapters.newsletters import queries
from chapters.newsletters.assembly import Draft, DraftItem
from chapters.newsletters.render import Language
from chapters.newsletters.schedule import ScheduledIssue
from chapters.people.types import PersonType, load_person
from chapters.recognition.types import CertificateType

if TYPE_CHECKING:
    from chapters.activities.types import ActivityType
    from chapters.articles.types import ArticleType
    from chapters.channels.types import PublicationType

strawberry.enum(
    Cadence,
    name="NewsletterCadence",
    description="How often a column's issues fall due: WEEKLY and BIWEEKLY issues cover the 7 "
    "or 14 days before their date, MONTHLY ones the calendar month before.",
)
CadenceType: TypeAlias = Cadence
strawberry.enum(
    NewsletterSection,
    name="NewsletterSection",
    description="The sections of an issue, in this fixed order: UPCOMING (accepted activities "
    "of the weeks after the period), RECAPS (accepted activities of the period), ARTICLES "
    "(published in the period), NEW_CONTRIBUTORS (first code contribution in the period), "
    "RECOGNITION (certificates issued in the period), PROJECT_UPDATES.",
)
SectionType: TypeAlias = NewsletterSection
strawberry.enum(
    IssueStatus,
    name="NewsletterIssueStatus",
    description="DRAFT: editors edit it; PUBLISHED: final, with the channels it went to.",
)
IssueStatusType: TypeAlias = IssueStatus
strawberry.enum(Language, name="NewsletterLanguage", description="EN: English; ZH: Chinese.")
LanguageType: TypeAlias = Language


@strawberry.type(
    name="NewsletterSchedule",
    description="A column's next issue: its number, the days it covers and when it is due.",
)
class ScheduleType:
    number: int
    period_start: date
    period_end: date
    due_on: date

    @classmethod
    def from_model(cls, scheduled: ScheduledIssue) -> ScheduleType:
        return cls(
            number=scheduled.number,
            period_start=scheduled.period_start,
            period_end=scheduled.period_end,
            due_on=scheduled.due_on,
        )


@strawberry.type(
    name="NewsletterColumn",
    description="A recurring newsletter: its cadence from the first issue's date, and its "
    "templates (Jinja producing Markdown; null: the built-in ones).",
)
class NewsletterColumnType(LoadedNode, relay.Node):
    id: relay.NodeID[str]
    name: str
    cadence: CadenceType
    first_issue_on: date
    template_en: str | None = strawberry.field(description="Null: the built-in template.")
    template_zh: str | None = strawberry.field(description="Null: the built-in template.")
    retired: bool
    created_at: datetime
    updated_at: datetime
    row: strawberry.Private[NewsletterColumn]

    @classmethod
    def from_model(cls, column: NewsletterColumn) -> NewsletterColumnType:
        return cls(
            id=str(column.id),
            name=column.name,
            cadence=column.cadence,
            first_issue_on=column.first_issue_on,
            template_en=column.template_en,
            template_zh=column.template_zh,
            retired=column.retired,
            created_at=column.created_at,
            updated_at=column.updated_at,
            row=column,
        )

    @strawberry.field(description="The next issue: number, period and due date.")
    async def schedule(self, info: strawberry.Info) -> ScheduleType:
        return ScheduleType.from_model(await queries.next_issue(info.context, self.row))

    @classmethod
    async def load(
        cls, info: strawberry.Info, object_id: UUID | None
    ) -> NewsletterColumnType | None:
        row = await queries.column(info.context, object_id)
        return cls.from_model(row) if row else None


async def load_column(info: strawberry.Info, column_id: UUID | None) -> NewsletterColumnType | None:
    return await NewsletterColumnType.load(info, column_id)


@strawberry.type(
    name="ProjectUpdate",
    description="A piece of project news editors entered for the newsletters (a release, a "
    "graduation, a new maintainer), dated when it happened.",
)
class ProjectUpdateType(LoadedNode, relay.Node):
    id: relay.NodeID[str]
    title: str
    body: str | None
    url: str | None
    happened_on: date
    created_at: datetime
    updated_at: datetime
    entered_by_id: strawberry.Private[UUID | None]

    @classmethod
    def from_model(cls, update: ProjectUpdate) -> ProjectUpdateType:
        return cls(
            id=str(update.id),
            title=update.title,
            body=update.body,
            url=update.url,
            happened_on=update.happened_on,
            created_at=update.created_at,
            updated_at=update.updated_at,
            entered_by_id=update.entered_by_id,
        )

    @strawberry.field(description="The editor who entered it.")
    async def entered_by(self, info: strawberry.Info) -> PersonType | None:
        return await load_person(info, self.entered_by_id)

    @classmethod
    async def load(cls, info: strawberry.Info, object_id: UUID | None) -> ProjectUpdateType | None:
        row = await queries.project_update(info.context, object_id)
        return cls.from_model(row) if row else None


@strawberry.interface(
    name="NewsletterEntry",
    description="An entry of a newsletter: its section, text and link, and what it came from "
    "(at most one of activity, article, person, certificate, projectUpdate; null as well "
    "when the caller may not see it).",
)
class EntryType:
    section: SectionType
    title: str
    body: str | None
    url: str | None
    activity_id: strawberry.Private[UUID | None]
    article_id: strawberry.Private[UUID | None]
    person_id: strawberry.Private[UUID | None]
    certificate_id: strawberry.Private[UUID | None]
    project_update_id: strawberry.Private[UUID | None]

    @strawberry.field
    async def activity(
        self, info: strawberry.Info
    ) -> Annotated[ActivityType, strawberry.lazy("chapters.activities.types")] | None:
        from chapters.activities.types import load_activity

        return await load_activity(info, self.activity_id)

    @strawberry.field
    async def article(
        self, info: strawberry.Info
    ) -> Annotated[ArticleType, strawberry.lazy("chapters.articles.types")] | None:
        from chapters.articles.types import load_article

        return await load_article(info, self.article_id)

    @strawberry.field(description="The new contributor.")
    async def person(self, info: strawberry.Info) -> PersonType | None:
        return await load_person(info, self.person_id)

    @strawberry.field(description="The certificate (seen by staff and its holder).")
    async def certificate(self, info: strawberry.Info) -> CertificateType | None:
        if self.certificate_id is None:
            return None
        loaded: CertificateType | None = await CertificateType.load(info, self.certificate_id)
        return loaded

    @strawberry.field(description="The project update (seen by editors).")
    async def project_update(self, info: strawberry.Info) -> ProjectUpdateType | None:
        if self.project_update_id is None:
            return None
        return await ProjectUpdateType.load(info, self.project_update_id)


@strawberry.type(
    name="NewsletterDraftItem", description="An entry of a draft assembled for a period."
)
class DraftItemType(EntryType):
    on: date = strawberry.field(description="The day it is about (on the tenant's clock).")

    @classmethod
    def from_model(cls, item: DraftItem) -> DraftItemType:
        return cls(
            section=item.section,
            title=item.title,
            body=item.body,
            url=item.url,
            on=item.on,
            activity_id=item.activity_id,
            article_id=item.article_id,
            person_id=item.person_id,
            certificate_id=item.certificate_id,
            project_update_id=item.project_update_id,
        )


@strawberry.type(name="NewsletterDraftSection")
class DraftSectionType:
    section: SectionType
    items: list[DraftItemType] = strawberry.field(description="By day, then title.")


@strawberry.type(
    name="NewsletterDraft",
    description="What an issue of a column for a period would hold, assembled now (nothing "
    "is stored): every section in its order, each with its items by day, then title.",
)
class DraftType:
    period_start: date
    period_end: date
    upcoming_from: date = strawberry.field(
        description="UPCOMING lists accepted activities starting from this day …"
    )
    upcoming_to: date = strawberry.field(description="… to this day (four weeks).")
    sections: list[DraftSectionType]
    column: NewsletterColumnType

    @classmethod
    def from_model(cls, column: NewsletterColumn, draft: Draft) -> DraftType:
        return cls(
            period_start=draft.period_start,
            period_end=draft.period_end,
            upcoming_from=draft.upcoming_from,
            upcoming_to=draft.upcoming_to,
            sections=[
                DraftSectionType(
                    section=section,
                    items=[DraftItemType.from_model(item) for item in draft.in_section(section)],
                )
                for section in NewsletterSection
            ],
            column=NewsletterColumnType.from_model(column),
        )

    @strawberry.field(description="Every item, section by section.")
    def items(self) -> list[DraftItemType]:
        return [item for section in self.sections for item in section.items]


@strawberry.type(
    name="NewsletterItem",
    description="An entry of an issue, at its place in its section, as the editors left it.",
)
class NewsletterItemType(EntryType, LoadedNode, relay.Node):
    id: relay.NodeID[str]
    position: int = strawberry.field(description="Its place in its section (0: first).")
    issue_id: strawberry.Private[UUID]

    @classmethod
    def from_model(cls, item: NewsletterItem) -> NewsletterItemType:
        return cls(
            id=str(item.id),
            section=item.section,
            position=item.position,
            title=item.title,
            body=item.body,
            url=item.url,
            issue_id=item.issue_id,
            activity_id=item.activity_id,
            article_id=item.article_id,
            person_id=item.person_id,
            certificate_id=item.certificate_id,
            project_update_id=item.project_update_id,
        )

    @strawberry.field
    async def issue(self, info: strawberry.Info) -> NewsletterIssueType | None:
        return await NewsletterIssueType.load(info, self.issue_id)

    @classmethod
    async def load(cls, info: strawberry.Info, object_id: UUID | None) -> NewsletterItemType | None:
        row = await queries.item(info.context, object_id)
        return cls.from_model(row) if row else None


@strawberry.type(
    name="NewsletterIssue",
    description="An issue of a column, covering periodStart to periodEnd (both included): "
    "read by signed-in people once published, by editors and staff as a draft.",
)
class NewsletterIssueType(LoadedNode, relay.Node):
    id: relay.NodeID[str]
    number: int
    title: str
    period_start: date
    period_end: date
    status: IssueStatusType
    introduction: str | None
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime
    uuid: strawberry.Private[UUID]
    row: strawberry.Private[NewsletterIssue]

    @classmethod
    def from_model(cls, issue: NewsletterIssue) -> NewsletterIssueType:
        return cls(
            id=str(issue.id),
            uuid=issue.id,
            number=issue.number,
            title=issue.title,
            period_start=issue.period_start,
            period_end=issue.period_end,
            status=issue.status,
            introduction=issue.introduction,
            published_at=issue.published_at,
            created_at=issue.created_at,
            updated_at=issue.updated_at,
            row=issue,
        )

    @strawberry.field
    async def column(self, info: strawberry.Info) -> NewsletterColumnType | None:
        return await load_column(info, self.row.column_id)

    @strawberry.field(description="Its items, section by section in order.")
    async def items(self, info: strawberry.Info) -> list[NewsletterItemType]:
        rows = await queries.items(info.context, self.uuid)
        return [NewsletterItemType.from_model(row) for row in rows]

    @strawberry.field(description="The issue as Markdown, by its column's template.")
    async def markdown(self, info: strawberry.Info, language: LanguageType = Language.EN) -> str:
        return await queries.markdown(info.context, self.row, language)

    @strawberry.field(
        description="The issue as a page of HTML (its Markdown rendered; text escaped, no "
        "external assets)."
    )
    async def html(self, info: strawberry.Info, language: LanguageType = Language.EN) -> str:
        return await queries.html(info.context, self.row, language)

    @strawberry.field(description="Where it was published, the earliest first.")
    async def publications(
        self, info: strawberry.Info
    ) -> list[Annotated[PublicationType, strawberry.lazy("chapters.channels.types")]]:
        from chapters.channels import queries as channels
        from chapters.channels.types import publication_list

        return publication_list(
            await channels.newsletter_issue_publications(info.context, self.uuid)
        )

    @classmethod
    async def load(
        cls, info: strawberry.Info, object_id: UUID | None
    ) -> NewsletterIssueType | None:
        row = await queries.issue(info.context, object_id)
        return cls.from_model(row) if row else None


@strawberry.type(name="NewsletterColumnConnection")
class NewsletterColumnConnection(relay.Connection[NewsletterColumnType]):
    pass


@strawberry.type(name="NewsletterIssueConnection")
class NewsletterIssueConnection(relay.Connection[NewsletterIssueType]):
    pass


@strawberry.type(name="ProjectUpdateConnection")
class ProjectUpdateConnection(relay.Connection[ProjectUpdateType]):
    pass
