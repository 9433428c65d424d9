"""The insight benchmark's dataset, generated in SQL, one tenant per transaction.

Per tenant (all values derive from md5 of stable names, so a tenant's rows are the same
whatever ``--tenants`` is; "now" is fixed at 2026-12-01): 20 chapters, 20,000 people, 24,000
memberships with their periods (one lead and one co-lead per chapter, ~15 % of the members
left), 100,000 activities over the last three years and the next 30 days (past: 85 %
accepted, 7 % cancelled, 4 % submitted, 4 % draft; recaps on 80 % of the accepted ones older
than a week), 2-4 participants each (~300,000; ~5 % external guests), co-hosting chapters on
10 %, 3,000 code contributions and a committee of 9 seats.

Loaded as the server's superuser with foreign-key triggers off (``session_replication_role``:
the rows are valid by construction and per-row checks would take hours); ``app.tenant_id`` is
set in each tenant's transaction all the same, as row-level security is forced on every table.
"""

from __future__ import annotations

import uuid

# Version of the dataset: a tenant whose settings name another one is loaded again.
VERSION = "insight-bench-1"
CHAPTERS = 20
PEOPLE = 20_000
ACTIVITIES = 100_000
CODE = 3_000
ANCHOR = "'2026-12-01 00:00:00+00'::timestamptz"


def tenant_id(number: int) -> uuid.UUID:
    import hashlib

    return uuid.UUID(hashlib.md5(f"insight:tenant:{number}".encode()).hexdigest())


# A number in [0, 1) from the md5 of a key (per connection: a temporary function).
RND = """
CREATE OR REPLACE FUNCTION pg_temp.rnd(key text) RETURNS double precision
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT ('x' || substr(md5(key), 1, 13))::bit(52)::bigint / 4503599627370496.0 $$"""

# Every statement takes $1 = the tenant's number; ``tid`` is its id.
_TID = "md5('insight:tenant:' || $1::int)::uuid"

TENANT = f"""
INSERT INTO tenants (id, slug, name, timezone, default_locale, settings, created_at)
VALUES ({_TID}, 'insight-' || lpad($1::int::text, 3, '0'), 'Insight community ' || $1::int,
        'UTC', 'en', jsonb_build_object('bench', '{VERSION}'),
        {ANCHOR} - interval '1500 days')"""

PEOPLE_SQL = f"""
INSERT INTO people (tenant_id, id, email, display_name, tenant_role, created_at, updated_at,
                    github_handle, locale, public_profile)
SELECT {_TID}, md5('insight:person:' || $1::int || ':' || p)::uuid,
       'person' || p || '@insight' || $1::int || '.example', 'Person ' || p,
       CASE p WHEN 0 THEN 'owner' WHEN 1 THEN 'admin' END,
       {ANCHOR} - interval '1300 days', {ANCHOR} - interval '1300 days',
       CASE WHEN p % 3 = 0 THEN 'gh-' || $1::int || '-' || p END, 'en', p % 5 = 0
FROM generate_series(0, {PEOPLE - 1}) p"""

CHAPTERS_SQL = f"""
INSERT INTO chapters (tenant_id, id, name, slug, timezone, status, created_at, updated_at)
SELECT {_TID}, md5('insight:chapter:' || $1::int || ':' || c)::uuid,
       'Chapter ' || lpad(c::text, 2, '0'), 'chapter-' || c, 'UTC',
       CASE c WHEN 19 THEN 'dormant' ELSE 'active' END,
       {ANCHOR} - (1200 + c * 10) * interval '1 day', {ANCHOR} - interval '1200 days'
FROM generate_series(0, {CHAPTERS - 1}) c"""

# Membership k: person k in chapter k % 20 (k < 20,000); then every fifth person in a second
# chapter. The first two of a chapter (persons c and 20 + c) lead and co-lead it and stay.
MEMBERSHIPS = f"""
CREATE TEMP TABLE m_src ON COMMIT DROP AS
SELECT k, person, chapter,
       CASE WHEN k < {CHAPTERS} THEN 'lead' WHEN k < {2 * CHAPTERS} THEN 'co_lead'
            ELSE 'member' END AS role,
       joined,
       CASE WHEN k >= {2 * CHAPTERS} AND pg_temp.rnd('left:' || $1::int || ':' || k) < 0.15
            THEN joined + pg_temp.rnd('leftat:' || $1::int || ':' || k)
                          * ({ANCHOR} - joined) END AS left_at
FROM (
  SELECT k, person, chapter,
         {ANCHOR} - (30 + pg_temp.rnd('joined:' || $1::int || ':' || k) * 1250)
                    * interval '1 day' AS joined
  FROM (
    SELECT k, k AS person, k % {CHAPTERS} AS chapter FROM generate_series(0, {PEOPLE - 1}) k
    UNION ALL
    SELECT {PEOPLE} + j, 5 * j, (5 * j + 7) % {CHAPTERS} FROM generate_series(0, {PEOPLE // 5 - 1}) j
  ) s
) s"""

