"""The pool of the compiled reads' front door (``api.compiled_front``): bare asyncpg
connections on which each read is one statement, with no transaction around it.

A read sent this way is its own implicit transaction, so it binds its tenant itself
(``tenancy.bound_statement``): one round trip where a transaction costs four (BEGIN, the
tenant, the statement, COMMIT), and none of SQLAlchemy's engine and pool work per request,
which is most of a small read's cost in this process. Its connections plan every statement
generically (the compiled statements' parameters are keys, ids and slugs: planning Q1 anew
costs more than running it) and run nothing else, so the ORM's statements keep PostgreSQL's
default on their own pool.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import asyncpg

from chapters.db.admin import plain_dsn
from chapters.db.session import server_settings
from chapters.settings import Settings

STATEMENT_BYTES_KEPT = 256 * 1024

# Called with the text of every statement a read pool sends (the tests count statements).
STATEMENT_LISTENERS: list[Callable[[str], None]] = []


class PoolUsage(NamedTuple):
    """What a pool holds at one moment (``observability.metrics`` reads it at scrape time)."""

    in_use: int
    idle: int
    waiting: int  # callers waiting for a connection
    overflow: int  # connections beyond the pool's size
    limit: int  # the most connections it opens


def waiting_on(queue: asyncio.Queue | None) -> int:
    """Callers waiting to take from ``queue`` (a pool's queue of connections)."""
    getters = getattr(queue, "_getters", ())
    return sum(1 for getter in getters if not getter.done())


class PreconditionUnmet(Exception):
    """A read's precondition was false: the read was not sent."""


class ReadPool:
    """Connections for single-statement reads, opened when first needed."""

    def __init__(self, pool: asyncpg.Pool, acquire_timeout: float) -> None:
        self._pool = pool
        self._acquire_timeout = acquire_timeout

    @classmethod
    async def open(cls, url: str, settings: Settings, *, connect_timeout: float = 60) -> ReadPool:
        """A pool for the app role's ``url`` (an SQLAlchemy URL); no connection is made yet."""
        pool = await asyncpg.create_pool(
            plain_dsn(url),
            min_size=0,
            max_size=settings.database_pool_size,
            max_inactive_connection_lifetime=settings.database_pool_recycle_seconds,
            reset=_reset_if_needed,
            # a compiled statement is prepared once per connection and kept: asyncpg's default
            # (15 KB) would re-prepare and re-plan a large document's statement every time
            max_cacheable_statement_size=STATEMENT_BYTES_KEPT,
            server_settings={**server_settings(settings), "plan_cache_mode": "force_generic_plan"},
            timeout=connect_timeout,
        )
        return cls(pool, settings.database_pool_timeout)

    async def fetch_text(
        self,
        sql: str,
        parameters: Sequence[Any],
        *,
        precondition: tuple[str, Sequence[Any]] | None = None,
    ) -> str:
        """The one value that the statement ``sql`` answers. A pooled connection the server
        closed (restarted, terminated it) is replaced at checkout when asyncpg already knows,
        else the read is sent once more on a fresh one: it changes nothing, so it is safe to
        repeat, and no connection is pinged before use. A ``precondition`` (a statement and
        its parameters) is asked first on the same connection: false, the read is not sent
        (``PreconditionUnmet``)."""
        for listener in STATEMENT_LISTENERS:
            listener(sql)
        try:
            return await self._fetch(sql, parameters, precondition)
        except asyncpg.ConnectionDoesNotExistError:
            return await self._fetch(sql, parameters, precondition)

    async def _fetch(
        self,
        sql: str,
        parameters: Sequence[Any],
        precondition: tuple[str, Sequence[Any]] | None,
    ) -> str:
        async with self._pool.acquire(timeout=self._acquire_timeout) as connection:
            if precondition is not None:
                check, check_parameters = precondition
                if not await connection.fetchval(check, *check_parameters):
                    raise PreconditionUnmet()
            value: str = await connection.fetchval(sql, *parameters)
            return value

    def usage(self) -> PoolUsage:
        in_use = self._pool.get_size() - self._pool.get_idle_size()
        waiting = waiting_on(getattr(self._pool, "_queue", None))
        return PoolUsage(in_use, self._pool.get_idle_size(), waiting, 0, self._pool.get_max_size())

    async def close(self) -> None:
        await self._pool.close()


async def _reset_if_needed(connection: asyncpg.Connection) -> None:
    """A returned connection ran single statements, each its own transaction, which leave no
    state behind (the tenant is set for the statement's transaction only): nothing to reset,
    and asyncpg's reset would cost a round trip per read. One left inside a transaction (a
    read cancelled half-way) gets asyncpg's full reset."""
    if connection.is_in_transaction():
        await connection.reset()
