"""A certificate's signature and addresses.

The content is signed as a compact JWS (ES256) with the service's signing key, the one whose
public half is served at ``/.well-known/jwks.json``: a copy of the token verifies offline
against that key set (the header names the key, ``kid``). Its ``typ`` is
``certificate+jwt``, never an access token's, and it carries no audience or expiry, so the
service refuses it as a bearer token.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from joserfc import jwt

from chapters.auth.keys import SIGNING_ALGORITHM, SigningKeys

CERTIFICATE_TYPE = "certificate+jwt"
PUBLIC_ID_BYTES = 16  # 128 random bits: 22 URL-safe characters


def new_public_id() -> str:
    return secrets.token_urlsafe(PUBLIC_ID_BYTES)


@dataclass(frozen=True)
class Issuer:
    """What issuing needs beyond the database: the key that signs, and the public address
    the verification links start with (``CHAPTERS_PUBLIC_URL``)."""

    keys: SigningKeys
    public_url: str

    def verification_url(self, public_id: str) -> str:
        return f"{self.public_url}/verify/{public_id}"

    def sign(self, claims: dict[str, Any]) -> str:
        header = {"alg": SIGNING_ALGORITHM, "kid": self.keys.kid, "typ": CERTIFICATE_TYPE}
        token: str = jwt.encode(
            header, claims, self.keys.signing_key, algorithms=[SIGNING_ALGORITHM]
        )
        return token


def download_path(tenant_slug: str, public_id: str, extension: str) -> str:
    return f"/t/{tenant_slug}/certificates/{public_id}.{extension}"
