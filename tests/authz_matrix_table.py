"""The authorization matrix, as a table: for every root field of the schema (``Query`` and
``Mutation``), the operation that exercises it and what each kind of caller gets back, at each
place the object it names may live. ``tests/test_authz_matrix.py`` runs every cell.

It is written out by hand from the documented rules, independently of ``chapters.authz``.

Callers (``ACTORS``)
    anonymous; people of the tenant: ``member_a``, ``co_lead_a`` and ``lead_a`` of chapter A,
    ``lead_b`` of chapter B, ``ops``, ``viewer`` and ``admin`` (tenant roles, in no chapter);
    API clients: ``partner`` (a partner organisation's client; its organisation co-hosts one
    accepted activity of chapter A), ``svc_narrow`` (service client, ``activities:read``) and
    ``svc_broad`` (``chapters:read activities:read activities:write export``); and
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

Access paths (``via``)
    ``direct`` argument, ``node`` (``node(id:)``/``nodes``), ``nested`` field, list ``filter``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from strawberry.relay import to_base64

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

ADMINS = frozenset({"admin"})
STAFF = ADMINS | {"ops"}
READERS = STAFF | {"viewer"}  # read everything of the tenant
LEADS_A = frozenset({"lead_a", "co_lead_a"})
PEOPLE = READERS | LEADS_A | {"member_a", "lead_b"}  # every signed-in person of the tenant
READ_SCOPE = frozenset({"svc_narrow", "svc_broad"})  # activities:read
BROAD = frozenset({"svc_broad"})  # chapters:read, activities:write
CLIENTS = frozenset({"partner"}) | READ_SCOPE
EVERYONE = PEOPLE | CLIENTS | {"anonymous"}

NOW = datetime.now(UTC)
NOBODY = to_base64("Person", str(uuid.UUID(int=1)))  # a person that does not exist


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


def per(**places: frozenset[str]) -> dict[str, frozenset[str]]:
    return {place: frozenset(actors) for place, actors in places.items()}


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
    query("tenant", "{ tenant { slug name timezone recapOverdueDays } }", allow=EVERYONE),
    query(
        "viewer",
        """{ viewer { email tenantRole person { displayName email identities { issuer } }
          memberships(first: 20) { edges { node { role status chapter { slug } } } } } }""",
        allow=PEOPLE,
        empty={"anonymous"} | CLIENTS,
        null=EMPTY,
        note="null for anonymous callers and API clients",
    ),
    query(
        "people",
        """{ people(first: 50) { edges { node { displayName email githubHandle
          memberships(first: 10) { edges { node { role chapter { slug } } } } } } } }""",
        allow=PEOPLE,
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
        allow=PEOPLE,
        pick="people.edges",
    ),
    query(
        "chapters",
        """{ chapters(first: 50) { edges { node { slug name status parent { slug }
          committee { name } statusHistory { toStatus reason changedBy { displayName email } }
          viewerRole } } } }""",
        allow=EVERYONE,
        pick="chapters.edges",
    ),
    query(
        "chapter",
        """query ($slug: String!) { chapter(slug: $slug) { id name slug status
          children(first: 5) { edges { node { slug } } }
          statusHistory { toStatus changedBy { displayName email } } viewerRole } }""",
        lambda o: {"slug": o.slug},
        at=AB,
        allow=EVERYONE,
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
        allow=per(A=READERS | LEADS_A | {"member_a"} | BROAD, B=READERS | {"lead_b"} | BROAD),
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
        allow=per(A=READERS | LEADS_A | BROAD, B=READERS | {"lead_b"} | BROAD),
        pick="chapter.membershipHistory.edges",
    ),
    query(
        "committees",
        """{ committees(first: 20) { edges { node { name kind
          seats(current: false, first: 20) { edges { node { role isCurrent
            person { displayName email } } } } } } } }""",
        allow=PEOPLE | BROAD,
        pick="committees.edges",
    ),
    query(
        "auditLog",
        """{ auditLog(first: 20) { edges { node { action objectType objectId operation
          changes { field before after } actor { displayName email } } } } }""",
        allow=STAFF,
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
        allow=STAFF,
        pick="auditLog.edges",
    ),
    query(
        "organisations",
        """{ organisations(first: 20) { edges { node { name kind website notes
          relationships { kind status notes } contacts { name email title
            person { displayName email } } chapters(first: 10) { edges { node { slug } } } } } } }""",
        allow=PEOPLE | {"partner"},
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
        allow=per(A=PEOPLE | {"partner"}, B=PEOPLE),
        empty=per(B={"partner"}),
        pick="organisations.edges",
    ),
    query(
        "mentoringPrograms",
        """{ mentoringPrograms(first: 10) { edges { node { name year phase
          projects(first: 20) { edges { node { title status chapter { slug }
            mentors { displayName email } mentees { displayName email } } } } } } } }""",
        allow=PEOPLE,
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
        allow=PEOPLE,
        pick="mentoringPrograms.edges.0.node.projects.edges",
    ),
    query(
        "activities",
        f"{{ activities(first: 50) {{ edges {{ node {{ {ACTIVITY} }} }} }} }}",
        allow=EVERYONE,
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
        allow=per(A=READERS | LEADS_A | READ_SCOPE, B=READERS | {"lead_b"} | READ_SCOPE),
        empty=per(
            A=EVERYONE - READERS - LEADS_A - READ_SCOPE,
            B=EVERYONE - READERS - {"lead_b"} - READ_SCOPE,
        ),
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
        allow=per(A=EVERYONE, B=EVERYONE - {"partner"}),
        empty=per(B={"partner"}),
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
        allow=EVERYONE,
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
        allow=EVERYONE - {"partner"},
        empty={"partner"},
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
        allow=PEOPLE | READ_SCOPE,
        pick="activities.edges",
        note="who took part is personal data: only those who may see participants may filter by it",
    ),
    query(
        "activityReviewQueue",
        """{ activityReviewQueue(first: 20) { edges { node { title chapter { slug }
          createdBy { displayName email } participants { person { displayName } } } } } }""",
        allow=READERS | READ_SCOPE,
        pick="activityReviewQueue.edges",
    ),
    query(
        "overdueRecaps",
        """{ overdueRecaps(first: 20) { edges { node { title chapter { slug }
          createdBy { displayName email } participants { person { displayName } } } } } }""",
        allow=READERS | READ_SCOPE,
        pick="overdueRecaps.edges",
    ),
    query(
        "chapterCalendar",
        """query ($chapter: ID!, $from: DateTime!, $to: DateTime!) {
          chapterCalendar(chapterId: $chapter, from: $from, to: $to) { title status
            createdBy { displayName email } participants { person { displayName email } } } }""",
        lambda o: {"chapter": o.chapter, **CALENDAR_RANGE},
        at=AB,
        allow=per(A=EVERYONE, B=EVERYONE - {"partner"}),
        empty=per(B={"partner"}),
    ),
    query("apiClients", "{ apiClients { name kind scopes revokedAt } }", allow=ADMINS),
    query("identityProviders", "{ identityProviders { issuer enabled } }", allow=ADMINS),
    node(
        "Chapter",
        "slug statusHistory { changedBy { displayName email } }",
        lambda o: o.chapter,
        at=AB,
        name="node(Chapter)",
        allow=EVERYONE,
    ),
    node(
        "Person",
        "displayName city tenantRole",
        lambda o: o.member,
        at=AB,
        name="node(Person)",
        allow=PEOPLE | READ_SCOPE,
        note="profiles: signed-in people and service clients, never anonymous nor partners",
    ),
    node(
        "Person",
        "email",
        lambda o: o.member,
        at=AB,
        name="node(Person).email",
        allow=per(A=STAFF | LEADS_A | {"member_a"}, B=STAFF | {"lead_b"}),
        pick="node.email",
    ),
    node(
        "Person",
        "identities { issuer subject }",
        lambda o: o.member,
        at=AB,
        name="node(Person).identities",
        allow=frozenset(),
        empty=per(A=ADMINS | {"member_a"}, B=ADMINS),
        pick="node.identities",
        note="none linked: an empty list for admins and the person, null for anyone else",
    ),
    node(
        "Person",
        "memberships(first: 10) { edges { node { role chapter { slug } } } }",
        lambda o: o.member,
        at=AB,
        name="node(Person).memberships",
        allow=per(A=READERS | LEADS_A | {"member_a"} | BROAD, B=READERS | {"lead_b"} | BROAD),
        empty=per(
            A={"lead_b", "svc_narrow"}, B=LEADS_A | {"member_a", "svc_narrow"}
        ),  # they see the person but none of the rosters
        pick="node.memberships.edges",
    ),
    node(
        "ChapterMembership",
        "role status person { displayName email } chapter { slug }",
        lambda o: o.membership,
        at=AB,
        name="node(ChapterMembership)",
        allow=per(A=READERS | LEADS_A | {"member_a"} | BROAD, B=READERS | {"lead_b"} | BROAD),
    ),
    node(
        "Committee",
        "name seats(first: 10) { edges { node { person { displayName email } } } }",
        lambda o: o.committee,
        at=("tenant",),
        name="node(Committee)",
        allow=PEOPLE | BROAD,
    ),
    node(
        "CommitteeSeat",
        "role person { displayName email } committee { name }",
        lambda o: o.seat,
        at=("tenant",),
        name="node(CommitteeSeat)",
        allow=PEOPLE | BROAD,
    ),
    node(
        "Organisation",
        "name notes relationships { kind notes } chapters { edges { node { slug } } }",
        lambda o: o.partner_org,
        at=("tenant",),
        name="node(Organisation) of the partner",
        allow=PEOPLE | {"partner"},
    ),
    node(
        "Organisation",
        "name notes relationships { kind notes } chapters { edges { node { slug } } }",
        lambda o: o.org,
        at=("tenant",),
        name="node(Organisation) of another",
        allow=PEOPLE,
    ),
    node(
        "Organisation",
        "contacts { name email person { displayName } }",
        lambda o: o.partner_org,
        at=("tenant",),
        name="node(Organisation).contacts",
        allow=STAFF,
        pick="node.contacts",
        note="personal data: null for everyone but staff, the partner included",
    ),
    node(
        "Organisation",
        "notes",
        lambda o: o.partner_org,
        at=("tenant",),
        name="node(Organisation).notes",
        allow=STAFF,
        pick="node.notes",
    ),
    node(
        "OrganisationRelationship",
        "notes",
        lambda o: o.relationship,
        at=("tenant",),
        name="node(OrganisationRelationship).notes",
        allow=STAFF,
        pick="node.notes",
    ),
    node(
        "OrganisationRelationship",
        "kind status notes organisation { name }",
        lambda o: o.relationship,
        at=("tenant",),
        name="node(OrganisationRelationship)",
        allow=PEOPLE | {"partner"},
    ),
    node(
        "OrganisationContact",
        "name email person { displayName email } organisation { name }",
        lambda o: o.contact,
        at=("tenant",),
        name="node(OrganisationContact)",
        allow=STAFF,
    ),
    node(
        "MentoringProgram",
        "name projects(first: 10) { edges { node { title mentors { displayName email } } } }",
        lambda o: o.program,
        at=("tenant",),
        name="node(MentoringProgram)",
        allow=PEOPLE,
    ),
    node(
        "MentoringProject",
        "title chapter { slug } program { name } mentors { displayName email } "
        "mentees { displayName email }",
        lambda o: o.project,
        at=AB,
        name="node(MentoringProject)",
        allow=PEOPLE,
    ),
    node(
        "Activity",
        ACTIVITY,
        lambda o: o.accepted,
        at=AB,
        name="node(Activity) accepted",
        allow=EVERYONE - {"partner"},
        note="the partner's client sees only what its organisation takes part in",
    ),
    node(
        "Activity",
        ACTIVITY,
        lambda o: o.partner_meetup,
        at=("A",),
        name="node(Activity) co-hosted by the partner",
        allow=EVERYONE,
    ),
    node(
        "Activity",
        ACTIVITY,
        lambda o: o.draft,
        at=AB,
        name="node(Activity) draft",
        allow=per(A=READERS | LEADS_A | READ_SCOPE, B=READERS | {"lead_b"} | READ_SCOPE),
    ),
    node(
        "Activity",
        "participants { role person { displayName } }",
        lambda o: o.accepted,
        at=AB,
        name="node(Activity).participants",
        allow=PEOPLE | READ_SCOPE | {"anonymous"},
        pick="node.participants",
        note="anonymous callers see the external speaker only (member_a has no public profile)",
    ),
    node(
        "Activity",
        "comments(first: 10) { edges { node { body author { displayName email } } } }",
        lambda o: o.accepted,
        at=AB,
        name="node(Activity).comments",
        allow=per(A=READERS | LEADS_A | READ_SCOPE, B=READERS | {"lead_b"} | READ_SCOPE),
        pick="node.comments.edges",
    ),
    node(
        "Activity",
        "transitions { toStatus comment }",
        lambda o: o.accepted,
        at=AB,
        name="node(Activity).transitions.comment",
        allow=per(A=READERS | LEADS_A | READ_SCOPE, B=READERS | {"lead_b"} | READ_SCOPE),
        pick="node.transitions.1.comment",  # the submission's comment: the review thread
    ),
    node(
        "AuditEntry",
        "action changes { field before after } actor { displayName email }",
        lambda o: o.audit_entry,
        at=("tenant",),
        name="node(AuditEntry)",
        allow=STAFF,
    ),
    query(
        "nodes",
        "query ($ids: [ID!]!) { nodes(ids: $ids) { id ... on Activity { title status } } }",
        lambda o: {"ids": [o.draft]},
        at=AB,
        via="node",
        allow=per(A=READERS | LEADS_A | READ_SCOPE, B=READERS | {"lead_b"} | READ_SCOPE),
        pick="nodes.0",
    ),
]

# Acting as a higher-ranked person: editing, re-roling, linking a sign-in identity to or
# unlinking one from someone's account makes one able to act as them, so each needs a tenant
# role above theirs (owner > admin > ops > viewer > none), or the account to be one's own.
RANKED_ABOVE = {"owner": frozenset(), "admin": ADMINS, "ops": STAFF}  # who outranks or is them
NOBODY_ELSE = {"owner": frozenset(), "admin": frozenset(), "ops": ADMINS}  # no self-promotion
ACTING_ON_HIGHER_RANKS = [
    row
    for target in ("owner", "admin", "ops")
    for row in (
        mutation(
            "personUpdate",
            lambda o, t=target: {"id": getattr(o, t), "displayName": ""},
            "displayName REQUIRED",
            at=("tenant",),
            allow=RANKED_ABOVE[target],
            name=f"personUpdate(the {target})",
        ),
        mutation(
            "personUpdate",
            lambda o, t=target: {"id": getattr(o, t), "tenantRole": "VIEWER", "displayName": ""},
            "displayName REQUIRED",
            at=("tenant",),
            allow=NOBODY_ELSE[target],
            name=f"personUpdate(tenantRole of the {target})",
        ),
        mutation(
            "personLinkIdentity",
            lambda o, t=target: {"personId": getattr(o, t), "issuer": "", "subject": "s-1"},
            "issuer REQUIRED",
            at=("tenant",),
            allow=RANKED_ABOVE[target] & ADMINS,
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
            allow=RANKED_ABOVE[target] & ADMINS,
            name=f"personUnlinkIdentity(of the {target})",
        ),
    )
]

STAFF_OF = per(A=STAFF | LEADS_A, B=STAFF | {"lead_b"})  # the chapter's leads and co-leads
WRITERS_OF = per(A=STAFF | LEADS_A | BROAD, B=STAFF | {"lead_b"} | BROAD)  # + activities:write

MUTATION_ROWS = [
    mutation("tenantUpdate", lambda o: {"name": ""}, "name REQUIRED", allow=ADMINS),
    mutation("chapterCreate", lambda o: {"name": "", "slug": "new"}, "name REQUIRED", allow=STAFF),
    mutation(
        "chapterUpdate",
        lambda o: {"id": o.chapter, "name": ""},
        "name REQUIRED",
        at=AB,
        allow=STAFF_OF,
    ),
    mutation(
        "chapterChangeStatus",
        lambda o: {"id": o.chapter, "status": "ACTIVE", "reason": "same"},
        "status INVALID",  # it is active already
        at=AB,
        allow=STAFF,
    ),
    mutation(
        "membershipInvite",
        lambda o: {"chapterId": o.chapter, "personId": o.spare, "role": "LEAD"},
        "role INVALID",
        at=AB,
        allow=STAFF_OF,
    ),
    mutation(
        "membershipInviteByEmail",
        lambda o: {"chapterId": o.chapter, "email": "not an address"},
        "email INVALID",
        at=AB,
        allow=STAFF_OF,
    ),
    mutation(
        "membershipAdd",
        lambda o: {"chapterId": o.chapter, "personId": o.spare, "role": "LEAD"},
        "role INVALID",
        at=AB,
        allow=STAFF_OF,
    ),
    mutation(
        "membershipAccept",
        lambda o: {"membershipId": o.membership},
        "membershipId INVALID",  # already active
        at=AB,
        allow=per(A={"member_a"}),
        note="one's own invitation only",
    ),
    mutation(
        "membershipRemove",
        lambda o: {"membershipId": o.membership, "reason": LONG_REASON},
        "reason TOO_LONG",
        at=AB,
        allow=per(A=STAFF | LEADS_A | {"member_a"}, B=STAFF | {"lead_b"}),
        note="the member may leave",
    ),
    mutation(
        "membershipChangeRole",
        lambda o: {"membershipId": o.membership, "role": "LEAD"},
        "role INVALID",
        at=AB,
        allow=STAFF_OF,
    ),
    mutation(
        "chapterAppointLead",
        lambda o: {"chapterId": o.chapter, "personId": o.member, "previousLeadBecomes": "LEAD"},
        "previousLeadBecomes INVALID",
        at=AB,
        allow=per(A=STAFF | {"lead_a"}, B=STAFF | {"lead_b"}),
        note="the lead, not co-leads",
    ),
    mutation(
        "committeeCreate", lambda o: {"name": "", "kind": "OTHER"}, "name REQUIRED", allow=STAFF
    ),
    mutation(
        "committeeUpdate",
        lambda o: {"id": o.committee, "name": ""},
        "name REQUIRED",
        at=("tenant",),
        allow=STAFF,
    ),
    mutation(
        "committeeSeatAdd",
        lambda o: {"committeeId": o.committee, "personId": o.spare, **AFTER_ITS_START},
        "endsOn INVALID",
        at=("tenant",),
        allow=STAFF,
    ),
    mutation(
        "committeeSeatEnd",
        lambda o: {"seatId": o.seat, "endsOn": "1999-01-01"},
        "endsOn INVALID",
        at=("tenant",),
        allow=STAFF,
    ),
    mutation(
        "committeeSeatChangeRole",
        lambda o: {"seatId": o.seat, "role": "MEMBER"},
        "role INVALID",
        at=("tenant",),
        allow=STAFF,
    ),
    mutation(
        "personCreate",
        lambda o: {"displayName": "", "email": "new.person@example.org"},
        "displayName REQUIRED",
        allow=STAFF,
    ),
    mutation(
        "personUpdate",
        lambda o: {"id": o.member, "displayName": ""},
        "displayName REQUIRED",
        at=AB,
        allow=per(A=STAFF | {"member_a"}, B=STAFF),
        note="staff, and the person themself",
    ),
    mutation(
        "personLinkIdentity",
        lambda o: {"personId": o.member, "issuer": "", "subject": "s-1"},
        "issuer REQUIRED",
        at=AB,
        allow=ADMINS,
    ),
    *ACTING_ON_HIGHER_RANKS,
    mutation(
        "personUnlinkIdentity",
        lambda o: {"personId": o.member, "issuer": "https://nobody.example", "subject": "none"},
        "subject NOT_FOUND",  # no such identity
        at=AB,
        allow=ADMINS,
    ),
    mutation(
        "personIdentityLinkConfirm",
        lambda o: {"id": to_base64("PendingIdentityLink", str(uuid.uuid4()))},
        "id NOT_FOUND",  # one's own proposals only; none here
        allow=PEOPLE,
    ),
    mutation(
        "personIdentityLinkDecline",
        lambda o: {"id": to_base64("PendingIdentityLink", str(uuid.uuid4()))},
        "id NOT_FOUND",
        allow=PEOPLE,
    ),
    mutation(
        "personRequestEmailChange",
        lambda o: {"email": "not an address"},
        "email INVALID",
        allow=PEOPLE,
        note="one's own email; answers the same whether or not the address is taken",
    ),
    mutation(
        "personConfirmEmailChange",
        lambda o: {"token": "made-up"},
        "token INVALID",
        allow=PEOPLE,
    ),
    mutation(
        "organisationCreate",
        lambda o: {"name": "", "kind": "COMPANY"},
        "name REQUIRED",
        allow=STAFF,
    ),
    mutation(
        "organisationUpdate",
        lambda o: {"id": o.org, "name": ""},
        "name REQUIRED",
        at=("tenant",),
        allow=STAFF,
    ),
    mutation(
        "organisationRelationshipAdd",
        lambda o: {"organisationId": o.org, "kind": "SPONSOR", **AFTER_ITS_START},
        "endsOn INVALID",
        at=("tenant",),
        allow=STAFF,
    ),
    mutation(
        "organisationRelationshipUpdate",
        lambda o: {"id": o.relationship, **AFTER_ITS_START},
        "endsOn INVALID",
        at=("tenant",),
        allow=STAFF,
    ),
    mutation(
        "organisationContactAdd",
        lambda o: {"organisationId": o.org, "name": ""},
        "name REQUIRED",
        at=("tenant",),
        allow=STAFF,
    ),
    mutation(
        "organisationContactUpdate",
        lambda o: {"id": o.contact, "name": ""},
        "name REQUIRED",
        at=("tenant",),
        allow=STAFF,
    ),
    mutation(
        "organisationContactRemove",
        lambda o: {"contactId": o.contact},
        "",  # removed: each cell gets a contact of its own
        at=("tenant",),
        fresh_contact=True,
        allow=STAFF,
    ),
    mutation(
        "chapterOrganisationLink",
        lambda o: {"chapterId": o.chapter, "organisationId": o.org},
        "organisationId CONFLICT",  # linked already
        at=AB,
        allow=STAFF_OF,
    ),
    mutation(
        "chapterOrganisationUnlink",
        lambda o: {"chapterId": o.chapter, "organisationId": o.lone_org},
        "organisationId NOT_FOUND",  # not linked
        at=AB,
        allow=STAFF_OF,
    ),
    mutation(
        "mentoringProgramCreate",
        lambda o: {"name": "", "year": 2026},
        "name REQUIRED",
        allow=STAFF,
    ),
    mutation(
        "mentoringProgramUpdate",
        lambda o: {"id": o.program, "name": ""},
        "name REQUIRED",
        at=("tenant",),
        allow=STAFF,
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
        allow=STAFF_OF,
    ),
    mutation(
        "mentoringProjectUpdate",
        lambda o: {"id": o.project, "title": ""},
        "title REQUIRED",
        at=AB,
        allow=STAFF_OF,
    ),
    mutation(
        "mentoringProjectSetStatus",
        lambda o: {"id": o.project, "status": "IN_PROGRESS"},
        "status INVALID",  # it is proposed
        at=AB,
        allow=STAFF_OF,
    ),
    mutation(
        "mentoringProjectSetMembers",
        lambda o: {"id": o.project, "mentorIds": [o.member], "menteeIds": [o.member]},
        "menteeIds INVALID",
        at=AB,
        allow=STAFF_OF,
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
        allow=WRITERS_OF,
    ),
    mutation(
        "activityUpdate",
        lambda o: {"id": o.draft, "title": ""},
        "title REQUIRED",
        at=AB,
        allow=WRITERS_OF,
    ),
    mutation(
        "activitySubmit",
        lambda o: {"id": o.accepted},
        "id CONFLICT",  # accepted already
        at=AB,
        allow=WRITERS_OF,
        note="the `comment` checks come after the policy: test_policy_before_validation",
    ),
    mutation(
        "activityReview",
        lambda o: {"id": o.accepted, "decision": "ACCEPT"},
        "id CONFLICT",
        at=AB,
        allow=STAFF,
        note="the `comment` checks come after the policy: test_policy_before_validation",
    ),
    mutation(
        "activityCancel",
        lambda o: {"id": o.past, "reason": "Rain"},
        "id CONFLICT",  # it took place
        at=AB,
        allow=STAFF_OF,
        note="the `reason` checks come after the policy: test_policy_before_validation",
    ),
    mutation(
        "activityComment",
        lambda o: {"activityId": o.draft, "body": ""},
        "body REQUIRED",
        at=AB,
        allow=STAFF_OF,
    ),
    mutation(
        "activityPublishRecap",
        lambda o: {"id": o.draft, "summary": "Went well"},
        "id CONFLICT",  # a draft has no recap
        at=AB,
        allow=WRITERS_OF,
    ),
    mutation(
        "activityAddParticipant",
        lambda o: {"activityId": o.draft, "role": "SPEAKER"},
        "personId INVALID",  # neither a person nor a name
        at=AB,
        allow=WRITERS_OF,
    ),
    mutation(
        "activityRemoveParticipant",
        lambda o: {"participantId": o.participant},
        "participantId CONFLICT",  # under review
        at=AB,
        allow=WRITERS_OF,
    ),
    mutation(
        "activityRecapLinkRemove",
        lambda o: {"id": o.draft, "url": "https://video.example/1"},
        "id CONFLICT",  # a draft has no recap
        at=AB,
        allow=WRITERS_OF,  # whoever publishes the recap
    ),
    mutation(
        "activityReopen",
        lambda o: {"id": o.draft, "reason": "Wrong venue"},
        "id CONFLICT",  # only accepted activities are reopened
        at=AB,
        allow=STAFF,
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
        allow=STAFF_OF,
        note="the `reason` checks come after the policy: test_policy_before_validation",
    ),
    mutation(
        "membershipInvite",
        lambda o, home: {"chapterId": home.chapter, "personId": o.member},
        "personId CONFLICT",  # member_a is a member already
        at=("A",),
        mixed=True,
        name="membershipInvite(person elsewhere)",
        allow=STAFF | LEADS_A,
    ),
    mutation(
        "committeeSeatAdd",
        lambda o, home: {"committeeId": home.committee, "personId": o.member},
        "personId CONFLICT",  # member_a holds a seat already
        at=("A",),
        mixed=True,
        name="committeeSeatAdd(person elsewhere)",
        allow=STAFF,
    ),
    mutation(
        "chapterOrganisationLink",
        lambda o, home: {"chapterId": home.chapter, "organisationId": o.org},
        "organisationId CONFLICT",
        at=("A",),
        mixed=True,
        name="chapterOrganisationLink(organisation elsewhere)",
        allow=STAFF | LEADS_A,
    ),
    mutation(
        "mentoringProjectSetMembers",
        lambda o, home: {"id": home.project, "mentorIds": [o.member], "menteeIds": [NOBODY]},
        "menteeIds NOT_FOUND",
        at=("A",),
        mixed=True,
        name="mentoringProjectSetMembers(people elsewhere)",
        allow=STAFF | LEADS_A,
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
        allow=STAFF | LEADS_A | BROAD,
    ),
    mutation(
        "apiClientCreate",
        lambda o: {"name": "", "kind": "SERVICE", "scopes": []},
        "name REQUIRED",
        allow=ADMINS,
    ),
    mutation_with(
        "apiClientRotateSecret",
        "mutation ($id: ID!) { apiClientRotateSecret(id: $id) { errors { field code } } }",
        lambda o: {"id": o.client},
        "id INVALID",  # revoked
        at=("tenant",),
        allow=ADMINS,
    ),
    mutation_with(
        "apiClientRevoke",
        "mutation ($id: ID!) { apiClientRevoke(id: $id) { errors { field code } } }",
        lambda o: {"id": o.client},
        "",  # revoked already: nothing changes
        at=("tenant",),
        allow=ADMINS,
    ),
    mutation(
        "identityProviderAdd",
        lambda o: {"issuer": "not a url", "audience": "chapters"},
        "issuer INVALID",
        allow=ADMINS,
    ),
    mutation_with(
        "identityProviderSetEnabled",
        "mutation ($id: ID!) { identityProviderSetEnabled(id: $id, enabled: true) {"
        " errors { field code } } }",
        lambda o: {"id": o.provider},
        "",  # enabled already: nothing changes
        at=("tenant",),
        allow=ADMINS,
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
        allow=WRITERS_OF,
        name="activitySubmit(comment: too long)",
    ),
    mutation(
        "activityReview",
        lambda o: {"id": o.submitted, "decision": "REQUEST_CHANGES"},
        "comment REQUIRED",
        allow=STAFF,
        name="activityReview(REQUEST_CHANGES, no comment)",
    ),
    mutation(
        "activityCancel",
        lambda o: {"id": o.draft, "reason": ""},
        "reason REQUIRED",
        allow=STAFF_OF,
        name="activityCancel(reason: empty)",
    ),
    mutation(
        "activityReopen",
        lambda o: {"id": o.accepted, "reason": ""},
        "reason REQUIRED",
        allow=STAFF,
        name="activityReopen(reason: empty)",
    ),
    mutation(
        "activityReschedule",
        lambda o: {"id": o.accepted, "startsAt": "2031-01-02T10:00:00Z", "reason": ""},
        "reason REQUIRED",
        allow=STAFF_OF,
        name="activityReschedule(reason: empty)",
    ),
]
