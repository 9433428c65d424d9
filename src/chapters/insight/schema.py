"""The insight layer's root fields: one query per dashboard."""

from __future__ import annotations

from datetime import datetime

import strawberry

from chapters.api.connections import connection
from chapters.api.ids import decode_id
from chapters.db.pagination import PageArgs
from chapters.errors import ErrorCode, FieldError, InvalidInput
from chapters.insight import periods, service
from chapters.insight.figures import Granularity, HealthStatus, Period, Segment
from chapters.insight.types import (
    ChapterHealthConnection,
    ChapterHealthType,
    CommunityMetricsType,
    FunnelType,
    HealthRulesType,
    MetricPointType,
    PeriodInput,
    QuietContributorConnection,
    QuietContributorType,
    RetentionCohortsType,
    RetentionCohortType,
    inclusive,
)
from chapters.local_chapters.types import ChapterStatusType


def _period(period: PeriodInput | None, quarter: str | None) -> Period:
    """Exactly one of ``period`` and ``quarter``."""
    if (period is None) == (quarter is None):
        raise InvalidInput(FieldError("period", ErrorCode.INVALID, "Give either period or quarter"))
    if quarter is not None:
        return periods.quarter(quarter)
    assert period is not None
    return periods.days(*inclusive(period))


def _chapter_ids(ids: list[strawberry.ID] | None, field: str) -> list | None:
    if ids is None:
        return None
    return [decode_id(str(gid), "Chapter", f"{field}.{i}") for i, gid in enumerate(ids)]


@strawberry.input
class ChapterHealthFilter:
    chapter_ids: list[strawberry.ID] | None = None
    statuses: list[ChapterStatusType] | None = strawberry.field(
        default=None, description="The chapters' own statuses (default: all but archived)."
    )
    health: list[HealthStatus] | None = strawberry.field(
        default=None, description="Only chapters in these health statuses."
    )


@strawberry.input
class QuietContributorFilter:
    chapter_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Active members of these chapters only."
    )
    segment: Segment | None = None


@strawberry.type
class InsightQuery:
    @strawberry.field(
        description="Per chapter: members active, new, churned and re-activated, retention, "
        "activities, recap compliance, lead tenure and health, for a period or a quarter "
        "(central ops and viewers: every chapter; leads: their own)."
    )
    async def chapter_health(
        self,
        info: strawberry.Info,
        period: PeriodInput | None = None,
        quarter: str | None = None,
        filter: ChapterHealthFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> ChapterHealthConnection:
        ctx = info.context
        f = filter or ChapterHealthFilter()
        filters = service.ChapterFilter(
            chapter_ids=_chapter_ids(f.chapter_ids, "filter.chapterIds"),
            statuses=f.statuses,
            health=f.health,
        )
        args = PageArgs(first=first, after=after, last=last, before=before)
        page = await service.chapter_health(
            ctx.session, ctx.principal, ctx.tenant.id, _period(period, quarter), filters, args
        )
        rules = HealthRulesType.of(await service.rules_of(ctx.session, ctx.tenant.id))
        return connection(ChapterHealthConnection, page, ChapterHealthType.of, rules=rules)

    @strawberry.field(
        description="Time series for charts: the tenant's and each chapter's (chapterIds; "
        "leads: their own chapters), per month or quarter. Partners' clients get the activities "
        "their organisation took part in, without people."
    )
    async def community_metrics(
        self,
        info: strawberry.Info,
        period: PeriodInput | None = None,
        quarter: str | None = None,
        granularity: Granularity = Granularity.MONTH,
        segment: Segment | None = None,
        chapter_ids: list[strawberry.ID] | None = None,
    ) -> CommunityMetricsType:
        ctx = info.context
        points = await service.community_metrics(
            ctx.session,
            ctx.principal,
            ctx.tenant.id,
            _period(period, quarter),
            granularity,
            segment,
            _chapter_ids(chapter_ids, "chapterIds"),
        )
        return CommunityMetricsType(
            granularity=granularity,
            segment=segment,
            rules=HealthRulesType.of(await service.rules_of(ctx.session, ctx.tenant.id)),
            tenant=[MetricPointType.of(p) for p in points if p.chapter_id is None],
            chapters=[MetricPointType.of(p) for p in points if p.chapter_id is not None],
        )

    @strawberry.field(
        description="Of the people who arrived in each of the last `periods` months or "
        "quarters, how many were active in each period since."
    )
    async def retention_cohorts(
        self,
        info: strawberry.Info,
        granularity: Granularity = Granularity.QUARTER,
        periods: int = 8,
        segment: Segment | None = None,
    ) -> RetentionCohortsType:
        ctx = info.context
        rows = await service.retention_cohorts(
            ctx.session, ctx.principal, ctx.tenant.id, granularity, periods, segment
        )
        return RetentionCohortsType(
            granularity=granularity,
            rules=HealthRulesType.of(await service.rules_of(ctx.session, ctx.tenant.id)),
            cohorts=[RetentionCohortType.of(row) for row in rows],
        )

    @strawberry.field(
        description="Acquisition, activation, retention and conversion for a period or quarter."
    )
    async def funnel(
        self,
        info: strawberry.Info,
        period: PeriodInput | None = None,
        quarter: str | None = None,
        segment: Segment | None = None,
    ) -> FunnelType:
        ctx = info.context
        result = await service.funnel(
            ctx.session, ctx.principal, ctx.tenant.id, _period(period, quarter), segment
        )
        return FunnelType.of(result, await service.rules_of(ctx.session, ctx.tenant.id))

    @strawberry.field(
        description="Contributors who were active and have been quiet since `inactiveSince` "
        "(default: the inactivity rule), most recently active first, with their last "
        "contributions: the list to work through."
    )
    async def contributors_to_reactivate(
        self,
        info: strawberry.Info,
        inactive_since: datetime | None = None,
        filter: QuietContributorFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> QuietContributorConnection:
        ctx = info.context
        f = filter or QuietContributorFilter()
        page, withheld = await service.contributors_to_reactivate(
            ctx.session,
            ctx.principal,
            ctx.tenant.id,
            inactive_since,
            _chapter_ids(f.chapter_ids, "filter.chapterIds"),
            f.segment,
            PageArgs(first=first, after=after, last=last, before=before),
        )
        return connection(
            QuietContributorConnection, page, QuietContributorType.of, names_withheld=withheld
        )
