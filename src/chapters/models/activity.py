from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from chapters.models.base import Base, TenantScoped, Timestamped, str_enum, tenant_fk


class ActivityKind(enum.StrEnum):
    OFFLINE_MEETUP = "offline_meetup"
    ONLINE_MEETUP = "online_meetup"
    LIVE_STREAM = "live_stream"
    COMPANY_VISIT = "company_visit"
    CAMPUS_VISIT = "campus_visit"
    TALK = "talk"
    ARTICLE = "article"
    MENTORING = "mentoring"
    PODCAST = "podcast"
    OTHER = "other"


class ActivityStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    ACCEPTED = "accepted"
    CANCELLED = "cancelled"


class LinkKind(enum.StrEnum):
    RECORDING = "recording"
    SLIDES = "slides"
    ARTICLE = "article"
    EPISODE = "episode"
    PHOTOS = "photos"
    REGISTRATION = "registration"
    OTHER = "other"


class ReachUnit(enum.StrEnum):
    """What a piece of content's reach counts (people present are attendance, not reach)."""

    READS = "reads"
    VIEWS = "views"
    LISTENS = "listens"


class ParticipantRole(enum.StrEnum):
    ORGANIZER = "organizer"
    SPEAKER = "speaker"
    HOST = "host"
    MENTOR = "mentor"
    MENTEE = "mentee"
    AUTHOR = "author"
    GUEST = "guest"


# The participants who run an activity: they check its registrants in, and it is in their
# private calendar feed.
ORGANISING_ROLES = frozenset({ParticipantRole.ORGANIZER, ParticipantRole.HOST})


class OrganisationRole(enum.StrEnum):
    CO_HOST = "co_host"
    SPONSOR = "sponsor"
    VENUE = "venue"
    PARTNER = "partner"


# What the insight figures count of an activity, beside its indexes' keys.
INSIGHT_COUNTED = ["kind", "status", "actual_attendance"]


class Activity(TenantScoped, Timestamped, Base):
    """One entry of the ledger: a meetup, a talk, an article, a mentoring session …

    Owned by one chapter (or, without one, by a committee); co-hosting chapters get credit too.
    """

    __tablename__ = "activities"
    __table_args__ = (
        tenant_fk("chapter_id", "chapters"),
        tenant_fk("committee_id", "committees"),
        tenant_fk("mentoring_project_id", "mentoring_projects"),
        tenant_fk("created_by_id", "people"),
        CheckConstraint("chapter_id IS NOT NULL OR committee_id IS NOT NULL", name="has_an_owner"),
        CheckConstraint("ends_at IS NULL OR ends_at >= starts_at", name="ends_after_start"),
        CheckConstraint(
            "expected_attendance IS NULL OR expected_attendance >= 0", name="expected_not_negative"
        ),
        CheckConstraint(
            "actual_attendance IS NULL OR actual_attendance >= 0", name="actual_not_negative"
        ),
        CheckConstraint("reach IS NULL OR reach >= 0", name="reach_not_negative"),
        CheckConstraint("(reach IS NULL) = (reach_unit IS NULL)", name="reach_has_a_unit"),
        # (starts_at, id) is the order of a chapter's activities: a page reads only its rows;
        # what the insight figures count is included (they read the index alone)
        Index(
            "ix_activities_chapter_starts",
            "tenant_id",
            "chapter_id",
            "starts_at",
            "id",
            postgresql_include=INSIGHT_COUNTED,
        ),
        Index("ix_activities_status_submitted", "tenant_id", "status", "submitted_at"),
        # the latest activities of a status (an ops feed): a rare status reads only its page
        Index("ix_activities_status_starts", "tenant_id", "status", "starts_at", "id"),
        Index(
            "ix_activities_starts",
            "tenant_id",
            "starts_at",
            postgresql_include=[*INSIGHT_COUNTED, "id"],
        ),
        # a chapter's accepted activities by their end: the recaps due in a period
        Index(
            "ix_activities_accepted_chapter_ends",
            "tenant_id",
            "chapter_id",
            "ends_at",
            postgresql_where=text("status = 'accepted'"),
        ),
    )

    chapter_id: Mapped[uuid.UUID | None]
    committee_id: Mapped[uuid.UUID | None]
    kind: Mapped[ActivityKind] = mapped_column(str_enum(ActivityKind, "kind"))
    status: Mapped[ActivityStatus] = mapped_column(str_enum(ActivityStatus, "status"))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime | None]
    timezone: Mapped[str] = mapped_column(String(64))
    venue: Mapped[str | None] = mapped_column(String(300))
    online_url: Mapped[str | None] = mapped_column(String(500))
    language: Mapped[str | None] = mapped_column(String(16))
    expected_attendance: Mapped[int | None] = mapped_column(Integer)
    # The current recap's figures (its latest version): people present, and for content, how
    # many read, watched or listened, in ``reach_unit``.
    actual_attendance: Mapped[int | None] = mapped_column(Integer)
    reach: Mapped[int | None] = mapped_column(Integer)
    reach_unit: Mapped[ReachUnit | None] = mapped_column(str_enum(ReachUnit, "reach_unit"))
    tags: Mapped[list[str]] = mapped_column(
        ARRAY(String(50)), server_default=text("'{}'::varchar[]")
    )
    mentoring_project_id: Mapped[uuid.UUID | None]
    created_by_id: Mapped[uuid.UUID | None]
    submitted_at: Mapped[datetime | None]
    reviewed_at: Mapped[datetime | None]
    recap_summary: Mapped[str | None] = mapped_column(Text)
    recap_published_at: Mapped[datetime | None]
    # Registrations (chapters.registrations): seats (None: no limit) and whether sign-ups
    # are taken; the organisers set both, even once the activity is accepted.
    capacity: Mapped[int | None] = mapped_column(Integer)
    registration_open: Mapped[bool] = mapped_column(
        Boolean, default=True, server_default=text("true")
    )


