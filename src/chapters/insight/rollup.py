"""The insight rollup: what each person's evidence and memberships say, per month, kept so
the dashboards read a few rows per person instead of the tenant's whole history.

``insight_person_months`` has, per person and month, the first moment the person was active in
the month (taking part, contributing code when it counts, holding a seat) and in the next month,
and the moves of the month: the person's first evidence, their arrival (first joined a
chapter, or first evidence), returns after an inactive stretch, lapses into one, and
departures from the last chapter they were in. The moves are computed over *all* the evidence
at once: a move before a moment ``t`` depends only on the evidence before ``t`` (a lapse is
dated ``inactive_after_days`` after the last evidence, and is there only if nothing came in
between), so a figure as of any time reads the rows dated before it and is exactly what the
live statement gives. A seat with no end is kept month by month up to ``covers_until`` (a
month ahead at least).

Exact, not eventually right:
- a trigger marks a person stale (``insight_stale_people``) in the very transaction that
  changes their evidence or memberships (migration ``6da57ecd3138``); a figure reads stale
  people live, from their evidence, and everyone else from the rollup;
- the rollup is computed for the rules that shape it (inactivity, whether code counts): after
  they change, figures are live until it is rebuilt; likewise a figure as of a time past
  ``covers_until`` (the worker did not run for a month).
A refresh recomputes the stale people and clears their marks, except a mark renewed while it
ran (its evidence changed after the refresh's snapshot). It runs in the worker, hourly and
after the rules change, and on demand (``chapters insight-refresh``).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.insight import evidence
from chapters.insight.rules import HealthRules
from chapters.jobs.queue import enqueue

# A rebuild keeps open seats up to the start of the month after next; the hourly refresh
# rebuilds when less than a month is left.
COVER_MONTHS = 2
# Beyond this many people to read live, a figure reads everyone live (one statement over the
# tenant's evidence beats a rollup read with thousands of people computed beside it) …
LIVE_LIMIT = 2_000
# … and a refresh rebuilds the whole tenant rather than recompute them one by one.
REBUILD_ABOVE = 2_000
# The worker's task that refreshes a tenant's rollup (``insight.tasks``).
REFRESH_TASK = "insight.refresh_rollup"
REFRESH_QUEUE = "housekeeping"
# ``:as_of`` of the rollup: everything there is (PostgreSQL's infinity has no Python value).
ALL_TIME = datetime(9999, 1, 1, tzinfo=UTC)


def rules_key(rules: HealthRules) -> str:
    """The rules the rollup depends on, as kept beside it."""
    counts = "true" if rules.code_counts_as_active else "false"
    return f"inactive_after_days={rules.inactive_after_days} code_counts_as_active={counts}"


# --- reading -------------------------------------------------------------------------------

_STATE_AND_STALE = text("""
SELECT r.rules, r.covers_until,
       ARRAY(SELECT person_id FROM insight_stale_people WHERE tenant_id = :tenant) AS live
FROM insight_rollups r WHERE r.tenant_id = :tenant""")


async def live_people(
    session: AsyncSession, tenant_id: uuid.UUID, rules: HealthRules, as_of: datetime
) -> list[uuid.UUID] | None:
    """The people a figure as of ``as_of`` must read live beside the rollup, or None when the
    rollup cannot serve (never built, built for other rules, not covering ``as_of``, or too
    many people changed since). The state is read once per session, as the basis is."""
    key = ("insight.rollup", tenant_id)
    async with session.info.setdefault("insight.rollup.lock", asyncio.Lock()):
        if key not in session.info:
            params = {"tenant": tenant_id}
            session.info[key] = (await session.execute(_STATE_AND_STALE, params)).one_or_none()
    state = session.info[key]
    if state is None or state.rules != rules_key(rules) or as_of > state.covers_until:
        return None
    live: list[uuid.UUID] = state.live
    return live if len(live) <= LIVE_LIMIT else None


# --- computing -----------------------------------------------------------------------------


def _month(moment: str) -> str:
    return f"(date_trunc('month', {moment} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')"


def _next_month(month: str) -> str:
    return f"(({month} AT TIME ZONE 'UTC' + interval '1 month') AT TIME ZONE 'UTC')"


def _compute(everyone: bool) -> str:
    """Rows of ``insight_person_months`` for everyone, or for the people of ``:people``: the
    moves over all their evidence, the months of their moments and of their seats (an open
    seat up to ``:covers_until``)."""
    who = "" if everyone else "WHERE e.person_id = ANY(:people)"
    whose = "" if everyone else "AND person_id = ANY(:people)"
    return f"""
