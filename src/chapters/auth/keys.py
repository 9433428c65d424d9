"""The service's own signing key and the public JWKS that verifies its tokens."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from joserfc.jwk import ECKey, KeySet, KeySetSerialization

SIGNING_ALGORITHM = "ES256"


@dataclass(frozen=True)
class SigningKeys:
    """The current private key (signs) and the public key set (verifies), keyed by ``kid``."""

    signing_key: ECKey
    public_keys: KeySet

    @property
    def kid(self) -> str:
        kid = self.signing_key.kid
        assert kid is not None  # generate_signing_key and _from_private_jwk give it one
        return kid

    def jwks(self) -> KeySetSerialization:
        return self.public_keys.as_dict(private=False)

    def public_key(self, kid: str) -> ECKey | None:
        for key in self.public_keys.keys:
            if isinstance(key, ECKey) and key.kid == kid:
                return key
        return None


def generate_signing_key() -> ECKey:
    key = ECKey.generate_key("P-256", private=True)
    # The RFC 7638 thumbprint is a stable, content-derived key id.
    return ECKey.import_key(
        key.as_dict(private=True),
        parameters={"kid": key.thumbprint(), "use": "sig", "alg": SIGNING_ALGORITHM},
    )


def _from_private_jwk(data: dict[str, Any]) -> SigningKeys:
    key = ECKey.import_key(data)
    key.ensure_kid()  # a key file without a kid: the RFC 7638 thumbprint, as the public key's
    public = ECKey.import_key(key.as_dict(private=False))
    return SigningKeys(signing_key=key, public_keys=KeySet([public]))


def load_or_create_signing_keys(path: Path) -> SigningKeys:
    """Read the private JWK at ``path``; create it (mode 0600) when it does not exist yet.

    Production mounts a managed key file at CHAPTERS_JWT_PRIVATE_KEY_FILE; development gets a
    key that survives restarts, so printed tokens stay valid.
    """
    if path.exists():
        return _from_private_jwk(json.loads(path.read_text()))
    path.parent.mkdir(parents=True, exist_ok=True)
    key = generate_signing_key()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(key.as_dict(private=True), handle)
    return _from_private_jwk(key.as_dict(private=True))


def secret_material(keys: SigningKeys) -> bytes:
    """The private key's bytes: the service derives its other keys from them (cursors, links),
    so every replica holding the same key file agrees on them."""
    return str(keys.signing_key.as_dict(private=True)["d"]).encode()


def install_service_keys(keys: SigningKeys, secret_keys: Sequence[str] = ()) -> None:
    """Derive the process's other keys from the signing key, at start-up (the API, the worker,
    the commands that write signed links or sealed secrets): cursors, mailed links, sealed
    secrets (and ``secret_keys``, the listed ones, ahead of the derived one)."""
    from chapters import links, secretbox
    from chapters.db import pagination

    material = secret_material(keys)
    pagination.set_cursor_secret(material)
    links.set_link_secret(material)
    secretbox.set_secret_key(material, secret_keys)
