"""Reviewers' comments on an article, per section of its template (or on the article as a
whole), until its authors have dealt with them.

Editors and staff comment on an article before it is published (or declined, or withdrawn);
its authors, or an editor, mark a comment resolved. The comments are read by the article's
authors, the editors and staff.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from chapters.articles.service import (
    COMMENT_LIMIT,
    FINAL,
    acting,
    authors_of,
    get_article,
    people_of,
    template_sections,
    utc_now,
)
from chapters.auth.principal import Principal
from chapters.authz import Action
from chapters.db.session import get_row
from chapters.errors import ErrorCode, FieldError, InvalidInput
from chapters.models import ArticleReviewComment
from chapters.validation import check_length, clean_text, is_storable


async def add_comment(
    session: AsyncSession,
    principal: Principal | None,
    article_id: uuid.UUID,
    section_key: str | None,
    body: str | None,
) -> ArticleReviewComment:
    """A reviewer's comment on one section (``section_key``, one of the article's template's)
    or, without one, on the article as a whole."""
    me = (await acting(session, principal)).require(Action.ARTICLE_REVIEW)
    article = await get_article(session, article_id, "article_id", lock=True)
    errors = check_length(body, "body", COMMENT_LIMIT)
    if body is not None and not is_storable(body):
        errors.append(FieldError("body", ErrorCode.INVALID, "Not storable text"))
    text = clean_text(body)
    if text is None and not errors:
        errors.append(FieldError("body", ErrorCode.REQUIRED, "Say what to change"))
    key = section_key.strip() if section_key is not None else None
    if key is not None:
        keys = {section.key for section in await template_sections(session, article.template_id)}
        if key not in keys:
            message = "The article's template has no section with this key"
            errors.append(FieldError("section_key", ErrorCode.INVALID, message))
    if errors:
        raise InvalidInput(*errors)
    if article.status in FINAL:
        shown = article.status.value.replace("_", " ")
        message = f"The article is {shown}: its review is over"
        raise InvalidInput(FieldError("article_id", ErrorCode.CONFLICT, message))
    assert text is not None
    comment = ArticleReviewComment(
        article_id=article.id, section_key=key, author_id=me.person_id, body=text
    )
    session.add(comment)
    await session.flush()
    return comment


async def resolve_comment(
    session: AsyncSession, principal: Principal | None, comment_id: uuid.UUID
) -> ArticleReviewComment:
    """Mark a comment dealt with (the article's authors, or an editor); once is enough."""
    caller = await acting(session, principal)
    caller.require_as_author(Action.ARTICLE_EDIT)
    comment = await get_row(
        session, ArticleReviewComment, comment_id, "Review comment", "id", lock=True
    )
    authors = await authors_of(session, comment.article_id)
    caller.require(Action.ARTICLE_EDIT, people_of(authors))
    if comment.resolved_at is None:
        comment.resolved_at = utc_now()
        await session.flush()
    return comment
