"""Enqueueing jobs, and the tasks they run.

A job is a row of procrastinate's ``procrastinate_jobs``, inserted by
``procrastinate_defer_jobs_v1`` on the caller's own connection, so it commits or rolls back
with the change that caused it. Every tenant job carries its tenant in ``args["tenant_id"]``
and runs in a session bound to that tenant: row-level security binds jobs as it binds
requests, and the queue's own table lets a tenant-bound transaction see and add only its
tenant's jobs (the migration's policy).

Tasks are registered on one ``Blueprint`` by the domains (``@tenant_task("mail.send")``); the
worker loads them all from ``TASK_MODULES``.
"""

from __future__ import annotations

import json
import logging
import traceback
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ParamSpec

import procrastinate
from procrastinate import RetryStrategy
from sqlalchemy import insert, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from chapters.db.session import SerializedSession, open_tenant_session
from chapters.models import JobError
from chapters.tenancy import bound_tenant

log = logging.getLogger(__name__)
P = ParamSpec("P")

blueprint = procrastinate.Blueprint()

# The domains whose modules register tasks (imported by the worker, in this order).
TASK_MODULES = (
    "chapters.jobs.housekeeping",
    "chapters.events.dispatch",
    "chapters.mail.tasks",
    "chapters.registrations.tasks",
    "chapters.webhooks.tasks",
    "chapters.notifications.tasks",
    "chapters.ambassadors.tasks",
    "chapters.partnerships.tasks",
    "chapters.conferences.tasks",
    "chapters.authors.tasks",
    "chapters.insight.tasks",
)

# Retries: 1 + 2^attempt seconds apart (3 s, 5 s, 9 s … about 17 minutes over 10 attempts);
# then the job is failed and waits for an admin's retry (``jobRetry``).
DEFAULT_RETRY = RetryStrategy(max_attempts=10, wait=1, exponential_wait=2)

# The statement itself names the tenant in the job's arguments (what the queue table's policy
# checks against the transaction's tenant).
_DEFER = text(
    "SELECT procrastinate_defer_jobs_v1(ARRAY[ROW(:queue, :task, 0, NULL, NULL,"
    " CAST(:args AS jsonb) || jsonb_build_object('tenant_id', CAST(:tenant AS text)),"
    " :scheduled_at)::procrastinate_job_to_defer_v1])"
)


def _defer_parameters(
    tenant_id: uuid.UUID, task: str, queue: str, scheduled_at: datetime | None, args: dict
) -> dict[str, Any]:
    return {
        "queue": queue,
        "task": task,
        "args": json.dumps(args, default=str),
        "tenant": str(tenant_id),
        "scheduled_at": scheduled_at,
    }


async def enqueue(
    session: AsyncSession,
    task: str,
    *,
    queue: str = "default",
    scheduled_at: datetime | None = None,
    **args: Any,
) -> None:
    """Enqueue ``task`` for the session's tenant, in the session's transaction."""
    tenant_id = bound_tenant(session.sync_session)
    await session.execute(_DEFER, _defer_parameters(tenant_id, task, queue, scheduled_at, args))


async def enqueue_for_every_tenant(
    context: procrastinate.JobContext, task: str, *, queue: str, timestamp: int
) -> None:
    """A periodic job's fan-out: ``task`` enqueued once per tenant, to run bound to it."""
    rows = await context.app.connector.execute_query_all_async("SELECT id FROM tenants")
    for row in rows:
        async with open_tenant_session(runtime().sessionmaker, row["id"]) as session:
            await enqueue(session, task, queue=queue, at=timestamp)
            await session.commit()


def enqueue_in_flush(
    connection: Connection, tenant_id: uuid.UUID, task: str, *, queue: str = "default", **args: Any
) -> None:
    """``enqueue`` from inside a flush (an ``after_flush`` hook), on its connection."""
    connection.execute(_DEFER, _defer_parameters(tenant_id, task, queue, None, args))


@dataclass
class JobRuntime:
    """What a task needs from the process that runs it (set by the worker)."""

    sessionmaker: async_sessionmaker[SerializedSession]
    settings: Any


_runtime: JobRuntime | None = None


def set_runtime(runtime: JobRuntime | None) -> None:
    global _runtime
    _runtime = runtime


def runtime() -> JobRuntime:
    if _runtime is None:
        raise RuntimeError("no job runtime: tasks run in `chapters worker` (jobs.worker)")
    return _runtime


TenantTaskBody = Callable[..., Awaitable[None]]


def tenant_task(
    name: str, *, queue: str = "default", retry: RetryStrategy | bool = DEFAULT_RETRY
) -> Callable[[TenantTaskBody], TenantTaskBody]:
    """Register ``body(session, **args)`` as the task ``name``. It runs in a session bound to
    the job's tenant, committed when it returns; a failure rolls it back, records the reason
    (``job_errors``) and leaves the retry to the queue."""

    def register(body: TenantTaskBody) -> TenantTaskBody:
        @blueprint.task(name=name, queue=queue, retry=retry, pass_context=True)
        async def run(context: procrastinate.JobContext, /, tenant_id: str, **args: Any) -> None:
            tenant = uuid.UUID(tenant_id)
            sessionmaker = runtime().sessionmaker
            try:
                async with open_tenant_session(sessionmaker, tenant) as session:
                    await body(session, **args)
                    await session.commit()
            except Exception as error:
                await _record_failure(sessionmaker, tenant, context, name, error)
                raise

        return body

    return register


async def _record_failure(
    sessionmaker: async_sessionmaker[SerializedSession],
    tenant_id: uuid.UUID,
    context: procrastinate.JobContext,
    task: str,
    error: Exception,
) -> None:
    job = context.job
    reason = "".join(traceback.format_exception_only(error)).strip()[:2000]
    log.warning("job %s (%s) attempt %d failed: %s", job.id, task, job.attempts + 1, reason)
    try:
        async with open_tenant_session(sessionmaker, tenant_id) as session:
            await session.execute(
                insert(JobError).values(
                    tenant_id=tenant_id,
                    id=uuid.uuid4(),
                    job_id=job.id,
                    task=task,
                    attempt=job.attempts + 1,
                    error=reason,
                )
            )
            await session.commit()
    except Exception:  # the reason is a courtesy; the retry must not depend on it
        log.exception("could not record why job %s failed", job.id)
