"""The authorization matrix, as a table: for every root field of the schema (``Query`` and
``Mutation``), the operation that exercises it and what each kind of caller gets back, at each
place the object it names may live. ``tests/authz/test_authz_matrix.py`` runs every cell.

Who is expected to get what is derived from ``tests/authz/rights.py`` (the rights written out by
hand from the documented rules, independently of ``chapters.authz``): each row names the right
its field exercises (``may(Action.X)`` …), and ``holds`` says what each caller is at each place.

Callers (``ACTORS``)
    anonymous; people of the tenant: ``member_a``, ``co_lead_a`` and ``lead_a`` of chapter A,
    ``lead_b`` of chapter B, ``ops``, ``viewer`` and ``admin`` (tenant roles, in no chapter);
    API clients: ``partner`` (a partner organisation's client; its organisation co-hosts one
    accepted activity of chapter A), ``svc_narrow`` (service client, ``activities:read``) and
    ``svc_broad`` (``chapters:read activities:read activities:write export metrics:read
    contributions:write``); and
    ``stranger``, a person of another tenant calling with their own token. Tokens are bound to
    their tenant: the stranger gets HTTP 401 on every row, which the table does not repeat.

Where the object lives (``at``)
    ``A`` / ``B``: the objects of chapter A / B (the chapter, its member, the membership, its
    mentoring project, its draft, submitted, accepted and past activities); ``tenant``: an
    object of the tenant outside any chapter (committee, organisation, program …). Each such
    row also runs with the same objects of ANOTHER TENANT and with made-up ids of the same
    types: every caller must get a denial or nothing there, and exactly the same response for
    the other tenant's object as for the missing one. Rows without ``at`` name no object.
    ``mixed`` rows act on chapter A's own objects (``home``) and reference the place's objects
    (a participant, an organisation …): another tenant's reference must fail as a missing one.

Outcomes
    ``ALLOW``: the data, or for a mutation exactly the ``probe`` errors: the input passes the
    policy and then fails validation on purpose (an empty title, dates in the wrong order …),
    so that nothing is written. ``EMPTY``: allowed, but an empty list or null because nothing
    is visible. ``DENY``: a FORBIDDEN, NOT_FOUND or UNAUTHENTICATED error, or null where the API
    hides what the caller may not see. Callers in neither ``allow`` nor ``empty`` are denied.
    A partner's client is allowed only where the object is linked to its organisation
    (``partner_at``: the places where it is); elsewhere a list shows it nothing.

Access paths (``via``)
    ``direct`` argument, ``node`` (``node(id:)``/``nodes``), ``nested`` field, list ``filter``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from strawberry.relay import to_base64

from chapters.authz import Action as A
from tests.authz import rights
from tests.authz.rights import Who as W

ALLOW, EMPTY, DENY = "ALLOW", "EMPTY", "DENY"
UNAUTHORIZED = "HTTP 401"

ACTORS = (
    "anonymous",
    "member_a",
    "co_lead_a",
    "lead_a",
    "lead_b",
    "ops",
    "viewer",
    "admin",
    "partner",
    "svc_narrow",
    "svc_broad",
    "stranger",
)
OWN_PLACES = ("A", "B", "tenant")
FOREIGN_PLACES = ("missing", "other tenant")  # made-up ids first: the other tenant is compared

CALLERS = tuple(actor for actor in ACTORS if actor != "stranger")
PLACES = ("A", "B", "tenant", "-")  # "-": rows that name no object
EVERYWHERE = PLACES

# What each caller is, in the words of the rules: across the tenant …
IS: dict[str, frozenset[W]] = {
    "anonymous": frozenset({W.ANYONE}),
    **dict.fromkeys(("member_a", "co_lead_a", "lead_a", "lead_b"), frozenset({W.ANYONE, W.PERSON})),
    "ops": frozenset({W.ANYONE, W.PERSON, W.OPS}),
    "viewer": frozenset({W.ANYONE, W.PERSON, W.VIEWER}),
    "admin": frozenset({W.ANYONE, W.PERSON, W.ADMIN}),
    "partner": frozenset({W.ANYONE, W.PARTNER}),
    "svc_narrow": frozenset({W.ANYONE, W.ACTIVITIES_READ}),
    "svc_broad": frozenset(
        {
            W.ANYONE,
            W.CHAPTERS_READ,
            W.ACTIVITIES_READ,
            W.ACTIVITIES_WRITE,
            W.EXPORT,
            W.METRICS_READ,
            W.CONTRIBUTIONS_WRITE,
        }
    ),
}
# … in their chapter …
IN_CHAPTER = {
    "member_a": ("A", W.MEMBER),
    "co_lead_a": ("A", W.CO_LEAD),
    "lead_a": ("A", W.LEAD),
    "lead_b": ("B", W.LEAD),
}
# … and whose account is whose: the place's member (member_a in A; member_b of B is no caller)
# and the tenant's owner (no caller), admin and ops, by their tenant role.
PERSON_AT = {("member", "A"): "member_a", ("admin", "tenant"): "admin", ("ops", "tenant"): "ops"}
ROLE_OF = {"own": None, "member": None, "owner": W.OWNER, "admin": W.ADMIN, "ops": W.OPS}


def holds(actor: str, place: str, on: str | None = None) -> frozenset[W]:
    """What ``actor`` is at ``place``; ``on``: the person the object is or belongs to (``own``:
    the caller's own, ``member``: the place's member, or the ``owner``, ``admin``, ``ops``)."""
    roles = set(IS[actor])
    if actor in IN_CHAPTER and IN_CHAPTER[actor][0] == place:
        roles.add(IN_CHAPTER[actor][1])
    if W.PERSON in roles and (on == "own" or PERSON_AT.get((on or "", place)) == actor):
        roles.add(W.SELF)
    return frozenset(roles)


class Callers(Mapping[str, frozenset[str]]):
    """The callers a rule picks, at each place; combined place by place with ``|``, ``&``, ``-``."""

    def __init__(self, at: Mapping[str, Collection[str]]) -> None:
        self._at = {place: frozenset(at.get(place, ())) for place in PLACES}

    def __getitem__(self, place: str) -> frozenset[str]:
        return self._at[place]

    def __iter__(self) -> Iterator[str]:
        return iter(self._at)

    def __len__(self) -> int:
        return len(self._at)

    def __or__(self, other: Callers) -> Callers:
        return Callers({place: self[place] | other[place] for place in PLACES})

    def __and__(self, other: Callers) -> Callers:
        return Callers({place: self[place] & other[place] for place in PLACES})

    def __sub__(self, other: Callers) -> Callers:
        return Callers({place: self[place] - other[place] for place in PLACES})


def _pick(test: Callable[[str, str], bool]) -> Callers:
    """The callers ``test(actor, place)`` picks, at each place."""
    return Callers({place: {a for a in CALLERS if test(a, place)} for place in PLACES})


def callers(rule: Callable[[frozenset[W]], bool], on: str | None = None) -> Callers:
    """The callers for whom a rule of ``tests/authz/rights.py`` holds (``on``: see ``holds``)."""
    return _pick(lambda actor, place: rule(holds(actor, place, on)))


def may(action: A, *, on: str | None = None, partner_at: Collection[str] = ()) -> Callers:
    """Who may perform ``action`` on the place's object (``on``: see ``holds``); a partner's
    client only at the places of ``partner_at``, where the object is its organisation's."""
    return _pick(
        lambda actor, place: rights.may(
            action, holds(actor, place, on), partners_own=place in partner_at
        )
    )


def partner_sees_nothing(action: A, *, partner_at: Collection[str]) -> Callers:
    """A list the partner's client may read, but where nothing is its organisation's."""
    return may(action, partner_at=EVERYWHERE) - may(action, partner_at=partner_at)


def account(action: A, *, of: str) -> Callers:
    """Who may perform ``action`` on the account of ``of`` (``own``, ``member``, ``owner``,
    ``admin``, ``ops``): a tenant role above theirs, or the account is their own."""
    return _pick(
        lambda actor, place: rights.may_act_on_account(
            action, holds(actor, place), ROLE_OF[of], own=W.SELF in holds(actor, place, on=of)
        )
    )


def holding(who: W) -> Callers:
    """The callers who are ``who`` (for fields no action of the policy governs)."""
    return callers(lambda holds: who in holds)


def sees_email_of_member() -> Callers:
    """Who sees the email of the place's member, a member of the place's chapter."""
    return _pick(
        lambda actor, place: rights.sees_email(
            holds(actor, place, on="member"), [holds(actor, place)]
        )
    )


def sees_activity_of_member() -> Callers:
    """Who sees the participation summary of the place's member (a member of its chapter)."""
    return _pick(
        lambda actor, place: rights.sees_activity(
            holds(actor, place, on="member"), [holds(actor, place)]
        )
    )


def leading_a_chapter(action: A) -> Callers:
    """The callers who may perform ``action`` in the chapter they belong to, wherever they
    ask from (the figures of one's own chapter)."""
    return _pick(
        lambda actor, place: (
            actor in IN_CHAPTER and rights.may(action, holds(actor, IN_CHAPTER[actor][0]))
        )
    )


def as_author(action: A) -> Callers:
    """Who passes the first gate of an action on an article that is not found: the callers who
    could take it as one of its authors (people of the tenant), or take it anyway."""
    return callers(lambda holds: W.PERSON in holds and rights.may(action, {*holds, W.AUTHOR}))


NO_CALLER = Callers({})

NOW = datetime.now(UTC)
NOBODY = to_base64("Person", str(uuid.UUID(int=1)))  # a person that does not exist
NO_PROGRAM = to_base64("IncentiveProgram", str(uuid.UUID(int=4)))  # none exists
NO_REWARD = to_base64("IncentiveReward", str(uuid.UUID(int=5)))
NO_TITLE = to_base64("RecognitionTitle", str(uuid.UUID(int=6)))  # none exists
NO_CERTIFICATE = to_base64("Certificate", str(uuid.UUID(int=7)))


@dataclass(frozen=True)
class Place:
    """The objects one location names, as global ids (``slug`` and ``member_name`` as text)."""

    chapter: str
    slug: str
    member: str  # the chapter's member (member_a in A)
    member_name: str
    membership: str  # the member's membership
    project: str  # the chapter's mentoring project
    draft: str  # the chapter's activities: a draft (in ten days) …
    submitted: str  # … one in review …
    accepted: str  # … one accepted (in ten days) …
    past: str  # … one accepted, ended a month ago, no recap (overdue)
    partner_meetup: str  # accepted, co-hosted by the partner's organisation, sponsored by org
    spare: str  # a person in no chapter
    owner: str  # the tenant's owner, admin and ops, as people to act on (ranked above some
    admin: str  # callers: nobody may edit, re-role, link or unlink an equal or higher one)
    ops: str
    committee: str
    seat: str  # member_a's seat on the committee
    partner_org: str  # the partner client's organisation, linked to chapter A
    org: str  # another organisation, linked to chapters A and B
    lone_org: str  # an organisation linked to no chapter
    relationship: str  # the partner organisation's relationship with the community
    contact: str  # the partner organisation's contact
    program: str
    client: str  # a revoked service client
    provider: str  # a trusted identity provider
    audit_entry: str
    participant: str = ""  # a participant of the submitted activity


