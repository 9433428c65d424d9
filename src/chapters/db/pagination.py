"""Relay connections over SQL with keyset cursors.

A cursor is the opaque, signed encoding of the row's sort values (plus its id as the
tie-breaker), so a page continues exactly after the last row seen even while rows are added, and
no OFFSET scan is ever needed. Orderings use non-null columns, all ascending or all descending.

``paginate`` pages one list; ``paginate_per_parent`` pages many nested lists (e.g. the roster
of each of 50 chapters) in one statement with a window function, for the DataLoaders. Both
answer a ``Page`` of rows; the API layer presents it as a Relay connection.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute, aliased

from chapters.errors import ErrorCode, FieldError, InvalidInput

# A sort or parent column: a model attribute (``Chapter.name``) or a column expression.
Column = ColumnElement[Any] | QueryableAttribute[Any]
T = TypeVar("T")
U = TypeVar("U")
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20


@dataclass(frozen=True)
class Ordering:
    """Sort columns (the model's id last, as the tie-breaker) and one direction for all."""

    columns: tuple[Column, ...]
    descending: bool = False

    def order_by(self, reverse: bool = False) -> list[ColumnElement[Any]]:
        descending = self.descending != reverse
        return [column.desc() if descending else column.asc() for column in self.columns]

    def beyond(self, values: Sequence[Any], reverse: bool = False) -> ColumnElement[bool]:
        """Rows strictly after ``values`` in this ordering (before, when ``reverse``)."""
        row, bound = tuple_(*self.columns), tuple_(*values)
        return row < bound if self.descending != reverse else row > bound


@dataclass(frozen=True)
class PageArgs:
    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None

    def checked(self) -> PageArgs:
        errors = []
        for name, value in (("first", self.first), ("last", self.last)):
            if value is not None and not 0 <= value <= MAX_PAGE_SIZE:
                errors.append(
                    FieldError(name, ErrorCode.INVALID, f"{name} must be 0 to {MAX_PAGE_SIZE}")
                )
        if self.first is not None and self.last is not None:
            errors.append(FieldError("last", ErrorCode.INVALID, "Use first or last, not both"))
        if errors:
            raise InvalidInput(*errors)
        return self

    @property
    def backward(self) -> bool:
        return self.last is not None or (self.before is not None and self.first is None)

    @property
    def size(self) -> int:
        size = self.last if self.backward else self.first
        return DEFAULT_PAGE_SIZE if size is None else size


# --- cursors -----------------------------------------------------------------------------------
#
# A cursor is ``<payload>.<mac>``: the payload names the ordering's columns and holds the row's
# sort values; the mac is an HMAC of the payload with a key derived from the service's signing
# key (set at start-up by ``set_cursor_secret``), so replicas and restarts that share the key
# accept each other's cursors, and a cursor nobody issued, or one of another list, is refused
# before any of its values reaches SQL. Each value is also checked against its column's type.

_cursor_keys: list[bytes] = []  # the first signs; all verify (the others: retired keys)
_MAC_BYTES = 16


def set_cursor_secret(secret: bytes, retired: Sequence[bytes] = ()) -> None:
    """Derive the cursor keys from the service's secret key material (once, at start-up)."""
    global _cursor_keys
    _cursor_keys = [
        hmac.new(material, b"chapters cursor key v1", hashlib.sha256).digest()
        for material in (secret, *retired)
    ]


def _mac(payload: str, key: bytes | None = None) -> str:
    if not _cursor_keys:
        raise RuntimeError("set_cursor_secret() was not called at start-up")
    digest = hmac.new(key or _cursor_keys[0], payload.encode(), hashlib.sha256).digest()
    return _b64(digest[:_MAC_BYTES])


def _mac_matches(payload: str, mac: str) -> bool:
    return any(hmac.compare_digest(mac, _mac(payload, key)) for key in _cursor_keys)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _list_key(columns: Sequence[Column]) -> str:
    return ",".join(str(column) for column in columns)


def _encode_value(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value.value if isinstance(value, enum.Enum) else value


def _decode_value(raw: Any, column: Column) -> Any:
    """``raw`` as a value of ``column``'s type; ValueError/TypeError when it is not one."""
    expected = column.type.python_type
    if expected is datetime:
        value = datetime.fromisoformat(raw)
        if value.tzinfo is None:
            raise ValueError("a cursor time without a zone")
        return value
    if expected is date or expected is uuid.UUID or issubclass(expected, enum.Enum):
        return date.fromisoformat(raw) if expected is date else expected(raw)
    if type(raw) is expected:  # str, int …
        return raw
    raise TypeError(f"not a {expected.__name__}")


def encode_cursor(values: Sequence[Any], columns: Sequence[Column]) -> str:
    body = {"k": _list_key(columns), "v": [_encode_value(value) for value in values]}
    payload = _b64(json.dumps(body, separators=(",", ":")).encode())
    return f"{payload}.{_mac(payload)}"


def decode_cursor(cursor: str, field: str, columns: Sequence[Column]) -> list[Any]:
    """The sort values in a cursor this service issued for a list of this ordering; anything
    else is INVALID on ``field``."""
    payload, _, mac = cursor.partition(".")
    if not (cursor.isascii() and _mac_matches(payload, mac)):
        raise InvalidInput(FieldError(field, ErrorCode.INVALID, "Not a valid cursor"))
    body = json.loads(_unb64(payload))
    if body.get("k") != _list_key(columns) or len(body.get("v", ())) != len(columns):
        raise InvalidInput(FieldError(field, ErrorCode.INVALID, "Cursor of another list"))
    try:
        return [_decode_value(raw, column) for raw, column in zip(body["v"], columns, strict=True)]
    except (ValueError, TypeError) as error:
        raise InvalidInput(FieldError(field, ErrorCode.INVALID, "Not a valid cursor")) from error


def _attribute(column: Column) -> str:
    """The attribute of a row that holds ``column``'s value."""
    if column.key is None:
        raise ValueError(f"{column} is not a column of a model")
    return column.key


def _sort_values(row: Any, ordering: Ordering) -> list[Any]:
    return [getattr(row, _attribute(column)) for column in ordering.columns]


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its rows in order, each with its cursor, and whether the list goes
    on. The API shows it as a Relay connection (``chapters.api.connections``)."""

    rows: list[tuple[str, T]]
    has_next_page: bool
    has_previous_page: bool

    def map(self, convert: Callable[[T], U]) -> Page[U]:
        return Page(
            [(cursor, convert(row)) for cursor, row in self.rows],
            self.has_next_page,
            self.has_previous_page,
        )


def _page(rows: list[Any], ordering: Ordering, args: PageArgs) -> Page[Any]:
    has_more = len(rows) > args.size
    rows = rows[: args.size]
    if args.backward:
        rows.reverse()
    return Page(
        rows=[(encode_cursor(_sort_values(row, ordering), ordering.columns), row) for row in rows],
        has_next_page=has_more if not args.backward else args.before is not None,
        has_previous_page=has_more if args.backward else args.after is not None,
    )


def _windowed(statement: Select, ordering: Ordering, args: PageArgs) -> Select:
    columns = ordering.columns
    if args.after is not None:
        statement = statement.where(ordering.beyond(decode_cursor(args.after, "after", columns)))
    if args.before is not None:
        bound = decode_cursor(args.before, "before", columns)
        statement = statement.where(ordering.beyond(bound, reverse=True))
    return statement


async def paginate(
    session: AsyncSession, statement: Select, ordering: Ordering, args: PageArgs
) -> Page[Any]:
    """One page of ``statement`` (a ``select(Model)``)."""
    args = args.checked()
    statement = _windowed(statement, ordering, args)
    statement = statement.order_by(*ordering.order_by(reverse=args.backward)).limit(args.size + 1)
    rows = list((await session.scalars(statement)).all())
    return _page(rows, ordering, args)


async def paginate_per_parent(
    session: AsyncSession,
    statement: Select,
    parent_column: Column,
    parent_ids: Sequence[Any],
    ordering: Ordering,
    args: PageArgs,
) -> list[Page[Any]]:
    """The same page of a nested list (``statement``, a ``select(Model)``) for each parent,
    in one statement, in the order of ``parent_ids``."""
    args = args.checked()
    model = statement.column_descriptions[0]["entity"]
    statement = _windowed(statement.where(parent_column.in_(parent_ids)), ordering, args)
    rank = (
        func.row_number()
        .over(partition_by=parent_column, order_by=ordering.order_by(reverse=args.backward))
        .label("page_rank")
    )
    ranked = statement.add_columns(rank).subquery()
    row_alias = aliased(model, ranked)
    rows = await session.execute(
        select(row_alias).where(ranked.c.page_rank <= args.size + 1).order_by(ranked.c.page_rank)
    )
    by_parent: dict[Any, list[Any]] = {parent_id: [] for parent_id in parent_ids}
    parent_key = _attribute(parent_column)
    for (row,) in rows:
        by_parent[getattr(row, parent_key)].append(row)
    return [_page(by_parent[parent_id], ordering, args) for parent_id in parent_ids]


def paginate_in_memory(
    rows: Sequence[T], sort_values: Callable[[T], Sequence[Any]], ordering: Ordering, args: PageArgs
) -> Page[T]:
    """One page of rows already computed (figures per chapter …), by the same signed keyset
    cursors as ``paginate``, in ``ordering``'s direction by ``sort_values``."""
    args = args.checked()
    columns, descending = ordering.columns, ordering.descending
    keyed = sorted(
        ((tuple(sort_values(row)), row) for row in rows), key=lambda kr: kr[0], reverse=descending
    )

    def beyond(key: tuple[Any, ...], bound: tuple[Any, ...]) -> bool:
        return key < bound if descending else key > bound

    if args.after is not None:
        after = tuple(decode_cursor(args.after, "after", columns))
        keyed = [kr for kr in keyed if beyond(kr[0], after)]
    if args.before is not None:
        before = tuple(decode_cursor(args.before, "before", columns))
        keyed = [kr for kr in keyed if beyond(before, kr[0])]
    if args.backward:
        keyed.reverse()
    has_more = len(keyed) > args.size
    keyed = keyed[: args.size]
    if args.backward:
        keyed.reverse()
    return Page(
        rows=[(encode_cursor(list(key), columns), row) for key, row in keyed],
        has_next_page=has_more if not args.backward else args.before is not None,
        has_previous_page=has_more if args.backward else args.after is not None,
    )
