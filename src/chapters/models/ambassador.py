"""Ambassador programs: who may become an ambassador (a nomination, reviewed by staff) and
the terms they serve. A term is renewed by a new term that starts where it ends; one that
ends unrenewed makes its holder an alumnus."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from chapters.models.base import Base, TenantScoped, Timestamped, str_enum, tenant_fk


class NominationStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for staff's review
    ACCEPTED = "accepted"  # made a term
    DECLINED = "declined"  # with a reason


class NominatedAs(enum.StrEnum):
    """In which right the nominator acted: the nominee themself, a lead of a chapter the
    nominee is a member of, or staff."""

    SELF = "self"
    LEAD = "lead"
    STAFF = "staff"


class TermStatus(enum.StrEnum):
    ACTIVE = "active"
    RENEWED = "renewed"  # a later term continues it
    ENDED = "ended"  # ended unrenewed: its holder is an alumnus


class AmbassadorProgram(TenantScoped, Timestamped, Base):
    """A program a tenant runs (it may run several, e.g. "Student Ambassadors"): what it asks
    of an ambassador (``criteria``) and how long a term lasts."""

    __tablename__ = "ambassador_programs"
    __table_args__ = (
        UniqueConstraint("tenant_id", "name"),
        CheckConstraint("term_months BETWEEN 1 AND 120", name="term_months_in_range"),
    )

    name: Mapped[str] = mapped_column(String(200))
    criteria: Mapped[str | None] = mapped_column(Text)
    term_months: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))


class AmbassadorNomination(TenantScoped, Timestamped, Base):
    """A person put forward for a program, with a statement and links to evidence. Staff
    accept it (``term_id``: the term it made) or decline it with a reason. One open
    nomination per program and person."""

    __tablename__ = "ambassador_nominations"
    __table_args__ = (
        tenant_fk("program_id", "ambassador_programs", ondelete="CASCADE"),
        tenant_fk("person_id", "people"),
        tenant_fk("nominated_by_id", "people"),
        tenant_fk("chapter_id", "chapters"),
        tenant_fk("reviewed_by_id", "people"),
        CheckConstraint(
            "status <> 'declined' OR decline_reason IS NOT NULL", name="declined_with_reason"
        ),
        Index(
            "uq_ambassador_nominations_open",
            "tenant_id",
            "program_id",
            "person_id",
            unique=True,
            postgresql_where=text("status = 'pending'"),
        ),
        Index("ix_ambassador_nominations_status", "tenant_id", "status", "created_at"),
        Index("ix_ambassador_nominations_person", "tenant_id", "person_id"),
    )

    program_id: Mapped[uuid.UUID]
    person_id: Mapped[uuid.UUID]
    nominated_by_id: Mapped[uuid.UUID | None]
    nominated_as: Mapped[NominatedAs] = mapped_column(
        str_enum(NominatedAs, "nominated_as", length=16)
    )
    chapter_id: Mapped[uuid.UUID | None]
    statement: Mapped[str] = mapped_column(Text)
    evidence_urls: Mapped[list[str]] = mapped_column(
        ARRAY(String(2000)), server_default=text("'{}'::varchar[]")
    )
    status: Mapped[NominationStatus] = mapped_column(
        str_enum(NominationStatus, "status", length=16)
    )
    reviewed_by_id: Mapped[uuid.UUID | None]
    reviewed_at: Mapped[datetime | None]
    decline_reason: Mapped[str | None] = mapped_column(Text)
    term_id: Mapped[uuid.UUID | None]


class AmbassadorTerm(TenantScoped, Timestamped, Base):
    """A period a person serves as an ambassador of a program, optionally for a chapter.
    ``status`` as stored: ``ended`` is set by the daily job (``ended_at``), but a term past
    its end that nothing renewed reads as ended before that. A renewal is a new term whose
    ``previous_term_id`` is the one it continues (which becomes ``renewed``)."""

    __tablename__ = "ambassador_terms"
    __table_args__ = (
        tenant_fk("program_id", "ambassador_programs", ondelete="CASCADE"),
        tenant_fk("person_id", "people"),
        tenant_fk("chapter_id", "chapters"),
        tenant_fk("nomination_id", "ambassador_nominations"),
        tenant_fk("previous_term_id", "ambassador_terms"),
        CheckConstraint("ends_on > starts_on", name="ends_after_start"),
        # a term is renewed at most once
        UniqueConstraint("tenant_id", "previous_term_id"),
        Index("ix_ambassador_terms_person", "tenant_id", "person_id", "starts_on"),
        Index("ix_ambassador_terms_program", "tenant_id", "program_id", "status", "ends_on"),
    )

    program_id: Mapped[uuid.UUID]
    person_id: Mapped[uuid.UUID]
    chapter_id: Mapped[uuid.UUID | None]
    nomination_id: Mapped[uuid.UUID | None]
    previous_term_id: Mapped[uuid.UUID | None]
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    status: Mapped[TermStatus] = mapped_column(str_enum(TermStatus, "status", length=16))
    renewed_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
