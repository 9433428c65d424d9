"""``POST /oauth/token``: OAuth2 client credentials with Authlib's authorization server.

Authlib ships server integrations for Flask and Django only; this is the thin adapter for
Litestar. Its callbacks are synchronous, so the client row is loaded before Authlib runs (one
fresh server per request: no shared mutable state), and the run itself — which checks the
secret with a deliberately slow hash — happens in a worker thread, off the event loop.

Tokens are RFC 9068 JWT access tokens (``typ: at+jwt``) signed with the service's own key,
valid for one tenant (``tid``) and short-lived.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import unquote

from authlib.oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, OAuth2Payload, OAuth2Request
from authlib.oauth2.rfc6749.grants import ClientCredentialsGrant
from authlib.oauth2.rfc9068 import JWTBearerTokenGenerator
from joserfc.jwk import KeySet

from chapters.auth.keys import SIGNING_ALGORITHM, SigningKeys
from chapters.models import ClientKind
from chapters.settings import Settings

SCOPES = {
    "chapters:read": "read chapters and their rosters (service clients) or public profiles",
    "activities:read": "read activities",
    "activities:write": "create, edit and submit activities",
    "export": "run exports and read the quarterly report",
    "metrics:read": "read community metrics: chapter health, series, cohorts, funnel",
    "contributions:write": "record code contributions (imports from GitHub)",
}
PARTNER_SCOPES = frozenset({"chapters:read", "activities:read"})
CLIENT_TOKEN_TTL_SECONDS = 900
CLIENT_KIND_CLAIM = "client_kind"

# scrypt parameters: about 16 MiB and tens of milliseconds per check.
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
# Longer credentials belong to no client: refused before any lookup or hashing.
MAX_CLIENT_ID_LENGTH = 200
MAX_CLIENT_SECRET_LENGTH = 512


def hash_secret(secret: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(secret.encode(), salt=salt, dklen=32, **_SCRYPT)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def secret_matches(secret: str, stored: str) -> bool:
    try:
        scheme, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(secret.encode(), salt=base64.b64decode(salt), dklen=32, **_SCRYPT)
    return hmac.compare_digest(candidate, base64.b64decode(digest))


@cache
def _unknown_client_hash() -> str:
    """What an unknown client's secret is checked against, so that it costs as much time as
    a known client's: the answer's timing does not tell which client ids exist."""
    return hash_secret(secrets.token_urlsafe(32))


def new_client_id(tenant_slug: str) -> str:
    """``<tenant slug>.<random>``: the token endpoint finds the tenant before the client."""
    return f"{tenant_slug}.{secrets.token_hex(8)}"


def new_client_secret() -> str:
    return secrets.token_urlsafe(32)


def tenant_slug_of(client_id: str) -> str | None:
    slug, dot, rest = client_id.partition(".")
    return slug if dot and slug and rest else None


@dataclass(frozen=True)
class ClientSnapshot:
    """What the token endpoint needs of an ``ApiClient`` row, read before Authlib runs."""

    id: uuid.UUID
    client_id: str
    tenant_id: uuid.UUID
    kind: ClientKind
    organisation_id: uuid.UUID | None
    scopes: frozenset[str]
    secret_hash: str


class _Client(ClientMixin):
    def __init__(self, snapshot: ClientSnapshot) -> None:
        self.snapshot = snapshot

    def get_client_id(self) -> str:
        return self.snapshot.client_id

    def check_client_secret(self, client_secret: str) -> bool:
        return secret_matches(client_secret, self.snapshot.secret_hash)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return endpoint == "token" and method in {"client_secret_basic", "client_secret_post"}

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "client_credentials"

    def get_allowed_scope(self, scope: str | None) -> str:
        allowed = self.snapshot.scopes
        if not scope:
            return " ".join(sorted(allowed))
        return " ".join(sorted(s for s in scope.split() if s in allowed))


class _UnknownClient(_Client):
    """Stands for a client id that does not exist or is revoked: it never authenticates,
    but checking its secret takes as long as a real one's."""

    def __init__(self, client_id: str) -> None:
        self._client_id = client_id

    def get_client_id(self) -> str:
        return self._client_id

    def check_client_secret(self, client_secret: str) -> bool:
        secret_matches(client_secret, _unknown_client_hash())
        return False

    def get_allowed_scope(self, scope: str | None) -> str:
        return ""


class _ClientCredentialsGrant(ClientCredentialsGrant):
    # HTTP Basic or form credentials (Authlib's default is Basic only).
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]


