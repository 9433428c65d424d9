"""The Python writers (the CSV of kinds given as rows, such as metric kinds, and every XLSX),
read back: the same cells PostgreSQL writes for kinds given as a query."""

from __future__ import annotations

import csv
import enum
import io
import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import openpyxl

from chapters.exports.formats import csv_chunks
from chapters.exports.xlsx import xlsx_chunks


class Colour(enum.StrEnum):
    RED = "red"


ROWS: list[Sequence[Any]] = [
    (
        "=SUM(A1:A9)",
        datetime(
            2026, 3, 2, 1, 30, tzinfo=timezone(timedelta(hours=8))
        ),  # 17:30 UTC the day before
        ["k8s", "ebpf"],
        7,
        None,
        Colour.RED,
        date(2026, 1, 31),
        True,
        Decimal("0.25"),
        uuid.UUID("12345678-1234-5678-1234-567812345678"),
    ),
    ("+1", None, [], -3, "", "@home", None, False, 1.5, "-dash"),
    ('a, "quoted"\nline', None, None, 0, "\tTab", "line\rfeed", None, None, None, "\rsafe"),
]


async def _rows() -> AsyncIterator[Sequence[Any]]:
    for row in ROWS:
        yield row


HEADER = [f"c{index}" for index in range(10)]


async def test_csv_cells() -> None:
    counted: list[int] = []
    data = b"".join([chunk async for chunk in csv_chunks(HEADER, _rows(), counted.append)])
    assert data.startswith(b"\xef\xbb\xbf")
    assert counted == [3]
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows == [
        HEADER,
        [
            *("'=SUM(A1:A9)", "2026-03-01T17:30:00+00:00", "k8s; ebpf", "7", "", "red"),
            *("2026-01-31", "true", "0.25", "12345678-1234-5678-1234-567812345678"),
        ],
        ["'+1", "", "", "-3", "", "'@home", "", "false", "1.5", "'-dash"],
        ['a, "quoted"\nline', "", "", "0", "'\tTab", "line\rfeed", "", "", "", "'\rsafe"],
    ]


async def test_xlsx_cells_are_typed_and_never_formulas() -> None:
    data = b"".join([chunk async for chunk in xlsx_chunks(HEADER, _rows(), "metrics")])
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == HEADER
    assert rows[1] == [
        *("=SUM(A1:A9)", datetime(2026, 3, 1, 17, 30), "k8s; ebpf", 7, None, "red"),
        *(datetime(2026, 1, 31), True, 0.25, "12345678-1234-5678-1234-567812345678"),
    ]
    assert sheet["A2"].data_type == "s"  # text, not a formula
    assert rows[2] == ["+1", None, None, -3, None, "@home", None, False, 1.5, "-dash"]
