"""Each definition of the insight layer on a small, hand-written past, with the expected
figures worked out by hand below (not by the SQL under test).

The story (inactive after 90 days, the default; Q1 = 2025-01-01 … 2025-03-31, Q2 = 2025-04-01
… 2025-06-30):

Hangzhou (created 2024-01-01), led by Fay since 2024-09-01:
- Ann joined 2024-06-01; spoke 2025-02-10 and 2025-05-05: active in Q1 and Q2.
- Bob joined 2024-01-01; organised 2024-12-01, then nothing: inactive from 2025-03-01 (Q1).
- Cat joined 2025-04-15 (new in Q2); mentee 2025-05-20.
- Dan joined 2024-03-01; spoke 2024-10-01 (inactive from 2024-12-30), spoke again 2025-05-01:
  re-activated in Q2.
- Eve joined 2024-02-01; guest 2025-01-20; left 2025-05-10: churned in Q2 (she would have gone
  quiet on 2025-04-20 too: she counts once).
- Hal joined 2024-01-01; speaker of a draft only: never active.
Chengdu (created 2024-01-01): Gus joined 2025-03-01, contributed code 2025-06-01; no activity,
no lead.

Hangzhou's activities in Q2: accepted 2025-05-01 (recap), 2025-05-05 (no recap), 2025-05-20
(mentoring, recap), a draft 2025-06-10 and a cancelled one 2025-06-15.
"""

from __future__ import annotations

import pytest

from chapters.db.pagination import PageArgs
from chapters.insight import periods, service
from chapters.insight.figures import Granularity, HealthStatus, Segment
from tests.insight.conftest import Q2

# Every definition holds whether the figures are computed live or read from the rollup.
pytestmark = pytest.mark.parametrize("past", ["live", "rollup"], indirect=True)


async def test_chapter_health_of_a_quarter(past) -> None:
    history, call = past
    page = await call(
        lambda s, p, t: service.chapter_health(s, p, t, Q2, service.ChapterFilter(), PageArgs())
    )
    chengdu, hangzhou = (row for _, row in page.rows)  # by name
    assert hangzhou.chapter_name == "Hangzhou"
    assert (hangzhou.members, hangzhou.active_members) == (7, 4)  # ann cat dan fay
    assert (hangzhou.new_members, hangzhou.churned_members) == (1, 1)  # cat; eve
    assert hangzhou.reactivated_members == 1  # dan
    assert hangzhou.retention == pytest.approx(2 / 3)  # Q1: ann eve fay; still: ann fay
    assert {c.key: c.count for c in hangzhou.activities_by_status} == {
        "accepted": 3,
        "draft": 1,
        "cancelled": 1,
    }
    assert {c.key: c.count for c in hangzhou.activities_by_kind} == {
        "offline_meetup": 4,
        "mentoring": 1,
    }
    assert (hangzhou.recaps_due, hangzhou.recaps_published) == (3, 2)
    assert hangzhou.recap_compliance == pytest.approx(2 / 3)
    assert hangzhou.last_activity_at.date().isoformat() == "2025-05-20"
    assert hangzhou.days_since_last_activity == 41  # 2025-05-20 noon → 2025-07-01
    assert hangzhou.lead_id == history.people["fay"].id
    assert hangzhou.lead_tenure_days == 302  # 2024-09-01 noon → 2025-07-01
    assert hangzhou.status is HealthStatus.NEEDS_ATTENTION
    assert [r.rule for r in hangzhou.fired_rules] == ["min_recap_compliance"]

    assert (chengdu.members, chengdu.active_members, chengdu.new_members) == (1, 1, 0)
    assert chengdu.last_activity_at is None
    assert chengdu.status is HealthStatus.DORMANT_CANDIDATE  # 547 days since it was created
    assert [r.rule for r in chengdu.fired_rules] == ["dormant_after_days", "lead_required"]


async def test_tenant_series_by_month_and_segment(past) -> None:
    _, call = past
    span = periods.days(Q2.starts_on, Q2.ends_on)
    points = await call(lambda s, p, t: service.community_metrics(s, p, t, span, Granularity.MONTH))
    by_month = {point.period.label: point for point in points}
    assert list(by_month) == ["2025-04", "2025-05", "2025-06"]
    # April: fay (seat) only; May: ann cat dan fay; June: fay, gus (code)
    assert [by_month[m].active for m in by_month] == [1, 4, 2]
    assert [by_month[m].new for m in by_month] == [1, 0, 0]  # cat
    # eve went quiet on 04-20 and left on 05-10: churned in each month (once in the quarter)
    assert [by_month[m].churned for m in by_month] == [1, 1, 0]
    assert [by_month[m].reactivated for m in by_month] == [0, 1, 0]  # dan
    assert [by_month[m].activities for m in by_month] == [0, 3, 2]
    assert by_month["2025-05"].attendance == 65
    code_only = await call(
        lambda s, p, t: service.community_metrics(
            s, p, t, span, Granularity.MONTH, Segment.CODE_CONTRIBUTOR
        )
    )
    assert [point.active for point in code_only] == [0, 0, 1]


async def test_retention_cohorts_and_funnel(past) -> None:
    _, call = past
    funnel = await call(lambda s, p, t: service.funnel(s, p, t, Q2))
    # new: cat, who first took part in Q2 too; active: ann cat dan fay gus; in Q3: fay only
    assert (funnel.acquired, funnel.activated, funnel.active) == (1, 1, 5)
    assert funnel.retained == 1
    assert funnel.converted_to_contributor == 1  # gus: arrived in Q1, first code in Q2
    assert funnel.promoted_to_lead == 0

    cohorts = await call(lambda s, p, t: service.cohort_rows(s, t, Granularity.QUARTER, 12))
    q1_2024 = next(row for row in cohorts if row.cohort.label == "2024-Q1")
    assert q1_2024.size == 4  # bob dan eve hal
    # active in 2024-Q4: bob dan; 2025-Q1: eve; 2025-Q2: dan
    assert q1_2024.retained[:6] == [0, 0, 0, 2, 1, 1]
    assert q1_2024.retention[3] == pytest.approx(0.5)


async def test_people_gone_quiet_and_activity_summaries(past) -> None:
    history, call = past
    page, withheld = await call(
        lambda s, p, t: service.contributors_to_reactivate(
            s,
            p,
            t,
            None,
            None,
            None,
            PageArgs(),
        )
    )
    # contributors whose last evidence is older than 90 days from now (2026): all of them
    assert not withheld  # the operator is staff
    names = [row.display_name for _, row in page.rows]
    assert names == ["Gus", "Ann", "Dan", "Bob"]  # most recently active first
    ann = next(row for _, row in page.rows if row.display_name == "Ann")
    assert [c.kind for c in ann.last_contributions] == ["speaker", "speaker"]

    summaries = await call(
        lambda s, p, t: service.person_activity(
            s, t, [history.people[n].id for n in ("dan", "gus", "fay", "hal")]
        )
    )
    dan, gus, fay, hal = summaries
    assert [(c.key, c.count) for c in dan.participations_by_role] == [("speaker", 2)]
    assert dan.first_participation_at.date().isoformat() == "2024-10-01"
    assert dan.segments == [Segment.NON_CODE_CONTRIBUTOR]
    assert (gus.code_contributions, gus.segments) == (1, [Segment.CODE_CONTRIBUTOR])
    assert fay.active and not dan.active  # fay still leads
    assert hal.segments == [Segment.USER] and hal.participations_by_role == []
