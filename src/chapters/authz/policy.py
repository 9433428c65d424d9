"""Who may do what: the one authorization policy, as a table.

Services call ``require`` / ``can``; resolvers never decide. ``POLICY`` maps every action to
the roles allowed to perform it. A caller's roles depend on the object at hand:

- tenant roles (owner, admin, ops, viewer) hold everywhere in the tenant;
- chapter roles (lead, co-lead, member: *active* memberships) hold for that chapter only.
  Decision: a lead's rights do not flow down to sub-chapters; whoever runs a city chapter is
  appointed its lead, so each chapter has one accountable lead;
- ``CO_HOST_LEAD`` holds, for an activity, when the caller leads or co-leads one of the
  chapters co-hosting it (``co_hosts``): they follow and help, the owning chapter runs it;
- ``ORGANISER`` holds, for an activity, when the caller is listed among its organisers or
  hosts (its participants): they run the door, so they see and check in its registrants;
- ``AUTHOR`` holds, for an article, when the caller is one of its authors (``authors``);
- ``EDITOR`` holds when staff appointed the caller a content editor (``editor``: the content
  services look it up): they review and publish articles and edit the newsletters;
- ``SELF`` holds when the object is the caller's own person record;
- ``PERSON`` is any signed-in person of the tenant (an *outsider* to a chapter holds only this);
- ``ANYONE`` includes anonymous callers (the public chapter directory);
- API clients hold ``PARTNER`` (a partner organisation's client: only what is linked to its
  organisation, never personal data; ``authz.partners`` narrows its answers) or, for the
  tenant's own service clients, one ``SCOPE_*`` role per granted OAuth scope.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Collection

from chapters.auth.principal import Principal
from chapters.errors import Forbidden
from chapters.models import ChapterRole, ClientKind, TenantRole


class Role(enum.StrEnum):
    TENANT_OWNER = "tenant owner"
    TENANT_ADMIN = "tenant admin"
    TENANT_OPS = "central ops"
    TENANT_VIEWER = "analytics viewer"
    CHAPTER_LEAD = "chapter lead"
    CHAPTER_CO_LEAD = "chapter co-lead"
    CHAPTER_MEMBER = "chapter member"
    CO_HOST_LEAD = "lead or co-lead of a chapter co-hosting the activity"
    ORGANISER = "organiser or host of the activity (one of its participants)"
    AUTHOR = "an author of the article"
    EDITOR = "content editor (appointed by staff)"
    SELF = "the person themself"
    PERSON = "signed-in person"
    ANYONE = "anyone, signed in or not"
    PARTNER = "partner organisation's API client"
    SCOPE_CHAPTERS_READ = "service client with chapters:read"
    SCOPE_ACTIVITIES_READ = "service client with activities:read"
    SCOPE_ACTIVITIES_WRITE = "service client with activities:write"
    SCOPE_EXPORT = "service client with export"
    SCOPE_METRICS_READ = "service client with metrics:read"
    SCOPE_CONTRIBUTIONS_WRITE = "service client with contributions:write"


class Action(enum.StrEnum):
    CHAPTER_READ_DIRECTORY = "read the public chapter directory"
    CHAPTER_CREATE = "create chapters"
    CHAPTER_UPDATE = "edit this chapter"
    CHAPTER_CHANGE_STATUS = "change this chapter's status"
    CHAPTER_RESTRUCTURE = "move this chapter to another parent or committee"
    CHAPTER_READ_ROSTER = "read this chapter's roster"
    CHAPTER_READ_MEMBER_EMAILS = "see the emails of this chapter's members"
    CHAPTER_READ_HISTORY = "read this chapter's membership history"
    MEMBERSHIP_INVITE = "invite or add members to this chapter"
    MEMBERSHIP_REMOVE = "remove members from this chapter"
    MEMBERSHIP_CHANGE_ROLE = "make members co-leads or members of this chapter"
    MEMBERSHIP_LEAVE = "leave a chapter one belongs to"
    MEMBERSHIP_ACCEPT = "accept an invitation to a chapter"
    CHAPTER_APPOINT_LEAD = "appoint or remove this chapter's lead"
    COMMITTEE_READ = "read committees and seats"
    COMMITTEE_MANAGE = "manage committees and seats"
    PERSON_SEARCH = "search people"
    PERSON_READ_EMAIL = "see this person's email"
    PERSON_CREATE = "create people"
    PERSON_UPDATE = "edit this person's profile"
    PERSON_CHANGE_ROLE = "change people's tenant roles (never one's own, never above one's own)"
    PERSON_SET_SEGMENTS = "set the segments of people's profiles (what they have done)"
    PERSON_LINK_IDENTITY = "link sign-in identities to people (ranked below oneself, or oneself)"
    PERSON_LINK_IDENTITY_DIRECTLY = "link sign-in identities without the person's confirmation"
    PERSON_CONFIRM_IDENTITY_LINK = "confirm or decline a sign-in identity proposed for oneself"
    PERSON_READ_IDENTITIES = "see the sign-in identities linked to this person"
    PERSON_READ_INVITED = "see people invited by email to this chapter who have not accepted yet"
    ACTIVITY_READ_ACCEPTED = "read accepted activities"
    ACTIVITY_READ_UNACCEPTED = "read this chapter's drafts and activities under review"
    ACTIVITY_CREATE = "create activities for this chapter"
    ACTIVITY_EDIT = "edit this chapter's activities"
    ACTIVITY_SUBMIT = "submit this chapter's activities for review"
    ACTIVITY_CANCEL = "cancel this chapter's activities"
    ACTIVITY_RECAP = "publish the recaps of this chapter's activities"
    ACTIVITY_COMMENT = "comment in the review thread of this chapter's activities"
    ACTIVITY_CORRECT_PARTICIPANTS = "correct the speakers and organisers of accepted activities"
    ACTIVITY_REVIEW = "accept activities or request changes"
    ACTIVITY_REOPEN = "reopen accepted activities for changes, with a reason"
    ACTIVITY_RESCHEDULE = "move this chapter's activities to new dates, with a reason"
    ACTIVITY_OVERSEE = "read the review queue and the overdue recaps"
    ORGANISATION_READ = "read the organisation registry"
    ORGANISATION_READ_PRIVATE = "see organisations' contacts and notes"
    ORGANISATION_MANAGE = "manage organisations, their relationships and contacts"
    ORGANISATION_LINK_CHAPTER = "link organisations to this chapter"
    PROGRAM_READ = "read mentoring programs and projects"
    PROGRAM_MANAGE = "manage mentoring programs"
    PROJECT_MANAGE = "manage this chapter's mentoring projects"
    AUDIT_READ = "read the audit log"
    ACCESS_MANAGE = "manage API clients and identity providers"
    PERSON_READ_PROFILE = "read people's names and public profiles"
    ACTIVITY_READ_PARTICIPANTS = "see who organised, spoke at or attended activities"
    TENANT_UPDATE = "change the tenant's settings and health rules"
    INSIGHT_READ_TENANT = "read the tenant's metrics: chapter health, series, cohorts, funnel"
    INSIGHT_READ_CHAPTER = "read this chapter's health and member figures"
    INSIGHT_READ_PARTNER = "read aggregates of the activities one's organisation took part in"
    INSIGHT_READ_SMALL_GROUPS = "see who is behind a figure even when fewer people share it"
    PERSON_READ_ACTIVITY = "read a person's participation summary and segments"
    DATA_EXPORT = "export the tenant's data and metrics (CSV, XLSX) and the quarterly report"
    CONTRIBUTION_IMPORT = "record code contributions"
    REGISTRATION_REGISTER = "register for accepted activities"
    REGISTRATION_READ = "see this activity's registrants and their contact details"
    REGISTRATION_CHECK_IN = "check registrants in at this activity"
    REGISTRATION_EXPORT = "export this activity's registrants"
    REGISTRATION_ERASE = "erase a registrant's personal data on request"
    NOTIFICATION_MANAGE_OWN = "read one's notifications and set one's notification preferences"
    FEED_MANAGE_OWN = "create or revoke one's private calendar feed"
    WEBHOOK_MANAGE = "manage webhook endpoints and read their deliveries"
    JOB_MANAGE = "see the tenant's background jobs and retry failed ones"
    AMBASSADOR_READ_DIRECTORY = "read ambassador programs and the public ambassador directory"
    AMBASSADOR_PROGRAM_MANAGE = "manage ambassador programs"
    AMBASSADOR_NOMINATE = "nominate oneself, or this chapter's members, as ambassadors"
    AMBASSADOR_READ_NOMINATION = "see ambassador nominations (one's own, this chapter's)"
    AMBASSADOR_REVIEW = "review ambassador nominations and renew ambassadors' terms"
    AMBASSADOR_READ_TERMS = "see ambassador terms and their activity (one's own, this chapter's)"
    RECOGNITION_MANAGE = "define and award recognition titles; set certificates' signatories, logo"
    RECOGNITION_READ = "read every award and certificate of the tenant"
    CERTIFICATE_ISSUE = "issue, re-issue and revoke certificates"
    CERTIFICATE_READ_OWN = "see one's own certificates"
    CERTIFICATE_VERIFY = "verify a certificate and download it by its public id"
    INCENTIVE_PROGRAM_MANAGE = "create incentive programs and set their quarterly budgets"
    INCENTIVE_PROGRAM_READ = "read the incentive programs"
    INCENTIVE_PROPOSE = "propose rewards for contributions to this chapter's activities, projects"
    INCENTIVE_DECIDE = "approve rewards, mark them sent or paid, or cancel them"
    INCENTIVE_READ = "read this chapter's rewards (tenant-wide: every reward, budgets, reports)"
    INCENTIVE_READ_OWN = "see the rewards promised to oneself"
    AGREEMENT_READ = "read partner agreements"
    AGREEMENT_MANAGE = "manage partner agreements"
    CASE_USER_READ_PUBLISHED = "read the public list of case users who allow publication"
    CASE_USER_READ = "read case users' stories, published or not"
    CASE_USER_MANAGE = "manage case users, their stories and publication permissions"
    CONFERENCE_READ = "read conferences and their calls for papers"
    CONFERENCE_MANAGE = "manage conferences"
    TALK_SUBMIT = "draft, submit and withdraw one's own talk submissions"
    TALK_DECIDE = "accept or reject talk submissions"
    EDITOR_APPOINT = "appoint and remove content editors"
    AUTHOR_READ = "read the author pool (leads: the authors who are members of their chapter)"
    AUTHOR_READ_CONTACT = "see how to reach authors and the outreach log"
    AUTHOR_MANAGE = "add authors to the pool and log outreach to them"
    ARTICLE_READ_PUBLISHED = "read published articles"
    ARTICLE_READ = "read articles in any state (leads: their chapter's; authors: their own)"
    ARTICLE_PROPOSE = "propose articles (a person: as one of their authors)"
    ARTICLE_EDIT = "edit articles before they are scheduled (authors: their own)"
    ARTICLE_SUBMIT = "submit articles for review, or withdraw them (authors: their own)"
    ARTICLE_REVIEW = "invite authors, review articles, comment per section, schedule, decline"
    ARTICLE_PUBLISH = "publish articles and record where they went"
    ARTICLE_TEMPLATE_MANAGE = "define article templates"
    REPRINT_MANAGE = "request and record reprint permissions"
    CHANNEL_READ = "read the tenant's publishing channels and publications"
    CHANNEL_MANAGE = "manage publishing channels"
    REACH_RECORD = "record publications and their reach figures"
    REACH_READ = "read reach totals per channel and month"
    NEWSLETTER_READ_PUBLISHED = "read published newsletter issues"
    NEWSLETTER_EDIT = "manage columns, draft and edit issues, enter project updates"
    NEWSLETTER_PUBLISH = "publish newsletter issues"


R = Role
ADMINS = frozenset({R.TENANT_OWNER, R.TENANT_ADMIN})
STAFF = ADMINS | {R.TENANT_OPS}  # central ops steer all chapters
READERS = STAFF | {R.TENANT_VIEWER}  # read-only analytics across the tenant
LEADS = frozenset({R.CHAPTER_LEAD, R.CHAPTER_CO_LEAD})
EDITORS = STAFF | {R.EDITOR}  # content: staff, and the editors they appoint
PEOPLE_READERS = frozenset({R.PERSON, R.SCOPE_CHAPTERS_READ, R.SCOPE_ACTIVITIES_READ})

# action → roles allowed. Read across a row to see who may do it.
POLICY: dict[Action, frozenset[Role]] = {
    Action.CHAPTER_READ_DIRECTORY: frozenset({R.ANYONE}),
    Action.CHAPTER_CREATE: STAFF,
    Action.CHAPTER_UPDATE: STAFF | LEADS,
    Action.CHAPTER_CHANGE_STATUS: STAFF,
    Action.CHAPTER_RESTRUCTURE: STAFF,
    Action.CHAPTER_READ_ROSTER: READERS | LEADS | {R.CHAPTER_MEMBER, R.SCOPE_CHAPTERS_READ},
    Action.CHAPTER_READ_MEMBER_EMAILS: STAFF | LEADS,
    Action.CHAPTER_READ_HISTORY: READERS | LEADS | {R.SCOPE_CHAPTERS_READ},
    Action.MEMBERSHIP_INVITE: STAFF | LEADS,
    Action.MEMBERSHIP_REMOVE: STAFF | LEADS,
    Action.MEMBERSHIP_CHANGE_ROLE: STAFF | LEADS,
    Action.MEMBERSHIP_LEAVE: frozenset({R.SELF}),
    Action.MEMBERSHIP_ACCEPT: frozenset({R.SELF}),
    Action.CHAPTER_APPOINT_LEAD: STAFF | {R.CHAPTER_LEAD},
    Action.COMMITTEE_READ: frozenset({R.PERSON, R.SCOPE_CHAPTERS_READ}),
    Action.COMMITTEE_MANAGE: STAFF,
    Action.PERSON_SEARCH: frozenset({R.PERSON}),
    Action.PERSON_READ_EMAIL: STAFF | {R.SELF},
    Action.PERSON_CREATE: STAFF,
    Action.PERSON_UPDATE: STAFF | {R.SELF},
    Action.PERSON_CHANGE_ROLE: ADMINS,
    Action.PERSON_SET_SEGMENTS: STAFF,
    Action.PERSON_LINK_IDENTITY: ADMINS,  # an admin's link waits for the person's confirmation
    Action.PERSON_LINK_IDENTITY_DIRECTLY: frozenset({R.TENANT_OWNER}),
    Action.PERSON_CONFIRM_IDENTITY_LINK: frozenset({R.SELF}),
    Action.PERSON_READ_IDENTITIES: ADMINS | {R.SELF},
    Action.PERSON_READ_INVITED: STAFF | LEADS | {R.SELF},
    Action.ACTIVITY_READ_ACCEPTED: frozenset({R.ANYONE}),
    Action.ACTIVITY_READ_UNACCEPTED: READERS | LEADS | {R.CO_HOST_LEAD, R.SCOPE_ACTIVITIES_READ},
    Action.ACTIVITY_READ_PARTICIPANTS: PEOPLE_READERS,
    Action.ACTIVITY_CREATE: STAFF | LEADS | {R.SCOPE_ACTIVITIES_WRITE},
    Action.ACTIVITY_EDIT: STAFF | LEADS | {R.SCOPE_ACTIVITIES_WRITE},
    Action.ACTIVITY_SUBMIT: STAFF | LEADS | {R.SCOPE_ACTIVITIES_WRITE},
    Action.ACTIVITY_CANCEL: STAFF | LEADS,
    Action.ACTIVITY_RECAP: STAFF | LEADS | {R.CO_HOST_LEAD, R.SCOPE_ACTIVITIES_WRITE},
    Action.ACTIVITY_COMMENT: STAFF | LEADS | {R.CO_HOST_LEAD},
    Action.ACTIVITY_CORRECT_PARTICIPANTS: STAFF,
    Action.ACTIVITY_REVIEW: STAFF,
    # Reopening undoes a review decision, so it is ops' like the decision itself.
    Action.ACTIVITY_REOPEN: STAFF,
    # Leads move their own activities, even accepted ones, with a reason kept in the history.
    Action.ACTIVITY_RESCHEDULE: STAFF | LEADS,
    Action.ACTIVITY_OVERSEE: READERS | {R.SCOPE_ACTIVITIES_READ},
    Action.ORGANISATION_READ: frozenset({R.PERSON, R.PARTNER}),
    Action.ORGANISATION_READ_PRIVATE: STAFF,
    Action.ORGANISATION_MANAGE: STAFF,
    Action.ORGANISATION_LINK_CHAPTER: STAFF | LEADS,
    Action.PROGRAM_READ: frozenset({R.PERSON}),
    Action.PROGRAM_MANAGE: STAFF,
    Action.PROJECT_MANAGE: STAFF | LEADS,
    Action.AUDIT_READ: STAFF,
    Action.ACCESS_MANAGE: ADMINS,
    Action.PERSON_READ_PROFILE: PEOPLE_READERS,
    Action.TENANT_UPDATE: ADMINS,
    Action.INSIGHT_READ_TENANT: READERS | {R.SCOPE_METRICS_READ},
    Action.INSIGHT_READ_CHAPTER: READERS | LEADS | {R.SCOPE_METRICS_READ},
    # A partner's client: counts of the activities its organisation took part in, no people.
    Action.INSIGHT_READ_PARTNER: frozenset({R.PARTNER}),
    # Below the tenant's minimum group size, lists of people behind a figure are staff's.
    Action.INSIGHT_READ_SMALL_GROUPS: STAFF,
    # and the leads of the person's chapters: ``can_see_activity_summary``
    Action.PERSON_READ_ACTIVITY: READERS | {R.SELF, R.SCOPE_METRICS_READ},
    Action.DATA_EXPORT: READERS | {R.SCOPE_EXPORT},
    Action.CONTRIBUTION_IMPORT: STAFF | {R.SCOPE_CONTRIBUTIONS_WRITE},
    # Anyone may register where the chapter allows public registration (with a confirmed
    # email): the registrations service checks the chapter's setting for ANYONE.
    Action.REGISTRATION_REGISTER: frozenset({R.PERSON}),
    # Registrants' names and addresses: the activity's organisers and staff only.
    Action.REGISTRATION_READ: STAFF | LEADS | {R.CO_HOST_LEAD, R.ORGANISER},
    Action.REGISTRATION_CHECK_IN: STAFF | LEADS | {R.CO_HOST_LEAD, R.ORGANISER},
    Action.REGISTRATION_EXPORT: STAFF | LEADS | {R.ORGANISER},
    Action.REGISTRATION_ERASE: STAFF | LEADS,
    Action.NOTIFICATION_MANAGE_OWN: frozenset({R.SELF}),
    Action.FEED_MANAGE_OWN: frozenset({R.SELF}),
    Action.WEBHOOK_MANAGE: ADMINS,
    Action.JOB_MANAGE: ADMINS,
    # Only people with a public profile appear to callers who may not read every term.
    Action.AMBASSADOR_READ_DIRECTORY: frozenset({R.ANYONE}),
    Action.AMBASSADOR_PROGRAM_MANAGE: STAFF,
    # Leads: for an active member of their chapter (the service checks the membership).
    Action.AMBASSADOR_NOMINATE: STAFF | LEADS | {R.SELF},
    Action.AMBASSADOR_READ_NOMINATION: STAFF | LEADS | {R.SELF},
    Action.AMBASSADOR_REVIEW: STAFF,
    Action.AMBASSADOR_READ_TERMS: STAFF | LEADS | {R.SELF},
    Action.RECOGNITION_MANAGE: STAFF,
    Action.RECOGNITION_READ: STAFF,
    Action.CERTIFICATE_ISSUE: STAFF,
    Action.CERTIFICATE_READ_OWN: frozenset({R.SELF}),
    Action.CERTIFICATE_VERIFY: frozenset({R.ANYONE}),  # a certificate is meant to be shown
    Action.INCENTIVE_PROGRAM_MANAGE: STAFF,
    Action.INCENTIVE_PROGRAM_READ: frozenset({R.PERSON}),
    # Leads promise rewards for their chapter's contributions; staff approve and pay them.
    Action.INCENTIVE_PROPOSE: STAFF | LEADS,
    Action.INCENTIVE_DECIDE: STAFF,
    # Leads read their own chapter's rewards; budgets and reports are tenant-wide: readers'.
    Action.INCENTIVE_READ: READERS | LEADS,
    Action.INCENTIVE_READ_OWN: frozenset({R.SELF}),
    # A partner's client: its own organisation's agreements and story (``authz.partners``).
    Action.AGREEMENT_READ: STAFF | {R.PARTNER},
    Action.AGREEMENT_MANAGE: STAFF,
    Action.CASE_USER_READ_PUBLISHED: frozenset({R.ANYONE}),
    Action.CASE_USER_READ: STAFF | {R.PARTNER},
    Action.CASE_USER_MANAGE: STAFF,
    # Conferences are the tenant's people's business: partners see nothing of them.
    Action.CONFERENCE_READ: frozenset({R.PERSON}),
    Action.CONFERENCE_MANAGE: STAFF,
    # A speaker on their own submission (the service checks they are listed); staff on any.
    Action.TALK_SUBMIT: STAFF | {R.SELF},
    Action.TALK_DECIDE: STAFF,
    # Content: editors run the pipeline; authors their own articles; partners see an article
    # only when their organisation is a co-author (``authz.partners``), and never the pool.
    Action.EDITOR_APPOINT: STAFF,
    Action.AUTHOR_READ: EDITORS | LEADS,
    Action.AUTHOR_READ_CONTACT: EDITORS | {R.SELF},
    Action.AUTHOR_MANAGE: EDITORS,
    Action.ARTICLE_READ_PUBLISHED: frozenset({R.PERSON}),
    Action.ARTICLE_READ: EDITORS | READERS | LEADS | {R.AUTHOR, R.PARTNER},
    Action.ARTICLE_PROPOSE: EDITORS | {R.PERSON},
    Action.ARTICLE_EDIT: EDITORS | {R.AUTHOR},
    Action.ARTICLE_SUBMIT: EDITORS | {R.AUTHOR},
    Action.ARTICLE_REVIEW: EDITORS,
    Action.ARTICLE_PUBLISH: EDITORS,
    Action.ARTICLE_TEMPLATE_MANAGE: EDITORS,
    Action.REPRINT_MANAGE: EDITORS,
    Action.CHANNEL_READ: frozenset({R.PERSON}),
    Action.CHANNEL_MANAGE: STAFF,
    Action.REACH_RECORD: EDITORS,
    Action.REACH_READ: READERS | {R.EDITOR, R.SCOPE_METRICS_READ},
    Action.NEWSLETTER_READ_PUBLISHED: frozenset({R.PERSON}),
    Action.NEWSLETTER_EDIT: EDITORS,
    Action.NEWSLETTER_PUBLISH: EDITORS,
}

_TENANT_ROLES = {
    TenantRole.OWNER: R.TENANT_OWNER,
    TenantRole.ADMIN: R.TENANT_ADMIN,
    TenantRole.OPS: R.TENANT_OPS,
    TenantRole.VIEWER: R.TENANT_VIEWER,
}
_CHAPTER_ROLES = {
    ChapterRole.LEAD: R.CHAPTER_LEAD,
    ChapterRole.CO_LEAD: R.CHAPTER_CO_LEAD,
    ChapterRole.MEMBER: R.CHAPTER_MEMBER,
}


_SCOPE_ROLES = {
    "chapters:read": R.SCOPE_CHAPTERS_READ,
    "activities:read": R.SCOPE_ACTIVITIES_READ,
    "activities:write": R.SCOPE_ACTIVITIES_WRITE,
    "export": R.SCOPE_EXPORT,
    "metrics:read": R.SCOPE_METRICS_READ,
    "contributions:write": R.SCOPE_CONTRIBUTIONS_WRITE,
}


def roles_of(
    principal: Principal | None,
    *,
    chapter_id: uuid.UUID | None = None,
    person_id: uuid.UUID | None = None,
    co_hosts: Collection[uuid.UUID] = (),
    organisers: Collection[uuid.UUID] = (),
    authors: Collection[uuid.UUID] = (),
    editor: bool = False,
) -> frozenset[Role]:
    """The caller's roles with respect to a chapter and/or a person record; for an activity,
    ``chapter_id`` is its owning chapter, ``co_hosts`` the chapters co-hosting it and
    ``organisers`` the people organising or hosting it; for an article, ``authors`` are the
    people writing it. ``editor``: the caller is a content editor."""
    roles = {R.ANYONE}
    if principal is None:
        return frozenset(roles)
    if principal.client is not None:
        if principal.client.kind == ClientKind.PARTNER:
            return frozenset({R.ANYONE, R.PARTNER})
        return frozenset(
            roles | {_SCOPE_ROLES[s] for s in principal.client.scopes if s in _SCOPE_ROLES}
        )
    roles.add(R.PERSON)
    if principal.tenant_role is not None:
        roles.add(_TENANT_ROLES[principal.tenant_role])
    if chapter_id is not None and chapter_id in principal.chapter_roles:
        roles.add(_CHAPTER_ROLES[principal.chapter_roles[chapter_id]])
    if person_id is not None and person_id == principal.person_id:
        roles.add(R.SELF)
    if any(principal.chapter_roles.get(c) in _LEADING for c in co_hosts):
        roles.add(R.CO_HOST_LEAD)
    if principal.person_id is not None and principal.person_id in organisers:
        roles.add(R.ORGANISER)
    if principal.person_id is not None and principal.person_id in authors:
        roles.add(R.AUTHOR)
    if editor:
        roles.add(R.EDITOR)
    return frozenset(roles)


def co_hosts_matter(principal: Principal | None) -> bool:
    """Whether an activity's co-hosting chapters can change the caller's roles on it (so
    callers who lead no chapter never need them loaded)."""
    return bool(chapter_ids_led_by(principal))


def organisers_matter(principal: Principal | None, action: Action) -> bool:
    """Whether being among an activity's organisers could let the caller take ``action`` (so
    the organisers are loaded only then)."""
    return (
        principal is not None
        and principal.client is None
        and principal.person_id is not None
        and R.ORGANISER in POLICY[action]
    )


def can(
    principal: Principal | None,
    action: Action,
    *,
    chapter_id: uuid.UUID | None = None,
    person_id: uuid.UUID | None = None,
    co_hosts: Collection[uuid.UUID] = (),
    organisers: Collection[uuid.UUID] = (),
    authors: Collection[uuid.UUID] = (),
    editor: bool = False,
) -> bool:
    roles = roles_of(
        principal,
        chapter_id=chapter_id,
        person_id=person_id,
        co_hosts=co_hosts,
        organisers=organisers,
        authors=authors,
        editor=editor,
    )
    return bool(roles & POLICY[action])


def require(
    principal: Principal | None,
    action: Action,
    *,
    chapter_id: uuid.UUID | None = None,
    person_id: uuid.UUID | None = None,
    co_hosts: Collection[uuid.UUID] = (),
    authors: Collection[uuid.UUID] = (),
    editor: bool = False,
) -> None:
    allowed = can(
        principal,
        action,
        chapter_id=chapter_id,
        person_id=person_id,
        co_hosts=co_hosts,
        authors=authors,
        editor=editor,
    )
    if not allowed:
        raise Forbidden(action.value)


def require_caller(
    principal: Principal | None,
    action: Action,
    *,
    chapter_id: uuid.UUID | None = None,
    person_id: uuid.UUID | None = None,
    co_hosts: Collection[uuid.UUID] = (),
    authors: Collection[uuid.UUID] = (),
    editor: bool = False,
) -> Principal:
    """``require`` for an action only a caller can take (all but the ones anyone may take):
    the caller, who is then known to be there."""
    require(
        principal,
        action,
        chapter_id=chapter_id,
        person_id=person_id,
        co_hosts=co_hosts,
        authors=authors,
        editor=editor,
    )
    if principal is None:
        raise Forbidden(action.value)
    return principal


# Who outranks whom across the tenant.
TENANT_RANK: dict[TenantRole | None, int] = {
    None: 0,
    TenantRole.VIEWER: 1,
    TenantRole.OPS: 2,
    TenantRole.ADMIN: 3,
    TenantRole.OWNER: 4,
}


def outranks(principal: Principal | None, role: TenantRole | None) -> bool:
    return principal is not None and TENANT_RANK[principal.tenant_role] > TENANT_RANK[role]


def require_power_over(
    principal: Principal | None, person_id: uuid.UUID, person_role: TenantRole | None
) -> None:
    """One person acting on another's account (editing the profile or email, changing the
    tenant role, linking or unlinking sign-in identities) must rank above them: whoever can
    act on an equal or higher account can become its holder. One's own account is one's own;
    the action's row of ``POLICY`` applies as well."""
    if principal is not None and principal.person_id == person_id:
        return
    if not outranks(principal, person_role):
        raise Forbidden("act on the account of someone ranked at or above you")