WITH evidence AS (
  SELECT * FROM ({evidence.MOMENTS}
    UNION ALL{evidence.STRETCHES}
  ) e {who}
),
{evidence.moves_named("moves")},
months AS (
  SELECT person_id, month, min(active_from) AS active_from FROM (
    SELECT person_id, {_month("started")} AS month, started AS active_from
    FROM evidence WHERE ended = started
    UNION ALL
    SELECT person_id, m AT TIME ZONE 'UTC', greatest(started, m AT TIME ZONE 'UTC')
    FROM evidence, generate_series(
      date_trunc('month', started AT TIME ZONE 'UTC'),
      date_trunc('month', least(ended, CAST(:covers_until AS timestamptz)
                                       - interval '1 microsecond') AT TIME ZONE 'UTC'),
      interval '1 month') m
    WHERE ended > started
  ) spans
  GROUP BY 1, 2
),
{evidence.departures_named("departures", who=whose.replace("person_id", "l.person_id"))},
{evidence.arrivals(whose).strip()},
marks AS (
  SELECT person_id, at, move FROM moves
  UNION ALL
  SELECT person_id, at, 'arrived' FROM arrivals
  UNION ALL
  SELECT person_id, at, 'left' FROM departures WHERE last_chapter
),
moved AS (
  SELECT person_id, {_month("at")} AS month,
         min(at) FILTER (WHERE move = 'first') AS first_seen_at,
         min(at) FILTER (WHERE move = 'arrived') AS arrived_at,
         min(at) FILTER (WHERE move = 'reactivated') AS reactivated_at,
         min(at) FILTER (WHERE move = 'inactive') AS inactive_at,
         min(at) FILTER (WHERE move = 'left') AS left_at
  FROM marks GROUP BY 1, 2
)
INSERT INTO insight_person_months (tenant_id, month, person_id, active_from, next_active_from,
                                   first_seen_at, arrived_at, reactivated_at, inactive_at,
                                   left_at)
SELECT :tenant, coalesce(m.month, v.month), coalesce(m.person_id, v.person_id),
       m.active_from, n.active_from, v.first_seen_at, v.arrived_at, v.reactivated_at,
       v.inactive_at, v.left_at
FROM months m
FULL JOIN moved v ON v.person_id = m.person_id AND v.month = m.month
LEFT JOIN months n ON n.person_id = m.person_id AND n.month = {_next_month("m.month")}
ORDER BY 2, 3  -- a tenant's rows of a month side by side on disk (read by month ranges)"""


