"""``chapters webhook-receiver``: a local receiver that verifies and shows deliveries."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import click

from chapters.webhooks.receiver import Arrival, Receiver


def _show(arrival: Arrival) -> None:
    kind = arrival.payload.get("type") if isinstance(arrival.payload, dict) else None
    mark = "verified" if arrival.verified else f"NOT VERIFIED ({arrival.error})"
    click.echo(f"{arrival.received_at:%H:%M:%S} {arrival.webhook_id} {kind} {mark}")
    if isinstance(arrival.payload, dict):
        click.echo("  " + json.dumps(arrival.payload.get("data"), ensure_ascii=False))


@click.command("webhook-receiver")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8787, show_default=True, type=int)
@click.option(
    "--secret",
    "secrets",
    multiple=True,
    envvar="CHAPTERS_WEBHOOK_RECEIVER_SECRET",
    help="The endpoint's whsec_… secret (repeat during a rotation); unset: nothing verifies.",
)
@click.option(
    "--log",
    "log_path",
    default=".local/webhooks.log",
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Every delivery is appended here as a JSON line.",
)
def webhook_receiver_command(
    host: str, port: int, secrets: tuple[str, ...], log_path: Path
) -> None:
    """Receive webhook deliveries for development: verify their Standard Webhooks signatures,
    print them and append them to a log (answers 204, or 401 when a signature does not verify)."""
    receiver = Receiver(secrets, log_path=log_path, on_arrival=_show)
    click.echo(f"Receiving webhooks on http://{host}:{port}/ (log: {log_path})")
    with contextlib.suppress(KeyboardInterrupt):
        receiver.serve_forever(host, port)
