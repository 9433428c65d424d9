"""This domain's job: keep the insight rollup up to date, hourly per tenant and after the
rules that shape it change (``chapters.insight.rollup``). Figures are exact without it (stale
people are read live); it keeps them fast."""

from __future__ import annotations

import logging

import procrastinate
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.insight import rollup
from chapters.insight.service import basis_of
from chapters.jobs.queue import blueprint, enqueue_for_every_tenant, tenant_task
from chapters.tenancy import bound_tenant

log = logging.getLogger(__name__)


@blueprint.periodic(cron="23 * * * *", periodic_id="insight-refresh-rollups")
@blueprint.task(name="insight.hourly", queue=rollup.REFRESH_QUEUE, pass_context=True)
async def hourly(context: procrastinate.JobContext, timestamp: int) -> None:
    await enqueue_for_every_tenant(
        context, rollup.REFRESH_TASK, queue=rollup.REFRESH_QUEUE, timestamp=timestamp
    )


@tenant_task(rollup.REFRESH_TASK, queue=rollup.REFRESH_QUEUE)
async def refresh_rollup(session: AsyncSession, **_: object) -> None:
    tenant_id = bound_tenant(session.sync_session)
    done = await rollup.refresh(session, tenant_id, (await basis_of(session, tenant_id)).rules)
    log.info(
        "insight rollup of %s: %s, %d people, %d rows in %.1f s",
        tenant_id,
        "rebuilt" if done.rebuilt else "refreshed",
        done.people,
        done.rows,
        done.seconds,
    )
