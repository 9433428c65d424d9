"""The SQL every figure is built from. One statement per dashboard, parameters bound, the
tenant named explicitly (for the indexes: row-level security filters by it as well).

*Evidence* is one row per thing that makes a person active, as a span of time: taking part in
an accepted activity (a moment), a code contribution (a moment, when the tenant counts code),
a lead or co-lead period, a committee seat (stretches). *Moves* are the moments a person
started: first took part, came back after an inactive stretch (``reactivated``), or went
quiet (``inactive``: ``inactive_after_days`` after the evidence they last had). A stretch
covers its person until it ends, so a seated lead never goes quiet.
"""

from __future__ import annotations

from chapters.models import ActivityStatus, ChapterRole, MembershipStatus, ParticipantRole

# Taking part in any of these roles makes a person active …
ACTIVE_ROLES = tuple(role.value for role in ParticipantRole)
# … and these make them a non-code contributor (a guest or mentee is a user who took part).
CONTRIBUTOR_ROLES = tuple(
    role.value
    for role in (
        ParticipantRole.ORGANIZER,
        ParticipantRole.SPEAKER,
        ParticipantRole.HOST,
        ParticipantRole.MENTOR,
        ParticipantRole.AUTHOR,
    )
)
SEAT_ROLES = (ChapterRole.LEAD.value, ChapterRole.CO_LEAD.value)
ACCEPTED = ActivityStatus.ACCEPTED.value
CANCELLED = ActivityStatus.CANCELLED.value
ACTIVE_MEMBER = MembershipStatus.ACTIVE.value
LEFT = MembershipStatus.LEFT.value


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{value}'" for value in values) + ")"


# Parameters: :tenant, :as_of (nothing after it counts), :inactive (an interval), :code_counts.
# Moments (taking part, contributing code), then stretches (seats).
MOMENTS = f"""
  SELECT p.person_id, a.starts_at AS started, a.starts_at AS ended, p.role AS kind
  FROM activity_participants p
  JOIN activities a ON a.tenant_id = p.tenant_id AND a.id = p.activity_id
  WHERE p.tenant_id = :tenant AND p.person_id IS NOT NULL AND a.status = '{ACCEPTED}'
    AND a.starts_at < :as_of AND p.role IN {_in(ACTIVE_ROLES)}
  UNION ALL
  -- a registrant checked in at the door attended (chapters.registrations)
  SELECT r.person_id, a.starts_at, a.starts_at, 'attendee'
  FROM registrations r
  JOIN activities a ON a.tenant_id = r.tenant_id AND a.id = r.activity_id
  WHERE r.tenant_id = :tenant AND r.person_id IS NOT NULL AND r.checked_in_at IS NOT NULL
    AND a.status = '{ACCEPTED}' AND a.starts_at < :as_of
  UNION ALL
  SELECT person_id, occurred_at, occurred_at, 'code'
  FROM code_contributions
  WHERE tenant_id = :tenant AND :code_counts AND occurred_at < :as_of"""

STRETCHES = f"""
  SELECT person_id, started_at, least(coalesce(ended_at, :as_of), :as_of), 'seat'
  FROM chapter_membership_periods
  WHERE tenant_id = :tenant AND status = '{ACTIVE_MEMBER}' AND role IN {_in(SEAT_ROLES)}
    AND started_at < :as_of
  UNION ALL
  SELECT person_id, starts_on::timestamp AT TIME ZONE 'UTC',
         least(coalesce(ends_on::timestamp AT TIME ZONE 'UTC', :as_of), :as_of), 'seat'
  FROM committee_seats
  WHERE tenant_id = :tenant AND starts_on::timestamp AT TIME ZONE 'UTC' < :as_of"""

EVIDENCE = f"""
evidence AS ({MOMENTS}
  UNION ALL{STRETCHES}
)"""

# The evidence of the people of ``:live`` only (beside the rollup, which has the others').
LIVE_EVIDENCE = f"""
evidence AS (
  SELECT * FROM ({MOMENTS}
    UNION ALL{STRETCHES}
  ) e WHERE e.person_id = ANY(:live)
)"""


def moves_named(name: str) -> str:
    """Needs ``evidence``. One row per move: (person_id, at, move)."""
    return f"""
ordered AS (
  SELECT person_id, started, ended,
         max(ended) OVER (PARTITION BY person_id ORDER BY started, ended
                          ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS covered_until
  FROM evidence
),
{name} AS (
  SELECT person_id, started AS at, 'first' AS move FROM ordered WHERE covered_until IS NULL
  UNION ALL
  SELECT person_id, started, 'reactivated' FROM ordered
  WHERE started > covered_until + :inactive
  UNION ALL
  SELECT person_id, covered_until + :inactive, 'inactive' FROM ordered
  WHERE started > covered_until + :inactive
  UNION ALL
  SELECT person_id, max(ended) + :inactive, 'inactive' FROM evidence
  GROUP BY person_id HAVING max(ended) + :inactive < :as_of
)"""


