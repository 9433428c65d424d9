"""The author pool's rules.

``author_for_person`` is how the article pipeline puts a person of the tenant into the pool
when they write (an author's entry is made once per person)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.models import Author, AuthorOrigin


async def author_for_person(
    session: AsyncSession, person_id: uuid.UUID, origin: AuthorOrigin = AuthorOrigin.WROTE
) -> Author:
    """The person's entry in the pool, made with ``origin`` if they have none yet."""
    author = await session.scalar(select(Author).where(Author.person_id == person_id))
    if author is None:
        author = Author(person_id=person_id, origin=origin)
        session.add(author)
        await session.flush()
    return author
