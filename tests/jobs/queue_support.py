"""Reading the queue as the tests see it: the jobs a tenant-bound transaction sees."""

from __future__ import annotations

import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from chapters.db.session import open_tenant_session, tenant_sessionmaker

JOBS = text("SELECT task_name, status::text AS status, args FROM procrastinate_jobs ORDER BY id")


async def jobs_of(engine: AsyncEngine, tenant_id: uuid.UUID) -> list[dict]:
    """The jobs a transaction bound to ``tenant_id`` sees, oldest first."""
    async with open_tenant_session(tenant_sessionmaker(engine), tenant_id) as session:
        rows = (await session.execute(JOBS)).mappings().all()
    return [dict(row) for row in rows]


async def jobs_of_changes(engine: AsyncEngine, tenant_id: uuid.UUID) -> list[dict]:
    """``jobs_of`` without the jobs a worker's clock enqueues for every tenant (the periodic
    fan-out, ``enqueue_for_every_tenant``: each carries the clock's ``at``), which a worker
    running across the hour adds whatever the test did; a change's jobs never carry it."""
    return [job for job in await jobs_of(engine, tenant_id) if "at" not in (job["args"] or {})]


async def set_aside_other_tenants_jobs(owner_engine: AsyncEngine, tenant_id: uuid.UUID) -> None:
    """Cancel the waiting jobs of every other tenant. A test database's queue is shared by the
    test files that ran on it before; a test that starts a real worker and watches what it
    delivers (a catcher, a receiver) must find only its own tenant's jobs there."""
    async with owner_engine.begin() as connection:
        await connection.execute(
            text(
                "UPDATE procrastinate_jobs SET status = 'cancelled'"
                " WHERE status = 'todo' AND args->>'tenant_id' <> :tenant_id"
            ),
            {"tenant_id": str(tenant_id)},
        )