Variables = Callable[..., dict[str, Any]]  # (place) or, for mixed rows, (place, home)
Expect = frozenset[str] | Mapping[str, frozenset[str]]


@dataclass(frozen=True)
class Row:
    field: str  # the root field exercised
    document: str
    variables: Variables
    allow: Expect
    empty: Expect = frozenset()
    at: tuple[str, ...] = ()
    via: str = "direct"
    pick: str = ""  # queries: the dotted path of the value judged (default: the root field)
    null: str = DENY  # queries: what a null value there means
    probe: tuple[tuple[str, str], ...] = ()  # mutations: the errors an allowed caller gets
    fresh_contact: bool = False  # a new contact per cell (the mutation deletes it)
    mixed: bool = False  # variables(o, home): own objects of chapter A referencing o's
    name: str = ""
    note: str = field(default="", compare=False)

    @property
    def id(self) -> str:
        return self.name or self.field

    @property
    def is_mutation(self) -> bool:
        return self.document.lstrip().startswith("mutation")

    def listed(self, place: str) -> tuple[frozenset[str], frozenset[str]]:
        """The callers the row allows, and those it expects to see nothing, at ``place``."""
        return _at(self.allow, place), _at(self.empty, place)

    def expected(self, actor: str, place: str) -> str:
        """What ``actor`` gets at one of the tenant's own places."""
        allow, empty = self.listed(place)
        if actor == "stranger":
            return UNAUTHORIZED
        if actor in allow:
            return ALLOW
        if actor in empty:
            return EMPTY
        return DENY

    def places(self) -> tuple[str, ...]:
        return (*self.at, *FOREIGN_PLACES) if self.at else ("-",)


def _at(expect: Expect, place: str) -> frozenset[str]:
    if isinstance(expect, Mapping):
        return frozenset(expect.get(place, frozenset()))
    return frozenset(expect)


def query(field: str, document: str, variables: Variables | None = None, **row: Any) -> Row:
    return Row(field, document, variables or (lambda o: {}), **row)


def _input_type(field: str) -> str:
    from chapters.api.schema import schema

    return str(schema._schema.mutation_type.fields[field].args["input"].type)


def mutation(field: str, input: Variables, probe: str, **row: Any) -> Row:
    """``field(input: …) { errors }``; ``probe``: the errors past the policy, "field CODE, …"."""
    document = (
        f"mutation ($input: {_input_type(field)}) {{ {field}(input: $input) "
        "{ errors { field code } } }"
    )
    return mutation_with(field, document, lambda *o: {"input": input(*o)}, probe, **row)


def mutation_with(field: str, document: str, variables: Variables, probe: str, **row: Any) -> Row:
    pairs = tuple(tuple(item.split()) for item in probe.split(",") if item.strip())
    return Row(field, document, variables, probe=pairs, **row)


AB = ("A", "B")
ACTIVITY = """title status startsAt chapter { slug } coHosts { slug } committee { name }
  organisations { name role } createdBy { displayName email }
  participants { role externalName externalAffiliation person { displayName email } }
  transitions { toStatus comment actor { displayName email } } viewerCan { edit comment }"""
NODE = "query ($id: ID!) {{ node(id: $id) {{ id ... on {type} {{ {fields} }} }} }}"


def node(type_name: str, fields: str, id_of: Callable[[Place], str], **row: Any) -> Row:
    document = NODE.format(type=type_name, fields=fields)
    return Row("node", document, lambda o: {"id": id_of(o)}, via="node", **row)


CALENDAR_RANGE = {
    "from": (NOW - timedelta(days=60)).isoformat(),
    "to": (NOW + timedelta(days=60)).isoformat(),
}
LONG_REASON = "x" * 2001
AFTER_ITS_START = {"startsOn": "2030-01-02", "endsOn": "2030-01-01"}

