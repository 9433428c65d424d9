"""The demo's past participation (``chapters.demo.participation``) makes every insight figure
say something: Hangzhou grows, Chengdu churns, Qian Bo is re-activated in 2025-Q3, cohorts
fill many quarters and some contributors wait to be re-activated."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from chapters.auth.operator import operator_principal
from chapters.db.pagination import PageArgs
from chapters.db.session import open_tenant_session, tenant_sessionmaker
from chapters.demo import seed_demo
from chapters.demo.participation import PAST, QIAN_BO, REACTIVATED_QUARTER, ZHOU_LAN
from chapters.insight import periods, service
from chapters.insight.figures import Granularity, HealthStatus, Segment
from chapters.models import Chapter, CodeContribution, Person


@pytest.fixture(scope="module")
async def demo(owner_engine: AsyncEngine, keys) -> dict[str, uuid.UUID]:
    return await seed_demo(owner_engine, echo=lambda line: None, keys=keys)


@pytest.fixture
def call(app_engine, demo, client):  # client: the app started (the cursor key)
    """Run ``work(session, operator, tenant_id)`` in an app-role session of tenant demo."""
    sessionmaker = tenant_sessionmaker(app_engine)
    tenant_id = demo["demo"]

    async def run(work):
        async with open_tenant_session(sessionmaker, tenant_id) as session, session.begin():
            return await work(session, operator_principal(tenant_id), tenant_id)

    return run


async def chapter_ids(session) -> dict[str, uuid.UUID]:
    return {c.slug: c.id for c in (await session.scalars(select(Chapter))).all()}


async def test_the_past_is_written_once(owner_engine, demo, keys) -> None:
    lines: list[str] = []
    await seed_demo(owner_engine, echo=lines.append, keys=keys)
    assert "  demo: past participation already there" in lines
    sessionmaker = tenant_sessionmaker(owner_engine)
    async with open_tenant_session(sessionmaker, demo["demo"]) as session:
        emails = {email for email in (await session.scalars(select(Person.email))).all()}
        commits = len((await session.scalars(select(CodeContribution.id))).all())
    assert {f"{n.key}@demo.example" for n in PAST.newcomers} <= emails
    assert commits == len(PAST.commits)
    assert len(PAST.newcomers) <= 150 and len(PAST.activities) <= 400


async def test_hangzhou_grows(call) -> None:
    async def work(session, operator, tenant_id):
        hangzhou = (await chapter_ids(session))["hangzhou"]
        span = periods.days(
            periods.quarter("2024-Q1").starts_on, periods.quarter("2026-Q2").ends_on
        )
        return hangzhou, await service.community_metrics(
            session, operator, tenant_id, span, Granularity.QUARTER, chapter_ids=[hangzhou]
        )

    hangzhou, points = await call(work)
    active = {p.period.label: p.active for p in points if p.chapter_id == hangzhou}
    # Direction, not exact numbers: more members take part as the chapter grows.
    assert active["2026-Q2"] > active["2024-Q1"] > 0
    assert active["2026-Q2"] >= 2 * active["2024-Q1"]
    activities = {p.period.label: p.accepted_activities for p in points if p.chapter_id == hangzhou}
    # 2024-Q1: one of the past meetups. 2026-Q2: five of them, the ledger's podcast of 12 May
    # and the observability day of 20 June that Hangzhou co-hosts with Shanghai.
    assert (activities["2024-Q1"], activities["2026-Q2"]) == (1, 7)


async def test_chengdu_churns_and_is_at_risk(call) -> None:
    async def work(session, operator, tenant_id):
        chengdu = (await chapter_ids(session))["chengdu"]
        q3 = await service.chapter_health(
            session,
            operator,
            tenant_id,
            periods.quarter("2026-Q3"),
            service.ChapterFilter(chapter_ids=[chengdu]),
            PageArgs(),
        )
        (now,) = await service.current_health(session, tenant_id, [chengdu])
        return q3, now

    q3, now = await call(work)
    (row,) = [row for _, row in q3.rows]
    # He Jun, María González and Deng Chao left in 2026-Q3; members went quiet as well.
    assert row.churned_members >= 3
    assert row.active_members < row.members
    # Its last accepted activity was on 13 June 2026.
    assert now is not None
    assert now.status in (HealthStatus.AT_RISK, HealthStatus.DORMANT_CANDIDATE)
    assert now.last_activity_at is not None and now.last_activity_at.date().isoformat() == (
        "2026-06-13"
    )


async def test_chengdu_recap_compliance_is_below_the_rule(call) -> None:
    async def work(session, operator, tenant_id):
        ids = await chapter_ids(session)
        page = await service.chapter_health(
            session,
            operator,
            tenant_id,
            periods.quarter("2024-Q3"),
            service.ChapterFilter(chapter_ids=[ids["chengdu"], ids["hangzhou"]]),
            PageArgs(),
        )
        return {row.chapter_slug: row for _, row in page.rows}

    rows = await call(work)
    # 2024-Q3: Chengdu's two meetups (27 July without a recap, then one with); Hangzhou's two
    # both recapped.
    assert (rows["chengdu"].recaps_due, rows["chengdu"].recaps_published) == (2, 1)
    assert rows["chengdu"].recap_compliance == 0.5
    assert "min_recap_compliance" in {rule.rule for rule in rows["chengdu"].fired_rules}
    assert rows["hangzhou"].recap_compliance == 1.0


async def test_qian_bo_is_reactivated_in_2025_q3(call) -> None:
    async def work(session, operator, tenant_id):
        span = periods.days(
            periods.quarter("2024-Q4").starts_on, periods.quarter("2025-Q4").ends_on
        )
        points = await service.community_metrics(
            session, operator, tenant_id, span, Granularity.QUARTER, Segment.CODE_CONTRIBUTOR
        )
        qian = await session.scalar(
            select(Person.id).where(Person.email == f"{QIAN_BO.key}@demo.example")
        )
        (summary,) = await service.person_activity(session, tenant_id, [qian])
        return points, summary

    points, summary = await call(work)
    reactivated = {p.period.label: p.reactivated for p in points if p.chapter_id is None}
    churned = {p.period.label: p.churned for p in points if p.chapter_id is None}
    # The code contributors are Qian Bo, Wen Jing and the seated Zhang Min, Chen Jie and Ma
    # Lin (Jiang Tao starts in October 2025): only Qian Bo ever has a gap of over 90 days,
    # from his pull request of October 2024 to his talk of 16 August 2025.
    assert reactivated == {"2024-Q4": 0, "2025-Q1": 0, "2025-Q2": 0, "2025-Q3": 1, "2025-Q4": 0}
    assert REACTIVATED_QUARTER == "2025-Q3"
    assert churned["2025-Q1"] == 1  # he went quiet 90 days after his last pull request
    assert summary.code_contributions == len([c for c in PAST.commits if c.person == QIAN_BO.key])


async def test_cohorts_span_many_quarters(call) -> None:
    async def work(session, operator, tenant_id):
        return await service.retention_cohorts(
            session, operator, tenant_id, Granularity.QUARTER, 60
        )

    cohorts = await call(work)  # the last 15 years: the figures stay as the clock moves on
    filled = [row for row in cohorts if row.size > 0]
    assert len(filled) >= 8
    # Most fade: of the cohorts at least four quarters old, fewer are active four quarters on
    # than joined.
    old = [row for row in filled if len(row.retained) > 4]
    assert old and all(row.retained[4] < row.size for row in old)


async def test_contributors_to_reactivate(call) -> None:
    async def work(session, operator, tenant_id):
        page, withheld = await service.contributors_to_reactivate(
            session, operator, tenant_id, None, None, None, PageArgs(first=100)
        )
        return page, withheld

    page, withheld = await call(work)
    names = {row.display_name for _, row in page.rows}
    assert not withheld and names
    assert ZHOU_LAN.name in names  # quiet since November 2025
