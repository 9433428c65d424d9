"""The activity ledger: what chapters do, reviewed by central ops, recapped afterwards.

An activity belongs to a chapter, or to a committee when no chapter runs it; other chapters may
co-host it (they get credit: it shows in their lists and calendar, but they do not edit it).

Lifecycle (``lifecycle.TRANSITIONS``)::

    draft ──submit──▶ submitted ──accept──▶ accepted
      ▲                   │
      │            request changes
      │                   ▼
      └── (edit) ── changes_requested ──submit──▶ submitted …

    draft, submitted, changes_requested, accepted (before it starts) ──cancel──▶ cancelled

Every status change, creation included, is an ``ActivityTransition`` (actor, time, comment);
a transition's comment is also posted to the review thread.

Decisions:

- *Core* fields are everything ``activityUpdate`` changes: kind, title, description, times,
  timezone, venue, online URL, language, expected attendance, tags, co-hosts, organisations,
  participants, links and the mentoring project. They are editable in draft and
  changes_requested only. The owner (chapter or committee) is fixed at creation.
- *Recap* fields are actual attendance, the recap summary, recapPublishedAt and the links of
  kinds recording, slides, article, episode and photos, which ``activityPublishRecap`` adds. A
  recap can be published once the activity has ended, in submitted, changes_requested or
  accepted; it is the only change an accepted activity accepts.
- A submitted activity cannot be edited until ops decide: what ops review stays what was
  submitted. Ops request changes to hand it back.
- Drafts may be incomplete; submitting checks that in-person kinds (offline meetup, company
  and campus visits) have a venue and online kinds (online meetup, live stream) an online URL.
- Times without a UTC offset are wall-clock times in the activity's timezone.
- A recap is *overdue* when the activity is neither draft nor cancelled, has no published
  recap, and ended (``ends_at``, else ``starts_at``) more than the tenant's
  ``recap_overdue_days`` ago.
"""