MOVES = moves_named("moves")

# The rollup's rows of ``[:first, :last)`` (month starts) of everyone but ``:live``, read once.
ROLLED = """
rolled AS MATERIALIZED (
  SELECT person_id, month, active_from, reactivated_at, inactive_at FROM insight_person_months
  WHERE tenant_id = :tenant AND month >= :first AND month < :last
    AND person_id <> ALL(:live)
)"""

# The moves of everyone: the live people's from their evidence, the others' from the rollup
# (``first`` at any time, for arrivals).
ROLLUP_MOVES = (
    moves_named("live_moves")
    + """,
moves AS (
  SELECT * FROM live_moves
  UNION ALL
  SELECT person_id, first_seen_at, 'first' FROM insight_person_months
  WHERE tenant_id = :tenant AND first_seen_at < :as_of AND person_id <> ALL(:live)
  UNION ALL
  SELECT person_id, reactivated_at, 'reactivated' FROM rolled WHERE reactivated_at < :as_of
  UNION ALL
  SELECT person_id, inactive_at, 'inactive' FROM rolled WHERE inactive_at < :as_of
)"""
)


# Needs ``moves``. When each person was first seen: joined a chapter or first took part.
def arrivals(who: str = "") -> str:
    """``who``: a further condition on the memberships."""
    return f"""
arrivals AS (
  SELECT person_id, min(at) AS at FROM (
    SELECT person_id, first_joined_at AS at FROM chapter_memberships
    WHERE tenant_id = :tenant AND first_joined_at IS NOT NULL AND first_joined_at < :as_of
      {who}
    UNION ALL
    SELECT person_id, at FROM moves WHERE move = 'first'
  ) seen
  GROUP BY person_id
)"""


ARRIVALS = arrivals()


# Leaving a chapter (a membership period that starts with ``left``): when, and whether the
# person was left in no chapter at all (for the tenant's figures).
def departures_named(name: str, who: str = "") -> str:
    """``who``: a further condition on the departing period ``l``."""
    return f"""
{name} AS (
  SELECT l.person_id, l.chapter_id, l.started_at AS at,
         NOT EXISTS (
           SELECT 1 FROM chapter_membership_periods o
           WHERE o.tenant_id = :tenant AND o.person_id = l.person_id
             AND o.chapter_id <> l.chapter_id AND o.status = '{ACTIVE_MEMBER}'
             AND o.started_at <= l.started_at
             AND (o.ended_at IS NULL OR o.ended_at > l.started_at)
         ) AS last_chapter
  FROM chapter_membership_periods l
  WHERE l.tenant_id = :tenant AND l.status = '{LEFT}' AND l.started_at < :as_of {who}
)"""


DEPARTURES = departures_named("departures")

# Segments, from evidence: code contributors recorded code, non-code contributors spoke,
# wrote, organised, hosted or mentored an accepted activity; users did neither.
SEGMENTS = f"""
code_people AS (
  SELECT DISTINCT person_id FROM code_contributions
  WHERE tenant_id = :tenant AND occurred_at < :as_of
),
non_code_people AS (
  SELECT DISTINCT p.person_id FROM activity_participants p
  JOIN activities a ON a.tenant_id = p.tenant_id AND a.id = p.activity_id
  WHERE p.tenant_id = :tenant AND p.person_id IS NOT NULL AND a.status = '{ACCEPTED}'
    AND a.starts_at < :as_of AND p.role IN {_in(CONTRIBUTOR_ROLES)}
),
in_segment AS (
  SELECT id AS person_id FROM people
  WHERE tenant_id = :tenant AND (
    CAST(:segment AS text) IS NULL
    OR (:segment = 'code_contributor' AND id IN (SELECT person_id FROM code_people))
    OR (:segment = 'non_code_contributor' AND id IN (SELECT person_id FROM non_code_people))
    OR (:segment = 'user' AND id NOT IN (SELECT person_id FROM code_people)
                          AND id NOT IN (SELECT person_id FROM non_code_people))
  )
)"""


def with_(*ctes: str) -> str:
    return "WITH " + ",".join(ctes)


# --- figures per period ------------------------------------------------------------------
# Periods are contiguous: ``:bounds`` holds their starts and the last one's end, so
# ``width_bucket(moment, :bounds)`` numbers a moment's period 1 … n (0 and n + 1: outside).

