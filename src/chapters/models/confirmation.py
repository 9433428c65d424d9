"""Changes to a person's account that wait for that person's confirmation, and the messages
that ask for it.

Linking a sign-in identity to someone is as powerful as becoming them, and an email address
must be proven before it is used; so both are first recorded here and applied only when the
person concerned confirms (or expire unconfirmed).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from chapters.models.base import Base, TenantScoped, tenant_fk


class IdentityLinkRequest(TenantScoped, Base):
    """A sign-in identity proposed for a person by a tenant admin: it signs in as nobody until
    the person, signed in as themself, confirms it."""

    __tablename__ = "identity_link_requests"
    __table_args__ = (
        tenant_fk("person_id", "people", ondelete="CASCADE"),
        tenant_fk("requested_by_id", "people", ondelete="CASCADE"),
        Index("ix_identity_link_requests_person", "tenant_id", "person_id", "expires_at"),
        # Every column: who may see a person's identities (also in the audit log).
        {"info": {"visible_to": "PERSON_READ_IDENTITIES"}},
    )
    __mapper_args__ = {"eager_defaults": True}  # created_at comes back with the INSERT

    person_id: Mapped[uuid.UUID]
    issuer: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(255))
    requested_by_id: Mapped[uuid.UUID]
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    expires_at: Mapped[datetime]


class EmailChangeRequest(TenantScoped, Base):
    """A person's request to use another email address, applied when they present the token
    sent to that address. Only the token's SHA-256 is kept."""

    __tablename__ = "email_change_requests"
    __table_args__ = (
        tenant_fk("person_id", "people", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "token_hash"),
        Index("ix_email_change_requests_person", "tenant_id", "person_id"),
    )
    __mapper_args__ = {"eager_defaults": True}

    person_id: Mapped[uuid.UUID]
    new_email: Mapped[str] = mapped_column(String(320), info={"visible_to": "PERSON_READ_EMAIL"})
    # Never in the audit log (entries say only that there was one).
    token_hash: Mapped[str] = mapped_column(String(64), info={"secret": True})
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    expires_at: Mapped[datetime]


class OutboxMessage(TenantScoped, Base):
    """A message waiting to be sent (a later job delivers them). It may carry a single-use
    token in its body, so the app role may only add messages, never read them, and they are
    written without an audit entry."""

    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_unsent", "tenant_id", "sent_at", "created_at"),)

    recipient: Mapped[str] = mapped_column(String(320))
    kind: Mapped[str] = mapped_column(String(50))
    body: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    sent_at: Mapped[datetime | None]
