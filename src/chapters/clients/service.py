"""Managing who may call the API besides signed-in people: API clients (OAuth2 client
credentials, for partners and automations) and the external OpenID Connect providers a tenant
trusts for sign-in. Tenant admins only."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

import httpx
from sqlalchemy import ColumnElement, Select, Text, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from chapters import authz
from chapters.auth.oauth_server import (
    PARTNER_SCOPES,
    SCOPES,
    ClientSnapshot,
    hash_secret,
    new_client_id,
    new_client_secret,
)
from chapters.auth.oidc import (
    SUPPORTED_ALGORITHMS,
    JwksCache,
    ProviderConfig,
    ProviderUnavailable,
)
from chapters.auth.principal import Principal
from chapters.auth.tokens import MAX_ISSUER_LENGTH
from chapters.authz import Action
from chapters.db.loaders import Reader
from chapters.db.session import flush_unique, get_row
from chapters.errors import ErrorCode, FieldError, InvalidInput, NotFound
from chapters.models import ApiClient, ClientKind, IdentityProvider, Organisation, Tenant
from chapters.validation import required_text


@dataclass(frozen=True)
class IssuedSecret:
    """A client with its secret in clear: shown once, at creation or rotation."""

    client: ApiClient
    secret: str


def _check_scopes(kind: ClientKind, scopes: list[str]) -> list[str]:
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise InvalidInput(FieldError("scopes", ErrorCode.INVALID, f"Unknown scopes {unknown}"))
    if kind == ClientKind.PARTNER and not set(scopes) <= PARTNER_SCOPES:
        raise InvalidInput(
            FieldError(
                "scopes",
                ErrorCode.INVALID,
                f"Partner clients may only have {sorted(PARTNER_SCOPES)}",
            )
        )
    return sorted(set(scopes))


async def create_client(
    session: AsyncSession,
    principal: Principal | None,
    *,
    name: str,
    kind: ClientKind,
    scopes: list[str],
    organisation_id: uuid.UUID | None,
) -> IssuedSecret:
    caller = authz.require_caller(principal, Action.ACCESS_MANAGE)
    errors = required_text(name, "name", 200)
    if errors:
        raise InvalidInput(*errors)
    scopes = _check_scopes(kind, scopes)
    if kind == ClientKind.PARTNER:
        if organisation_id is None:
            raise InvalidInput(
                FieldError(
                    "organisation_id",
                    ErrorCode.REQUIRED,
                    "A partner client belongs to an organisation",
                )
            )
        if not await session.scalar(
            select(Organisation.id).where(Organisation.id == organisation_id)
        ):
            raise NotFound("Organisation", field="organisation_id")
    elif organisation_id is not None:
        raise InvalidInput(
            FieldError(
                "organisation_id",
                ErrorCode.INVALID,
                "Only partner clients belong to an organisation",
            )
        )
    slug = await session.scalar(select(Tenant.slug).where(Tenant.id == caller.tenant_id))
    if slug is None:
        raise NotFound("Tenant")
    secret = new_client_secret()
    client = ApiClient(
        client_id=new_client_id(slug),
        name=name.strip(),
        kind=kind,
        organisation_id=organisation_id,
        scopes=scopes,
        secret_hash=hash_secret(secret),
        created_by_id=caller.person_id,
    )
    session.add(client)
    await session.flush()
    return IssuedSecret(client=client, secret=secret)


async def api_clients(reader: Reader) -> list[ApiClient]:
    """The tenant's API clients, oldest first (tenant admins)."""
    authz.require(reader.principal, Action.ACCESS_MANAGE)
    rows = await reader.session.scalars(
        select(ApiClient).order_by(ApiClient.created_at, ApiClient.id)
    )
    return list(rows)


async def get_client(session: AsyncSession, client_uuid: uuid.UUID) -> ApiClient:
    return await get_row(session, ApiClient, client_uuid, "ApiClient")


async def rotate_secret(
    session: AsyncSession, principal: Principal | None, client_uuid: uuid.UUID
) -> IssuedSecret:
    """A new secret; the old one stops working at once (tokens already issued run out)."""
    authz.require(principal, Action.ACCESS_MANAGE)
    client = await get_client(session, client_uuid)
    if client.revoked_at is not None:
        raise InvalidInput(FieldError("id", ErrorCode.INVALID, "The client is revoked"))
    secret = new_client_secret()
    client.secret_hash = hash_secret(secret)
    client.secret_rotated_at = datetime.now(UTC)
    await session.flush()
    return IssuedSecret(client=client, secret=secret)


async def revoke_client(
    session: AsyncSession, principal: Principal | None, client_uuid: uuid.UUID
) -> ApiClient:
    """Revoked clients get no new tokens, and their existing tokens are refused."""
    authz.require(principal, Action.ACCESS_MANAGE)
    client = await get_client(session, client_uuid)
    if client.revoked_at is None:
        client.revoked_at = datetime.now(UTC)
        await session.flush()
    return client


async def active_client(session: AsyncSession, client_id: str) -> ApiClient | None:
    return await session.scalar(
        select(ApiClient).where(ApiClient.client_id == client_id, ApiClient.revoked_at.is_(None))
    )