QUERY_ROWS = [
    query("tenant", "{ tenant { slug name timezone recapOverdueDays } }", allow=holding(W.ANYONE)),
    query(
        "viewer",
        """{ viewer { email tenantRole person { displayName email identities { issuer } }
          memberships(first: 20) { edges { node { role status chapter { slug } } } } } }""",
        allow=holding(W.PERSON),
        empty=holding(W.ANYONE) - holding(W.PERSON),
        null=EMPTY,
        note="null for anonymous callers and API clients",
    ),
    query(
        "people",
        """{ people(first: 50) { edges { node { displayName email githubHandle
          memberships(first: 10) { edges { node { role chapter { slug } } } } } } } }""",
        allow=may(A.PERSON_SEARCH),
        pick="people.edges",
    ),
    query(
        "people",
        """query ($text: String) { people(filter: {text: $text}, first: 10) {
          edges { node { displayName email } } } }""",
        lambda o: {"text": o.member_name},
        at=AB,
        via="filter",
        name="people(filter: text)",
        allow=may(A.PERSON_SEARCH),
        pick="people.edges",
    ),
    query(
        "chapters",
        """{ chapters(first: 50) { edges { node { slug name status parent { slug }
          committee { name } statusHistory { toStatus reason changedBy { displayName email } }
          viewerRole } } } }""",
        allow=may(A.CHAPTER_READ_DIRECTORY),
        pick="chapters.edges",
    ),
    query(
        "chapter",
        """query ($slug: String!) { chapter(slug: $slug) { id name slug status
          children(first: 5) { edges { node { slug } } }
          statusHistory { toStatus changedBy { displayName email } } viewerRole } }""",
        lambda o: {"slug": o.slug},
        at=AB,
        allow=may(A.CHAPTER_READ_DIRECTORY),
    ),
    query(
        "chapter",
        """query ($slug: String!) { chapter(slug: $slug) {
          members(status: [ACTIVE, INVITED, LEFT], first: 50) { edges { node { role status
            person { displayName email }
            history(first: 5) { edges { node { role changedBy { displayName } } } } } } } } }""",
        lambda o: {"slug": o.slug},
        at=AB,
        via="nested",
        name="chapter.members",
        allow=may(A.CHAPTER_READ_ROSTER),
        pick="chapter.members.edges",
    ),
    query(
        "chapter",
        """query ($slug: String!) { chapter(slug: $slug) { membershipHistory(first: 50) {
          totalCount edges { node { role status person { displayName email }
          changedBy { displayName } } } } } }""",
        lambda o: {"slug": o.slug},
        at=AB,
        via="nested",
        name="chapter.membershipHistory",
        allow=may(A.CHAPTER_READ_HISTORY),
        pick="chapter.membershipHistory.edges",
    ),
    query(
        "committees",
        """{ committees(first: 20) { edges { node { name kind
          seats(current: false, first: 20) { edges { node { role isCurrent
            person { displayName email } } } } } } } }""",
        allow=may(A.COMMITTEE_READ),
        pick="committees.edges",
    ),
    query(
        "auditLog",
        """{ auditLog(first: 20) { edges { node { action objectType objectId operation
          changes { field before after } actor { displayName email } } } } }""",
        allow=may(A.AUDIT_READ),
        pick="auditLog.edges",
    ),
    query(
        "auditLog",
        """query ($id: ID!) { auditLog(filter: {objectId: $id}, first: 20) {
          edges { node { action operation actor { displayName } } } } }""",
        lambda o: {"id": o.draft},
        at=AB,
        via="filter",
        name="auditLog(filter: objectId)",
        allow=may(A.AUDIT_READ),
        pick="auditLog.edges",
    ),
    query(
        "organisations",
        """{ organisations(first: 20) { edges { node { name kind website notes
          relationships { kind status notes } contacts { name email title
            person { displayName email } } chapters(first: 10) { edges { node { slug } } } } } } }""",
        allow=may(A.ORGANISATION_READ, partner_at=EVERYWHERE),
        pick="organisations.edges",
        note="the partner's client lists its own organisation only",
    ),
    query(
        "organisations",
        """query ($chapter: ID!) { organisations(filter: {chapterId: $chapter}, first: 20) {
          edges { node { name notes contacts { name email } } } } }""",
        lambda o: {"chapter": o.chapter},
        at=AB,
        via="filter",
        name="organisations(filter: chapterId)",
        allow=may(A.ORGANISATION_READ, partner_at=("A",)),
        empty=partner_sees_nothing(A.ORGANISATION_READ, partner_at=("A",)),
        pick="organisations.edges",
    ),
    query(
        "mentoringPrograms",
        """{ mentoringPrograms(first: 10) { edges { node { name year phase
          projects(first: 20) { edges { node { title status chapter { slug }
            mentors { displayName email } mentees { displayName email } } } } } } } }""",
        allow=may(A.PROGRAM_READ),
        pick="mentoringPrograms.edges",
    ),
    query(
        "mentoringPrograms",
        """query ($chapter: ID!) { mentoringPrograms(first: 10) { edges { node {
          projects(filter: {chapterId: $chapter}, first: 20) { edges { node { title
            mentors { displayName } } } } } } } }""",
        lambda o: {"chapter": o.chapter},
        at=AB,
        via="filter",
        name="mentoringPrograms.projects(filter: chapterId)",
        allow=may(A.PROGRAM_READ),
        pick="mentoringPrograms.edges.0.node.projects.edges",
    ),
    query(
        "activities",
        f"{{ activities(first: 50) {{ edges {{ node {{ {ACTIVITY} }} }} }} }}",
        allow=may(A.ACTIVITY_READ_ACCEPTED, partner_at=EVERYWHERE),
        pick="activities.edges",
        note="accepted ones for everybody; the partner's client: those of its organisation",
    ),
    query(
        "activities",
        """query ($chapter: ID!) { activities(filter: {chapterId: $chapter,
          status: [DRAFT, SUBMITTED]}, first: 50) { edges { node { title status } } } }""",
        lambda o: {"chapter": o.chapter},
        at=AB,
        via="filter",
        name="activities(filter: chapterId, unaccepted)",
        allow=may(A.ACTIVITY_READ_UNACCEPTED),
        empty=may(A.ACTIVITY_READ_ACCEPTED, partner_at=EVERYWHERE)
        - may(A.ACTIVITY_READ_UNACCEPTED),
        pick="activities.edges",
    ),
    query(
        "activities",
        """query ($chapter: ID!) { activities(filter: {chapterId: $chapter,
          status: [ACCEPTED]}, first: 50) { edges { node { title status } } } }""",
        lambda o: {"chapter": o.chapter},
        at=AB,
        via="filter",
        name="activities(filter: chapterId, accepted)",
        allow=may(A.ACTIVITY_READ_ACCEPTED, partner_at=("A",)),
        empty=partner_sees_nothing(A.ACTIVITY_READ_ACCEPTED, partner_at=("A",)),
        pick="activities.edges",
    ),
    query(
        "activities",
        """query ($organisation: ID!) { activities(filter: {organisationId: $organisation},
          first: 50) { edges { node { title organisations { name } } } } }""",
        lambda o: {"organisation": o.partner_org},
        at=("tenant",),
        via="filter",
        name="activities(filter: organisationId)",
        allow=may(A.ACTIVITY_READ_ACCEPTED, partner_at=("tenant",)),
        pick="activities.edges",
    ),
    query(
        "activities",
        """query ($organisation: ID!) { activities(filter: {organisationId: $organisation},
          first: 50) { edges { node { title organisations { name } } } } }""",
        lambda o: {"organisation": o.org},
        at=("tenant",),
        via="filter",
        name="activities(filter: organisationId) of another organisation",
        allow=may(A.ACTIVITY_READ_ACCEPTED),
        empty=partner_sees_nothing(A.ACTIVITY_READ_ACCEPTED, partner_at=()),
        pick="activities.edges",
        note="it sponsors the partner's activity: the partner may not learn which it joins",
    ),
    query(
        "activities",
        """query ($person: ID!) { activities(filter: {participantPersonId: $person},
          first: 50) { edges { node { title status } } } }""",
        lambda o: {"person": o.member},
        at=AB,
        via="filter",
        name="activities(filter: participantPersonId)",
        allow=may(A.ACTIVITY_READ_PARTICIPANTS),
        pick="activities.edges",
        note="who took part is personal data: only those who may see participants may filter by it",
    ),
    query(
        "activityReviewQueue",
        """{ activityReviewQueue(first: 20) { edges { node { title chapter { slug }
          createdBy { displayName email } participants { person { displayName } } } } } }""",
        allow=may(A.ACTIVITY_OVERSEE),
        pick="activityReviewQueue.edges",
    ),
    query(
        "overdueRecaps",
        """{ overdueRecaps(first: 20) { edges { node { title chapter { slug }
          createdBy { displayName email } participants { person { displayName } } } } } }""",
        allow=may(A.ACTIVITY_OVERSEE),
        pick="overdueRecaps.edges",
    ),
    query(
        "chapterCalendar",
        """query ($chapter: ID!, $from: DateTime!, $to: DateTime!) {
          chapterCalendar(chapterId: $chapter, from: $from, to: $to) { title status
            createdBy { displayName email } participants { person { displayName email } } } }""",
        lambda o: {"chapter": o.chapter, **CALENDAR_RANGE},
        at=AB,
        allow=may(A.ACTIVITY_READ_ACCEPTED, partner_at=("A",)),
        empty=partner_sees_nothing(A.ACTIVITY_READ_ACCEPTED, partner_at=("A",)),
    ),
    query(
        "apiClients", "{ apiClients { name kind scopes revokedAt } }", allow=may(A.ACCESS_MANAGE)
    ),
    query(
        "identityProviders", "{ identityProviders { issuer enabled } }", allow=may(A.ACCESS_MANAGE)
    ),
    node(
        "Chapter",
        "slug statusHistory { changedBy { displayName email } }",
        lambda o: o.chapter,
        at=AB,
        name="node(Chapter)",
        allow=may(A.CHAPTER_READ_DIRECTORY),
    ),
    node(
        "Person",
        "displayName city tenantRole",
        lambda o: o.member,
        at=AB,
        name="node(Person)",
        allow=may(A.PERSON_READ_PROFILE),
        note="profiles: signed-in people and service clients, never anonymous nor partners",
    ),
    node(
        "Person",
        "email",
        lambda o: o.member,
        at=AB,
        name="node(Person).email",
        allow=sees_email_of_member(),
        pick="node.email",
    ),
    node(
        "Person",
        "identities { issuer subject }",
        lambda o: o.member,
        at=AB,
        name="node(Person).identities",
        allow=NO_CALLER,
        empty=may(A.PERSON_READ_IDENTITIES, on="member"),
        pick="node.identities",
        note="none linked: an empty list for admins and the person, null for anyone else",
    ),
    node(
        "Person",
        "memberships(first: 10) { edges { node { role chapter { slug } } } }",
        lambda o: o.member,
        at=AB,
        name="node(Person).memberships",
        allow=may(A.CHAPTER_READ_ROSTER),
        empty=may(A.PERSON_READ_PROFILE)
        - may(A.CHAPTER_READ_ROSTER),  # they see the person but none of the rosters
        pick="node.memberships.edges",
    ),
    node(
        "ChapterMembership",
        "role status person { displayName email } chapter { slug }",
        lambda o: o.membership,
        at=AB,
        name="node(ChapterMembership)",
        allow=may(A.CHAPTER_READ_ROSTER),
    ),
    node(
        "Committee",
        "name seats(first: 10) { edges { node { person { displayName email } } } }",
        lambda o: o.committee,
        at=("tenant",),
        name="node(Committee)",
        allow=may(A.COMMITTEE_READ),
    ),
    node(
        "CommitteeSeat",
        "role person { displayName email } committee { name }",
        lambda o: o.seat,
        at=("tenant",),
        name="node(CommitteeSeat)",
        allow=may(A.COMMITTEE_READ),
    ),
    node(
        "Organisation",
        "name notes relationships { kind notes } chapters { edges { node { slug } } }",
        lambda o: o.partner_org,
        at=("tenant",),
        name="node(Organisation) of the partner",
        allow=may(A.ORGANISATION_READ, partner_at=("tenant",)),
    ),
    node(
        "Organisation",
        "name notes relationships { kind notes } chapters { edges { node { slug } } }",
        lambda o: o.org,
        at=("tenant",),
        name="node(Organisation) of another",
        allow=may(A.ORGANISATION_READ),
    ),
    node(
        "Organisation",
        "contacts { name email person { displayName } }",
        lambda o: o.partner_org,
        at=("tenant",),
        name="node(Organisation).contacts",
        allow=may(A.ORGANISATION_READ_PRIVATE),
        pick="node.contacts",
        note="personal data: null for everyone but staff, the partner included",
    ),
    node(
        "Organisation",
        "notes",
        lambda o: o.partner_org,
        at=("tenant",),
        name="node(Organisation).notes",
        allow=may(A.ORGANISATION_READ_PRIVATE),
        pick="node.notes",
    ),
    node(
        "OrganisationRelationship",
        "notes",
        lambda o: o.relationship,
        at=("tenant",),
        name="node(OrganisationRelationship).notes",
        allow=may(A.ORGANISATION_READ_PRIVATE),
        pick="node.notes",
    ),
    node(
        "OrganisationRelationship",
        "kind status notes organisation { name }",
        lambda o: o.relationship,
        at=("tenant",),
        name="node(OrganisationRelationship)",
        allow=may(A.ORGANISATION_READ, partner_at=("tenant",)),
    ),
    node(
        "OrganisationContact",
        "name email person { displayName email } organisation { name }",
        lambda o: o.contact,
        at=("tenant",),
        name="node(OrganisationContact)",
        allow=may(A.ORGANISATION_READ_PRIVATE),
    ),
    node(
        "MentoringProgram",
        "name projects(first: 10) { edges { node { title mentors { displayName email } } } }",
        lambda o: o.program,
        at=("tenant",),
        name="node(MentoringProgram)",
        allow=may(A.PROGRAM_READ),
    ),
    node(
        "MentoringProject",
        "title chapter { slug } program { name } mentors { displayName email } "
        "mentees { displayName email }",
        lambda o: o.project,
        at=AB,
        name="node(MentoringProject)",
        allow=may(A.PROGRAM_READ),
    ),
    node(
        "Activity",
        ACTIVITY,
        lambda o: o.accepted,
        at=AB,
        name="node(Activity) accepted",
        allow=may(A.ACTIVITY_READ_ACCEPTED),
        note="the partner's client sees only what its organisation takes part in",
    ),
    node(
        "Activity",
        ACTIVITY,
        lambda o: o.partner_meetup,
        at=("A",),
        name="node(Activity) co-hosted by the partner",
        allow=may(A.ACTIVITY_READ_ACCEPTED, partner_at=("A",)),
    ),
    node(
        "Activity",
        ACTIVITY,
        lambda o: o.draft,
        at=AB,
        name="node(Activity) draft",
        allow=may(A.ACTIVITY_READ_UNACCEPTED),
    ),
    node(
        "Activity",
        "participants { role person { displayName } }",
        lambda o: o.accepted,
        at=AB,
        name="node(Activity).participants",
        allow=may(A.ACTIVITY_READ_ACCEPTED),
        pick="node.participants",
        note="anonymous callers see the external speaker only (member_a has no public profile)",
    ),
    node(
        "Activity",
        "comments(first: 10) { edges { node { body author { displayName email } } } }",
        lambda o: o.accepted,
        at=AB,
        name="node(Activity).comments",
        allow=callers(rights.reads_thread),
        pick="node.comments.edges",
    ),
    node(
        "Activity",
        "transitions { toStatus comment }",
        lambda o: o.accepted,
        at=AB,
        name="node(Activity).transitions.comment",
        allow=callers(rights.reads_thread),
        pick="node.transitions.1.comment",  # the submission's comment: the review thread
    ),
    node(
        "AuditEntry",
        "action changes { field before after } actor { displayName email }",
        lambda o: o.audit_entry,
        at=("tenant",),
        name="node(AuditEntry)",
        allow=may(A.AUDIT_READ),
    ),
    query(
        "nodes",
        "query ($ids: [ID!]!) { nodes(ids: $ids) { id ... on Activity { title status } } }",
        lambda o: {"ids": [o.draft]},
        at=AB,
        via="node",
        allow=may(A.ACTIVITY_READ_UNACCEPTED),
        pick="nodes.0",
    ),
    # --- insight: readers every chapter's figures, leads their own chapter's ---------------
    query(
        "chapterHealth",
        """{ chapterHealth(quarter: "2026-Q1") { rules { inactiveAfterDays }
          edges { node { chapter { slug } lead { displayName } status members } } } }""",
        allow=may(A.INSIGHT_READ_TENANT) | leading_a_chapter(A.INSIGHT_READ_CHAPTER),
        note="leads get their own chapter's row only",
    ),
    query(
        "chapterHealth",
        """query ($chapter: ID!) { chapterHealth(quarter: "2026-Q1",
          filter: {chapterIds: [$chapter]}) { edges { node { chapter { slug } status } } } }""",
        lambda o: {"chapter": o.chapter},
        at=AB,
        via="filter",
        name="chapterHealth(filter: chapterIds)",
        allow=may(A.INSIGHT_READ_CHAPTER),
        empty=leading_a_chapter(A.INSIGHT_READ_CHAPTER) - may(A.INSIGHT_READ_CHAPTER),
        pick="chapterHealth.edges",
    ),
    query(
        "communityMetrics",
        """{ communityMetrics(quarter: "2026-Q1") { tenant { activities active }
          chapters { chapter { slug } active } } }""",
        allow=may(A.INSIGHT_READ_TENANT)
        | leading_a_chapter(A.INSIGHT_READ_CHAPTER)
        | may(A.INSIGHT_READ_PARTNER),
        note="a partner's client: counts of its organisation's activities, people figures null",
    ),
    query(
        "retentionCohorts",
        "{ retentionCohorts(periods: 4) { cohorts { cohort { label } size retained } } }",
        allow=may(A.INSIGHT_READ_TENANT),
    ),
    query(
        "funnel",
        '{ funnel(quarter: "2026-Q1") { acquired activated retained convertedToContributor } }',
        allow=may(A.INSIGHT_READ_TENANT),
    ),
    query(
        "contributorsToReactivate",
        """{ contributorsToReactivate(first: 10) { namesWithheld edges { node {
          person { displayName email } lastContributions { title } } } } }""",
        allow=may(A.INSIGHT_READ_TENANT) | leading_a_chapter(A.INSIGHT_READ_CHAPTER),
    ),
    node(
        "Chapter",
        "lastActivityAt health { status members firedRules { rule } }",
        lambda o: o.chapter,
        at=AB,
        name="node(Chapter).health",
        allow=may(A.INSIGHT_READ_CHAPTER),
        pick="node.health",
    ),
    node(
        "Person",
        "activity { participationsByRole { key count } segments active }",
        lambda o: o.member,
        at=AB,
        name="node(Person).activity",
        allow=sees_activity_of_member(),
        pick="node.activity",
    ),
    # Webhooks (tests/webhooks/ has the flows): the tenant has no endpoint here.
    query(
        "webhookEndpoints",
        "{ webhookEndpoints(first: 5) { edges { node { url eventTypes enabled } } } }",
        allow=NO_CALLER,
        empty=may(A.WEBHOOK_MANAGE),
        pick="webhookEndpoints.edges",
    ),
    query(
        "webhookEndpoint",
        "query ($id: ID!) { webhookEndpoint(id: $id) { url } }",
        lambda o: {"id": to_base64("WebhookEndpoint", str(uuid.UUID(int=3)))},
        allow=NO_CALLER,
        note="a missing endpoint: null for everyone (admins: tests/webhooks)",
    ),
    query(
        "webhookDeliveries",
        "query ($id: ID!) { webhookDeliveries(endpointId: $id) { edges { cursor } } }",
        lambda o: {"id": to_base64("WebhookEndpoint", str(uuid.UUID(int=3)))},
        allow=NO_CALLER,
        note="a missing endpoint: NOT_FOUND for admins, FORBIDDEN for the others",
    ),
    # The queue's jobs (tests/jobs/test_jobs_api.py has the flows).
    query(
        "jobs",
        "{ jobs(first: 5) { edges { node { id task state args lastError { error } } } } }",
        allow=may(A.JOB_MANAGE),
    ),
    # Ambassadors (tests/ambassadors/ has the flows): the tenant has no program here. The
    # programs and the directory are public, to partners' clients too.
    query(
        "ambassadorPrograms",
        "{ ambassadorPrograms(first: 5) { edges { node { name termMonths } } } }",
        allow=NO_CALLER,
        empty=may(A.AMBASSADOR_READ_DIRECTORY, partner_at=EVERYWHERE),
        pick="ambassadorPrograms.edges",
    ),
    query(
        "ambassadors",
        "{ ambassadors(status: ACTIVE) { edges { node { displayName standing } } } }",
        allow=NO_CALLER,
        empty=may(A.AMBASSADOR_READ_DIRECTORY, partner_at=EVERYWHERE),
        pick="ambassadors.edges",
    ),
    query(
        "ambassadorNominations",
        "{ ambassadorNominations(first: 5) { edges { node { id status } } } }",
        allow=NO_CALLER,
        empty=holding(W.PERSON),
        pick="ambassadorNominations.edges",
        note="staff: the whole queue; other people: their own, theirs and their chapters'",
    ),
    query(
        "ambassadorRenewalsDue",
        "{ ambassadorRenewalsDue(withinDays: 60) { edges { node { id endsOn } } } }",
        allow=NO_CALLER,
        empty=may(A.AMBASSADOR_REVIEW),
        pick="ambassadorRenewalsDue.edges",
    ),
    query(
        "ambassadorTerms",
        "query ($id: ID!) { ambassadorTerms(personId: $id) { edges { node { id } } } }",
        lambda o: {"id": NOBODY},
        allow=NO_CALLER,
        empty=may(A.AMBASSADOR_READ_TERMS) | leading_a_chapter(A.AMBASSADOR_READ_TERMS),
        pick="ambassadorTerms.edges",
        note="leads: the terms attached to their chapters (none here)",
    ),
    # Recognition (tests/recognition/ has the flows): the tenant has none here; staff read all.
    query(
        "recognitionTitles",
        "{ recognitionTitles(first: 5) { edges { node { name } } } }",
        allow=NO_CALLER,
        empty=may(A.RECOGNITION_READ),
        pick="recognitionTitles.edges",
    ),
    query(
        "awards",
        "{ awards(first: 5) { edges { node { startsOn title { name } } } } }",
        allow=NO_CALLER,
        empty=may(A.RECOGNITION_READ),
        pick="awards.edges",
    ),
    query(
        "certificates",
        "{ certificates(first: 5) { edges { node { publicId status } } } }",
        allow=NO_CALLER,
        empty=may(A.RECOGNITION_READ),
        pick="certificates.edges",
    ),
    query(
        "recognitionSettings",
        "{ recognitionSettings { signatories logoMediaType } }",
        allow=may(A.RECOGNITION_READ),
    ),
    # Incentives (tests/incentives/ has the flows): the tenant has no program nor reward here.
    query(
        "incentivePrograms",
        "{ incentivePrograms(first: 5) { edges { node { name budgets { amount } } } } }",
        allow=NO_CALLER,
        empty=may(A.INCENTIVE_PROGRAM_READ),
        pick="incentivePrograms.edges",
    ),
    query(
        "incentiveRewards",
        "{ incentiveRewards(first: 5) { edges { node { status amount person { email } } } } }",
        allow=NO_CALLER,
        empty=may(A.INCENTIVE_READ) | leading_a_chapter(A.INCENTIVE_READ),
        pick="incentiveRewards.edges",
        note="readers: every reward; leads and co-leads: their chapters' rewards",
    ),
    query(
        "incentiveReport",
        '{ incentiveReport(quarter: "2026-Q4", groupBy: PERSON) { groups { name } } }',
        allow=NO_CALLER,
        empty=may(A.INCENTIVE_READ),
        pick="incentiveReport.groups",
    ),
    query(
        "partnerAgreements",
        """{ partnerAgreements(first: 20) { edges { node { kind status notes
          organisation { name } relationship { kind } } } } }""",
        allow=NO_CALLER,
        empty=may(A.AGREEMENT_READ, partner_at=EVERYWHERE),
        pick="partnerAgreements.edges",
        note="the world holds no agreement; a partner's client: its organisation's only",
    ),
    query(
        "conferences",
        """{ conferences(first: 20) { edges { node { name notes acceptance { rate }
          submissions(first: 5) { edges { node { title } } } } } } }""",
        allow=NO_CALLER,
        empty=may(A.CONFERENCE_READ),
        pick="conferences.edges",
        note="the world holds no conference; partners see nothing of them",
    ),
    query(
        "talkSubmissions",
        "{ talkSubmissions(first: 20) { edges { node { title speakers { displayName } } } } }",
        allow=NO_CALLER,
        empty=may(A.CONFERENCE_READ),
        pick="talkSubmissions.edges",
        note="staff: every submission; a person: those they speak on",
    ),
    query(
        "upcomingCfpDeadlines",
        "{ upcomingCfpDeadlines(withinDays: 14, first: 20) { edges { node { name } } } }",
        allow=NO_CALLER,
        empty=may(A.CONFERENCE_MANAGE),
        pick="upcomingCfpDeadlines.edges",
    ),
    query(
        "talkAcceptanceByYear",
        "{ talkAcceptanceByYear { year accepted decided rate } }",
        allow=NO_CALLER,
        empty=may(A.TALK_DECIDE),
    ),
    query(
        "newsletterColumns",
        "{ newsletterColumns(first: 20) { edges { node { name schedule { number } } } } }",
        allow=NO_CALLER,
        empty=may(A.NEWSLETTER_READ_PUBLISHED),
        pick="newsletterColumns.edges",
        note="the world holds no column; partners see nothing of them",
    ),
    query(
        "newsletterIssues",
        "{ newsletterIssues(first: 20) { edges { node { title items { title } markdown } } } }",
        allow=NO_CALLER,
        empty=may(A.NEWSLETTER_READ_PUBLISHED),
        pick="newsletterIssues.edges",
        note="published issues for signed-in people, drafts too for editors and staff",
    ),
    query(
        "newsletterDraft",
        "query ($c: ID!) { newsletterDraft(columnId: $c) { periodStart } }",
        lambda o: {"c": to_base64("NewsletterColumn", str(uuid.uuid4()))},
        allow=NO_CALLER,
        note="the world holds no column: editors and staff get NOT_FOUND, others FORBIDDEN",
    ),
    query(
        "projectUpdates",
        "{ projectUpdates(first: 20) { edges { node { title enteredBy { displayName } } } } }",
        allow=NO_CALLER,
        empty=may(A.NEWSLETTER_EDIT),
        pick="projectUpdates.edges",
    ),
    query(
        "channels",
        "{ channels(includeRetired: true, first: 20) { edges { node { name kind url } } } }",
        allow=NO_CALLER,
        empty=may(A.CHANNEL_READ),
        pick="channels.edges",
        note="the world holds no channel; partners see nothing of them",
    ),
    query(
        "publications",
        """{ publications(first: 20) { edges { node { url channel { name }
          latestReading { reads } readings { reads } activity { title } } } } }""",
        allow=NO_CALLER,
        empty=may(A.CHANNEL_READ),
        pick="publications.edges",
    ),
    query(
        "channelReach",
        '{ channelReach(from: "2026-01", to: "2026-03") { month reads channel { name } } }',
        allow=NO_CALLER,
        empty=may(A.REACH_READ),
        note="staff, viewers, content editors and metrics clients",
    ),
    query(
        "authors",
        """{ authors(first: 20) { edges { node { name topics contact notes
          outreach { topic } articles { title } person { displayName } } } } }""",
        allow=NO_CALLER,
        empty=may(A.AUTHOR_READ) | leading_a_chapter(A.AUTHOR_READ),
        pick="authors.edges",
        note="the world's pool is empty; leads: their chapters' member authors; partners nothing",
    ),
    query(
        "likelyAuthors",
        """{ likelyAuthors(first: 20) { edges { node { activityCount
          person { displayName } latestActivity { title } } } } }""",
        allow=may(A.AUTHOR_READ) | leading_a_chapter(A.AUTHOR_READ),
        pick="likelyAuthors.edges",
        note="each place's member spoke at its accepted activities; leads: their members",
    ),
    query(
        "articles",
        """{ articles(first: 20) { edges { node { title body authors { name }
          history { actor { displayName } } reviewComments { body }
          reprintPermissions { contact } publications { url } } } } }""",
        allow=NO_CALLER,
        empty=may(A.ARTICLE_READ_PUBLISHED) | may(A.ARTICLE_READ, partner_at=EVERYWHERE),
        pick="articles.edges",
        note="the world holds no article; a partner's client: those its writers co-author",
    ),
    query(
        "articleTemplates",
        "{ articleTemplates(first: 20) { edges { node { name sections { key } } } } }",
        allow=NO_CALLER,
        empty=may(A.ARTICLE_PROPOSE),
        pick="articleTemplates.edges",
    ),
    query(
        "contentEditors",
        "{ contentEditors(first: 20) { edges { node { person { displayName } } } } }",
        allow=NO_CALLER,
        empty=may(A.ARTICLE_PROPOSE),
        pick="contentEditors.edges",
        note="the world appointed no editor; they are people: partners see none",
    ),
    query(
        "caseUsers",
        """{ caseUsers(first: 20) { edges { node { name story notes activities { title }
          permission { grantedByName grantedByContact { name email } } } } } }""",
        allow=NO_CALLER,
        empty=may(A.CASE_USER_READ_PUBLISHED, partner_at=EVERYWHERE),
        pick="caseUsers.edges",
        note="public (those who allow it); a partner's client: its organisation's story only",
    ),
]

