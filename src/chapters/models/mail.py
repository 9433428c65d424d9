"""Mail to people: each message recorded once per (event, recipient), and one-click opt-outs."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from chapters.models.base import Base, TenantScoped, str_enum


class MailStatus(enum.StrEnum):
    """``queued`` until the SMTP server accepted it (a failed attempt leaves it queued, with
    ``attempts`` and ``last_error``); ``failed`` when the server refused it for good;
    ``suppressed`` when the recipient does not want mail of its kind (never sent)."""

    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"
    SUPPRESSED = "suppressed"


class MailMessage(TenantScoped, Base):
    """One message to one address. ``event_key`` names what caused it (a domain event's id,
    ``reminder:<activity>:<start>`` …): the unique key makes every producer idempotent.
    ``message_id`` is the RFC 5322 Message-ID, fixed when the row is written, so a message
    sent again after a crash carries the same id (the receiver's idempotency key).

    The body is rendered when the message is queued, except for messages of the confirmation
    outbox (``outbox_id``): those carry single-use secrets the app role may not read back,
    and are rendered at the moment they are sent (``mail.tasks``)."""

    __tablename__ = "mail_messages"
    __table_args__ = (
        UniqueConstraint("tenant_id", "event_key", "recipient"),
        UniqueConstraint("tenant_id", "message_id"),
        Index("ix_mail_messages_status", "tenant_id", "status", "created_at"),
    )
    __mapper_args__ = {"eager_defaults": True}

    kind: Mapped[str] = mapped_column(String(50))
    event_key: Mapped[str] = mapped_column(String(200))
    recipient: Mapped[str] = mapped_column(String(320))
    person_id: Mapped[uuid.UUID | None]
    locale: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(500))
    text_body: Mapped[str | None] = mapped_column(Text)
    html_body: Mapped[str | None] = mapped_column(Text)
    unsubscribe_url: Mapped[str | None] = mapped_column(String(1000))
    outbox_id: Mapped[uuid.UUID | None]
    status: Mapped[MailStatus] = mapped_column(str_enum(MailStatus, "status", length=16))
    attempts: Mapped[int] = mapped_column(Integer, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    sent_at: Mapped[datetime | None]


class MailUnsubscribe(TenantScoped, Base):
    """An address that asked (one click, no sign-in) for no more mail of a kind. Read beside
    the person's notification preferences: either one stops non-essential mail."""

    __tablename__ = "mail_unsubscribes"
    __table_args__ = (UniqueConstraint("tenant_id", "email", "kind"),)
    __mapper_args__ = {"eager_defaults": True}

    email: Mapped[str] = mapped_column(String(320))  # lower-cased
    kind: Mapped[str] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
