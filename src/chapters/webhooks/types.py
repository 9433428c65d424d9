"""Webhook endpoints and deliveries as tenant admins see them (never a secret)."""

from __future__ import annotations

from datetime import datetime
from typing import Self, TypeAlias, cast

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from chapters.api.ids import global_id
from chapters.models.webhook import DeliveryStatus, WebhookDelivery, WebhookEndpoint

strawberry.enum(DeliveryStatus, name="WebhookDeliveryStatus")
DeliveryStatusType: TypeAlias = DeliveryStatus


@strawberry.type(
    name="WebhookEndpoint",
    description="An address told about the tenant's events, signed per Standard Webhooks.",
)
class WebhookEndpointType:
    id: strawberry.ID
    url: str
    description: str | None
    event_types: list[str] | None = strawberry.field(
        description="The event types it receives (e.g. activity.accepted); null: all of them."
    )
    include_personal_data: bool = strawberry.field(
        description="Whether payloads carry names and email addresses; otherwise only ids."
    )
    enabled: bool
    disabled_at: datetime | None
    disabled_reason: str | None = strawberry.field(
        description="Why it stopped receiving: an admin, or too many failed attempts in a row."
    )
    consecutive_failures: int = strawberry.field(
        description="Failed attempts since the last success; at the deployment's limit the "
        "endpoint is disabled."
    )
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_model(cls, endpoint: WebhookEndpoint) -> Self:
        return cls(
            id=strawberry.ID(global_id("WebhookEndpoint", endpoint.id)),
            url=endpoint.url,
            description=endpoint.description,
            event_types=list(endpoint.event_types) if endpoint.event_types is not None else None,
            include_personal_data=endpoint.include_personal_data,
            enabled=endpoint.enabled,
            disabled_at=endpoint.disabled_at,
            disabled_reason=endpoint.disabled_reason,
            consecutive_failures=endpoint.consecutive_failures,
            created_at=endpoint.created_at,
            updated_at=endpoint.updated_at,
        )


@strawberry.type(name="WebhookAttempt", description="One attempt to deliver.")
class WebhookAttemptType:
    attempt: int
    at: datetime
    status_code: int | None = strawberry.field(description="The receiver's HTTP status.")
    error: str | None = strawberry.field(description="Why no answer came (refused, timeout …).")
    duration_ms: int


@strawberry.type(
    name="WebhookDelivery", description="One event for one endpoint, and how sending it went."
)
class WebhookDeliveryType:
    id: strawberry.ID
    endpoint_id: strawberry.ID
    event_type: str
    webhook_id: str = strawberry.field(
        description="The webhook-id header: the same on every attempt (receivers dedupe by it)."
    )
    status: DeliveryStatusType
    attempts: int
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None = strawberry.field(
        description="When the next attempt is due (pending deliveries)."
    )
    delivered_at: datetime | None
    last_status_code: int | None = strawberry.field(
        description="The HTTP status of the last attempt."
    )
    last_error: str | None
    response_excerpt: str | None = strawberry.field(
        description="The start of the receiver's last answer."
    )
    payload: JSON = strawberry.field(description="The body sent.")
    attempt_log: list[WebhookAttemptType] = strawberry.field(
        description="The latest attempts, oldest first."
    )
    created_at: datetime

    @classmethod
    def from_model(cls, delivery: WebhookDelivery) -> Self:
        return cls(
            id=strawberry.ID(global_id("WebhookDelivery", delivery.id)),
            endpoint_id=strawberry.ID(global_id("WebhookEndpoint", delivery.endpoint_id)),
            event_type=delivery.event_type,
            webhook_id=delivery.webhook_id,
            status=delivery.status,
            attempts=delivery.attempts,
            last_attempt_at=delivery.last_attempt_at,
            next_attempt_at=delivery.next_attempt_at,
            delivered_at=delivery.delivered_at,
            last_status_code=delivery.last_status_code,
            last_error=delivery.last_error,
            response_excerpt=delivery.response_excerpt,
            payload=cast(JSON, delivery.payload),
            attempt_log=[
                WebhookAttemptType(
                    attempt=entry["attempt"],
                    at=datetime.fromisoformat(entry["at"]),
                    status_code=entry.get("status_code"),
                    error=entry.get("error"),
                    duration_ms=entry.get("duration_ms") or 0,
                )
                for entry in delivery.attempt_log or []
            ],
            created_at=delivery.created_at,
        )


@strawberry.type(name="WebhookEndpointConnection")
class WebhookEndpointConnection(relay.Connection[WebhookEndpointType]):  # type: ignore[type-var]
    pass


@strawberry.type(name="WebhookDeliveryConnection")
class WebhookDeliveryConnection(relay.Connection[WebhookDeliveryType]):  # type: ignore[type-var]
    pass