# Acting as a higher-ranked person: editing, re-roling, linking a sign-in identity to or
# unlinking one from someone's account makes one able to act as them, so each needs a tenant
# role above theirs (owner > admin > ops > viewer > none), or the account to be one's own.
ACTING_ON_HIGHER_RANKS = [
    row
    for target in ("owner", "admin", "ops")
    for row in (
        mutation(
            "personUpdate",
            lambda o, t=target: {"id": getattr(o, t), "displayName": ""},
            "displayName REQUIRED",
            at=("tenant",),
            allow=account(A.PERSON_UPDATE, of=target),
            name=f"personUpdate(the {target})",
        ),
        mutation(
            "personUpdate",
            lambda o, t=target: {"id": getattr(o, t), "tenantRole": "VIEWER", "displayName": ""},
            "displayName REQUIRED",
            at=("tenant",),
            allow=account(A.PERSON_UPDATE, of=target) & account(A.PERSON_CHANGE_ROLE, of=target),
            name=f"personUpdate(tenantRole of the {target})",
        ),
        mutation(
            "personLinkIdentity",
            lambda o, t=target: {"personId": getattr(o, t), "issuer": "", "subject": "s-1"},
            "issuer REQUIRED",
            at=("tenant",),
            allow=account(A.PERSON_LINK_IDENTITY, of=target),
            name=f"personLinkIdentity(to the {target})",
            note="an admin may propose one for themself (they confirm it), never for the owner",
        ),
        mutation(
            "personUnlinkIdentity",
            lambda o, t=target: {
                "personId": getattr(o, t),
                "issuer": "https://nobody.example",
                "subject": "none",
            },
            "subject NOT_FOUND",
            at=("tenant",),
            allow=account(A.PERSON_LINK_IDENTITY, of=target),
            name=f"personUnlinkIdentity(of the {target})",
        ),
    )
]

