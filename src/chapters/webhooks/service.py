"""Managing webhook endpoints (tenant admins): register an address for event types, change
or disable it, rotate its signing secret, delete it, send a delivery again.

A secret is shown once, when made (create, rotate), and stored sealed (``chapters.secretbox``):
only the worker opens it, to sign; the API never reads it back. Rotating keeps the previous
secrets valid for ``SECRET_OVERLAP``: deliveries until then carry a signature by each, so a
receiver can move to the new secret at its own pace.
"""

from __future__ import annotations

import base64
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters import authz, secretbox
from chapters.auth.principal import Principal
from chapters.authz import Action
from chapters.db.session import get_row
from chapters.errors import ErrorCode, FieldError, InvalidInput
from chapters.events.catalog import EventType
from chapters.jobs.queue import enqueue
from chapters.models.webhook import (
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookSecret,
)
from chapters.webhooks.urls import check_url

SECRET_OVERLAP = timedelta(hours=24)
SECRET_BYTES = 32
DESCRIPTION_LENGTH = 500
DELIVER_TASK = "webhooks.deliver"
QUEUE = "webhooks"
DISABLED_BY_ADMIN = "Disabled by an admin"
EVENT_TYPES = frozenset(event_type.value for event_type in EventType)
# What an update may change (omitted: unchanged).
UPDATABLE = frozenset({"url", "description", "event_types", "include_personal_data", "enabled"})


@dataclass(frozen=True)
class IssuedSecret:
    """An endpoint with a signing secret in clear: shown once, at creation or rotation."""

    endpoint: WebhookEndpoint
    secret: str
    # When the secrets it replaces stop signing (rotation only).
    previous_expire_at: datetime | None = None


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def check_event_types(
    event_types: list[str] | None, field: str = "event_types"
) -> list[str] | None:
    """The catalog's names, deduplicated and sorted; None (every event) stays None."""
    if event_types is None:
        return None
    errors = [
        FieldError(f"{field}.{index}", ErrorCode.INVALID, f"Unknown event type {name!r}")
        for index, name in enumerate(event_types)
        if name not in EVENT_TYPES
    ]
    if errors:
        raise InvalidInput(*errors)
    if not event_types:
        raise InvalidInput(
            FieldError(field, ErrorCode.REQUIRED, "Name at least one event type, or null for all")
        )
    return sorted(set(event_types))


def _description(value: str | None) -> str | None:
    text = (value or "").strip()
    if len(text) > DESCRIPTION_LENGTH:
        raise InvalidInput(
            FieldError(
                "description", ErrorCode.TOO_LONG, f"At most {DESCRIPTION_LENGTH} characters"
            )
        )
    return text or None


async def create_endpoint(
    session: AsyncSession,
    principal: Principal | None,
    *,
    url: str,
    description: str | None,
    event_types: list[str] | None,
    include_personal_data: bool,
    allow_private_networks: bool,
) -> IssuedSecret:
    caller = authz.require_caller(principal, Action.WEBHOOK_MANAGE)
    types = check_event_types(event_types)
    text = _description(description)
    checked = await check_url(url, allow_private_networks=allow_private_networks)
    endpoint = WebhookEndpoint(
        url=checked,
        description=text,
        event_types=types,
        include_personal_data=include_personal_data,
        enabled=True,
        consecutive_failures=0,
        created_by_id=caller.person_id,
    )
    session.add(endpoint)
    await session.flush()
    secret = new_secret()
    session.add(WebhookSecret(endpoint_id=endpoint.id, sealed_secret=secretbox.seal(secret)))
    await session.flush()
    return IssuedSecret(endpoint=endpoint, secret=secret)


