"""Per-request DataLoaders. Never module-level: their caches must not outlive one request.

A batch function takes the session, any fixed arguments, and the list of keys, and returns one
result per key in order. ``loaders.of(batch_fn, *args)`` is the request's DataLoader for that
function and those arguments (e.g. a page size for nested connections), created on first use.

The batching itself is Strawberry's ``DataLoader``: a generic tool with no GraphQL in it, the
one Strawberry import below the API layer (``.importlinter`` names it).

A ``Reader`` is what a service's read function needs of the request: its session, its caller
and its loaders (the GraphQL context is one).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Iterable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from chapters.models import TenantScoped

if TYPE_CHECKING:
    from chapters.auth.principal import Principal

K = TypeVar("K")
R = TypeVar("R")

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


def grouped(rows: Iterable[R], key: Callable[[R], K], keys: Sequence[K]) -> list[list[R]]:
    """``rows`` grouped by ``key``, one list per key of ``keys`` in order (empty where none):
    the answer of a batch function for a one-to-many relation."""
    groups: dict[K, list[R]] = {k: [] for k in keys}
    for row in rows:
        groups[key(row)].append(row)
    return [groups[k] for k in keys]


class Reader(Protocol):
    """What reading on behalf of a request needs: the caller, the tenant-bound session and
    the request's loaders."""

    @property
    def session(self) -> AsyncSession: ...

    @property
    def principal(self) -> Principal | None: ...

    @property
    def loaders(self) -> Loaders: ...
