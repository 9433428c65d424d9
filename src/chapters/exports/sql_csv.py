"""CSV written by PostgreSQL itself, for kinds that are one SELECT (``ExportKind.query``).

``COPY (SELECT …) TO STDOUT WITH (FORMAT csv)`` turns rows into CSV in the server, in C:
measured on a million activities it writes several times the rows per second that reading
the rows into Python and writing them with the ``csv`` module does (that path bounds at
~60-70k rows/s on two cores, two thirds of it in conversions and ``csv.writer``). The cells
are those ``formats`` writes, made in SQL: instants as ISO 8601 in UTC (the same text as
Python's ``isoformat``), dates as ISO dates, lists joined with "; ", and text starting with
a formula sign defused with a leading ``'``. PostgreSQL ends lines with LF and quotes an
empty string (``""``) to tell it from NULL; CSV readers take both as Python's do.

COPY is a single statement: the export's transaction lifts the API's few-second statement
timeout for it (``exports.service.EXPORT_TIMEOUT_MS``): a big export, or a client that reads
slowly (the server waits on the socket), must not be cut by it.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

from sqlalchemy import (
    ARRAY,
    Boolean,
    ColumnElement,
    Date,
    DateTime,
    Enum,
    Integer,
    Numeric,
    Text,
    case,
    cast,
    func,
    literal,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import UnaryExpression

from chapters.exports.formats import FORMULA_SIGNS, LIST_SEPARATOR, csv_header
from chapters.exports.kinds import compiled_for_tenant

_QUEUED_CHUNKS = 16


def csv_cells(statement: Any, columns: Sequence[int]) -> Any:
    """``statement`` with only the columns at ``columns``, each as its CSV cell's text, in the
    statement's order. The cells are made after the rows are sorted, not before: sorting a
    million rows of formatted text spilled to disk and cost the server a third of its pace.
    So the statement becomes a subquery (``OFFSET 0`` keeps the planner from merging it into
    the outer query) that also selects its sort keys, and the outer query, ordered by those,
    finds its input sorted already."""
    width = len(statement.selected_columns)
    keys = list(statement._order_by_clauses)
    inner = statement.add_columns(
        *[_sort_key(key).label(f"sort_{index}") for index, key in enumerate(keys)]
    )
    rows = inner.offset(0).subquery("exported")
    selected = list(rows.c)
    return select(*[_cell(selected[index]) for index in columns]).order_by(
        *[_sorted_by(selected[width + index], key) for index, key in enumerate(keys)]
    )


def _sort_key(key: Any) -> Any:
    return key.element if isinstance(key, UnaryExpression) else key


def _sorted_by(column: Any, key: Any) -> Any:
    if not isinstance(key, UnaryExpression):
        return column
    if key.modifier is operators.desc_op:
        return column.desc()
    if key.modifier is operators.asc_op:
        return column.asc()
    raise ValueError(f"an export's order cannot use {key}")


def _cell(column: ColumnElement[Any]) -> ColumnElement[Any]:
    kind = column.type
    if isinstance(kind, DateTime):
        return _instant(column)
    if isinstance(kind, Date):
        return func.to_char(column, literal("YYYY-MM-DD"))
    if isinstance(kind, ARRAY):
        return _defused(func.array_to_string(column, literal(LIST_SEPARATOR)))
    if isinstance(kind, Boolean):
        return cast(column, Text)  # true / false
    if isinstance(kind, Integer | Numeric):
        return column
    if isinstance(kind, Enum):
        return cast(column, Text)  # the model's own values: no formula sign
    return _defused(cast(column, Text))


def _instant(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """As Python's ``isoformat`` writes a UTC instant: no fraction when it is zero (a CASE
    costs the server far less than a regular expression per cell)."""
    utc = column.op("AT TIME ZONE")(literal("UTC"))
    return case(
        (
            func.date_trunc("second", column) == column,
            func.to_char(utc, literal('YYYY-MM-DD"T"HH24:MI:SS"+00:00"')),
        ),
        else_=func.to_char(utc, literal('YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')),
    )


def _defused(value: ColumnElement[Any]) -> ColumnElement[Any]:
    signs = [literal(sign) for sign in sorted(FORMULA_SIGNS)]
    return case((func.left(value, 1).in_(signs), literal("'") + value), else_=value)


async def copy_csv(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    statement: Any,
    header: Sequence[str],
    counted: Callable[[int], None] | None = None,
) -> AsyncIterator[bytes]:
    """The CSV of ``statement`` (from ``csv_cells``), header first, as PostgreSQL writes it.
    ``counted`` hears of the rows as they go (lines, for progress) and of the exact count at
    the end. If the consumer stops early, the rest is read and dropped: a COPY cancelled
    half-way would leave the connection unusable."""
    connection = await session.connection()
    sql, values = compiled_for_tenant(connection, tenant_id, statement)
    driver = (await connection.get_raw_connection()).driver_connection
    assert driver is not None
    queue: asyncio.Queue[bytes] = asyncio.Queue(_QUEUED_CHUNKS)
    lines, dropping = 0, False

    async def sink(data: bytes | bytearray) -> None:
        nonlocal lines
        if dropping:
            return
        if counted is not None:
            seen = data.count(b"\n")
            lines += seen
            counted(seen)
        await queue.put(bytes(data))  # asyncpg hands a bytearray

    copying = asyncio.ensure_future(driver.copy_from_query(sql, *values, output=sink, format="csv"))
    try:
        yield csv_header(header)
        while not (copying.done() and queue.empty()):
            getting = asyncio.ensure_future(queue.get())
            await asyncio.wait({getting, copying}, return_when=asyncio.FIRST_COMPLETED)
            if getting.done():
                yield getting.result()
            else:
                getting.cancel()
        status = copying.result()  # "COPY <rows>"; raises what the COPY raised
        if counted is not None:
            counted(int(status.rsplit(" ", 1)[-1]) - lines)
    finally:
        if not copying.done():
            dropping = True
            while not queue.empty():
                queue.get_nowait()
            await asyncio.wait([copying])
