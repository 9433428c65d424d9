"""Global ids: opaque, typed object ids as the API shows them."""

from __future__ import annotations

import uuid

from strawberry import relay

from chapters.errors import ErrorCode, FieldError, InvalidInput, NotFound


def global_id(type_name: str, object_id: uuid.UUID) -> str:
    return relay.to_base64(type_name, str(object_id))


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
