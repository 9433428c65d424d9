"""Per-request DataLoaders. Never module-level: their caches must not outlive one request."""

from __future__ import annotations

from functools import cached_property, partial

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from chapters.people.loaders import people_by_id


class Loaders:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    @cached_property
    def person_by_id(self) -> DataLoader:
        return DataLoader(load_fn=partial(people_by_id, self._session))
