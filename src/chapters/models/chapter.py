from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from chapters.models.base import Base, TenantScoped, Timestamped, str_enum, tenant_fk


class ChapterStatus(enum.StrEnum):
    FORMING = "forming"
    ACTIVE = "active"
    DORMANT = "dormant"
    ARCHIVED = "archived"


class ChapterRole(enum.StrEnum):
    LEAD = "lead"
    CO_LEAD = "co_lead"
    MEMBER = "member"


class MembershipStatus(enum.StrEnum):
    INVITED = "invited"
    ACTIVE = "active"
    LEFT = "left"


class Chapter(TenantScoped, Timestamped, Base):
    __tablename__ = "chapters"
    __table_args__ = (
        UniqueConstraint("tenant_id", "slug"),
        tenant_fk("parent_id", "chapters"),
        tenant_fk("committee_id", "committees"),
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
        Index("ix_chapters_tenant_id_parent_id", "tenant_id", "parent_id"),
    )

    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(63))
    city: Mapped[str | None] = mapped_column(String(100))
    region: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str | None] = mapped_column(String(2))
    timezone: Mapped[str] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(Text)
    parent_id: Mapped[uuid.UUID | None]
    committee_id: Mapped[uuid.UUID | None]
    status: Mapped[ChapterStatus] = mapped_column(str_enum(ChapterStatus, "status"))
    founded_on: Mapped[date | None] = mapped_column(Date)
    # [{"kind": "website" | "wechat" | ..., "url": "https://..."}]
    contact_links: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, server_default=text("'[]'::jsonb")
    )
    # Whether anyone, signed in or not, may register for its activities with a name and an
    # email (confirmed by a link); otherwise only the tenant's signed-in people may.
    public_registration: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )


class ChapterStatusChange(TenantScoped, Base):
    """Every status a chapter has had: who changed it, when and why."""

    __tablename__ = "chapter_status_changes"
    __table_args__ = (
        tenant_fk("chapter_id", "chapters", ondelete="CASCADE"),
        tenant_fk("changed_by_id", "people"),
        Index("ix_chapter_status_changes_chapter", "tenant_id", "chapter_id", "changed_at"),
    )

    chapter_id: Mapped[uuid.UUID]
    from_status: Mapped[ChapterStatus | None] = mapped_column(
        str_enum(ChapterStatus, "from_status")
    )
    to_status: Mapped[ChapterStatus] = mapped_column(str_enum(ChapterStatus, "to_status"))
    reason: Mapped[str | None] = mapped_column(Text)
    changed_by_id: Mapped[uuid.UUID | None]
    changed_at: Mapped[datetime] = mapped_column(server_default=func.now())


class ChapterMembership(TenantScoped, Timestamped, Base):
    """A person's current place in a chapter; one row per person and chapter, never deleted.
    Its history is in ``chapter_membership_periods``."""

    __tablename__ = "chapter_memberships"
    __table_args__ = (
        tenant_fk("chapter_id", "chapters", ondelete="CASCADE"),
        tenant_fk("person_id", "people"),
        UniqueConstraint("tenant_id", "chapter_id", "person_id"),
        # At most one active lead per chapter, whatever the application does.
        Index(
            "uq_chapter_memberships_one_active_lead",
            "tenant_id",
            "chapter_id",
            unique=True,
            postgresql_where=text("role = 'lead' AND status = 'active'"),
        ),
        Index("ix_chapter_memberships_person", "tenant_id", "person_id"),
        # who first joined a chapter in a period (the insight figures' new members)
        Index(
            "ix_chapter_memberships_first_joined",
            "tenant_id",
            "chapter_id",
            "first_joined_at",
            postgresql_include=["person_id"],
        ),
    )

    chapter_id: Mapped[uuid.UUID]
    person_id: Mapped[uuid.UUID]
    role: Mapped[ChapterRole] = mapped_column(str_enum(ChapterRole, "role"))
    status: Mapped[MembershipStatus] = mapped_column(str_enum(MembershipStatus, "status"))
    # The current (or latest) stint: when it began, and when it ended (null while it lasts).
    joined_at: Mapped[datetime | None]
    left_at: Mapped[datetime | None]
    # The first time the person became an active member: a returning member is not new.
    first_joined_at: Mapped[datetime | None]
    # The address a lead typed to invite the person (``membershipInviteByEmail``): that lead
    # knows it, so the chapter's leads see the person's email while it is still this one.
    invited_email: Mapped[str | None] = mapped_column(
        String(320), info={"visible_to": "PERSON_READ_EMAIL"}
    )


class ChapterMembershipPeriod(TenantScoped, Base):
    """One stretch of time during which a membership had one role and one status.

    Every change closes the open period (``ended_at``) and opens the next, so "who led
    Hangzhou in March 2024" is a range query and nothing is ever lost."""

    __tablename__ = "chapter_membership_periods"
    __table_args__ = (
        tenant_fk("membership_id", "chapter_memberships", ondelete="CASCADE"),
        tenant_fk("chapter_id", "chapters", ondelete="CASCADE"),
        tenant_fk("person_id", "people"),
        tenant_fk("changed_by_id", "people"),
        CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="period_in_order"),
        Index(
            "uq_chapter_membership_periods_one_open",
            "tenant_id",
            "membership_id",
            unique=True,
            postgresql_where=text("ended_at IS NULL"),
        ),
        # a chapter's periods by start; with what the insight figures read of them, so that
        # they read the index alone
        Index(
            "ix_chapter_membership_periods_chapter",
            "tenant_id",
            "chapter_id",
            "started_at",
            postgresql_include=["person_id", "status", "ended_at"],
        ),
        # a person's periods in every chapter (did leaving one leave them in none?)
        Index("ix_chapter_membership_periods_person", "tenant_id", "person_id", "started_at"),
        # a chapter's leads through time (its lead and lead tenure at any date)
        Index(
            "ix_chapter_membership_periods_leads",
            "tenant_id",
            "chapter_id",
            "started_at",
            postgresql_where=text("role = 'lead' AND status = 'active'"),
        ),
    )

    membership_id: Mapped[uuid.UUID]
    chapter_id: Mapped[uuid.UUID]
    person_id: Mapped[uuid.UUID]
    role: Mapped[ChapterRole] = mapped_column(str_enum(ChapterRole, "role"))
    status: Mapped[MembershipStatus] = mapped_column(str_enum(MembershipStatus, "status"))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    changed_by_id: Mapped[uuid.UUID | None]
    reason: Mapped[str | None] = mapped_column(Text)