async def update_endpoint(
    session: AsyncSession,
    principal: Principal | None,
    endpoint_id: uuid.UUID,
    changes: Mapping[str, Any],
    *,
    allow_private_networks: bool,
) -> WebhookEndpoint:
    """Apply ``changes`` (keys of ``UPDATABLE``). Enabling a disabled endpoint clears why it was
    disabled and its count of failures."""
    authz.require(principal, Action.WEBHOOK_MANAGE)
    endpoint = await get_row(session, WebhookEndpoint, endpoint_id, "Webhook endpoint", lock=True)
    cannot_clear = [
        FieldError(name, ErrorCode.REQUIRED, "This cannot be cleared")
        for name in ("url", "include_personal_data", "enabled")
        if name in changes and changes[name] is None
    ]
    if cannot_clear:
        raise InvalidInput(*cannot_clear)
    if "url" in changes:
        endpoint.url = await check_url(
            changes["url"], allow_private_networks=allow_private_networks
        )
    if "description" in changes:
        endpoint.description = _description(changes["description"])
    if "event_types" in changes:
        endpoint.event_types = check_event_types(changes["event_types"])
    if "include_personal_data" in changes:
        endpoint.include_personal_data = bool(changes["include_personal_data"])
    enabled = changes.get("enabled")
    if enabled is True and not endpoint.enabled:
        endpoint.enabled = True
        endpoint.disabled_at = None
        endpoint.disabled_reason = None
        endpoint.consecutive_failures = 0
    elif enabled is False and endpoint.enabled:
        endpoint.enabled = False
        endpoint.disabled_at = datetime.now(UTC)
        endpoint.disabled_reason = DISABLED_BY_ADMIN
    await session.flush()
    return endpoint


async def delete_endpoint(
    session: AsyncSession, principal: Principal | None, endpoint_id: uuid.UUID
) -> uuid.UUID:
    """Delete the endpoint with its secrets and delivery log; its waiting deliveries' jobs
    then find nothing to send."""
    authz.require(principal, Action.WEBHOOK_MANAGE)
    endpoint = await get_row(session, WebhookEndpoint, endpoint_id, "Webhook endpoint", lock=True)
    await session.delete(endpoint)
    await session.flush()
    return endpoint_id


async def rotate_secret(
    session: AsyncSession,
    principal: Principal | None,
    endpoint_id: uuid.UUID,
    *,
    overlap: timedelta = SECRET_OVERLAP,
) -> IssuedSecret:
    """A new signing secret; the current ones keep signing for ``overlap`` (not longer than
    they already would), expired ones are dropped."""
    authz.require(principal, Action.WEBHOOK_MANAGE)
    endpoint = await get_row(session, WebhookEndpoint, endpoint_id, "Webhook endpoint", lock=True)
    now = datetime.now(UTC)
    until = now + overlap
    current = (
        await session.scalars(select(WebhookSecret).where(WebhookSecret.endpoint_id == endpoint.id))
    ).all()
    for old in current:
        if old.expires_at is not None and old.expires_at <= now:
            await session.delete(old)
        elif old.expires_at is None or old.expires_at > until:
            old.expires_at = until
    secret = new_secret()
    session.add(WebhookSecret(endpoint_id=endpoint.id, sealed_secret=secretbox.seal(secret)))
    await session.flush()
    return IssuedSecret(endpoint=endpoint, secret=secret, previous_expire_at=until)


async def redeliver(
    session: AsyncSession, principal: Principal | None, delivery_id: uuid.UUID
) -> WebhookDelivery:
    """Send a finished delivery again (same webhook-id, so a receiver that has it can tell),
    now, with a fresh series of attempts."""
    authz.require(principal, Action.WEBHOOK_MANAGE)
    delivery = await get_row(session, WebhookDelivery, delivery_id, "Webhook delivery", lock=True)
    if delivery.status == DeliveryStatus.PENDING:
        raise InvalidInput(
            FieldError("id", ErrorCode.CONFLICT, "The delivery is already waiting to be sent")
        )
    endpoint = await session.scalar(
        select(WebhookEndpoint).where(WebhookEndpoint.id == delivery.endpoint_id)
    )
    if endpoint is None or not endpoint.enabled:
        raise InvalidInput(
            FieldError("id", ErrorCode.INVALID, "The endpoint is disabled: enable it first")
        )
    now = datetime.now(UTC)
    delivery.status = DeliveryStatus.PENDING
    delivery.next_attempt_at = now
    await session.flush()
    await schedule(session, delivery.id, attempt=delivery.attempts + 1)
    return delivery


async def schedule(
    session: AsyncSession,
    delivery_id: uuid.UUID,
    *,
    attempt: int,
    at: datetime | None = None,
) -> None:
    """Enqueue attempt number ``attempt`` of a delivery (in the session's transaction). The
    number makes a stale job harmless: it runs only if it is still the delivery's next."""
    await enqueue(
        session,
        DELIVER_TASK,
        queue=QUEUE,
        scheduled_at=at,
        delivery_id=str(delivery_id),
        attempt=attempt,
    )
