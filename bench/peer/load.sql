-- Scale dataset for the Chapters schema itself (the tables its own Alembic migrations create).
-- Run as a superuser (row-level security is FORCEd on every tenant table; superusers bypass it)
-- on a freshly migrated, empty database:
--   psql -h 127.0.0.1 -p 55432 -U postgres -d chapters_perf -v ON_ERROR_STOP=1 -f bench/peer/load.sql
-- (bench/peer/run.sh does it). Default scale: 100 tenants, 2,000 chapters (20/tenant), 200,000 people
-- (2,000/tenant), 400,000 memberships (200/chapter: 1 lead, 1 co-lead, the rest members, ~15 % of
-- the members left) with their history periods (one per membership, two for those who left),
-- 10,000 organisations (100/tenant), 1,000,000 activities (500/chapter over the last 3 years + 60
-- days ahead, statuses mixed, ~83 % accepted), ~1,000,000 activity_organisations (0, 1 or 2
-- co-host organisations per activity, role co_host).
-- Not filled (Q1-Q3 do not read them): committees, activity co-hosting chapters, participants,
-- links, transitions, comments, mentoring, audit log, API clients, identity providers.
--
-- Knobs (psql -v name=value): n_tenants (100) chapters_per_tenant (20) people_per_tenant (2000)
--   members_per_chapter (200) orgs_per_tenant (100) activities_per_chapter (500)
-- The small variant for the data-size comparison: -v n_tenants=1  (= tenant 1 of the big one:
-- ids and values derive from stable names, so the same rows, uuids and tokens exist in both).
-- Deterministic: every "random" value is a hash of the row's name (rnd below), so a tenant's
-- rows are the same whatever n_tenants is; "now" is fixed at 2026-12-01.
-- Ids: tenant t (1..n) = md5('tenant:t')::uuid, slug tNNN; person p (0..ppt-1) of tenant t =
-- md5('person:t:p'), email personP@tT.example (p=0 owner, 1 admin, 2 ops, 3 viewer);
-- chapter ci (0..cpt-1) of tenant t = md5('chapter:t:ci'), slug = city name.
\set ON_ERROR_STOP on
\timing on
\if :{?n_tenants}              \else \set n_tenants 100 \endif
\if :{?chapters_per_tenant}    \else \set chapters_per_tenant 20 \endif
\if :{?people_per_tenant}      \else \set people_per_tenant 2000 \endif
\if :{?members_per_chapter}    \else \set members_per_chapter 200 \endif
\if :{?orgs_per_tenant}        \else \set orgs_per_tenant 100 \endif
\if :{?activities_per_chapter} \else \set activities_per_chapter 500 \endif
\set anchor '''2026-12-01 00:00:00+00'''::timestamptz

-- A number in [0, 1) from the md5 of a key: the same key gives the same number in every load.
CREATE FUNCTION pg_temp.rnd(key text) RETURNS double precision
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT ('x' || substr(md5(key), 1, 13))::bit(52)::bigint / 4503599627370496.0 $$;
SET synchronous_commit = off;
-- Foreign keys are checked once, in bulk, at the end (DO block below) instead of by the per-row
-- RI triggers (~250 us a row here); CHECK, NOT NULL and unique constraints stay enforced row by row.
SET session_replication_role = replica;

TRUNCATE tenants CASCADE;

INSERT INTO tenants (id, slug, name, timezone, default_locale, settings, created_at)
SELECT md5('tenant:' || t)::uuid, 't' || lpad(t::text, 3, '0'), 'Community ' || t,
       'Asia/Shanghai', 'en', '{}'::jsonb, :anchor - (1500 + t) * interval '1 day'
FROM generate_series(1, :n_tenants) t;

INSERT INTO people (tenant_id, id, email, display_name, tenant_role, created_at, updated_at,
                    github_handle, city, company, bio, locale, segments, tags)
