"""This domain's root fields: newsletter columns and published issues (signed-in people read);
drafts assembled for a period, draft issues and their items, project updates (staff and
content editors); publishing an issue on channels."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import strawberry

from chapters.api.connections import connection
from chapters.api.errors import UserError
from chapters.api.ids import decode_id
from chapters.api.mutations import given_fields, mutate
from chapters.channels.types import PublicationInput, publication_entries
from chapters.db.pagination import PageArgs
from chapters.models.content import NewsletterColumn, NewsletterIssue, NewsletterItem, ProjectUpdate
from chapters.newsletters import queries, service
from chapters.newsletters.types import (
    CadenceType,
    DraftType,
    IssueStatusType,
    NewsletterColumnConnection,
    NewsletterColumnType,
    NewsletterIssueConnection,
    NewsletterIssueType,
    NewsletterItemType,
    ProjectUpdateConnection,
    ProjectUpdateType,
    SectionType,
)

ColumnId = Annotated[strawberry.ID, strawberry.argument(description="A NewsletterColumn's id.")]


@strawberry.input(description="Days of a period, both included.")
class NewsletterPeriodInput:
    from_: date = strawberry.field(name="from")
    to: date


@strawberry.input
class NewsletterColumnCreateInput:
    name: str = strawberry.field(description="Unique among the tenant's columns.")
    cadence: CadenceType
    first_issue_on: date = strawberry.field(description="When the first issue is due.")
    template_en: str | None = strawberry.field(
        default=None,
        description="A Jinja template producing Markdown (null: the built-in one); see the "
        "README for what it may use.",
    )
    template_zh: str | None = strawberry.field(default=None, description="Likewise, in Chinese.")


@strawberry.input(description="Fields to change; omitted fields stay, null clears.")
class NewsletterColumnUpdateInput:
    id: strawberry.ID
    name: str | None = strawberry.UNSET
    cadence: CadenceType | None = strawberry.UNSET
    first_issue_on: date | None = strawberry.UNSET
    template_en: str | None = strawberry.field(
        default=strawberry.UNSET, description="Null: back to the built-in template."
    )
    template_zh: str | None = strawberry.UNSET
    retired: bool | None = strawberry.UNSET


@strawberry.input
class ProjectUpdateCreateInput:
    title: str
    happened_on: date
    body: str | None = None
    url: str | None = strawberry.field(default=None, description="http or https.")


@strawberry.input(description="Fields to change; omitted fields stay, null clears.")
class ProjectUpdateUpdateInput:
    id: strawberry.ID
    title: str | None = strawberry.UNSET
    happened_on: date | None = strawberry.UNSET
    body: str | None = strawberry.UNSET
    url: str | None = strawberry.UNSET


@strawberry.input
class ProjectUpdateRemoveInput:
    id: strawberry.ID


@strawberry.input
class NewsletterIssueCreateInput:
    column_id: strawberry.ID
    period_start: date | None = strawberry.field(
        default=None, description="With periodEnd; both null: the schedule's next period."
    )
    period_end: date | None = None
    title: str | None = strawberry.field(default=None, description='Default: "<column> #<number>".')
    introduction: str | None = strawberry.field(default=None, description="Markdown.")


@strawberry.input(description="Fields of a draft issue to change; omitted fields stay.")
class NewsletterIssueUpdateInput:
    id: strawberry.ID
    title: str | None = strawberry.UNSET
    introduction: str | None = strawberry.UNSET


@strawberry.input
class NewsletterIssuePublishInput:
    id: strawberry.ID
    publications: list[PublicationInput] = strawberry.field(
        description="Where it was published (at least one channel)."
    )


@strawberry.input
class NewsletterItemAddInput:
    issue_id: strawberry.ID
    section: SectionType
    title: str
    body: str | None = None
    url: str | None = None
    position: int | None = strawberry.field(
        default=None, description="Its place in the section (0: first; default: last)."
    )


@strawberry.input(description="Fields of an item to change; omitted fields stay, null clears.")
class NewsletterItemUpdateInput:
    id: strawberry.ID
    title: str | None = strawberry.UNSET
    body: str | None = strawberry.UNSET
    url: str | None = strawberry.UNSET


@strawberry.input
class NewsletterItemMoveInput:
    id: strawberry.ID
    position: int = strawberry.field(description="Its new place in its section (0: first).")


@strawberry.input
class NewsletterItemRemoveInput:
    id: strawberry.ID


@strawberry.type
class NewsletterColumnPayload:
    column: NewsletterColumnType | None
    errors: list[UserError]


@strawberry.type
class ProjectUpdatePayload:
    project_update: ProjectUpdateType | None
    errors: list[UserError]


@strawberry.type
class NewsletterIssuePayload:
    issue: NewsletterIssueType | None
    errors: list[UserError]


@strawberry.type
class NewsletterItemPayload:
    item: NewsletterItemType | None = strawberry.field(
        description="The item (when removed: as it was); its issue shows the section now."
    )
    errors: list[UserError]


def _column_payload(column: NewsletterColumn) -> NewsletterColumnPayload:
    return NewsletterColumnPayload(column=NewsletterColumnType.from_model(column), errors=[])


def _column_failed(errors: list[UserError]) -> NewsletterColumnPayload:
    return NewsletterColumnPayload(column=None, errors=errors)


def _update_payload(update: ProjectUpdate) -> ProjectUpdatePayload:
    return ProjectUpdatePayload(project_update=ProjectUpdateType.from_model(update), errors=[])


def _update_failed(errors: list[UserError]) -> ProjectUpdatePayload:
    return ProjectUpdatePayload(project_update=None, errors=errors)


def _issue_payload(issue: NewsletterIssue) -> NewsletterIssuePayload:
    return NewsletterIssuePayload(issue=NewsletterIssueType.from_model(issue), errors=[])


def _issue_failed(errors: list[UserError]) -> NewsletterIssuePayload:
    return NewsletterIssuePayload(issue=None, errors=errors)


def _item_payload(item: NewsletterItem) -> NewsletterItemPayload:
    return NewsletterItemPayload(item=NewsletterItemType.from_model(item), errors=[])


def _item_failed(errors: list[UserError]) -> NewsletterItemPayload:
    return NewsletterItemPayload(item=None, errors=errors)


def _fields(data: Any, fields_type: Any) -> Any:
    return fields_type(**given_fields(data, fields_type.__dataclass_fields__))


def _item_id(value: strawberry.ID) -> Any:
    return decode_id(str(value), "NewsletterItem", "id")


@strawberry.type
class NewsletterQuery:
    @strawberry.field(description="Newsletter columns by name (signed-in people).")
    async def newsletter_columns(
        self,
        info: strawberry.Info,
        include_retired: bool = False,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> NewsletterColumnConnection:
        args = PageArgs(first=first, after=after, last=last, before=before)
        page = await queries.columns(info.context, include_retired, args)
        return connection(NewsletterColumnConnection, page, NewsletterColumnType.from_model)

    @strawberry.field(
        description="Newsletter issues, the latest period first: published ones for signed-in "
        "people, drafts too for editors and staff."
    )
    async def newsletter_issues(
        self,
        info: strawberry.Info,
        column_id: strawberry.ID | None = None,
        status: IssueStatusType | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> NewsletterIssueConnection:
        filters = queries.IssueFilter(
            column_id=decode_id(str(column_id), "NewsletterColumn", "column_id")
            if column_id is not None
            else None,
            status=status,
        )
        args = PageArgs(first=first, after=after, last=last, before=before)
        page = await queries.issues(info.context, filters, args)
        return connection(NewsletterIssueConnection, page, NewsletterIssueType.from_model)

    @strawberry.field(
        description="What an issue of the column for the period would hold, assembled now and "
        "not stored (default period: the column's next; at most 93 days). UPCOMING lists the "
        "accepted activities of the four weeks after the period (editors and staff)."
    )
    async def newsletter_draft(
        self,
        info: strawberry.Info,
        column_id: ColumnId,
        period: NewsletterPeriodInput | None = None,
    ) -> DraftType:
        decoded = decode_id(str(column_id), "NewsletterColumn", "column_id")
        start, end = (period.from_, period.to) if period is not None else (None, None)
        column, draft = await queries.draft(info.context, decoded, start, end)
        return DraftType.from_model(column, draft)

    @strawberry.field(
        description="Project updates of the days from `from` to `to` (either open), the "
        "latest first (editors and staff)."
    )
    async def project_updates(
        self,
        info: strawberry.Info,
        from_: Annotated[date | None, strawberry.argument(name="from")] = None,
        to: date | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> ProjectUpdateConnection:
        args = PageArgs(first=first, after=after, last=last, before=before)
        page = await queries.project_updates(info.context, from_, to, args)
        return connection(ProjectUpdateConnection, page, ProjectUpdateType.from_model)


@strawberry.type
class NewsletterMutation:
    @strawberry.mutation(description="Add a newsletter column (editors and staff).")
    async def newsletter_column_create(
        self, info: strawberry.Info, input: NewsletterColumnCreateInput
    ) -> NewsletterColumnPayload:
        ctx = info.context

        async def work() -> NewsletterColumn:
            fields = _fields(input, service.ColumnFields)
            return await service.create_column(ctx.session, ctx.principal, fields)

        return await mutate(info, work, present=_column_payload, failed=_column_failed)

    @strawberry.mutation(description="Change a newsletter column (editors and staff).")
    async def newsletter_column_update(
        self, info: strawberry.Info, input: NewsletterColumnUpdateInput
    ) -> NewsletterColumnPayload:
        ctx = info.context

        async def work() -> NewsletterColumn:
            column_id = decode_id(str(input.id), "NewsletterColumn", "id")
            fields = _fields(input, service.ColumnFields)
            return await service.update_column(ctx.session, ctx.principal, column_id, fields)

        return await mutate(info, work, present=_column_payload, failed=_column_failed)

    @strawberry.mutation(description="Enter a piece of project news (editors and staff).")
    async def project_update_create(
        self, info: strawberry.Info, input: ProjectUpdateCreateInput
    ) -> ProjectUpdatePayload:
        ctx = info.context

        async def work() -> ProjectUpdate:
            fields = _fields(input, service.ProjectUpdateFields)
            return await service.create_project_update(ctx.session, ctx.principal, fields)

        return await mutate(info, work, present=_update_payload, failed=_update_failed)

    @strawberry.mutation(description="Change a project update (editors and staff).")
    async def project_update_update(
        self, info: strawberry.Info, input: ProjectUpdateUpdateInput
    ) -> ProjectUpdatePayload:
        ctx = info.context

        async def work() -> ProjectUpdate:
            update_id = decode_id(str(input.id), "ProjectUpdate", "id")
            fields = _fields(input, service.ProjectUpdateFields)
            return await service.update_project_update(
                ctx.session, ctx.principal, update_id, fields
            )

        return await mutate(info, work, present=_update_payload, failed=_update_failed)

    @strawberry.mutation(
        description="Delete a project update; issues keep the items made of it (editors and staff)."
    )
    async def project_update_remove(
        self, info: strawberry.Info, input: ProjectUpdateRemoveInput
    ) -> ProjectUpdatePayload:
        ctx = info.context

        async def work() -> ProjectUpdate:
            update_id = decode_id(str(input.id), "ProjectUpdate", "id")
            return await service.remove_project_update(ctx.session, ctx.principal, update_id)

        return await mutate(info, work, present=_update_payload, failed=_update_failed)

    @strawberry.mutation(
        description="Create the column's next issue as a draft holding the draft assembled for "
        "its period (default: the schedule's next period) (editors and staff)."
    )
    async def newsletter_issue_create(
        self, info: strawberry.Info, input: NewsletterIssueCreateInput
    ) -> NewsletterIssuePayload:
        ctx = info.context

        async def work() -> NewsletterIssue:
            column_id = decode_id(str(input.column_id), "NewsletterColumn", "column_id")
            fields = _fields(input, service.IssueFields)
            return await service.create_issue(
                ctx.session,
                ctx.principal,
                column_id,
                (input.period_start, input.period_end),
                fields,
            )

        return await mutate(info, work, present=_issue_payload, failed=_issue_failed)

    @strawberry.mutation(description="Change a draft issue's title or introduction.")
    async def newsletter_issue_update(
        self, info: strawberry.Info, input: NewsletterIssueUpdateInput
    ) -> NewsletterIssuePayload:
        ctx = info.context

        async def work() -> NewsletterIssue:
            issue_id = decode_id(str(input.id), "NewsletterIssue", "id")
            fields = _fields(input, service.IssueFields)
            return await service.update_issue(ctx.session, ctx.principal, issue_id, fields)

        return await mutate(info, work, present=_issue_payload, failed=_issue_failed)

    @strawberry.mutation(
        description="Publish a draft issue and record the channels it went to (editors and "
        "staff); it is not edited afterwards."
    )
    async def newsletter_issue_publish(
        self, info: strawberry.Info, input: NewsletterIssuePublishInput
    ) -> NewsletterIssuePayload:
        ctx = info.context

        async def work() -> NewsletterIssue:
            issue_id = decode_id(str(input.id), "NewsletterIssue", "id")
            entries = publication_entries(input.publications)
            return await service.publish_issue(ctx.session, ctx.principal, issue_id, entries)

        return await mutate(info, work, present=_issue_payload, failed=_issue_failed)

    @strawberry.mutation(description="Add an item of one's own to a draft issue's section.")
    async def newsletter_item_add(
        self, info: strawberry.Info, input: NewsletterItemAddInput
    ) -> NewsletterItemPayload:
        ctx = info.context

        async def work() -> NewsletterItem:
            issue_id = decode_id(str(input.issue_id), "NewsletterIssue", "issue_id")
            fields = _fields(input, service.ItemFields)
            return await service.add_item(
                ctx.session, ctx.principal, issue_id, input.section, fields, input.position
            )

        return await mutate(info, work, present=_item_payload, failed=_item_failed)

    @strawberry.mutation(description="Edit an item of a draft issue: its title, text or link.")
    async def newsletter_item_update(
        self, info: strawberry.Info, input: NewsletterItemUpdateInput
    ) -> NewsletterItemPayload:
        ctx = info.context

        async def work() -> NewsletterItem:
            fields = _fields(input, service.ItemFields)
            return await service.update_item(ctx.session, ctx.principal, _item_id(input.id), fields)

        return await mutate(info, work, present=_item_payload, failed=_item_failed)

    @strawberry.mutation(description="Move an item of a draft issue within its section.")
    async def newsletter_item_move(
        self, info: strawberry.Info, input: NewsletterItemMoveInput
    ) -> NewsletterItemPayload:
        ctx = info.context

        async def work() -> NewsletterItem:
            return await service.move_item(
                ctx.session, ctx.principal, _item_id(input.id), input.position
            )

        return await mutate(info, work, present=_item_payload, failed=_item_failed)

    @strawberry.mutation(description="Cut an item from a draft issue.")
    async def newsletter_item_remove(
        self, info: strawberry.Info, input: NewsletterItemRemoveInput
    ) -> NewsletterItemPayload:
        ctx = info.context

        async def work() -> NewsletterItem:
            return await service.remove_item(ctx.session, ctx.principal, _item_id(input.id))

        return await mutate(info, work, present=_item_payload, failed=_item_failed)
