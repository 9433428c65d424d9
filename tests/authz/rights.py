"""The expected rights: who may do what, written out by hand from the documented rules (the
README's "Who may do what", the roles and actions ``chapters.authz`` names), independently of
``chapters.authz.POLICY``. It is the one oracle of the authorization tests:

- ``tests/authz/test_permissions.py`` probes every action of the policy as ten kinds of caller;
- ``tests/authz/test_authz_matrix.py`` runs every root field of the schema as twelve callers,
  at every place the object it names may live (``tests/authz/authz_matrix_table.py``).

Both describe their callers as the ``Who`` they hold with respect to the object at hand and
derive what they expect from the rules below, so a rule change is one edit here.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable

from chapters.authz import Action


class Who(enum.StrEnum):
    """What a caller is with respect to the object at hand."""

    OWNER = "the tenant's owner"
    ADMIN = "a tenant admin"
    OPS = "central ops"
    VIEWER = "an analytics viewer (reads everything, changes nothing)"
    LEAD = "the lead of the object's chapter"
    CO_LEAD = "a co-lead of the object's chapter"
    MEMBER = "an active member of the object's chapter"
    CO_HOST_LEAD = "a lead or co-lead of a chapter co-hosting the activity"
    ORGANISER = "a person listed as the activity's organiser or host"
    AUTHOR = "an author of the article at hand"
    EDITOR = "a content editor (appointed by staff)"
    SELF = "the person the object is, or whose it is"
    PERSON = "any signed-in person of the tenant"
    ANYONE = "anyone, anonymous callers included"
    PARTNER = "a partner organisation's API client"
    CHAPTERS_READ = "a service client granted chapters:read"
    ACTIVITIES_READ = "a service client granted activities:read"
    ACTIVITIES_WRITE = "a service client granted activities:write"
    EXPORT = "a service client granted export"
    METRICS_READ = "a service client granted metrics:read"
    CONTRIBUTIONS_WRITE = "a service client granted contributions:write"


W = Who
ADMINS = frozenset({W.OWNER, W.ADMIN})
STAFF = ADMINS | {W.OPS}  # central ops steer every chapter
READERS = STAFF | {W.VIEWER}  # read the whole tenant
LEADS = frozenset({W.LEAD, W.CO_LEAD})  # of the chapter at hand only, never its sub-chapters
EDITORS = STAFF | {W.EDITOR}  # content: staff and the editors they appoint
# Whoever reads profiles: signed-in people and the tenant's service clients, never anonymous
# callers nor partners (personal data).
PROFILE_READERS = frozenset({W.PERSON, W.CHAPTERS_READ, W.ACTIVITIES_READ})

# Every action of the policy → who may perform it.
RIGHTS: dict[Action, frozenset[Who]] = {
    # Chapters: a public directory; leads and co-leads run their own chapter, staff all of them.
    Action.CHAPTER_READ_DIRECTORY: frozenset({W.ANYONE}),
    Action.CHAPTER_CREATE: STAFF,
    Action.CHAPTER_UPDATE: STAFF | LEADS,
    Action.CHAPTER_CHANGE_STATUS: STAFF,
    Action.CHAPTER_RESTRUCTURE: STAFF,
    # Members read their chapter's roster, but see no emails but their own.
    Action.CHAPTER_READ_ROSTER: READERS | LEADS | {W.MEMBER, W.CHAPTERS_READ},
    Action.CHAPTER_READ_MEMBER_EMAILS: STAFF | LEADS,
    Action.CHAPTER_READ_HISTORY: READERS | LEADS | {W.CHAPTERS_READ},
    # Memberships: leads and co-leads manage them; one leaves or accepts one's own only.
    Action.MEMBERSHIP_INVITE: STAFF | LEADS,
    Action.MEMBERSHIP_REMOVE: STAFF | LEADS,
    Action.MEMBERSHIP_CHANGE_ROLE: STAFF | LEADS,
    Action.MEMBERSHIP_LEAVE: frozenset({W.SELF}),
    Action.MEMBERSHIP_ACCEPT: frozenset({W.SELF}),
    # Co-leads do what leads do, except appoint or remove the lead.
    Action.CHAPTER_APPOINT_LEAD: STAFF | {W.LEAD},
    Action.COMMITTEE_READ: frozenset({W.PERSON, W.CHAPTERS_READ}),
    Action.COMMITTEE_MANAGE: STAFF,
    # People: a directory for signed-in people, without emails; staff keep it.
    Action.PERSON_SEARCH: frozenset({W.PERSON}),
    Action.PERSON_READ_EMAIL: STAFF | {W.SELF},  # and leads: see ``sees_email``
    Action.PERSON_CREATE: STAFF,
    Action.PERSON_UPDATE: STAFF | {W.SELF},  # on accounts ranked below: ``may_act_on_account``
    Action.PERSON_CHANGE_ROLE: ADMINS,
    Action.PERSON_SET_SEGMENTS: STAFF,  # what a person has done: never set by themself
    Action.PERSON_LINK_IDENTITY: ADMINS,  # an admin's link waits for the person's confirmation
    Action.PERSON_LINK_IDENTITY_DIRECTLY: frozenset({W.OWNER}),
    Action.PERSON_CONFIRM_IDENTITY_LINK: frozenset({W.SELF}),
    Action.PERSON_READ_IDENTITIES: ADMINS | {W.SELF},
    Action.PERSON_READ_INVITED: STAFF | LEADS | {W.SELF},  # see ``sees_person``
    Action.PERSON_READ_PROFILE: PROFILE_READERS,
    # Activities: accepted ones are public; the rest is the chapter's and ops' (co-hosting
    # chapters' leads follow, comment and publish recaps, but do not edit or submit).
    Action.ACTIVITY_READ_ACCEPTED: frozenset({W.ANYONE}),
    Action.ACTIVITY_READ_UNACCEPTED: READERS | LEADS | {W.CO_HOST_LEAD, W.ACTIVITIES_READ},
    Action.ACTIVITY_READ_PARTICIPANTS: PROFILE_READERS,
    Action.ACTIVITY_CREATE: STAFF | LEADS | {W.ACTIVITIES_WRITE},
    Action.ACTIVITY_EDIT: STAFF | LEADS | {W.ACTIVITIES_WRITE},
    Action.ACTIVITY_SUBMIT: STAFF | LEADS | {W.ACTIVITIES_WRITE},
    Action.ACTIVITY_CANCEL: STAFF | LEADS,
    Action.ACTIVITY_RECAP: STAFF | LEADS | {W.CO_HOST_LEAD, W.ACTIVITIES_WRITE},
    Action.ACTIVITY_COMMENT: STAFF | LEADS | {W.CO_HOST_LEAD},
    Action.ACTIVITY_CORRECT_PARTICIPANTS: STAFF,
    Action.ACTIVITY_REVIEW: STAFF,
    Action.ACTIVITY_REOPEN: STAFF,  # undoes a review decision
    Action.ACTIVITY_RESCHEDULE: STAFF | LEADS,
    Action.ACTIVITY_OVERSEE: READERS | {W.ACTIVITIES_READ},
    # Organisations: a registry signed-in people read; contacts and notes are staff's.
    Action.ORGANISATION_READ: frozenset({W.PERSON, W.PARTNER}),
    Action.ORGANISATION_READ_PRIVATE: STAFF,
    Action.ORGANISATION_MANAGE: STAFF,
    Action.ORGANISATION_LINK_CHAPTER: STAFF | LEADS,
    Action.PROGRAM_READ: frozenset({W.PERSON}),
    Action.PROGRAM_MANAGE: STAFF,
    Action.PROJECT_MANAGE: STAFF | LEADS,
    Action.AUDIT_READ: STAFF,
    Action.ACCESS_MANAGE: ADMINS,
    Action.TENANT_UPDATE: ADMINS,
    # Insight: readers see every figure, leads their own chapter's, metrics clients all of it;
    # a partner only counts of activities its organisation took part in.
    Action.INSIGHT_READ_TENANT: READERS | {W.METRICS_READ},
    Action.INSIGHT_READ_CHAPTER: READERS | LEADS | {W.METRICS_READ},
    Action.INSIGHT_READ_PARTNER: frozenset({W.PARTNER}),
    Action.INSIGHT_READ_SMALL_GROUPS: STAFF,  # below the minimum group size, names are staff's
    Action.PERSON_READ_ACTIVITY: READERS | {W.SELF, W.METRICS_READ},  # and leads: ``sees_activity``
    Action.DATA_EXPORT: READERS | {W.EXPORT},
    Action.CONTRIBUTION_IMPORT: STAFF | {W.CONTRIBUTIONS_WRITE},
    # Registrations: signed-in people register (anyone, where the chapter allows public
    # registration); the registrants are the organisers' and staff's to see and check in.
    Action.REGISTRATION_REGISTER: frozenset({W.PERSON}),
    Action.REGISTRATION_READ: STAFF | LEADS | {W.CO_HOST_LEAD, W.ORGANISER},
    Action.REGISTRATION_CHECK_IN: STAFF | LEADS | {W.CO_HOST_LEAD, W.ORGANISER},
    Action.REGISTRATION_EXPORT: STAFF | LEADS | {W.ORGANISER},
    Action.REGISTRATION_ERASE: STAFF | LEADS,
    # One's notifications, preferences and private calendar feed are one's own.
    Action.NOTIFICATION_MANAGE_OWN: frozenset({W.SELF}),
    Action.FEED_MANAGE_OWN: frozenset({W.SELF}),
    # The outbound plumbing is the admins': webhook endpoints, the job queue.
    Action.WEBHOOK_MANAGE: ADMINS,
    Action.JOB_MANAGE: ADMINS,
    # Ambassadors: the programs and the directory (public profiles) are public; anyone may
    # nominate themself, leads their chapter's members, staff anyone; staff review and renew.
    # A nomination or a term: staff, the person, the leads of its chapter.
    Action.AMBASSADOR_READ_DIRECTORY: frozenset({W.ANYONE}),
    Action.AMBASSADOR_PROGRAM_MANAGE: STAFF,
    Action.AMBASSADOR_NOMINATE: STAFF | LEADS | {W.SELF},
    Action.AMBASSADOR_READ_NOMINATION: STAFF | LEADS | {W.SELF},
    Action.AMBASSADOR_REVIEW: STAFF,
    Action.AMBASSADOR_READ_TERMS: STAFF | LEADS | {W.SELF},
    # Recognition: staff define and award titles and issue and revoke certificates, and read
    # them all; holders see their own; anyone verifies a certificate by its public id.
    Action.RECOGNITION_MANAGE: STAFF,
    Action.RECOGNITION_READ: STAFF,
    Action.CERTIFICATE_ISSUE: STAFF,
    Action.CERTIFICATE_READ_OWN: frozenset({W.SELF}),
    Action.CERTIFICATE_VERIFY: frozenset({W.ANYONE}),
    # Incentives: leads promise rewards for their chapter's contributions, staff approve and pay;
    # leads read their chapter's rewards, readers every reward, the budgets and the reports;
    # a person sees the rewards promised to them; the programs are for signed-in people.
    Action.INCENTIVE_PROGRAM_MANAGE: STAFF,
    Action.INCENTIVE_PROGRAM_READ: frozenset({W.PERSON}),
    Action.INCENTIVE_PROPOSE: STAFF | LEADS,
    Action.INCENTIVE_DECIDE: STAFF,
    Action.INCENTIVE_READ: READERS | LEADS,
    Action.INCENTIVE_READ_OWN: frozenset({W.SELF}),
    # Agreements and case users are staff's to keep; a partner reads its own organisation's
    # (agreements and story, no notes); the case users who allow it are public.
    Action.AGREEMENT_READ: STAFF | {W.PARTNER},
    Action.AGREEMENT_MANAGE: STAFF,
    Action.CASE_USER_READ_PUBLISHED: frozenset({W.ANYONE}),
    Action.CASE_USER_READ: STAFF | {W.PARTNER},
    Action.CASE_USER_MANAGE: STAFF,
    # Conferences: signed-in people read them (partners see nothing), staff record them; a
    # person drafts, submits and withdraws their own talks, staff anyone's, and decide.
    Action.CONFERENCE_READ: frozenset({W.PERSON}),
    Action.CONFERENCE_MANAGE: STAFF,
    Action.TALK_SUBMIT: STAFF | {W.SELF},
    Action.TALK_DECIDE: STAFF,
    # Content: staff appoint editors, who run the article pipeline, the author pool, reach
    # and the newsletters with staff. Authors write and submit their own articles; leads read
    # their chapter's articles and the authors who are its members; a partner reads only the
    # articles its organisation co-authors, never the pool. Published content is for people.
    Action.EDITOR_APPOINT: STAFF,
    Action.AUTHOR_READ: EDITORS | LEADS,
    Action.AUTHOR_READ_CONTACT: EDITORS | {W.SELF},
    Action.AUTHOR_MANAGE: EDITORS,
    Action.ARTICLE_READ_PUBLISHED: frozenset({W.PERSON}),
    Action.ARTICLE_READ: EDITORS | READERS | LEADS | {W.AUTHOR, W.PARTNER},
    Action.ARTICLE_PROPOSE: EDITORS | {W.PERSON},
    Action.ARTICLE_EDIT: EDITORS | {W.AUTHOR},
    Action.ARTICLE_SUBMIT: EDITORS | {W.AUTHOR},
    Action.ARTICLE_REVIEW: EDITORS,
    Action.ARTICLE_PUBLISH: EDITORS,
    Action.ARTICLE_TEMPLATE_MANAGE: EDITORS,
    Action.REPRINT_MANAGE: EDITORS,
    Action.CHANNEL_READ: frozenset({W.PERSON}),
    Action.CHANNEL_MANAGE: STAFF,
    Action.REACH_RECORD: EDITORS,
    Action.REACH_READ: READERS | {W.EDITOR, W.METRICS_READ},
    Action.NEWSLETTER_READ_PUBLISHED: frozenset({W.PERSON}),
    Action.NEWSLETTER_EDIT: EDITORS,
    Action.NEWSLETTER_PUBLISH: EDITORS,
}

# A partner's client sees only what is linked to its organisation (the organisation itself,
# its relationships, the activities it takes part in), never personal data; the chapter
# directory is public to it as to anyone.
PARTNER_SEES_ANYWHERE = frozenset({Action.CHAPTER_READ_DIRECTORY, Action.INSIGHT_READ_PARTNER})


def may(action: Action, holds: Collection[Who], *, partners_own: bool = False) -> bool:
    """Whether a caller holding ``holds`` may perform ``action``; ``partners_own``: whether
    the object is linked to the organisation of a partner's client."""
    if W.PARTNER in holds and not partners_own and action not in PARTNER_SEES_ANYWHERE:
        return False
    return bool(set(holds) & RIGHTS[action])


