"""What the insight layer answers: plain values, computed in SQL by ``service`` and shown by
the GraphQL types, the exports and the quarterly report alike."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime


class Granularity(enum.StrEnum):
    MONTH = "month"
    QUARTER = "quarter"


class HealthStatus(enum.StrEnum):
    """From best to worst: a chapter's status is the worst any rule gives it."""

    HEALTHY = "healthy"
    NEEDS_ATTENTION = "needs_attention"
    AT_RISK = "at_risk"
    DORMANT_CANDIDATE = "dormant_candidate"


SEVERITY = {status: rank for rank, status in enumerate(HealthStatus)}


class Segment(enum.StrEnum):
    """What a person is, from what they have done (never self-declared)."""

    USER = "user"
    CODE_CONTRIBUTOR = "code_contributor"
    NON_CODE_CONTRIBUTOR = "non_code_contributor"


@dataclass(frozen=True)
class Period:
    """``[starts_on, ends_on)``: a month, a quarter or any range of days."""

    starts_on: date
    ends_on: date
    label: str


@dataclass(frozen=True)
class Count:
    """One bucket of a breakdown (an activity kind, a status, a role)."""

    key: str
    count: int


@dataclass(frozen=True)
class FiredRule:
    """A health rule that applies to a chapter: which rule, its threshold, the chapter's value."""

    rule: str
    status: HealthStatus
    threshold: float
    value: float | None
    message: str


@dataclass(frozen=True)
class ChapterHealthRow:
    chapter_id: uuid.UUID
    chapter_name: str
    chapter_slug: str
    period: Period
    members: int  # active members at any time in the period
    active_members: int
    new_members: int
    churned_members: int
    reactivated_members: int
    # of the members active in the period before (same length), the share active in this one
    retention: float | None
    activities_by_kind: list[Count]
    activities_by_status: list[Count]
    accepted_activities: int
    cancelled_activities: int
    recaps_due: int
    recaps_published: int
    recap_compliance: float | None  # published / due; None when none was due
    last_activity_at: datetime | None  # the latest accepted activity, owned or co-hosted
    days_since_last_activity: int  # since its creation, if it never had one
    lead_id: uuid.UUID | None
    lead_since: datetime | None
    lead_tenure_days: int | None
    status: HealthStatus
    fired_rules: list[FiredRule]


@dataclass(frozen=True)
class MetricPoint:
    """One period of a series, for the tenant (``chapter_id`` None) or one chapter. People
    figures are None where the caller may see activity counts only (partners)."""

    period: Period
    chapter_id: uuid.UUID | None
    active: int | None
    new: int | None
    churned: int | None
    reactivated: int | None
    activities: int
    accepted_activities: int
    cancelled_activities: int
    attendance: int
    activities_by_kind: list[Count]


@dataclass(frozen=True)
class CohortRow:
    """People new in ``cohort``; ``retained[k]``: how many were active k periods later."""

    cohort: Period
    size: int
    retained: list[int]
    retention: list[float | None]


@dataclass(frozen=True)
class Funnel:
    period: Period
    acquired: int  # new people in the period
    activated: int  # of them, took part for the first time in the period
    retained: int  # of the period's active people, active again in the next period
    active: int
    converted_to_contributor: int  # users who became contributors in the period
    promoted_to_lead: int  # members who became co-leads or leads in the period


@dataclass(frozen=True)
class Contribution:
    """One thing a person did: an activity role or a code contribution."""

    occurred_at: datetime
    kind: str  # a participant role ("speaker" …) or a code contribution kind ("pull_request" …)
    title: str  # the activity's title, or the repository
    url: str | None
    activity_id: uuid.UUID | None


@dataclass(frozen=True)
class PersonActivity:
    person_id: uuid.UUID
    first_participation_at: datetime | None
    last_participation_at: datetime | None
    participations_by_role: list[Count]
    code_contributions: int
    segments: list[Segment]
    active: bool  # as of now, by the tenant's inactivity rule


@dataclass(frozen=True)
class QuietContributor:
    person_id: uuid.UUID
    display_name: str
    segments: list[Segment]
    last_active_at: datetime
    last_contributions: list[Contribution] = field(default_factory=list)


@dataclass(frozen=True)
class TopContributor:
    """Someone who opted into a public profile, by participations in the quarter."""

    person_id: uuid.UUID
    display_name: str
    participations: int
    code_contributions: int


@dataclass(frozen=True)
class ChannelReachRow:
    """A publishing channel's reach in a month (``chapters.channels``): how much each figure
    of its publications grew within the month, and how many appeared."""

    month: str  # 2026-07
    channel_name: str
    publications: int
    reads: int
    views: int
    likes: int
    followers_gained: int


@dataclass(frozen=True)
class QuarterlyReport:
    tenant_name: str
    quarter: Period
    generated_at: datetime
    rules: dict[str, float]  # the tenant's health rules as applied, by name
    chapters: list[ChapterHealthRow]  # one per chapter, by name
    months: list[MetricPoint]  # the tenant's figures per month of the quarter (and by kind)
    cohorts: list[CohortRow]  # the quarterly cohorts of the two years up to the quarter
    top_contributors: list[TopContributor]
    # per channel and month of the quarter; None: not the reader's to see (no section)
    reach: list[ChannelReachRow] | None = None
