from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, func, text
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


class InsightPersonMonth(Base):
    """The insight rollup: per person and month, what the person's evidence and memberships
    say, computed over all of them at once (``chapters.insight.rollup``). A person whose evidence changed
    since is marked in ``insight_stale_people`` and read live until refreshed. Moves are kept
    with their moment, so a figure as of any time reads only the rows before it."""

    __tablename__ = "insight_person_months"
    __table_args__ = (
        tenant_fk("person_id", "people", ondelete="CASCADE"),
        Index("ix_insight_person_months_person", "tenant_id", "person_id"),
        Index(
            "ix_insight_person_months_first_seen",
            "tenant_id",
            "first_seen_at",
            "person_id",
            postgresql_where=text("first_seen_at IS NOT NULL"),
        ),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    # the month's first moment (UTC), the key the figures' periods are cut by
    month: Mapped[datetime] = mapped_column(primary_key=True)
    person_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    # the first moment of evidence in the month, and in the next month (None: none)
    active_from: Mapped[datetime | None]
    next_active_from: Mapped[datetime | None]
    # the person's very first evidence, on the row of its month
    first_seen_at: Mapped[datetime | None]
    # when the person arrived (first joined a chapter, or first evidence), on its month's row
    arrived_at: Mapped[datetime | None]
    # the month's first return after an inactive stretch, and first lapse into one
    reactivated_at: Mapped[datetime | None]
    inactive_at: Mapped[datetime | None]
    # the month's first departure from the last chapter the person was in
    left_at: Mapped[datetime | None]


class InsightStalePerson(Base):
    """A person whose evidence changed since the rollup was computed for them: marked by
    triggers on the evidence tables, in the transaction that changed it (see the migration),
    and cleared by the refresh that recomputed them, unless marked again meanwhile."""

    __tablename__ = "insight_stale_people"

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    # no foreign key: a person deleted with their evidence is marked as their rows cascade
    person_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    marked_at: Mapped[datetime] = mapped_column(server_default=func.clock_timestamp())


class InsightRollup(Base):
    """The tenant's rollup: which rules it was computed with (a change of the rules that
    shape it makes it unusable until rebuilt) and when it was last built in full."""

    __tablename__ = "insight_rollups"

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    rules: Mapped[str] = mapped_column(String(100))
    built_at: Mapped[datetime]
    # a seat with no end is kept month by month up to here (exclusive): figures as of a later
    # time read live until the next rebuild moves it on
    covers_until: Mapped[datetime]
