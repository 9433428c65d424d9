"""procrastinate's job table, read as rows (its schema is procrastinate's, not ours: mapped
on a registry of its own, so Alembic never tries to manage it)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, MetaData, String, literal_column
from sqlalchemy.dialects.postgresql import ENUM, JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from chapters.models import Base


class JobState(enum.StrEnum):
    """Where a job stands (procrastinate's ``procrastinate_job_status``)."""

    TODO = "todo"
    DOING = "doing"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    ABORTING = "aborting"  # procrastinate's legacy state, shown as DOING: it is still running
    ABORTED = "aborted"


class _QueueTables(DeclarativeBase):
    metadata = MetaData()
    type_annotation_map = Base.type_annotation_map


class QueueJob(_QueueTables):
    """A row of ``procrastinate_jobs`` (read only: the queue's own functions change it)."""

    __tablename__ = "procrastinate_jobs"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    queue_name: Mapped[str] = mapped_column(String(128))
    task_name: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(
        ENUM(
            *(state.value for state in JobState), name="procrastinate_job_status", create_type=False
        )
    )
    args: Mapped[dict[str, Any]] = mapped_column(JSONB)
    scheduled_at: Mapped[datetime | None]
    attempts: Mapped[int]


def of_tenant(tenant_id: Any) -> ColumnElement[bool]:
    """The tenant's jobs (RLS already binds a tenant's transaction to them; this says it in
    the statement too, with the key written out)."""
    return literal_column("procrastinate_jobs.args ->> 'tenant_id'") == str(tenant_id)