_SPANS = """
    SELECT person_id, width_bucket(started, CAST(:bounds AS timestamptz[])) AS bucket
    FROM evidence WHERE ended = started
    UNION ALL
    SELECT person_id, generate_series(
             greatest(width_bucket(started, CAST(:bounds AS timestamptz[])), 1),
             least(width_bucket(ended, CAST(:bounds AS timestamptz[])), :periods))
    FROM evidence WHERE ended > started"""

ACTIVE = f"""
active AS (  -- (person, period) for every period the person was active in
  SELECT DISTINCT person_id, bucket FROM ({_SPANS}
  ) spans
  WHERE bucket BETWEEN 1 AND :periods
)"""

# The same from the live people's evidence and the others' rollup rows (the periods' bounds
# are month starts).
ROLLUP_ACTIVE = f"""
active AS (
  SELECT DISTINCT person_id, bucket FROM ({_SPANS}
    UNION ALL
    SELECT person_id, width_bucket(month, CAST(:bounds AS timestamptz[])) FROM rolled
    WHERE active_from < :as_of
  ) spans
  WHERE bucket BETWEEN 1 AND :periods
)"""

FACTS = """
facts AS (  -- (person, period, fact), each at most once; ``stayed``: active in this period
            -- and the next; ``churned``: went quiet or left their last chapter
  SELECT person_id, bucket, 'active' AS fact FROM active
  UNION ALL
  SELECT a.person_id, a.bucket, 'stayed' FROM active a
  JOIN active n ON n.person_id = a.person_id AND n.bucket = a.bucket + 1
  UNION ALL
  SELECT person_id, width_bucket(at, CAST(:bounds AS timestamptz[])), 'new' FROM arrivals
  UNION ALL
  SELECT DISTINCT person_id, width_bucket(at, CAST(:bounds AS timestamptz[])), move FROM moves
  WHERE move IN ('reactivated', 'inactive')
  UNION ALL
  SELECT DISTINCT person_id, width_bucket(at, CAST(:bounds AS timestamptz[])), 'churned'
  FROM (
    SELECT person_id, at FROM moves WHERE move = 'inactive'
    UNION ALL
    SELECT person_id, at FROM departures WHERE last_chapter
  ) gone
)"""

# ``facts`` of the tenant's people, per period: each fact is there once per person and period,
# so a figure is a plain count (no DISTINCT: a sort of every fact).
TENANT_FIGURES = """
SELECT NULL::uuid AS chapter_id, f.bucket,
       NULL::bigint AS members,
       count(*) FILTER (WHERE f.fact = 'active') AS active,
       count(*) FILTER (WHERE f.fact = 'new') AS new,
       count(*) FILTER (WHERE f.fact = 'churned') AS churned,
       count(*) FILTER (WHERE f.fact = 'reactivated') AS reactivated,
       count(*) FILTER (WHERE f.fact = 'stayed') AS stayed
FROM facts f
WHERE f.bucket BETWEEN 1 AND :periods {segment_filter}
GROUP BY f.bucket"""


def member_periods(who: str = "") -> str:
    """(chapter, person, period) for each member of ``:chapters`` in each period (active in
    the chapter at some time in it); ``who``: a further condition on the periods."""
    return f"""
member_periods AS (
  SELECT DISTINCT chapter_id, person_id, generate_series(
           greatest(width_bucket(started_at, CAST(:bounds AS timestamptz[])), 1),
           least(width_bucket(coalesce(ended_at, :as_of), CAST(:bounds AS timestamptz[])),
                 :periods)) AS bucket
  FROM chapter_membership_periods
  WHERE tenant_id = :tenant AND status = '{ACTIVE_MEMBER}' AND chapter_id = ANY(:chapters)
    AND started_at < :as_of {who}
)"""


# Per chapter: its members' facts (a member: active in the chapter at some time in the
# period), its own arrivals (first joined it) and departures (left it).
CHAPTER_FIGURES = f"""{member_periods("{who}")},
chapter_facts AS (
  SELECT chapter_id, person_id, bucket, 'member' AS fact FROM member_periods
  UNION ALL
  SELECT m.chapter_id, f.person_id, f.bucket, f.fact FROM facts f
  JOIN member_periods m ON m.person_id = f.person_id AND m.bucket = f.bucket
  WHERE f.fact IN ('active', 'stayed', 'reactivated')
  UNION ALL
  SELECT chapter_id, person_id, width_bucket(first_joined_at, CAST(:bounds AS timestamptz[])),
         'new'
  FROM chapter_memberships
  WHERE tenant_id = :tenant AND chapter_id = ANY(:chapters) AND first_joined_at < :as_of {{who}}
  UNION ALL
  -- a member who went quiet, or left the chapter, in the period: once
  SELECT DISTINCT chapter_id, person_id, bucket, 'churned' FROM (
    SELECT m.chapter_id, f.person_id, f.bucket FROM facts f
    JOIN member_periods m ON m.person_id = f.person_id AND m.bucket = f.bucket
    WHERE f.fact = 'inactive'
    UNION ALL
    SELECT chapter_id, person_id, width_bucket(at, CAST(:bounds AS timestamptz[]))
    FROM departures WHERE chapter_id = ANY(:chapters)
  ) gone
)
SELECT c.chapter_id, c.bucket,
       count(*) FILTER (WHERE c.fact = 'member') AS members,
       count(*) FILTER (WHERE c.fact = 'active') AS active,
       count(*) FILTER (WHERE c.fact = 'new') AS new,
       count(*) FILTER (WHERE c.fact = 'churned') AS churned,
       count(*) FILTER (WHERE c.fact = 'reactivated') AS reactivated,
       count(*) FILTER (WHERE c.fact = 'stayed') AS stayed
FROM chapter_facts c
WHERE c.bucket BETWEEN 1 AND :periods {{segment_filter}}
GROUP BY c.chapter_id, c.bucket"""


