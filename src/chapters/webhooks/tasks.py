"""This domain's jobs (registered on the queue's blueprint with ``tenant_task``)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from chapters.jobs.queue import runtime, tenant_task
from chapters.webhooks import delivery
from chapters.webhooks.service import DELIVER_TASK, QUEUE


# A failed attempt records itself and schedules the next (``delivery.RETRY_DELAYS``); the
# queue's own retries are for the unexpected (the database gone mid-attempt).
@tenant_task(DELIVER_TASK, queue=QUEUE)
async def deliver(session: AsyncSession, *, delivery_id: str, attempt: int) -> None:
    await delivery.attempt(session, runtime().settings, uuid.UUID(delivery_id), attempt)
