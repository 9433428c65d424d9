"""This domain's root fields: who the content editors are (signed-in people), and appointing
or removing them (ops and admins)."""

from __future__ import annotations

import strawberry

from chapters.api.connections import connection
from chapters.api.errors import UserError
from chapters.api.ids import decode_id
from chapters.api.mutations import mutate
from chapters.db.pagination import PageArgs
from chapters.editors import queries, service
from chapters.editors.types import ContentEditorConnection, ContentEditorType
from chapters.models import ContentEditor


@strawberry.input
class ContentEditorInput:
    person_id: strawberry.ID


@strawberry.type
class ContentEditorPayload:
    editor: ContentEditorType | None
    errors: list[UserError]


@strawberry.type
class ContentEditorRemovePayload:
    removed: bool = strawberry.field(description="Whether the person was an editor.")
    errors: list[UserError]


@strawberry.type
class EditorQuery:
    @strawberry.field(
        description="The content editors, the first appointed first (signed-in people)."
    )
    async def content_editors(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> ContentEditorConnection:
        args = PageArgs(first=first, after=after, last=last, before=before)
        page = await queries.editors(info.context, args)
        return connection(ContentEditorConnection, page, ContentEditorType.from_model)


@strawberry.type
class EditorMutation:
    @strawberry.mutation(
        description="Make a person a content editor: they review and publish articles and "
        "edit the newsletters (ops and admins; again: nothing changes)."
    )
    async def content_editor_appoint(
        self, info: strawberry.Info, input: ContentEditorInput
    ) -> ContentEditorPayload:
        ctx = info.context

        async def work() -> ContentEditor:
            person_id = decode_id(str(input.person_id), "Person", "person_id")
            return await service.appoint(ctx.session, ctx.principal, person_id)

        return await mutate(
            info,
            work,
            present=lambda editor: ContentEditorPayload(
                editor=ContentEditorType.from_model(editor), errors=[]
            ),
            failed=lambda errors: ContentEditorPayload(editor=None, errors=errors),
        )

    @strawberry.mutation(description="The person is no longer a content editor (ops and admins).")
    async def content_editor_remove(
        self, info: strawberry.Info, input: ContentEditorInput
    ) -> ContentEditorRemovePayload:
        ctx = info.context

        async def work() -> bool:
            person_id = decode_id(str(input.person_id), "Person", "person_id")
            return await service.remove(ctx.session, ctx.principal, person_id)

        return await mutate(
            info,
            work,
            present=lambda removed: ContentEditorRemovePayload(removed=removed, errors=[]),
            failed=lambda errors: ContentEditorRemovePayload(removed=False, errors=errors),
        )
