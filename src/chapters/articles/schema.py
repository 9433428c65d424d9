"""This domain's root fields: articles (proposed by any person, written by their authors,
reviewed, scheduled and published by editors), the tenant's templates, review comments per
section and reprint permissions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import strawberry

from chapters.api.connections import connection
from chapters.api.errors import UserError
from chapters.api.ids import decode_id, decode_optional_id
from chapters.api.mutations import given_fields, mutate
from chapters.articles import pipeline, queries, reprints, review, service, templates
from chapters.articles.types import (
    ArticleConnection,
    ArticleKindType,
    ArticleReviewCommentType,
    ArticleSourceType,
    ArticleStatusType,
    ArticleTemplateConnection,
    ArticleTemplateType,
    ArticleType,
    ReprintPermissionType,
    ReprintStatusType,
    ReprintTermType,
)
from chapters.channels.types import PublicationInput, publication_entries
from chapters.db.pagination import PageArgs
from chapters.models import Article, ArticleReviewComment, ArticleTemplate, ReprintPermission


@strawberry.input
class ArticleFilter:
    status: list[ArticleStatusType] | None = None
    kind: list[ArticleKindType] | None = None
    source: ArticleSourceType | None = None
    chapter_id: strawberry.ID | None = None
    topic: str | None = strawberry.field(
        default=None, description="A part of the topic, in any case."
    )
    author_id: strawberry.ID | None = strawberry.field(
        default=None, description="Articles this entry of the author pool writes."
    )

    def to_service(self) -> queries.ArticleFilter:
        return queries.ArticleFilter(
            statuses=tuple(self.status or ()),
            kinds=tuple(self.kind or ()),
            source=self.source,
            chapter_id=decode_optional_id(self.chapter_id, "Chapter", "filter.chapter_id"),
            topic=self.topic,
            author_id=decode_optional_id(self.author_id, "Author", "filter.author_id"),
        )


@strawberry.input(description="An article's text for one of its template's sections.")
class ArticleSectionInput:
    key: str
    body: str | None = strawberry.field(default=None, description="Blank or null: not written.")


_AUTHOR_IDS = (
    "Writers of the author pool, first in the byline (editors; an author may keep those "
    "already on the article)."
)
_PERSON_IDS = (
    "People of the tenant, after the pool's writers in the byline (their pool entry is made "
    "when they first write). A person who is not an editor is always among the authors."
)
_SECTIONS = "The text per template section; a given list replaces the article's sections."


@strawberry.input
class ArticleCreateInput:
    title: str
    kind: ArticleKindType | None = strawberry.field(
        default=None, description="Needed unless the template is of a kind."
    )
    topic: str | None = None
    source: ArticleSourceType | None = strawberry.field(
        default=None, description="Default ORIGINAL."
    )
    source_url: str | None = strawberry.field(
        default=None, description="Where it first appeared: needed for a REPRINT."
    )
    template_id: strawberry.ID | None = None
    chapter_id: strawberry.ID | None = strawberry.field(
        default=None, description="The chapter it comes from: its leads follow it."
    )
    summary: str | None = None
    body: str | None = strawberry.field(
        default=None, description="The text of an article written without a template."
    )
    author_ids: list[strawberry.ID] | None = strawberry.field(default=None, description=_AUTHOR_IDS)
    person_ids: list[strawberry.ID] | None = strawberry.field(default=None, description=_PERSON_IDS)
    sections: list[ArticleSectionInput] | None = strawberry.field(
        default=None, description=_SECTIONS
    )


@strawberry.input(description="Fields to change; omitted fields stay, null clears.")
class ArticleUpdateInput:
    id: strawberry.ID
    title: str | None = strawberry.UNSET
    kind: ArticleKindType | None = strawberry.UNSET
    topic: str | None = strawberry.UNSET
    source: ArticleSourceType | None = strawberry.UNSET
    source_url: str | None = strawberry.UNSET
    template_id: strawberry.ID | None = strawberry.UNSET
    chapter_id: strawberry.ID | None = strawberry.UNSET
    summary: str | None = strawberry.UNSET
    body: str | None = strawberry.UNSET
    author_ids: list[strawberry.ID] | None = strawberry.field(
        default=strawberry.UNSET,
        description="Given this or personIds, the two replace the byline. " + _AUTHOR_IDS,
    )
    person_ids: list[strawberry.ID] | None = strawberry.field(
        default=strawberry.UNSET, description=_PERSON_IDS
    )
    sections: list[ArticleSectionInput] | None = strawberry.field(
        default=strawberry.UNSET, description=_SECTIONS
    )


@strawberry.input
class ArticleStepInput:
    id: strawberry.ID
    comment: str | None = None


@strawberry.input
class ArticleScheduleInput:
    id: strawberry.ID
    scheduled_for: datetime = strawberry.field(description="When it is to be published.")
    comment: str | None = None


@strawberry.input
class ArticlePublishInput:
    id: strawberry.ID
    publications: list[PublicationInput] = strawberry.field(
        description="Where it was published: at least one channel."
    )
    comment: str | None = None


@strawberry.input
class ArticleTemplateSectionInput:
    key: str = strawberry.field(
        description="Lowercase letters, digits and _: what articles' text answers to."
    )
    title: str
    guidance: str | None = strawberry.field(default=None, description="For the writer.")
    required: bool = strawberry.field(default=True, description="A submission must fill it.")
    min_words: int | None = strawberry.field(
        default=None, description="Words it needs at least, when written."
    )

    def to_service(self) -> templates.SectionSpec:
        return templates.SectionSpec(
            key=self.key,
            title=self.title,
            guidance=self.guidance,
            required=self.required,
            min_words=self.min_words,
        )


@strawberry.input
class ArticleTemplateCreateInput:
    name: str
    description: str | None = None
    kind: ArticleKindType | None = None
    sections: list[ArticleTemplateSectionInput] = strawberry.field(
        description="Its sections, in order (at least one)."
    )


@strawberry.input(description="Fields to change; omitted fields stay, null clears.")
class ArticleTemplateUpdateInput:
    id: strawberry.ID
    name: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    kind: ArticleKindType | None = strawberry.UNSET
    sections: list[ArticleTemplateSectionInput] | None = strawberry.field(
        default=strawberry.UNSET,
        description="Replaces its sections (articles keep their text per key).",
    )
    retired: bool | None = strawberry.field(
        default=strawberry.UNSET,
        description="A retired template is no longer offered for new articles.",
    )


@strawberry.input
class ArticleReviewCommentAddInput:
    article_id: strawberry.ID
    section_key: str | None = strawberry.field(
        default=None, description="The template section it is about; null: the whole article."
    )
    body: str


@strawberry.input
class ArticleReviewCommentResolveInput:
    id: strawberry.ID


@strawberry.input
class ReprintPermissionRequestInput:
    article_id: strawberry.ID
    contact: str = strawberry.field(description="How the author was reached.")
    source_url: str | None = strawberry.field(
        default=None, description="Default: where the article says it first appeared."
    )
    requested_on: date | None = strawberry.field(default=None, description="Default: today.")
    terms: list[ReprintTermType] | None = strawberry.field(
        default=None, description="The terms offered."
    )
    terms_note: str | None = None


@strawberry.input
class ReprintPermissionAnswerInput:
    id: strawberry.ID
    status: ReprintStatusType = strawberry.field(description="GRANTED, DECLINED or NO_ANSWER.")
    answered_on: date | None = strawberry.field(default=None, description="Default: today.")
    terms: list[ReprintTermType] | None = strawberry.field(
        default=None, description="The terms the author set (null: as offered)."
    )
    terms_note: str | None = strawberry.field(default=None, description="Null: as it was.")


@strawberry.type
class ArticlePayload:
    article: ArticleType | None
    errors: list[UserError]


@strawberry.type
class ArticleTemplatePayload:
    template: ArticleTemplateType | None
    errors: list[UserError]


@strawberry.type
class ArticleReviewCommentPayload:
    comment: ArticleReviewCommentType | None
    errors: list[UserError]


@strawberry.type
class ReprintPermissionPayload:
    permission: ReprintPermissionType | None
    errors: list[UserError]


def _ids(values: list[Any], type_name: str, field: str) -> list[Any]:
    return [
        decode_id(str(value), type_name, f"{field}.{index}") for index, value in enumerate(values)
    ]


def _article_fields(data: Any) -> service.ArticleFields:
    values = given_fields(data, service.ArticleFields.__dataclass_fields__)
    for name, type_name in (("template_id", "ArticleTemplate"), ("chapter_id", "Chapter")):
        if values.get(name) is not None:
            values[name] = decode_id(str(values[name]), type_name, name)
    for name, type_name in (("author_ids", "Author"), ("person_ids", "Person")):
        if values.get(name) is not None:
            values[name] = _ids(values[name], type_name, name)
    if values.get("sections") is not None:
        values["sections"] = [
            service.SectionText(key=section.key, body=section.body)
            for section in values["sections"]
        ]
    return service.ArticleFields(**values)


def _template_fields(data: Any) -> templates.TemplateFields:
    values = given_fields(data, templates.TemplateFields.__dataclass_fields__)
    if values.get("sections") is not None:
        values["sections"] = [section.to_service() for section in values["sections"]]
    return templates.TemplateFields(**values)


def _article_payload(article: Article) -> ArticlePayload:
    return ArticlePayload(article=ArticleType.from_model(article), errors=[])


def _article_failed(errors: list[UserError]) -> ArticlePayload:
    return ArticlePayload(article=None, errors=errors)


def _template_payload(template: ArticleTemplate) -> ArticleTemplatePayload:
    return ArticleTemplatePayload(template=ArticleTemplateType.from_model(template), errors=[])


def _template_failed(errors: list[UserError]) -> ArticleTemplatePayload:
    return ArticleTemplatePayload(template=None, errors=errors)


def _comment_payload(comment: ArticleReviewComment) -> ArticleReviewCommentPayload:
    return ArticleReviewCommentPayload(
        comment=ArticleReviewCommentType.from_model(comment), errors=[]
    )


def _comment_failed(errors: list[UserError]) -> ArticleReviewCommentPayload:
    return ArticleReviewCommentPayload(comment=None, errors=errors)


def _permission_payload(permission: ReprintPermission) -> ReprintPermissionPayload:
    return ReprintPermissionPayload(
        permission=ReprintPermissionType.from_model(permission), errors=[]
    )


def _permission_failed(errors: list[UserError]) -> ReprintPermissionPayload:
    return ReprintPermissionPayload(permission=None, errors=errors)


async def _step(
    info: strawberry.Info,
    input: Any,
    step: pipeline.Step,
    **extra: Callable[[], Any],
) -> ArticlePayload:
    ctx = info.context

    async def work() -> Article:
        article_id = decode_id(str(input.id), "Article", "id")
        given = {name: make() for name, make in extra.items()}
        return await pipeline.take(
            ctx.session, ctx.principal, article_id, step, input.comment, **given
        )

    return await mutate(info, work, present=_article_payload, failed=_article_failed)


@strawberry.type
class ArticleQuery:
    @strawberry.field(
        description="Articles the caller may read, the latest changed first: published ones "
        "(signed-in people); in any state: editors, staff and viewers all, a chapter's leads "
        "their chapter's, authors their own; a partner's client those its organisation's "
        "writers co-author."
    )
    async def articles(
        self,
        info: strawberry.Info,
        filter: ArticleFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> ArticleConnection:
        filters = (filter or ArticleFilter()).to_service()
        args = PageArgs(first=first, after=after, last=last, before=before)
        page = await queries.articles(info.context, filters, args)
        return connection(ArticleConnection, page, ArticleType.from_model)

    @strawberry.field(description="The tenant's article templates by name (signed-in people).")
    async def article_templates(
        self,
        info: strawberry.Info,
        include_retired: bool = False,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> ArticleTemplateConnection:
        args = PageArgs(first=first, after=after, last=last, before=before)
        page = await queries.templates(info.context, include_retired, args)
        return connection(ArticleTemplateConnection, page, ArticleTemplateType.from_model)


@strawberry.type
class ArticleMutation:
    @strawberry.mutation(
        description="Propose an article (an idea): a person as one of its authors, or an "
        "editor for anyone."
    )
    async def article_create(
        self, info: strawberry.Info, input: ArticleCreateInput
    ) -> ArticlePayload:
        ctx = info.context

        async def work() -> Article:
            return await service.create_article(ctx.session, ctx.principal, _article_fields(input))

        return await mutate(info, work, present=_article_payload, failed=_article_failed)

    @strawberry.mutation(
        description="Edit an article while it is an idea, invited, being drafted or sent back "
        "for changes (its authors, or editors)."
    )
    async def article_update(
        self, info: strawberry.Info, input: ArticleUpdateInput
    ) -> ArticlePayload:
        ctx = info.context

        async def work() -> Article:
            article_id = decode_id(str(input.id), "Article", "id")
            fields = _article_fields(input)
            return await service.update_article(ctx.session, ctx.principal, article_id, fields)

        return await mutate(info, work, present=_article_payload, failed=_article_failed)

    @strawberry.mutation(description="Invite its authors to write an idea (editors).")
    async def article_invite(
        self, info: strawberry.Info, input: ArticleStepInput
    ) -> ArticlePayload:
        return await _step(info, input, pipeline.Step.INVITE)

    @strawberry.mutation(
        description="Start drafting an idea or an invitation (its authors, or editors)."
    )
    async def article_start(self, info: strawberry.Info, input: ArticleStepInput) -> ArticlePayload:
        return await _step(info, input, pipeline.Step.START)

    @strawberry.mutation(
        description="Submit a draft, or a revision, for review (its authors, or editors): "
        "it needs a title and an author, and from a template every required section (all "
        "that is missing is answered at once, at `sections.<key>`), without one a body."
    )
    async def article_submit(
        self, info: strawberry.Info, input: ArticleStepInput
    ) -> ArticlePayload:
        return await _step(info, input, pipeline.Step.SUBMIT)

    @strawberry.mutation(description="Take a submitted article into review (editors).")
    async def article_start_review(
        self, info: strawberry.Info, input: ArticleStepInput
    ) -> ArticlePayload:
        return await _step(info, input, pipeline.Step.START_REVIEW)

    @strawberry.mutation(
        description="Send an article in review back to its authors, saying what to change "
        "(editors; the comment is needed). Its authors are told."
    )
    async def article_request_changes(
        self, info: strawberry.Info, input: ArticleStepInput
    ) -> ArticlePayload:
        return await _step(info, input, pipeline.Step.REQUEST_CHANGES)

    @strawberry.mutation(
        description="Schedule a reviewed article, or move its date (editors). Its authors are told."
    )
    async def article_schedule(
        self, info: strawberry.Info, input: ArticleScheduleInput
    ) -> ArticlePayload:
        return await _step(
            info, input, pipeline.Step.SCHEDULE, scheduled_for=lambda: input.scheduled_for
        )

    @strawberry.mutation(
        description="Publish a scheduled or reviewed article, recording where it went "
        "(editors); a reprint needs its author's permission granted first. Its authors are "
        "told."
    )
    async def article_publish(
        self, info: strawberry.Info, input: ArticlePublishInput
    ) -> ArticlePayload:
        return await _step(
            info,
            input,
            pipeline.Step.PUBLISH,
            publications=lambda: publication_entries(input.publications),
        )

    @strawberry.mutation(
        description="Decline an article before publication (editors). Its authors are told."
    )
    async def article_decline(
        self, info: strawberry.Info, input: ArticleStepInput
    ) -> ArticlePayload:
        return await _step(info, input, pipeline.Step.DECLINE)

    @strawberry.mutation(
        description="Withdraw an article before publication (its authors, or editors)."
    )
    async def article_withdraw(
        self, info: strawberry.Info, input: ArticleStepInput
    ) -> ArticlePayload:
        return await _step(info, input, pipeline.Step.WITHDRAW)

    @strawberry.mutation(description="Define an article template (editors).")
    async def article_template_create(
        self, info: strawberry.Info, input: ArticleTemplateCreateInput
    ) -> ArticleTemplatePayload:
        ctx = info.context

        async def work() -> ArticleTemplate:
            fields = _template_fields(input)
            return await templates.create_template(ctx.session, ctx.principal, fields)

        return await mutate(info, work, present=_template_payload, failed=_template_failed)

    @strawberry.mutation(
        description="Change an article template, retire it or bring it back (editors)."
    )
    async def article_template_update(
        self, info: strawberry.Info, input: ArticleTemplateUpdateInput
    ) -> ArticleTemplatePayload:
        ctx = info.context

        async def work() -> ArticleTemplate:
            template_id = decode_id(str(input.id), "ArticleTemplate", "id")
            fields = _template_fields(input)
            return await templates.update_template(ctx.session, ctx.principal, template_id, fields)

        return await mutate(info, work, present=_template_payload, failed=_template_failed)

    @strawberry.mutation(
        description="Comment on a section of an article, or on the whole (editors)."
    )
    async def article_review_comment_add(
        self, info: strawberry.Info, input: ArticleReviewCommentAddInput
    ) -> ArticleReviewCommentPayload:
        ctx = info.context

        async def work() -> ArticleReviewComment:
            article_id = decode_id(str(input.article_id), "Article", "article_id")
            return await review.add_comment(
                ctx.session, ctx.principal, article_id, input.section_key, input.body
            )

        return await mutate(info, work, present=_comment_payload, failed=_comment_failed)

    @strawberry.mutation(
        description="Mark a review comment dealt with (the article's authors, or editors)."
    )
    async def article_review_comment_resolve(
        self, info: strawberry.Info, input: ArticleReviewCommentResolveInput
    ) -> ArticleReviewCommentPayload:
        ctx = info.context

        async def work() -> ArticleReviewComment:
            comment_id = decode_id(str(input.id), "ArticleReviewComment", "id")
            return await review.resolve_comment(ctx.session, ctx.principal, comment_id)

        return await mutate(info, work, present=_comment_payload, failed=_comment_failed)

    @strawberry.mutation(
        description="Record that a reprint's author was asked for permission (editors)."
    )
    async def reprint_permission_request(
        self, info: strawberry.Info, input: ReprintPermissionRequestInput
    ) -> ReprintPermissionPayload:
        ctx = info.context

        async def work() -> ReprintPermission:
            article_id = decode_id(str(input.article_id), "Article", "article_id")
            request = reprints.PermissionRequest(
                contact=input.contact,
                source_url=input.source_url,
                requested_on=input.requested_on,
                terms=input.terms,
                terms_note=input.terms_note,
            )
            return await reprints.request_permission(
                ctx.session, ctx.principal, article_id, request
            )

        return await mutate(info, work, present=_permission_payload, failed=_permission_failed)

    @strawberry.mutation(
        description="Record the author's answer to a reprint request: granted, declined or "
        "none (editors); it may be corrected later."
    )
    async def reprint_permission_answer(
        self, info: strawberry.Info, input: ReprintPermissionAnswerInput
    ) -> ReprintPermissionPayload:
        ctx = info.context

        async def work() -> ReprintPermission:
            permission_id = decode_id(str(input.id), "ReprintPermission", "id")
            answer = reprints.PermissionAnswer(
                status=input.status,
                answered_on=input.answered_on,
                terms=input.terms,
                terms_note=input.terms_note,
            )
            return await reprints.answer_permission(
                ctx.session, ctx.principal, permission_id, answer
            )

        return await mutate(info, work, present=_permission_payload, failed=_permission_failed)
