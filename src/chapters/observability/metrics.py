"""Prometheus metrics, served on ``GET /metrics`` (``exposition``): the requests answered (by
route, operation and outcome), how long they took and how many SQL statements they sent; the
database pools (connections in use, idle, callers waiting); the job queue (jobs by queue and
status, the failed ones included); bearer-token verifications by outcome; rate-limit refusals
by limiter.

Every label has a small, fixed set of values: a route is its template, an operation is the
name of a trusted document (``graphql/operations``) or ``other`` (``anonymous`` without a
name), never an id, an address or a query's text.

Several serving processes (``chapters serve --workers N``) share one ``PROMETHEUS_MULTIPROC_DIR``
(``chapters serve`` makes one): each process writes its numbers there, and whichever answers
``/metrics`` adds them all up. The pools' gauges of the other processes are then as recent as
their last sample (``POOL_SAMPLE_SECONDS``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
import weakref
from collections.abc import Iterator
from functools import cache
from typing import Any

from graphql import GraphQLError, OperationDefinitionNode, parse
from prometheus_client import (
    CONTENT_TYPE_PLAIN_0_0_4,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from chapters.api.trusted_documents import trusted_documents
from chapters.db.read_pool import PoolUsage, ReadPool, waiting_on
from chapters.observability.record import RequestRecord

log = logging.getLogger("chapters.metrics")

# The text format generate_latest writes, as prometheus_client serves it (Litestar adds the
# charset to a text/ media type itself: named twice, Prometheus would refuse the answer).
CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4.removesuffix("; charset=utf-8")
MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))

# Operation label values besides the trusted documents' names.
ANONYMOUS = "anonymous"  # no operation named (or none run: a refusal before GraphQL)
OTHER = "other"  # a name no trusted document has
UNMATCHED = "unmatched"  # the route of a path no route matched

# Token verification outcomes (``auth.bearer``).
TOKEN_VALID = "valid"
TOKEN_NONE = "none"  # no token: an anonymous caller
TOKEN_INVALID = "invalid"  # unreadable, badly signed, for another tenant, unknown person...
TOKEN_EXPIRED = "expired"
TOKEN_UNLINKED = "unlinked"  # a valid sign-in of a provider, linked to no person

# Rate limiters.
LIMITER_OAUTH_TOKEN = "oauth_token"
LIMITER_REGISTRATIONS = "registrations"

# Seconds: a compiled read takes about a millisecond, the request deadline is ten seconds.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
STATEMENT_BUCKETS = (0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89)
# Other processes' pool gauges are at most this old (multiprocess mode).
POOL_SAMPLE_SECONDS = 5
# The job queue is counted at most this often, however often Prometheus scrapes.
JOB_COUNT_SECONDS = 5
JOB_COUNT_TIMEOUT_SECONDS = 2
JOB_STATUSES = ("todo", "doing", "failed", "aborting")

REQUESTS = Counter(
    "chapters_http_requests",
    "HTTP requests answered, by route template, GraphQL operation and outcome.",
    ("route", "operation", "outcome"),
)
REQUEST_DURATION = Histogram(
    "chapters_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template and GraphQL operation.",
    ("route", "operation"),
    buckets=LATENCY_BUCKETS,
)
REQUEST_STATEMENTS = Histogram(
    "chapters_http_request_sql_statements",
    "SQL statements one HTTP request sent, by route template.",
    ("route",),
    buckets=STATEMENT_BUCKETS,
)
TOKEN_VERIFICATIONS = Counter(
    "chapters_token_verifications",
    "Bearer tokens of requests, by the outcome of their verification.",
    ("outcome",),
)
RATE_LIMIT_REFUSALS = Counter(
    "chapters_rate_limit_refusals",
    "Requests refused by a rate limit, by limiter.",
    ("limiter",),
)
POOL_CONNECTIONS = Gauge(
    "chapters_db_pool_connections",
    "Database connections of the pools, by pool (engine: the ORM's; reads: the compiled"
    " reads') and state (in_use, idle).",
    ("pool", "state"),
    multiprocess_mode="livesum",
)
POOL_WAITING = Gauge(
    "chapters_db_pool_waiting",
    "Callers waiting for a connection of a pool.",
    ("pool",),
    multiprocess_mode="livesum",
)
POOL_OVERFLOW = Gauge(
    "chapters_db_pool_overflow",
    "Connections of the engine's pool opened beyond its size (up to DATABASE_POOL_SIZE more).",
    ("pool",),
    multiprocess_mode="livesum",
)
POOL_LIMIT = Gauge(
    "chapters_db_pool_limit",
    "The most connections a pool opens.",
    ("pool",),
    multiprocess_mode="livesum",
)


@cache
def trusted_operation_names() -> frozenset[str]:
    """The names of the operations of the trusted documents: the only operation label values
    besides ``anonymous`` and ``other``."""
    names: set[str] = set()
    for document in trusted_documents().values():
        try:
            definitions = parse(document, no_location=True).definitions
        except GraphQLError:
            continue
        names.update(
            d.name.value for d in definitions if isinstance(d, OperationDefinitionNode) and d.name
        )
    return frozenset(names)


def operation_label(name: str | None) -> str:
    if name is None:
        return ANONYMOUS
    return name if name in trusted_operation_names() else OTHER


# The label children of each (route, operation label, outcome) met so far: a request looks
# them up once. Keyed by labels, not by the names requests send: the combinations are few.
_children: dict[tuple[str, str, str], tuple[Any, Any, Any]] = {}


def observe_request(record: RequestRecord) -> None:
    """Count one answered request, its time and its SQL statements."""
    key = (record.route, operation_label(record.operation), record.outcome)
    children = _children.get(key)
    if children is None:
        children = _children[key] = _children_of(*key)
    requests, duration, statements = children
    requests.inc()
    duration.observe(record.duration)
    statements.observe(record.statements)


def _children_of(route: str, label: str, outcome: str) -> tuple[Any, Any, Any]:
    route = route or UNMATCHED
    return (
        REQUESTS.labels(route, label, outcome),
        REQUEST_DURATION.labels(route, label),
        REQUEST_STATEMENTS.labels(route),
    )


_token_children: dict[str, Any] = {}


def count_token(outcome: str) -> None:
    """One bearer-token verification (``TOKEN_*``)."""
    child = _token_children.get(outcome)
    if child is None:
        child = _token_children[outcome] = TOKEN_VERIFICATIONS.labels(outcome)
    child.inc()


def count_refusal(limiter: str) -> None:
    """One request refused by ``limiter`` (``LIMITER_*``)."""
    RATE_LIMIT_REFUSALS.labels(limiter).inc()


# The pools


def engine_pool_usage(engine: AsyncEngine) -> PoolUsage:
    """What the engine's pool (SQLAlchemy's queue pool) holds now."""
    pool: Any = engine.sync_engine.pool
    queue = getattr(getattr(pool, "_pool", None), "__dict__", {}).get("_queue")  # made lazily
    return PoolUsage(
        in_use=pool.checkedout(),
        idle=pool.checkedin(),
        waiting=waiting_on(queue),
        overflow=max(0, pool.overflow()),
        limit=pool.size() + max(0, getattr(pool, "_max_overflow", 0)),
    )


def sample_pools(engine: AsyncEngine, read_pool: ReadPool) -> None:
    """Set the pools' gauges to what this process's pools hold now."""
    for name, usage in (("engine", engine_pool_usage(engine)), ("reads", read_pool.usage())):
        POOL_CONNECTIONS.labels(name, "in_use").set(usage.in_use)
        POOL_CONNECTIONS.labels(name, "idle").set(usage.idle)
        POOL_WAITING.labels(name).set(usage.waiting)
        POOL_OVERFLOW.labels(name).set(usage.overflow)
        POOL_LIMIT.labels(name).set(usage.limit)


class PoolSampler:
    """In multiprocess mode, samples this process's pools every ``POOL_SAMPLE_SECONDS`` (the
    process answering ``/metrics`` samples its own then; the others' are read from their
    files). Stopped, the process's gauges are dropped from the sums."""

    def __init__(self, engine: AsyncEngine, read_pool: ReadPool) -> None:
        self._engine, self._read_pool = engine, read_pool
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        trusted_operation_names()  # read once, before the first request
        if MULTIPROCESS:
            self._task = asyncio.create_task(self._sample_every(POOL_SAMPLE_SECONDS))

    async def _sample_every(self, seconds: float) -> None:
        while True:
            sample_pools(self._engine, self._read_pool)
            await asyncio.sleep(seconds)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if MULTIPROCESS:
            multiprocess.mark_process_dead(os.getpid())


