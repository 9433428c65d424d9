from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from chapters.models.base import Base, TenantScoped, Timestamped, str_enum, tenant_fk


class ContributionKind(enum.StrEnum):
    """What a code contribution was, in GitHub's words."""

    COMMIT = "commit"
    PULL_REQUEST = "pull_request"
    REVIEW = "review"
    ISSUE = "issue"
    OTHER = "other"


class CodeContribution(TenantScoped, Timestamped, Base):
    """A code contribution recorded by import (``chapters import-contributions``): the
    evidence that makes someone a code contributor. Keyed by its URL, so importing the same
    events again changes nothing. ``person_id`` is the person whose GitHub handle it is."""

    __tablename__ = "code_contributions"
    __table_args__ = (
        tenant_fk("person_id", "people", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "url"),
        Index("ix_code_contributions_person", "tenant_id", "person_id", "occurred_at"),
    )

    person_id: Mapped[uuid.UUID]
    github_handle: Mapped[str] = mapped_column(String(39))
    repository: Mapped[str] = mapped_column(String(200))
    kind: Mapped[ContributionKind] = mapped_column(str_enum(ContributionKind, "kind"))
    url: Mapped[str] = mapped_column(String(500))
    occurred_at: Mapped[datetime]