# --- acting on a person's account -------------------------------------------------------------
# Editing someone's profile or email, changing their tenant role, linking or unlinking their
# sign-in identities needs a tenant role above theirs: whoever acts on an equal or higher
# account can become its holder. One's own account is one's own, except its tenant role.

RANK: dict[Who | None, int] = {None: 0, W.VIEWER: 1, W.OPS: 2, W.ADMIN: 3, W.OWNER: 4}
NEVER_ON_ONESELF = frozenset({Action.PERSON_CHANGE_ROLE})


def tenant_role(holds: Iterable[Who]) -> Who | None:
    return next((who for who in holds if who in RANK), None)


def may_act_on_account(
    action: Action, holds: Collection[Who], target_role: Who | None, *, own: bool
) -> bool:
    """Whether a caller holding ``holds`` may perform ``action`` on the account of a person
    whose tenant role is ``target_role`` (``own``: the caller's own account)."""
    if own:
        return action not in NEVER_ON_ONESELF and may(action, {*holds, W.SELF})
    return may(action, holds) and RANK[tenant_role(holds)] > RANK[target_role]


# --- compound rules ---------------------------------------------------------------------------


def sees_email(on_person: Collection[Who], in_chapters: Iterable[Collection[Who]]) -> bool:
    """A person's email: staff and the person themself (``on_person``), and the leads and
    co-leads of any chapter the person is an active member of, or that invited them by this
    very address (``in_chapters``: what the caller holds in each). An invitation by id grants
    nothing until it is accepted."""
    return may(Action.PERSON_READ_EMAIL, on_person) or any(
        may(Action.CHAPTER_READ_MEMBER_EMAILS, holds) for holds in in_chapters
    )