MUTATION_ROWS = [
    mutation("tenantUpdate", lambda o: {"name": ""}, "name REQUIRED", allow=may(A.TENANT_UPDATE)),
    mutation(
        "chapterCreate",
        lambda o: {"name": "", "slug": "new"},
        "name REQUIRED",
        allow=may(A.CHAPTER_CREATE),
    ),
    mutation(
        "chapterUpdate",
        lambda o: {"id": o.chapter, "name": ""},
        "name REQUIRED",
        at=AB,
        allow=may(A.CHAPTER_UPDATE),
    ),
    mutation(
        "chapterChangeStatus",
        lambda o: {"id": o.chapter, "status": "ACTIVE", "reason": "same"},
        "status INVALID",  # it is active already
        at=AB,
        allow=may(A.CHAPTER_CHANGE_STATUS),
    ),
    mutation(
        "membershipInvite",
        lambda o: {"chapterId": o.chapter, "personId": o.spare, "role": "LEAD"},
        "role INVALID",
        at=AB,
        allow=may(A.MEMBERSHIP_INVITE),
    ),
    mutation(
        "membershipInviteByEmail",
        lambda o: {"chapterId": o.chapter, "email": "not an address"},
        "email INVALID",
        at=AB,
        allow=may(A.MEMBERSHIP_INVITE),
    ),
    mutation(
        "membershipAdd",
        lambda o: {"chapterId": o.chapter, "personId": o.spare, "role": "LEAD"},
        "role INVALID",
        at=AB,
        allow=may(A.MEMBERSHIP_INVITE),
    ),
    mutation(
        "membershipAccept",
        lambda o: {"membershipId": o.membership},
        "membershipId INVALID",  # already active
        at=AB,
        allow=may(A.MEMBERSHIP_ACCEPT, on="member"),
        note="one's own invitation only",
    ),
    mutation(
        "membershipRemove",
        lambda o: {"membershipId": o.membership, "reason": LONG_REASON},
        "reason TOO_LONG",
        at=AB,
        allow=callers(rights.removes_membership, on="member"),
        note="the member may leave",
    ),
    mutation(
        "membershipChangeRole",
        lambda o: {"membershipId": o.membership, "role": "LEAD"},
        "role INVALID",
        at=AB,
        allow=may(A.MEMBERSHIP_CHANGE_ROLE),
    ),
    mutation(
        "chapterAppointLead",
        lambda o: {"chapterId": o.chapter, "personId": o.member, "previousLeadBecomes": "LEAD"},
        "previousLeadBecomes INVALID",
        at=AB,
        allow=may(A.CHAPTER_APPOINT_LEAD),
        note="the lead, not co-leads",
    ),
    mutation(
        "committeeCreate",
        lambda o: {"name": "", "kind": "OTHER"},
        "name REQUIRED",
        allow=may(A.COMMITTEE_MANAGE),
    ),
    mutation(
        "committeeUpdate",
        lambda o: {"id": o.committee, "name": ""},
        "name REQUIRED",
        at=("tenant",),
        allow=may(A.COMMITTEE_MANAGE),
    ),
    mutation(
        "committeeSeatAdd",
        lambda o: {"committeeId": o.committee, "personId": o.spare, **AFTER_ITS_START},
        "endsOn INVALID",
        at=("tenant",),
        allow=may(A.COMMITTEE_MANAGE),
    ),
    mutation(
        "committeeSeatEnd",
        lambda o: {"seatId": o.seat, "endsOn": "1999-01-01"},
        "endsOn INVALID",
        at=("tenant",),
        allow=may(A.COMMITTEE_MANAGE),
    ),
    mutation(
        "committeeSeatChangeRole",
        lambda o: {"seatId": o.seat, "role": "MEMBER"},
        "role INVALID",
        at=("tenant",),
        allow=may(A.COMMITTEE_MANAGE),
    ),
    mutation(
        "personCreate",
        lambda o: {"displayName": "", "email": "new.person@example.org"},
        "displayName REQUIRED",
        allow=may(A.PERSON_CREATE),
    ),
    mutation(
        "personUpdate",
        lambda o: {"id": o.member, "displayName": ""},
        "displayName REQUIRED",
        at=AB,
        allow=account(A.PERSON_UPDATE, of="member"),
        note="staff, and the person themself",
    ),
    mutation(
        "personLinkIdentity",
        lambda o: {"personId": o.member, "issuer": "", "subject": "s-1"},
        "issuer REQUIRED",
        at=AB,
        allow=account(A.PERSON_LINK_IDENTITY, of="member"),
    ),
    *ACTING_ON_HIGHER_RANKS,
    mutation(
        "personUnlinkIdentity",
        lambda o: {"personId": o.member, "issuer": "https://nobody.example", "subject": "none"},
        "subject NOT_FOUND",  # no such identity
        at=AB,
        allow=account(A.PERSON_LINK_IDENTITY, of="member"),
    ),
    mutation(
        "personIdentityLinkConfirm",
        lambda o: {"id": to_base64("PendingIdentityLink", str(uuid.uuid4()))},
        "id NOT_FOUND",  # one's own proposals only; none here
        allow=may(A.PERSON_CONFIRM_IDENTITY_LINK, on="own"),
    ),
    mutation(
        "personIdentityLinkDecline",
        lambda o: {"id": to_base64("PendingIdentityLink", str(uuid.uuid4()))},
        "id NOT_FOUND",
        allow=may(A.PERSON_CONFIRM_IDENTITY_LINK, on="own"),
    ),
    mutation(
        "personRequestEmailChange",
        lambda o: {"email": "not an address"},
        "email INVALID",
        allow=account(A.PERSON_UPDATE, of="own"),
        note="one's own email; answers the same whether or not the address is taken",
    ),
    mutation(
        "personConfirmEmailChange",
        lambda o: {"token": "made-up"},
        "token INVALID",
        allow=account(A.PERSON_UPDATE, of="own"),
    ),
    mutation(
        "organisationCreate",
        lambda o: {"name": "", "kind": "COMPANY"},
        "name REQUIRED",
        allow=may(A.ORGANISATION_MANAGE),
    ),
    mutation(
        "organisationUpdate",
        lambda o: {"id": o.org, "name": ""},
        "name REQUIRED",
        at=("tenant",),
        allow=may(A.ORGANISATION_MANAGE),
    ),
    mutation(
        "organisationRelationshipAdd",
        lambda o: {"organisationId": o.org, "kind": "SPONSOR", **AFTER_ITS_START},
        "endsOn INVALID",
        at=("tenant",),
        allow=may(A.ORGANISATION_MANAGE),
    ),
    mutation(
        "organisationRelationshipUpdate",
        lambda o: {"id": o.relationship, **AFTER_ITS_START},
        "endsOn INVALID",
        at=("tenant",),
        allow=may(A.ORGANISATION_MANAGE),
    ),
    mutation(
        "organisationContactAdd",
        lambda o: {"organisationId": o.org, "name": ""},
        "name REQUIRED",
        at=("tenant",),
        allow=may(A.ORGANISATION_MANAGE),
    ),
    mutation(
        "organisationContactUpdate",
        lambda o: {"id": o.contact, "name": ""},
        "name REQUIRED",
        at=("tenant",),
        allow=may(A.ORGANISATION_MANAGE),
    ),
    mutation(
        "organisationContactRemove",
        lambda o: {"contactId": o.contact},
        "",  # removed: each cell gets a contact of its own
        at=("tenant",),
        fresh_contact=True,
        allow=may(A.ORGANISATION_MANAGE),
    ),
    mutation(
        "chapterOrganisationLink",
        lambda o: {"chapterId": o.chapter, "organisationId": o.org},
        "organisationId CONFLICT",  # linked already
        at=AB,
        allow=may(A.ORGANISATION_LINK_CHAPTER),
    ),
    mutation(
        "chapterOrganisationUnlink",
        lambda o: {"chapterId": o.chapter, "organisationId": o.lone_org},
        "organisationId NOT_FOUND",  # not linked
        at=AB,
        allow=may(A.ORGANISATION_LINK_CHAPTER),
    ),
    mutation(
        "mentoringProgramCreate",
        lambda o: {"name": "", "year": 2026},
        "name REQUIRED",
        allow=may(A.PROGRAM_MANAGE),
    ),
    mutation(
        "mentoringProgramUpdate",
        lambda o: {"id": o.program, "name": ""},
        "name REQUIRED",
        at=("tenant",),
        allow=may(A.PROGRAM_MANAGE),
    ),
    mutation(
        "mentoringProjectCreate",
        lambda o: {
            "programId": o.program,
            "chapterId": o.chapter,
            "title": "New project",
            "mentorIds": [o.member],
            "menteeIds": [o.member],
        },
        "menteeIds INVALID",  # checked after the program and the chapter are found
        at=AB,
        allow=may(A.PROJECT_MANAGE),
    ),
    mutation(
        "mentoringProjectUpdate",
        lambda o: {"id": o.project, "title": ""},
        "title REQUIRED",
        at=AB,
        allow=may(A.PROJECT_MANAGE),
    ),
    mutation(
        "mentoringProjectSetStatus",
        lambda o: {"id": o.project, "status": "IN_PROGRESS"},
        "status INVALID",  # it is proposed
        at=AB,
        allow=may(A.PROJECT_MANAGE),
    ),
    mutation(
        "mentoringProjectSetMembers",
        lambda o: {"id": o.project, "mentorIds": [o.member], "menteeIds": [o.member]},
        "menteeIds INVALID",
        at=AB,
        allow=may(A.PROJECT_MANAGE),
    ),
    mutation(
        "activityCreate",
        lambda o: {
            "chapterId": o.chapter,
            "kind": "TALK",
            "title": "",
            "startsAt": "2030-01-01T10:00:00Z",
        },
        "title REQUIRED",
        at=AB,
        allow=may(A.ACTIVITY_CREATE),
    ),
    mutation(
        "activityUpdate",
        lambda o: {"id": o.draft, "title": ""},
        "title REQUIRED",
        at=AB,
        allow=may(A.ACTIVITY_EDIT),
    ),
    mutation(
        "activitySubmit",
        lambda o: {"id": o.accepted},
        "id CONFLICT",  # accepted already
        at=AB,
        allow=may(A.ACTIVITY_SUBMIT),
        note="the `comment` checks come after the policy: test_policy_before_validation",
    ),
    mutation(
        "activityReview",
        lambda o: {"id": o.accepted, "decision": "ACCEPT"},
        "id CONFLICT",
        at=AB,
        allow=may(A.ACTIVITY_REVIEW),
        note="the `comment` checks come after the policy: test_policy_before_validation",
    ),
    mutation(
        "activityCancel",
        lambda o: {"id": o.past, "reason": "Rain"},
        "id CONFLICT",  # it took place
        at=AB,
        allow=may(A.ACTIVITY_CANCEL),
        note="the `reason` checks come after the policy: test_policy_before_validation",
    ),
    mutation(
        "activityComment",
        lambda o: {"activityId": o.draft, "body": ""},
        "body REQUIRED",
        at=AB,
        allow=may(A.ACTIVITY_COMMENT),
    ),
    mutation(
        "activityPublishRecap",
        lambda o: {"id": o.draft, "summary": "Went well"},
        "id CONFLICT",  # a draft has no recap
        at=AB,
        allow=may(A.ACTIVITY_RECAP),
    ),
    mutation(
        "activityAddParticipant",
        lambda o: {"activityId": o.draft, "role": "SPEAKER"},
        "personId INVALID",  # neither a person nor a name
        at=AB,
        allow=may(A.ACTIVITY_EDIT),
    ),
    mutation(
        "activityRemoveParticipant",
        lambda o: {"participantId": o.participant},
        "participantId CONFLICT",  # under review
        at=AB,
        allow=may(A.ACTIVITY_EDIT),
    ),
    mutation(
        "activityRecapLinkRemove",
        lambda o: {"id": o.draft, "url": "https://video.example/1"},
        "id CONFLICT",  # a draft has no recap
        at=AB,
        allow=may(A.ACTIVITY_RECAP),  # whoever publishes the recap
    ),
    mutation(
        "activityReopen",
        lambda o: {"id": o.draft, "reason": "Wrong venue"},
        "id CONFLICT",  # only accepted activities are reopened
        at=AB,
        allow=may(A.ACTIVITY_REOPEN),
        note="the `reason` checks come after the policy: test_policy_before_validation",
    ),
    mutation(
        "activityReschedule",
        lambda o: {
            "id": o.accepted,
            "startsAt": "2031-01-02T10:00:00Z",
            "endsAt": "2031-01-02T09:00:00Z",
            "reason": "Rain",
        },
        "endsAt INVALID",
        at=AB,
        allow=may(A.ACTIVITY_RESCHEDULE),
        note="the `reason` checks come after the policy: test_policy_before_validation",
    ),
    mutation(
        "membershipInvite",
        lambda o, home: {"chapterId": home.chapter, "personId": o.member},
        "personId CONFLICT",  # member_a is a member already
        at=("A",),
        mixed=True,
        name="membershipInvite(person elsewhere)",
        allow=may(A.MEMBERSHIP_INVITE),
    ),
    mutation(
        "committeeSeatAdd",
        lambda o, home: {"committeeId": home.committee, "personId": o.member},
        "personId CONFLICT",  # member_a holds a seat already
        at=("A",),
        mixed=True,
        name="committeeSeatAdd(person elsewhere)",
        allow=may(A.COMMITTEE_MANAGE),
    ),
    mutation(
        "chapterOrganisationLink",
        lambda o, home: {"chapterId": home.chapter, "organisationId": o.org},
        "organisationId CONFLICT",
        at=("A",),
        mixed=True,
        name="chapterOrganisationLink(organisation elsewhere)",
        allow=may(A.ORGANISATION_LINK_CHAPTER),
    ),
    mutation(
        "mentoringProjectSetMembers",
        lambda o, home: {"id": home.project, "mentorIds": [o.member], "menteeIds": [NOBODY]},
        "menteeIds NOT_FOUND",
        at=("A",),
        mixed=True,
        name="mentoringProjectSetMembers(people elsewhere)",
        allow=may(A.PROJECT_MANAGE),
    ),
    mutation(
        "activityUpdate",
        lambda o, home: {
            "id": home.draft,
            "organisations": [{"organisationId": o.org, "role": "SPONSOR"}],
            "participants": [
                {"role": "SPEAKER", "personId": o.member},
                {"role": "HOST", "personId": NOBODY},
            ],
        },
        "participants.1.personId NOT_FOUND",
        at=("A",),
        mixed=True,
        name="activityUpdate(references elsewhere)",
        allow=may(A.ACTIVITY_EDIT),
    ),
    mutation(
        "apiClientCreate",
        lambda o: {"name": "", "kind": "SERVICE", "scopes": []},
        "name REQUIRED",
        allow=may(A.ACCESS_MANAGE),
    ),
    mutation_with(
        "apiClientRotateSecret",
        "mutation ($id: ID!) { apiClientRotateSecret(id: $id) { errors { field code } } }",
        lambda o: {"id": o.client},
        "id INVALID",  # revoked
        at=("tenant",),
        allow=may(A.ACCESS_MANAGE),
    ),
    mutation_with(
        "apiClientRevoke",
        "mutation ($id: ID!) { apiClientRevoke(id: $id) { errors { field code } } }",
        lambda o: {"id": o.client},
        "",  # revoked already: nothing changes
        at=("tenant",),
        allow=may(A.ACCESS_MANAGE),
    ),
    mutation(
        "identityProviderAdd",
        lambda o: {"issuer": "not a url", "audience": "chapters"},
        "issuer INVALID",
        allow=may(A.ACCESS_MANAGE),
    ),
    mutation_with(
        "identityProviderSetEnabled",
        "mutation ($id: ID!) { identityProviderSetEnabled(id: $id, enabled: true) {"
        " errors { field code } } }",
        lambda o: {"id": o.provider},
        "",  # enabled already: nothing changes
        at=("tenant",),
        allow=may(A.ACCESS_MANAGE),
    ),
    mutation(
        "contributionsImport",
        lambda o: {
            "events": [
                {
                    "handle": "octocat",
                    "repository": "octo-org/hello",
                    "kind": "PULL_REQUEST",
                    "url": "ftp://not-a-web-address",
                    "occurredAt": "2026-03-14T11:00:00Z",
                }
            ]
        },
        "events.0.url INVALID",
        allow=may(A.CONTRIBUTION_IMPORT),
    ),
    # Registrations (tests/registrations/ has the flows): an ended activity takes none.
    mutation(
        "activityRegister",
        lambda o: {"activityId": o.past},
        "activityId CONFLICT",
        at=AB,
        allow=may(A.REGISTRATION_REGISTER),
    ),
    mutation(
        "activityRegisterPublic",
        lambda o: {"activityId": o.accepted, "name": " ", "email": "someone@x.example"},
        "name REQUIRED",
        at=AB,
        allow=may(A.ACTIVITY_READ_ACCEPTED),
        note="whoever sees the activity: its chapter's publicRegistration decides, after the "
        "input is checked (a partner's client sees only its organisation's activities)",
    ),
    mutation(
        "registrationConfirm",
        lambda o: {"token": "not-a-token"},
        "token INVALID",
        allow=holding(W.ANYONE),
        note="the link's token is the whole authorization",
    ),
    mutation(
        "registrationCancelByLink",
        lambda o: {"token": "not-a-token"},
        "token INVALID",
        allow=holding(W.ANYONE),
    ),
    mutation(
        "registrationCancel",
        lambda o: {"registrationId": to_base64("Registration", str(uuid.UUID(int=2)))},
        "",
        allow=NO_CALLER,
        note="someone else's registration, or a missing one: NOT_FOUND for everyone",
    ),
    mutation(
        "registrationCheckIn",
        lambda o: {"activityId": o.accepted, "code": "ZZZZZZ"},
        "code NOT_FOUND",
        at=AB,
        allow=may(A.REGISTRATION_CHECK_IN),
    ),
    mutation(
        "registrationErase",
        lambda o: {"registrationId": to_base64("Registration", str(uuid.UUID(int=2)))},
        "",
        allow=NO_CALLER,
        note="a registration the caller may not read (here: none) is NOT_FOUND",
    ),
    mutation(
        "activityRegistrationSettings",
        lambda o: {"activityId": o.accepted, "capacity": 0},
        "capacity INVALID",
        at=AB,
        allow=may(A.ACTIVITY_EDIT),
    ),
    mutation(
        "chapterPublicRegistration",
        lambda o: {"chapterId": o.chapter, "allowed": False},
        "",  # off already: nothing changes
        at=AB,
        allow=may(A.CHAPTER_UPDATE),
    ),
    # Webhooks: the policy first, then the input (a missing endpoint or delivery).
    mutation(
        "webhookEndpointCreate",
        lambda o: {"url": "", "eventTypes": None},
        "url REQUIRED",
        allow=may(A.WEBHOOK_MANAGE),
    ),
    mutation(
        "webhookEndpointUpdate",
        lambda o: {"id": to_base64("WebhookEndpoint", str(uuid.UUID(int=3))), "enabled": True},
        "id NOT_FOUND",
        allow=may(A.WEBHOOK_MANAGE),
    ),
    mutation_with(
        "webhookEndpointDelete",
        "mutation ($id: ID!) { webhookEndpointDelete(id: $id) { errors { field code } } }",
        lambda o: {"id": to_base64("WebhookEndpoint", str(uuid.UUID(int=3)))},
        "id NOT_FOUND",
        allow=may(A.WEBHOOK_MANAGE),
    ),
    mutation_with(
        "webhookEndpointRotateSecret",
        "mutation ($id: ID!) { webhookEndpointRotateSecret(id: $id) { errors { field code } } }",
        lambda o: {"id": to_base64("WebhookEndpoint", str(uuid.UUID(int=3)))},
        "id NOT_FOUND",
        allow=may(A.WEBHOOK_MANAGE),
    ),
    mutation_with(
        "webhookDeliveryRetry",
        "mutation ($id: ID!) { webhookDeliveryRetry(id: $id) { errors { field code } } }",
        lambda o: {"id": to_base64("WebhookDelivery", str(uuid.UUID(int=3)))},
        "id NOT_FOUND",
        allow=may(A.WEBHOOK_MANAGE),
    ),
    # One's own private calendar feed (tests/feeds/ has the flows): no input, so the allowed
    # callers create (replace) and revoke their own, without errors.
    mutation_with(
        "calendarFeedCreate",
        "mutation { calendarFeedCreate { errors { field code } } }",
        lambda o: {},
        "",
        allow=may(A.FEED_MANAGE_OWN, on="own"),
        note="people only, for themselves; API clients have no calendar",
    ),
    mutation_with(
        "calendarFeedRevoke",
        "mutation { calendarFeedRevoke { errors { field code } } }",
        lambda o: {},
        "",
        allow=may(A.FEED_MANAGE_OWN, on="own"),
    ),
    # One's own notifications (tests/notifications/ has the flows).
    mutation(
        "notificationsMarkRead",
        lambda o: {"ids": ["not an id"]},
        "ids.0 INVALID",
        allow=may(A.NOTIFICATION_MANAGE_OWN, on="own"),
        note="people only, on their own; API clients have none",
    ),
    mutation(
        "notificationPreferencesUpdate",
        lambda o: {"locale": "fr"},
        "locale INVALID",
        allow=may(A.NOTIFICATION_MANAGE_OWN, on="own"),
    ),
    mutation(
        "jobRetry",
        lambda o: {"id": "not an id"},
        "id INVALID",
        allow=may(A.JOB_MANAGE),
    ),
    # Ambassadors: the policy first, then the input (a missing program, nomination or term).
    mutation(
        "ambassadorProgramCreate",
        lambda o: {"name": " ", "termMonths": 12},
        "name REQUIRED",
        allow=may(A.AMBASSADOR_PROGRAM_MANAGE),
    ),
    mutation(
        "ambassadorProgramUpdate",
        lambda o: {"id": to_base64("AmbassadorProgram", str(uuid.UUID(int=6))), "active": False},
        "id NOT_FOUND",
        allow=may(A.AMBASSADOR_PROGRAM_MANAGE),
    ),
    mutation(
        "ambassadorNominate",
        lambda o: {
            "programId": to_base64("AmbassadorProgram", str(uuid.UUID(int=6))),
            "personId": NOBODY,
            "statement": "",
        },
        "statement REQUIRED",
        allow=may(A.AMBASSADOR_NOMINATE, on="own"),
        note="anyone signed in may nominate at least themself; the nominee decides the rest",
    ),
    mutation(
        "ambassadorNominationAccept",
        lambda o: {
            "id": to_base64("AmbassadorNomination", str(uuid.UUID(int=7))),
            "startsOn": "2026-01-01",
        },
        "id NOT_FOUND",
        allow=may(A.AMBASSADOR_REVIEW),
    ),
    mutation(
        "ambassadorNominationDecline",
        lambda o: {
            "id": to_base64("AmbassadorNomination", str(uuid.UUID(int=7))),
            "reason": "Not yet",
        },
        "id NOT_FOUND",
        allow=may(A.AMBASSADOR_REVIEW),
    ),
    mutation(
        "ambassadorTermRenew",
        lambda o: {"id": to_base64("AmbassadorTerm", str(uuid.UUID(int=8)))},
        "id NOT_FOUND",
        allow=may(A.AMBASSADOR_REVIEW),
    ),
    # Recognition: the policy first, then the input (a missing title, award or certificate).
    mutation(
        "recognitionTitleCreate",
        lambda o: {"name": ""},
        "name REQUIRED",
        allow=may(A.RECOGNITION_MANAGE),
    ),
    mutation(
        "recognitionTitleUpdate",
        lambda o: {"id": NO_TITLE, "name": "Contributor of the Month"},
        "id NOT_FOUND",
        allow=may(A.RECOGNITION_MANAGE),
    ),
    mutation_with(
        "recognitionTitleDelete",
        "mutation ($id: ID!) { recognitionTitleDelete(id: $id) { errors { field code } } }",
        lambda o: {"id": NO_TITLE},
        "id NOT_FOUND",
        allow=may(A.RECOGNITION_MANAGE),
    ),
    mutation(
        "awardGrant",
        lambda o: {
            "titleId": NO_TITLE,
            "personId": NOBODY,
            "startsOn": "2026-03-01",
            "endsOn": "2026-03-31",
        },
        "titleId NOT_FOUND",
        allow=may(A.RECOGNITION_MANAGE),
    ),
    mutation("certificateIssue", lambda o: {}, "awardId REQUIRED", allow=may(A.CERTIFICATE_ISSUE)),
    mutation(
        "certificateRevoke",
        lambda o: {"id": NO_CERTIFICATE, "reason": "Issued in error"},
        "id NOT_FOUND",
        allow=may(A.CERTIFICATE_ISSUE),
    ),
    mutation_with(
        "certificateReissue",
        "mutation ($id: ID!) { certificateReissue(id: $id) { errors { field code } } }",
        lambda o: {"id": NO_CERTIFICATE},
        "id NOT_FOUND",
        allow=may(A.CERTIFICATE_ISSUE),
    ),
    mutation(
        "recognitionSettingsUpdate",
        lambda o: {"signatories": [""]},
        "signatories.0 REQUIRED",
        allow=may(A.RECOGNITION_MANAGE),
    ),
    # Incentives: the policy first, then the input (a missing program or reward).
    mutation(
        "incentiveProgramCreate",
        lambda o: {"name": "", "defaultCurrency": "EUR"},
        "name REQUIRED",
        allow=may(A.INCENTIVE_PROGRAM_MANAGE),
    ),
    mutation(
        "incentiveBudgetSet",
        lambda o: {"incentiveProgramId": NO_PROGRAM, "quarter": "2026-Q5", "amount": "1"},
        "quarter INVALID",
        allow=may(A.INCENTIVE_PROGRAM_MANAGE),
    ),
    mutation(
        "incentiveRewardPropose",
        lambda o: {
            "incentiveProgramId": NO_PROGRAM,
            "personId": o.member,
            "contributionId": o.accepted,
            "kind": "FEE",
            "description": "Speaker fee",
            "amount": "0",
        },
        "amount INVALID",
        at=AB,
        allow=may(A.INCENTIVE_PROPOSE),
    ),
    mutation(
        "incentiveRewardPropose",
        lambda o: {
            "incentiveProgramId": NO_PROGRAM,
            "personId": o.member,
            "contributionId": o.project,
            "kind": "SWAG",
            "description": "",
        },
        "description REQUIRED",
        at=AB,
        allow=may(A.INCENTIVE_PROPOSE),
        name="incentiveRewardPropose(mentoring project)",
    ),
    *(
        mutation(
            field,
            lambda o, extra=extra: {"id": NO_REWARD, **extra},
            "id NOT_FOUND",
            allow=may(A.INCENTIVE_DECIDE),
        )
        for field, extra in (
            ("incentiveRewardApprove", {}),
            ("incentiveRewardMarkSent", {}),
            ("incentiveRewardMarkPaid", {}),
            ("incentiveRewardCancel", {"reason": "Out of stock"}),
        )
    ),
    mutation(
        "partnerAgreementAdd",
        lambda o: {"relationshipId": o.relationship, "kind": "MOU", **AFTER_ITS_START},
        "endsOn INVALID",
        at=("tenant",),
        allow=may(A.AGREEMENT_MANAGE),
    ),
    mutation(
        "partnerAgreementUpdate",
        lambda o: {"id": to_base64("PartnerAgreement", str(uuid.uuid4()))},
        "id NOT_FOUND",
        allow=may(A.AGREEMENT_MANAGE),
    ),
    mutation(
        "caseUserAdd",
        lambda o: {"organisationId": o.org, "logoUrl": "logo"},
        "logoUrl INVALID",
        at=("tenant",),
        allow=may(A.CASE_USER_MANAGE),
    ),
    mutation(
        "caseUserUpdate",
        lambda o: {"id": to_base64("CaseUser", str(uuid.uuid4()))},
        "id NOT_FOUND",
        allow=may(A.CASE_USER_MANAGE),
    ),
    *(
        mutation(
            field,
            lambda o: {"caseUserId": to_base64("CaseUser", str(uuid.uuid4()))},
            "caseUserId NOT_FOUND",
            allow=may(A.CASE_USER_MANAGE),
        )
        for field in ("caseUserGrantPermission", "caseUserWithdrawPermission")
    ),
    mutation(
        "conferenceCreate",
        lambda o: {"name": "Summit", "startsOn": "2026-02-01", "endsOn": "2026-01-01"},
        "endsOn INVALID",
        allow=may(A.CONFERENCE_MANAGE),
    ),
    mutation(
        "conferenceUpdate",
        lambda o: {"id": to_base64("Conference", str(uuid.uuid4()))},
        "id NOT_FOUND",
        allow=may(A.CONFERENCE_MANAGE),
    ),
    mutation(
        "talkSubmissionCreate",
        lambda o: {"conferenceId": to_base64("Conference", str(uuid.uuid4()))},
        "conferenceId NOT_FOUND",
        allow=may(A.TALK_SUBMIT, on="own"),
        note="a person drafts their own talk; staff anyone's",
    ),
    *(
        mutation(
            field,
            lambda o: {"id": to_base64("TalkSubmission", str(uuid.uuid4()))},
            "id NOT_FOUND",
            allow=may(A.TALK_SUBMIT, on="own"),
        )
        for field in ("talkSubmissionUpdate", "talkSubmissionSubmit", "talkSubmissionWithdraw")
    ),
    *(
        mutation(
            field,
            lambda o: {"id": to_base64("TalkSubmission", str(uuid.uuid4()))},
            "id NOT_FOUND",
            allow=may(A.TALK_DECIDE),
        )
        for field in ("talkSubmissionAccept", "talkSubmissionReject")
    ),
    mutation(
        "newsletterColumnCreate",
        lambda o: {
            "name": "Weekly",
            "cadence": "WEEKLY",
            "firstIssueOn": "2026-01-06",
            "templateEn": "{{",
        },
        "templateEn INVALID",
        allow=may(A.NEWSLETTER_EDIT),
    ),
    mutation(
        "projectUpdateCreate",
        lambda o: {"title": " ", "happenedOn": "2026-01-06"},
        "title REQUIRED",
        allow=may(A.NEWSLETTER_EDIT),
    ),
    *(
        mutation(
            field,
            lambda o, type_name=type_name: {"id": to_base64(type_name, str(uuid.uuid4()))},
            "id NOT_FOUND",
            allow=may(A.NEWSLETTER_EDIT),
        )
        for field, type_name in (
            ("newsletterColumnUpdate", "NewsletterColumn"),
            ("projectUpdateUpdate", "ProjectUpdate"),
            ("projectUpdateRemove", "ProjectUpdate"),
            ("newsletterIssueUpdate", "NewsletterIssue"),
            ("newsletterItemUpdate", "NewsletterItem"),
            ("newsletterItemRemove", "NewsletterItem"),
        )
    ),
    mutation(
        "newsletterIssueCreate",
        lambda o: {"columnId": to_base64("NewsletterColumn", str(uuid.uuid4()))},
        "columnId NOT_FOUND",
        allow=may(A.NEWSLETTER_EDIT),
    ),
    mutation(
        "newsletterItemAdd",
        lambda o: {
            "issueId": to_base64("NewsletterIssue", str(uuid.uuid4())),
            "section": "RECAPS",
            "title": "Recap",
        },
        "issueId NOT_FOUND",
        allow=may(A.NEWSLETTER_EDIT),
    ),
    mutation(
        "newsletterItemMove",
        lambda o: {"id": to_base64("NewsletterItem", str(uuid.uuid4())), "position": 0},
        "id NOT_FOUND",
        allow=may(A.NEWSLETTER_EDIT),
    ),
    mutation(
        "newsletterIssuePublish",
        lambda o: {"id": to_base64("NewsletterIssue", str(uuid.uuid4())), "publications": []},
        "id NOT_FOUND",
        allow=may(A.NEWSLETTER_PUBLISH),
    ),
    mutation(
        "channelCreate",
        lambda o: {"name": "Blog", "kind": "WEBSITE", "url": "ftp://x"},
        "url INVALID",
        allow=may(A.CHANNEL_MANAGE),
    ),
    *(
        mutation(
            field,
            lambda o: {"id": to_base64("Channel", str(uuid.uuid4()))},
            "id NOT_FOUND",
            allow=may(A.CHANNEL_MANAGE),
        )
        for field in ("channelUpdate", "channelRetire", "channelUnretire")
    ),
    mutation(
        "activityRecordingPublish",
        lambda o: {
            "activityId": o.accepted,
            "publications": [
                {"channelId": to_base64("Channel", str(uuid.uuid4())), "publishedOn": "2026-01-01"}
            ],
        },
        "activityId CONFLICT",
        at=AB,
        allow=may(A.REACH_RECORD),
        note="the accepted activity starts in ten days: no recording yet",
    ),
    mutation(
        "publicationRemove",
        lambda o: {"id": to_base64("Publication", str(uuid.uuid4()))},
        "id NOT_FOUND",
        allow=may(A.REACH_RECORD),
    ),
    mutation(
        "reachRecord",
        lambda o: {
            "publicationId": to_base64("Publication", str(uuid.uuid4())),
            "readOn": "2026-01-01",
            "reads": 1,
        },
        "publicationId NOT_FOUND",
        allow=may(A.REACH_RECORD),
    ),
    mutation(
        "authorCreate",
        lambda o: {"name": "A writer", "origin": "FOUND", "sourceUrl": "ftp://x"},
        "sourceUrl INVALID",
        allow=may(A.AUTHOR_MANAGE),
    ),
    mutation(
        "authorUpdate",
        lambda o: {"id": to_base64("Author", str(uuid.uuid4()))},
        "id NOT_FOUND",
        allow=may(A.AUTHOR_MANAGE),
    ),
    mutation(
        "authorOutreachLog",
        lambda o: {
            "authorId": to_base64("Author", str(uuid.uuid4())),
            "contactedOn": "2026-01-05",
        },
        "authorId NOT_FOUND",
        allow=may(A.AUTHOR_MANAGE),
    ),
    mutation(
        "authorOutreachAnswer",
        lambda o: {"id": to_base64("AuthorOutreach", str(uuid.uuid4())), "answer": "ACCEPTED"},
        "id NOT_FOUND",
        allow=may(A.AUTHOR_MANAGE),
    ),
    mutation(
        "articleCreate",
        lambda o: {"title": " "},
        "title REQUIRED, kind REQUIRED",
        allow=may(A.ARTICLE_PROPOSE),
    ),
    *(
        mutation(
            field,
            lambda o, extra=extra: {"id": to_base64("Article", str(uuid.uuid4())), **extra},
            "id NOT_FOUND",
            allow=allow,
            note=note,
        )
        for field, extra, allow, note in (
            ("articleUpdate", {}, as_author(A.ARTICLE_EDIT), "its authors, or editors"),
            ("articleStart", {}, as_author(A.ARTICLE_EDIT), "its authors, or editors"),
            ("articleSubmit", {}, as_author(A.ARTICLE_SUBMIT), "its authors, or editors"),
            ("articleWithdraw", {}, as_author(A.ARTICLE_SUBMIT), "its authors, or editors"),
            ("articleInvite", {}, may(A.ARTICLE_REVIEW), ""),
            ("articleStartReview", {}, may(A.ARTICLE_REVIEW), ""),
            ("articleRequestChanges", {"comment": "More"}, may(A.ARTICLE_REVIEW), ""),
            (
                "articleSchedule",
                {"scheduledFor": "2031-01-01T10:00:00Z"},
                may(A.ARTICLE_REVIEW),
                "",
            ),
            ("articleDecline", {}, may(A.ARTICLE_REVIEW), ""),
            ("articlePublish", {"publications": []}, may(A.ARTICLE_PUBLISH), ""),
        )
    ),
    mutation(
        "articleTemplateCreate",
        lambda o: {"name": "Guide", "sections": []},
        "sections REQUIRED",
        allow=may(A.ARTICLE_TEMPLATE_MANAGE),
    ),
    mutation(
        "articleTemplateUpdate",
        lambda o: {"id": to_base64("ArticleTemplate", str(uuid.uuid4()))},
        "id NOT_FOUND",
        allow=may(A.ARTICLE_TEMPLATE_MANAGE),
    ),
    mutation(
        "articleReviewCommentAdd",
        lambda o: {"articleId": to_base64("Article", str(uuid.uuid4())), "body": "Shorter"},
        "articleId NOT_FOUND",
        allow=may(A.ARTICLE_REVIEW),
    ),
    mutation(
        "articleReviewCommentResolve",
        lambda o: {"id": to_base64("ArticleReviewComment", str(uuid.uuid4()))},
        "id NOT_FOUND",
        allow=as_author(A.ARTICLE_EDIT),
        note="the article's authors, or editors",
    ),
    mutation(
        "reprintPermissionRequest",
        lambda o: {"articleId": to_base64("Article", str(uuid.uuid4())), "contact": "a@b.c"},
        "articleId NOT_FOUND",
        allow=may(A.REPRINT_MANAGE),
    ),
    mutation(
        "reprintPermissionAnswer",
        lambda o: {"id": to_base64("ReprintPermission", str(uuid.uuid4())), "status": "GRANTED"},
        "id NOT_FOUND",
        allow=may(A.REPRINT_MANAGE),
    ),
    *(
        mutation(
            field,
            lambda o: {"personId": NOBODY},
            "personId NOT_FOUND",
            allow=may(A.EDITOR_APPOINT),
        )
        for field in ("contentEditorAppoint", "contentEditorRemove")
    ),
]

