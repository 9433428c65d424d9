"""Failed-attempt limits (fixed windows), kept in this process or, with ``REDIS_URL``, in Redis
so that every replica counts the same failures.

A limit is a number of failures per key (``client:<id>``, ``address:<ip>``) in a window that
starts with the key's first failure. Only failures are counted: a caller who succeeds is never
slowed down by its own success, and one blocked key does not block the others.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Callable
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

from chapters.settings import Settings

log = logging.getLogger("chapters.ratelimit")

# Counts one failure and starts the window with the first one, atomically: the count and its
# expiry can never be separated (a crash between INCR and EXPIRE would block a key forever).
_RECORD = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return count
"""


class Counter(Protocol):
    """Failure counts per key, each expiring ``window`` seconds after its first failure."""

    async def record(self, key: str, window: float) -> None: ...

    async def blocked_for(self, key: str, max_failures: int) -> float:
        """Seconds until the key may try again; 0 when it may now."""
        ...

    async def aclose(self) -> None: ...


class MemoryCounter:
    """This process's counts: the default, and enough for a single replica."""

    MAX_KEYS = 100_000  # forgets the oldest windows first when a flood of new keys arrives

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._windows: dict[str, tuple[int, float]] = {}  # key → (failures, window end)

    async def record(self, key: str, window: float) -> None:
        now = self._clock()
        failures, ends = self._windows.get(key, (0, 0.0))
        if ends <= now:
            failures, ends = 0, now + window
        self._windows[key] = (failures + 1, ends)
        if len(self._windows) > self.MAX_KEYS:
            self._forget_expired(now)

    async def blocked_for(self, key: str, max_failures: int) -> float:
        failures, ends = self._windows.get(key, (0, 0.0))
        remaining = ends - self._clock()
        return remaining if failures >= max_failures and remaining > 0 else 0.0

    def _forget_expired(self, now: float) -> None:
        self._windows = {k: v for k, v in self._windows.items() if v[1] > now}
        while len(self._windows) > self.MAX_KEYS:
            del self._windows[next(iter(self._windows))]  # dicts keep insertion order

    async def aclose(self) -> None:
        pass


class RedisCounter:
    """Counts shared by every replica that uses the same Redis. While Redis cannot be reached,
    each replica falls back to its own counts (logged), rather than refusing every client."""

    def __init__(self, redis: Redis, *, prefix: str = "chapters:failures:") -> None:
        self._redis = redis
        self._prefix = prefix
        self._record = redis.register_script(_RECORD)
        self._fallback = MemoryCounter()

    async def record(self, key: str, window: float) -> None:
        try:
            await self._record(keys=[self._prefix + key], args=[math.ceil(window * 1000)])
        except (RedisError, OSError) as error:
            log.warning("rate limit: Redis unavailable, counting in this process: %s", error)
            await self._fallback.record(key, window)

    async def blocked_for(self, key: str, max_failures: int) -> float:
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.get(self._prefix + key)
                pipe.pttl(self._prefix + key)
                failures, ttl_ms = await pipe.execute()
        except (RedisError, OSError) as error:
            log.warning("rate limit: Redis unavailable, counting in this process: %s", error)
            return await self._fallback.blocked_for(key, max_failures)
        if failures is None or int(failures) < max_failures or ttl_ms <= 0:
            return 0.0
        return int(ttl_ms) / 1000

    async def aclose(self) -> None:
        await self._redis.aclose()


class FailureLimiter:
    """Failed attempts per client id and per source address, as ``Settings`` says."""

    def __init__(self, counter: Counter, *, per_client: int, per_address: int, window: float):
        self._counter = counter
        self._limits = {"client": per_client, "address": per_address}
        self._window = window

    async def retry_after(self, *, client_id: str | None, address: str) -> int:
        """Whole seconds the caller must wait before trying again; 0 when it may now."""
        waits = [
            await self._counter.blocked_for(key, self._limits[name])
            for name, key in _keys(client_id, address)
        ]
        return math.ceil(max(waits))

    async def failed(self, *, client_id: str | None, address: str) -> None:
        for _, key in _keys(client_id, address):
            await self._counter.record(key, self._window)

    async def aclose(self) -> None:
        await self._counter.aclose()


def _keys(client_id: str | None, address: str) -> list[tuple[str, str]]:
    # Hashed: a key has a fixed size whatever the caller sends as client id.
    keys = [("address", "address:" + _digest(address))]
    if client_id:
        keys.append(("client", "client:" + _digest(client_id)))
    return keys


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode(errors="surrogatepass")).hexdigest()[:32]


def token_failure_limiter(settings: Settings) -> FailureLimiter:
    """The limiter of ``POST /oauth/token``: in Redis when ``REDIS_URL`` is set."""
    counter: Counter = (
        RedisCounter(Redis.from_url(settings.redis_url, socket_timeout=1, socket_connect_timeout=1))
        if settings.redis_url
        else MemoryCounter()
    )
    return FailureLimiter(
        counter,
        per_client=settings.token_failures_per_client,
        per_address=settings.token_failures_per_address,
        window=settings.token_failure_window_seconds,
    )
