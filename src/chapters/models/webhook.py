from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from chapters.models.base import Base, TenantScoped, Timestamped, str_enum, tenant_fk


class WebhookEndpoint(TenantScoped, Timestamped, Base):
    """An address a tenant admin registered to be told about events, signed per Standard
    Webhooks. ``event_types`` lists the catalog's names it subscribes to (NULL: every event).
    Deliveries carry ids and changed fields; names and emails only when
    ``include_personal_data`` is granted. After too many failed attempts in a row the endpoint
    is disabled (``disabled_at``, ``disabled_reason``) until an admin enables it again."""

    __tablename__ = "webhook_endpoints"
    __table_args__ = (
        tenant_fk("created_by_id", "people"),
        Index("ix_webhook_endpoints_created", "tenant_id", "created_at"),
    )

    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str | None] = mapped_column(String(500))
    event_types: Mapped[list[str] | None] = mapped_column(ARRAY(String(64)))
    include_personal_data: Mapped[bool] = mapped_column(server_default=text("false"))
    enabled: Mapped[bool] = mapped_column(server_default=text("true"))
    disabled_at: Mapped[datetime | None]
    disabled_reason: Mapped[str | None] = mapped_column(String(500))
    consecutive_failures: Mapped[int] = mapped_column(server_default=text("0"))
    created_by_id: Mapped[uuid.UUID | None]


class WebhookSecret(TenantScoped, Base):
    """A signing secret of an endpoint (``whsec_…``). Rotating adds a new one and gives the
    previous ones an ``expires_at``: until then deliveries carry a signature by each, so a
    receiver can switch at its own pace. Shown once, when made; never in the audit log.

    Stored sealed (``chapters.secretbox``): signing needs the secret itself, so it cannot be
    hashed, but a dump of the table or a stray read shows only a token the worker opens."""

    __tablename__ = "webhook_secrets"
    __table_args__ = (
        tenant_fk("endpoint_id", "webhook_endpoints", ondelete="CASCADE"),
        Index("ix_webhook_secrets_endpoint", "tenant_id", "endpoint_id"),
    )

    endpoint_id: Mapped[uuid.UUID]
    sealed_secret: Mapped[str] = mapped_column(Text, info={"secret": True})
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    expires_at: Mapped[datetime | None]


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for its (next) attempt
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # attempts exhausted, or the endpoint was disabled or deleted


class WebhookDelivery(TenantScoped, Timestamped, Base):
    """One event for one endpoint: made once (UNIQUE endpoint, event), however often the
    event's dispatch runs. ``webhook_id`` is the Standard Webhooks idempotency key, the same on
    every attempt; ``payload`` is the body, fixed when the delivery is made.
    ``attempt_log`` keeps the latest attempts (time, response code or error)."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        tenant_fk("endpoint_id", "webhook_endpoints", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "endpoint_id", "event_id"),
        UniqueConstraint("tenant_id", "webhook_id"),
        Index("ix_webhook_deliveries_endpoint", "tenant_id", "endpoint_id", "created_at"),
    )

    endpoint_id: Mapped[uuid.UUID]
    event_id: Mapped[uuid.UUID]
    event_type: Mapped[str] = mapped_column(String(64))
    webhook_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    status: Mapped[DeliveryStatus] = mapped_column(str_enum(DeliveryStatus, "status"))
    attempts: Mapped[int] = mapped_column(server_default=text("0"))
    last_attempt_at: Mapped[datetime | None]
    next_attempt_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    last_status_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    response_excerpt: Mapped[str | None] = mapped_column(Text)
    attempt_log: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, server_default=text("'[]'::jsonb")
    )
