"""GraphQL types of the insight layer: figures as the service computed them."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any, TypeVar
from uuid import UUID

import strawberry
from strawberry import relay

from chapters.insight.figures import (
    ChapterHealthRow,
    CohortRow,
    Contribution,
    Count,
    FiredRule,
    Funnel,
    Granularity,
    HealthStatus,
    MetricPoint,
    Period,
    PersonActivity,
    QuietContributor,
    Segment,
)
from chapters.insight.rules import HealthRules

if TYPE_CHECKING:
    from chapters.activities.types import ActivityType
    from chapters.local_chapters.types import ChapterType
    from chapters.people.types import PersonType

T = TypeVar("T")

strawberry.enum(HealthStatus, name="HealthStatus")
strawberry.enum(Granularity, name="Granularity")
strawberry.enum(Segment, name="Segment")


def _shown(type_: type[T], figures: Any, **converted: Any) -> T:
    """``figures`` (a dataclass of ``insight.figures``) as the GraphQL ``type_`` whose fields
    bear the same names; ``converted``: the fields that are GraphQL types of their own."""
    names = {f.name for f in dataclasses.fields(type_)}  # type: ignore[arg-type]
    values = {f.name: getattr(figures, f.name) for f in dataclasses.fields(figures)}
    taken = {name: v for name, v in values.items() if name in names and name not in converted}
    return type_(**taken, **converted)


ChapterRef = Annotated["ChapterType", strawberry.lazy("chapters.local_chapters.types")]
PersonRef = Annotated["PersonType", strawberry.lazy("chapters.people.types")]
ActivityRef = Annotated["ActivityType", strawberry.lazy("chapters.activities.types")]


@strawberry.input(description="A range of days, both included.")
class PeriodInput:
    from_: date = strawberry.field(name="from")
    to: date


@strawberry.type(name="Period", description="A range of days: [startsOn, endsOn).")
class PeriodType:
    label: str = strawberry.field(description="2026-Q3, 2026-07, or the range.")
    starts_on: date
    ends_on: date = strawberry.field(description="The day after the last day.")

    @classmethod
    def of(cls, period: Period) -> PeriodType:
        return cls(label=period.label, starts_on=period.starts_on, ends_on=period.ends_on)


@strawberry.type(name="Count", description="One bucket of a breakdown.")
class CountType:
    key: str
    count: int

    @classmethod
    def of_all(cls, counts: list[Count]) -> list[CountType]:
        return [cls(key=c.key, count=c.count) for c in counts]


@strawberry.type(
    name="HealthRules",
    description="The tenant's definitions of activity and health (defaults in the README).",
)
class HealthRulesType:
    inactive_after_days: int = strawberry.field(
        description="A person is inactive after this many days without taking part."
    )
    at_risk_after_days: int = strawberry.field(
        description="A chapter without an accepted activity this long is at risk."
    )
    dormant_after_days: int = strawberry.field(
        description="… and this long, a candidate to be declared dormant."
    )
    min_recap_compliance: float = strawberry.field(
        description="Below this share of recaps published, a chapter needs attention."
    )
    lead_required: bool = strawberry.field(description="A chapter without a lead needs attention.")
    min_group_size: int = strawberry.field(
        description="Smaller groups are not broken down by person for non-staff callers."
    )
    code_counts_as_active: bool = strawberry.field(
        description="Code contributions count as taking part."
    )

    @classmethod
    def of(cls, rules: HealthRules) -> HealthRulesType:
        return cls(**dataclasses.asdict(rules))


@strawberry.type(name="FiredHealthRule", description="A health rule that applies to a chapter.")
class FiredRuleType:
    rule: str = strawberry.field(description="The rule's name in HealthRules.")
    status: HealthStatus
    threshold: float
    value: float | None = strawberry.field(description="The chapter's value the rule judged.")
    message: str

    @classmethod
    def of(cls, rule: FiredRule) -> FiredRuleType:
        return _shown(cls, rule)


@strawberry.type(name="ChapterHealth", description="A chapter's figures for a period.")
class ChapterHealthType:
    period: PeriodType
    members: int = strawberry.field(description="Active members at any time in the period.")
    active_members: int
    new_members: int = strawberry.field(description="Joined the chapter in the period.")
    churned_members: int = strawberry.field(description="Left, or became inactive, in it.")
    reactivated_members: int
    retention: float | None = strawberry.field(
        description="Of the members active in the period before, the share active in this one."
    )
    activities_by_kind: list[CountType]
    activities_by_status: list[CountType]
    accepted_activities: int
    cancelled_activities: int
    recaps_due: int
    recaps_published: int
    recap_compliance: float | None
    last_activity_at: datetime | None = strawberry.field(
        description="The latest accepted activity, its own or co-hosted."
    )
    days_since_last_activity: int
    lead_since: datetime | None
    lead_tenure_days: int | None
    status: HealthStatus
    fired_rules: list[FiredRuleType]
    chapter_id: strawberry.Private[UUID]
    lead_id: strawberry.Private[UUID | None]

    @classmethod
    def of(cls, row: ChapterHealthRow) -> ChapterHealthType:
        return _shown(
            cls,
            row,
            period=PeriodType.of(row.period),
            activities_by_kind=CountType.of_all(row.activities_by_kind),
            activities_by_status=CountType.of_all(row.activities_by_status),
            fired_rules=[FiredRuleType.of(rule) for rule in row.fired_rules],
        )

    @strawberry.field
    async def chapter(self, info: strawberry.Info) -> ChapterRef | None:
        from chapters.local_chapters.types import load_chapter

        return await load_chapter(info, self.chapter_id)

    @strawberry.field(description="The chapter's lead at the end of the period.")
    async def lead(self, info: strawberry.Info) -> PersonRef | None:
        from chapters.people.types import load_person

        return await load_person(info, self.lead_id)


# Figures are no relay Nodes (no id of their own), which strawberry accepts at run time.
@strawberry.type(name="ChapterHealthConnection")
class ChapterHealthConnection(relay.Connection[ChapterHealthType]):  # type: ignore[type-var]
    rules: HealthRulesType = strawberry.field(description="The rules the figures follow.")


@strawberry.type(name="MetricPoint", description="One period of a series.")
class MetricPointType:
    period: PeriodType
    active: int | None = strawberry.field(description="Null for partners: no people figures.")
    new: int | None
    churned: int | None
    reactivated: int | None
    activities: int
    accepted_activities: int
    cancelled_activities: int
    attendance: int
    activities_by_kind: list[CountType]
    chapter_id: strawberry.Private[UUID | None]

    @classmethod
    def of(cls, point: MetricPoint) -> MetricPointType:
        return _shown(
            cls,
            point,
            period=PeriodType.of(point.period),
            activities_by_kind=CountType.of_all(point.activities_by_kind),
        )

    @strawberry.field(description="Null: the tenant's figures.")
    async def chapter(self, info: strawberry.Info) -> ChapterRef | None:
        from chapters.local_chapters.types import load_chapter

        return await load_chapter(info, self.chapter_id)


@strawberry.type(name="CommunityMetrics")
class CommunityMetricsType:
    granularity: Granularity
    segment: Segment | None
    rules: HealthRulesType
    tenant: list[MetricPointType] = strawberry.field(
        description="The tenant's series (empty for leads, who see their chapters only)."
    )
    chapters: list[MetricPointType] = strawberry.field(
        description="Each chapter's series, chapter by chapter, in period order."
    )


@strawberry.type(name="RetentionCohort")
class RetentionCohortType:
    cohort: PeriodType = strawberry.field(description="When its people arrived.")
    size: int
    retained: list[int] = strawberry.field(description="Active k periods later, k = 0, 1 …")
    retention: list[float | None]

    @classmethod
    def of(cls, row: CohortRow) -> RetentionCohortType:
        return _shown(cls, row, cohort=PeriodType.of(row.cohort))


@strawberry.type(name="RetentionCohorts")
class RetentionCohortsType:
    granularity: Granularity
    rules: HealthRulesType
    cohorts: list[RetentionCohortType]


@strawberry.type(name="Funnel")
class FunnelType:
    period: PeriodType
    acquired: int = strawberry.field(description="New people in the period.")
    activated: int = strawberry.field(description="Of them, took part for the first time.")
    active: int
    retained: int = strawberry.field(description="Active in the period and the next.")
    converted_to_contributor: int = strawberry.field(
        description="People who arrived earlier and contributed for the first time."
    )
    promoted_to_lead: int = strawberry.field(description="Became a lead or co-lead first.")
    rules: HealthRulesType

    @classmethod
    def of(cls, funnel: Funnel, rules: HealthRules) -> FunnelType:
        return _shown(
            cls, funnel, period=PeriodType.of(funnel.period), rules=HealthRulesType.of(rules)
        )


@strawberry.type(name="Contribution", description="Something a person did.")
class ContributionType:
    occurred_at: datetime
    kind: str = strawberry.field(description="A role (speaker …) or a code contribution kind.")
    title: str = strawberry.field(description="The activity's title, or the repository.")
    url: str | None
    activity_id: strawberry.Private[UUID | None]

    @classmethod
    def of(cls, c: Contribution) -> ContributionType:
        return _shown(cls, c)

    @strawberry.field
    async def activity(self, info: strawberry.Info) -> ActivityRef | None:
        from chapters.activities.types import load_activity

        return await load_activity(info, self.activity_id)


@strawberry.type(name="QuietContributor")
class QuietContributorType:
    segments: list[Segment]
    last_active_at: datetime
    last_contributions: list[ContributionType]
    person_id: strawberry.Private[UUID]

    @classmethod
    def of(cls, row: QuietContributor) -> QuietContributorType:
        contributions = [ContributionType.of(c) for c in row.last_contributions]
        return _shown(cls, row, last_contributions=contributions)

    @strawberry.field
    async def person(self, info: strawberry.Info) -> PersonRef | None:
        from chapters.people.types import load_person

        return await load_person(info, self.person_id)


@strawberry.type(name="QuietContributorConnection")
class QuietContributorConnection(relay.Connection[QuietContributorType]):  # type: ignore[type-var]
    names_withheld: bool = strawberry.field(
        description="True when fewer people match than the tenant's minimum group size and "
        "the caller sees names only from that size up (staff see them all)."
    )


@strawberry.type(name="PersonActivity", description="What a person has done, and whether lately.")
class PersonActivityType:
    first_participation_at: datetime | None
    last_participation_at: datetime | None
    participations_by_role: list[CountType]
    code_contributions: int
    segments: list[Segment] = strawberry.field(description="From what they have done.")
    active: bool = strawberry.field(description="By the tenant's inactivity rule, now.")

    @classmethod
    def of(cls, summary: PersonActivity) -> PersonActivityType:
        participations = CountType.of_all(summary.participations_by_role)
        return _shown(cls, summary, participations_by_role=participations)


def inclusive(period: PeriodInput) -> tuple[date, date]:
    """``[from, to]`` as the service's ``[starts_on, ends_on)``."""
    return period.from_, period.to + timedelta(days=1)