SELECT md5('tenant:' || t)::uuid, md5('person:' || t || ':' || p)::uuid,
       'person' || p || '@t' || t || '.example',
       (ARRAY['Li','Wang','Zhang','Liu','Chen','Yang','Huang','Zhao','Wu','Zhou','Xu','Sun','Ma','Zhu','Hu','Guo'])[1 + p % 16]
         || ' ' ||
       (ARRAY['Wei','Fang','Na','Min','Jing','Li','Qiang','Lei','Jun','Yang','Yong','Yan','Jie','Tao','Ming','Chao','Xia','Ping'])[1 + (p / 16) % 18]
         || ' ' || p,
       CASE p WHEN 0 THEN 'owner' WHEN 1 THEN 'admin' WHEN 2 THEN 'ops' WHEN 3 THEN 'viewer' END,
       created, created,
       CASE WHEN p % 3 = 0 THEN 'gh-user-' || t || '-' || p END,
       (ARRAY['Shanghai','Hangzhou','Chengdu','Beijing','Shenzhen','Guangzhou','Wuhan','Nanjing'])[1 + p % 8],
       CASE WHEN p % 4 = 0 THEN 'Company ' || (p % 97) END,
       NULL, CASE WHEN p % 5 = 0 THEN 'en' ELSE 'zh-CN' END,
       CASE p % 3 WHEN 0 THEN '{user}' WHEN 1 THEN '{code_contributor}' ELSE '{}' END::varchar[],
       '{}'::varchar[]
FROM (SELECT t, p, :anchor - pg_temp.rnd('person:' || t || ':' || p) * 2000 * interval '1 day' AS created
      FROM generate_series(1, :n_tenants) t, generate_series(0, :people_per_tenant - 1) p) s;

INSERT INTO chapters (tenant_id, id, name, slug, city, region, country, timezone, description,
                      parent_id, committee_id, status, founded_on, contact_links, created_at, updated_at)
SELECT md5('tenant:' || t)::uuid, md5('chapter:' || t || ':' || ci)::uuid,
       city || ' Chapter', lower(city), city, 'East China', 'CN', 'Asia/Shanghai',
       'The ' || city || ' chapter of community ' || t || '.',
       NULL, NULL,
       CASE ci WHEN 19 THEN 'dormant' WHEN 18 THEN 'forming' ELSE 'active' END,
       (created)::date,
       jsonb_build_array(jsonb_build_object('kind', 'website', 'url', 'https://' || lower(city) || '.t' || t || '.example')),
       created, created
FROM (SELECT t, ci,
             (ARRAY['Shanghai','Hangzhou','Chengdu','Beijing','Shenzhen','Guangzhou','Wuhan','Nanjing','Xian','Suzhou',
                    'Tianjin','Chongqing','Qingdao','Xiamen','Dalian','Changsha','Hefei','Kunming','Harbin','Ningbo',
                    'Fuzhou','Jinan','Shenyang','Nanning','Lanzhou','Urumqi','Hohhot','Lhasa','Haikou','Guiyang'])[1 + ci] AS city,
             :anchor - (400 + pg_temp.rnd('chapter:' || t || ':' || ci) * 1500) * interval '1 day' AS created
      FROM generate_series(1, :n_tenants) t, generate_series(0, :chapters_per_tenant - 1) ci) s;

-- membership k (0..mpc-1) of chapter ci: person (ci*100 + k) % ppt (distinct within a chapter);
-- k=0 lead, k=1 co_lead, else member; ~15 % of members left.
CREATE TEMP TABLE m_src AS
SELECT t, ci, k,
       md5('tenant:' || t)::uuid AS tenant_id,
       md5('membership:' || t || ':' || ci || ':' || k)::uuid AS id,
       md5('chapter:' || t || ':' || ci)::uuid AS chapter_id,
       md5('person:' || t || ':' || ((ci * 100 + k) % :people_per_tenant))::uuid AS person_id,
       CASE k WHEN 0 THEN 'lead' WHEN 1 THEN 'co_lead' ELSE 'member' END AS role,
       joined,
       CASE WHEN k >= 2 AND r < 0.15
            THEN joined + pg_temp.rnd('left:' || t || ':' || ci || ':' || k) * (:anchor - joined) END AS left_at
FROM (SELECT t, ci, k, pg_temp.rnd('membership:' || t || ':' || ci || ':' || k) AS r,
             :anchor - pg_temp.rnd('joined:' || t || ':' || ci || ':' || k) * 1800 * interval '1 day' AS joined
      FROM generate_series(1, :n_tenants) t, generate_series(0, :chapters_per_tenant - 1) ci,
           generate_series(0, :members_per_chapter - 1) k) s;

INSERT INTO chapter_memberships (tenant_id, id, chapter_id, person_id, role, status, joined_at,
                                 left_at, created_at, updated_at)
SELECT tenant_id, id, chapter_id, person_id, role,
       CASE WHEN left_at IS NULL THEN 'active' ELSE 'left' END,
       joined, left_at, joined, coalesce(left_at, joined)
FROM m_src ORDER BY t, ci, k;

-- history: the period in which the membership was active (closed when it left), and the open
-- 'left' period for those who left (exactly one open period per membership).
INSERT INTO chapter_membership_periods (tenant_id, id, membership_id, chapter_id, person_id, role,
                                        status, started_at, ended_at, changed_by_id, reason)