ROWS = QUERY_ROWS + MUTATION_ROWS

# Input that fails validation in a way a refused caller must never be told about: the policy
# comes first, so each answers FORBIDDEN (or NOT_FOUND) to every caller it does not allow (the
# same callers as its row above). A regression guard for the order of checks.
VALIDATED_BEFORE_POLICY = [
    mutation(
        "activitySubmit",
        lambda o: {"id": o.draft, "comment": "x" * 10001},
        "comment TOO_LONG",
        allow=may(A.ACTIVITY_SUBMIT),
        name="activitySubmit(comment: too long)",
    ),
    mutation(
        "activityReview",
        lambda o: {"id": o.submitted, "decision": "REQUEST_CHANGES"},
        "comment REQUIRED",
        allow=may(A.ACTIVITY_REVIEW),
        name="activityReview(REQUEST_CHANGES, no comment)",
    ),
    mutation(
        "activityCancel",
        lambda o: {"id": o.draft, "reason": ""},
        "reason REQUIRED",
        allow=may(A.ACTIVITY_CANCEL),
        name="activityCancel(reason: empty)",
    ),
    mutation(
        "activityReopen",
        lambda o: {"id": o.accepted, "reason": ""},
        "reason REQUIRED",
        allow=may(A.ACTIVITY_REOPEN),
        name="activityReopen(reason: empty)",
    ),
    mutation(
        "activityReschedule",
        lambda o: {"id": o.accepted, "startsAt": "2031-01-02T10:00:00Z", "reason": ""},
        "reason REQUIRED",
        allow=may(A.ACTIVITY_RESCHEDULE),
        name="activityReschedule(reason: empty)",
    ),
]
