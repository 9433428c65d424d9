"""What may be read of articles and their templates, and by whom: the one place the
articles' visibility is written (``readable``, also used for an author's articles).

- Published articles: every signed-in person of the tenant.
- Articles in any state: editors, staff and viewers all of them; a chapter's leads and
  co-leads those coming from their chapter; authors their own.
- A partner organisation's client: the articles one of its organisation's writers co-authors
  (``authz.partners``), without their authors (people) or anyone's contact.
- Review comments: the article's authors, editors and staff. Reprint requests: whoever reads
  the article, the contact asked by editors and staff only.
- Templates and the list of editors: whoever may propose an article (signed-in people).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, exists, false, or_, select, true

from chapters import authz
from chapters.articles import pipeline
from chapters.articles.loaders import (
    authors_by_article,
    reprint_permissions_by_article,
    review_comments_by_article,
    sections_by_article,
    sections_by_template,
    transitions_by_article,
)
from chapters.articles.service import Acting, people_of
from chapters.auth.principal import Principal
from chapters.authz import Action, partners
from chapters.db.loaders import Reader, rows_by_id
from chapters.db.pagination import Ordering, Page, PageArgs, paginate
from chapters.editors.queries import caller_is_editor
from chapters.errors import ErrorCode, FieldError, Forbidden, InvalidInput
from chapters.models import (
    Article,
    ArticleAuthor,
    ArticleKind,
    ArticleReviewComment,
    ArticleSource,
    ArticleStatus,
    ArticleTemplate,
    ArticleTemplateSection,
    ArticleTransition,
    Author,
    ReprintPermission,
)
from chapters.validation import is_storable

ARTICLE_ORDER = Ordering((Article.updated_at, Article.id), descending=True)
TEMPLATE_ORDER = Ordering((ArticleTemplate.name, ArticleTemplate.id))
TOPIC_FILTER_LIMIT = 300


def _written_by(person_id: uuid.UUID) -> ColumnElement[bool]:
    return exists().where(
        ArticleAuthor.tenant_id == Article.tenant_id,
        ArticleAuthor.article_id == Article.id,
        Author.tenant_id == ArticleAuthor.tenant_id,
        Author.id == ArticleAuthor.author_id,
        Author.person_id == person_id,
    )


def readable(principal: Principal | None, editor: bool) -> ColumnElement[bool]:
    """The articles the caller may read, as a condition on ``Article`` (``editor``: the
    caller is a content editor)."""
    organisation = partners.partner_of(principal)
    if organisation is not None:
        if not authz.can(principal, Action.ARTICLE_READ):
            return false()
        return partners.visible_articles(organisation)
    if authz.can(principal, Action.ARTICLE_READ, editor=editor):
        return true()
    conditions: list[ColumnElement[bool]] = []
    if authz.can(principal, Action.ARTICLE_READ_PUBLISHED):
        conditions.append(Article.status == ArticleStatus.PUBLISHED)
    if principal is not None:
        chapters = [
            chapter_id
            for chapter_id in principal.chapter_roles
            if authz.can(principal, Action.ARTICLE_READ, chapter_id=chapter_id)
        ]
        if chapters:
            conditions.append(Article.chapter_id.in_(chapters))
        me = principal.person_id
        if me is not None and authz.can(principal, Action.ARTICLE_READ, authors=[me]):
            conditions.append(_written_by(me))
    return or_(*conditions) if conditions else false()


def may_read(
    principal: Principal | None, editor: bool, article: Article, authors: Sequence[Author]
) -> bool:
    """``readable`` for one loaded article and its authors."""
    organisation = partners.partner_of(principal)
    if organisation is not None:
        return authz.can(principal, Action.ARTICLE_READ) and any(
            author.organisation_id == organisation for author in authors
        )
    if article.status == ArticleStatus.PUBLISHED and authz.can(
        principal, Action.ARTICLE_READ_PUBLISHED
    ):
        return True
    return authz.can(
        principal,
        Action.ARTICLE_READ,
        chapter_id=article.chapter_id,
        authors=people_of(authors),
        editor=editor,
    )


async def caller(reader: Reader) -> Acting:
    return Acting(reader.principal, await caller_is_editor(reader))


def reads_articles(principal: Principal | None, editor: bool) -> bool:
    """Whether the caller may read any article at all (a list of them)."""
    return authz.can(principal, Action.ARTICLE_READ_PUBLISHED) or authz.can(
        principal, Action.ARTICLE_READ, editor=editor
    )


@dataclass(frozen=True)
class ArticleFilter:
    statuses: tuple[ArticleStatus, ...] = ()
    kinds: tuple[ArticleKind, ...] = ()
    source: ArticleSource | None = None
    chapter_id: uuid.UUID | None = None
    topic: str | None = None  # a part of the topic, in any case
    author_id: uuid.UUID | None = None  # an entry of the author pool

    def check(self) -> None:
        topic = self.topic
        if topic is not None and (not is_storable(topic) or len(topic) > TOPIC_FILTER_LIMIT):
            message = f"Use up to {TOPIC_FILTER_LIMIT} characters of text"
            raise InvalidInput(FieldError("filter.topic", ErrorCode.INVALID, message))

    def conditions(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if self.statuses:
            conditions.append(Article.status.in_(self.statuses))
        if self.kinds:
            conditions.append(Article.kind.in_(self.kinds))
        if self.source is not None:
            conditions.append(Article.source == self.source)
        if self.chapter_id is not None:
            conditions.append(Article.chapter_id == self.chapter_id)
        if self.topic and self.topic.strip():
            conditions.append(Article.topic.icontains(self.topic.strip(), autoescape=True))
        if self.author_id is not None:
            conditions.append(
                exists().where(
                    ArticleAuthor.tenant_id == Article.tenant_id,
                    ArticleAuthor.article_id == Article.id,
                    ArticleAuthor.author_id == self.author_id,
                )
            )
        return conditions


async def articles(reader: Reader, filters: ArticleFilter, args: PageArgs) -> Page[Article]:
    """The articles matching the filters that the caller may read, the latest changed first."""
    me = await caller(reader)
    if not reads_articles(me.principal, me.editor):
        raise Forbidden(Action.ARTICLE_READ_PUBLISHED.value)
    filters.check()
    statement = select(Article).where(*filters.conditions(), readable(me.principal, me.editor))
    return await paginate(reader.session, statement, ARTICLE_ORDER, args)


async def authors(reader: Reader, article_id: uuid.UUID) -> list[Author]:
    """The article's authors, in byline order (every one: what is shown of each is the
    author pool's business)."""
    rows: list[Author] = await reader.loaders.of(authors_by_article).load(article_id)
    return rows


