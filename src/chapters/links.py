"""Signed links sent to people: confirm a registration, cancel it, unsubscribe …

A token names its purpose and values and carries an HMAC over them, keyed by a key derived
from the service's signing key (``set_link_secret`` at start-up, in the API and the worker):
nothing is stored, and a token made for one purpose (or one tenant's values) is useless for
another. A token may expire (``expires_at``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Sequence
from urllib.parse import urlencode

_link_keys: list[bytes] = []  # the first signs; all verify (the others: retired signing keys)
_MAC_BYTES = 16


def set_link_secret(secret: bytes, retired: Sequence[bytes] = ()) -> None:
    global _link_keys
    _link_keys = [
        hmac.new(material, b"chapters link key v1", hashlib.sha256).digest()
        for material in (secret, *retired)
    ]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(purpose: str, payload: str, key: bytes | None = None) -> bytes:
    if not _link_keys:
        raise RuntimeError("set_link_secret() was not called at start-up")
    message = f"{purpose}\n{payload}".encode()
    return hmac.new(key or _link_keys[0], message, hashlib.sha256).digest()[:_MAC_BYTES]


def sign(purpose: str, *values: str, ttl_seconds: int | None = None) -> str:
    """A token for ``values`` under ``purpose``, valid for ``ttl_seconds`` (None: always)."""
    expires = int(time.time()) + ttl_seconds if ttl_seconds is not None else 0
    payload = _b64(json.dumps([expires, *values], separators=(",", ":")).encode())
    return f"{payload}.{_b64(_mac(purpose, payload))}"


def unsign(purpose: str, token: str) -> list[str] | None:
    """The values of a valid, unexpired token made for ``purpose``; None for anything else."""
    payload, _, mac = token.partition(".")
    try:
        given = _unb64(mac)
        if not any(hmac.compare_digest(given, _mac(purpose, payload, key)) for key in _link_keys):
            return None
        expires, *values = json.loads(_unb64(payload))
    except (ValueError, binascii.Error, TypeError):
        return None
    if not isinstance(expires, int) or not all(isinstance(v, str) for v in values):
        return None
    if expires and expires < time.time():
        return None
    return [str(value) for value in values]


def link(public_url: str, tenant_slug: str, path: str, **query: str) -> str:
    """``{public_url}/t/{tenant}/{path}?…``: the address a person follows."""
    suffix = f"?{urlencode(query)}" if query else ""
    return f"{public_url}/t/{tenant_slug}/{path.lstrip('/')}{suffix}"
