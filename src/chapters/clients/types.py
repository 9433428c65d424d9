from __future__ import annotations

import uuid
from datetime import datetime
from typing import Self, TypeAlias

import strawberry

from chapters import models as m
from chapters.api.ids import global_id
from chapters.models import ClientKind

strawberry.enum(ClientKind, name="ApiClientKind")
ClientKindType: TypeAlias = ClientKind


@strawberry.type(name="ApiClient", description="An OAuth2 client (client credentials).")
class ApiClientType:
    id: strawberry.ID
    client_id: str
    name: str
    kind: ClientKindType
    scopes: list[str]
    organisation_id: strawberry.ID | None
    created_at: datetime
    secret_rotated_at: datetime | None
    revoked_at: datetime | None
    uuid: strawberry.Private[uuid.UUID]

    @classmethod
    def from_model(cls, client: m.ApiClient) -> Self:
        return cls(
            id=strawberry.ID(global_id("ApiClient", client.id)),
            uuid=client.id,
            client_id=client.client_id,
            name=client.name,
            kind=client.kind,
            scopes=list(client.scopes),
            organisation_id=strawberry.ID(global_id("Organisation", client.organisation_id))
            if client.organisation_id
            else None,
            created_at=client.created_at,
            secret_rotated_at=client.secret_rotated_at,
            revoked_at=client.revoked_at,
        )


@strawberry.type(
    name="IdentityProviderKeyStatus",
    description="How the last fetch of a provider's discovery document and key set went, in "
    "the server process that answers (each process fetches on its own).",
)
class IdentityProviderKeyStatusType:
    last_fetch_at: datetime
    ok: bool
    error: str | None = strawberry.field(description="What failed, when the fetch failed.")
    key_count: int = strawberry.field(
        description="Keys held now: after a failed fetch, those of the last good one."
    )


@strawberry.type(
    name="IdentityProvider", description="An OpenID Connect issuer trusted for sign-in."
)
class IdentityProviderType:
    id: strawberry.ID
    issuer: str
    audience: str
    algorithms: list[str]
    email_claim: str
    link_by_verified_email: bool
    enabled: bool

    @strawberry.field(
        description="The last key fetch of the answering server process; null when it has "
        "not fetched this provider's keys since it started (a sign-in or re-adding does)."
    )
    def key_status(self, info: strawberry.Info) -> IdentityProviderKeyStatusType | None:
        runtime = getattr(info.context.request.app.state, "runtime", None)
        status = runtime.verifiers.jwks.status(self.issuer) if runtime is not None else None
        if status is None:
            return None
        return IdentityProviderKeyStatusType(
            last_fetch_at=status.last_fetch_at,
            ok=status.ok,
            error=status.error,
            key_count=status.key_count,
        )

    @classmethod
    def from_model(cls, provider: m.IdentityProvider) -> Self:
        return cls(
            id=strawberry.ID(global_id("IdentityProvider", provider.id)),
            issuer=provider.issuer,
            audience=provider.audience,
            algorithms=list(provider.algorithms),
            email_claim=provider.email_claim,
            link_by_verified_email=provider.link_by_verified_email,
            enabled=provider.enabled,
        )
