"""``chapters export``: an export written to a file or to standard output, as the tenant's
operator (who sees every column), recorded in the audit log like one made over HTTP."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING

import click

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from chapters.auth.principal import Principal


@click.command("export")
@click.argument("kind")
@click.option("--tenant", "tenant_slug", required=True, help="Tenant slug.")
@click.option(
    "--format", "format_name", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True
)
@click.option(
    "--output",
    "-o",
    default="-",
    show_default=True,
    help="File to write (replaced only once the export is complete), or - for standard output.",
)
@click.option("--from", "from_day", help="First day (YYYY-MM-DD, the tenant's time zone).")
@click.option("--to", "to_day", help="Last day, included (YYYY-MM-DD).")
@click.option("--chapter", help="A chapter's slug.")
@click.option("--status", help="One or more statuses, comma-separated.")
def export_command(
    kind: str,
    tenant_slug: str,
    format_name: str,
    output: str,
    from_day: str | None,
    to_day: str | None,
    chapter: str | None,
    status: str | None,
) -> None:
    """Export KIND (activities, memberships, people, organisations, …) as CSV or XLSX."""
    from chapters.cli import _resolve_urls, _run_in_tenant, _settings
    from chapters.exports.formats import closing
    from chapters.exports.service import ExportRun, prepare_export

    given = {"from": from_day, "to": to_day, "chapter": chapter, "status": status}
    filters = {name: [value] for name, value in given.items() if value is not None}
    if output == "-" and format_name == "xlsx" and sys.stdout.isatty():
        raise click.UsageError("an XLSX file is not for a terminal: use --output FILE")

    def progress(rows: int) -> None:
        click.echo(f"\r{rows:,} rows", err=True, nl=False)

    async def work(session: AsyncSession, operator: Principal) -> int:
        export = await prepare_export(
            session, operator, operator.tenant_id, kind, format_name, filters
        )
        run = ExportRun(session, operator, export, progress=progress)
        with opened_output(output) as out:
            async with closing(run.chunks()) as written:
                async for chunk in written:
                    out.write(chunk)
        return run.rows

    rows = _run_in_tenant(_resolve_urls(_settings()), tenant_slug, work)
    where = "standard output" if output == "-" else output
    click.echo(f"\r{rows:,} rows written to {where}", err=True)


@contextmanager
def opened_output(output: str) -> Iterator[IO[bytes]]:
    """Standard output, or a file written beside the target and moved over it once whole."""
    if output == "-":
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    target = Path(output)
    partial = target.with_name(f".{target.name}.partial")
    try:
        with partial.open("wb") as file:
            yield file
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
