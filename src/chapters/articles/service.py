"""Use cases on articles: proposing and editing them. Services validate, ask the policy, write,
and never commit. The pipeline's steps are ``articles.pipeline``; templates, review comments
and reprint permissions have modules of their own.

Any signed-in person may propose an article; a person who is not an editor is always among
its authors. An article's authors are entries of the author pool: people of the tenant
(``person_ids``: their entry is made when they first write) or writers from outside
(``author_ids``, which only editors may add). Its authors and the editors edit it while it is
an idea, invited, being drafted or sent back for changes; once submitted it is the editors'
until it comes back. An article written from a template gives its text per section (a given
list of sections replaces the article's); one written without a template has a body.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters import authz
from chapters.auth.principal import Principal
from chapters.authors.service import author_for_person
from chapters.authz import Action
from chapters.changes import UNSET, Change, Changes
from chapters.db.session import get_row
from chapters.editors.service import is_editor
from chapters.errors import ErrorCode, FieldError, Forbidden, InvalidInput
from chapters.lifecycle import keep_step
from chapters.models import (
    Article,
    ArticleAuthor,
    ArticleKind,
    ArticleSection,
    ArticleSource,
    ArticleStatus,
    ArticleTemplate,
    ArticleTemplateSection,
    ArticleTransition,
    Author,
    AuthorOrigin,
    Chapter,
    Person,
)
from chapters.validation import (
    check_length,
    check_texts,
    check_web_url,
    checked_text,
    clean_text,
    is_storable,
)

S = ArticleStatus
TITLE_LIMIT = 300
TOPIC_LIMIT = 300
SUMMARY_LIMIT = 2000
BODY_LIMIT = 100_000
SECTION_LIMIT = 50_000
COMMENT_LIMIT = 5000
MAX_AUTHORS = 10
# Authors and editors change the text while it is theirs; submitted, it is under review.
EDITABLE = frozenset({S.IDEA, S.INVITED, S.DRAFTING, S.CHANGES_REQUESTED})
FINAL = frozenset({S.PUBLISHED, S.DECLINED, S.WITHDRAWN})
# Dates people give (a request sent, an answer received) may not lie ahead: "today" is taken
# wherever it is latest on Earth, so that nobody east of UTC is told their today is tomorrow.
AHEAD_OF_UTC = timedelta(hours=14)


def utc_now() -> datetime:
    return datetime.now(UTC)


def latest_today() -> date:
    return (utc_now() + AHEAD_OF_UTC).date()


@dataclass(frozen=True)
class SectionText:
    """An article's text for one of its template's sections."""

    key: str
    body: str | None


@dataclass(frozen=True, kw_only=True)
class ArticleFields(Changes):
    """Article fields; in updates, UNSET leaves a field as it is and None clears it."""

    title: Change[str | None] = UNSET
    topic: Change[str | None] = UNSET
    kind: Change[ArticleKind | None] = UNSET
    source: Change[ArticleSource | None] = UNSET
    source_url: Change[str | None] = UNSET
    template_id: Change[uuid.UUID | None] = UNSET
    chapter_id: Change[uuid.UUID | None] = UNSET
    summary: Change[str | None] = UNSET
    body: Change[str | None] = UNSET
    # The byline: pool entries, then people of the tenant; given either, both replace it.
    author_ids: Change[Sequence[uuid.UUID] | None] = UNSET
    person_ids: Change[Sequence[uuid.UUID] | None] = UNSET
    # The text per template section; a given list replaces the article's sections.
    sections: Change[Sequence[SectionText] | None] = UNSET


def checked_comment(value: str | None, field: str = "comment") -> str | None:
    return checked_text(value, field, COMMENT_LIMIT)


# --- who acts --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Acting:
    """The caller, and whether staff appointed them a content editor."""

    principal: Principal | None
    editor: bool

    @property
    def person_id(self) -> uuid.UUID | None:
        return self.principal.person_id if self.principal is not None else None

    def can(self, action: Action, authors: Sequence[uuid.UUID] = ()) -> bool:
        return authz.can(self.principal, action, authors=authors, editor=self.editor)

    def require(self, action: Action, authors: Sequence[uuid.UUID] = ()) -> Principal:
        return authz.require_caller(self.principal, action, authors=authors, editor=self.editor)

    def require_as_author(self, action: Action) -> Principal:
        """The first gate, before the article is looked up: the caller could take ``action``
        if they were one of its authors (a person), or takes it anyway (an editor)."""
        me = self.person_id
        return self.require(action, [me] if me is not None else [])

    @property
    def runs_pipeline(self) -> bool:
        """Editors and staff: they invite authors, review and name writers from the pool."""
        return self.can(Action.ARTICLE_REVIEW)


async def acting(session: AsyncSession, principal: Principal | None) -> Acting:
    return Acting(principal, await is_editor(session, principal))


# --- reading what the rules need ---------------------------------------------------------------


async def get_article(
    session: AsyncSession, article_id: uuid.UUID, field: str = "id", *, lock: bool = False
) -> Article:
    return await get_row(session, Article, article_id, "Article", field, lock=lock)


async def authors_of(session: AsyncSession, article_id: uuid.UUID) -> list[Author]:
    """The article's authors, in byline order."""
    rows = await session.scalars(
        select(Author)
        .join(
            ArticleAuthor,
            (ArticleAuthor.tenant_id == Author.tenant_id) & (ArticleAuthor.author_id == Author.id),
        )
        .where(ArticleAuthor.article_id == article_id)
        .order_by(ArticleAuthor.position)
    )
    return list(rows)


