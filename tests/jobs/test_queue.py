"""The job queue: enqueued with the change that causes it, bound to its tenant, run by the worker."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select, text

from chapters.activities import lifecycle
from chapters.db.session import open_tenant_session, tenant_sessionmaker
from chapters.jobs.queue import enqueue
from chapters.jobs.worker import run_worker
from chapters.models import DomainEvent, TenantRole
from chapters.people.service import load_principal
from tests.jobs.queue_support import jobs_of
from tests.support import make_activity, make_chapter

STAFF = "ops@x.example"


@pytest.fixture(scope="module")
async def world(tenants, owner_engine):
    tenant = await tenants.create("jobs", {STAFF: TenantRole.OPS, "lead@x.example": None})
    chapter = await make_chapter(
        owner_engine, tenant, "hangzhou", staff=STAFF, lead="lead@x.example"
    )
    return tenant, chapter


async def test_a_change_that_rolls_back_enqueues_nothing(world, owner_engine, app_engine):
    tenant, chapter = world
    before = await jobs_of(app_engine, tenant.id)
    draft = await make_activity(owner_engine, tenant, chapter.id, staff=STAFF, accept=False)
    sessionmaker = tenant_sessionmaker(app_engine)
    async with open_tenant_session(sessionmaker, tenant.id) as session:
        principal = await load_principal(session, tenant.people[STAFF])
        await lifecycle.submit(session, principal, draft.id)
        await session.flush()
        inside = (await session.execute(text("SELECT count(*) FROM procrastinate_jobs"))).scalar()
        assert inside == len(before) + 1  # the submission's event, in this transaction
        await session.rollback()
    assert await jobs_of(app_engine, tenant.id) == before
    async with open_tenant_session(sessionmaker, tenant.id) as session:
        events = (
            await session.scalars(
                select(DomainEvent.type).where(DomainEvent.subject_id == draft.id)
            )
        ).all()
    assert events == []


async def test_a_committed_step_becomes_an_event_and_a_job_the_worker_runs(
    world, owner_engine, app_engine, settings, urls
):
    tenant, chapter = world
    activity = await make_activity(owner_engine, tenant, chapter.id, staff=STAFF, title="KubeCon")
    sessionmaker = tenant_sessionmaker(app_engine)
    async with open_tenant_session(sessionmaker, tenant.id) as session:
        rows = (
            await session.scalars(
                select(DomainEvent)
                .where(DomainEvent.activity_id == activity.id)
                .order_by(DomainEvent.occurred_at)
            )
        ).all()
    # both steps were taken in one transaction: they share its time, so no order between them
    by_type = {row.type: row for row in rows}
    assert len(rows) == 2
    assert {(row.type, row.chapter_id) for row in rows} == {
        ("activity.submitted", chapter.id),
        ("activity.accepted", chapter.id),
    }
    assert by_type["activity.accepted"].data == {
        "from_status": "submitted",
        "to_status": "accepted",
    }
    queued = {
        job["args"]["event_id"]: job
        for job in await jobs_of(app_engine, tenant.id)
        if job["task_name"] == "events.dispatch"
    }
    assert {str(row.id) for row in rows} <= queued.keys()
    assert all(queued[str(row.id)]["args"]["tenant_id"] == str(tenant.id) for row in rows)

    await run_worker(settings, urls.app, wait=False)
    statuses = {
        job["args"]["event_id"]: job["status"]
        for job in await jobs_of(app_engine, tenant.id)
        if job["task_name"] == "events.dispatch"
    }
    assert {statuses[str(row.id)] for row in rows} == {"succeeded"}


async def test_a_tenant_sees_and_enqueues_only_its_own_jobs(world, tenants, app_engine):
    tenant, _ = world
    other = await tenants.create("jobs-other", {"admin@y.example": TenantRole.ADMIN})
    sessionmaker = tenant_sessionmaker(app_engine)
    async with open_tenant_session(sessionmaker, other.id) as session:
        await enqueue(session, "events.dispatch", event_id=str(uuid.uuid4()))
        await session.commit()
    mine = await jobs_of(app_engine, tenant.id)
    theirs = await jobs_of(app_engine, other.id)
    assert len(theirs) == 1 and theirs[0]["args"]["tenant_id"] == str(other.id)
    assert all(job["args"]["tenant_id"] == str(tenant.id) for job in mine)

    # Even written by hand, a job naming another tenant is refused by the policy.
    async with open_tenant_session(sessionmaker, other.id) as session:
        with pytest.raises(Exception, match="row-level security"):
            await session.execute(
                text(
                    "SELECT procrastinate_defer_jobs_v1(ARRAY[ROW('default', 'events.dispatch',"
                    " 0, NULL, NULL, jsonb_build_object('tenant_id', CAST(:t AS text)), NULL)"
                    "::procrastinate_job_to_defer_v1])"
                ),
                {"t": str(tenant.id)},
            )


async def test_membership_changes_become_their_events(world, owner_engine, app_engine) -> None:
    """Joined, role changed, left: told from the period each change opens and the one before
    it, whether the service flushed the closing first or not."""
    from chapters.memberships.service import change_role, join, remove
    from chapters.models import ChapterRole, Person

    tenant, chapter = world
    sessionmaker = tenant_sessionmaker(owner_engine)
    async with open_tenant_session(sessionmaker, tenant.id) as session, session.begin():
        person = Person(email=f"m-{uuid.uuid4().hex[:6]}@x.example", display_name="Mei")
        session.add(person)
        await session.flush()
        staff = await load_principal(session, tenant.people[STAFF])
        membership = await join(session, staff, chapter.id, person.id, invite=False)
        await change_role(session, staff, membership.id, ChapterRole.CO_LEAD)
        await remove(session, staff, membership.id)
    async with open_tenant_session(tenant_sessionmaker(app_engine), tenant.id) as session:
        rows = (
            await session.scalars(
                select(DomainEvent)
                .where(DomainEvent.subject_id == membership.id)
                .order_by(DomainEvent.occurred_at, DomainEvent.type)
            )
        ).all()
    assert sorted((row.type, row.data["role"], row.data["previous_role"]) for row in rows) == [
        ("membership.joined", "member", None),
        ("membership.left", "co_lead", "co_lead"),
        ("membership.role_changed", "co_lead", "member"),
    ]
    assert {row.person_id for row in rows} == {person.id}
