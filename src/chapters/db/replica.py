"""A streaming read replica (``DATABASE_REPLICA_URL``): where read-only GraphQL operations are
answered, while every caller still reads their own writes.

The API decides which operations may read here (``api.replica_reads``: queries, on the GraphQL
route only); this module says whether one may now, and opens what it reads with. A replica
lags its primary by a little, so a caller who has just written must not read here before the
replica has replayed that write: after a request commits a write on the primary, the
primary's WAL position is kept for the caller (``RecentWrites``: in Redis when ``REDIS_URL``
is set, so that every API process knows it; else in this process), and a read of theirs goes
to the replica only once the connection it reads on finds that position replayed (one cheap
statement, on the same connection as the read, so a balancer in front of several replicas
cannot split the check from the read). A caller with no recent write pays nothing for it.

A replica that cannot be reached is left alone for ``RESTING_SECONDS`` (logged): its reads go
to the primary meanwhile, and nobody is answered an error for it.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from typing import Any, Protocol

import asyncpg
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import event, make_url, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, async_sessionmaker

from chapters.db.read_pool import ReadPool
from chapters.db.session import (
    SerializedSession,
    create_engine,
    open_tenant_session,
    server_settings,
    tenant_sessionmaker,
)
from chapters.lru import LRU
from chapters.settings import Settings
from chapters.tenancy import TenantSession

log = logging.getLogger("chapters.replica")

# A caller's latest write is kept this long: far longer than a healthy replica lags.
RECENT_WRITE_SECONDS = 60
# After the replica failed to answer, its reads go to the primary for this long.
RESTING_SECONDS = 10
# What a hot standby answers a write with (and a transaction that wants an id).
READ_ONLY_SQLSTATES = frozenset({"25006"})
# In a session's ``info``: the session reads on the replica.
ON_REPLICA = "on_replica"

# NULL where the server is not replaying (it is no replica): it has everything it has.
_REPLAYED = text(
    "SELECT coalesce(pg_last_wal_replay_lsn() >= CAST(CAST(:lsn AS text) AS pg_lsn), true)"
)
_REPLAYED_SQL = "SELECT coalesce(pg_last_wal_replay_lsn() >= $1::text::pg_lsn, true)"
_PRIMARY_POSITION_SQL = "SELECT pg_current_wal_insert_lsn()::text"


def lsn_number(lsn: str) -> int:
    """A WAL position (``16/B374D848``) as one number, to compare and keep."""
    high, _, low = lsn.partition("/")
    return (int(high, 16) << 32) | int(low, 16)


def lsn_text(number: int) -> str:
    return f"{number >> 32:X}/{number & 0xFFFFFFFF:X}"


class RecentWrites(Protocol):
    """The latest WAL position each caller wrote at, for ``RECENT_WRITE_SECONDS``."""

    async def record(self, caller: str, lsn: int) -> None: ...

    async def latest(self, caller: str) -> int | None: ...

    async def aclose(self) -> None: ...


class MemoryRecentWrites:
    """This process's record: enough for a single API process (bounded)."""

    def __init__(self, size: int = 100_000, clock: Callable[[], float] = time.monotonic) -> None:
        self._writes: LRU[str, tuple[int, float]] = LRU(size)
        self._clock = clock

    async def record(self, caller: str, lsn: int) -> None:
        latest = await self.latest(caller) or 0
        self._writes.put(caller, (max(lsn, latest), self._clock() + RECENT_WRITE_SECONDS))

    async def latest(self, caller: str) -> int | None:
        kept = self._writes.get(caller)
        if kept is None:
            return None
        if kept[1] <= self._clock():
            self._writes.pop(caller)
            return None
        return kept[0]

    async def aclose(self) -> None:
        pass


# Keeps the larger position, and starts its expiry anew: two processes recording writes of one
# caller in either order leave the later one.
_RECORD_LATEST = """
local kept = redis.call('GET', KEYS[1])
if (not kept) or tonumber(kept) < tonumber(ARGV[1]) then kept = ARGV[1] end
redis.call('SET', KEYS[1], kept, 'PX', ARGV[2])
return kept
"""


class RedisRecentWrites:
    """The record every API process shares. Redis errors are the caller's to handle: a read
    whose caller's writes cannot be looked up goes to the primary."""

    def __init__(self, redis: Redis, *, prefix: str = "chapters:wrote:") -> None:
        self._redis = redis
        self._prefix = prefix
        self._record = redis.register_script(_RECORD_LATEST)

    async def record(self, caller: str, lsn: int) -> None:
        milliseconds = RECENT_WRITE_SECONDS * 1000
        await self._record(keys=[self._prefix + caller], args=[lsn, milliseconds])

    async def latest(self, caller: str) -> int | None:
        kept = await self._redis.get(self._prefix + caller)
        return None if kept is None else int(kept)

    async def aclose(self) -> None:
        await self._redis.aclose()


def recent_writes(settings: Settings) -> RecentWrites:
    if settings.redis_url is None:
        return MemoryRecentWrites()
    redis = Redis.from_url(settings.redis_url, socket_timeout=1, socket_connect_timeout=1)
    return RedisRecentWrites(redis)


class WritesUnknown(Exception):
    """The caller's recent writes cannot be looked up (Redis does not answer)."""


