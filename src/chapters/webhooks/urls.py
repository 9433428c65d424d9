"""Which addresses a webhook endpoint may have: checked when an admin sets it, and again at
every delivery (where the connection goes to the address that was checked,
``chapters.auth.outbound``), so a name that later resolves to this host reaches nothing."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

import httpcore

from chapters.auth.outbound import RefusedAddress, checked_addresses, refusal_reason
from chapters.errors import ErrorCode, FieldError, InvalidInput

MAX_URL_LENGTH = 2000


def _invalid(message: str, field: str) -> InvalidInput:
    return InvalidInput(FieldError(field, ErrorCode.INVALID, message))


async def check_url(url: str, *, allow_private_networks: bool, field: str = "url") -> str:
    """``url`` stripped, if deliveries may go there: https (http too when private networks
    are allowed, for a receiver on the same host), no credentials, and a host that is and
    resolves to public addresses only, unless private networks are allowed."""
    url = (url or "").strip()
    if not url:
        raise InvalidInput(FieldError(field, ErrorCode.REQUIRED, "A URL is required"))
    if len(url) > MAX_URL_LENGTH:
        raise InvalidInput(
            FieldError(field, ErrorCode.TOO_LONG, f"At most {MAX_URL_LENGTH} characters")
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise _invalid("Not a valid URL", field) from None
    allowed = ("https", "http") if allow_private_networks else ("https",)
    if parts.scheme.lower() not in allowed:
        raise _invalid(f"The URL must start with {' or '.join(allowed)}://", field)
    if not parts.hostname:
        raise _invalid("The URL names no host", field)
    if parts.username is not None or parts.password is not None:
        raise _invalid("Credentials in the URL are not allowed", field)
    if allow_private_networks:
        return url
    host = parts.hostname
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        reason = refusal_reason(literal)
        if reason:
            raise _invalid(f"Deliveries may not go to {host}: {reason}", field)
        return url
    try:
        await checked_addresses(host, port or (443 if parts.scheme.lower() == "https" else 80))
    except RefusedAddress as refused:
        raise _invalid(f"Deliveries may not go there: {refused}", field) from None
    except httpcore.ConnectError:
        raise _invalid(f"The host {host!r} cannot be resolved", field) from None
    return url
