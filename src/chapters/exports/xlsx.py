"""Writing rows as an XLSX workbook (``exports.formats`` says how values are written), with
openpyxl's write-only workbook."""

from __future__ import annotations

import asyncio
import enum
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from chapters.exports.formats import (
    CHUNK_BYTES,
    XLSX_BATCH_ROWS,
    XLSX_ROWS_PER_SHEET,
    Row,
    batches,
    closing,
    plain_value,
    utc_instant,
)


def _xlsx_value(sheet: WriteOnlyWorksheet, value: Any) -> Any:
    kind = type(value)
    if kind is str:
        text = ILLEGAL_CHARACTERS_RE.sub("", value)
        if text[:1] == "=":
            return _text_cell(sheet, text)  # openpyxl would store it as a formula
        return text
    if value is None or kind is int or kind is float or kind is bool or kind is Decimal:
        return value
    if kind is datetime:
        return utc_instant(value).replace(tzinfo=None)
    if kind is date:
        return value
    if kind is list or kind is tuple or isinstance(value, enum.Enum) or kind is uuid.UUID:
        return _xlsx_value(sheet, plain_value(value))
    return _xlsx_value(sheet, str(value))


def _text_cell(sheet: WriteOnlyWorksheet, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"
    return cell


class _Workbook:
    """A write-only workbook: rows go to a temporary file as they come (openpyxl's), never
    all in memory; a new sheet begins when one is full."""

    def __init__(self, header: Sequence[str], title: str) -> None:
        self.workbook = Workbook(write_only=True)
        self.header, self.title = list(header), title[:31]
        self.sheets = 0
        self._new_sheet()

    def _new_sheet(self) -> None:
        self.sheets += 1
        title = self.title if self.sheets == 1 else f"{self.title[:25]} ({self.sheets})"
        self.sheet = self.workbook.create_sheet(title)
        self.sheet.append(self.header)
        self.rows = 0

    def append(self, batch: list[Row]) -> None:
        sheet = self.sheet
        for row in batch:
            if self.rows == XLSX_ROWS_PER_SHEET:
                self._new_sheet()
                sheet = self.sheet
            sheet.append([_xlsx_value(sheet, value) for value in row])
            self.rows += 1

    def save(self, file: IO[bytes]) -> None:
        self.workbook.save(file)


async def xlsx_chunks(
    header: Sequence[str],
    rows: AsyncIterator[Row],
    title: str,
    counted: Callable[[int], None] | None = None,
) -> AsyncIterator[bytes]:
    """An XLSX file is a zip whose central directory, the index of its parts, comes last and
    holds every part's size and offset: it cannot be sent before the whole workbook exists.
    So the workbook is written to a temporary file first, then streamed in chunks. The
    spreadsheet work runs in a worker thread, a batch at a time, off the event loop."""
    book = _Workbook(header, title)
    async with closing(batches(rows, XLSX_BATCH_ROWS)) as batched:
        async for batch in batched:
            await asyncio.to_thread(book.append, batch)
            if counted is not None:
                counted(len(batch))
    with tempfile.TemporaryFile() as file:
        await asyncio.to_thread(book.save, file)
        file.seek(0)
        while chunk := await asyncio.to_thread(file.read, CHUNK_BYTES):
            yield chunk