def sees_person(
    on_person: Collection[Who], *, invited: bool, in_chapters: Iterable[Collection[Who]] = ()
) -> bool:
    """A person's profile: whoever reads profiles; but someone invited by email who has not
    accepted anywhere yet is seen only by staff, themself and the leads and co-leads of the
    chapters they are invited to (``in_chapters``)."""
    if not may(Action.PERSON_READ_PROFILE, on_person):
        return False
    return (
        not invited
        or may(Action.PERSON_READ_INVITED, on_person)
        or any(may(Action.PERSON_READ_INVITED, holds) for holds in in_chapters)
    )


def sees_activity(on_person: Collection[Who], in_chapters: Iterable[Collection[Who]]) -> bool:
    """A person's participation summary: readers of the tenant and the person themself
    (``on_person``), and the leads and co-leads of any chapter the person is an active member
    of (``in_chapters``)."""
    return may(Action.PERSON_READ_ACTIVITY, on_person) or any(
        may(Action.INSIGHT_READ_CHAPTER, holds) for holds in in_chapters
    )


def reads_thread(holds: Collection[Who]) -> bool:
    """An activity's review thread (its comments and the comments of its transitions): whoever
    reads it unaccepted or comments on it."""
    return may(Action.ACTIVITY_READ_UNACCEPTED, holds) or may(Action.ACTIVITY_COMMENT, holds)


def removes_membership(holds: Collection[Who]) -> bool:
    """Ending a membership: removing a member, or leaving (``SELF``: one's own)."""
    return may(Action.MEMBERSHIP_REMOVE, holds) or may(Action.MEMBERSHIP_LEAVE, holds)
