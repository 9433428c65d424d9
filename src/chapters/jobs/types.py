"""Background jobs as the API shows them to the tenant's admins."""

from __future__ import annotations

import enum
from datetime import datetime

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from chapters.jobs import queries
from chapters.jobs.records import JobState, QueueJob
from chapters.models import JobError


@strawberry.enum(name="JobState", description="Where a background job stands.")
class JobStateType(enum.Enum):
    TODO = "todo"
    DOING = "doing"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    ABORTED = "aborted"

    def to_service(self) -> JobState:
        return JobState(self.value)

    @classmethod
    def of(cls, status: str) -> JobStateType:
        return cls.DOING if status == JobState.ABORTING else cls(status)


@strawberry.type(name="JobError", description="Why one attempt of a job failed.")
class JobErrorType:
    attempt: int
    error: str
    occurred_at: datetime

    @classmethod
    def from_model(cls, row: JobError) -> JobErrorType:
        return cls(attempt=row.attempt, error=row.error, occurred_at=row.occurred_at)


def job_global_id(job_id: int) -> str:
    return relay.to_base64("Job", job_id)


@strawberry.type(
    name="Job",
    description="A background job of this community: a mail, a webhook delivery, an event's "
    "dispatch … Finished jobs are kept a week; failed ones until retried.",
)
class JobType:
    id: strawberry.ID
    task: str
    queue: str
    state: JobStateType
    attempts: int = strawberry.field(description="Attempts made before the current one.")
    scheduled_at: datetime | None = strawberry.field(
        description="Not to run before then (a retry's backoff, a reminder's day)."
    )
    args: JSON = strawberry.field(description="What the job was given (ids, never secrets).")
    job_id: strawberry.Private[int]

    @classmethod
    def from_model(cls, row: QueueJob) -> JobType:
        args = {key: value for key, value in (row.args or {}).items() if key != "tenant_id"}
        return cls(
            id=strawberry.ID(job_global_id(row.id)),
            task=row.task_name,
            queue=row.queue_name,
            state=JobStateType.of(row.status),
            attempts=row.attempts,
            scheduled_at=row.scheduled_at,
            args=JSON(args),
            job_id=row.id,
        )

    @strawberry.field(description="Why its attempts failed, oldest first.")
    async def errors(self, info: strawberry.Info) -> list[JobErrorType]:
        rows = await queries.errors_of(info.context, self.job_id)
        return [JobErrorType.from_model(row) for row in rows]

    @strawberry.field(description="Why its latest failed attempt failed.")
    async def last_error(self, info: strawberry.Info) -> JobErrorType | None:
        rows = await queries.errors_of(info.context, self.job_id)
        return JobErrorType.from_model(rows[-1]) if rows else None


@strawberry.type(name="JobConnection")
class JobConnection(relay.Connection[JobType]):  # type: ignore[type-var]
    pass
