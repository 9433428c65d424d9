"""An admin's retry of a failed job (``JOB_MANAGE``): queued again now, by procrastinate's own
function, in the request's tenant-bound transaction (the queue's policy lets it touch only its
tenant's jobs)."""

from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from chapters import authz
from chapters.auth.principal import Principal
from chapters.authz import Action
from chapters.errors import ErrorCode, FieldError, InvalidInput, NotFound
from chapters.jobs.records import JobState, QueueJob, of_tenant
from chapters.tenancy import bound_tenant

# The tenant written out, as in every statement of a request (RLS binds it as well).
_RETRY = text(
    "SELECT procrastinate_retry_job_v2(id, now(), NULL, NULL, NULL) FROM procrastinate_jobs"
    " WHERE id = :job_id AND args ->> 'tenant_id' = :tenant_id"
)


def require_manager(principal: Principal | None) -> Principal:
    return authz.require_caller(principal, Action.JOB_MANAGE)


async def retry(session: AsyncSession, principal: Principal | None, job_id: int) -> QueueJob:
    """Queue the failed job ``job_id`` again, to run now."""
    require_manager(principal)
    mine = of_tenant(bound_tenant(session.sync_session))
    job = await session.scalar(
        select(QueueJob).where(QueueJob.id == job_id, mine).with_for_update()
    )
    if job is None:
        raise NotFound("Job")
    if job.status != JobState.FAILED:
        raise InvalidInput(
            FieldError(
                "id",
                ErrorCode.INVALID,
                f"Only a failed job can be retried; this one is {_shown(job.status)}",
            )
        )
    tenant_id = str(bound_tenant(session.sync_session))
    await session.execute(_RETRY, {"job_id": job_id, "tenant_id": tenant_id})
    retried = await session.scalars(
        select(QueueJob)
        .where(QueueJob.id == job_id, mine)
        .execution_options(populate_existing=True)
    )
    return retried.one()


def _shown(status: str) -> str:
    return JobState.DOING.value if status == JobState.ABORTING else status
