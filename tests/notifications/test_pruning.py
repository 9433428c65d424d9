"""Old notifications go: the daily pruning job, run by a real worker, deletes a tenant's
notifications read long ago and the very old unread ones, and nothing of another tenant."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from chapters.db.session import open_tenant_session, tenant_sessionmaker
from chapters.jobs.queue import enqueue
from chapters.jobs.worker import run_worker
from chapters.models.notification import Notification
from chapters.notifications.tasks import KEEP_READ_DAYS, KEEP_UNREAD_DAYS

MEMBER = "member@x.example"
NOW = datetime.now(UTC)

# title → (created days ago, read days ago or None)
AGES = {
    "read long ago": (KEEP_READ_DAYS + 20, KEEP_READ_DAYS + 10),
    "read lately": (KEEP_READ_DAYS + 20, 5),
    "unread, very old": (KEEP_UNREAD_DAYS + 1, None),
    "unread, old": (KEEP_UNREAD_DAYS - 30, None),
    "new": (0, None),
}


async def _arrange(owner_engine, tenant) -> None:
    async with (
        open_tenant_session(tenant_sessionmaker(owner_engine), tenant.id) as session,
        session.begin(),
    ):
        for title, (created, read) in AGES.items():
            session.add(
                Notification(
                    id=uuid.uuid4(),
                    person_id=tenant.people[MEMBER].id,
                    kind="activity_accepted",
                    data={"activity_title": title},
                    created_at=NOW - timedelta(days=created),
                    read_at=None if read is None else NOW - timedelta(days=read),
                )
            )


async def _titles(owner_engine, tenant) -> set[str]:
    async with open_tenant_session(tenant_sessionmaker(owner_engine), tenant.id) as session:
        rows = await session.scalars(select(Notification.data))
        return {data["activity_title"] for data in rows}


async def test_the_daily_pruning_keeps_what_people_would_still_read(
    tenants, owner_engine, settings, urls
):
    pruned = await tenants.create("prune", {MEMBER: None})
    other = await tenants.create("prune-other", {MEMBER: None})
    for tenant in (pruned, other):
        await _arrange(owner_engine, tenant)
    async with open_tenant_session(tenant_sessionmaker(owner_engine), pruned.id) as session:
        await enqueue(session, "notifications.prune", queue="housekeeping", at=int(NOW.timestamp()))
        await session.commit()
    await run_worker(settings, urls.app, wait=False)
    assert await _titles(owner_engine, pruned) == {"read lately", "unread, old", "new"}
    assert await _titles(owner_engine, other) == set(AGES)  # its own job has not run
