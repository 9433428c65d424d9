from __future__ import annotations

from datetime import date

import strawberry

from chapters.api.connections import connection
from chapters.api.errors import UserError
from chapters.api.ids import decode_id
from chapters.api.mutations import mutate
from chapters.db.pagination import PageArgs
from chapters.local_chapters import queries, service
from chapters.local_chapters.types import ChapterConnection, ChapterStatusType, ChapterType
from chapters.models import Chapter


@strawberry.input
class ChapterFilter:
    status: list[ChapterStatusType] | None = None
    region: str | None = None
    parent_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only the direct sub-chapters of this chapter."
    )
    top_level_only: bool = False
    committee_id: strawberry.ID | None = None
    text: str | None = strawberry.field(default=None, description="Matches name, city or slug.")

    def to_service(self) -> queries.ChapterFilter:
        return queries.ChapterFilter(
            statuses=list(self.status or []),
            region=self.region,
            parent_id=decode_id(str(self.parent_id), "Chapter", "parentId")
            if self.parent_id
            else None,
            top_level_only=self.top_level_only,
            committee_id=decode_id(str(self.committee_id), "Committee", "committeeId")
            if self.committee_id
            else None,
            text=self.text,
        )


@strawberry.input(description="A way to reach the chapter.")
class ContactLinkInput:
    kind: str = strawberry.field(
        description="website, email, wechat, github, twitter, meetup, slack or other"
    )
    url: str


@strawberry.input
class ChapterCreateInput:
    name: str
    slug: str
    city: str | None = None
    region: str | None = None
    country: str | None = strawberry.field(default=None, description="ISO 3166 code, e.g. CN.")
    timezone: str | None = strawberry.field(
        default=None, description="IANA timezone; default: the tenant's."
    )
    description: str | None = None
    founded_on: date | None = None
    contact_links: list[ContactLinkInput] | None = None
    parent_id: strawberry.ID | None = None
    committee_id: strawberry.ID | None = None
    status: ChapterStatusType = ChapterStatusType.FORMING


@strawberry.input(description="Fields to change; omitted fields stay, null clears.")
class ChapterUpdateInput:
    id: strawberry.ID
    name: str | None = strawberry.UNSET
    slug: str | None = strawberry.UNSET
    city: str | None = strawberry.UNSET
    region: str | None = strawberry.UNSET
    country: str | None = strawberry.UNSET
    timezone: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    founded_on: date | None = strawberry.UNSET
    contact_links: list[ContactLinkInput] | None = strawberry.UNSET
    parent_id: strawberry.ID | None = strawberry.UNSET
    committee_id: strawberry.ID | None = strawberry.UNSET


def _fields(data: ChapterCreateInput | ChapterUpdateInput) -> service.ChapterFields:
    values = {}
    for name in service.ChapterFields.__dataclass_fields__:
        value = getattr(data, name, strawberry.UNSET)
        if value is strawberry.UNSET:
            continue
        if name == "parent_id" and value is not None:
            value = decode_id(str(value), "Chapter", "parentId")
        elif name == "committee_id" and value is not None:
            value = decode_id(str(value), "Committee", "committeeId")
        elif name == "contact_links" and value is not None:
            value = [{"kind": link.kind, "url": link.url} for link in value]
        values[name] = value
    return service.ChapterFields(**values)


@strawberry.input
class ChapterChangeStatusInput:
    id: strawberry.ID
    status: ChapterStatusType
    reason: str


@strawberry.type
class ChapterPayload:
    chapter: ChapterType | None
    errors: list[UserError]


def _present(chapter: Chapter) -> ChapterPayload:
    return ChapterPayload(chapter=ChapterType.from_model(chapter), errors=[])


def _failed(errors: list[UserError]) -> ChapterPayload:
    return ChapterPayload(chapter=None, errors=errors)


@strawberry.type
class ChapterQuery:
    @strawberry.field(description="The chapter directory, by name. Public.")
    async def chapters(
        self,
        info: strawberry.Info,
        filter: ChapterFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> ChapterConnection:
        page = await queries.directory(
            info.context,
            (filter or ChapterFilter()).to_service(),
            PageArgs(first=first, after=after, last=last, before=before),
        )
        return connection(ChapterConnection, page, ChapterType.from_model)

    @strawberry.field(description="A chapter by its slug, e.g. `hangzhou`.")
    async def chapter(self, info: strawberry.Info, slug: str) -> ChapterType | None:
        chapter = await queries.chapter_by_slug(info.context, slug)
        return ChapterType.from_model(chapter) if chapter else None


@strawberry.type
class ChapterMutation:
    @strawberry.mutation(description="Create a chapter (central ops and admins).")
    async def chapter_create(
        self, info: strawberry.Info, input: ChapterCreateInput
    ) -> ChapterPayload:
        ctx = info.context

        async def work() -> Chapter:
            return await service.create_chapter(
                ctx.session, ctx.principal, _fields(input), status=input.status
            )

        return await mutate(info, work, present=_present, failed=_failed)

    @strawberry.mutation(description="Edit a chapter's profile (its leads, ops, admins).")
    async def chapter_update(
        self, info: strawberry.Info, input: ChapterUpdateInput
    ) -> ChapterPayload:
        ctx = info.context

        async def work() -> Chapter:
            chapter_id = decode_id(str(input.id), "Chapter", "id")
            return await service.update_chapter(
                ctx.session, ctx.principal, chapter_id, _fields(input)
            )

        return await mutate(info, work, present=_present, failed=_failed)

    @strawberry.mutation(description="Change a chapter's status, with the reason (ops, admins).")
    async def chapter_change_status(
        self, info: strawberry.Info, input: ChapterChangeStatusInput
    ) -> ChapterPayload:
        ctx = info.context

        async def work() -> Chapter:
            chapter_id = decode_id(str(input.id), "Chapter", "id")
            return await service.change_status(
                ctx.session, ctx.principal, chapter_id, input.status, input.reason
            )

        return await mutate(info, work, present=_present, failed=_failed)