def people_of(authors: Sequence[Author]) -> list[uuid.UUID]:
    """The people of the tenant among the authors (what the policy's ``AUTHOR`` is about)."""
    return [author.person_id for author in authors if author.person_id is not None]


async def template_sections(
    session: AsyncSession, template_id: uuid.UUID | None
) -> list[ArticleTemplateSection]:
    if template_id is None:
        return []
    rows = await session.scalars(
        select(ArticleTemplateSection)
        .where(ArticleTemplateSection.template_id == template_id)
        .order_by(ArticleTemplateSection.position)
    )
    return list(rows)


async def article_sections(session: AsyncSession, article_id: uuid.UUID) -> list[ArticleSection]:
    rows = await session.scalars(
        select(ArticleSection).where(ArticleSection.article_id == article_id)
    )
    return list(rows)


# --- the fields ------------------------------------------------------------------------------

_TEXT = {"title": TITLE_LIMIT, "topic": TOPIC_LIMIT, "summary": SUMMARY_LIMIT, "body": BODY_LIMIT}


def _values(fields: ArticleFields, *, creating: bool) -> dict[str, Any]:
    values = fields.given_to_create() if creating else fields.given()
    for name in (*_TEXT, "source_url"):
        if name in values:
            values[name] = clean_text(values[name])
    return values


def _check_fields(values: dict[str, Any], *, creating: bool) -> list[FieldError]:
    errors: list[FieldError] = []
    if (creating or "title" in values) and values.get("title") is None:
        errors.append(FieldError("title", ErrorCode.REQUIRED, "An article needs a title"))
    for name in ("kind", "source"):
        if name in values and values[name] is None:
            errors.append(FieldError(name, ErrorCode.REQUIRED, f"An article needs its {name}"))
    errors += check_texts(values, _TEXT)
    errors += check_web_url(values.get("source_url"), "source_url")
    return errors


async def _template(
    session: AsyncSession, template_id: uuid.UUID, current: uuid.UUID | None
) -> ArticleTemplate:
    template = await get_row(session, ArticleTemplate, template_id, "Template", "template_id")
    if template.retired and template.id != current:
        message = "This template is retired: choose a current one"
        raise InvalidInput(FieldError("template_id", ErrorCode.INVALID, message))
    return template


async def _check_chapter(session: AsyncSession, chapter_id: uuid.UUID | None) -> None:
    if chapter_id is not None:
        await get_row(session, Chapter, chapter_id, "Chapter", "chapter_id")


# --- the byline ------------------------------------------------------------------------------


async def _pool_entries(session: AsyncSession, author_ids: Sequence[uuid.UUID]) -> list[uuid.UUID]:
    found = set(await session.scalars(select(Author.id).where(Author.id.in_(author_ids))))
    missing = [
        FieldError(f"author_ids.{index}", ErrorCode.NOT_FOUND, "No author with this id")
        for index, author_id in enumerate(author_ids)
        if author_id not in found
    ]
    if missing:
        raise InvalidInput(*missing)
    return list(author_ids)


async def _people_entries(
    session: AsyncSession, person_ids: Sequence[uuid.UUID], origin: AuthorOrigin
) -> list[uuid.UUID]:
    """The pool entries of these people (made for those who have none yet)."""
    found = set(await session.scalars(select(Person.id).where(Person.id.in_(person_ids))))
    missing = [
        FieldError(f"person_ids.{index}", ErrorCode.NOT_FOUND, "No person with this id")
        for index, person_id in enumerate(person_ids)
        if person_id not in found
    ]
    if missing:
        raise InvalidInput(*missing)
    return [(await author_for_person(session, p, origin)).id for p in dict.fromkeys(person_ids)]


