"""Secrets the service must read back in clear, sealed at rest.

A webhook signing secret cannot be stored as a hash: a Standard Webhooks signature needs the
secret itself. So it is stored sealed (Fernet: AES-CBC with an HMAC-SHA256 over it), and only
the process that signs opens it. A database dump, a backup or a query that reads the column
by mistake shows a token, not the secret.

The keys (``set_secret_key`` at start-up, in the API and the worker):

- a key derived from the service's signing key, as ``chapters.links`` derives its key, so
  every replica holding the same key file agrees on it with nothing more to configure;
- the keys of ``CHAPTERS_SECRET_KEYS``, when set: the first one seals, and every listed key
  (and the derived key) still opens what it sealed; listing a new key first and the previous
  one second rotates. While a retired signing key stays in the key set (a rotation,
  ``chapters rotate-signing-key``), its derived key still opens what it sealed; before
  dropping it (``--finish``), list a key in ``CHAPTERS_SECRET_KEYS`` or rotate the webhook
  secrets made before.

A sealed value none of the keys opens raises ``UnreadableSecret`` (sealed under a key the
service no longer has, or damaged): the caller decides what that costs, never a crash.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

_LABEL = b"chapters secret box key v1"


class UnreadableSecret(Exception):
    """A sealed value that none of the service's keys opens."""


def derived_key(material: bytes) -> bytes:
    """The Fernet key derived from the service's key material (URL-safe base64, 32 bytes)."""
    return base64.urlsafe_b64encode(hmac.new(material, _LABEL, hashlib.sha256).digest())


class SecretBox:
    """Seals with the first key, opens with any: ``extra_keys`` in order, then the derived,
    then those derived from retired signing keys (``retired``: their material)."""

    def __init__(
        self, material: bytes, extra_keys: Sequence[str] = (), retired: Sequence[bytes] = ()
    ) -> None:
        derived = [Fernet(derived_key(m)) for m in (material, *retired)]
        self._fernet = MultiFernet([Fernet(key) for key in extra_keys] + derived)

    def seal(self, plain: str) -> str:
        return self._fernet.encrypt(plain.encode()).decode()

    def unseal(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except (InvalidToken, UnicodeError):
            raise UnreadableSecret("none of the service's secret keys opens this value") from None


_box: SecretBox | None = None


def set_secret_key(
    material: bytes, extra_keys: Sequence[str] = (), retired: Sequence[bytes] = ()
) -> None:
    global _box
    _box = SecretBox(material, extra_keys, retired)


def _current() -> SecretBox:
    if _box is None:
        raise RuntimeError("set_secret_key() was not called at start-up")
    return _box


def seal(plain: str) -> str:
    return _current().seal(plain)


def unseal(token: str) -> str:
    """The secret in clear; ``UnreadableSecret`` when no key opens ``token``."""
    return _current().unseal(token)
