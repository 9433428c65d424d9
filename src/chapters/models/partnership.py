"""Partner agreements and case users.

An agreement is signed on a relationship (``OrganisationRelationship``): a memorandum, a
sponsorship, a co-hosting … with its dates, the date it comes up for renewal and a link to the
signed document. A case user is an organisation using the software, with its story, and the
permission it gave (or withdrew) to publish its name and logo.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date
from typing import Any

from sqlalchemy import CheckConstraint, Date, Index, String, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from chapters.models.base import Base, TenantScoped, Timestamped, str_enum, tenant_fk


class AgreementKind(enum.StrEnum):
    MOU = "mou"
    SPONSORSHIP = "sponsorship"
    CO_HOSTING = "co_hosting"
    TRAINING_PARTNERSHIP = "training_partnership"
    CASE_STUDY_CONSENT = "case_study_consent"
    OTHER = "other"


class AgreementStatus(enum.StrEnum):
    DRAFT = "draft"  # being negotiated: not in force
    ACTIVE = "active"  # in force (shown EXPIRED once its end date passed)
    EXPIRED = "expired"  # recorded as run out
    TERMINATED = "terminated"  # ended early; final


class PartnerAgreement(TenantScoped, Timestamped, Base):
    """An agreement on a relationship. ``organisation_id`` is the relationship's organisation,
    copied when the agreement is made (a relationship never changes organisation), so that a
    partner's client is scoped to its organisation's agreements in one predicate."""

    __tablename__ = "partner_agreements"
    __table_args__ = (
        tenant_fk("relationship_id", "organisation_relationships", ondelete="CASCADE"),
        tenant_fk("organisation_id", "organisations", ondelete="CASCADE"),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="dates_in_order"),
        Index("ix_partner_agreements_organisation", "tenant_id", "organisation_id"),
        Index("ix_partner_agreements_relationship", "tenant_id", "relationship_id"),
        # the daily renewal reminders look for agreements coming up for renewal
        Index("ix_partner_agreements_renews_on", "tenant_id", "renews_on"),
    )

    relationship_id: Mapped[uuid.UUID]
    organisation_id: Mapped[uuid.UUID]
    kind: Mapped[AgreementKind] = mapped_column(str_enum(AgreementKind, "kind"))
    status: Mapped[AgreementStatus] = mapped_column(str_enum(AgreementStatus, "status"))
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    renews_on: Mapped[date | None] = mapped_column(Date)
    document_url: Mapped[str | None] = mapped_column(String(2000))
    notes: Mapped[str | None] = mapped_column(Text)


class CaseUser(TenantScoped, Timestamped, Base):
    """An organisation using the software, with its story: the products and versions it runs
    (``products``: a list of ``{"product", "version"}``), its scale in its own words, the
    story, and the accepted activities (articles, talks) that tell it
    (``CaseUserActivity``).

    The permission to publish its name and logo: granted on a date, by one of the
    organisation's contacts (``permission_contact_id``) or a person named in free text, as
    recorded by a staff member; withdrawn on a date, recorded likewise. Only a case user with
    a current permission (granted, not withdrawn) is on the public list. The contact is not a
    foreign key: a contact deleted on request leaves the record of consent, without them."""

    __tablename__ = "case_users"
    __table_args__ = (
        tenant_fk("organisation_id", "organisations", ondelete="CASCADE"),
        tenant_fk("permission_recorded_by_id", "people"),
        tenant_fk("permission_withdrawal_recorded_by_id", "people"),
        UniqueConstraint("tenant_id", "organisation_id"),
        CheckConstraint(
            "permission_withdrawn_on IS NULL OR permission_granted_on IS NOT NULL",
            name="withdrawn_after_granted",
        ),
    )

    organisation_id: Mapped[uuid.UUID]
    products: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, server_default=text("'[]'::jsonb")
    )
    scale: Mapped[str | None] = mapped_column(String(500))
    story: Mapped[str | None] = mapped_column(Text)
    logo_url: Mapped[str | None] = mapped_column(String(2000))
    notes: Mapped[str | None] = mapped_column(Text)
    permission_granted_on: Mapped[date | None] = mapped_column(Date)
    permission_contact_id: Mapped[uuid.UUID | None]
    permission_granted_by_name: Mapped[str | None] = mapped_column(String(200))
    permission_recorded_by_id: Mapped[uuid.UUID | None]
    permission_withdrawn_on: Mapped[date | None] = mapped_column(Date)
    permission_withdrawal_recorded_by_id: Mapped[uuid.UUID | None]


class CaseUserActivity(TenantScoped, Base):
    """An article or talk telling a case user's story: an accepted activity, at its place in
    the story's list."""

    __tablename__ = "case_user_activities"
    __table_args__ = (
        tenant_fk("case_user_id", "case_users", ondelete="CASCADE"),
        tenant_fk("activity_id", "activities", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "case_user_id", "activity_id"),
        Index("ix_case_user_activities_activity", "tenant_id", "activity_id"),
    )

    case_user_id: Mapped[uuid.UUID]
    activity_id: Mapped[uuid.UUID]
    position: Mapped[int]
