"""Per-request DataLoaders. Never module-level: their caches must not outlive one request.

A batch function takes the session, any fixed arguments, and the list of keys, and returns one
result per key in order. ``loaders.of(batch_fn, *args)`` is the request's DataLoader for that
function and those arguments (e.g. a page size for nested connections), created on first use.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from chapters.models import TenantScoped

BatchFunction = Callable[..., Awaitable[Sequence[Any]]]


class Loaders:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._loaders: dict[tuple[BatchFunction, tuple[Hashable, ...]], DataLoader] = {}

    def of(self, batch: BatchFunction, *args: Hashable) -> DataLoader:
        key = (batch, args)
        loader = self._loaders.get(key)
        if loader is None:
            loader = DataLoader(load_fn=partial(batch, self._session, *args))
            self._loaders[key] = loader
        return loader


async def rows_by_id(
    session: AsyncSession, model: type[TenantScoped], ids: Sequence[Any]
) -> list[Any | None]:
    """The rows of ``model`` with these ids, in order (None where missing or invisible):
    ``loaders.of(rows_by_id, m.Person).load(person_id)``."""
    rows = await session.scalars(select(model).where(model.id.in_(ids)))
    found = {row.id: row for row in rows}
    return [found.get(row_id) for row_id in ids]