async def article(reader: Reader, article_id: uuid.UUID | None) -> Article | None:
    if article_id is None:
        return None
    me = await caller(reader)
    if not reads_articles(me.principal, me.editor):
        return None
    row: Article | None = await reader.loaders.of(rows_by_id, Article).load(article_id)
    if row is None or not may_read(me.principal, me.editor, row, await authors(reader, row.id)):
        return None
    return row


async def byline(reader: Reader, article_id: uuid.UUID) -> list[Author]:
    """The authors the caller is shown: none to a partner's client (people are not its
    business, its organisation's writers included)."""
    if partners.partner_of(reader.principal) is not None:
        return []
    return await authors(reader, article_id)


async def history(reader: Reader, article_id: uuid.UUID) -> list[ArticleTransition]:
    rows: list[ArticleTransition] = await reader.loaders.of(transitions_by_article).load(article_id)
    return rows


@dataclass(frozen=True)
class SectionView:
    """One section of an article's template with the article's text for it."""

    key: str
    title: str
    guidance: str | None
    required: bool
    min_words: int | None
    body: str | None

    @property
    def word_count(self) -> int:
        return pipeline.word_count(self.body)


async def template_sections(reader: Reader, template_id: uuid.UUID) -> list[ArticleTemplateSection]:
    rows: list[ArticleTemplateSection] = await reader.loaders.of(sections_by_template).load(
        template_id
    )
    return rows


async def sections(reader: Reader, article: Article) -> list[SectionView]:
    """Its template's sections, in order, each with the article's text (none: not written);
    empty for an article without a template."""
    if article.template_id is None:
        return []
    template = await template_sections(reader, article.template_id)
    texts = {
        row.key: row.body for row in await reader.loaders.of(sections_by_article).load(article.id)
    }
    return [
        SectionView(
            key=section.key,
            title=section.title,
            guidance=section.guidance,
            required=section.required,
            min_words=section.min_words,
            body=texts.get(section.key),
        )
        for section in template
    ]


