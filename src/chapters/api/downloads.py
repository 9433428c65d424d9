"""What the download routes (exports, the quarterly report) answer when they cannot serve:
JSON errors like the rest of the HTTP API's, with the status each failure means."""

from __future__ import annotations

from typing import Any

from litestar import MediaType, Response
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_401_UNAUTHORIZED,
    HTTP_403_FORBIDDEN,
)

from chapters.errors import Forbidden, InvalidInput


def json_error(
    status: int, message: str, *, headers: dict[str, str] | None = None, **extra: Any
) -> Response[Any]:
    return Response(
        {"error": message, "status": status, **extra},
        status_code=status,
        headers=headers,
        media_type=MediaType.JSON,
    )


def token_needed(what: str) -> Response[Any]:
    """401: downloads are for callers with a bearer token."""
    return json_error(
        HTTP_401_UNAUTHORIZED,
        f"A bearer token is needed for {what}.",
        headers={"WWW-Authenticate": "Bearer"},
    )


def refused(error: Forbidden | InvalidInput) -> Response[Any]:
    """403 for what the policy refuses, 400 (with each field's problem) for bad input."""
    if isinstance(error, Forbidden):
        return json_error(HTTP_403_FORBIDDEN, str(error))
    return json_error(
        HTTP_400_BAD_REQUEST,
        str(error),
        errors=[{"field": e.field, "message": e.message} for e in error.errors],
    )
