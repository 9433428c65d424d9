"""Global ids: opaque, typed object ids as the API shows them."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable
from typing import Any

import strawberry
from strawberry import relay

from chapters.errors import ErrorCode, FieldError, InvalidInput, NotFound
from chapters.global_ids import global_id as global_id  # re-exported: the API's name


def decode_id(value: str, type_name: str, field: str) -> uuid.UUID:
    """The uuid inside a global id of ``type_name``; a malformed id is INVALID and an id of
    another type is NOT_FOUND (as it would be if it named a missing object)."""
    try:
        decoded_type, raw = relay.from_base64(value)
    except (ValueError, TypeError):
        raise InvalidInput(FieldError(field, ErrorCode.INVALID, "Not a valid id")) from None
    if decoded_type != type_name:
        raise NotFound(type_name, field=field)
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise NotFound(type_name, field=field) from None


def decode_optional_id(value: str | None, type_name: str, field: str) -> uuid.UUID | None:
    """``decode_id`` for an optional input: None stays None."""
    return None if value is None else decode_id(str(value), type_name, field)


def parse_uuid(value: str) -> uuid.UUID | None:
    """The uuid in a node id's payload, or None (a node that cannot exist)."""
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


class LoadedNode:
    """Mixin for a ``relay.Node`` type that resolves ``node(id:)`` through its ``load``
    classmethod (which applies the read rules of its domain), one id at a time, batched by
    the request's loaders. Put it before ``relay.Node`` among the bases."""

    @classmethod
    async def load(cls, info: strawberry.Info, object_id: uuid.UUID | None) -> Any:
        raise NotImplementedError

    @classmethod
    async def resolve_nodes(
        cls, *, info: strawberry.Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Any]:
        ids = [parse_uuid(node_id) for node_id in node_ids]
        return list(await asyncio.gather(*(cls.load(info, object_id) for object_id in ids)))
