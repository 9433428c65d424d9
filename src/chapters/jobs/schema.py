"""This domain's root fields: the tenant's background jobs, and retrying a failed one (the
dead letters), for its admins."""

from __future__ import annotations

import strawberry
from strawberry import relay

from chapters.api.connections import connection
from chapters.api.errors import UserError
from chapters.api.mutations import mutate
from chapters.db.pagination import PageArgs
from chapters.errors import ErrorCode, FieldError, InvalidInput, NotFound
from chapters.jobs import queries, service
from chapters.jobs.records import QueueJob
from chapters.jobs.types import JobConnection, JobStateType, JobType


@strawberry.input
class JobFilter:
    state: JobStateType | None = None
    task: str | None = strawberry.field(
        default=None, description="A task's name, e.g. events.dispatch or mail.send."
    )

    def to_service(self) -> queries.JobFilter:
        return queries.JobFilter(
            state=self.state.to_service() if self.state is not None else None, task=self.task
        )


@strawberry.input
class JobRetryInput:
    id: strawberry.ID = strawberry.field(description="A failed job.")


@strawberry.type
class JobPayload:
    job: JobType | None
    errors: list[UserError]


def _job_id(value: str) -> int:
    try:
        type_name, raw = relay.from_base64(value)
    except (ValueError, TypeError):
        raise InvalidInput(FieldError("id", ErrorCode.INVALID, "Not a valid id")) from None
    if type_name != "Job" or not raw.isdigit() or len(raw) > 18:
        raise NotFound("Job")
    return int(raw)


@strawberry.type
class JobQuery:
    @strawberry.field(
        description="The community's background jobs, newest first (tenant admins). "
        "jobs(filter: {state: FAILED}) lists the dead letters, for jobRetry."
    )
    async def jobs(
        self,
        info: strawberry.Info,
        filter: JobFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> JobConnection:
        filters = (filter or JobFilter()).to_service()
        page = await queries.jobs(info.context, filters, PageArgs(first=first, after=after))
        return connection(JobConnection, page, JobType.from_model)


@strawberry.type
class JobMutation:
    @strawberry.mutation(
        description="Queue a failed job again, to run now (tenant admins). Its attempts and "
        "errors are kept."
    )
    async def job_retry(self, info: strawberry.Info, input: JobRetryInput) -> JobPayload:
        ctx = info.context

        async def work() -> QueueJob:
            service.require_manager(ctx.principal)  # the policy before the id is read
            return await service.retry(ctx.session, ctx.principal, _job_id(str(input.id)))

        return await mutate(
            info,
            work,
            present=lambda job: JobPayload(job=JobType.from_model(job), errors=[]),
            failed=lambda errors: JobPayload(job=None, errors=errors),
        )
