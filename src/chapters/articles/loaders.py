"""Batch loads for articles and their templates (used through ``reader.loaders.of(...)``): one
statement per kind of row for every article on a page: its authors, sections, steps, review
comments and reprint permissions; the sections of every template."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.db.loaders import grouped
from chapters.models import (
    ArticleAuthor,
    ArticleReviewComment,
    ArticleSection,
    ArticleTemplateSection,
    ArticleTransition,
    Author,
    ReprintPermission,
)


async def authors_by_article(
    session: AsyncSession, article_ids: Sequence[uuid.UUID]
) -> list[list[Author]]:
    """Each article's authors, in byline order."""
    rows = (
        await session.execute(
            select(ArticleAuthor.article_id, Author)
            .join(
                Author,
                (Author.tenant_id == ArticleAuthor.tenant_id)
                & (Author.id == ArticleAuthor.author_id),
            )
            .where(ArticleAuthor.article_id.in_(article_ids))
            .order_by(ArticleAuthor.article_id, ArticleAuthor.position)
        )
    ).all()
    groups = grouped(rows, lambda row: row[0], article_ids)
    return [[row[1] for row in group] for group in groups]


async def sections_by_article(
    session: AsyncSession, article_ids: Sequence[uuid.UUID]
) -> list[list[ArticleSection]]:
    """The text each article gives for its template's sections."""
    rows = await session.scalars(
        select(ArticleSection)
        .where(ArticleSection.article_id.in_(article_ids))
        .order_by(ArticleSection.article_id, ArticleSection.key)
    )
    return grouped(rows.all(), lambda row: row.article_id, article_ids)


async def sections_by_template(
    session: AsyncSession, template_ids: Sequence[uuid.UUID]
) -> list[list[ArticleTemplateSection]]:
    """Each template's sections, in order."""
    rows = await session.scalars(
        select(ArticleTemplateSection)
        .where(ArticleTemplateSection.template_id.in_(template_ids))
        .order_by(ArticleTemplateSection.template_id, ArticleTemplateSection.position)
    )
    return grouped(rows.all(), lambda row: row.template_id, template_ids)


async def transitions_by_article(
    session: AsyncSession, article_ids: Sequence[uuid.UUID]
) -> list[list[ArticleTransition]]:
    """Each article's steps, oldest first."""
    rows = await session.scalars(
        select(ArticleTransition)
        .where(ArticleTransition.article_id.in_(article_ids))
        .order_by(ArticleTransition.occurred_at, ArticleTransition.id)
    )
    return grouped(rows.all(), lambda row: row.article_id, article_ids)


async def review_comments_by_article(
    session: AsyncSession, article_ids: Sequence[uuid.UUID]
) -> list[list[ArticleReviewComment]]:
    """Each article's review comments, oldest first."""
    rows = await session.scalars(
        select(ArticleReviewComment)
        .where(ArticleReviewComment.article_id.in_(article_ids))
        .order_by(ArticleReviewComment.created_at, ArticleReviewComment.id)
    )
    return grouped(rows.all(), lambda row: row.article_id, article_ids)


async def reprint_permissions_by_article(
    session: AsyncSession, article_ids: Sequence[uuid.UUID]
) -> list[list[ReprintPermission]]:
    """Each article's reprint permission requests, the earliest first."""
    rows = await session.scalars(
        select(ReprintPermission)
        .where(ReprintPermission.article_id.in_(article_ids))
        .order_by(
            ReprintPermission.requested_on, ReprintPermission.created_at, ReprintPermission.id
        )
    )
    return grouped(rows.all(), lambda row: row.article_id, article_ids)