SELECT tenant_id, md5('period:' || t || ':' || ci || ':' || k || ':1')::uuid, id, chapter_id,
       person_id, role, 'active', joined, left_at, NULL::uuid, NULL::text
FROM m_src
UNION ALL
SELECT tenant_id, md5('period:' || t || ':' || ci || ':' || k || ':2')::uuid, id, chapter_id,
       person_id, role, 'left', left_at, NULL, NULL, 'moved away'
FROM m_src WHERE left_at IS NOT NULL;

DROP TABLE m_src;

INSERT INTO organisations (tenant_id, id, name, kind, website, notes, created_at, updated_at)
SELECT md5('tenant:' || t)::uuid, md5('org:' || t || ':' || o)::uuid,
       (ARRAY['Cloud','Data','Open','Dev','Net','Code'])[1 + o % 6] || ' '
         || (ARRAY['Systems','Labs','Works','University','Foundation','Media','Academy'])[1 + o % 7] || ' ' || o,
       (ARRAY['community','company','university','training','media','foundation'])[1 + o % 6],
       'https://org' || o || '.t' || t || '.example', NULL,
       :anchor - (100 + o) * interval '1 day', :anchor - (100 + o) * interval '1 day'
FROM generate_series(1, :n_tenants) t, generate_series(0, :orgs_per_tenant - 1) o;

-- activity a (0..apc-1) of chapter ci of tenant t; rows interleaved across chapters and tenants
-- (insert order a, t, ci) so that a chapter's activities are spread over the table as they would
-- be after years of use. starts_at: uniform over [now - 1095 d, now + 60 d), microsecond
-- resolution (ties practically impossible). Past: accepted 85 %, cancelled 7 %, submitted 4 %,
-- changes_requested 2 %, draft 2 %; future: accepted 40 %, submitted 30 %,
-- changes_requested 10 %, draft 20 %.
INSERT INTO activities (tenant_id, id, chapter_id, committee_id, kind, status, title, description,
                        starts_at, ends_at, timezone, venue, online_url, language,
                        expected_attendance, actual_attendance, tags, mentoring_project_id,
                        created_by_id, submitted_at, reviewed_at, recap_summary,
                        recap_published_at, created_at, updated_at)
SELECT tenant_id, id, chapter_id, NULL, kind, status,
       initcap(replace(kind, '_', ' ')) || ' #' || a || ' of chapter ' || ci,
       'A ' || replace(kind, '_', ' ') || ' on open-source topics, number ' || a || ' of this chapter.',
       starts, starts + (1 + a % 3) * interval '1 hour', 'Asia/Shanghai',
       CASE WHEN kind IN ('offline_meetup', 'company_visit', 'campus_visit', 'talk') THEN 'Venue ' || (a % 50) END,
       CASE WHEN kind IN ('online_meetup', 'live_stream', 'podcast') THEN 'https://live.example/' || t || '/' || ci || '/' || a END,
       CASE WHEN r2 < 0.7 THEN 'zh-CN' ELSE 'en' END,
       20 + (r2 * 180)::int,
       CASE WHEN status = 'accepted' AND starts < :anchor THEN 10 + (r2 * 150)::int END,
       CASE a % 4 WHEN 0 THEN '{kubernetes}' WHEN 1 THEN '{cloud-native,meetup}' ELSE '{}' END::varchar[],
       NULL,
       md5('person:' || t || ':' || ((ci * 100) % :people_per_tenant))::uuid,
       CASE WHEN status <> 'draft' THEN starts - interval '14 days' END,
       CASE WHEN status IN ('accepted', 'changes_requested') THEN starts - interval '12 days' END,
       CASE WHEN recap THEN 'Recap of activity ' || a || ': good turnout, slides online.' END,
       CASE WHEN recap THEN starts + interval '3 days' END,
       starts - interval '30 days',
       CASE WHEN recap THEN starts + interval '3 days'
            WHEN status IN ('accepted', 'changes_requested') THEN starts - interval '12 days'
            WHEN status <> 'draft' THEN starts - interval '14 days'
            ELSE starts - interval '30 days' END