MEMBERSHIP_ROWS = f"""
INSERT INTO chapter_memberships (tenant_id, id, chapter_id, person_id, role, status, joined_at,
                                 left_at, first_joined_at, created_at, updated_at)
SELECT {_TID}, md5('insight:membership:' || $1::int || ':' || k)::uuid,
       md5('insight:chapter:' || $1::int || ':' || chapter)::uuid,
       md5('insight:person:' || $1::int || ':' || person)::uuid, role,
       CASE WHEN left_at IS NULL THEN 'active' ELSE 'left' END, joined, left_at, joined,
       joined, coalesce(left_at, joined)
FROM m_src"""

MEMBERSHIP_PERIODS = f"""
INSERT INTO chapter_membership_periods (tenant_id, id, membership_id, chapter_id, person_id,
                                        role, status, started_at, ended_at, reason)
SELECT {_TID}, md5('insight:period:' || $1::int || ':' || k || ':' || n)::uuid,
       md5('insight:membership:' || $1::int || ':' || k)::uuid,
       md5('insight:chapter:' || $1::int || ':' || chapter)::uuid,
       md5('insight:person:' || $1::int || ':' || person)::uuid, role, status, started, ended,
       reason
FROM (
  SELECT k, chapter, person, role, 1 AS n, 'active' AS status, joined AS started,
         left_at AS ended, NULL AS reason FROM m_src
  UNION ALL
  SELECT k, chapter, person, role, 2, 'left', left_at, NULL, 'moved away' FROM m_src
  WHERE left_at IS NOT NULL
) s"""

# Activity a of chapter a % 20 (rows interleaved across chapters, as years of use leave them).
ACTIVITIES_SQL = f"""
INSERT INTO activities (tenant_id, id, chapter_id, kind, status, title, starts_at, ends_at,
                        timezone, expected_attendance, actual_attendance, created_by_id,
                        submitted_at, reviewed_at, recap_summary, recap_published_at,
                        created_at, updated_at)
SELECT {_TID}, md5('insight:activity:' || $1::int || ':' || a)::uuid,
       md5('insight:chapter:' || $1::int || ':' || a % {CHAPTERS})::uuid, kind, status,
       'Activity ' || a, starts, starts + (1 + a % 3) * interval '1 hour', 'UTC',
       20 + (r2 * 180)::int,
       CASE WHEN status = 'accepted' AND starts < {ANCHOR} THEN 10 + (r2 * 150)::int END,
       md5('insight:person:' || $1::int || ':' || a % {CHAPTERS})::uuid,
       CASE WHEN status <> 'draft' THEN starts - interval '14 days' END,
       CASE WHEN status = 'accepted' THEN starts - interval '12 days' END,
       CASE WHEN recap THEN 'Recap of activity ' || a END,
       CASE WHEN recap THEN starts + interval '3 days' END,
       starts - interval '30 days', starts - interval '12 days'
FROM (
  SELECT *, status = 'accepted' AND starts < {ANCHOR} - interval '7 days' AND r2 < 0.8 AS recap
  FROM (
    SELECT a, r2, starts,
           (ARRAY['offline_meetup','offline_meetup','offline_meetup','online_meetup',
                  'live_stream','company_visit','campus_visit','talk','article','mentoring',
                  'podcast','other'])[1 + floor(r3 * 12)::int] AS kind,
           CASE WHEN starts < {ANCHOR} THEN
                  CASE WHEN r < 0.85 THEN 'accepted' WHEN r < 0.92 THEN 'cancelled'
                       WHEN r < 0.96 THEN 'submitted' ELSE 'draft' END
                ELSE CASE WHEN r < 0.5 THEN 'accepted' ELSE 'submitted' END
           END AS status
    FROM (
      SELECT a, pg_temp.rnd('status:' || $1::int || ':' || a) AS r,
             pg_temp.rnd('size:' || $1::int || ':' || a) AS r2,
             pg_temp.rnd('kind:' || $1::int || ':' || a) AS r3,
             {ANCHOR} + (pg_temp.rnd('starts:' || $1::int || ':' || a) * 1125 - 1095)
                        * interval '1 day' AS starts
      FROM generate_series(0, {ACTIVITIES - 1}) a
    ) s0
  ) s1
) s2"""

