"""``chapters import-contributions``: record GitHub-style contribution events from a CSV or
JSON-lines file (or standard input), as the tenant's operator, in one committed transaction."""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING

import click

from chapters.insight.contributions import ImportFormat, ImportSummary

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from chapters.auth.principal import Principal

TOP_UNMATCHED = 20
_EXTENSIONS = {
    ".csv": ImportFormat.CSV,
    ".jsonl": ImportFormat.JSONL,
    ".ndjson": ImportFormat.JSONL,
}


@click.command("import-contributions")
@click.argument("file")
@click.option("--tenant", "tenant_slug", required=True, help="Tenant slug.")
@click.option(
    "--format",
    "format_name",
    type=click.Choice([f.value for f in ImportFormat]),
    help="Default: from the extension (.csv; .jsonl or .ndjson), else from the first line.",
)
def import_contributions_command(file: str, tenant_slug: str, format_name: str | None) -> None:
    """Record code contributions from FILE (- for standard input): CSV with the header
    handle,repository,kind,url,date, or JSON lines with those keys. Handles are matched to
    the tenant's people case-insensitively; events already recorded (same url) are skipped."""
    from chapters.cli import _resolve_urls, _run_in_tenant, _settings
    from chapters.insight.contributions import import_contributions

    source, size = _open(file)
    with source, _progress(size) as advance:
        import_format, lines = _format_of(file, format_name, _decoded(source, advance))

        async def work(session: AsyncSession, operator: Principal) -> ImportSummary:
            return await import_contributions(session, operator, lines, import_format)

        summary = _run_in_tenant(_resolve_urls(_settings()), tenant_slug, work)
    _print_summary(summary)
    if summary.read == 0:
        click.echo(f"no events in {file}", err=True)
    elif summary.invalid == summary.read:
        raise click.ClickException(f"no valid events in {file}: every line is invalid")


def _open(file: str) -> tuple[IO[bytes], int | None]:
    """The file in binary (its size, for the progress bar), or standard input."""
    if file == "-":
        return sys.stdin.buffer, None
    path = Path(file)
    try:
        return path.open("rb"), path.stat().st_size
    except OSError as error:
        raise click.ClickException(f"cannot read {file}: {error.strerror or error}") from None


def _decoded(source: IO[bytes], advance: Callable[[int, int], None]) -> Iterator[str]:
    """UTF-8 lines (line ends kept, as the csv module wants), reporting progress now and then:
    the bytes read since the last report, and the lines read so far."""
    reported = read = lines = 0
    for lines, raw in enumerate(source, start=1):
        read += len(raw)
        if lines % 1000 == 0:
            advance(read - reported, lines)
            reported = read
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise click.ClickException(f"line {lines} is not UTF-8 text") from None
        yield line.removeprefix("\ufeff") if lines == 1 else line
    advance(read - reported, lines)


def _format_of(
    file: str, format_name: str | None, lines: Iterator[str]
) -> tuple[ImportFormat, Iterable[str]]:
    if format_name is not None:
        return ImportFormat(format_name), lines
    by_extension = _EXTENSIONS.get(Path(file).suffix.lower())
    if by_extension is not None:
        return by_extension, lines
    first = next(lines, "")  # a JSON line is an object, a CSV file starts with its header
    guessed = ImportFormat.JSONL if first.lstrip().startswith("{") else ImportFormat.CSV
    return guessed, itertools.chain([first], lines)


@contextmanager
def _progress(size: int | None) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on standard error: by bytes for a file, by lines for standard input."""
    if size is None:
        yield _count_lines
        if sys.stderr.isatty():
            click.echo(err=True)
        return
    with click.progressbar(length=size, label="importing", file=sys.stderr, show_pos=False) as bar:
        yield lambda read, _lines: bar.update(read)


def _count_lines(_read: int, lines: int) -> None:
    if sys.stderr.isatty():
        click.echo(f"\r{lines:,} lines", err=True, nl=False)


def _print_summary(summary: ImportSummary) -> None:
    click.echo(
        f"{summary.read:,} events read: {summary.recorded:,} recorded, "
        f"{summary.already_recorded:,} already recorded, {summary.invalid:,} invalid, "
        f"{summary.unmatched_events:,} with unmatched handles"
    )
    if summary.invalid_lines:
        shown = len(summary.invalid_lines)
        more = f" (the first {shown} of {summary.invalid:,})" if shown < summary.invalid else ""
        click.echo(f"invalid lines{more}:")
        for invalid in summary.invalid_lines:
            click.echo(f"  line {invalid.line}: {invalid.reason}")
    if summary.unmatched:
        top = summary.unmatched[:TOP_UNMATCHED]
        more = (
            f" (top {len(top)} of {len(summary.unmatched):,})"
            if len(top) < len(summary.unmatched)
            else ""
        )
        click.echo(f"unmatched handles{more}:")
        width = max(len(handle.handle) for handle in top)
        for handle in top:
            shared = f"  (shared by {handle.people} people)" if handle.people > 1 else ""
            events = "event" if handle.events == 1 else "events"
            click.echo(f"  {handle.handle:<{width}}  {handle.events:,} {events}{shared}")
