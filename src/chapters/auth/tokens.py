"""Bearer access tokens: issued by the service, verified with joserfc.

Tokens are RFC 9068-shaped JWTs (``typ: at+jwt``) signed with the service's key. Verification
is strict: a small header allow-list, known ``kid`` only, no keys or key URLs taken from the
token itself, exact issuer and audience, ``exp`` required, and the tenant claim ``tid``.
Every rejection raises ``InvalidToken`` with a reason for logs, never for the client.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeyFlexible
from joserfc.jwt import ClaimsOption

from chapters.auth.keys import SIGNING_ALGORITHM, SigningKeys
from chapters.settings import Settings
from chapters.validation import is_storable

ACCESS_TOKEN_TYPES = {"at+jwt", "application/at+jwt"}
ALLOWED_ALGORITHMS = [SIGNING_ALGORITHM]
ALLOWED_HEADER_PARAMETERS = {"alg", "kid", "typ"}
CLOCK_SKEW_SECONDS = 30


class InvalidToken(Exception):
    """The bearer token cannot be accepted. ``reason`` is for logs only."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class AccessClaims:
    subject: str
    tenant_id: uuid.UUID
    client_id: str
    scope: frozenset[str]
    expires_at: int
    # Set on tokens issued to API clients by the token endpoint (partner or service).
    client_kind: str | None = None


def issue_access_token(
    keys: SigningKeys,
    settings: Settings,
    *,
    tenant_id: uuid.UUID,
    subject: str,
    client_id: str = "chapters",
    scope: str | None = None,
    ttl_seconds: int | None = None,
) -> str:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": subject,
        "tid": str(tenant_id),
        "client_id": client_id,
        "iat": now,
        "nbf": now,
        "exp": now + (ttl_seconds or settings.jwt_ttl_seconds),
        "jti": uuid.uuid4().hex,
    }
    if scope:
        claims["scope"] = scope
    header = {"alg": SIGNING_ALGORITHM, "kid": keys.kid, "typ": "at+jwt"}
    return jwt.encode(header, claims, keys.signing_key, algorithms=ALLOWED_ALGORITHMS)


def _segment(token: str, index: int) -> dict[str, Any]:
    parts = token.split(".")
    if len(parts) != 3:
        raise InvalidToken("not a compact JWS")
    try:
        raw = base64.urlsafe_b64decode(parts[index] + "=" * (-len(parts[index]) % 4))
        value = json.loads(raw)
    except (ValueError, RecursionError) as error:
        # RecursionError: JSON nested deeper than the parser's recursion limit.
        raise InvalidToken("unreadable token") from error
    if not isinstance(value, dict):
        raise InvalidToken("token part is not an object")
    return value


def protected_header(token: str) -> dict[str, Any]:
    return _segment(token, 0)


MAX_ISSUER_LENGTH = 500


def unverified_issuer(token: str) -> str | None:
    """Which issuer a token claims to come from, to choose how to verify it (never trusted).

    The issuer is looked up in the database: one PostgreSQL cannot store (a NUL, a lone
    surrogate) or that no provider can have (too long) is no issuer at all."""
    issuer = _segment(token, 1).get("iss")
    if not is_storable(issuer) or len(issuer) > MAX_ISSUER_LENGTH:
        return None
    return issuer


def check_header_parameters(header: dict[str, Any]) -> None:
    unexpected = set(header) - ALLOWED_HEADER_PARAMETERS
    if unexpected:
        # jwk / jku / x5u / x5c / crit ...: keys never come from the token itself.
        raise InvalidToken(f"header parameters not allowed: {sorted(unexpected)}")


def _check_header(header: dict[str, Any]) -> str:
    check_header_parameters(header)
    if header.get("alg") not in ALLOWED_ALGORITHMS:
        raise InvalidToken(f"algorithm not allowed: {header.get('alg')!r}")
    if header.get("typ") not in ACCESS_TOKEN_TYPES:
        raise InvalidToken(f"not an access token: typ={header.get('typ')!r}")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise InvalidToken("missing kid")
    return kid


def verified_claims(
    token: str,
    key: KeyFlexible,
    algorithms: list[str],
    *,
    issuer: str,
    audience: str,
    required: Sequence[str] = (),
) -> dict[str, Any]:
    """The claims of ``token`` once its signature (by ``key``) and its claims are checked: from
    ``issuer``, for ``audience``, not expired (``CLOCK_SKEW_SECONDS`` of leeway), with a
    subject and the ``required`` claims. Anything else raises ``InvalidToken``."""
    options: dict[str, ClaimsOption] = {
        "iss": {"essential": True, "value": issuer},
        "aud": {"essential": True, "value": audience},
        "exp": {"essential": True},
        "sub": {"essential": True},
    }
    options.update({name: {"essential": True} for name in required})
    # now (None: the clock's) and leeway by position, so that no option can stand for them
    registry = jwt.JWTClaimsRegistry(None, CLOCK_SKEW_SECONDS, **options)
    try:
        claims = jwt.decode(token, key, algorithms=algorithms).claims
        registry.validate(claims)
    except (JoseError, ValueError) as error:
        raise InvalidToken(f"{type(error).__name__}: {error}") from error
    return claims


def verify_access_token(token: str, keys: SigningKeys, settings: Settings) -> AccessClaims:
    if len(token) > settings.max_token_bytes:
        raise InvalidToken("token too large")
    kid = _check_header(protected_header(token))
    key = keys.public_key(kid)
    if key is None:
        raise InvalidToken("unknown kid")
    claims = verified_claims(
        token,
        key,
        ALLOWED_ALGORITHMS,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        required=("tid",),
    )
    try:
        tenant_id = uuid.UUID(str(claims["tid"]))
    except ValueError as error:
        raise InvalidToken("tid is not a uuid") from error
    scope = claims.get("scope") or ""
    if not isinstance(scope, str) or not isinstance(claims["sub"], str):
        raise InvalidToken("malformed claims")
    return AccessClaims(
        subject=claims["sub"],
        tenant_id=tenant_id,
        client_id=str(claims.get("client_id", "")),
        scope=frozenset(scope.split()),
        expires_at=int(claims["exp"]),
        client_kind=claims.get("client_kind")
        if isinstance(claims.get("client_kind"), str)
        else None,
    )
