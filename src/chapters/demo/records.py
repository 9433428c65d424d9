"""The shapes the demo data is written in (``chapters.demo.data``): plain records, one per
line of a table, that name each other by key (a profile by its email's local part, a chapter
by its slug, an organisation or a mentoring project by a short key). Dates are ISO strings,
read on the tenant's or the chapter's clock when they are replayed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, NamedTuple

from chapters.models import (
    ChapterRole,
    ChapterStatus,
    CommitteeKind,
    MembershipStatus,
    OrganisationKind,
    PersonSegment,
    ProjectStatus,
    SeatRole,
    TenantRole,
)


class TenantSpec(NamedTuple):
    name: str
    timezone: str  # IANA: the clock the tenant's dates are read on
    locale: str


@dataclass(frozen=True)
class DemoAccount:
    tenant: str
    email: str
    display_name: str
    tenant_role: TenantRole | None
    description: str


# The keys ``Profile.segments`` uses.
SEGMENTS = {
    "user": PersonSegment.USER,
    "code": PersonSegment.CODE_CONTRIBUTOR,
    "non-code": PersonSegment.NON_CODE_CONTRIBUTOR,
}


class Profile(NamedTuple):
    key: str  # the email's local part
    name: str
    github: str | None
    city: str
    company: str | None
    segments: str  # space-separated keys of SEGMENTS
    tags: str  # space-separated


class ChapterSpec(NamedTuple):
    slug: str
    name: str
    city: str | None
    region: str
    founded: str  # ISO date
    parent: str | None  # slug of a chapter listed earlier
    description: str


class Change(NamedTuple):
    """From this day (10:00 in the tenant's timezone) the person has this role, or has left."""

    on: str
    chapter: str
    person: str
    becomes: ChapterRole | Literal[MembershipStatus.LEFT]
    reason: str | None = None


class EmailInvitation(NamedTuple):
    """A lead's invitation of a newcomer by email, still waiting for their first sign-in."""

    chapter: str
    lead: str
    email: str
    display_name: str


class StatusChange(NamedTuple):
    on: str
    chapter: str
    status: ChapterStatus
    reason: str


class Seat(NamedTuple):
    person: str
    role: SeatRole
    starts_on: str
    ends_on: str | None = None


@dataclass(frozen=True)
class CommitteeSpec:
    name: str
    kind: CommitteeKind
    description: str
    seats: list[Seat]


class Rel(NamedTuple):
    kind: str  # a RelationshipKind
    status: str  # a RelationshipStatus
    starts_on: str
    notes: str


class Contact(NamedTuple):
    name: str
    email: str
    title: str


class OrganisationSpec(NamedTuple):
    key: str  # how the activities name it
    name: str
    kind: OrganisationKind
    website: str
    relationships: list[Rel]
    contact: Contact | None
    chapters: str  # space-separated slugs of the chapters it is linked to
    notes: str


class ProgramSpec(NamedTuple):
    name: str
    year: int
    description: str
    applications: tuple[str, str]  # first and last day, ISO dates
    coding: tuple[str, str]


class ProjectSpec(NamedTuple):
    key: str  # how the mentoring activities name it
    title: str
    chapter: str
    repository: str
    mentors: str  # space-separated profile keys
    mentees: str
    status: ProjectStatus
    outcome: str | None = None


class Who(NamedTuple):
    """A person of the tenant taking part in an activity."""

    role: str  # a ParticipantRole
    person: str  # a profile key
    topic: str | None = None


class Guest(NamedTuple):
    """An external participant, known by name only."""

    role: str
    name: str
    affiliation: str
    topic: str | None = None


class Recap(NamedTuple):
    attendance: int
    links: str  # space-separated LinkKinds; the URLs are made from the activity's key
    summary: str


class Fix(NamedTuple):
    """What the organiser changed after review asked for changes, and said on resubmitting."""

    note: str
    venue: str | None = None
    expected: int | None = None
    links: str = ""


class Republish(NamedTuple):
    """A second version of the recap, and why it replaced the first."""

    note: str
    recap: Recap


class Reschedule(NamedTuple):
    """New dates (on the chapter's clock, as long as before) and why."""

    starts: str
    reason: str


@dataclass(frozen=True)
class ActivitySpec:
    """One activity and what happened to it. ``steps``, space-separated, replay its review:
    ``submit``, ``accept``, ``changes`` (review asks for ``review``), ``reply`` (the organiser
    answers in the thread), ``fix`` (the organiser applies ``fix`` and resubmits), ``cancel``
    (for ``cancel``), ``recap`` (publish ``recap``), ``republish`` (a second version of the
    recap), ``reopen`` (ops send it back, for ``reopen``), ``reschedule`` (its lead moves it).
    No steps: a draft."""

    key: str
    chapter: str
    kind: str  # an ActivityKind
    starts: str  # "YYYY-MM-DD HH:MM" on the chapter's clock
    hours: float | None  # None: no end (an article)
    title: str
    steps: str
    venue: str | None = None
    online: str | None = None
    language: str = "zh-CN"
    expected: int | None = None
    tags: str = ""
    co_hosts: str = ""  # space-separated chapter slugs
    organisations: str = ""  # space-separated "organisation-key:role"
    people: tuple[Who | Guest, ...] = ()
    links: str = ""  # space-separated LinkKinds known when it was created
    project: str | None = None  # a ProjectSpec key (mentoring activities)
    review: str | None = None
    reply: str | None = None
    fix: Fix | None = None
    cancel: str | None = None
    recap: Recap | None = None
    republish: Republish | None = None
    reopen: str | None = None
    reschedule: Reschedule | None = None


@dataclass(frozen=True)
class Ledger:
    organisations: list[OrganisationSpec]
    program: ProgramSpec
    projects: list[ProjectSpec]
    activities: list[ActivitySpec]  # in the order they happened
    reviewer: str  # the profile key of the central ops person who reviews


@dataclass(frozen=True)
class TenantContent:
    domain: str
    country: str
    people: list[Profile]
    chapters: list[ChapterSpec]  # parents before their children; the first marks "seeded"
    history: list[Change]
    status_changes: list[StatusChange] = field(default_factory=list)
    committee: CommitteeSpec | None = None
    ledger: Ledger | None = None  # seeded once the tenant has no activity
    invitations: list[EmailInvitation] = field(default_factory=list)  # pending, by email
    public_profiles: frozenset[str] = frozenset()  # profile keys: named on public pages

    def email(self, key: str) -> str:
        """The email address of the profile ``key``."""
        return f"{key}@{self.domain}"
