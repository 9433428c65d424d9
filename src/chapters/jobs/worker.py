"""``chapters worker``: the process that runs the queue's jobs.

It connects as the app role, like the API: procrastinate's own bookkeeping is not bound to a
tenant (it sees the whole queue), the tasks are (``queue.tenant_task``). A worker that dies
(SIGKILL, a lost machine) stops sending heartbeats; any live worker hands its running jobs
back to the queue once it has been silent for ``worker_stalled_seconds``, and they run again
(every task is idempotent: mail and webhook deliveries carry their idempotency keys).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging

import procrastinate

from chapters.auth.keys import install_service_keys, service_signing_keys
from chapters.db.admin import plain_dsn
from chapters.db.session import create_engine, tenant_sessionmaker
from chapters.jobs.queue import TASK_MODULES, JobRuntime, blueprint, set_runtime
from chapters.settings import Settings

log = logging.getLogger(__name__)


def load_tasks() -> None:
    for module in TASK_MODULES:
        importlib.import_module(module)


def queue_app(app_url: str, *, pool_size: int = 4) -> procrastinate.App:
    """The procrastinate app over the app role's connections, with every domain's tasks."""
    load_tasks()
    connector = procrastinate.PsycopgConnector(
        conninfo=plain_dsn(app_url),
        min_size=1,
        max_size=pool_size,
        kwargs={"application_name": "chapters-worker"},
    )
    app = procrastinate.App(connector=connector)
    app.add_tasks_from(blueprint, namespace="")
    return app


async def hand_back_stalled_jobs(app: procrastinate.App, settings: Settings) -> int:
    """Put the running jobs of workers silent for too long back in the queue; how many."""
    stalled = list(
        await app.job_manager.get_stalled_jobs(
            seconds_since_heartbeat=settings.worker_stalled_seconds
        )
    )
    for job in stalled:
        log.warning("job %s (%s) was running on a dead worker: queued again", job.id, job.task_name)
        await app.job_manager.retry_job(job)
    return len(stalled)


async def _watch_stalled(app: procrastinate.App, settings: Settings) -> None:
    while True:
        try:
            await hand_back_stalled_jobs(app, settings)
        except Exception:
            log.exception("could not look for stalled jobs")
        await asyncio.sleep(max(1, settings.worker_stalled_seconds / 3))


async def run_worker(
    settings: Settings, app_url: str, *, concurrency: int | None = None, wait: bool = True
) -> None:
    """Run jobs until stopped (SIGINT/SIGTERM), or, ``wait=False``, until the queue is empty."""
    engine = create_engine(app_url, settings)
    keys = service_signing_keys(settings)
    install_service_keys(keys, settings.secret_keys)
    set_runtime(JobRuntime(sessionmaker=tenant_sessionmaker(engine), settings=settings))
    app = queue_app(app_url, pool_size=(concurrency or settings.worker_concurrency) + 2)
    try:
        async with app.open_async():
            watcher = asyncio.create_task(_watch_stalled(app, settings)) if wait else None
            try:
                await app.run_worker_async(
                    concurrency=concurrency or settings.worker_concurrency,
                    wait=wait,
                    update_heartbeat_interval=settings.worker_heartbeat_seconds,
                    stalled_worker_timeout=settings.worker_stalled_seconds,
                    install_signal_handlers=wait,
                    fetch_job_polling_interval=1.0,
                )
            finally:
                if watcher is not None:
                    watcher.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await watcher
    finally:
        set_runtime(None)
        await engine.dispose()