async def _byline(
    session: AsyncSession,
    caller: Acting,
    author_ids: Sequence[uuid.UUID] | None,
    person_ids: Sequence[uuid.UUID] | None,
    current: Sequence[Author],
) -> list[uuid.UUID]:
    """The pool entries of the byline, in order: ``author_ids`` then the people's. Only
    editors bring writers of the pool onto an article; its authors may list those already on
    it."""
    given_authors, given_people = list(author_ids or ()), list(person_ids or ())
    if len(given_authors) + len(given_people) > MAX_AUTHORS:
        field = "person_ids" if given_people else "author_ids"
        message = f"At most {MAX_AUTHORS} authors"
        raise InvalidInput(FieldError(field, ErrorCode.INVALID, message))
    entries = await _pool_entries(session, given_authors)
    on_it = {author.id for author in current}
    if not caller.runs_pipeline and any(entry not in on_it for entry in entries):
        raise Forbidden(Action.ARTICLE_REVIEW.value)
    origin = AuthorOrigin.INVITED if caller.runs_pipeline else AuthorOrigin.WROTE
    entries += await _people_entries(session, given_people, origin)
    return list(dict.fromkeys(entries))


async def _write_byline(
    session: AsyncSession, article: Article, entries: Sequence[uuid.UUID]
) -> None:
    """The article's authors become ``entries``, in order (rows kept where they can be)."""
    rows = {
        row.author_id: row
        for row in await session.scalars(
            select(ArticleAuthor).where(ArticleAuthor.article_id == article.id)
        )
    }
    for author_id, row in rows.items():
        if author_id not in entries:
            await session.delete(row)
    for position, author_id in enumerate(entries):
        kept = rows.get(author_id)
        if kept is None:
            session.add(
                ArticleAuthor(article_id=article.id, author_id=author_id, position=position)
            )
        elif kept.position != position:
            kept.position = position
    await session.flush()


async def _person_entry(session: AsyncSession, person_id: uuid.UUID) -> uuid.UUID:
    return (await author_for_person(session, person_id)).id


# --- sections --------------------------------------------------------------------------------


def _checked_sections(
    sections: Sequence[SectionText], template: Sequence[ArticleTemplateSection] | None
) -> dict[str, str]:
    """The given sections' text by key (blank ones left out), or typed errors at
    ``sections.<index>.<name>``."""
    if template is None:
        message = "Choose a template first: an article without one has a body"
        raise InvalidInput(FieldError("sections", ErrorCode.INVALID, message))
    keys = {section.key for section in template}
    errors: list[FieldError] = []
    texts: dict[str, str] = {}
    seen: set[str] = set()
    for index, section in enumerate(sections):
        at = f"sections.{index}"
        if section.key not in keys:
            message = "The template has no section with this key"
            errors.append(FieldError(f"{at}.key", ErrorCode.INVALID, message))
        elif section.key in seen:
            errors.append(FieldError(f"{at}.key", ErrorCode.INVALID, "This section is given twice"))
        seen.add(section.key)
        body = section.body
        errors += check_length(body, f"{at}.body", SECTION_LIMIT)
        if body is not None and not is_storable(body):
            errors.append(FieldError(f"{at}.body", ErrorCode.INVALID, "Not storable text"))
        text = clean_text(body)
        if text is not None and section.key in keys:
            texts[section.key] = text
    if errors:
        raise InvalidInput(*errors)
    return texts


async def _write_sections(session: AsyncSession, article: Article, texts: dict[str, str]) -> None:
    """The article's sections become ``texts`` (rows kept where they can be)."""
    rows = {row.key: row for row in await article_sections(session, article.id)}
    for key, row in rows.items():
        if key not in texts:
            await session.delete(row)
    for key, text in texts.items():
        kept = rows.get(key)
        if kept is None:
            session.add(ArticleSection(article_id=article.id, key=key, body=text))
        elif kept.body != text:
            kept.body = text
    await session.flush()


# --- proposing and editing -------------------------------------------------------------------


