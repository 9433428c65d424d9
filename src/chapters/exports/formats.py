"""Writing rows as CSV or XLSX, as a stream of byte chunks.

Values (``exports.kinds``): instants are written in UTC, as ISO 8601 text in CSV and as
date-time cells in XLSX (Excel has no time zones); dates as ISO dates; lists joined with
"; "; enums as their values; ``None`` as an empty cell.

A cell that a spreadsheet would run as a formula is defused: in CSV, text starting with
``= + - @`` (or a tab or carriage return, which some spreadsheets skip before such a sign)
gets a leading ``'`` (OWASP's advice for CSV injection), so ``=HYPERLINK(...)`` in a title
stays text; in XLSX every cell is typed, and such text is written as a string cell, never a
formula, so it needs no mark and reads back as it was stored.
"""

from __future__ import annotations

import csv
import enum
import io
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, TypeVar

Row = Sequence[Any]
T = TypeVar("T")

CHUNK_BYTES = 64 * 1024
LINE_END = "\n"
LIST_SEPARATOR = "; "
FORMULA_SIGNS = frozenset("=+-@\t\r")
# Excel's last row is 1,048,576: longer exports go on to further sheets, header repeated.
XLSX_ROWS_PER_SHEET = 1_048_575
XLSX_BATCH_ROWS = 2_000
CSV_BATCH_ROWS = 1_000


class ExportFormat(enum.StrEnum):
    CSV = "csv"
    XLSX = "xlsx"

    @property
    def media_type(self) -> str:
        return _MEDIA_TYPES[self]


_MEDIA_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def chunks(
    format: ExportFormat,
    header: Sequence[str],
    rows: AsyncIterator[Row],
    title: str,
    counted: Callable[[int], None] | None = None,
) -> AsyncIterator[bytes]:
    """The rows written in ``format``; ``counted(n)`` is told of every ``n`` rows written."""
    if format == ExportFormat.XLSX:
        # imported here: openpyxl is ~6 MB that a serving process needs only once it writes
        # a spreadsheet (every worker holds its imports for its whole life)
        from chapters.exports.xlsx import xlsx_chunks

        return xlsx_chunks(header, rows, title, counted)
    return csv_chunks(header, rows, counted)


@asynccontextmanager
async def closing(iterator: AsyncIterator[T]) -> AsyncIterator[AsyncIterator[T]]:
    """``iterator``, closed (``aclose``) on leaving, even early: a reader stopped half-way
    must finish with its cursor before the session is closed, not whenever it is collected."""
    try:
        yield iterator
    finally:
        close = getattr(iterator, "aclose", None)
        if close is not None:
            await close()


async def batches(rows: AsyncIterator[Row], size: int) -> AsyncIterator[list[Row]]:
    batch: list[Row] = []
    async with closing(rows):
        async for row in rows:
            batch.append(row)
            if len(batch) == size:
                yield batch
                batch = []
    if batch:
        yield batch


# -- CSV ----------------------------------------------------------------------------------


def plain_value(value: Any) -> Any:
    """A value as CSV text (numbers and None as they are)."""
    kind = type(value)
    if kind is str:
        return value
    if value is None or kind is int or kind is float or kind is Decimal:
        return value
    if kind is bool:
        return "true" if value else "false"
    if kind is datetime:
        return utc_instant(value).isoformat()
    if kind is list or kind is tuple:
        return LIST_SEPARATOR.join(str(plain_value(item)) for item in value if item is not None)
    if isinstance(value, enum.Enum):
        return value.value
    if kind is date:
        return value.isoformat()
    return str(value)


def csv_cell(value: Any) -> Any:
    text = plain_value(value)
    if type(text) is str and text[:1] in FORMULA_SIGNS:
        return "'" + text
    return text


def utc_instant(value: datetime) -> datetime:
    if value.tzinfo is None or value.tzinfo is UTC:
        return value
    return value.astimezone(UTC)


def csv_header(header: Sequence[str], line_end: str = LINE_END) -> bytes:
    """The first bytes of a CSV export. UTF-8 with a byte-order mark: Excel opens a CSV
    without one in the machine's legacy code page and garbles every non-ASCII name (Chinese
    ones included); with it, Excel, LibreOffice and Python's ``utf-8-sig`` read it right.
    Lines end with LF when PostgreSQL's COPY writes the rows (``sql_csv``), CRLF when Python's
    ``csv`` does (with LF it would leave a lone CR in a cell unquoted); readers take both."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=line_end).writerow(header)
    return ("\ufeff" + buffer.getvalue()).encode()


def _csv_column(values: Sequence[Any]) -> Sequence[Any]:
    """One column of a batch as CSV cells: a column holds one type (or None), so the common
    ones are converted in one pass, without a call per cell."""
    kinds = set(map(type, values))
    kinds.discard(type(None))
    if kinds == {str}:
        signs = FORMULA_SIGNS
        return [v if v is None or v[:1] not in signs else "'" + v for v in values]
    if kinds <= _NUMBERS:
        return values
    if kinds == {datetime}:
        return [None if v is None else utc_instant(v).isoformat() for v in values]
    return [csv_cell(v) for v in values]


_NUMBERS = frozenset({int, float, Decimal})


async def csv_chunks(
    header: Sequence[str], rows: AsyncIterator[Row], counted: Callable[[int], None] | None = None
) -> AsyncIterator[bytes]:
    """The rows converted a batch at a time, column by column."""
    yield csv_header(header, "\r\n")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    async with closing(batches(rows, CSV_BATCH_ROWS)) as batched:
        async for batch in batched:
            columns = [_csv_column(column) for column in zip(*batch, strict=True)]
            writer.writerows(zip(*columns, strict=True))
            if counted is not None:
                counted(len(batch))
            if buffer.tell() >= CHUNK_BYTES:
                yield buffer.getvalue().encode()
                buffer = io.StringIO()
                writer = csv.writer(buffer)
    yield buffer.getvalue().encode()