def linkable_by_verified_email(role: TenantRole | None) -> bool:
    """Whether a provider's verified email may link a person with ``role`` on first sign-in.
    Whoever manages providers can add one that vouches for any address, so only people
    ranked below every such role are linked that way; the others are linked explicitly."""
    managers = [tr for tr, r in _TENANT_ROLES.items() if r in POLICY[Action.ACCESS_MANAGE]]
    return all(TENANT_RANK[role] < TENANT_RANK[manager] for manager in managers)


def can_see_email(
    principal: Principal | None,
    person_id: uuid.UUID,
    chapter_ids_of_person: Collection[uuid.UUID],
    invited_with_this_email_to: Collection[uuid.UUID] = (),
) -> bool:
    """A person's email: staff and the person themself, and the leads and co-leads of any
    chapter the person is an active member of (an invitation by id grants nothing until
    accepted), or that invited the person by this very address (the lead typed it)."""
    if can(principal, Action.PERSON_READ_EMAIL, person_id=person_id):
        return True
    return any(
        can(principal, Action.CHAPTER_READ_MEMBER_EMAILS, chapter_id=chapter_id)
        for chapter_id in {*chapter_ids_of_person, *invited_with_this_email_to}
    )


def can_see_person(
    principal: Principal | None,
    person_id: uuid.UUID,
    invited: bool,
    chapter_ids_of_person: Collection[uuid.UUID] = (),
) -> bool:
    """A person's profile: whoever reads people's profiles; but a person invited by email
    who has not accepted anywhere yet is not in the directory: only staff, themself and the
    leads and co-leads of the chapters they are invited to see them."""
    if not can(principal, Action.PERSON_READ_PROFILE):
        return False
    if not invited or can(principal, Action.PERSON_READ_INVITED, person_id=person_id):
        return True
    return any(
        can(principal, Action.PERSON_READ_INVITED, chapter_id=chapter_id)
        for chapter_id in chapter_ids_of_person
    )


def can_see_activity_summary(
    principal: Principal | None, person_id: uuid.UUID, chapter_ids_of_person: Collection[uuid.UUID]
) -> bool:
    """A person's participation summary: readers of the tenant, the person themself, and the
    leads and co-leads of any chapter the person is an active member of."""
    if can(principal, Action.PERSON_READ_ACTIVITY, person_id=person_id):
        return True
    return any(
        can(principal, Action.INSIGHT_READ_CHAPTER, chapter_id=chapter_id)
        for chapter_id in chapter_ids_of_person
    )


def chapter_ids_led_by(principal: Principal | None) -> set[uuid.UUID]:
    if principal is None:
        return set()
    return {cid for cid, role in principal.chapter_roles.items() if role in _LEADING}


_LEADING = {ChapterRole.LEAD, ChapterRole.CO_LEAD}
