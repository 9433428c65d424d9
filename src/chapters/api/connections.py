"""Relay connections: how the API presents a ``Page`` (``chapters.db.pagination``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from strawberry import relay

from chapters.db.pagination import Page

N = TypeVar("N")
C = TypeVar("C", bound=relay.Connection[Any])


def connection(
    connection_type: type[C], page: Page[Any], to_node: Callable[[Any], N], **fields: Any
) -> C:
    """``page`` as a ``connection_type``, each row shown through ``to_node`` (``fields``: the
    connection's own, such as a total count)."""
    # The node types of some connections are not relay Nodes (membership periods).
    edges: list[relay.Edge[Any]] = [
        relay.Edge(cursor=cursor, node=to_node(row)) for cursor, row in page.rows
    ]
    return connection_type(
        edges=edges,
        page_info=relay.PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        **fields,
    )