# The job queue: counted in the database (every process sees the same queue)

_JOB_COUNTS = text(
    "SELECT queue_name, status::text AS status, count(*) AS jobs FROM procrastinate_jobs"
    " WHERE status::text = ANY(:statuses) GROUP BY queue_name, status"
)


class JobQueue(Collector):
    """``chapters_job_queue_jobs``: jobs by queue and status, as last counted (``refresh``).
    The app role sees the whole queue outside a tenant's transaction (the queue table's
    policy)."""

    def __init__(self) -> None:
        self._counts: dict[tuple[str, str], int] = {}
        self._queues: set[str] = set()
        self._counted: weakref.WeakKeyDictionary[AsyncEngine, float] = weakref.WeakKeyDictionary()

    async def refresh(self, engine: AsyncEngine) -> None:
        """Count the queue again, unless it was counted through ``engine`` lately. A count
        that fails or takes too long keeps the previous one (and says so in the log)."""
        now = time.monotonic()
        if now - self._counted.get(engine, -JOB_COUNT_SECONDS) < JOB_COUNT_SECONDS:
            return
        self._counted[engine] = now
        try:
            async with asyncio.timeout(JOB_COUNT_TIMEOUT_SECONDS), engine.connect() as connection:
                rows = await connection.execute(_JOB_COUNTS, {"statuses": list(JOB_STATUSES)})
        except Exception as error:
            log.warning("could not count the job queue: %s", error)
            return
        self._counts = {(row.queue_name, row.status): row.jobs for row in rows}
        self._queues.update(queue for queue, _ in self._counts)

    def collect(self) -> Iterator[Metric]:
        jobs = GaugeMetricFamily(
            "chapters_job_queue_jobs",
            "Jobs of the queue by queue and status (todo, doing, failed, aborting).",
            labels=("queue", "status"),
        )
        for queue in sorted(self._queues):
            for status in JOB_STATUSES:
                jobs.add_metric((queue, status), self._counts.get((queue, status), 0))
        yield jobs


JOB_QUEUE = JobQueue()
if not MULTIPROCESS:
    REGISTRY.register(JOB_QUEUE)


async def sample(engine: AsyncEngine, read_pool: ReadPool) -> None:
    """Bring what is read at scrape time up to date: this process's pools, the job queue."""
    sample_pools(engine, read_pool)
    await JOB_QUEUE.refresh(engine)


def exposition() -> bytes:
    """Every metric in Prometheus's text format: this process's, or in multiprocess mode every
    serving process's, added up."""
    if not MULTIPROCESS:
        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    registry.register(JOB_QUEUE)
    return generate_latest(registry)