def people_figures(
    by_chapter: bool, segmented: bool, rollup: bool = False, live_only: bool = False
) -> str:
    """Rows (chapter_id, bucket, members, active, new, churned, reactivated, stayed): the
    tenant's, or each of ``:chapters``'; of the people of ``:segment`` when ``segmented``
    (the filter is left out otherwise: planned for a few hundred facts, it probes once per
    fact, and there are hundreds of thousands on a big tenant). With ``rollup``, everyone
    but the people of ``:live`` is read from the rollup (the bounds must be month starts);
    with ``live_only``, the figures of the people of ``:live`` alone, from their evidence."""
    who = "AND person_id = ANY(:live)" if live_only else ""
    if rollup:
        common = [LIVE_EVIDENCE, ROLLED, ROLLUP_MOVES, ARRIVALS, DEPARTURES, ROLLUP_ACTIVE, FACTS]
    elif live_only:  # their evidence and memberships only
        departures = departures_named("departures", who.replace("person_id", "l.person_id"))
        common = [LIVE_EVIDENCE, MOVES, arrivals(who), departures, ACTIVE, FACTS]
    else:
        common = [EVIDENCE, MOVES, ARRIVALS, DEPARTURES, ACTIVE, FACTS]
    alias = "c" if by_chapter else "f"
    shown = f"AND {alias}.person_id IN (SELECT person_id FROM in_segment)" if segmented else ""
    if live_only:
        shown += f" AND {alias}.person_id = ANY(:live)"
    if segmented:
        common.insert(-2, SEGMENTS)
    if by_chapter:
        return with_(*common, CHAPTER_FIGURES.format(segment_filter=shown, who=who))
    return with_(*common) + TENANT_FIGURES.format(segment_filter=shown)


# The tenant's figures per month (every period one month, no segment) from the rollup alone,
# for everyone but ``:live`` (whose figures ``people_figures(live_only=True)`` adds): a
# person's row of a month is there once, so each figure is a plain count of one pass.
TENANT_MONTHS = """
WITH months AS (
  SELECT month,
         count(*) FILTER (WHERE active_from < :as_of) AS active,
         count(*) FILTER (WHERE arrived_at < :as_of) AS new,
         count(*) FILTER (WHERE inactive_at < :as_of OR left_at < :as_of) AS churned,
         count(*) FILTER (WHERE reactivated_at < :as_of) AS reactivated,
         count(*) FILTER (WHERE next_active_from < :as_of AND month < :last_month) AS stayed
  FROM insight_person_months
  WHERE tenant_id = :tenant AND month >= :first AND month < :last AND person_id <> ALL(:live)
  GROUP BY month
)
SELECT NULL::uuid AS chapter_id, b.bucket, NULL::bigint AS members,
       coalesce(m.active, 0) AS active, coalesce(m.new, 0) AS new,
       coalesce(m.churned, 0) AS churned, coalesce(m.reactivated, 0) AS reactivated,
       coalesce(m.stayed, 0) AS stayed
FROM unnest(CAST(:bounds AS timestamptz[])) WITH ORDINALITY AS b(month, bucket)
LEFT JOIN months m ON m.month = b.month
WHERE b.bucket <= :periods"""


