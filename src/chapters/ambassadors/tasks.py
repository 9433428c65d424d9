"""This domain's job: once a day, per tenant, store ``ended`` on the terms whose last day has
passed unrenewed (reads already show them ended), so the audit log records when each
ambassador became an alumnus."""

from __future__ import annotations

from datetime import UTC, datetime

import procrastinate
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.ambassadors.service import end_lapsed_terms
from chapters.jobs.queue import blueprint, enqueue_for_every_tenant, tenant_task

QUEUE = "housekeeping"


@blueprint.periodic(cron="17 0 * * *", periodic_id="ambassadors-end-terms")
@blueprint.task(name="ambassadors.daily", queue=QUEUE, pass_context=True)
async def daily(context: procrastinate.JobContext, timestamp: int) -> None:
    await enqueue_for_every_tenant(
        context, "ambassadors.end_terms", queue=QUEUE, timestamp=timestamp
    )


@tenant_task("ambassadors.end_terms", queue=QUEUE)
async def end_terms(session: AsyncSession, *, at: int) -> None:
    """End the tenant's terms whose last day is before the (UTC) day of ``at``."""
    await end_lapsed_terms(session, datetime.fromtimestamp(at, UTC).date())