_COMPUTE_EVERYONE = text(_compute(everyone=True))
_COMPUTE_SOME = text(_compute(everyone=False))
# One refresh per tenant at a time. Its statements are planned for their own parameters (a
# generic plan of the computation guesses a few rows where there are hundreds of thousands),
# sort in memory, and may take longer than a request's (a big tenant's rebuild: seconds).
_LOCK = text(
    "SELECT pg_advisory_xact_lock(hashtextextended(:lock, 0)),"
    " set_config('plan_cache_mode', 'force_custom_plan', true),"
    " set_config('work_mem', '64MB', true),"
    " set_config('statement_timeout', :timeout, true)"
)
REFRESH_TIMEOUT = "10min"
_STATE = text("SELECT rules, covers_until FROM insight_rollups WHERE tenant_id = :tenant")
_CLOCK = text(
    f"SELECT now(), (date_trunc('month', now() AT TIME ZONE 'UTC')"
    f" + interval '{COVER_MONTHS} months') AT TIME ZONE 'UTC' AS cover"
)
_MARKS = text(
    "SELECT person_id, marked_at FROM insight_stale_people WHERE tenant_id = :tenant"
    " ORDER BY person_id"
)
_FORGET_EVERYONE = text("DELETE FROM insight_person_months WHERE tenant_id = :tenant")
_FORGET_SOME = text(
    "DELETE FROM insight_person_months WHERE tenant_id = :tenant AND person_id = ANY(:people)"
)
_BUILT = text("""
INSERT INTO insight_rollups (tenant_id, rules, built_at, covers_until)
VALUES (:tenant, :rules, now(), :covers_until)
ON CONFLICT (tenant_id) DO UPDATE
SET rules = excluded.rules, built_at = excluded.built_at, covers_until = excluded.covers_until""")
# Only the marks as they were read: one renewed since (by a transaction the computation did
# not see, or did) stays for the next refresh.
_CLEAR = text("""
DELETE FROM insight_stale_people s
USING unnest(CAST(:people AS uuid[]), CAST(:marks AS timestamptz[])) AS m(person_id, marked_at)
WHERE s.tenant_id = :tenant AND s.person_id = m.person_id AND s.marked_at = m.marked_at""")


@dataclass(frozen=True)
class Refreshed:
    rebuilt: bool  # the whole tenant was computed
    people: int  # people recomputed (stale ones; everyone's marks cleared on a rebuild)
    rows: int  # rows written
    seconds: float


async def refresh(
    session: AsyncSession, tenant_id: uuid.UUID, rules: HealthRules, *, rebuild: bool = False
) -> Refreshed:
    """Bring the tenant's rollup up to date: recompute its stale people, or everyone when asked,
    when it was never built or built for other rules, or when many changed. One refresh per
    tenant at a time (a transaction lock); the caller commits."""
    started = time.perf_counter()
    params: dict[str, Any] = {
        "tenant": tenant_id,
        "as_of": ALL_TIME,
        "inactive": timedelta(days=rules.inactive_after_days),
        "code_counts": rules.code_counts_as_active,
    }
    await session.execute(
        _LOCK, {"lock": f"insight-rollup:{tenant_id}", "timeout": REFRESH_TIMEOUT}
    )
    state = (await session.execute(_STATE, params)).one_or_none()
    marks = (await session.execute(_MARKS, params)).all()
    now, cover = (await session.execute(_CLOCK)).one()
    rebuild = (
        rebuild
        or state is None
        or state.rules != rules_key(rules)
        or state.covers_until - timedelta(days=31) < now  # an open seat's months run out
        or len(marks) > REBUILD_ABOVE
    )
    params["covers_until"] = cover if rebuild or state is None else state.covers_until
    people = [row.person_id for row in marks]
    rows = 0
    if rebuild:
        await session.execute(_FORGET_EVERYONE, params)
        rows = _count(await session.execute(_COMPUTE_EVERYONE, params))
        await session.execute(_BUILT, {**params, "rules": rules_key(rules)})
    elif people:
        await session.execute(_FORGET_SOME, {**params, "people": people})
        rows = _count(await session.execute(_COMPUTE_SOME, {**params, "people": people}))
    if people:
        await session.execute(
            _CLEAR, {**params, "people": people, "marks": [row.marked_at for row in marks]}
        )
    return Refreshed(
        rebuilt=rebuild,
        people=len(people),
        rows=rows,
        seconds=time.perf_counter() - started,
    )


def _count(result: Any) -> int:
    return int(result.rowcount)


async def queue_refresh(session: AsyncSession) -> None:
    """Have the worker refresh the session's tenant's rollup soon (enqueued in the session's
    transaction: only if it commits)."""
    await enqueue(session, REFRESH_TASK, queue=REFRESH_QUEUE)