def active_client_statement(tenant_id: uuid.UUID, client_id: str) -> Select:
    """``active_client`` as columns, with the client's fingerprint (``client_fingerprint``);
    it names the tenant itself (the front door runs it on a bare connection)."""
    return select(
        ApiClient.id,
        ApiClient.client_id,
        ApiClient.name,
        ApiClient.kind,
        ApiClient.organisation_id,
        ApiClient.scopes,
        client_fingerprint(ApiClient.tenant_id, ApiClient.client_id),
    ).where(
        ApiClient.tenant_id == tenant_id,
        ApiClient.client_id == client_id,
        ApiClient.revoked_at.is_(None),
    )


def client_fingerprint(tenant_id: Any, client_id: Any) -> ColumnElement[str]:
    """A digest of everything a client's principal is made of, as stored now (revocation
    included): as ``people.service.principal_fingerprint`` for a person."""
    client = aliased(ApiClient)
    described = func.json_build_array(
        client.name, client.kind, client.organisation_id, client.scopes, client.revoked_at
    )
    return (
        select(func.md5(cast(described, Text)))
        .where(client.tenant_id == tenant_id, client.client_id == client_id)
        .correlate_except(client)
        .scalar_subquery()
    )


def snapshot(client: ApiClient) -> ClientSnapshot:
    return ClientSnapshot(
        id=client.id,
        client_id=client.client_id,
        tenant_id=client.tenant_id,
        kind=client.kind,
        organisation_id=client.organisation_id,
        scopes=frozenset(client.scopes),
        secret_hash=client.secret_hash,
    )


# --- identity providers ---------------------------------------------------------------------

ISSUER_TAKEN = {
    "uq_identity_providers_tenant_id_issuer": FieldError(
        "issuer", ErrorCode.CONFLICT, "This issuer is already configured"
    )
}


def _check_provider(issuer: str, audience: str, algorithms: list[str]) -> None:
    errors = required_text(audience, "audience", 500)
    if not _is_issuer_url(issuer):
        errors.append(
            FieldError(
                "issuer",
                ErrorCode.INVALID,
                "The issuer is an http(s) URL without credentials, query or fragment",
            )
        )
    if not algorithms or not set(algorithms) <= SUPPORTED_ALGORITHMS:
        errors.append(
            FieldError(
                "algorithms", ErrorCode.INVALID, f"Choose from {sorted(SUPPORTED_ALGORITHMS)}"
            )
        )
    if errors:
        raise InvalidInput(*errors)


def _is_issuer_url(issuer: str) -> bool:
    if len(issuer) > MAX_ISSUER_LENGTH:
        return False
    try:
        url = urlparse(issuer)
        url.port  # noqa: B018 (raises ValueError when the port is not a port)
        httpx.URL(issuer)  # what will fetch it must read it too
    except (ValueError, httpx.InvalidURL):
        return False
    return (
        url.scheme in {"https", "http"}
        and bool(url.hostname)
        and url.username is None
        and not url.query
        and not url.fragment
    )


async def add_identity_provider(
    session: AsyncSession,
    principal: Principal | None,
    *,
    issuer: str,
    audience: str,
    algorithms: list[str],
    email_claim: str = "email",
    link_by_verified_email: bool = False,
    provider_keys: JwksCache,
) -> IdentityProvider:
    """Trust an issuer, once its discovery document and key set have been read (through
    ``provider_keys``, which refuses private addresses unless the deployment allows them)."""
    authz.require(principal, Action.ACCESS_MANAGE)
    issuer = issuer.strip()  # exactly as the provider writes it in `iss` (Auth0 ends with /)
    _check_provider(issuer, audience, algorithms)
    try:
        await provider_keys.check_provider(issuer)
    except ProviderUnavailable as error:
        raise InvalidInput(
            FieldError("issuer", ErrorCode.INVALID, f"The provider's keys cannot be read: {error}")
        ) from None
    provider = IdentityProvider(
        issuer=issuer,
        audience=audience.strip(),
        algorithms=sorted(set(algorithms)),
        email_claim=email_claim,
        link_by_verified_email=link_by_verified_email,
        enabled=True,
    )
    session.add(provider)
    await flush_unique(session, ISSUER_TAKEN)
    return provider


async def identity_providers(reader: Reader) -> list[IdentityProvider]:
    """The issuers the tenant trusts, by issuer (tenant admins)."""
    authz.require(reader.principal, Action.ACCESS_MANAGE)
    rows = await reader.session.scalars(select(IdentityProvider).order_by(IdentityProvider.issuer))
    return list(rows)


async def set_identity_provider_enabled(
    session: AsyncSession, principal: Principal | None, provider_id: uuid.UUID, enabled: bool
) -> IdentityProvider:
    authz.require(principal, Action.ACCESS_MANAGE)
    provider = await session.scalar(
        select(IdentityProvider).where(IdentityProvider.id == provider_id)
    )
    if provider is None:
        raise NotFound("IdentityProvider")
    provider.enabled = enabled
    await session.flush()
    return provider


async def trusted_provider(session: AsyncSession, issuer: str) -> ProviderConfig | None:
    """The enabled provider of this tenant with this issuer, if any."""
    provider = await session.scalar(
        select(IdentityProvider).where(
            IdentityProvider.issuer == issuer, IdentityProvider.enabled.is_(True)
        )
    )
    if provider is None:
        return None
    return ProviderConfig(
        issuer=provider.issuer,
        audience=provider.audience,
        algorithms=tuple(provider.algorithms),
        email_claim=provider.email_claim,
        link_by_email=provider.link_by_verified_email,
    )
