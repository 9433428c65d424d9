"""What may be read of chapters, and how: the directory, a chapter, its sub-chapters and its
status history. Chapters are the public directory: anyone who reaches the tenant reads them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, func, select

from chapters.db.filters import contains_text
from chapters.db.loaders import Reader, rows_by_id
from chapters.db.pagination import Page, PageArgs, paginate
from chapters.local_chapters.loaders import BY_NAME, children_by_parent, status_history_by_chapter
from chapters.local_chapters.service import find_by_slug
from chapters.models import Chapter, ChapterStatus, ChapterStatusChange


@dataclass(frozen=True)
class ChapterFilter:
    statuses: list[ChapterStatus] = field(default_factory=list)
    region: str | None = None
    parent_id: uuid.UUID | None = None
    top_level_only: bool = False
    committee_id: uuid.UUID | None = None
    text: str | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if self.statuses:
            conditions.append(Chapter.status.in_(self.statuses))
        if self.region:
            conditions.append(func.lower(Chapter.region) == self.region.lower())
        if self.parent_id is not None:
            conditions.append(Chapter.parent_id == self.parent_id)
        if self.top_level_only:
            conditions.append(Chapter.parent_id.is_(None))
        if self.committee_id is not None:
            conditions.append(Chapter.committee_id == self.committee_id)
        if self.text:
            conditions.append(contains_text(self.text, Chapter.name, Chapter.city, Chapter.slug))
        return conditions


async def directory(reader: Reader, filters: ChapterFilter, args: PageArgs) -> Page[Chapter]:
    """The chapters matching the filters, by name."""
    statement = select(Chapter).where(*filters.conditions())
    return await paginate(reader.session, statement, BY_NAME, args)


async def chapter(reader: Reader, chapter_id: uuid.UUID | None) -> Chapter | None:
    if chapter_id is None:
        return None
    row: Chapter | None = await reader.loaders.of(rows_by_id, Chapter).load(chapter_id)
    return row


async def chapter_by_slug(reader: Reader, slug: str) -> Chapter | None:
    return await find_by_slug(reader.session, slug)


async def children(reader: Reader, parent_id: uuid.UUID, args: PageArgs) -> Page[Chapter]:
    """The direct sub-chapters of a chapter, by name."""
    page: Page[Chapter] = await reader.loaders.of(children_by_parent, args).load(parent_id)
    return page


async def status_history(reader: Reader, chapter_id: uuid.UUID) -> list[ChapterStatusChange]:
    """Every status the chapter has had, oldest first."""
    changes: list[ChapterStatusChange] = await reader.loaders.of(status_history_by_chapter).load(
        chapter_id
    )
    return changes
