"""Per-request DataLoaders. Never module-level: their caches must not outlive one request.

A batch function takes the session, any fixed arguments, and the list of keys, and returns one
result per key in order. ``loaders.of(batch_fn, *args)`` is the request's DataLoader for that
function and those arguments (e.g. a page size for nested connections), created on first use.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Sequence
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from chapters.models import TenantScoped

BatchFunction = Callable[..., Awaitable[Sequence[Any]]]


class SharedLoader(DataLoader):
    """A DataLoader whose futures survive the cancellation of one of their waiters.

    graphql-core cancels the siblings of a failed non-null field; a task cancelled while it
    awaits a loader future cancels that future, which other fields of the request await too
    (the same person's identities, say): they would fail with ``CancelledError``."""

    def load(self, key: Any) -> Awaitable[Any]:
        return asyncio.shield(super().load(key))


class Loaders:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._loaders: dict[tuple[BatchFunction, tuple[Hashable, ...]], SharedLoader] = {}

    def of(self, batch: BatchFunction, *args: Hashable) -> SharedLoader:
        key = (batch, args)
        loader = self._loaders.get(key)
        if loader is None:
            loader = SharedLoader(load_fn=partial(batch, self._session, *args))
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
