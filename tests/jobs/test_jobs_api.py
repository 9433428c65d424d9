"""The admins' view of the queue: failed jobs with their errors, retried by hand, each tenant's
jobs only, and nobody but admins."""

from __future__ import annotations

import uuid
from collections import Counter

import pytest
from strawberry import relay

from chapters.api.ids import global_id
from chapters.db.session import open_tenant_session, tenant_sessionmaker
from chapters.jobs.queue import enqueue, tenant_task
from chapters.jobs.worker import run_worker
from chapters.models import TenantRole
from tests.support import Api, statements_sent

FLAKY = "tests.jobs.flaky_delivery"
ADMIN, LEAD = "admin@x.example", "lead@x.example"

# how many times each key's job ran: the first run fails, as a receiver that is down would
runs: Counter[str] = Counter()


@tenant_task(FLAKY, retry=False)
async def flaky_delivery(session, *, key: str) -> None:
    runs[key] += 1
    if runs[key] == 1:
        raise RuntimeError(f"receiver down for {key}")


JOBS = """query ($filter: JobFilter, $first: Int, $after: String) {
  jobs(filter: $filter, first: $first, after: $after) {
    edges { cursor node { id task queue state attempts scheduledAt args
      lastError { attempt error occurredAt } errors { attempt error } } }
    pageInfo { hasNextPage endCursor } } }"""
RETRY = """mutation ($input: JobRetryInput!) { jobRetry(input: $input) {
  job { id state task args } errors { field code } } }"""


class Admin(Api):
    async def jobs(self, **variables) -> list[dict]:
        data = await self.data(JOBS, variables)
        return [edge["node"] for edge in data["jobs"]["edges"]]

    async def retry(self, job_id: str) -> dict:
        return await self.mutate(RETRY, id=job_id)


async def _enqueue(app_engine, tenant, key: str) -> None:
    async with open_tenant_session(tenant_sessionmaker(app_engine), tenant.id) as session:
        await enqueue(session, FLAKY, queue="tests", key=key)
        await session.commit()


@pytest.fixture(scope="module")
async def world(tenants, app_engine, settings, urls):
    people = {ADMIN: TenantRole.ADMIN, LEAD: None, "ops@x.example": TenantRole.OPS}
    home = await tenants.create("jobs-api", people)
    other = await tenants.create("jobs-api-other", people)
    await _enqueue(app_engine, home, f"home-{home.id}")
    await _enqueue(app_engine, other, f"other-{other.id}")
    await run_worker(settings, urls.app, wait=False)
    return home, other


def _flaky(jobs: list[dict]) -> list[dict]:
    return [job for job in jobs if job["task"] == FLAKY]


async def test_a_failed_job_shows_with_its_error_and_a_retry_runs_it_again(
    world, client, settings, urls
):
    home, _ = world
    admin = Admin(client, home, ADMIN)
    key = f"home-{home.id}"
    (failed,) = _flaky(await admin.jobs(filter={"state": "FAILED"}))
    assert failed["state"] == "FAILED"
    assert failed["queue"] == "tests"
    assert failed["args"] == {"key": key}  # the tenant is the queue's business, not shown
    assert failed["lastError"]["error"] == f"RuntimeError: receiver down for {key}"
    assert [e["error"] for e in failed["errors"]] == [f"RuntimeError: receiver down for {key}"]

    payload = await admin.retry(failed["id"])
    assert payload["errors"] == []
    assert payload["job"]["state"] == "TODO"
    assert payload["job"]["id"] == failed["id"]
    # only a failed job is retried: a queued one is not queued twice
    again = await admin.retry(failed["id"])
    assert [(e["field"], e["code"]) for e in again["errors"]] == [("id", "INVALID")]
    assert (
        _flaky(await admin.jobs(filter={"state": "TODO", "task": FLAKY}))[0]["id"] == failed["id"]
    )

    await run_worker(settings, urls.app, wait=False)
    assert runs[key] == 2
    (done,) = _flaky(await admin.jobs(filter={"state": "SUCCEEDED", "task": FLAKY}))
    assert done["id"] == failed["id"]
    assert len(done["errors"]) == 1  # the failed attempt stays on record
    assert _flaky(await admin.jobs(filter={"state": "FAILED"})) == []


async def test_each_tenant_sees_and_retries_its_own_jobs_only(world, client):
    home, other = world
    theirs = _flaky(await Admin(client, other, ADMIN).jobs(filter={"task": FLAKY}))
    assert [job["args"] for job in theirs] == [{"key": f"other-{other.id}"}]
    mine = await Admin(client, home, ADMIN).jobs(first=100)
    assert theirs[0]["id"] not in {job["id"] for job in mine}
    assert all(job["args"].get("key") != f"other-{other.id}" for job in mine)
    # another tenant's job answers as a missing one
    refused = await Admin(client, home, ADMIN).retry(theirs[0]["id"])
    missing = await Admin(client, home, ADMIN).retry(relay.to_base64("Job", 10**15))
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [("id", "NOT_FOUND")]
    assert refused["errors"] == missing["errors"]


@pytest.mark.parametrize("email", [LEAD, "ops@x.example", None])
async def test_only_admins_see_and_retry_jobs(world, client, email):
    home, _ = world
    caller = Admin(client, home, email)
    body = await caller.raw(JOBS)
    assert body["data"] is None or body["data"].get("jobs") is None
    assert {e["extensions"]["code"] for e in body["errors"]} == {"FORBIDDEN"}
    (job,) = _flaky(await Admin(client, home, ADMIN).jobs(filter={"task": FLAKY}))
    payload = await caller.mutate(RETRY, id=job["id"])
    assert [e["code"] for e in payload["errors"]] == ["FORBIDDEN"]


async def test_bad_ids_are_typed_errors(world, client):
    home, _ = world
    admin = Admin(client, home, ADMIN)
    assert (await admin.retry("not an id"))["errors"] == [{"field": "id", "code": "INVALID"}]
    wrong_type = global_id("Person", uuid.uuid4())
    assert (await admin.retry(wrong_type))["errors"] == [{"field": "id", "code": "NOT_FOUND"}]


async def test_jobs_page_newest_first_with_errors_batched(world, client, app, app_engine):
    home, _ = world
    for n in range(3):
        await _enqueue(app_engine, home, f"page-{home.id}-{n}")
    admin = Admin(client, home, ADMIN)
    everything = await admin.jobs(first=100)
    ids = [_number(job["id"]) for job in everything]
    assert ids == sorted(ids, reverse=True)
    first = await admin.data(JOBS, {"first": 2})
    after = first["jobs"]["pageInfo"]["endCursor"]
    second = await admin.jobs(first=2, after=after)
    assert [job["id"] for job in second] == [job["id"] for job in everything[2:4]]

    # one statement for the errors of a whole page, however long
    with statements_sent(app.state.runtime.engine) as few:
        await admin.jobs(first=1)
    with statements_sent(app.state.runtime.engine) as many:
        await admin.jobs(first=100)
    assert len(many) == len(few)
    assert all("tenant_id" in statement for statement in many if "procrastinate" in statement)


def _number(job_id: str) -> int:
    type_name, raw = relay.from_base64(job_id)
    assert type_name == "Job"
    return int(raw)
