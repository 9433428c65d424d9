"""The insight figures as export kinds: each computed by ``chapters.insight.service`` (one
statement per figure family) and written row by row. Exporting figures needs reading them
(``INSIGHT_READ_TENANT``) as well as ``DATA_EXPORT``."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.auth.principal import Principal
from chapters.authz import Action
from chapters.db.pagination import MAX_PAGE_SIZE, PageArgs
from chapters.exports.kinds import ExportFilters, ExportKind, Row, register
from chapters.insight import periods, service
from chapters.insight.figures import Granularity, Period
from chapters.models import Chapter

FIGURES = (Action.INSIGHT_READ_TENANT,)
PERIOD = frozenset({"from", "to"})


async def _period(
    session: AsyncSession, tenant_id: uuid.UUID, filters: ExportFilters, default_days: int
) -> Period:
    """``from``/``to`` (both included), else the last ``default_days`` days up to today."""
    today = (await service.basis_of(session, tenant_id)).now.date()
    last = filters.to_day or today
    first = filters.from_day or last - timedelta(days=default_days - 1)
    return periods.days(first, last + timedelta(days=1))


async def chapter_health_rows(
    session: AsyncSession, principal: Principal | None, tenant_id: uuid.UUID, f: ExportFilters
) -> AsyncIterator[Row]:
    period = await _period(session, tenant_id, f, default_days=91)
    chapters = service.ChapterFilter(chapter_ids=[f.chapter_id] if f.chapter_id else None)
    after: str | None = None
    while True:  # page by page: a tenant may have more chapters than a page holds
        page = await service.chapter_health(
            session,
            principal,
            tenant_id,
            period,
            chapters,
            PageArgs(first=MAX_PAGE_SIZE, after=after),
        )
        for _, row in page.rows:
            yield (
                row.chapter_slug,
                row.chapter_name,
                row.period.label,
                row.members,
                row.active_members,
                row.new_members,
                row.churned_members,
                row.reactivated_members,
                row.retention,
                row.accepted_activities,
                row.cancelled_activities,
                row.recaps_due,
                row.recaps_published,
                row.recap_compliance,
                row.last_activity_at,
                row.lead_tenure_days,
                row.status,
                [rule.message for rule in row.fired_rules],
            )
        if not page.has_next_page:
            return
        after = page.rows[-1][0]


async def community_metrics_rows(
    session: AsyncSession, principal: Principal | None, tenant_id: uuid.UUID, f: ExportFilters
) -> AsyncIterator[Row]:
    period = await _period(session, tenant_id, f, default_days=365)
    chapters = [f.chapter_id] if f.chapter_id else None
    points = await service.community_metrics(
        session, principal, tenant_id, period, Granularity.MONTH, None, chapters
    )
    ids = {point.chapter_id for point in points if point.chapter_id}
    slugs = dict(
        (await session.execute(select(Chapter.id, Chapter.slug).where(Chapter.id.in_(ids))))
        .tuples()
        .all()
    )
    for point in points:
        yield (
            point.period.label,
            slugs.get(point.chapter_id, "") if point.chapter_id else "",
            point.active,
            point.new,
            point.churned,
            point.reactivated,
            point.activities,
            point.accepted_activities,
            point.cancelled_activities,
            point.attendance,
        )


async def retention_cohort_rows(
    session: AsyncSession, principal: Principal | None, tenant_id: uuid.UUID, f: ExportFilters
) -> AsyncIterator[Row]:
    ending: date | None = f.to_day
    rows = await service.retention_cohorts(
        session, principal, tenant_id, Granularity.QUARTER, 12, ending=ending
    )
    for row in rows:
        for k, (retained, share) in enumerate(zip(row.retained, row.retention, strict=True)):
            yield (row.cohort.label, row.size, k, retained, share)


async def funnel_rows(
    session: AsyncSession, principal: Principal | None, tenant_id: uuid.UUID, f: ExportFilters
) -> AsyncIterator[Row]:
    period = await _period(session, tenant_id, f, default_days=91)
    result = await service.funnel(session, principal, tenant_id, period)
    yield (
        result.period.label,
        result.acquired,
        result.activated,
        result.active,
        result.retained,
        result.converted_to_contributor,
        result.promoted_to_lead,
    )


register(
    ExportKind(
        name="chapter-health",
        columns=[
            "chapter",
            "name",
            "period",
            "members",
            "active_members",
            "new_members",
            "churned_members",
            "reactivated_members",
            "retention",
            "accepted_activities",
            "cancelled_activities",
            "recaps_due",
            "recaps_published",
            "recap_compliance",
            "last_activity_at",
            "lead_tenure_days",
            "status",
            "fired_rules",
        ],
        rows=chapter_health_rows,
        accepts=PERIOD | {"chapter"},
        requires=FIGURES,
    )
)
register(
    ExportKind(
        name="community-metrics",
        columns=[
            "period",
            "chapter",
            "active",
            "new",
            "churned",
            "reactivated",
            "activities",
            "accepted_activities",
            "cancelled_activities",
            "attendance",
        ],
        rows=community_metrics_rows,
        accepts=PERIOD | {"chapter"},
        requires=FIGURES,
    )
)
register(
    ExportKind(
        name="retention-cohorts",
        columns=["cohort", "size", "periods_later", "retained", "retention"],
        rows=retention_cohort_rows,
        accepts=frozenset({"to"}),
        requires=FIGURES,
    )
)
register(
    ExportKind(
        name="funnel",
        columns=[
            "period",
            "acquired",
            "activated",
            "active",
            "retained",
            "converted_to_contributor",
            "promoted_to_lead",
        ],
        rows=funnel_rows,
        accepts=PERIOD,
        requires=FIGURES,
    )
)