class ActivityLink(TenantScoped, Timestamped, Base):
    __tablename__ = "activity_links"
    __table_args__ = (
        tenant_fk("activity_id", "activities", ondelete="CASCADE"),
        Index("ix_activity_links_activity", "tenant_id", "activity_id"),
    )

    activity_id: Mapped[uuid.UUID]
    kind: Mapped[LinkKind] = mapped_column(str_enum(LinkKind, "kind"))
    url: Mapped[str] = mapped_column(String(500))
    title: Mapped[str | None] = mapped_column(String(300))


class ActivityCoHost(TenantScoped, Timestamped, Base):
    """A chapter that co-hosts an activity and gets credit for it."""

    __tablename__ = "activity_co_hosts"
    __table_args__ = (
        tenant_fk("activity_id", "activities", ondelete="CASCADE"),
        tenant_fk("chapter_id", "chapters"),
        UniqueConstraint("tenant_id", "activity_id", "chapter_id"),
        Index("ix_activity_co_hosts_chapter", "tenant_id", "chapter_id"),
    )

    activity_id: Mapped[uuid.UUID]
    chapter_id: Mapped[uuid.UUID]


class ActivityOrganisation(TenantScoped, Timestamped, Base):
    """An organisation taking part in an activity: co-host, sponsor, venue or partner."""

    __tablename__ = "activity_organisations"
    __table_args__ = (
        tenant_fk("activity_id", "activities", ondelete="CASCADE"),
        tenant_fk("organisation_id", "organisations"),
        UniqueConstraint("tenant_id", "activity_id", "organisation_id", "role"),
        Index("ix_activity_organisations_org", "tenant_id", "organisation_id"),
    )

    activity_id: Mapped[uuid.UUID]
    organisation_id: Mapped[uuid.UUID]
    role: Mapped[OrganisationRole] = mapped_column(str_enum(OrganisationRole, "role"))


