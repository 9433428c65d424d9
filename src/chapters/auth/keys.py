"""The service's signing keys and the public JWKS that verifies its tokens.

The key source is a private JWK, or a JWK Set during a rotation (``{"keys": [...]}``): its
first key signs, every key verifies, and all of them are published in the JWKS. It comes from
``CHAPTERS_JWT_PRIVATE_KEY`` (the JSON itself: a secret injected as an environment variable)
or else the file at ``CHAPTERS_JWT_PRIVATE_KEY_FILE`` (created on first use in development).

The keys derived from the signing key (cursors, mailed links, sealed secrets) follow it: the
current key's derivation signs and seals, the retired keys' still verify and open, so a
rotation breaks neither the links already mailed nor the secrets already sealed.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from joserfc.jwk import ECKey, KeySet, KeySetSerialization

if TYPE_CHECKING:
    from chapters.settings import Settings

SIGNING_ALGORITHM = "ES256"


class SigningKeyError(ValueError):
    """A key source that holds no usable private EC key."""


@dataclass(frozen=True)
class SigningKeys:
    """The current private key (signs), the retired ones (still verify), and the public key
    set of all of them, keyed by ``kid``."""

    signing_key: ECKey
    public_keys: KeySet
    retired: tuple[ECKey, ...] = ()

    @property
    def kid(self) -> str:
        kid = self.signing_key.kid
        assert kid is not None  # generate_signing_key and _private_key give it one
        return kid

    def jwks(self) -> KeySetSerialization:
        return self.public_keys.as_dict(private=False)

    def public_key(self, kid: str) -> ECKey | None:
        for key in self.public_keys.keys:
            if isinstance(key, ECKey) and key.kid == kid:
                return key
        return None

    def private_set(self) -> dict[str, list[dict[str, Any]]]:
        """The key source to store: the signing key first, then the retired ones."""
        keys = (self.signing_key, *self.retired)
        return {"keys": [dict(key.as_dict(private=True)) for key in keys]}


def generate_signing_key() -> ECKey:
    key = ECKey.generate_key("P-256", private=True)
    # The RFC 7638 thumbprint is a stable, content-derived key id.
    return ECKey.import_key(
        key.as_dict(private=True),
        parameters={"kid": key.thumbprint(), "use": "sig", "alg": SIGNING_ALGORITHM},
    )


def _private_key(data: Any) -> ECKey:
    try:
        key = ECKey.import_key(data)
    except Exception as error:  # joserfc raises several kinds for a malformed JWK
        raise SigningKeyError(f"not an EC private JWK ({error})") from None
    if not key.is_private:
        raise SigningKeyError("a public key cannot sign: give the private JWK")
    key.ensure_kid()  # a key without a kid: the RFC 7638 thumbprint, as the public key's
    return key


def signing_keys_from(data: Any) -> SigningKeys:
    """Keys from a private JWK, or a JWK Set whose first key signs."""
    entries = data.get("keys") if isinstance(data, dict) and "keys" in data else [data]
    if not isinstance(entries, list) or not entries:
        raise SigningKeyError("a JWK Set needs at least one key")
    keys = [_private_key(entry) for entry in entries]
    kids = [key.kid for key in keys]
    if len(set(kids)) != len(kids):
        raise SigningKeyError("two keys share a kid")
    public = KeySet([ECKey.import_key(key.as_dict(private=False)) for key in keys])
    return SigningKeys(signing_key=keys[0], public_keys=public, retired=tuple(keys[1:]))


def load_or_create_signing_keys(path: Path) -> SigningKeys:
    """Read the key source at ``path``; create a single key (mode 0600) when there is none.

    Production mounts a managed key file (or sets ``CHAPTERS_JWT_PRIVATE_KEY``); development
    gets a key that survives restarts, so printed tokens stay valid.
    """
    if path.exists():
        return signing_keys_from(json.loads(path.read_text()))
    path.parent.mkdir(parents=True, exist_ok=True)
    key = generate_signing_key()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(key.as_dict(private=True), handle)
    return signing_keys_from(key.as_dict(private=True))


def service_signing_keys(settings: Settings) -> SigningKeys:
    """The service's keys: ``CHAPTERS_JWT_PRIVATE_KEY`` when set, else the key file."""
    if settings.jwt_private_key is not None:
        try:
            data = json.loads(settings.jwt_private_key)
        except ValueError:
            raise SigningKeyError("CHAPTERS_JWT_PRIVATE_KEY is not JSON") from None
        return signing_keys_from(data)
    return load_or_create_signing_keys(settings.jwt_private_key_file)


def rotated(keys: SigningKeys) -> SigningKeys:
    """A new signing key in front; the current one (and any retired) still verify."""
    key = generate_signing_key()
    return signing_keys_from({"keys": [key.as_dict(private=True), *keys.private_set()["keys"]]})


def without_retired(keys: SigningKeys) -> SigningKeys:
    """The end of a rotation: only the signing key is left."""
    return signing_keys_from(keys.signing_key.as_dict(private=True))


def write_key_source(path: Path, keys: SigningKeys) -> None:
    """Replace the key file at once (readers see the old file or the new one, never half)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".signing-key-")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(keys.private_set(), handle)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _material(key: ECKey) -> bytes:
    return str(key.as_dict(private=True)["d"]).encode()


def secret_material(keys: SigningKeys) -> bytes:
    """The signing key's private bytes: the service derives its other keys from them (cursors,
    links, sealed secrets), so every replica holding the same key source agrees on them."""
    return _material(keys.signing_key)


def retired_material(keys: SigningKeys) -> list[bytes]:
    """The retired keys' bytes: what their derived keys made still verifies and opens."""
    return [_material(key) for key in keys.retired]


def install_service_keys(keys: SigningKeys, secret_keys: Sequence[str] = ()) -> None:
    """Derive the process's other keys from the signing keys, at start-up (the API, the
    worker, the commands that write signed links or sealed secrets): cursors, mailed links,
    sealed secrets (and ``secret_keys``, the listed ones, ahead of the derived ones)."""
    from chapters import links, secretbox
    from chapters.db import pagination

    material, retired = secret_material(keys), retired_material(keys)
    pagination.set_cursor_secret(material, retired)
    links.set_link_secret(material, retired)
    secretbox.set_secret_key(material, secret_keys, retired)
