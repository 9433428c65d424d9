"""Mail is never sent for a change that rolled back, waits while the SMTP server is down,
survives a worker killed mid-send (delivered exactly once to the catcher), and a tenant's
job never touches another tenant's messages."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import func, select, text

from chapters.db.session import open_tenant_session, tenant_sessionmaker
from chapters.jobs.queue import JobRuntime, enqueue, set_runtime
from chapters.mail.catcher import Catcher, file_name
from chapters.mail.service import queue_certificate_issued
from chapters.models import TenantRole
from chapters.models.mail import MailMessage, MailStatus
from tests.jobs.queue_support import jobs_of, jobs_of_changes, set_aside_other_tenants_jobs
from tests.mail.mail_support import eml_files, mail_settings, messages, read_eml, run_jobs

PERSON = "someone@reliable.example"


@contextmanager
def job_runtime(engine, settings) -> Iterator[None]:
    """Queue mail as a job would (the worker's settings give the links and Message-IDs)."""
    set_runtime(JobRuntime(sessionmaker=tenant_sessionmaker(engine), settings=settings))
    try:
        yield
    finally:
        set_runtime(None)


async def _certificate(engine, settings, tenant, title: str) -> MailMessage:
    with job_runtime(engine, settings):
        async with open_tenant_session(tenant_sessionmaker(engine), tenant.id) as session:
            [row_id] = await queue_certificate_issued(
                session, tenant.people[PERSON].id, title, f"https://certs.example/{uuid.uuid4()}"
            )
            await session.commit()
    [row] = [r for r in await messages(engine, tenant) if r.id == row_id]
    return row


@pytest.fixture
async def tenant(tenants):
    return await tenants.create("reliable", {PERSON: TenantRole.VIEWER})


async def test_a_change_that_rolls_back_queues_and_sends_nothing(
    tenant, app_engine, msettings, catcher, urls
):
    jobs_before = await jobs_of(app_engine, tenant.id)
    changes_before = await jobs_of_changes(app_engine, tenant.id)
    with job_runtime(app_engine, msettings):
        async with open_tenant_session(tenant_sessionmaker(app_engine), tenant.id) as session:
            await queue_certificate_issued(
                session, tenant.people[PERSON].id, "Rolled back", "https://certs.example/rb"
            )
            inside = await session.scalar(select(func.count()).select_from(MailMessage))
            jobs_inside = await session.scalar(text("SELECT count(*) FROM procrastinate_jobs"))
            assert inside == 1 and jobs_inside == len(jobs_before) + 1
            await session.rollback()
    await run_jobs(msettings, urls, tenant)
    assert await messages(app_engine, tenant) == []
    assert await jobs_of_changes(app_engine, tenant.id) == changes_before
    # other tests' mail may pass through this catcher; none of it is the rolled-back one
    assert not [p for p in eml_files(catcher.outbox_dir) if PERSON.encode() in p.read_bytes()]


async def test_mail_waits_while_the_server_is_down_and_goes_out_once_when_back(
    tenant, app_engine, owner_engine, settings, tmp_path, urls
):
    await set_aside_other_tenants_jobs(owner_engine, tenant.id)
    # The port stays bound but not listening while "down" (connections are refused), so no
    # other test's server can take it before this one's comes back.
    reserved = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    reserved.bind(("127.0.0.1", 0))
    port = reserved.getsockname()[1]
    down = Catcher(tmp_path / "outbox", "127.0.0.1", port)
    msettings = mail_settings(settings, down)
    try:
        row = await _certificate(app_engine, msettings, tenant, "Patience")
        await run_jobs(msettings, urls, tenant)  # the attempt fails; the retry is scheduled
        [waiting] = await messages(app_engine, tenant)
        assert waiting.status == MailStatus.QUEUED and waiting.attempts == 1
        assert waiting.last_error and str(port) in waiting.last_error
        jobs = await jobs_of(app_engine, tenant.id)
        [job] = [j for j in jobs if j["task_name"] == "mail.send"]
        assert job["status"] == "todo"  # waiting for its retry
    finally:
        reserved.close()
    back = Catcher(tmp_path / "outbox", "127.0.0.1", port)
    await back.start()
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            await asyncio.sleep(1)
            await run_jobs(msettings, urls, tenant)
            [current] = await messages(app_engine, tenant)
            if current.status == MailStatus.SENT:
                break
        assert current.status == MailStatus.SENT and current.last_error is None
        assert current.attempts == 2
        assert back.received.count(row.message_id) == 1
        assert [p.name for p in eml_files(back.outbox_dir)] == [file_name(row.message_id)]
    finally:
        await back.stop()


def _worker(cli_env, msettings, log_path) -> subprocess.Popen:
    env = {
        **cli_env,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(msettings.smtp_port),
        "SMTP_TIMEOUT_SECONDS": "120",
        "CHAPTERS_OUTBOX_DIR": str(msettings.outbox_dir),
        "CHAPTERS_PUBLIC_URL": msettings.public_url,
        "CHAPTERS_WORKER_HEARTBEAT_SECONDS": "1",
        "CHAPTERS_WORKER_STALLED_SECONDS": "2",
        "CHAPTERS_WORKER_CONCURRENCY": "2",
    }
    log = open(log_path, "ab")  # noqa: SIM115 (the child writes it; closed with the child)
    return subprocess.Popen(
        [sys.executable, "-m", "chapters.cli", "worker"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


async def _until(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await condition():
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


async def test_a_worker_killed_mid_send_leaves_the_message_to_the_next_one_delivered_once(
    tenant, app_engine, owner_engine, msettings, catcher, cli_env, tmp_path
):
    await set_aside_other_tenants_jobs(owner_engine, tenant.id)
    catcher.data_delay_seconds = 600  # the server takes the message but answers late
    row = await _certificate(app_engine, msettings, tenant, "Survivor")
    log = tmp_path / "worker.log"
    first = _worker(cli_env, msettings, log)
    second = None
    try:

        async def caught() -> bool:
            return row.message_id in catcher.received

        await _until(caught, 60, "the first worker to hand the message over")
        os.kill(first.pid, signal.SIGKILL)  # mid-job: the server has not answered yet
        first.wait(10)
        [unfinished] = await messages(app_engine, tenant)
        assert unfinished.status == MailStatus.QUEUED  # it never heard the answer

        catcher.data_delay_seconds = 0
        second = _worker(cli_env, msettings, log)

        async def sent() -> bool:
            [current] = await messages(app_engine, tenant)
            return current.status == MailStatus.SENT

        await _until(sent, 60, "the second worker to send it")
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(5)
    # sent twice over SMTP, the second time with the same Message-ID: one message in the outbox
    assert catcher.received.count(row.message_id) == 2
    same = [p for p in eml_files(catcher.outbox_dir) if p.name == file_name(row.message_id)]
    assert len(same) == 1
    mail = read_eml(catcher, row.message_id)
    assert mail is not None and mail["Message-ID"] == row.message_id
    [final] = await messages(app_engine, tenant)
    assert final.attempts == 1  # the killed attempt was never recorded, the second was


async def test_a_tenants_job_never_sees_another_tenants_messages(
    tenant, tenants, app_engine, msettings, catcher, urls
):
    with job_runtime(app_engine, msettings):
        async with open_tenant_session(tenant_sessionmaker(app_engine), tenant.id) as session:
            person = tenant.people[PERSON]
            from chapters.mail.kinds import MessageKind
            from chapters.mail.service import Draft, queue_mail

            [row_id] = await queue_mail(
                session,
                [
                    Draft(
                        MessageKind.CERTIFICATE_ISSUED,
                        "isolated",
                        person.email,
                        {"title": "T", "url": "u"},
                        person_id=person.id,
                    )
                ],
                send=False,
            )
            await session.commit()
    other = await tenants.create("reliable-other", {"x@other.example": TenantRole.ADMIN})
    async with open_tenant_session(tenant_sessionmaker(app_engine), other.id) as session:
        seen = await session.scalar(select(func.count()).select_from(MailMessage))
        assert seen == 0
        # A job of tenant B naming tenant A's message: it runs bound to B and finds nothing.
        await enqueue(session, "mail.send", queue="mail", ids=[str(row_id)])
        await session.commit()
    await run_jobs(msettings, urls, other)
    [job] = [j for j in await jobs_of(app_engine, other.id) if j["task_name"] == "mail.send"]
    assert job["status"] == "succeeded"
    [untouched] = await messages(app_engine, tenant)
    assert untouched.status == MailStatus.QUEUED and untouched.attempts == 0
    assert untouched.message_id not in catcher.received
