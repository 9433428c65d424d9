"""``chapters outbox`` and ``chapters mail-catcher``."""

from __future__ import annotations

import asyncio
import contextlib
import signal

import click


@click.command("outbox")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
def outbox_command(limit: int) -> None:
    """List the messages the local mail catcher received, newest first."""
    from chapters.cli import _settings
    from chapters.mail.catcher import caught_messages

    settings = _settings()
    messages = caught_messages(settings.outbox_dir)
    if not messages:
        click.echo(f"no messages in {settings.outbox_dir}")
        return
    for message in messages[:limit]:
        date = message.date.strftime("%Y-%m-%d %H:%M:%S %z") if message.date else "-"
        click.echo(f"{date}  {message.to}  {message.subject}")
        click.echo(f"    {message.path}")
    if len(messages) > limit:
        click.echo(f"… and {len(messages) - limit} older (--limit)")


@click.command("mail-catcher")
def mail_catcher_command() -> None:
    """Run the local SMTP catcher on SMTP_HOST:SMTP_PORT, writing messages to the outbox
    directory (CHAPTERS_OUTBOX_DIR); stop with Ctrl-C."""
    from chapters.cli import _settings, _step
    from chapters.mail.catcher import Catcher

    settings = _settings()

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        catcher = Catcher(settings.outbox_dir, settings.smtp_host, settings.smtp_port)
        try:
            await catcher.start()
        except OSError as error:
            raise click.ClickException(
                f"cannot listen on {settings.smtp_host}:{settings.smtp_port}: {error}"
            ) from None
        _step(
            f"mail catcher on {settings.smtp_host}:{catcher.port},"
            f" writing to {settings.outbox_dir} (Ctrl-C stops)"
        )
        try:
            await stop.wait()
        finally:
            await catcher.stop()

    asyncio.run(run())
