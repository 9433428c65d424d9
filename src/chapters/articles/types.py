"""Articles, their templates, review comments and reprint permissions as the API shows them.
What a caller may see is decided by ``articles.queries``: fields a caller may not read are
null (or empty)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, TypeAlias
from uuid import UUID

import strawberry
from strawberry import relay

from chapters.api.errors import UserError
from chapters.api.ids import LoadedNode
from chapters.articles import queries
from chapters.articles.pipeline import Step
from chapters.models import (
    Article,
    ArticleKind,
    ArticleReviewComment,
    ArticleSource,
    ArticleStatus,
    ArticleTemplate,
    ArticleTemplateSection,
    ArticleTransition,
    ReprintPermission,
    ReprintStatus,
    ReprintTerm,
)
from chapters.people.types import PersonType, load_person

if TYPE_CHECKING:
    from chapters.authors.types import AuthorType
    from chapters.channels.types import PublicationType
    from chapters.local_chapters.types import ChapterType

strawberry.enum(
    ArticleStatus,
    name="ArticleStatus",
    description="IDEA → INVITED (an author asked to write it) → DRAFTING → SUBMITTED → "
    "IN_REVIEW → CHANGES_REQUESTED (back to its authors) or SCHEDULED → PUBLISHED; DECLINED "
    "and WITHDRAWN end it before publication.",
)
strawberry.enum(
    ArticleKind,
    name="ArticleKind",
    description="BEST_PRACTICE, INSTALLATION_GUIDE, DEEP_DIVE, NEWS, TRANSLATION.",
)
strawberry.enum(
    ArticleSource,
    name="ArticleSource",
    description="ORIGINAL: written for the community; REPRINT: first published elsewhere "
    "(published only once its author granted permission).",
)
strawberry.enum(
    Step,
    name="ArticlePipelineStep",
    description="A step of the pipeline: INVITE, START, SUBMIT, START_REVIEW, "
    "REQUEST_CHANGES, SCHEDULE, PUBLISH, DECLINE, WITHDRAW (one mutation each).",
)
strawberry.enum(
    ReprintStatus,
    name="ReprintStatus",
    description="REQUESTED (no answer yet), GRANTED, DECLINED, NO_ANSWER (given up asking).",
)
strawberry.enum(
    ReprintTerm,
    name="ReprintTerm",
    description="What a reprint must do: ATTRIBUTION (name the author), LINK_BACK (link the "
    "original), NO_CHANGES, NOTIFY_ON_PUBLICATION, NON_COMMERCIAL.",
)
ArticleStatusType: TypeAlias = ArticleStatus
ArticleKindType: TypeAlias = ArticleKind
ArticleSourceType: TypeAlias = ArticleSource
ArticlePipelineStepType: TypeAlias = Step
ReprintStatusType: TypeAlias = ReprintStatus
ReprintTermType: TypeAlias = ReprintTerm


# --- templates -------------------------------------------------------------------------------


@strawberry.type(
    name="ArticleTemplateSection",
    description="A section of a template: what the writer is asked for, and whether a "
    "submission must fill it.",
)
class ArticleTemplateSectionType:
    key: str = strawberry.field(description="What an article's text for it answers to.")
    title: str
    guidance: str | None = strawberry.field(description="Guidance for the writer.")
    required: bool = strawberry.field(description="A submission must fill it.")
    min_words: int | None = strawberry.field(
        description="How many words it needs at least, if it is written (CJK characters "
        "count one word each)."
    )

    @classmethod
    def from_model(cls, section: ArticleTemplateSection) -> ArticleTemplateSectionType:
        return cls(
            key=section.key,
            title=section.title,
            guidance=section.guidance,
            required=section.required,
            min_words=section.min_words,
        )


@strawberry.type(
    name="ArticleTemplate",
    description="A template the tenant defined for articles: sections with guidance, some "
    "required. A retired one is no longer offered for new articles.",
)
class ArticleTemplateType(LoadedNode, relay.Node):
    id: relay.NodeID[str]
    name: str
    description: str | None
    kind: ArticleKindType | None = strawberry.field(
        description="The kind of article it is for; an article from it takes this kind "
        "unless it says otherwise."
    )
    retired: bool
    created_at: datetime
    updated_at: datetime
    uuid: strawberry.Private[UUID]

    @classmethod
    def from_model(cls, template: ArticleTemplate) -> ArticleTemplateType:
        return cls(
            id=str(template.id),
            uuid=template.id,
            name=template.name,
            description=template.description,
            kind=template.kind,
            retired=template.retired,
            created_at=template.created_at,
            updated_at=template.updated_at,
        )

    @strawberry.field(description="Its sections, in order.")
    async def sections(self, info: strawberry.Info) -> list[ArticleTemplateSectionType]:
        rows = await queries.template_sections(info.context, self.uuid)
        return [ArticleTemplateSectionType.from_model(row) for row in rows]

    @classmethod
    async def load(
        cls, info: strawberry.Info, object_id: UUID | None
    ) -> ArticleTemplateType | None:
        row = await queries.template(info.context, object_id)
        return cls.from_model(row) if row else None


@strawberry.type(name="ArticleTemplateConnection")
class ArticleTemplateConnection(relay.Connection[ArticleTemplateType]):
    pass


# --- an article's parts ----------------------------------------------------------------------


@strawberry.type(
    name="ArticleSection",
    description="A section of the article's template with the article's text for it.",
)
class ArticleSectionType:
    key: str
    title: str
    guidance: str | None
    required: bool
    min_words: int | None
    body: str | None = strawberry.field(description="The article's text; null: not written.")
    word_count: int = strawberry.field(description="CJK characters count one word each.")

    @classmethod
    def from_view(cls, view: queries.SectionView) -> ArticleSectionType:
        return cls(
            key=view.key,
            title=view.title,
            guidance=view.guidance,
            required=view.required,
            min_words=view.min_words,
            body=view.body,
            word_count=view.word_count,
        )


@strawberry.type(
    name="ArticleStep",
    description="One step of an article: who moved it from which status to which, when, "
    "and their comment.",
)
class ArticleStepType:
    from_status: ArticleStatusType | None = strawberry.field(description="Null at creation.")
    to_status: ArticleStatusType
    occurred_at: datetime
    comment: str | None
    actor_id: strawberry.Private[UUID | None]

    @classmethod
    def from_model(cls, step: ArticleTransition) -> ArticleStepType:
        return cls(
            from_status=step.from_status,
            to_status=step.to_status,
            occurred_at=step.occurred_at,
            comment=step.comment,
            actor_id=step.actor_id,
        )

    @strawberry.field(description="Who took the step.")
    async def actor(self, info: strawberry.Info) -> PersonType | None:
        return await load_person(info, self.actor_id)


@strawberry.type(
    name="ArticleReviewComment",
    description="A reviewer's comment on one section of an article (or on the whole), "
    "until its authors resolve it.",
)
class ArticleReviewCommentType(LoadedNode, relay.Node):
    id: relay.NodeID[str]
    section_key: str | None = strawberry.field(
        description="The template section it is about; null: the article as a whole."
    )
    body: str
    resolved_at: datetime | None
    created_at: datetime
    uuid: strawberry.Private[UUID]
    article_id: strawberry.Private[UUID]
    author_id: strawberry.Private[UUID | None]

    @classmethod
    def from_model(cls, comment: ArticleReviewComment) -> ArticleReviewCommentType:
        return cls(
            id=str(comment.id),
            uuid=comment.id,
            section_key=comment.section_key,
            body=comment.body,
            resolved_at=comment.resolved_at,
            created_at=comment.created_at,
            article_id=comment.article_id,
            author_id=comment.author_id,
        )

    @strawberry.field
    def resolved(self) -> bool:
        return self.resolved_at is not None

    @strawberry.field(description="The reviewer.")
    async def reviewer(self, info: strawberry.Info) -> PersonType | None:
        return await load_person(info, self.author_id)

    @strawberry.field
    async def article(self, info: strawberry.Info) -> ArticleType | None:
        return await ArticleType.load(info, self.article_id)

    @classmethod
    async def load(
        cls, info: strawberry.Info, object_id: UUID | None
    ) -> ArticleReviewCommentType | None:
        row = await queries.review_comment(info.context, object_id)
        return cls.from_model(row) if row else None


@strawberry.type(
    name="ReprintPermission",
    description="A request to reprint an article found elsewhere, and its author's answer.",
)
class ReprintPermissionType(LoadedNode, relay.Node):
    id: relay.NodeID[str]
    source_url: str = strawberry.field(description="Where the article first appeared.")
    requested_on: date
    status: ReprintStatusType
    answered_on: date | None
    terms: list[ReprintTermType] = strawberry.field(
        description="The terms offered, then, once answered, the terms the author set."
    )
    terms_note: str | None
    uuid: strawberry.Private[UUID]
    article_id: strawberry.Private[UUID]
    requested_by_id: strawberry.Private[UUID | None]
    private_contact: strawberry.Private[str]

    @classmethod
    def from_model(cls, permission: ReprintPermission) -> ReprintPermissionType:
        return cls(
            id=str(permission.id),
            uuid=permission.id,
            source_url=permission.source_url,
            requested_on=permission.requested_on,
            status=permission.status,
            answered_on=permission.answered_on,
            terms=[ReprintTerm(term) for term in permission.terms or ()],
            terms_note=permission.terms_note,
            article_id=permission.article_id,
            requested_by_id=permission.requested_by_id,
            private_contact=permission.contact,
        )

    @strawberry.field(
        description="How the author was reached (editors and staff; null for everyone else)."
    )
    async def contact(self, info: strawberry.Info) -> str | None:
        return self.private_contact if await queries.sees_reprint_contacts(info.context) else None

    @strawberry.field(description="Who asked.")
    async def requested_by(self, info: strawberry.Info) -> PersonType | None:
        return await load_person(info, self.requested_by_id)

    @strawberry.field
    async def article(self, info: strawberry.Info) -> ArticleType | None:
        return await ArticleType.load(info, self.article_id)

    @classmethod
    async def load(
        cls, info: strawberry.Info, object_id: UUID | None
    ) -> ReprintPermissionType | None:
        row = await queries.reprint_permission(info.context, object_id)
        return cls.from_model(row) if row else None


# --- articles --------------------------------------------------------------------------------


@strawberry.type(name="Article", description="An article on its way to publication.")
class ArticleType(LoadedNode, relay.Node):
    id: relay.NodeID[str]
    title: str
    topic: str | None
    kind: ArticleKindType
    source: ArticleSourceType
    source_url: str | None = strawberry.field(description="A reprint: where it first appeared.")
    status: ArticleStatusType
    summary: str | None
    body: str | None = strawberry.field(
        description="The text of an article written without a template (one from a template "
        "is in its sections)."
    )
    submitted_at: datetime | None = strawberry.field(description="When it was last submitted.")
    scheduled_for: datetime | None
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime
    uuid: strawberry.Private[UUID]
    template_id: strawberry.Private[UUID | None]
    chapter_id: strawberry.Private[UUID | None]
    row: strawberry.Private[Article]

    @classmethod
    def from_model(cls, article: Article) -> ArticleType:
        return cls(
            id=str(article.id),
            uuid=article.id,
            title=article.title,
            topic=article.topic,
            kind=article.kind,
            source=article.source,
            source_url=article.source_url,
            status=article.status,
            summary=article.summary,
            body=article.body,
            submitted_at=article.submitted_at,
            scheduled_for=article.scheduled_for,
            published_at=article.published_at,
            created_at=article.created_at,
            updated_at=article.updated_at,
            template_id=article.template_id,
            chapter_id=article.chapter_id,
            row=article,
        )

    @strawberry.field(description="The chapter it comes from (its leads follow it).")
    async def chapter(
        self, info: strawberry.Info
    ) -> Annotated[ChapterType, strawberry.lazy("chapters.local_chapters.types")] | None:
        from chapters.local_chapters.types import load_chapter

        return await load_chapter(info, self.chapter_id)

    @strawberry.field(description="The template it is written from, if any.")
    async def template(self, info: strawberry.Info) -> ArticleTemplateType | None:
        return await ArticleTemplateType.load(info, self.template_id)

    @strawberry.field(
        description="Its authors, in byline order (a partner's client sees none: people are "
        "not its business)."
    )
    async def authors(
        self, info: strawberry.Info
    ) -> list[Annotated[AuthorType, strawberry.lazy("chapters.authors.types")]]:
        from chapters.authors.types import AuthorType

        return [AuthorType.from_model(row) for row in await queries.byline(info.context, self.uuid)]

    @strawberry.field(
        description="Its template's sections, in order, with its text for each (empty "
        "without a template)."
    )
    async def sections(self, info: strawberry.Info) -> list[ArticleSectionType]:
        views = await queries.sections(info.context, self.row)
        return [ArticleSectionType.from_view(view) for view in views]

    @strawberry.field(description="Its steps, oldest first: proposed, invited, submitted …")
    async def history(self, info: strawberry.Info) -> list[ArticleStepType]:
        steps = await queries.history(info.context, self.uuid)
        return [ArticleStepType.from_model(step) for step in steps]

    @strawberry.field(
        description="The steps the caller may take from its status (what a step needs "
        "besides is checked when it is taken: see submissionProblems)."
    )
    async def available_steps(self, info: strawberry.Info) -> list[ArticlePipelineStepType]:
        return await queries.available_steps(info.context, self.row)

    @strawberry.field(
        description="What keeps the caller from submitting it now: its status, or what "
        "review needs (every required section missing …), as the typed errors articleSubmit "
        "would answer; empty when it can be submitted. Null for callers who may not submit it."
    )
    async def submission_problems(self, info: strawberry.Info) -> list[UserError] | None:
        problems = await queries.submission_problems(info.context, self.row)
        if problems is None:
            return None
        return [UserError.from_field_error(problem) for problem in problems]

    @strawberry.field(
        description="Reviewers' comments, oldest first (its authors, editors and staff; null "
        "for everyone else)."
    )
    async def review_comments(self, info: strawberry.Info) -> list[ArticleReviewCommentType] | None:
        rows = await queries.review_comments(info.context, self.uuid)
        if rows is None:
            return None
        return [ArticleReviewCommentType.from_model(row) for row in rows]

    @strawberry.field(description="Requests to reprint it, the earliest first (a reprint).")
    async def reprint_permissions(self, info: strawberry.Info) -> list[ReprintPermissionType]:
        rows = await queries.reprint_permissions(info.context, self.uuid)
        return [ReprintPermissionType.from_model(row) for row in rows]

    @strawberry.field(description="Where it was published (signed-in people).")
    async def publications(
        self, info: strawberry.Info
    ) -> list[Annotated[PublicationType, strawberry.lazy("chapters.channels.types")]]:
        from chapters.channels.types import publications_of_article

        return await publications_of_article(info, self.uuid)

    @classmethod
    async def load(cls, info: strawberry.Info, object_id: UUID | None) -> ArticleType | None:
        row = await queries.article(info.context, object_id)
        return cls.from_model(row) if row else None


async def load_article(info: strawberry.Info, article_id: UUID | None) -> ArticleType | None:
    return await ArticleType.load(info, article_id)


@strawberry.type(name="ArticleConnection")
class ArticleConnection(relay.Connection[ArticleType]):
    pass
