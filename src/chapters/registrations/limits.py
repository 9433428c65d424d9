"""Limits against abuse of registration, and the uniform answer of public registration.

Every registration attempt counts (not only failures, unlike the token endpoint's limits):
per source address per hour, and per activity per minute, as ``Settings`` says
(``registrations_per_address_per_hour``, ``registrations_per_activity_per_minute``). The
counts use the counters of ``chapters.auth.ratelimit``: in Redis when ``REDIS_URL`` is set
(every replica counts the same attempts), in this process otherwise. Keys name the tenant, so
one tenant's visitors never use up another's allowance.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
import uuid

from redis.asyncio import Redis

from chapters.auth.ratelimit import Counter, MemoryCounter, RedisCounter
from chapters.errors import ErrorCode, FieldError, InvalidInput
from chapters.observability import metrics
from chapters.settings import Settings

HOUR, MINUTE = 3600.0, 60.0
# A public registration answers after at least this long, whatever it found: whether the
# address was registered already must not show in the time it takes.
PUBLIC_ANSWER_SECONDS = 0.25

_memory = MemoryCounter()


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode(errors="surrogatepass")).hexdigest()[:32]


def _keys(
    settings: Settings, tenant_id: uuid.UUID, address: str, activity_id: uuid.UUID
) -> list[tuple[str, int, float]]:
    return [
        (
            f"registrations:{tenant_id}:address:{_digest(address)}",
            settings.registrations_per_address_per_hour,
            HOUR,
        ),
        (
            f"registrations:{tenant_id}:activity:{activity_id}",
            settings.registrations_per_activity_per_minute,
            MINUTE,
        ),
    ]


async def admit(
    settings: Settings, tenant_id: uuid.UUID, address: str, activity_id: uuid.UUID
) -> None:
    """Count one registration attempt, or refuse it (a typed error) when a limit is reached."""
    counter: Counter
    if settings.redis_url:
        # A client per attempt: registrations are rare, and a client bound to no event loop
        # or app lifetime needs no closing at shutdown.
        redis = Redis.from_url(settings.redis_url, socket_timeout=1, socket_connect_timeout=1)
        counter = RedisCounter(redis, prefix="chapters:")
    else:
        counter = _memory
    try:
        keys = _keys(settings, tenant_id, address, activity_id)
        for key, limit, _ in keys:
            wait = await counter.blocked_for(key, limit)
            if wait > 0:
                metrics.count_refusal(metrics.LIMITER_REGISTRATIONS)
                minutes = max(1, round(wait / 60))
                raise InvalidInput(
                    FieldError(
                        None,
                        ErrorCode.FORBIDDEN,
                        f"Too many registrations; try again in about {minutes} minute(s)",
                    )
                )
        for key, _, window in keys:
            await counter.record(key, window)
    finally:
        if counter is not _memory:
            await counter.aclose()


class Uniform:
    """Hold an answer until ``seconds`` after it was started."""

    def __init__(self, seconds: float = PUBLIC_ANSWER_SECONDS) -> None:
        self._until = time.monotonic() + seconds

    async def wait(self) -> None:
        remaining = self._until - time.monotonic()
        if remaining > 0:
            await asyncio.sleep(remaining)
