"""Community insight for central ops: who is active, new, churned and re-activated, chapter
health, cohorts, the funnel, exports and the quarterly report, computed in PostgreSQL.

The definitions (``rules``) are the tenant's, with documented defaults:

- a person is *active* in a period when they took part in an accepted activity in it (as
  organiser, host, speaker, mentor, mentee, author or guest), recorded a code contribution in
  it (unless the tenant says code does not count), or held a lead, co-lead or committee seat
  during it; *inactive* once ``inactive_after_days`` pass without any of these;
- *new* in a period: first joined a chapter, or first took part, in it; *churned*: left a
  chapter, or became inactive, in it; *re-activated*: active again after being inactive;
- *retention* of a cohort (people new in a month or quarter): the share active k periods later;
- a chapter's *health*: the worst status any of the tenant's health rules gives it.

``evidence`` holds the SQL every figure is built from, ``service`` the use cases behind the
policy table, ``schema`` the GraphQL fields.
"""
