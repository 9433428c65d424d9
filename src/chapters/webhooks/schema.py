"""This domain's root fields: tenant admins manage webhook endpoints and read deliveries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from chapters.api.connections import connection
from chapters.api.errors import UserError
from chapters.api.ids import decode_id
from chapters.api.mutations import mutate
from chapters.db.pagination import PageArgs
from chapters.webhooks import queries, service
from chapters.webhooks.types import (
    DeliveryStatusType,
    WebhookDeliveryConnection,
    WebhookDeliveryType,
    WebhookEndpointConnection,
    WebhookEndpointType,
)

_EVENT_TYPES_HELP = (
    "Event type names (activity.accepted, membership.joined …; see the README's list); "
    "null: every event, now and future."
)


def _allow_private_networks(info: strawberry.Info) -> bool:
    runtime = getattr(info.context.request.app.state, "runtime", None)
    return bool(runtime is not None and runtime.settings.webhook_allow_private_networks)


@strawberry.input
class WebhookEndpointCreateInput:
    url: str = strawberry.field(
        description="https:// (http:// only where the deployment allows private networks)."
    )
    event_types: list[str] | None = strawberry.field(description=_EVENT_TYPES_HELP)
    description: str | None = None
    include_personal_data: bool = strawberry.field(
        default=False,
        description="Send names and email addresses of the people an event is about.",
    )


@strawberry.input(description="Fields to change; omitted fields stay.")
class WebhookEndpointUpdateInput:
    id: strawberry.ID
    url: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    event_types: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description=_EVENT_TYPES_HELP
    )
    include_personal_data: bool | None = strawberry.UNSET
    enabled: bool | None = strawberry.field(
        default=strawberry.UNSET,
        description="false stops deliveries; true resumes them and resets the failure count.",
    )


@strawberry.type
class WebhookEndpointSecretPayload:
    endpoint: WebhookEndpointType | None
    secret: str | None = strawberry.field(
        description="The signing secret (whsec_…), shown once: store it now."
    )
    previous_secrets_expire_at: datetime | None = strawberry.field(
        description="After a rotation: until then deliveries are also signed with the "
        "previous secret."
    )
    errors: list[UserError]


@strawberry.type
class WebhookEndpointPayload:
    endpoint: WebhookEndpointType | None
    errors: list[UserError]


@strawberry.type
class WebhookEndpointDeletePayload:
    deleted_id: strawberry.ID | None
    errors: list[UserError]


@strawberry.type
class WebhookDeliveryPayload:
    delivery: WebhookDeliveryType | None
    errors: list[UserError]


def _secret_payload(issued: service.IssuedSecret) -> WebhookEndpointSecretPayload:
    return WebhookEndpointSecretPayload(
        endpoint=WebhookEndpointType.from_model(issued.endpoint),
        secret=issued.secret,
        previous_secrets_expire_at=issued.previous_expire_at,
        errors=[],
    )


def _secret_failed(errors: list[UserError]) -> WebhookEndpointSecretPayload:
    return WebhookEndpointSecretPayload(
        endpoint=None, secret=None, previous_secrets_expire_at=None, errors=errors
    )


def _endpoint_failed(errors: list[UserError]) -> WebhookEndpointPayload:
    return WebhookEndpointPayload(endpoint=None, errors=errors)


def _delete_failed(errors: list[UserError]) -> WebhookEndpointDeletePayload:
    return WebhookEndpointDeletePayload(deleted_id=None, errors=errors)


def _delivery_failed(errors: list[UserError]) -> WebhookDeliveryPayload:
    return WebhookDeliveryPayload(delivery=None, errors=errors)


@strawberry.type
class WebhookQuery:
    @strawberry.field(description="The tenant's webhook endpoints, oldest first (tenant admins).")
    async def webhook_endpoints(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> WebhookEndpointConnection:
        args = PageArgs(first=first, after=after, last=last, before=before)
        page = await queries.endpoints(info.context, args)
        return connection(WebhookEndpointConnection, page, WebhookEndpointType.from_model)

    @strawberry.field(description="One webhook endpoint (tenant admins); null if none.")
    async def webhook_endpoint(
        self, info: strawberry.Info, id: strawberry.ID
    ) -> WebhookEndpointType | None:
        endpoint = await queries.endpoint(info.context, decode_id(id, "WebhookEndpoint", "id"))
        return WebhookEndpointType.from_model(endpoint) if endpoint else None

    @strawberry.field(
        description="An endpoint's delivery log, newest first (tenant admins): status, "
        "attempts, response codes."
    )
    async def webhook_deliveries(
        self,
        info: strawberry.Info,
        endpoint_id: strawberry.ID,
        status: list[DeliveryStatusType] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> WebhookDeliveryConnection:
        args = PageArgs(first=first, after=after, last=last, before=before)
        endpoint = decode_id(endpoint_id, "WebhookEndpoint", "endpoint_id")
        page = await queries.deliveries(info.context, endpoint, tuple(status or ()), args)
        return connection(WebhookDeliveryConnection, page, WebhookDeliveryType.from_model)


@strawberry.type
class WebhookMutation:
    @strawberry.mutation(
        description="Register a webhook endpoint (tenant admins); its signing secret is "
        "returned once."
    )
    async def webhook_endpoint_create(
        self, info: strawberry.Info, input: WebhookEndpointCreateInput
    ) -> WebhookEndpointSecretPayload:
        ctx = info.context

        async def work() -> service.IssuedSecret:
            return await service.create_endpoint(
                ctx.session,
                ctx.principal,
                url=input.url,
                description=input.description,
                event_types=list(input.event_types) if input.event_types is not None else None,
                include_personal_data=input.include_personal_data,
                allow_private_networks=_allow_private_networks(info),
            )

        return await mutate(info, work, present=_secret_payload, failed=_secret_failed)

    @strawberry.mutation(
        description="Change an endpoint's address, event types or personal-data grant; "
        "disable or re-enable it (tenant admins)."
    )
    async def webhook_endpoint_update(
        self, info: strawberry.Info, input: WebhookEndpointUpdateInput
    ) -> WebhookEndpointPayload:
        ctx = info.context
        changes: dict[str, Any] = {
            name: getattr(input, name)
            for name in service.UPDATABLE
            if getattr(input, name) is not strawberry.UNSET
        }

        async def work() -> WebhookEndpointType:
            endpoint = await service.update_endpoint(
                ctx.session,
                ctx.principal,
                decode_id(input.id, "WebhookEndpoint", "id"),
                changes,
                allow_private_networks=_allow_private_networks(info),
            )
            return WebhookEndpointType.from_model(endpoint)

        return await mutate(
            info,
            work,
            present=lambda endpoint: WebhookEndpointPayload(endpoint=endpoint, errors=[]),
            failed=_endpoint_failed,
        )

    @strawberry.mutation(
        description="Delete an endpoint with its delivery log; waiting deliveries are dropped."
    )
    async def webhook_endpoint_delete(
        self, info: strawberry.Info, id: strawberry.ID
    ) -> WebhookEndpointDeletePayload:
        ctx = info.context

        async def work() -> strawberry.ID:
            await service.delete_endpoint(
                ctx.session, ctx.principal, decode_id(id, "WebhookEndpoint", "id")
            )
            return id

        return await mutate(
            info,
            work,
            present=lambda deleted: WebhookEndpointDeletePayload(deleted_id=deleted, errors=[]),
            failed=_delete_failed,
        )

    @strawberry.mutation(
        description="A new signing secret, returned once; the previous one keeps signing for "
        "24 hours, so receivers can switch without losing a delivery."
    )
    async def webhook_endpoint_rotate_secret(
        self, info: strawberry.Info, id: strawberry.ID
    ) -> WebhookEndpointSecretPayload:
        ctx = info.context

        async def work() -> service.IssuedSecret:
            return await service.rotate_secret(
                ctx.session, ctx.principal, decode_id(id, "WebhookEndpoint", "id")
            )

        return await mutate(info, work, present=_secret_payload, failed=_secret_failed)

    @strawberry.mutation(
        description="Send a finished (delivered or failed) delivery again, now, with the same "
        "webhook-id."
    )
    async def webhook_delivery_retry(
        self, info: strawberry.Info, id: strawberry.ID
    ) -> WebhookDeliveryPayload:
        ctx = info.context

        async def work() -> WebhookDeliveryType:
            delivery = await service.redeliver(
                ctx.session, ctx.principal, decode_id(id, "WebhookDelivery", "id")
            )
            return WebhookDeliveryType.from_model(delivery)

        return await mutate(
            info,
            work,
            present=lambda delivery: WebhookDeliveryPayload(delivery=delivery, errors=[]),
            failed=_delivery_failed,
        )
