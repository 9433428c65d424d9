"""The demo data behind ``make run``: tenant ``demo`` and a second tenant ``acme``.

The ``demo`` tenant tells a story the API can answer: three years of a user community's
chapters and memberships, its committee, and an activity ledger from December 2025 to
January 2027 with organisations, a mentoring program and activities in every state of review
(``data`` tells it; the README asks it questions and lists the accounts). The story is
replayed through the services the API calls, so the data obeys the API's rules and leaves
the same history: chapters, memberships and activities step by step, each step audited under
its mutation's name; organisations and the mentoring program through their services too; only
the committee is written as rows. Every record time is dated to its step of the story.
Seeding is idempotent.

- ``records``: the shapes the data is written in;
- ``data``: the tenants, accounts and content, as plain data;
- ``seed``: ``seed_demo``, what is written when, and only once;
- ``content``: people, the committee, chapters, memberships, status changes, invitations;
- ``ledger``: organisations, the mentoring program, the activities and their review;
- ``replay``: what every step shares: its audit as a mutation, its clock, the ``Clock``.
"""

from chapters.demo.data import CONTENT, DEMO_ACCOUNTS, DEMO_ACTIVITIES, DEMO_TENANTS
from chapters.demo.seed import _ensure_accounts, _seed_content, _seed_tenant, seed_demo

__all__ = [
    "CONTENT",
    "DEMO_ACCOUNTS",
    "DEMO_ACTIVITIES",
    "DEMO_TENANTS",
    "_ensure_accounts",  # the steps of seed_demo, which the tests also take one by one
    "_seed_content",
    "_seed_tenant",
    "seed_demo",
]
