"""SQL expressions that give a value exactly as the resolver path serialises it.

- global ids: the base64 of ``Type:uuid`` (``chapters.global_ids.global_id``);
- ``DateTime``: ``datetime.astimezone(UTC).isoformat()`` (``api/scalars.py``): seconds, then
  six digits of fraction only when there is one, then ``+00:00`` (PostgreSQL's own JSON
  timestamps trim the fraction's trailing zeros and use the session's zone: not used);
- ``Date``: ``date.isoformat()``, ``YYYY-MM-DD``;
- enums: the GraphQL name of the stored value (``co_lead`` → ``CO_LEAD``), as the schema's
  enum type maps them.

Constant parts (keys, formats, type names) are inlined into the statement's text, never bound:
they are the statement's shape, and only names the schema allows reach them.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from graphql import GraphQLEnumType
from sqlalchemy import ColumnElement, Text, case, cast, func, literal_column
from sqlalchemy.dialects.postgresql import aggregate_order_by

# Keys, type names and enum values inlined into the SQL text: only these characters.
_SAFE = re.compile(r"^[A-Za-z_!][A-Za-z0-9_ .:-]*$")


def sql(text: str) -> ColumnElement[Any]:
    """A constant piece of SQL text."""
    return literal_column(text)


EMPTY_ARRAY = sql("'[]'::json")
TRUE = sql("true")
FALSE = sql("false")
_UTC = sql("'UTC'")
_SECONDS = sql("""'YYYY-MM-DD"T"HH24:MI:SS'""")
_FRACTION = sql("""'.US"+00:00"'""")
_OFFSET = sql("'+00:00'")
_SECOND = sql("'second'")
_DAY = sql("'YYYY-MM-DD'")
_UTF8 = sql("'UTF8'")
_BASE64 = sql("'base64'")
_NEWLINE = sql("chr(10)")
_NOTHING = sql("''")


@lru_cache(maxsize=4096)
def text_literal(value: str) -> ColumnElement[Any]:
    """A constant string of the statement (a key, a type name, an enum name)."""
    if not _SAFE.match(value):
        raise ValueError(f"not inlined into SQL: {value!r}")
    return literal_column(f"'{value}'")


def json_object(pairs: Sequence[tuple[str, ColumnElement[Any]]]) -> ColumnElement[Any]:
    """``json_build_object`` with the keys in the given order (the answer's order)."""
    arguments: list[ColumnElement[Any]] = []
    for key, value in pairs:
        arguments += [text_literal(key), value]
    return func.json_build_object(*arguments)


def json_array(element: ColumnElement[Any], order_by: Sequence[ColumnElement[Any]]) -> Any:
    """The aggregate of ``element`` in that order, ``[]`` when there is none."""
    return func.coalesce(func.json_agg(aggregate_order_by(element, *order_by)), EMPTY_ARRAY)


def global_id(type_name: str, column: ColumnElement[Any]) -> ColumnElement[Any]:
    # PostgreSQL's base64 breaks lines every 76 characters: they are removed.
    raw = text_literal(f"{type_name}:").op("||")(cast(column, Text))
    encoded = func.encode(func.convert_to(raw, _UTF8), _BASE64)
    return func.replace(encoded, _NEWLINE, _NOTHING)


def instant(column: ColumnElement[Any]) -> ColumnElement[Any]:
    # the fraction only when there is one: a CASE, a third of the cost of a regexp per row
    utc = column.op("AT TIME ZONE")(_UTC)
    whole = func.date_trunc(_SECOND, column) == column
    return func.to_char(utc, _SECONDS).op("||")(
        case((whole, _OFFSET), else_=func.to_char(utc, _FRACTION))
    )


def day(column: ColumnElement[Any]) -> ColumnElement[Any]:
    return func.to_char(column, _DAY)


_ENUM_MAPS: dict[int, tuple[GraphQLEnumType, ColumnElement[Any]]] = {}


def enum_name(column: ColumnElement[Any], graphql_enum: GraphQLEnumType) -> ColumnElement[Any]:
    """The GraphQL name of the stored value: a lookup in a constant ``jsonb`` object (a
    ``json`` one would be parsed again at every row)."""
    cached = _ENUM_MAPS.get(id(graphql_enum))
    if cached is None or cached[0] is not graphql_enum:
        names = {}
        for name, value in graphql_enum.values.items():
            stored = value.value.value if isinstance(value.value, enum.Enum) else value.value
            if not (_SAFE.match(str(stored)) and _SAFE.match(name)):
                raise ValueError(f"enum value not inlined into SQL: {stored!r}")
            names[str(stored)] = name
        cached = (graphql_enum, literal_column(f"'{json.dumps(names)}'::jsonb"))
        _ENUM_MAPS[id(graphql_enum)] = cached
    return cached[1].op("->>")(column)


def enum_value(value: enum.Enum | None, graphql_enum: GraphQLEnumType) -> ColumnElement[Any]:
    """A Python enum member's GraphQL name, as a constant of the statement (null: None)."""
    if value is None:
        return sql("null")
    for name, defined in graphql_enum.values.items():
        stored = defined.value.value if isinstance(defined.value, enum.Enum) else defined.value
        if stored == value.value:
            return text_literal(name)
    raise ValueError(f"{value!r} is not a value of {graphql_enum.name}")