FROM (
  SELECT *, (status = 'accepted' AND starts < :anchor - interval '7 days' AND r2 < 0.7) AS recap
  FROM (
    SELECT t, ci, a, r2, starts,
           md5('tenant:' || t)::uuid AS tenant_id,
           md5('activity:' || t || ':' || ci || ':' || a)::uuid AS id,
           md5('chapter:' || t || ':' || ci)::uuid AS chapter_id,
           (ARRAY['offline_meetup','offline_meetup','offline_meetup','online_meetup','live_stream',
                  'company_visit','campus_visit','talk','article','mentoring','podcast','other'])[1 + floor(r3 * 12)::int] AS kind,
           CASE WHEN starts < :anchor THEN
                  CASE WHEN r < 0.85 THEN 'accepted' WHEN r < 0.92 THEN 'cancelled' WHEN r < 0.96 THEN 'submitted'
                       WHEN r < 0.98 THEN 'changes_requested' ELSE 'draft' END
                ELSE
                  CASE WHEN r < 0.40 THEN 'accepted' WHEN r < 0.70 THEN 'submitted'
                       WHEN r < 0.80 THEN 'changes_requested' ELSE 'draft' END
           END AS status
    FROM (
      SELECT t, ci, a, pg_temp.rnd('status:' || t || ':' || ci || ':' || a) AS r,
             pg_temp.rnd('size:' || t || ':' || ci || ':' || a) AS r2,
             pg_temp.rnd('kind:' || t || ':' || ci || ':' || a) AS r3,
             :anchor + (pg_temp.rnd('starts:' || t || ':' || ci || ':' || a) * 1155 - 1095) * interval '1 day' AS starts
      FROM generate_series(0, :activities_per_chapter - 1) a, generate_series(1, :n_tenants) t,
           generate_series(0, :chapters_per_tenant - 1) ci
    ) s0
  ) s1
) s2;

-- co-host organisations: a % 3 of them (0, 1 or 2) from the activity's tenant, distinct.
INSERT INTO activity_organisations (tenant_id, id, activity_id, organisation_id, role, created_at, updated_at)
SELECT md5('tenant:' || t)::uuid,
       md5('ao:' || t || ':' || ci || ':' || a || ':' || n)::uuid,
       md5('activity:' || t || ':' || ci || ':' || a)::uuid,
       md5('org:' || t || ':' || (CASE n WHEN 1 THEN (g * 7) % :orgs_per_tenant
                                          ELSE (g * 13 + 1) % :orgs_per_tenant END))::uuid,
       'co_host', :anchor - interval '400 days', :anchor - interval '400 days'
FROM (SELECT a, t, ci, ci * :activities_per_chapter + a AS g
      FROM generate_series(0, :activities_per_chapter - 1) a, generate_series(1, :n_tenants) t,
           generate_series(0, :chapters_per_tenant - 1) ci) s
JOIN LATERAL generate_series(1, g % 3) n ON true;

SET session_replication_role = DEFAULT;

-- Every foreign key of the schema, checked in bulk: no referencing row without its target.
DO $$
DECLARE
  fk record;
  q text;
  bad bigint;
  checked int := 0;
BEGIN
  FOR fk IN
    SELECT c.conname, c.conrelid::regclass AS src, c.confrelid::regclass AS dst,
           array_agg(sa.attname ORDER BY k.ord) AS src_cols, array_agg(da.attname ORDER BY k.ord) AS dst_cols
    FROM pg_constraint c
    JOIN LATERAL unnest(c.conkey, c.confkey) WITH ORDINALITY AS k(src_att, dst_att, ord) ON true
    JOIN pg_attribute sa ON sa.attrelid = c.conrelid AND sa.attnum = k.src_att
    JOIN pg_attribute da ON da.attrelid = c.confrelid AND da.attnum = k.dst_att
    WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
    GROUP BY c.conname, c.conrelid, c.confrelid
  LOOP
    q := format('SELECT count(*) FROM %s s WHERE %s AND NOT EXISTS (SELECT 1 FROM %s d WHERE %s)',
                fk.src,
                (SELECT string_agg(format('s.%I IS NOT NULL', col), ' AND ') FROM unnest(fk.src_cols) col),
                fk.dst,
                (SELECT string_agg(format('d.%I = s.%I', d, s), ' AND ')
                 FROM unnest(fk.dst_cols, fk.src_cols) AS x(d, s)));
    EXECUTE q INTO bad;
    IF bad > 0 THEN
      RAISE EXCEPTION 'foreign key % violated by % rows of %', fk.conname, bad, fk.src;
    END IF;
    checked := checked + 1;
  END LOOP;
  RAISE NOTICE 'all % foreign keys hold', checked;
END $$;

VACUUM (ANALYZE);

SELECT relname, n_live_tup FROM pg_stat_user_tables WHERE n_live_tup > 0 ORDER BY relname;
