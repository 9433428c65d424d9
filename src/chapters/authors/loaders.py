"""Batch loads for the author pool (used through ``reader.loaders.of(...)``): one statement
for the outreach of every author on a page, one for their articles, one for the pool entries
of the people on a page."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.db.loaders import grouped
from chapters.models import Article, ArticleAuthor, Author, AuthorOutreach


async def authors_by_person(
    session: AsyncSession, person_ids: Sequence[uuid.UUID]
) -> list[Author | None]:
    """Each person's entry in the pool, if they have one."""
    rows = await session.scalars(select(Author).where(Author.person_id.in_(person_ids)))
    found = {row.person_id: row for row in rows}
    return [found.get(person_id) for person_id in person_ids]


async def outreach_by_author(
    session: AsyncSession, author_ids: Sequence[uuid.UUID]
) -> list[list[AuthorOutreach]]:
    """Each author's outreach, the latest contact first."""
    rows = await session.scalars(
        select(AuthorOutreach)
        .where(AuthorOutreach.author_id.in_(author_ids))
        .order_by(
            AuthorOutreach.contacted_on.desc(),
            AuthorOutreach.created_at.desc(),
            AuthorOutreach.id.desc(),
        )
    )
    return grouped(rows.all(), lambda row: row.author_id, author_ids)


@dataclass(frozen=True)
class Readable:
    """The caller's condition on articles (``articles.queries.readable``), as a loader's
    argument: one request has one caller, so every such loader of a request shares it."""

    condition: ColumnElement[bool] = field(compare=False, hash=False)

    def __hash__(self) -> int:
        return hash(Readable)

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, Readable)


async def articles_by_author(
    session: AsyncSession, readable: Readable, author_ids: Sequence[uuid.UUID]
) -> list[list[Article]]:
    """Each author's articles the caller may read, the latest first."""
    rows = (
        await session.execute(
            select(ArticleAuthor.author_id, Article)
            .join(
                Article,
                (Article.tenant_id == ArticleAuthor.tenant_id)
                & (Article.id == ArticleAuthor.article_id),
            )
            .where(ArticleAuthor.author_id.in_(author_ids), readable.condition)
            .order_by(Article.created_at.desc(), Article.id.desc())
        )
    ).all()
    groups = grouped(rows, lambda row: row[0], author_ids)
    return [[row[1] for row in group] for group in groups]
