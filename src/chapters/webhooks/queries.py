"""What tenant admins read of webhooks: the endpoints, and each endpoint's delivery log."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from chapters import authz
from chapters.authz import Action
from chapters.db.loaders import Reader
from chapters.db.pagination import Ordering, Page, PageArgs, paginate
from chapters.errors import NotFound
from chapters.models.webhook import DeliveryStatus, WebhookDelivery, WebhookEndpoint

OLDEST_FIRST = Ordering((WebhookEndpoint.created_at, WebhookEndpoint.id))
NEWEST_FIRST = Ordering((WebhookDelivery.created_at, WebhookDelivery.id), descending=True)


async def endpoints(reader: Reader, args: PageArgs) -> Page[WebhookEndpoint]:
    authz.require(reader.principal, Action.WEBHOOK_MANAGE)
    return await paginate(reader.session, select(WebhookEndpoint), OLDEST_FIRST, args)


async def endpoint(reader: Reader, endpoint_id: uuid.UUID) -> WebhookEndpoint | None:
    if not authz.can(reader.principal, Action.WEBHOOK_MANAGE):
        return None
    row: WebhookEndpoint | None = await reader.session.scalar(
        select(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id)
    )
    return row


async def deliveries(
    reader: Reader,
    endpoint_id: uuid.UUID,
    statuses: tuple[DeliveryStatus, ...],
    args: PageArgs,
) -> Page[WebhookDelivery]:
    """An endpoint's deliveries, newest first (``statuses``: only those)."""
    authz.require(reader.principal, Action.WEBHOOK_MANAGE)
    known = await reader.session.scalar(
        select(WebhookEndpoint.id).where(WebhookEndpoint.id == endpoint_id)
    )
    if known is None:
        raise NotFound("Webhook endpoint", field="endpoint_id")
    statement = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
    if statuses:
        statement = statement.where(WebhookDelivery.status.in_(statuses))
    return await paginate(reader.session, statement, NEWEST_FIRST, args)
