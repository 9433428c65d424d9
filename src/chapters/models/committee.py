from __future__ import annotations

import enum
import uuid
from datetime import date

from sqlalchemy import CheckConstraint, Date, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from chapters.models.base import Base, TenantScoped, Timestamped, str_enum, tenant_fk


class CommitteeKind(enum.StrEnum):
    USER_COMMITTEE = "user_committee"
    STEERING = "steering"
    AMBASSADOR_COUNCIL = "ambassador_council"
    OTHER = "other"


class SeatRole(enum.StrEnum):
    CHAIR = "chair"
    VICE_CHAIR = "vice_chair"
    SECRETARY = "secretary"
    MEMBER = "member"


class Committee(TenantScoped, Timestamped, Base):
    __tablename__ = "committees"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[CommitteeKind] = mapped_column(str_enum(CommitteeKind, "kind"))
    description: Mapped[str | None] = mapped_column(Text)


class CommitteeSeat(TenantScoped, Timestamped, Base):
    """A person's seat on a committee for a term ``[starts_on, ends_on)``. Ended seats stay:
    ``ends_on`` is set. A term is never empty (a seat withdrawn before it starts is deleted).

    At most one seat of each role but ``member`` covers any day of a committee: the database
    trigger ``committee_seats_one_holder_per_role`` enforces it (revision fdc4eb678692 says
    why it is a trigger and not an exclusion constraint)."""

    __tablename__ = "committee_seats"
    __table_args__ = (
        tenant_fk("committee_id", "committees", ondelete="CASCADE"),
        tenant_fk("person_id", "people"),
        CheckConstraint("ends_on IS NULL OR ends_on > starts_on", name="term_in_order"),
        Index("ix_committee_seats_committee", "tenant_id", "committee_id", "role", "starts_on"),
    )

    committee_id: Mapped[uuid.UUID]
    person_id: Mapped[uuid.UUID]
    role: Mapped[SeatRole] = mapped_column(str_enum(SeatRole, "role"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