# Each of ``:chapters``' figures per period (month starts, no segment) from the rollup alone,
# for everyone but ``:live``: what each person did per period, then per member of a chapter
# in the period (as ``CHAPTER_FIGURES`` counts them).
CHAPTER_ROLLUP = f"""
WITH {member_periods("AND person_id <> ALL(:live)").strip()},
per_period AS (
  SELECT person_id, width_bucket(month, CAST(:bounds AS timestamptz[])) AS bucket,
         bool_or(active_from < :as_of) AS active,
         bool_or(reactivated_at < :as_of) AS returned,
         bool_or(inactive_at < :as_of) AS lapsed
  FROM insight_person_months
  WHERE tenant_id = :tenant AND month >= :first AND month < :last AND person_id <> ALL(:live)
  GROUP BY 1, 2
),
did AS (  -- ``stayed``: active in the period and the next
  SELECT *, active AND coalesce(lead(bucket) OVER next = bucket + 1 AND lead(active) OVER next,
                                false) AS stayed
  FROM per_period WINDOW next AS (PARTITION BY person_id ORDER BY bucket)
),
members AS (
  SELECT m.chapter_id, m.bucket, m.person_id, coalesce(d.active, false) AS active,
         coalesce(d.returned, false) AS returned, coalesce(d.lapsed, false) AS lapsed,
         coalesce(d.stayed, false) AS stayed
  FROM member_periods m
  LEFT JOIN did d ON d.person_id = m.person_id AND d.bucket = m.bucket
),
churned AS (  -- a member who went quiet, or left the chapter, in the period: once
  SELECT chapter_id, bucket, count(DISTINCT person_id) AS n FROM (
    SELECT chapter_id, person_id, bucket FROM members WHERE lapsed
    UNION ALL
    SELECT chapter_id, person_id, width_bucket(started_at, CAST(:bounds AS timestamptz[]))
    FROM chapter_membership_periods
    WHERE tenant_id = :tenant AND status = '{LEFT}' AND chapter_id = ANY(:chapters)
      AND started_at >= :first AND started_at < :as_of AND person_id <> ALL(:live)
  ) gone
  GROUP BY 1, 2
),
joined AS (
  SELECT chapter_id, width_bucket(first_joined_at, CAST(:bounds AS timestamptz[])) AS bucket,
         count(*) AS n
  FROM chapter_memberships
  WHERE tenant_id = :tenant AND chapter_id = ANY(:chapters) AND first_joined_at >= :first
    AND first_joined_at < :as_of AND person_id <> ALL(:live)
  GROUP BY 1, 2
),
counted AS (
  SELECT chapter_id, bucket, count(*) AS members, count(*) FILTER (WHERE active) AS active,
         count(*) FILTER (WHERE returned) AS reactivated,
         count(*) FILTER (WHERE stayed) AS stayed
  FROM members GROUP BY 1, 2
)
SELECT k.chapter_id, k.bucket, coalesce(c.members, 0) AS members,
       coalesce(c.active, 0) AS active, coalesce(j.n, 0) AS new,
       coalesce(g.n, 0) AS churned, coalesce(c.reactivated, 0) AS reactivated,
       coalesce(c.stayed, 0) AS stayed
FROM (SELECT chapter_id, bucket FROM counted UNION SELECT chapter_id, bucket FROM churned
      UNION SELECT chapter_id, bucket FROM joined) k
LEFT JOIN counted c ON c.chapter_id = k.chapter_id AND c.bucket = k.bucket
LEFT JOIN churned g ON g.chapter_id = k.chapter_id AND g.bucket = k.bucket
LEFT JOIN joined j ON j.chapter_id = k.chapter_id AND j.bucket = k.bucket
WHERE k.bucket BETWEEN 1 AND :periods"""


# --- activities per period -----------------------------------------------------------------

# Rows (chapter_id, bucket, kind, status, activities, attendance): the tenant's activities
# (chapter_id NULL), or those credited to each of ``:chapters`` (owned or co-hosted).
# ``:organisation``: only the accepted activities that organisation took part in (a partner's
# view, as ``authz.partners.visible_activities`` has it).
_ORGANISATION_FILTER = f"""
  AND (CAST(:organisation AS uuid) IS NULL OR (a.status = '{ACCEPTED}' AND EXISTS (
    SELECT 1 FROM activity_organisations o
    WHERE o.tenant_id = a.tenant_id AND o.activity_id = a.id
      AND o.organisation_id = :organisation)))"""

TENANT_ACTIVITIES = f"""
SELECT NULL::uuid AS chapter_id, width_bucket(a.starts_at, CAST(:bounds AS timestamptz[])) AS bucket,
       a.kind, a.status, count(*) AS activities,
       coalesce(sum(a.actual_attendance), 0) AS attendance
FROM activities a
WHERE a.tenant_id = :tenant AND a.starts_at >= :first AND a.starts_at < :last
  {_ORGANISATION_FILTER}
GROUP BY 2, 3, 4"""

