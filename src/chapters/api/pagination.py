"""TRANSITIONAL (removed when every domain reads through its service): the old one-call
paginate-and-present helpers over ``chapters.db.pagination`` and ``chapters.api.connections``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.api.connections import connection
from chapters.db import pagination
from chapters.db.pagination import (  # noqa: F401
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    Ordering,
    PageArgs,
    decode_cursor,
    encode_cursor,
    set_cursor_secret,
)


async def paginate(
    session: AsyncSession,
    statement: Select,
    ordering: Ordering,
    args: PageArgs,
    to_node: Callable[[Any], Any],
    connection_type: type,
) -> Any:
    page = await pagination.paginate(session, statement, ordering, args)
    return connection(connection_type, page, to_node)


async def paginate_per_parent(
    session: AsyncSession,
    model: type,
    statement: Select,
    parent_column: ColumnElement[Any],
    parent_ids: Sequence[Any],
    ordering: Ordering,
    args: PageArgs,
    to_node: Callable[[Any], Any],
    connection_type: type,
) -> list[Any]:
    pages = await pagination.paginate_per_parent(
        session, statement, parent_column, parent_ids, ordering, args
    )
    return [connection(connection_type, page, to_node) for page in pages]
