"""What this domain does when an event happens (called by ``chapters.events.dispatch``): a
delivery for each enabled endpoint subscribed to the event's type, and a job to send it.

The delivery's id, and so its ``webhook-id``, is derived from (endpoint, event), and the row is
inserted with ``ON CONFLICT DO NOTHING``: a dispatch that runs again makes no second delivery
and enqueues no second job (a job is enqueued only with a row that was inserted now).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.events.dispatch import Event
from chapters.models.webhook import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from chapters.webhooks import payloads, service

_DELIVERY_NAMESPACE = uuid.UUID("5b0e8f54-8a57-4d0b-9a51-6f3c2a7e9d10")


def delivery_id(endpoint_id: uuid.UUID, event_id: uuid.UUID) -> uuid.UUID:
    return uuid.uuid5(_DELIVERY_NAMESPACE, f"{endpoint_id}:{event_id}")


def webhook_id(delivery: uuid.UUID) -> str:
    return f"msg_{delivery.hex}"


async def on_event(session: AsyncSession, event: Event) -> None:
    endpoints = (
        await session.scalars(
            select(WebhookEndpoint)
            .where(
                WebhookEndpoint.enabled.is_(True),
                or_(
                    WebhookEndpoint.event_types.is_(None),
                    WebhookEndpoint.event_types.contains([event.type.value]),
                ),
            )
            .order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)
        )
    ).all()
    if not endpoints:
        return
    plain = payloads.payload(event, payloads.base_data(event))
    personal: dict[str, Any] | None = None
    now = datetime.now(UTC)
    for endpoint in endpoints:
        if endpoint.include_personal_data:
            if personal is None:
                extra = await payloads.personal_data(session, event)
                personal = payloads.payload(event, {**payloads.base_data(event), **extra})
            body = personal
        else:
            body = plain
        new_id = delivery_id(endpoint.id, event.id)
        inserted = await session.scalar(
            insert(WebhookDelivery)
            .values(
                tenant_id=event.tenant_id,
                id=new_id,
                endpoint_id=endpoint.id,
                event_id=event.id,
                event_type=event.type.value,
                webhook_id=webhook_id(new_id),
                payload=body,
                status=DeliveryStatus.PENDING,
                attempts=0,
                next_attempt_at=now,
            )
            .on_conflict_do_nothing()
            .returning(WebhookDelivery.id)
        )
        if inserted is not None:
            await service.schedule(session, inserted, attempt=1)
