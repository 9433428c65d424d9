"""Tokens from external OpenID Connect providers (Keycloak, Dex, Auth0 …) that a tenant trusts.

Keys come from the provider's discovery document (``/.well-known/openid-configuration`` →
``jwks_uri``) and are cached per issuer. An unknown ``kid`` triggers a refresh, but at most one
per ``refresh_interval`` per issuer, so a flood of made-up kids cannot flood the provider. When
the provider cannot be reached, the keys already known keep working (up to ``max_stale``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import httpx
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from chapters.auth.tokens import (
    CLOCK_SKEW_SECONDS,
    InvalidToken,
    check_header_parameters,
    protected_header,
)

log = logging.getLogger("chapters.oidc")

# Asymmetric algorithms only: an HMAC "key" would be a secret shared with every client.
SUPPORTED_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)


@dataclass(frozen=True)
class ProviderConfig:
    issuer: str
    audience: str
    algorithms: tuple[str, ...]
    email_claim: str = "email"
    link_by_email: bool = False  # on first sign-in, by a verified email


@dataclass(frozen=True)
class ExternalIdentity:
    issuer: str
    subject: str
    email: str | None
    email_verified: bool


@dataclass
class _IssuerKeys:
    keys: KeySet | None = None
    fetched_at: float = float("-inf")
    attempted_at: float = float("-inf")
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class ProviderUnavailable(Exception):
    """The provider's discovery document or key set could not be fetched or read."""


class JwksCache:
    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        refresh_interval: float = 60.0,
        max_stale: float = 24 * 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._http = http
        self._refresh_interval = refresh_interval
        self._max_stale = max_stale
        self._clock = clock
        self._issuers: dict[str, _IssuerKeys] = {}
        self.fetches = 0  # key-set downloads so far (observability and tests)

    async def key_for(self, issuer: str, kid: str) -> Any | None:
        entry = self._issuers.setdefault(issuer, _IssuerKeys())
        key = self._known_key(entry, kid)
        if key is not None:
            return key
        async with entry.lock:
            key = self._known_key(entry, kid)  # another request may have refreshed meanwhile
            if key is None and self._clock() - entry.attempted_at >= self._refresh_interval:
                await self._refresh(issuer, entry)
                key = self._known_key(entry, kid)
        return key

    def _known_key(self, entry: _IssuerKeys, kid: str) -> Any | None:
        if entry.keys is None or self._clock() - entry.fetched_at > self._max_stale:
            return None
        for key in entry.keys.keys:
            if key.kid == kid:
                return key
        return None

    async def _refresh(self, issuer: str, entry: _IssuerKeys) -> None:
        entry.attempted_at = self._clock()
        try:
            entry.keys = await self._download(issuer)
            entry.fetched_at = self._clock()
        except ProviderUnavailable as error:
            # Keep what we had: a provider that is briefly down must not sign everyone out.
            log.warning("could not refresh keys of %s: %s", issuer, error)

    async def _download(self, issuer: str) -> KeySet:
        discovery_url = issuer.rstrip("/") + "/.well-known/openid-configuration"
        try:
            discovery = (await self._http.get(discovery_url)).raise_for_status().json()
            jwks_uri = discovery["jwks_uri"]
            if not _same_origin(issuer, jwks_uri):
                raise ProviderUnavailable(f"jwks_uri {jwks_uri!r} is not on the issuer's host")
            self.fetches += 1
            jwks = (await self._http.get(jwks_uri)).raise_for_status().json()
            return KeySet.import_key_set(jwks)
        except ProviderUnavailable:
            raise
        except (httpx.HTTPError, ValueError, KeyError, TypeError, JoseError) as error:
            raise ProviderUnavailable(f"{type(error).__name__}: {error}") from error


def _same_origin(issuer: str, url: str) -> bool:
    a, b = urlparse(issuer), urlparse(url)
    return (a.scheme, a.netloc) == (b.scheme, b.netloc)


async def verify_external_token(
    token: str, provider: ProviderConfig, cache: JwksCache, *, max_bytes: int
) -> ExternalIdentity:
    """The identity in a provider's token, or ``InvalidToken``."""
    if len(token) > max_bytes:
        raise InvalidToken("token too large")
    header = protected_header(token)
    check_header_parameters(header)
    algorithms = [a for a in provider.algorithms if a in SUPPORTED_ALGORITHMS]
    if header.get("alg") not in algorithms:
        raise InvalidToken(f"algorithm not allowed: {header.get('alg')!r}")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise InvalidToken("missing kid")
    key = await cache.key_for(provider.issuer, kid)
    if key is None:
        raise InvalidToken("unknown kid")
    registry = jwt.JWTClaimsRegistry(
        leeway=CLOCK_SKEW_SECONDS,
        iss={"essential": True, "value": provider.issuer},
        aud={"essential": True, "value": provider.audience},
        exp={"essential": True},
        sub={"essential": True},
    )
    try:
        claims = jwt.decode(token, key, algorithms=algorithms).claims
        registry.validate(claims)
    except (JoseError, ValueError) as error:
        raise InvalidToken(f"{type(error).__name__}: {error}") from error
    email = claims.get(provider.email_claim)
    return ExternalIdentity(
        issuer=provider.issuer,
        subject=str(claims["sub"]),
        email=email if isinstance(email, str) else None,
        email_verified=claims.get("email_verified") is True,
    )