_COUNTED = "a.tenant_id, a.id, a.starts_at, a.kind, a.status, a.actual_attendance"
CHAPTER_ACTIVITIES = f"""
WITH co_hosted AS MATERIALIZED (  -- joined by hash: probing each of a chapter's co-hosted
  SELECT chapter_id, activity_id FROM activity_co_hosts  -- activities by id costs more
  WHERE tenant_id = :tenant AND chapter_id = ANY(:chapters)
),
in_period AS MATERIALIZED (
  SELECT {_COUNTED} FROM activities a
  WHERE a.tenant_id = :tenant AND a.starts_at >= :first AND a.starts_at < :last
),
credited AS (  -- read from the activities' indexes alone (they include these columns)
  SELECT a.chapter_id AS credited_to, {_COUNTED} FROM activities a
  WHERE a.tenant_id = :tenant AND a.chapter_id = ANY(:chapters)
    AND a.starts_at >= :first AND a.starts_at < :last
  UNION ALL
  SELECT h.chapter_id, a.* FROM co_hosted h JOIN in_period a ON a.id = h.activity_id
)
SELECT a.credited_to AS chapter_id,
       width_bucket(a.starts_at, CAST(:bounds AS timestamptz[])) AS bucket,
       a.kind, a.status, count(*) AS activities,
       coalesce(sum(a.actual_attendance), 0) AS attendance
FROM credited a
WHERE true {_ORGANISATION_FILTER}
GROUP BY 1, 2, 3, 4"""


# --- what a chapter's health is judged on ------------------------------------------------

# Rows per chapter of ``:chapters``: its latest accepted activity (owned or co-hosted) before
# ``:as_of``, its recaps due in ``[:first, :last)`` (accepted activities that ended then, and
# longer ago than the overdue rule ``:recap_cutoff``) and published, its current lead.
LAST_ACCEPTED_ACTIVITY = f"""greatest(
  (SELECT max(a.starts_at) FROM activities a
   WHERE a.tenant_id = :tenant AND a.chapter_id = c.id AND a.status = '{ACCEPTED}'
     AND a.starts_at < :as_of),
  (SELECT max(a.starts_at) FROM activity_co_hosts h
   JOIN activities a ON a.tenant_id = h.tenant_id AND a.id = h.activity_id
   WHERE h.tenant_id = :tenant AND h.chapter_id = c.id AND a.status = '{ACCEPTED}'
     AND a.starts_at < :as_of))"""

# Rows (chapter_id, last_activity_at) for ``:chapters``.
LAST_ACTIVITY = f"""
SELECT c.id AS chapter_id, {LAST_ACCEPTED_ACTIVITY} AS last_activity_at
FROM chapters c WHERE c.tenant_id = :tenant AND c.id = ANY(:chapters)"""

CHAPTER_STANDING = f"""
SELECT c.id AS chapter_id, {LAST_ACCEPTED_ACTIVITY} AS last_activity_at,
  due.due, due.published,
  lead.person_id AS lead_id, lead.since AS lead_since
FROM chapters c
LEFT JOIN LATERAL (
  SELECT count(*) AS due, count(*) FILTER (WHERE a.recap_published_at IS NOT NULL) AS published
  FROM activities a
  WHERE a.tenant_id = :tenant AND a.chapter_id = c.id AND a.status = '{ACCEPTED}'
    AND (  -- ended in the period: by plain columns, so the indexes serve (under RLS too)
      (a.ends_at >= :first AND a.ends_at < least(CAST(:last AS timestamptz), CAST(:recap_cutoff AS timestamptz)))
      OR (a.ends_at IS NULL AND a.starts_at >= :first
          AND a.starts_at < least(CAST(:last AS timestamptz), CAST(:recap_cutoff AS timestamptz))))
) due ON true
LEFT JOIN LATERAL (
  SELECT p.person_id, p.started_at AS since FROM chapter_membership_periods p
  WHERE p.tenant_id = :tenant AND p.chapter_id = c.id AND p.role = 'lead'
    AND p.status = '{ACTIVE_MEMBER}' AND p.started_at < :as_of
    AND (p.ended_at IS NULL OR p.ended_at > :as_of)
  ORDER BY p.started_at DESC LIMIT 1
) lead ON true
WHERE c.tenant_id = :tenant AND c.id = ANY(:chapters)"""


# --- cohorts, funnel, people gone quiet ----------------------------------------------------

# Rows (cohort, k, people): of the people who arrived in period ``cohort``, how many were
# active in period ``cohort + k``; k = -1 gives the cohort's size.
_COHORT_COUNTS = """
SELECT c.cohort, -1 AS k, count(*) AS people FROM cohorts c
WHERE c.cohort BETWEEN 1 AND :cohorts GROUP BY c.cohort
UNION ALL
SELECT c.cohort, a.bucket - c.cohort, count(*) FROM cohorts c
JOIN active a ON a.person_id = c.person_id AND a.bucket >= c.cohort
WHERE c.cohort BETWEEN 1 AND :cohorts
GROUP BY c.cohort, a.bucket - c.cohort"""