# Participant n (0 .. 1 + a % 3) of activity a: the first organises, the second speaks (or
# hosts, mentors, writes, by kind of activity), the rest are guests; people of the chapter,
# the regulars (low numbers) far more often; one in twenty guests is external.
PARTICIPANTS = f"""
INSERT INTO activity_participants (tenant_id, id, activity_id, person_id, external_name, role)
SELECT {_TID}, md5('insight:participant:' || $1::int || ':' || a || ':' || n)::uuid,
       md5('insight:activity:' || $1::int || ':' || a)::uuid,
       CASE WHEN NOT external THEN md5('insight:person:' || $1::int || ':' || person)::uuid END,
       CASE WHEN external THEN 'Guest ' || a || '.' || n END, role
FROM (
  SELECT a, n,
         n >= 2 AND pg_temp.rnd('ext:' || $1::int || ':' || a || ':' || n) < 0.05 AS external,
         a % {CHAPTERS} + {CHAPTERS} * floor(
           power(pg_temp.rnd('who:' || $1::int || ':' || a || ':' || n), 2) * {PEOPLE // CHAPTERS}
         )::int AS person,
         CASE WHEN n = 0 THEN 'organizer'
              WHEN n = 1 THEN (ARRAY['speaker','speaker','host','mentor','author','speaker'])
                              [1 + a % 6]
              WHEN a % 10 = 9 THEN 'mentee'
              ELSE 'guest' END AS role
  FROM generate_series(0, {ACTIVITIES - 1}) a, generate_series(0, 3) n
  WHERE n <= 1 + a % 3
) s"""

CO_HOSTS = f"""
INSERT INTO activity_co_hosts (tenant_id, id, activity_id, chapter_id)
SELECT {_TID}, md5('insight:cohost:' || $1::int || ':' || a)::uuid,
       md5('insight:activity:' || $1::int || ':' || a)::uuid,
       md5('insight:chapter:' || $1::int || ':' || (a + 1 + a % 7) % {CHAPTERS})::uuid
FROM generate_series(0, {ACTIVITIES - 1}) a
WHERE a % 10 = 3"""

CODE_SQL = f"""
INSERT INTO code_contributions (tenant_id, id, person_id, github_handle, repository, kind, url,
                                occurred_at)
SELECT {_TID}, md5('insight:code:' || $1::int || ':' || c)::uuid,
       md5('insight:person:' || $1::int || ':' || person)::uuid, 'gh-' || $1::int || '-' || person,
       'example/project-' || c % 7, 'pull_request',
       'https://github.com/example/project-' || c % 7 || '/pull/' || c,
       {ANCHOR} - pg_temp.rnd('code:' || $1::int || ':' || c) * 1095 * interval '1 day'
FROM (SELECT c, 3 * floor(power(pg_temp.rnd('coder:' || $1::int || ':' || c), 2) * 2000)::int
             AS person
      FROM generate_series(0, {CODE - 1}) c) s"""

COMMITTEE = f"""
INSERT INTO committees (tenant_id, id, name, kind)
VALUES ({_TID}, md5('insight:committee:' || $1::int)::uuid, 'Steering committee', 'steering')"""

SEATS = f"""
INSERT INTO committee_seats (tenant_id, id, committee_id, person_id, role, starts_on, ends_on)
SELECT {_TID}, md5('insight:seat:' || $1::int || ':' || s)::uuid,
       md5('insight:committee:' || $1::int)::uuid,
       md5('insight:person:' || $1::int || ':' || (40 + s))::uuid,
       CASE WHEN s = 0 THEN 'chair' ELSE 'member' END,
       DATE '2024-01-01' + s * 30, CASE WHEN s % 3 = 2 THEN DATE '2025-06-30' + s END
FROM generate_series(0, 8) s"""

# In order; the tenant row last, so a tenant that has it is complete.
STEPS = (
    ("people", PEOPLE_SQL),
    ("chapters", CHAPTERS_SQL),
    ("memberships", MEMBERSHIPS),
    ("membership rows", MEMBERSHIP_ROWS),
    ("membership periods", MEMBERSHIP_PERIODS),
    ("activities", ACTIVITIES_SQL),
    ("participants", PARTICIPANTS),
    ("co-hosts", CO_HOSTS),
    ("code contributions", CODE_SQL),
    ("committee", COMMITTEE),
    ("seats", SEATS),
    ("tenant", TENANT),
)
