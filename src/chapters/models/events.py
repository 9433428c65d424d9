from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, String, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from chapters.models.base import Base, TenantScoped


class DomainEvent(TenantScoped, Base):
    """Something that happened in the tenant that people or systems may be told about
    (``activity.accepted``, ``membership.joined`` …), written in the transaction of the change
    itself; ``chapters.events`` derives it from the rows the change wrote and hands it to the
    job queue. ``data`` holds ids and the changed fields, never personal data."""

    __tablename__ = "domain_events"
    __table_args__ = (Index("ix_domain_events_occurred", "tenant_id", "occurred_at"),)

    type: Mapped[str] = mapped_column(String(64))
    subject_id: Mapped[uuid.UUID]
    chapter_id: Mapped[uuid.UUID | None]
    activity_id: Mapped[uuid.UUID | None]
    person_id: Mapped[uuid.UUID | None]
    actor_id: Mapped[uuid.UUID | None]
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    occurred_at: Mapped[datetime] = mapped_column(server_default=func.now())


class JobError(TenantScoped, Base):
    """Why an attempt of a tenant's job failed: the queue keeps states, not reasons, and the
    admins who retry a failed job want to know what went wrong."""

    __tablename__ = "job_errors"
    __table_args__ = (Index("ix_job_errors_job", "tenant_id", "job_id", "occurred_at"),)

    job_id: Mapped[int] = mapped_column(BigInteger)
    task: Mapped[str] = mapped_column(String(128))
    attempt: Mapped[int]
    error: Mapped[str] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(server_default=func.now())
