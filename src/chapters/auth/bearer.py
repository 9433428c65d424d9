"""Who is calling: the bearer token of a request, turned into a ``Principal`` of its tenant.

Three kinds of token are accepted, told apart by their (unverified) issuer and then verified
accordingly: the service's own tokens for people (``chapters token``) and for API clients
(``POST /oauth/token``), and tokens of the external OpenID Connect providers the tenant
trusts. A token is only ever valid for the tenant in the request path.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from joserfc.errors import ExpiredTokenError
from litestar.datastructures import Headers
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.auth.keys import SigningKeys
from chapters.auth.oidc import ExternalIdentity, JwksCache, ProviderConfig, verify_external_token
from chapters.auth.principal import ApiClientIdentity, Principal
from chapters.auth.tokens import (
    CLOCK_SKEW_SECONDS,
    AccessClaims,
    InvalidToken,
    unverified_issuer,
    verify_access_token,
)
from chapters.clients.service import active_client, trusted_provider
from chapters.lru import LRU
from chapters.models import Person, PersonIdentity, PersonStatus
from chapters.observability import metrics
from chapters.people.service import (
    load_principal,
    person_linkable_by_email,
    principal_by_person_id,
)
from chapters.settings import Settings

log = logging.getLogger("chapters.auth")


MAX_DESCRIPTION_LENGTH = 300


class InvalidBearer(NotAuthorizedException):
    """401 with a ``WWW-Authenticate`` challenge. Only in development does it say what was
    wrong (``error_description``): in production, a forger learns nothing from the answer."""

    def __init__(
        self, description: str | None = None, outcome: str = metrics.TOKEN_INVALID
    ) -> None:
        self.outcome = outcome  # what the metrics count
        challenge = 'Bearer error="invalid_token"'
        if description:
            challenge += f', error_description="{_header_safe(description)}"'
        super().__init__(
            detail="Invalid or expired bearer token", headers={"WWW-Authenticate": challenge}
        )


def _header_safe(text: str) -> str:
    """Only the characters RFC 6750 allows in ``error_description`` (printable ASCII without
    ``"`` and ``\\``): the reason may quote a forged claim."""
    safe = "".join(c if " " <= c <= "~" and c not in '"\\' else "?" for c in text)
    return safe[:MAX_DESCRIPTION_LENGTH]


class UnlinkedIdentity(PermissionDeniedException):
    """A valid sign-in that belongs to no person of this tenant: refused, never anonymous."""

    outcome = metrics.TOKEN_UNLINKED

    def __init__(self) -> None:
        super().__init__(
            detail="This sign-in is not linked to a person of this community; "
            "ask a tenant admin to link your account."
        )


@dataclass(frozen=True)
class Verifiers:
    settings: Settings
    keys: SigningKeys
    jwks: JwksCache
    # The service's own tokens verified lately, by their text (``signed_in_person``).
    verified: VerifiedTokens = field(default_factory=lambda: VerifiedTokens())


class VerifiedTokens(LRU[str, AccessClaims]):
    """Own access tokens whose signature and claims were verified, until they expire: the
    same text, signed with a key of this process, verifies the same way every time (only the
    clock moves). Bounded; per process."""

    def __init__(self, size: int = 10_000) -> None:
        super().__init__(size)

    def get(self, token: str) -> AccessClaims | None:
        claims = super().get(token)
        if claims is not None and time.time() > claims.expires_at + CLOCK_SKEW_SECONDS:
            self.pop(token)  # expired, as the verification says
            return None
        return claims


def bearer_token(headers: Headers) -> str | None:
    header = headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidBearer()
    return token.strip()


async def authenticate(
    headers: Headers, verifiers: Verifiers, tenant_id: uuid.UUID, session: AsyncSession
) -> Principal | None:
    """The caller the request's bearer token names (None without a token); ``InvalidBearer``
    or ``UnlinkedIdentity`` refuse it. Every outcome is counted (``observability.metrics``)."""
    try:
        principal = await _authenticated(headers, verifiers, tenant_id, session)
    except (InvalidBearer, UnlinkedIdentity) as refusal:
        metrics.count_token(refusal.outcome)
        raise
    metrics.count_token(metrics.TOKEN_NONE if principal is None else metrics.TOKEN_VALID)
    return principal


async def _authenticated(
    headers: Headers, verifiers: Verifiers, tenant_id: uuid.UUID, session: AsyncSession
) -> Principal | None:
    token = bearer_token(headers)
    if token is None:
        return None
    try:
        if len(token) > verifiers.settings.max_token_bytes:
            raise InvalidToken("token too large")  # before anything reads it
        issuer = unverified_issuer(token)
        if issuer == verifiers.settings.jwt_issuer:
            return await _own_token(token, verifiers, tenant_id, session)
        provider = await trusted_provider(session, issuer) if issuer else None
        if provider is None:
            raise InvalidToken(
                f"issued by {issuer or 'no readable issuer'}, this server is"
                f" {verifiers.settings.jwt_issuer} and no identity provider of this tenant is"
            )
        identity = await verify_external_token(
            token, provider, verifiers.jwks, max_bytes=verifiers.settings.max_token_bytes
        )
    except InvalidToken as error:
        log.info("rejected bearer token: %s", error.reason)
        development = verifiers.settings.env == "development"
        expired = isinstance(error.__cause__, ExpiredTokenError)
        raise InvalidBearer(
            error.reason if development else None,
            outcome=metrics.TOKEN_EXPIRED if expired else metrics.TOKEN_INVALID,
        ) from None
    return await load_principal(session, await _person_for(session, provider, identity))


class OtherCaller(Exception):
    """A caller ``signed_in_person`` does not establish: ``authenticate`` does."""


def own_token_claims(
    headers: Headers, verifiers: Verifiers, tenant_id: uuid.UUID
) -> AccessClaims | None:
    """The verified claims of a request's own token for this tenant (the service's sign-in
    for a person, or an API client's token), verified as ``authenticate`` verifies them; None
    without a token. ``OtherCaller`` for anything else: other issuers' tokens, tokens that do
    not verify or name another tenant."""
    try:
        token = bearer_token(headers)
        if token is None:
            return None
        if len(token) > verifiers.settings.max_token_bytes:
            raise OtherCaller()
        if unverified_issuer(token) != verifiers.settings.jwt_issuer:
            raise OtherCaller()
        claims = _own_claims(token, verifiers)
        if claims.tenant_id != tenant_id:
            raise OtherCaller()
        if claims.client_kind is None:
            uuid.UUID(claims.subject)  # a person's token names a person
        return claims
    except (InvalidBearer, InvalidToken, ValueError):
        raise OtherCaller() from None


def _own_claims(token: str, verifiers: Verifiers) -> AccessClaims:
    """The claims of one of the service's own tokens, verified (or verified lately)."""
    claims = verifiers.verified.get(token)
    if claims is None:
        claims = verify_access_token(token, verifiers.keys, verifiers.settings)
        verifiers.verified.put(token, claims)
    return claims


async def _own_token(
    token: str, verifiers: Verifiers, tenant_id: uuid.UUID, session: AsyncSession
) -> Principal:
    claims = _own_claims(token, verifiers)
    if claims.tenant_id != tenant_id:
        raise InvalidToken("issued for another tenant")
    if claims.client_kind is not None:
        return await _client_principal(claims, tenant_id, session)
    try:
        person_id = uuid.UUID(claims.subject)
    except ValueError:
        raise InvalidToken("subject is not a person id") from None
    principal = await principal_by_person_id(session, person_id)
    if principal is None:
        raise InvalidToken("no such person")
    return principal


async def _client_principal(
    claims: AccessClaims, tenant_id: uuid.UUID, session: AsyncSession
) -> Principal:
    principal = client_principal(claims, tenant_id, await active_client(session, claims.client_id))
    if principal is None:
        raise InvalidToken("unknown or revoked client")
    return principal


def client_principal(claims: AccessClaims, tenant_id: uuid.UUID, client: Any) -> Principal | None:
    """The principal of a client token, given its client (an active ``ApiClient``, or a row of
    its columns); None where the client is gone, revoked or of another kind."""
    if client is None or client.kind.value != claims.client_kind:
        return None
    return Principal(
        tenant_id=tenant_id,
        person_id=None,
        email=None,
        display_name=client.name,
        tenant_role=None,
        client=ApiClientIdentity(
            id=client.id,
            client_id=client.client_id,
            kind=client.kind,
            organisation_id=client.organisation_id,
            # What the token was granted, and still allowed now.
            scopes=claims.scope & frozenset(client.scopes),
        ),
    )


async def _person_for(
    session: AsyncSession, provider: ProviderConfig, identity: ExternalIdentity
) -> Person:
    linked = await session.scalar(
        select(Person)
        .join(PersonIdentity, PersonIdentity.person_id == Person.id)
        .where(PersonIdentity.issuer == identity.issuer, PersonIdentity.subject == identity.subject)
    )
    if linked is not None:
        return linked
    if identity.email and identity.email_verified:
        person = await person_linkable_by_email(session, identity.email)
        # A person invited by email is linked by that address even when the provider does
        # not link by email otherwise: a lead invited that very address.
        if person is not None and (provider.link_by_email or person.status == PersonStatus.INVITED):
            session.add(
                PersonIdentity(
                    person_id=person.id, issuer=identity.issuer, subject=identity.subject
                )
            )
            await session.flush()
            log.info(
                "linked %s of %s to a person by verified email", identity.subject, identity.issuer
            )
            return person
    raise UnlinkedIdentity()
