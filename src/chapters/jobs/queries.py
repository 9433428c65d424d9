"""The tenant's background jobs, for its admins (``JOB_MANAGE``): newest first, with why each
failed attempt failed (``job_errors``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters import authz
from chapters.authz import Action
from chapters.db.loaders import Reader, grouped
from chapters.db.pagination import Ordering, Page, PageArgs, paginate
from chapters.jobs.records import JobState, QueueJob, of_tenant
from chapters.models import JobError
from chapters.tenancy import bound_tenant

NEWEST_FIRST = Ordering((QueueJob.id,), descending=True)


@dataclass(frozen=True)
class JobFilter:
    state: JobState | None = None
    task: str | None = None


async def jobs(reader: Reader, filters: JobFilter, args: PageArgs) -> Page[QueueJob]:
    authz.require(reader.principal, Action.JOB_MANAGE)
    statement = select(QueueJob).where(of_tenant(bound_tenant(reader.session.sync_session)))
    if filters.state is not None:
        states = [filters.state.value]
        if filters.state == JobState.DOING:
            states.append(JobState.ABORTING.value)
        statement = statement.where(QueueJob.status.in_(states))
    if filters.task is not None:
        statement = statement.where(QueueJob.task_name == filters.task)
    return await paginate(reader.session, statement, NEWEST_FIRST, args)


async def errors_by_job(session: AsyncSession, job_ids: Sequence[int]) -> list[list[JobError]]:
    """Each job's failed attempts, oldest first (one statement for many jobs)."""
    rows = await session.scalars(
        select(JobError)
        .where(JobError.job_id.in_(job_ids))
        .order_by(JobError.job_id, JobError.occurred_at, JobError.attempt)
    )
    return grouped(rows, lambda row: row.job_id, job_ids)


async def errors_of(reader: Reader, job_id: int) -> list[JobError]:
    authz.require(reader.principal, Action.JOB_MANAGE)
    errors: list[JobError] = await reader.loaders.of(errors_by_job).load(job_id)
    return errors
