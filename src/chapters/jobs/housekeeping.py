"""The queue's own upkeep: finished jobs are kept a week (the admins' job list), then go."""

from __future__ import annotations

import procrastinate

from chapters.jobs.queue import blueprint

KEEP_FINISHED_DAYS = 7


@blueprint.periodic(cron="17 3 * * *", periodic_id="prune-finished-jobs")
@blueprint.task(name="jobs.prune_finished", queue="housekeeping", pass_context=True)
async def prune_finished_jobs(context: procrastinate.JobContext, timestamp: int) -> None:
    # Failed jobs stay until an admin retries them; finished ones are history after a week.
    await context.app.connector.execute_query_async(
        "DELETE FROM procrastinate_jobs WHERE status IN ('succeeded', 'cancelled', 'aborted')"
        f" AND id IN (SELECT job_id FROM procrastinate_events WHERE type IN"
        f" ('succeeded', 'cancelled', 'aborted') AND at < now() - interval '{KEEP_FINISHED_DAYS} days')"
    )