class Replica:
    """The replica's engine, sessions and compiled reads' pool; the callers' recent writes;
    and whether the replica is resting after a failure."""

    def __init__(
        self,
        engine: AsyncEngine,
        read_pool: ReadPool,
        primary_reads: ReadPool,
        writes: RecentWrites,
    ) -> None:
        self.engine = engine
        self.sessionmaker: async_sessionmaker[SerializedSession] = tenant_sessionmaker(engine)
        self.read_pool = read_pool
        self._primary_reads = primary_reads
        self._writes = writes
        self._resting_until = 0.0

    @classmethod
    async def open(cls, url: str, settings: Settings, primary_reads: ReadPool) -> Replica:
        """The replica at the app role's ``url``; no connection is made yet. A replica that
        does not answer is given up on quickly: the primary answers instead."""
        url = make_url(url).set(drivername="postgresql+asyncpg").render_as_string(False)
        connect_timeout = min(settings.database_pool_timeout, 2)
        connect_args = {"server_settings": server_settings(settings), "timeout": connect_timeout}
        engine = create_engine(url, settings, connect_args=connect_args)
        read_pool = await ReadPool.open(url, settings, connect_timeout=connect_timeout)
        return cls(engine, read_pool, primary_reads, recent_writes(settings))

    async def close(self) -> None:
        await self._writes.aclose()
        await self.read_pool.close()
        await self.engine.dispose()

    @property
    def resting(self) -> bool:
        return time.monotonic() < self._resting_until

    def failed(self, error: BaseException) -> None:
        """The replica did not answer: its reads go to the primary for a while."""
        log.warning("read replica unavailable, reading on the primary: %s", error)
        self._resting_until = time.monotonic() + RESTING_SECONDS

    async def latest_write(self, caller: str | None) -> int | None:
        """The caller's latest write still to be waited for; ``WritesUnknown`` when it cannot be
        told (Redis does not answer): the caller then reads on the primary."""
        if caller is None:
            return None
        try:
            return await self._writes.latest(caller)
        except (RedisError, OSError) as error:
            log.warning("recent writes unavailable, reading on the primary: %s", error)
            raise WritesUnknown() from error

    async def session(self, tenant_id: uuid.UUID, caller: str | None) -> SerializedSession | None:
        """A session on the replica, its transaction begun and bound to the tenant, that has
        replayed the caller's latest write; None: the request reads on the primary."""
        if self.resting:
            return None
        try:
            lsn = await self.latest_write(caller)
        except WritesUnknown:
            return None
        session = open_tenant_session(self.sessionmaker, tenant_id)
        try:
            await session.begin_now()  # here, so that a replica that is down is read around
            if lsn is not None and not await replayed(await session.connection(), lsn):
                await session.close()
                return None
        except BaseException as error:
            await session.close()
            if not is_unreachable(error):
                raise
            self.failed(error)
            return None
        session.info[ON_REPLICA] = True
        return session

    async def wrote(self, caller: str) -> None:
        """A request of the caller committed a write on the primary: their reads wait for it.
        The write is done: a failure to record it (Redis or the primary gone meanwhile) is
        logged, and the request still answers what it did."""
        try:
            position = await self._primary_reads.fetch_text(_PRIMARY_POSITION_SQL, ())
            await self._writes.record(caller, lsn_number(position))
        except Exception as error:
            log.warning("could not record a caller's write for the read replica: %s", error)


async def replayed(connection: AsyncConnection, lsn: int) -> bool:
    """Whether the server of ``connection`` has replayed the WAL up to ``lsn``."""
    return bool(await connection.scalar(_REPLAYED, {"lsn": lsn_text(lsn)}))


def replayed_precondition(lsn: int) -> tuple[str, tuple[Any, ...]]:
    """What ``replayed`` asks, as the precondition of a read pool's read (``ReadPool``)."""
    return _REPLAYED_SQL, (lsn_text(lsn),)


def is_unreachable(error: BaseException) -> bool:
    """The replica could not be reached, is starting or stopping, or dropped the connection
    (nothing is wrong with the read)."""
    if isinstance(error, OSError | TimeoutError | asyncpg.ConnectionDoesNotExistError):
        return True
    if isinstance(error, DBAPIError):
        sqlstate = getattr(error.orig, "sqlstate", None) or ""
        return error.connection_invalidated or sqlstate.startswith(_UNREACHABLE_SQLSTATES)
    if isinstance(error, asyncpg.PostgresError):
        return (error.sqlstate or "").startswith(_UNREACHABLE_SQLSTATES)
    return False


# connection exceptions; the server shutting down, starting up or cancelling for recovery
_UNREACHABLE_SQLSTATES = ("08", "57")


def is_read_only_refusal(error: BaseException) -> bool:
    """A write the replica refused (a hot standby's transactions are all read-only)."""
    sqlstate = getattr(getattr(error, "orig", None), "sqlstate", None)
    return isinstance(error, DBAPIError) and sqlstate in READ_ONLY_SQLSTATES


@event.listens_for(TenantSession, "after_flush")
def _note_write(session: Any, flush_context: Any) -> None:
    # A flush that wrote something: the request's commit is a write its caller must read back.
    session.info["wrote"] = True


def session_wrote(session: SerializedSession) -> bool:
    return bool(session.info.get("wrote"))
