from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from chapters.models.base import Base, TenantScoped


class AuditEntry(TenantScoped, Base):
    """Append-only: the app role may insert and read, never update or delete."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_occurred", "tenant_id", "occurred_at"),
        Index("ix_audit_log_object", "tenant_id", "object_type", "object_id"),
        Index("ix_audit_log_actor", "tenant_id", "actor_id", "occurred_at"),
    )

    occurred_at: Mapped[datetime] = mapped_column(server_default=func.now())
    # The acting person (or, later, API client); no foreign key: the log outlives its actors.
    actor_id: Mapped[uuid.UUID | None]
    action: Mapped[str] = mapped_column(String(100))
    object_type: Mapped[str] = mapped_column(String(50))
    object_id: Mapped[uuid.UUID]
    # {"field": [before, after], ...}
    changes: Mapped[dict[str, Any]] = mapped_column(JSONB)
    request_id: Mapped[str | None] = mapped_column(String(64))
