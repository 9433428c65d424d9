"""External conferences and the talks the tenant's people submit to their calls for papers.

A submission goes drafting → submitted → accepted | rejected | withdrawn (a draft may be
withdrawn too); each step is kept (``TalkSubmissionTransition``, shaped like an activity's
review history). An accepted talk becomes a TALK activity of the ledger (``activity_id``).
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, Index, String, Text, UniqueConstraint, func
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column

from chapters.models.base import Base, TenantScoped, Timestamped, str_enum, tenant_fk


class SubmissionStatus(enum.StrEnum):
    DRAFTING = "drafting"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


# The statuses a conference's program committee has decided on (the acceptance rate's base).
DECIDED = frozenset({SubmissionStatus.ACCEPTED, SubmissionStatus.REJECTED})


class Conference(TenantScoped, Timestamped, Base):
    """A conference run by others, where the tenant's people may speak."""

    __tablename__ = "conferences"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="dates_in_order"),
        # the list, latest first
        Index("ix_conferences_starts", "tenant_id", "starts_on", "id"),
        # the daily reminders and ``upcomingCfpDeadlines`` look for deadlines coming up
        Index("ix_conferences_cfp_deadline", "tenant_id", "cfp_deadline"),
    )

    name: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    city: Mapped[str | None] = mapped_column(String(200))
    online: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sql_text("false"))
    cfp_deadline: Mapped[datetime | None]
    url: Mapped[str | None] = mapped_column(String(2000))
    notes: Mapped[str | None] = mapped_column(Text)


class TalkSubmission(TenantScoped, Timestamped, Base):
    """A talk proposed to a conference. Title and abstract may be missing while drafting;
    submitting needs both."""

    __tablename__ = "talk_submissions"
    __table_args__ = (
        tenant_fk("conference_id", "conferences", ondelete="CASCADE"),
        tenant_fk("activity_id", "activities"),
        Index("ix_talk_submissions_conference", "tenant_id", "conference_id", "created_at", "id"),
        Index("ix_talk_submissions_activity", "tenant_id", "activity_id"),
    )

    conference_id: Mapped[uuid.UUID]
    title: Mapped[str | None] = mapped_column(String(300))
    abstract: Mapped[str | None] = mapped_column(Text)
    track: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[SubmissionStatus] = mapped_column(str_enum(SubmissionStatus, "status"))
    submitted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    activity_id: Mapped[uuid.UUID | None]


class TalkSubmissionSpeaker(TenantScoped, Base):
    """A person of the tenant who would give the talk, at their place in the speakers' list."""

    __tablename__ = "talk_submission_speakers"
    __table_args__ = (
        tenant_fk("submission_id", "talk_submissions", ondelete="CASCADE"),
        tenant_fk("person_id", "people", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "submission_id", "person_id"),
        Index("ix_talk_submission_speakers_person", "tenant_id", "person_id"),
    )

    submission_id: Mapped[uuid.UUID]
    person_id: Mapped[uuid.UUID]
    position: Mapped[int]


class TalkSubmissionTransition(TenantScoped, Base):
    """One step of a submission's lifecycle: who moved it from which status to which, when,
    and with what comment (``ActivityTransition``'s shape)."""

    __tablename__ = "talk_submission_transitions"
    __table_args__ = (
        tenant_fk("submission_id", "talk_submissions", ondelete="CASCADE"),
        tenant_fk("actor_id", "people"),
        Index(
            "ix_talk_submission_transitions_submission", "tenant_id", "submission_id", "occurred_at"
        ),
    )

    submission_id: Mapped[uuid.UUID]
    from_status: Mapped[SubmissionStatus | None] = mapped_column(
        str_enum(SubmissionStatus, "from_status")
    )
    to_status: Mapped[SubmissionStatus] = mapped_column(str_enum(SubmissionStatus, "to_status"))
    actor_id: Mapped[uuid.UUID | None]
    comment: Mapped[str | None] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(server_default=func.now())
