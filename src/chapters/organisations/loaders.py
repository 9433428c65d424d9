"""Batch loads for organisations (used through ``reader.loaders.of(...)``): one statement per
kind of nested list, whatever the number of organisations on the page."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.db.loaders import grouped
from chapters.db.pagination import Ordering, Page, PageArgs, paginate_per_parent
from chapters.models import (
    Chapter,
    ChapterOrganisation,
    OrganisationContact,
    OrganisationRelationship,
)

# Linked chapters in the order they were linked; the id breaks ties.
LINK_ORDER = Ordering((ChapterOrganisation.created_at, ChapterOrganisation.id))


async def relationships_by_organisation(
    session: AsyncSession, organisation_ids: Sequence[uuid.UUID]
) -> list[list[OrganisationRelationship]]:
    """Every relationship, ended ones included, in the order they were recorded."""
    rows = await session.scalars(
        select(OrganisationRelationship)
        .where(OrganisationRelationship.organisation_id.in_(organisation_ids))
        .order_by(OrganisationRelationship.created_at, OrganisationRelationship.id)
    )
    return grouped(rows, lambda relationship: relationship.organisation_id, organisation_ids)


async def contacts_by_organisation(
    session: AsyncSession, organisation_ids: Sequence[uuid.UUID]
) -> list[list[OrganisationContact]]:
    rows = await session.scalars(
        select(OrganisationContact)
        .where(OrganisationContact.organisation_id.in_(organisation_ids))
        .order_by(OrganisationContact.name, OrganisationContact.id)
    )
    return grouped(rows, lambda contact: contact.organisation_id, organisation_ids)


async def chapters_by_organisation(
    session: AsyncSession, args: PageArgs, organisation_ids: Sequence[uuid.UUID]
) -> list[Page[Chapter]]:
    """A page of linked chapters per organisation, oldest link first: the links paged in one
    statement (the cursors are the links'), then their chapters fetched in one more."""
    pages: list[Page[ChapterOrganisation]] = await paginate_per_parent(
        session,
        select(ChapterOrganisation),
        ChapterOrganisation.organisation_id,
        organisation_ids,
        LINK_ORDER,
        args,
    )
    chapter_ids = list({link.chapter_id for page in pages for _, link in page.rows})
    chapters: dict[uuid.UUID, Chapter] = {}
    if chapter_ids:
        rows = await session.scalars(select(Chapter).where(Chapter.id.in_(chapter_ids)))
        chapters = {chapter.id: chapter for chapter in rows}
    return [page.map(lambda link: chapters[link.chapter_id]) for page in pages]
