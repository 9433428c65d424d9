from __future__ import annotations

import strawberry

from chapters.api.errors import UserError
from chapters.api.ids import decode_id
from chapters.api.mutations import mutate
from chapters.auth.oidc import JwksCache
from chapters.clients import service
from chapters.clients.types import ApiClientType, ClientKindType, IdentityProviderType
from chapters.models import ApiClient, ClientKind, IdentityProvider


@strawberry.input
class ApiClientCreateInput:
    name: str
    kind: ClientKindType
    scopes: list[str] = strawberry.field(
        description="chapters:read, activities:read, activities:write, export, metrics:read, "
        "contributions:write (partners: chapters:read and activities:read)."
    )
    organisation_id: strawberry.ID | None = strawberry.field(
        default=None, description="Required for partner clients: the organisation they act for."
    )


@strawberry.type
class ApiClientSecretPayload:
    client: ApiClientType | None
    client_secret: str | None = strawberry.field(
        description="Shown once: store it now. Only a hash is kept."
    )
    errors: list[UserError]


@strawberry.type
class ApiClientPayload:
    client: ApiClientType | None
    errors: list[UserError]


@strawberry.input
class IdentityProviderAddInput:
    issuer: str = strawberry.field(description="Exactly as in the tokens' `iss` claim.")
    audience: str = strawberry.field(description="The `aud` the provider puts in its tokens.")
    algorithms: list[str] = strawberry.field(default_factory=lambda: ["RS256"])
    email_claim: str = "email"
    link_by_verified_email: bool = strawberry.field(
        default=False,
        description="On a first sign-in, link the identity to the person with that verified email.",
    )


@strawberry.type
class IdentityProviderPayload:
    provider: IdentityProviderType | None
    errors: list[UserError]


def _provider_keys(info: strawberry.Info) -> JwksCache:
    """The app's key cache of identity providers (what sign-in uses): adding a provider fills
    it, through the same guarded HTTP client."""
    keys: JwksCache = info.context.request.app.state.runtime.verifiers.jwks
    return keys


def _secret_payload(issued: service.IssuedSecret) -> ApiClientSecretPayload:
    return ApiClientSecretPayload(
        client=ApiClientType.from_model(issued.client), client_secret=issued.secret, errors=[]
    )


def _secret_failed(errors: list[UserError]) -> ApiClientSecretPayload:
    return ApiClientSecretPayload(client=None, client_secret=None, errors=errors)


def _client_payload(client: ApiClient) -> ApiClientPayload:
    return ApiClientPayload(client=ApiClientType.from_model(client), errors=[])


def _client_failed(errors: list[UserError]) -> ApiClientPayload:
    return ApiClientPayload(client=None, errors=errors)


def _provider_payload(provider: IdentityProvider) -> IdentityProviderPayload:
    return IdentityProviderPayload(provider=IdentityProviderType.from_model(provider), errors=[])


def _provider_failed(errors: list[UserError]) -> IdentityProviderPayload:
    return IdentityProviderPayload(provider=None, errors=errors)


@strawberry.type
class ClientQuery:
    @strawberry.field(description="The tenant's API clients (tenant admins).")
    async def api_clients(self, info: strawberry.Info) -> list[ApiClientType]:
        clients = await service.api_clients(info.context)
        return [ApiClientType.from_model(client) for client in clients]

    @strawberry.field(description="The OpenID Connect issuers this tenant trusts (tenant admins).")
    async def identity_providers(self, info: strawberry.Info) -> list[IdentityProviderType]:
        providers = await service.identity_providers(info.context)
        return [IdentityProviderType.from_model(provider) for provider in providers]


@strawberry.type
class ClientMutation:
    @strawberry.mutation(description="Create an API client; its secret is returned once.")
    async def api_client_create(
        self, info: strawberry.Info, input: ApiClientCreateInput
    ) -> ApiClientSecretPayload:
        ctx = info.context

        async def work() -> service.IssuedSecret:
            organisation_id = (
                decode_id(input.organisation_id, "Organisation", "organisationId")
                if input.organisation_id
                else None
            )
            return await service.create_client(
                ctx.session,
                ctx.principal,
                name=input.name,
                kind=ClientKind(input.kind),
                scopes=list(input.scopes),
                organisation_id=organisation_id,
            )

        return await mutate(info, work, present=_secret_payload, failed=_secret_failed)

    @strawberry.mutation(description="Replace a client's secret; the old one stops working.")
    async def api_client_rotate_secret(
        self, info: strawberry.Info, id: strawberry.ID
    ) -> ApiClientSecretPayload:
        ctx = info.context

        async def work() -> service.IssuedSecret:
            return await service.rotate_secret(
                ctx.session, ctx.principal, decode_id(id, "ApiClient", "id")
            )

        return await mutate(info, work, present=_secret_payload, failed=_secret_failed)

    @strawberry.mutation(description="Revoke a client: no new tokens, and issued ones are refused.")
    async def api_client_revoke(self, info: strawberry.Info, id: strawberry.ID) -> ApiClientPayload:
        ctx = info.context

        async def work() -> ApiClient:
            return await service.revoke_client(
                ctx.session, ctx.principal, decode_id(id, "ApiClient", "id")
            )

        return await mutate(info, work, present=_client_payload, failed=_client_failed)

    @strawberry.mutation(description="Trust an OpenID Connect issuer for sign-in.")
    async def identity_provider_add(
        self, info: strawberry.Info, input: IdentityProviderAddInput
    ) -> IdentityProviderPayload:
        ctx = info.context

        async def work() -> IdentityProvider:
            return await service.add_identity_provider(
                ctx.session,
                ctx.principal,
                issuer=input.issuer,
                audience=input.audience,
                algorithms=list(input.algorithms),
                email_claim=input.email_claim,
                link_by_verified_email=input.link_by_verified_email,
                provider_keys=_provider_keys(info),
            )

        return await mutate(info, work, present=_provider_payload, failed=_provider_failed)

    @strawberry.mutation(description="Stop or resume trusting an issuer.")
    async def identity_provider_set_enabled(
        self, info: strawberry.Info, id: strawberry.ID, enabled: bool
    ) -> IdentityProviderPayload:
        ctx = info.context

        async def work() -> IdentityProvider:
            return await service.set_identity_provider_enabled(
                ctx.session, ctx.principal, decode_id(id, "IdentityProvider", "id"), enabled
            )

        return await mutate(info, work, present=_provider_payload, failed=_provider_failed)