async def available_steps(reader: Reader, article: Article) -> list[pipeline.Step]:
    """The steps the caller may take from the article's status."""
    me = await caller(reader)
    authors_ = await authors(reader, article.id)
    return [
        pipeline.Step(step)
        for step in pipeline.LIFECYCLE.steps_from(article.status)
        if pipeline.may_take(me, article, authors_, pipeline.Step(step))
    ]


async def submission_problems(reader: Reader, article: Article) -> list[FieldError] | None:
    """What keeps the caller from submitting the article now (its status, or what review
    needs, all of it); None for callers who may not submit it."""
    me = await caller(reader)
    authors_ = await authors(reader, article.id)
    if not me.can(Action.ARTICLE_SUBMIT, people_of(authors_)):
        return None
    if pipeline.LIFECYCLE.target(article.status, pipeline.Step.SUBMIT) is None:
        return [pipeline.LIFECYCLE.refusal(article.status, pipeline.Step.SUBMIT)]
    template = await template_sections(reader, article.template_id) if article.template_id else []
    texts = await reader.loaders.of(sections_by_article).load(article.id)
    return pipeline.content_problems(article, authors_, template, texts)


async def reads_review(reader: Reader, article_id: uuid.UUID) -> bool:
    """Whether the caller reads the article's review comments: its authors, editors, staff."""
    me = await caller(reader)
    return me.can(Action.ARTICLE_EDIT, people_of(await authors(reader, article_id)))


async def review_comments(
    reader: Reader, article_id: uuid.UUID
) -> list[ArticleReviewComment] | None:
    """The article's review comments, oldest first; None for callers who may not read them."""
    if not await reads_review(reader, article_id):
        return None
    rows: list[ArticleReviewComment] = await reader.loaders.of(review_comments_by_article).load(
        article_id
    )
    return rows


async def review_comment(
    reader: Reader, comment_id: uuid.UUID | None
) -> ArticleReviewComment | None:
    if comment_id is None:
        return None
    row: ArticleReviewComment | None = await reader.loaders.of(
        rows_by_id, ArticleReviewComment
    ).load(comment_id)
    if row is None or await article(reader, row.article_id) is None:
        return None
    return row if await reads_review(reader, row.article_id) else None


async def reprint_permissions(reader: Reader, article_id: uuid.UUID) -> list[ReprintPermission]:
    rows: list[ReprintPermission] = await reader.loaders.of(reprint_permissions_by_article).load(
        article_id
    )
    return rows


async def sees_reprint_contacts(reader: Reader) -> bool:
    """Whom a reprint's author was asked through: editors and staff."""
    return (await caller(reader)).can(Action.REPRINT_MANAGE)


async def reprint_permission(
    reader: Reader, permission_id: uuid.UUID | None
) -> ReprintPermission | None:
    if permission_id is None:
        return None
    row: ReprintPermission | None = await reader.loaders.of(rows_by_id, ReprintPermission).load(
        permission_id
    )
    if row is None or await article(reader, row.article_id) is None:
        return None
    return row


# --- templates -------------------------------------------------------------------------------


async def reads_templates(reader: Reader) -> bool:
    return (await caller(reader)).can(Action.ARTICLE_PROPOSE)


async def templates(reader: Reader, include_retired: bool, args: PageArgs) -> Page[ArticleTemplate]:
    """The tenant's templates by name (current ones only unless ``include_retired``)."""
    if not await reads_templates(reader):
        raise Forbidden(Action.ARTICLE_PROPOSE.value)
    statement = select(ArticleTemplate)
    if not include_retired:
        statement = statement.where(ArticleTemplate.retired.is_(False))
    return await paginate(reader.session, statement, TEMPLATE_ORDER, args)


async def template(reader: Reader, template_id: uuid.UUID | None) -> ArticleTemplate | None:
    if template_id is None or not await reads_templates(reader):
        return None
    row: ArticleTemplate | None = await reader.loaders.of(rows_by_id, ArticleTemplate).load(
        template_id
    )
    return row