class _TokenGenerator(JWTBearerTokenGenerator):
    def __init__(self, keys: SigningKeys, settings: Settings) -> None:
        super().__init__(
            issuer=settings.jwt_issuer,
            alg=SIGNING_ALGORITHM,
            expires_generator=lambda client, grant_type: CLIENT_TOKEN_TTL_SECONDS,
        )
        self._keys = KeySet([keys.signing_key])
        self._audience = settings.jwt_audience

    def get_jwks(self) -> KeySet:
        return self._keys

    def get_audiences(self, client: _Client, user: Any, scope: str) -> str:
        return self._audience

    def get_extra_claims(self, client: _Client, grant_type: str, user: Any, scope: str) -> dict:
        return {
            "tid": str(client.snapshot.tenant_id),
            CLIENT_KIND_CLAIM: client.snapshot.kind.value,
        }


class _TokenServer(AuthorizationServer):
    def __init__(self, client: ClientSnapshot | None, keys: SigningKeys, settings: Settings):
        super().__init__(scopes_supported=list(SCOPES))
        self._client = _Client(client) if client else None
        self.register_grant(_ClientCredentialsGrant)
        self.register_token_generator("default", _TokenGenerator(keys, settings))

    def query_client(self, client_id: str) -> _Client:
        if self._client is not None and self._client.get_client_id() == client_id:
            return self._client
        return _UnknownClient(client_id)

    def create_oauth2_request(self, request: OAuth2Request) -> OAuth2Request:
        return request  # already built from the Litestar request by ``issue_client_token``

    def save_token(self, token: dict, request: OAuth2Request) -> None:
        """Nothing to store: tokens are self-contained JWTs, revoked with their client."""

    def handle_response(self, status: int, body: Any, headers: list) -> tuple[int, Any, list]:
        return status, body, headers

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        pass


class _Request(OAuth2Request):
    payload: _FormPayload  # set by ``issue_client_token``

    @property
    def form(self) -> dict[str, str]:
        # Authlib reads client_secret_post credentials here (its Flask and Django adapters
        # give the parsed form).
        return self.payload.data


class _FormPayload(OAuth2Payload):
    def __init__(self, form: dict[str, list[str]]) -> None:
        self._form = form

    @property
    def data(self) -> dict[str, str]:
        return {key: values[0] for key, values in self._form.items() if values}

    @property
    def datalist(self) -> dict[str, list[str]]:
        return self._form


def issue_client_token(
    *,
    client: ClientSnapshot | None,
    method: str,
    url: str,
    headers: Mapping[str, str],
    form: dict[str, list[str]],
    keys: SigningKeys,
    settings: Settings,
) -> tuple[int, Any, list]:
    """Authlib's token response (status, JSON body, headers). Synchronous and CPU-bound:
    run it in a worker thread."""
    request = _Request(method, url, headers=headers)
    request.payload = _FormPayload(form)
    response: tuple[int, Any, list[Any]]
    response = _TokenServer(client, keys, settings).create_token_response(request)
    return response


class MalformedCredentials(Exception):
    """Client credentials no client can have (unreadable, a NUL, too long): answered
    ``invalid_client`` before anything looks them up."""


def requested_client_id(headers: Mapping[str, str], form: dict[str, list[str]]) -> str | None:
    """The client id from HTTP Basic auth or the form, to find the tenant and the client.
    Raises ``MalformedCredentials`` for credentials that cannot be a client's."""
    authorization = headers.get("authorization", "")
    scheme, _, encoded = authorization.partition(" ")
    client_id: str | None
    secret: str | None
    if scheme.lower() == "basic":
        client_id, secret = _basic_credentials(encoded.strip())
    else:
        client_id, secret = _form_value(form, "client_id"), _form_value(form, "client_secret")
    _check_credential(client_id, MAX_CLIENT_ID_LENGTH)
    _check_credential(secret, MAX_CLIENT_SECRET_LENGTH)
    return client_id or None


def _basic_credentials(encoded: str) -> tuple[str, str]:
    """As Authlib reads them: ``base64(urlencode(id) ":" urlencode(secret))``."""
    try:
        decoded = base64.b64decode(encoded, validate=True).decode()
    except ValueError:  # bad base64, or not UTF-8
        raise MalformedCredentials("unreadable Basic credentials") from None
    client_id, _, secret = decoded.partition(":")
    return unquote(client_id), unquote(secret)


def _form_value(form: dict[str, list[str]], name: str) -> str | None:
    values = form.get(name) or []
    return values[0] if values else None


def _check_credential(value: str | None, max_length: int) -> None:
    # isprintable() is False for NUL and other control characters and for lone surrogates,
    # none of which PostgreSQL can compare with a stored id.
    if value is not None and (len(value) > max_length or not value.isprintable()):
        raise MalformedCredentials("credentials no client can have")


def invalid_client_response() -> tuple[int, dict[str, str], list[tuple[str, str]]]:
    """What Authlib answers a client that failed to authenticate with HTTP Basic."""
    return (
        401,
        {"error": "invalid_client", "error_description": "Client authentication failed."},
        [("WWW-Authenticate", 'Basic error="invalid_client"')],
    )