class ActivityParticipant(TenantScoped, Timestamped, Base):
    """Someone with a role on the activity: a person of the tenant, or an external speaker
    recorded by name only."""

    __tablename__ = "activity_participants"
    __table_args__ = (
        tenant_fk("activity_id", "activities", ondelete="CASCADE"),
        tenant_fk("person_id", "people"),
        CheckConstraint(
            "(person_id IS NULL) <> (external_name IS NULL)", name="person_or_external_name"
        ),
        Index("ix_activity_participants_activity", "tenant_id", "activity_id"),
        Index("ix_activity_participants_person", "tenant_id", "person_id"),
        {"info": {"visible_to": "ACTIVITY_READ_PARTICIPANTS"}},  # who took part: every column
    )

    activity_id: Mapped[uuid.UUID]
    person_id: Mapped[uuid.UUID | None]
    external_name: Mapped[str | None] = mapped_column(String(200))
    external_affiliation: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[ParticipantRole] = mapped_column(str_enum(ParticipantRole, "role"))
    topic: Mapped[str | None] = mapped_column(String(300))


class ActivityTransition(TenantScoped, Base):
    """One step of the review lifecycle: who moved the activity from which status to which,
    when, and with what comment."""

    __tablename__ = "activity_transitions"
    __table_args__ = (
        tenant_fk("activity_id", "activities", ondelete="CASCADE"),
        tenant_fk("actor_id", "people"),
        Index("ix_activity_transitions_activity", "tenant_id", "activity_id", "occurred_at"),
    )

    activity_id: Mapped[uuid.UUID]
    from_status: Mapped[ActivityStatus | None] = mapped_column(
        str_enum(ActivityStatus, "from_status")
    )
    to_status: Mapped[ActivityStatus] = mapped_column(str_enum(ActivityStatus, "to_status"))
    actor_id: Mapped[uuid.UUID | None]
    comment: Mapped[str | None] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(server_default=func.now())


class ActivityComment(TenantScoped, Timestamped, Base):
    """The review thread on an activity (review decisions add their comment here too)."""

    __tablename__ = "activity_comments"
    __table_args__ = (
        tenant_fk("activity_id", "activities", ondelete="CASCADE"),
        tenant_fk("author_id", "people"),
        Index("ix_activity_comments_activity", "tenant_id", "activity_id", "created_at"),
    )

    activity_id: Mapped[uuid.UUID]
    author_id: Mapped[uuid.UUID | None]
    body: Mapped[str] = mapped_column(Text)


class ActivityRecapVersion(TenantScoped, Base):
    """One published version of an activity's recap: republishing adds a version, so what was
    said before stays; the latest is the current recap."""

    __tablename__ = "activity_recap_versions"
    __table_args__ = (
        tenant_fk("activity_id", "activities", ondelete="CASCADE"),
        tenant_fk("published_by_id", "people"),
        UniqueConstraint("tenant_id", "activity_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("attendance IS NULL OR attendance >= 0", name="attendance_not_negative"),
        CheckConstraint("reach IS NULL OR reach >= 0", name="reach_not_negative"),
        CheckConstraint("(reach IS NULL) = (reach_unit IS NULL)", name="reach_has_a_unit"),
    )

    activity_id: Mapped[uuid.UUID]
    number: Mapped[int] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text)
    attendance: Mapped[int | None] = mapped_column(Integer)
    reach: Mapped[int | None] = mapped_column(Integer)
    reach_unit: Mapped[ReachUnit | None] = mapped_column(str_enum(ReachUnit, "reach_unit"))
    # [{"kind", "url", "title"}], in the order given: the recap's own links
    links: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default=text("'[]'::jsonb"))
    note: Mapped[str | None] = mapped_column(Text)  # why this version replaced the previous one
    published_by_id: Mapped[uuid.UUID | None]
    published_at: Mapped[datetime] = mapped_column(server_default=func.now())


class ActivityScheduleChange(TenantScoped, Base):
    """An activity moved to new dates after review, with who moved it and why."""

    __tablename__ = "activity_schedule_changes"
    __table_args__ = (
        tenant_fk("activity_id", "activities", ondelete="CASCADE"),
        tenant_fk("actor_id", "people"),
        Index("ix_activity_schedule_changes_activity", "tenant_id", "activity_id", "occurred_at"),
    )

    activity_id: Mapped[uuid.UUID]
    from_starts_at: Mapped[datetime]
    from_ends_at: Mapped[datetime | None]
    to_starts_at: Mapped[datetime]
    to_ends_at: Mapped[datetime | None]
    reason: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[uuid.UUID | None]
    occurred_at: Mapped[datetime] = mapped_column(server_default=func.now())