def cohorts(live_only: bool = False) -> str:
    """Rows (cohort, k, people); with ``live_only``, of the people of ``:live`` alone, from
    their evidence and memberships (``COHORTS_ROLLUP`` has everyone else's)."""
    if live_only:
        sources = [LIVE_EVIDENCE, MOVES, arrivals("AND person_id = ANY(:live)")]
    else:
        sources = [EVIDENCE, MOVES, ARRIVALS]
    return (
        with_(*sources, SEGMENTS, ACTIVE)
        + """,
cohorts AS (
  SELECT person_id, width_bucket(at, CAST(:bounds AS timestamptz[])) AS cohort FROM arrivals
  WHERE person_id IN (SELECT person_id FROM in_segment)
)"""
        + _COHORT_COUNTS
    )


COHORTS = cohorts()

# The same from the rollup alone (no segment; the periods' bounds are month starts), for
# everyone but ``:live``: the arrivals of the periods, then their active periods.
COHORTS_ROLLUP = (
    """
WITH cohorts AS MATERIALIZED (
  SELECT person_id, width_bucket(arrived_at, CAST(:bounds AS timestamptz[])) AS cohort
  FROM insight_person_months
  WHERE tenant_id = :tenant AND month >= :first AND month < :last
    AND arrived_at < :as_of AND person_id <> ALL(:live)
),
active AS (
  SELECT DISTINCT r.person_id, width_bucket(r.month, CAST(:bounds AS timestamptz[])) AS bucket
  FROM insight_person_months r
  WHERE r.tenant_id = :tenant AND r.month >= :first AND r.month < :last
    AND r.active_from < :as_of AND r.person_id IN (SELECT person_id FROM cohorts)
)"""
    + _COHORT_COUNTS
)

# One row: the funnel of period 1 of ``:bounds`` (period 2 is the next one, for retention).
FUNNEL = (
    with_(EVIDENCE, MOVES, ARRIVALS, SEGMENTS, ACTIVE)
    + f""",
counted AS (SELECT person_id FROM in_segment),
first_contribution AS (
  SELECT person_id, min(at) AS at FROM (
    SELECT person_id, occurred_at AS at FROM code_contributions
    WHERE tenant_id = :tenant AND occurred_at < :as_of
    UNION ALL
    SELECT p.person_id, a.starts_at FROM activity_participants p
    JOIN activities a ON a.tenant_id = p.tenant_id AND a.id = p.activity_id
    WHERE p.tenant_id = :tenant AND p.person_id IS NOT NULL AND a.status = '{ACCEPTED}'
      AND a.starts_at < :as_of AND p.role IN {_in(CONTRIBUTOR_ROLES)}
  ) contributions
  GROUP BY person_id
),
first_seat AS (
  SELECT person_id, min(started_at) AS at FROM chapter_membership_periods
  WHERE tenant_id = :tenant AND status = '{ACTIVE_MEMBER}' AND role IN {_in(SEAT_ROLES)}
  GROUP BY person_id
)
SELECT
  (SELECT count(*) FROM arrivals r WHERE r.at >= :first AND r.at < :period_end
     AND r.person_id IN (SELECT person_id FROM counted)) AS acquired,
  (SELECT count(*) FROM arrivals r JOIN moves m ON m.person_id = r.person_id AND m.move = 'first'
   WHERE r.at >= :first AND r.at < :period_end AND m.at >= :first AND m.at < :period_end
     AND r.person_id IN (SELECT person_id FROM counted)) AS activated,
  (SELECT count(*) FROM active a WHERE a.bucket = 1
     AND a.person_id IN (SELECT person_id FROM counted)) AS active,
  (SELECT count(*) FROM active a JOIN active n ON n.person_id = a.person_id AND n.bucket = 2
   WHERE a.bucket = 1 AND a.person_id IN (SELECT person_id FROM counted)) AS retained,
  (SELECT count(*) FROM first_contribution c JOIN arrivals r ON r.person_id = c.person_id
   WHERE c.at >= :first AND c.at < :period_end AND r.at < :first
     AND c.person_id IN (SELECT person_id FROM counted)) AS converted,
  (SELECT count(*) FROM first_seat s WHERE s.at >= :first AND s.at < :period_end
     AND s.person_id IN (SELECT person_id FROM counted)) AS promoted"""
)

