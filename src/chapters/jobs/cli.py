"""``chapters worker``: run the job queue.

``chapters.cli`` registers this command while it loads: its helpers are imported when the
command runs."""

from __future__ import annotations

import asyncio

import click


@click.command("worker")
@click.option(
    "--concurrency",
    type=click.IntRange(min=1),
    help="Jobs run at once (default: CHAPTERS_WORKER_CONCURRENCY, which is 4).",
)
@click.option(
    "--until-empty",
    is_flag=True,
    help="Run the jobs that are due, then stop (scripts, tests) instead of waiting for more.",
)
def worker_command(concurrency: int | None, until_empty: bool) -> None:
    """Run background jobs: mail, webhook deliveries, reminders (stop with Ctrl-C)."""
    from chapters.cli import _resolve_urls, _settings, _step
    from chapters.jobs.worker import run_worker
    from chapters.observability.logs import configure_logging
    from chapters.observability.traces import configure_tracing

    settings = _settings()
    configure_logging(settings.log_format, settings.log_level)
    urls = _resolve_urls(settings)
    _step("running jobs" + (" until the queue is empty" if until_empty else " (Ctrl-C stops)"))
    tracing = configure_tracing(settings)  # the jobs' SQL and outbound calls (webhooks)
    try:
        asyncio.run(run_worker(settings, urls.app, concurrency=concurrency, wait=not until_empty))
    finally:
        if tracing is not None:
            tracing.shutdown()
