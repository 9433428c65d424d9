"""Recognition: titles a tenant defines, awards of them to people, and certificates anyone can
verify. A certificate's content is fixed and signed when it is issued; what can change later is
only its status (revoked, with a reason), and a re-issue is a new certificate that names the
one it replaces (``previous_id``)."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from chapters.models.base import Base, TenantScoped, Timestamped, str_enum, tenant_fk

# Exactly one ledger record per citation and per certificate basis.
_ONE_RECORD = "num_nonnulls(activity_id, mentoring_project_id, ambassador_term_id) = 1"


class RecognitionTitle(TenantScoped, Timestamped, Base):
    """A title the tenant awards, e.g. "Contributor of the Month"."""

    __tablename__ = "recognition_titles"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)


class Award(TenantScoped, Timestamped, Base):
    """A title awarded to a person for a period, with what it is for: free text (``reason``)
    and the ledger records it cites (``AwardCitation``)."""

    __tablename__ = "awards"
    __table_args__ = (
        tenant_fk("title_id", "recognition_titles"),
        tenant_fk("person_id", "people"),
        tenant_fk("awarded_by_id", "people"),
        CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        Index("ix_awards_person", "tenant_id", "person_id", "starts_on"),
        Index("ix_awards_title", "tenant_id", "title_id"),
    )

    title_id: Mapped[uuid.UUID]
    person_id: Mapped[uuid.UUID]
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)
    awarded_by_id: Mapped[uuid.UUID | None]


class AwardCitation(TenantScoped, Base):
    """One ledger record an award cites: an activity, a mentoring project or an ambassador
    term of the awarded person."""

    __tablename__ = "award_citations"
    __table_args__ = (
        tenant_fk("award_id", "awards", ondelete="CASCADE"),
        tenant_fk("activity_id", "activities"),
        tenant_fk("mentoring_project_id", "mentoring_projects"),
        tenant_fk("ambassador_term_id", "ambassador_terms"),
        CheckConstraint(_ONE_RECORD, name="one_record"),
        Index("ix_award_citations_award", "tenant_id", "award_id"),
    )

    award_id: Mapped[uuid.UUID]
    activity_id: Mapped[uuid.UUID | None]
    mentoring_project_id: Mapped[uuid.UUID | None]
    ambassador_term_id: Mapped[uuid.UUID | None]


class CertificateBasis(enum.StrEnum):
    """What a certificate certifies: an award, or a verified contribution."""

    AWARD = "award"
    ACTIVITY = "activity"  # an accepted activity the person spoke at, organised, hosted, mentored
    MENTORING_PROJECT = "mentoring_project"  # a completed project the person was a member of
    AMBASSADOR_TERM = "ambassador_term"


class CertificateStatus(enum.StrEnum):
    VALID = "valid"
    REVOKED = "revoked"  # with a reason; "reissued" when a newer certificate replaced it


class Certificate(TenantScoped, Timestamped, Base):
    """A certificate as issued: its public id (what the verification URL carries), its content
    as shown and signed (``claims``, ``jws``: a compact JWS by the service's key ``kid``), and
    its status. One valid certificate per person and record."""

    __tablename__ = "certificates"
    __table_args__ = (
        tenant_fk("person_id", "people"),
        tenant_fk("award_id", "awards"),
        tenant_fk("activity_id", "activities"),
        tenant_fk("mentoring_project_id", "mentoring_projects"),
        tenant_fk("ambassador_term_id", "ambassador_terms"),
        tenant_fk("previous_id", "certificates"),
        tenant_fk("issued_by_id", "people"),
        tenant_fk("revoked_by_id", "people"),
        CheckConstraint(
            "num_nonnulls(award_id, activity_id, mentoring_project_id, ambassador_term_id) = 1",
            name="one_basis",
        ),
        CheckConstraint(
            "status <> 'revoked' OR revoked_reason IS NOT NULL", name="revoked_with_reason"
        ),
        UniqueConstraint("tenant_id", "public_id"),
        UniqueConstraint("tenant_id", "previous_id"),  # a certificate is re-issued once
        # The public verification finds a certificate's tenant by its public id alone.
        Index("ix_certificates_public_id", "public_id"),
        Index("ix_certificates_person", "tenant_id", "person_id", "created_at"),
        Index("ix_certificates_created", "tenant_id", "created_at"),
        Index(
            "uq_certificates_valid",
            "tenant_id",
            "person_id",
            text("coalesce(award_id, activity_id, mentoring_project_id, ambassador_term_id)"),
            unique=True,
            postgresql_where=text("status = 'valid'"),
        ),
    )

    public_id: Mapped[str] = mapped_column(String(32))
    person_id: Mapped[uuid.UUID]
    basis: Mapped[CertificateBasis] = mapped_column(str_enum(CertificateBasis, "basis"))
    award_id: Mapped[uuid.UUID | None]
    activity_id: Mapped[uuid.UUID | None]
    mentoring_project_id: Mapped[uuid.UUID | None]
    ambassador_term_id: Mapped[uuid.UUID | None]
    # The content at issue time (a later change of name or title does not alter it).
    holder_name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    what_for: Mapped[str] = mapped_column(Text)
    issued_on: Mapped[date] = mapped_column(Date)
    issuer_name: Mapped[str] = mapped_column(String(200))
    signatories: Mapped[list[str]] = mapped_column(
        ARRAY(String(200)), server_default=text("'{}'::varchar[]")
    )
    claims: Mapped[dict[str, Any]] = mapped_column(JSONB)
    jws: Mapped[str] = mapped_column(Text)
    kid: Mapped[str] = mapped_column(String(200))
    status: Mapped[CertificateStatus] = mapped_column(str_enum(CertificateStatus, "status"))
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(500))
    revoked_by_id: Mapped[uuid.UUID | None]
    previous_id: Mapped[uuid.UUID | None]
    issued_by_id: Mapped[uuid.UUID | None]


class RecognitionSettings(TenantScoped, Timestamped, Base):
    """The tenant's certificate settings: who signs (names printed on every certificate) and an
    optional logo (PNG or JPEG bytes, checked and size-limited when set)."""

    __tablename__ = "recognition_settings"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    signatories: Mapped[list[str]] = mapped_column(
        ARRAY(String(200)), server_default=text("'{}'::varchar[]")
    )
    # A blob: the audit log records only that it changed, not its bytes.
    logo: Mapped[bytes | None] = mapped_column(LargeBinary, info={"secret": True})
    logo_media_type: Mapped[str | None] = mapped_column(String(32))
