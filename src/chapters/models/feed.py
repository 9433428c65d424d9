from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Index, LargeBinary, func, text
from sqlalchemy.orm import Mapped, mapped_column

from chapters.models.base import Base, TenantScoped, tenant_fk


class CalendarFeedToken(TenantScoped, Base):
    """The secret of a person's private calendar feed, which sits in its URL.

    Only the SHA-256 of the token is stored (the token is 256 random bits, so a fast hash is
    enough): the URL is shown once, when the feed is created. A person has at most one live
    token; creating a feed again revokes the previous one, and a revoked token answers 404."""

    __tablename__ = "calendar_feed_tokens"
    __table_args__ = (
        tenant_fk("person_id", "people", ondelete="CASCADE"),
        Index("uq_calendar_feed_tokens_hash", "tenant_id", "token_hash", unique=True),
        Index(
            "uq_calendar_feed_tokens_live",
            "tenant_id",
            "person_id",
            unique=True,
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )

    person_id: Mapped[uuid.UUID]
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), info={"secret": True})
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    revoked_at: Mapped[datetime | None]
