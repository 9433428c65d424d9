from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from chapters.models.base import Base, TenantScoped, Timestamped, str_enum, tenant_fk


class RegistrationStatus(enum.StrEnum):
    """Where a registration stands. A public registration waits for its email to be confirmed
    (``pending``) before it takes a seat; a full activity puts newcomers on the waitlist, in
    order, and a cancellation promotes the first of them."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


class Registration(TenantScoped, Timestamped, Base):
    """A person's registration for an accepted activity: a signed-in person (``person_id``) or,
    where the chapter allows public registration, a name and an email. ``code`` is the short
    check-in code (also in the QR code); ``checked_in_at`` marks attendance. Erasing a
    registrant on request blanks the personal fields and keeps the row, so counts stay."""

    __tablename__ = "registrations"
    __table_args__ = (
        tenant_fk("activity_id", "activities", ondelete="CASCADE"),
        tenant_fk("person_id", "people"),
        tenant_fk("checked_in_by_id", "people"),
        CheckConstraint(
            "person_id IS NOT NULL OR email IS NOT NULL OR erased_at IS NOT NULL",
            name="has_a_registrant",
        ),
        # one live registration per person, and per address, for an activity
        Index(
            "uq_registrations_person",
            "tenant_id",
            "activity_id",
            "person_id",
            unique=True,
            postgresql_where=text("person_id IS NOT NULL AND status <> 'cancelled'"),
        ),
        Index(
            "uq_registrations_email",
            "tenant_id",
            "activity_id",
            text("lower(email)"),
            unique=True,
            postgresql_where=text("email IS NOT NULL AND status <> 'cancelled'"),
        ),
        Index("uq_registrations_code", "tenant_id", "activity_id", "code", unique=True),
        # the waitlist in order, and an activity's registrants by status
        Index("ix_registrations_activity", "tenant_id", "activity_id", "status", "created_at"),
        Index("ix_registrations_person", "tenant_id", "person_id"),
    )

    activity_id: Mapped[uuid.UUID]
    person_id: Mapped[uuid.UUID | None]
    # A public registrant's name and address (a signed-in person's are on their record). Not
    # masked in the audit log: its readers (staff) see registrants anyway, and erasing a
    # registrant scrubs them from it (``registrations.service.erase``).
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    locale: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[RegistrationStatus] = mapped_column(str_enum(RegistrationStatus, "status"))
    code: Mapped[str] = mapped_column(String(16))
    confirmed_at: Mapped[datetime | None]
    waitlisted_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    checked_in_at: Mapped[datetime | None]
    checked_in_by_id: Mapped[uuid.UUID | None]
    erased_at: Mapped[datetime | None]
