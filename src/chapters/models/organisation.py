from __future__ import annotations

import enum
import uuid
from datetime import date

from sqlalchemy import CheckConstraint, Date, Index, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from chapters.models.base import Base, TenantScoped, Timestamped, str_enum, tenant_fk


class OrganisationKind(enum.StrEnum):
    COMMUNITY = "community"
    COMPANY = "company"
    UNIVERSITY = "university"
    TRAINING = "training"
    MEDIA = "media"
    FOUNDATION = "foundation"


class RelationshipKind(enum.StrEnum):
    PARTNER = "partner"
    SPONSOR = "sponsor"
    CO_HOST = "co_host"
    CASE_USER = "case_user"
    PROSPECT = "prospect"


class RelationshipStatus(enum.StrEnum):
    PROPOSED = "proposed"
    ACTIVE = "active"
    PAUSED = "paused"
    ENDED = "ended"


class Organisation(TenantScoped, Timestamped, Base):
    """The registry partners, sponsors, co-hosts and case users live in."""

    __tablename__ = "organisations"

    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[OrganisationKind] = mapped_column(str_enum(OrganisationKind, "kind"))
    website: Mapped[str | None] = mapped_column(String(500))
    notes: Mapped[str | None] = mapped_column(
        Text, info={"visible_to": "ORGANISATION_READ_PRIVATE"}
    )


# Names are unique per tenant, case-insensitively.
Index(
    "uq_organisations_tenant_id_name",
    Organisation.tenant_id,
    func.lower(Organisation.name),
    unique=True,
)


class OrganisationRelationship(TenantScoped, Timestamped, Base):
    """How the community relates to an organisation (partner, sponsor …), with its own status
    and dates; an organisation may hold several at once, and ended ones are kept."""

    __tablename__ = "organisation_relationships"
    __table_args__ = (
        tenant_fk("organisation_id", "organisations", ondelete="CASCADE"),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="dates_in_order"),
        Index("ix_organisation_relationships_org", "tenant_id", "organisation_id"),
    )

    organisation_id: Mapped[uuid.UUID]
    kind: Mapped[RelationshipKind] = mapped_column(str_enum(RelationshipKind, "kind"))
    status: Mapped[RelationshipStatus] = mapped_column(str_enum(RelationshipStatus, "status"))
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(
        Text, info={"visible_to": "ORGANISATION_READ_PRIVATE"}
    )


class OrganisationContact(TenantScoped, Timestamped, Base):
    """A person to talk to at an organisation. ``person_id`` links the contact to a person of
    the tenant when they also sign in (a partner organisation's contact)."""

    __tablename__ = "organisation_contacts"
    __table_args__ = (
        tenant_fk("organisation_id", "organisations", ondelete="CASCADE"),
        tenant_fk("person_id", "people"),
        Index("ix_organisation_contacts_org", "tenant_id", "organisation_id"),
        {"info": {"visible_to": "ORGANISATION_READ_PRIVATE"}},  # personal data: every column
    )

    organisation_id: Mapped[uuid.UUID]
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    title: Mapped[str | None] = mapped_column(String(200))
    person_id: Mapped[uuid.UUID | None]


class ChapterOrganisation(TenantScoped, Timestamped, Base):
    """An organisation linked to a chapter (a local partner, a regular venue …)."""

    __tablename__ = "chapter_organisations"
    __table_args__ = (
        UniqueConstraint("tenant_id", "chapter_id", "organisation_id"),
        tenant_fk("chapter_id", "chapters", ondelete="CASCADE"),
        tenant_fk("organisation_id", "organisations", ondelete="CASCADE"),
        Index("ix_chapter_organisations_org", "tenant_id", "organisation_id"),
    )

    chapter_id: Mapped[uuid.UUID]
    organisation_id: Mapped[uuid.UUID]
    note: Mapped[str | None] = mapped_column(Text)
