"""Per-request DataLoaders: a waiter's cancellation does not fail the other waiters."""

from __future__ import annotations

import asyncio

from chapters.db.loaders import Loaders


async def test_a_cancelled_waiter_leaves_the_shared_load_to_the_others() -> None:
    """graphql-core cancels the siblings of a failed field; another field waiting for the same
    key must still get its value."""
    release = asyncio.Event()

    async def slow_batch(session, keys):
        await release.wait()
        return [key * 2 for key in keys]

    loader = Loaders(session=None).of(slow_batch)
    cancelled = asyncio.ensure_future(loader.load(21))
    survivor = asyncio.ensure_future(loader.load(21))
    await asyncio.sleep(0)
    cancelled.cancel()
    await asyncio.sleep(0)
    release.set()
    assert await survivor == 42
    assert cancelled.cancelled()
