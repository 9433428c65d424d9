"""This domain's jobs. In-app notifications are written by the reaction to each event
(``reactions.on_event``), inside the ``events.dispatch`` job that hands the event to every
domain; the mail domain reads preferences (``preferences``) in its own jobs. Here: the daily
pruning of old notifications, so that a person's list stays what they would still read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import procrastinate
from sqlalchemy import delete, or_
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.jobs.queue import blueprint, enqueue_for_every_tenant, tenant_task
from chapters.models.notification import Notification

QUEUE = "housekeeping"
KEEP_READ_DAYS = 90  # read: kept a quarter, for "what was that about?"
KEEP_UNREAD_DAYS = 365  # unread: a year; older news is no news


@blueprint.periodic(cron="41 3 * * *", periodic_id="notifications-prune")
@blueprint.task(name="notifications.daily", queue=QUEUE, pass_context=True)
async def daily(context: procrastinate.JobContext, timestamp: int) -> None:
    await enqueue_for_every_tenant(context, "notifications.prune", queue=QUEUE, timestamp=timestamp)


@tenant_task("notifications.prune", queue=QUEUE)
async def prune(session: AsyncSession, *, at: int) -> None:
    """Delete the tenant's notifications read more than ``KEEP_READ_DAYS`` before ``at`` (a
    Unix time) and those older than ``KEEP_UNREAD_DAYS``, read or not."""
    now = datetime.fromtimestamp(at, UTC)
    await session.execute(
        delete(Notification).where(
            or_(
                Notification.read_at < now - timedelta(days=KEEP_READ_DAYS),
                Notification.created_at < now - timedelta(days=KEEP_UNREAD_DAYS),
            )
        )
    )
