"""Tokens from external OpenID Connect providers (Keycloak, Dex, Auth0 …) that a tenant trusts.

Keys come from the provider's discovery document (``/.well-known/openid-configuration`` →
``jwks_uri``) and are cached per issuer. An unknown ``kid`` triggers a refresh, but at most one
per ``refresh_interval`` per issuer, so a flood of made-up kids cannot flood the provider. When
the provider cannot be reached, the keys already known keep working (up to ``max_stale``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

import httpx
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from chapters.auth.outbound import RefusedAddress, outbound_client
from chapters.auth.tokens import (
    InvalidToken,
    check_header_parameters,
    protected_header,
    verified_claims,
)
from chapters.settings import Settings
from chapters.validation import is_storable

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


@dataclass(frozen=True)
class KeyFetchStatus:
    """How this process's last fetch of a provider's keys went (shown to tenant admins)."""

    last_fetch_at: datetime
    ok: bool
    error: str | None
    key_count: int  # the keys held now: a failed fetch keeps the earlier ones


@dataclass
class _IssuerKeys:
    keys: KeySet | None = None
    fetched_at: float = float("-inf")
    attempted_at: float = float("-inf")
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    status: KeyFetchStatus | None = None

    def record(self, error: ProviderUnavailable | None = None) -> None:
        self.status = KeyFetchStatus(
            last_fetch_at=datetime.now(UTC),
            ok=error is None,
            error=None if error is None else str(error),
            key_count=len(self.keys.keys) if self.keys is not None else 0,
        )


# A discovery document or key set is a few kilobytes; a larger answer is not one.
MAX_DOCUMENT_BYTES = 256 * 1024


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
            entry.record(error)
        else:
            entry.record()

    def status(self, issuer: str) -> KeyFetchStatus | None:
        """This process's last key fetch for the issuer; None before the first one (the cache
        is per process: after a restart, until a token or a check needs the keys)."""
        entry = self._issuers.get(issuer)
        return entry.status if entry is not None else None

    async def check_provider(self, issuer: str) -> None:
        """Read the provider's discovery document and key set now (a provider is added only
        if this works), and keep the keys. Raises ``ProviderUnavailable`` saying what failed."""
        entry = self._issuers.setdefault(issuer, _IssuerKeys())
        async with entry.lock:
            try:
                keys = await self._download(issuer)
            except ProviderUnavailable as error:
                entry.record(error)
                raise
            entry.keys, entry.fetched_at = keys, self._clock()
            entry.attempted_at = entry.fetched_at
            entry.record()

    async def _download(self, issuer: str) -> KeySet:
        discovery = await self._get_json(issuer.rstrip("/") + "/.well-known/openid-configuration")
        if not isinstance(discovery, dict) or discovery.get("issuer") != issuer:
            raise ProviderUnavailable("its discovery document names another issuer")
        jwks_uri = discovery.get("jwks_uri")
        if not isinstance(jwks_uri, str) or not _same_origin(issuer, jwks_uri):
            raise ProviderUnavailable("its jwks_uri is not on the issuer's host")
        self.fetches += 1
        try:
            return KeySet.import_key_set(await self._get_json(jwks_uri))
        except (ValueError, KeyError, TypeError, JoseError) as error:
            raise ProviderUnavailable(f"its key set cannot be read ({error})") from error

    async def _get_json(self, url: str) -> Any:
        """The JSON document at ``url``: no redirects, at most ``MAX_DOCUMENT_BYTES``."""
        try:
            async with self._http.stream("GET", url, follow_redirects=False) as response:
                if response.status_code != 200:
                    raise ProviderUnavailable(f"{url} answered HTTP {response.status_code}")
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > MAX_DOCUMENT_BYTES:
                        raise ProviderUnavailable(
                            f"{url} sent more than {MAX_DOCUMENT_BYTES} bytes"
                        )
            return json.loads(body)
        except RefusedAddress as error:
            raise ProviderUnavailable(f"{url} is not reachable: {error}") from error
        except (httpx.HTTPError, httpx.InvalidURL) as error:
            raise ProviderUnavailable(f"{url} is not reachable ({type(error).__name__})") from error
        except (ValueError, RecursionError) as error:
            raise ProviderUnavailable(f"{url} did not send JSON") from error


def _same_origin(issuer: str, url: str) -> bool:
    try:
        a, b = urlparse(issuer), urlparse(url)
    except ValueError:  # e.g. "http://[::1"
        return False
    return (a.scheme, a.netloc) == (b.scheme, b.netloc)


def provider_http_client(settings: Settings) -> httpx.AsyncClient:
    """The client that fetches providers' documents: public addresses only, unless
    ``CHAPTERS_OIDC_ALLOW_PRIVATE_NETWORKS`` (local Keycloak, tests)."""
    return outbound_client(
        timeout=settings.oidc_http_timeout_seconds,
        allow_private_networks=settings.oidc_allow_private_networks,
    )


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
    claims = verified_claims(
        token, key, algorithms, issuer=provider.issuer, audience=provider.audience
    )
    subject, email = claims["sub"], claims.get(provider.email_claim)
    if not is_storable(subject):
        raise InvalidToken("sub is not a string the database can hold")
    return ExternalIdentity(
        issuer=provider.issuer,
        subject=subject,
        email=email if is_storable(email) else None,
        email_verified=claims.get("email_verified") is True,
    )
