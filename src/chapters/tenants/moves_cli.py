"""``chapters export-tenant`` and ``chapters import-tenant``: one tenant, every row of it, from
one deployment to another (``tenants.moves``), as the owner role."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from typing import IO, TYPE_CHECKING, TypeVar

import click

if TYPE_CHECKING:  # imported when the commands run: a quick start for every other command
    import asyncpg

    from chapters.tenants.moves import Moved

T = TypeVar("T")


def _on_owner_connection(work: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
    """Run ``work(connection)`` on one connection of the owner role; a ``MoveError`` is the
    command's one-line error."""
    import asyncpg

    from chapters.cli import _resolve_urls, _settings
    from chapters.db.admin import plain_dsn
    from chapters.tenants.moves import MoveError

    urls = _resolve_urls(_settings())

    async def run() -> T:
        connection = await asyncpg.connect(
            plain_dsn(urls.owner), server_settings={"application_name": "chapters tenant move"}
        )
        try:
            return await work(connection)
        finally:
            await connection.close()

    try:
        return asyncio.run(run())
    except MoveError as error:
        raise click.ClickException(str(error)) from None


def _progress(verb: str) -> Callable[[str, int], None]:
    def report(table: str, rows: int) -> None:
        click.echo(f"  {verb} {table}: {rows:,} rows", err=True)

    return report


@click.command("export-tenant")
@click.option("--tenant", "tenant_slug", required=True, help="Tenant slug.")
@click.option(
    "--output",
    "-o",
    default="-",
    show_default=True,
    help="File to write (replaced only once the export is complete), or - for standard output.",
)
def export_tenant_command(tenant_slug: str, output: str) -> None:
    """Write every row of one tenant, ids included, to a gzip-compressed file of JSON lines
    that import-tenant reads (in another deployment at the same migration revision)."""
    from chapters.exports.cli import opened_output
    from chapters.tenants.moves import export_tenant

    if output == "-" and sys.stdout.isatty():
        raise click.UsageError(
            "the export is gzip-compressed, not for a terminal: use --output FILE"
        )
    started = time.monotonic()

    async def work(connection: asyncpg.Connection) -> Moved:
        with opened_output(output) as sink:
            return await export_tenant(connection, tenant_slug, sink, _progress("exported"))

    moved = _on_owner_connection(work)
    where = "standard output" if output == "-" else output
    click.echo(
        f"exported tenant {moved.slug} ({moved.tenant_id}): {moved.total:,} rows of"
        f" {len(moved.rows)} tables, {moved.bytes:,} bytes, in"
        f" {time.monotonic() - started:.1f} s, to {where}",
        err=True,
    )
    if moved.unfinished_jobs:
        jobs = ", ".join(f"{task} {count}" for task, count in moved.unfinished_jobs.items())
        click.secho(
            f"note: {sum(moved.unfinished_jobs.values())} unfinished jobs of {moved.slug} stay"
            f" in this deployment's queue and do not move ({jobs}): for a complete move, stop"
            " the tenant's traffic, let the worker finish them (chapters worker --until-empty),"
            " and export again",
            fg="yellow",
            err=True,
        )


@click.command("import-tenant")
@click.argument("file", type=click.File("rb"))
@click.option(
    "--as-slug",
    help="Import under this slug instead of the file's (the ids stay the file's).",
)
def import_tenant_command(file: IO[bytes], as_slug: str | None) -> None:
    """Import a tenant that export-tenant wrote (FILE, or - for standard input), in one
    transaction: refused, with nothing written, when this database is at another migration
    revision, already has the tenant's id or slug, or the file is damaged."""
    from chapters.tenants.moves import import_tenant

    started = time.monotonic()

    async def work(connection: asyncpg.Connection) -> Moved:
        return await import_tenant(connection, file, _progress("imported"), as_slug=as_slug)

    moved = _on_owner_connection(work)
    click.echo(
        f"imported tenant {moved.slug} ({moved.tenant_id}): {moved.total:,} rows of"
        f" {len(moved.rows)} tables, read back and identical, in"
        f" {time.monotonic() - started:.1f} s",
        err=True,
    )
    if moved.clients_named_by_former_slug:
        click.secho(
            f"note: {moved.clients_named_by_former_slug} API clients keep client ids that begin"
            f" with the tenant's former slug ({moved.former_slug}), by which the token endpoint"
            " finds their tenant: create new clients for their owners",
            fg="yellow",
            err=True,
        )
