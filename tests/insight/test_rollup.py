"""The insight rollup (``chapters.insight.rollup``): the triggers mark exactly the people whose
evidence changed, figures read through the rollup beside those stale people are the live
figures, a refresh clears only the marks it saw, and the rules that shape the rollup make it
unusable until it is rebuilt. (``test_definitions`` checks every hand-computed figure through
the rollup as well.)"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import date

from sqlalchemy import text

from chapters.db.pagination import PageArgs
from chapters.db.session import open_tenant_session, tenant_sessionmaker
from chapters.insight import periods, rollup, service
from chapters.insight.figures import Granularity
from chapters.insight.rules import DEFAULT_RULES
from chapters.jobs.worker import run_worker
from chapters.models import ActivityStatus, ChapterRole
from chapters.models import ParticipantRole as R
from chapters.tenants.service import TenantChanges, update_tenant
from tests.insight.conftest import Q2
from tests.insight.history import History, write_history

YEAR = periods.days(date(2024, 7, 1), date(2025, 7, 1))
LAST_DAY = date(2025, 6, 30)


async def _continue(owner_engine, history, story) -> None:
    """More of the story, in its own committed transaction (the people and chapters known)."""

    async def continued(h: History) -> None:
        h.people, h.chapters = history.people, history.chapters
        await story(h)

    await write_history(owner_engine, history.tenant.id, continued)


async def _sql(owner_engine, history, statement: str, **params) -> list:
    sessions = tenant_sessionmaker(owner_engine)
    async with open_tenant_session(sessions, history.tenant.id) as session, session.begin():
        result = await session.execute(text(statement), params)
        return list(result) if result.returns_rows else []


async def _stale(owner_engine, history) -> set[str]:
    names = {person.id: name for name, person in history.people.items()}
    rows = await _sql(owner_engine, history, "SELECT person_id FROM insight_stale_people")
    return {names[row.person_id] for row in rows}


async def _refresh(call, **options) -> rollup.Refreshed:
    return await call(lambda s, p, t: rollup.refresh(s, t, DEFAULT_RULES, **options))


async def _figures(call, history, *, live: bool) -> tuple:
    """Chapter health of Q2, the monthly and quarterly series of a year (tenant and per
    chapter) and cohorts up to Q2, and who was read live; computed live when asked (the rollup's state removed in
    a savepoint rolled back after) or as served."""
    chapters = [chapter.id for chapter in history.chapters.values()]

    async def figures(session, principal, tenant_id):
        savepoint = await session.begin_nested()
        if live:
            await session.execute(text("DELETE FROM insight_rollups"))
        health = await service.chapter_health(
            session, principal, tenant_id, Q2, service.ChapterFilter(), PageArgs()
        )
        series = [
            await service.community_metrics(
                session, principal, tenant_id, YEAR, granularity, None, ids
            )
            for granularity in Granularity
            for ids in (None, chapters)
        ] + [
            await service.cohort_rows(session, tenant_id, granularity, 8, ending=LAST_DAY)
            for granularity in Granularity
        ]
        served_from = await rollup.live_people(session, tenant_id, DEFAULT_RULES, Q2_END)
        await savepoint.rollback()
        return [row for _, row in health.rows], series, served_from

    return await call(figures)


Q2_END = service._moment(Q2.ends_on)


async def test_changed_evidence_marks_exactly_its_people(past, owner_engine) -> None:
    history, call = past
    assert await _stale(owner_engine, history) >= {"ann", "bob", "dan", "fay", "gus"}
    assert (await _refresh(call)).rebuilt  # never built: everyone
    assert await _stale(owner_engine, history) == set()

    async def story(h: History) -> None:
        await h.activity("Hangzhou", "2025-06-20", people={"hal": R.SPEAKER})  # a participation
        await h.code("cat", "2025-06-21")  # a code contribution
        await h.member("eve", "Chengdu", "2025-06-01", role=ChapterRole.CO_LEAD)  # a seat

    await _continue(owner_engine, history, story)
    assert await _stale(owner_engine, history) == {"hal", "cat", "eve"}
    refreshed = await _refresh(call)
    assert (refreshed.rebuilt, refreshed.people) == (False, 3)
    assert await _stale(owner_engine, history) == set()

    # what is not evidence marks no one: a participant's topic, a draft's title
    await _sql(owner_engine, history, "UPDATE activity_participants SET topic = 'Kubernetes'")
    await _sql(owner_engine, history, "UPDATE activities SET title = title || ' (edited)'")
    assert await _stale(owner_engine, history) == set()
    # a registration counts once its registrant is checked in at the door
    await _sql(
        owner_engine,
        history,
        "INSERT INTO registrations (tenant_id, id, activity_id, person_id, status, code,"
        " confirmed_at) SELECT tenant_id, gen_random_uuid(), id, :hal, 'confirmed', 'HAL00001',"
        " now() FROM activities WHERE starts_at::date = '2025-05-20'",
        hal=history.people["hal"].id,
    )
    assert await _stale(owner_engine, history) == set()
    await _sql(owner_engine, history, "UPDATE registrations SET checked_in_at = now()")
    assert await _stale(owner_engine, history) == {"hal"}
    await _refresh(call)
    # an activity cancelled: everyone who took part in it
    await _sql(
        owner_engine,
        history,
        "UPDATE activities SET status = :cancelled WHERE starts_at::date = '2025-05-05'",
        cancelled=ActivityStatus.CANCELLED.value,
    )
    assert await _stale(owner_engine, history) == {"ann"}
    # leaving a chapter (a membership's new period)
    await _refresh(call)
    await _sql(
        owner_engine,
        history,
        "UPDATE chapter_membership_periods SET ended_at = now() WHERE person_id = :gus",
        gus=history.people["gus"].id,
    )
    assert await _stale(owner_engine, history) == {"gus"}


async def test_figures_beside_stale_people_are_the_live_figures(past, owner_engine) -> None:
    history, call = past
    await _refresh(call)
    served = await _figures(call, history, live=False)
    assert served[2] == []  # the rollup serves, nobody read live
    assert served[:2] == (await _figures(call, history, live=True))[:2]

    # After the rollup: dan speaks again, bob is made a co-lead, gus's code is removed,
    # ann's talk of 2025-05-05 is moved into June, and a new person takes part.
    async def story(h: History) -> None:
        await h.person("ivy")
        await h.member("ivy", "Hangzhou", "2025-04-02")
        await h.activity("Hangzhou", "2025-06-02", people={"dan": R.HOST, "ivy": R.GUEST})
        await h.member("bob", "Chengdu", "2025-05-15", role=ChapterRole.CO_LEAD)

    await _continue(owner_engine, history, story)
    await _sql(owner_engine, history, "DELETE FROM code_contributions")
    await _sql(
        owner_engine,
        history,
        "UPDATE activities SET starts_at = starts_at + interval '40 days'"
        " WHERE starts_at::date = '2025-05-05'",
    )
    health, series, live = await _figures(call, history, live=False)
    assert {history.people[name].id for name in ("ivy", "dan", "bob", "gus", "ann")} == set(live)
    assert (health, series) == (await _figures(call, history, live=True))[:2]
    hangzhou = next(row for row in health if row.chapter_name == "Hangzhou")
    # members: + ivy; active: ann cat dan fay, ivy (a guest), bob (a co-lead in Chengdu)
    assert (hangzhou.members, hangzhou.active_members) == (8, 6)

    # refreshed, the same figures from the rollup alone
    await _refresh(call)
    again = await _figures(call, history, live=False)
    assert again[2] == []
    assert again[:2] == (health, series)


async def test_a_mark_renewed_while_a_refresh_runs_stays(past, owner_engine, app_engine) -> None:
    history, call = past
    await _refresh(call)
    await _continue(owner_engine, history, lambda h: h.code("cat", "2025-06-01"))
    # Cat changes again in a transaction that is still open when the refresh clears marks:
    # the refresh waits for it, then must keep cat's renewed mark (it did not see the change).
    sessions = tenant_sessionmaker(owner_engine)
    async with open_tenant_session(sessions, history.tenant.id) as other:
        await other.begin()
        await other.execute(
            text(
                "UPDATE code_contributions SET occurred_at = occurred_at - interval '1 day'"
                " WHERE person_id = :cat"
            ),
            {"cat": history.people["cat"].id},
        )
        refresh = asyncio.create_task(_refresh(call))
        await _wait_for_a_lock(app_engine)
        await other.commit()
    assert (await refresh).people == 1
    assert await _stale(owner_engine, history) == {"cat"}
    served = await _figures(call, history, live=False)
    assert served[:2] == (await _figures(call, history, live=True))[:2]


async def _wait_for_a_lock(engine) -> None:
    for _ in range(200):
        async with engine.connect() as conn:
            waiting = await conn.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock' AND query LIKE '%DELETE FROM insight_stale%'"
                )
            )
        if waiting:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the refresh never waited for the open transaction")


async def test_rules_that_shape_the_rollup_wait_for_its_rebuild(
    past, owner_engine, settings, urls
) -> None:
    _, call = past
    await _refresh(call)
    quicker = dataclasses.replace(DEFAULT_RULES, inactive_after_days=30)

    async def change_rules(session, principal, tenant_id):
        changes = TenantChanges(health_rules={"inactive_after_days": 30})
        await update_tenant(session, principal, tenant_id, changes)

    await call(change_rules)

    # the rollup was built for 90 days: figures are live, and as live computes them
    async def live_people(session, principal, tenant_id):
        return await rollup.live_people(session, tenant_id, quicker, Q2_END)

    assert await call(live_people) is None
    before = await _figures_with(call, quicker)
    # the change queued the rebuild; the worker runs it
    await run_worker(settings, urls.app, wait=False)
    assert await call(live_people) == []
    assert await _figures_with(call, quicker) == before


async def _figures_with(call, rules) -> list:
    async def health(session, principal, tenant_id):
        page = await service.chapter_health(
            session, principal, tenant_id, Q2, service.ChapterFilter(), PageArgs()
        )
        return [
            (row.active_members, row.churned_members, row.reactivated_members)
            for _, row in page.rows
        ]

    return await call(health)