async def create_article(
    session: AsyncSession, principal: Principal | None, fields: ArticleFields
) -> Article:
    """A new idea: any person (as one of its authors) or an editor (for anyone, or nobody
    yet)."""
    caller = await acting(session, principal)
    me = caller.require(Action.ARTICLE_PROPOSE)
    values = _values(fields, creating=True)
    author_ids = values.pop("author_ids", None)
    person_ids = values.pop("person_ids", None)
    sections = values.pop("sections", None)
    template = None
    if values.get("template_id") is not None:
        template = await _template(session, values["template_id"], None)
        values.setdefault("kind", template.kind)
    errors = _check_fields(values, creating=True)
    if values.get("kind") is None:
        message = "Say what kind of article it is (or choose a template of a kind)"
        errors.append(FieldError("kind", ErrorCode.REQUIRED, message))
    values.setdefault("source", ArticleSource.ORIGINAL)
    if values["source"] == ArticleSource.REPRINT and values.get("source_url") is None:
        message = "A reprint names where it first appeared"
        errors.append(FieldError("source_url", ErrorCode.REQUIRED, message))
    if errors:
        raise InvalidInput(*errors)
    await _check_chapter(session, values.get("chapter_id"))
    entries = await _byline(session, caller, author_ids, person_ids, [])
    texts = None
    if sections:
        rows = await template_sections(session, template.id) if template else None
        texts = _checked_sections(sections, rows)
    if not caller.runs_pipeline and me.person_id is not None:
        own = await _person_entry(session, me.person_id)
        if own not in entries:
            entries = [own, *entries]  # one's own idea, whoever else writes it
    article = Article(status=S.IDEA, **values)
    session.add(article)
    await session.flush()
    await _write_byline(session, article, entries)
    if texts:
        await _write_sections(session, article, texts)
    keep_step(
        session,
        ArticleTransition,
        "article_id",
        article,
        S.IDEA,
        me.person_id,
        None,
        utc_now(),
        initial=True,
    )
    await session.flush()
    return article


def _check_editable(article: Article) -> None:
    if article.status not in EDITABLE:
        shown = article.status.value.replace("_", " ")
        message = f"The article is {shown}: it can be edited as an idea, while invited, "
        message += "drafted, or sent back for changes"
        raise InvalidInput(FieldError("id", ErrorCode.CONFLICT, message))


async def update_article(
    session: AsyncSession,
    principal: Principal | None,
    article_id: uuid.UUID,
    fields: ArticleFields,
) -> Article:
    """Edit an article while it is its authors' (its authors or an editor). An author who is
    not an editor stays among the authors."""
    caller = await acting(session, principal)
    caller.require_as_author(Action.ARTICLE_EDIT)
    article = await get_article(session, article_id, lock=True)
    current = await authors_of(session, article.id)
    caller.require(Action.ARTICLE_EDIT, people_of(current))
    values = _values(fields, creating=False)
    errors = _check_fields(values, creating=False)
    if errors:
        raise InvalidInput(*errors)
    _check_editable(article)
    author_ids = values.pop("author_ids", UNSET)
    person_ids = values.pop("person_ids", UNSET)
    sections = values.pop("sections", UNSET)
    template_id = values.get("template_id", article.template_id)
    template = await _template(session, template_id, article.template_id) if template_id else None
    source = values.get("source", article.source)
    if source == ArticleSource.REPRINT and values.get("source_url", article.source_url) is None:
        message = "A reprint names where it first appeared"
        raise InvalidInput(FieldError("source_url", ErrorCode.REQUIRED, message))
    if "chapter_id" in values:
        await _check_chapter(session, values["chapter_id"])
    if author_ids is not UNSET or person_ids is not UNSET:
        given_authors = author_ids if author_ids is not UNSET else None
        given_people = person_ids if person_ids is not UNSET else None
        entries = await _byline(session, caller, given_authors, given_people, current)
        me = caller.person_id
        if (
            not caller.runs_pipeline
            and me is not None
            and me not in await _people(session, entries)
        ):
            message = "Keep yourself among the authors"
            raise InvalidInput(FieldError("person_ids", ErrorCode.INVALID, message))
        await _write_byline(session, article, entries)
    if sections is not UNSET:
        rows = await template_sections(session, template.id) if template else None
        texts = _checked_sections(sections or (), rows) if sections else {}
        await _write_sections(session, article, texts)
    for key, value in values.items():
        setattr(article, key, value)
    article.updated_at = utc_now()  # its byline or sections may be all that changed
    await session.flush()
    return article


async def _people(session: AsyncSession, entries: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    if not entries:
        return set()
    rows = await session.scalars(
        select(Author.person_id).where(Author.id.in_(entries), Author.person_id.is_not(None))
    )
    return {person_id for person_id in rows if person_id is not None}