# Rows (person_id, display_name, last_active_at, code, non_code): contributors whose latest
# evidence is older than ``:quiet_since`` (in ``:chapters`` when given: active members there).
QUIET_CONTRIBUTORS = (
    with_(EVIDENCE, SEGMENTS)
    + f""",
last_seen AS (SELECT person_id, max(ended) AS last_active_at FROM evidence GROUP BY person_id)
SELECT p.id AS person_id, p.display_name, l.last_active_at,
       p.id IN (SELECT person_id FROM code_people) AS code,
       p.id IN (SELECT person_id FROM non_code_people) AS non_code
FROM last_seen l JOIN people p ON p.tenant_id = :tenant AND p.id = l.person_id
WHERE l.last_active_at < :quiet_since
  AND (p.id IN (SELECT person_id FROM code_people)
       OR p.id IN (SELECT person_id FROM non_code_people))
  AND p.id IN (SELECT person_id FROM in_segment)
  AND (CAST(:chapters AS uuid[]) IS NULL OR EXISTS (
    SELECT 1 FROM chapter_memberships m
    WHERE m.tenant_id = :tenant AND m.person_id = p.id AND m.chapter_id = ANY(:chapters)
      AND m.status = '{ACTIVE_MEMBER}'))"""
)

# Rows (person_id, occurred_at, kind, title, url, activity_id): the latest ``:per_person``
# contributions of each of ``:people``.
LAST_CONTRIBUTIONS = f"""
SELECT person_id, occurred_at, kind, title, url, activity_id FROM (
  SELECT *, row_number() OVER (PARTITION BY person_id ORDER BY occurred_at DESC) AS n FROM (
    SELECT p.person_id, a.starts_at AS occurred_at, p.role AS kind, a.title, NULL AS url,
           a.id AS activity_id
    FROM activity_participants p
    JOIN activities a ON a.tenant_id = p.tenant_id AND a.id = p.activity_id
    WHERE p.tenant_id = :tenant AND p.person_id = ANY(:people) AND a.status = '{ACCEPTED}'
    UNION ALL
    SELECT person_id, occurred_at, kind, repository, url, NULL
    FROM code_contributions WHERE tenant_id = :tenant AND person_id = ANY(:people)
  ) everything
) ranked
WHERE n <= :per_person
ORDER BY person_id, occurred_at DESC"""

# Rows per person of ``:people``: participations by role, first and last, code contributions.
PERSON_ACTIVITY = f"""
SELECT p.person_id, p.role AS kind, count(*) AS n, min(a.starts_at) AS first_at,
       max(a.starts_at) AS last_at
FROM activity_participants p
JOIN activities a ON a.tenant_id = p.tenant_id AND a.id = p.activity_id
WHERE p.tenant_id = :tenant AND p.person_id = ANY(:people) AND a.status = '{ACCEPTED}'
  AND a.starts_at < :as_of
GROUP BY p.person_id, p.role
UNION ALL
SELECT person_id, 'code', count(*), min(occurred_at), max(occurred_at) FROM code_contributions
WHERE tenant_id = :tenant AND person_id = ANY(:people) AND occurred_at < :as_of
GROUP BY person_id
UNION ALL
SELECT person_id, 'seat', count(*), min(started_at), max(least(coalesce(ended_at, :as_of), :as_of))
FROM chapter_membership_periods
WHERE tenant_id = :tenant AND person_id = ANY(:people) AND status = '{ACTIVE_MEMBER}'
  AND role IN {_in(SEAT_ROLES)} AND started_at < :as_of
GROUP BY person_id
UNION ALL
SELECT person_id, 'seat', count(*), min(starts_on::timestamp AT TIME ZONE 'UTC'),
       max(least(coalesce(ends_on::timestamp AT TIME ZONE 'UTC', :as_of), :as_of))
FROM committee_seats
WHERE tenant_id = :tenant AND person_id = ANY(:people)
  AND starts_on::timestamp AT TIME ZONE 'UTC' < :as_of  -- a seat yet to start is no evidence
GROUP BY person_id"""


# Rows (person_id, display_name, participations, code_contributions): people with a public
# profile who took part or contributed code in ``[:first, :last)``, most first.
TOP_CONTRIBUTORS = f"""
WITH done AS (
  SELECT p.person_id, 1 AS participation, 0 AS code FROM activity_participants p
  JOIN activities a ON a.tenant_id = p.tenant_id AND a.id = p.activity_id
  WHERE p.tenant_id = :tenant AND p.person_id IS NOT NULL AND a.status = '{ACCEPTED}'
    AND a.starts_at >= :first AND a.starts_at < :last
  UNION ALL
  SELECT person_id, 0, 1 FROM code_contributions
  WHERE tenant_id = :tenant AND occurred_at >= :first AND occurred_at < :last
)
SELECT pe.id AS person_id, pe.display_name, sum(d.participation) AS participations,
       sum(d.code) AS code_contributions
FROM done d JOIN people pe ON pe.tenant_id = :tenant AND pe.id = d.person_id
WHERE pe.public_profile
GROUP BY pe.id, pe.display_name
ORDER BY sum(d.participation) + sum(d.code) DESC, pe.display_name, pe.id
LIMIT :top"""
