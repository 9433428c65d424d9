"""The permission table, checked through the HTTP endpoint with real tokens.

``EXPECTED`` says, for every action of ``chapters.authz.Action``, which personas may perform
it: it is derived from the rights of ``tests/authz/rights.py`` (written out by hand,
independently of ``authz.POLICY``), from what each persona is where the action's probe acts
(``holds``, ``WHERE``). Each cell runs the GraphQL operation that exercises the action as that
persona and judges the answer: denied means a FORBIDDEN or NOT_FOUND error (or a null field for
the email), anything else (success or a validation error past the policy check) means allowed.
An action without rights, a place or a probe fails.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chapters.api.ids import global_id
from chapters.authz import Action
from chapters.models import TenantRole
from tests.ambassadors import authz_probes as ambassador_probes
from tests.authz import rights
from tests.authz.rights import Who as W
from tests.recognition import authz_probes as recognition_probes
from tests.support import TenantFixture, gql, make_chapter, make_editor, person_id

PERSONAS = [
    *("owner", "admin", "ops", "viewer", "lead", "co_lead", "member", "outsider", "anonymous"),
    "co_host_lead",  # leads chapter gamma, which co-hosts the probes' activities of alpha
    "editor",  # a content editor, with no tenant role and no chapter
]

# What each persona is, in the words of the rules: across the tenant …
IS: dict[str, frozenset[W]] = {
    "owner": frozenset({W.ANYONE, W.PERSON, W.OWNER}),
    "admin": frozenset({W.ANYONE, W.PERSON, W.ADMIN}),
    "ops": frozenset({W.ANYONE, W.PERSON, W.OPS}),
    "viewer": frozenset({W.ANYONE, W.PERSON, W.VIEWER}),
    **dict.fromkeys(
        ("lead", "co_lead", "member", "outsider", "co_host_lead"), frozenset({W.ANYONE, W.PERSON})
    ),
    "anonymous": frozenset({W.ANYONE}),
    "editor": frozenset({W.ANYONE, W.PERSON, W.EDITOR}),
}
# … in chapter alpha, and on the probes' activities of alpha, which gamma co-hosts.
IN_ALPHA = {"lead": W.LEAD, "co_lead": W.CO_LEAD, "member": W.MEMBER}
ON_ACTIVITY = {**IN_ALPHA, "co_host_lead": W.CO_HOST_LEAD}


def holds(persona: str, where: str) -> frozenset[W]:
    """What ``persona`` is where a probe acts: ``tenant`` (nothing of a chapter, or someone
    else's record), ``alpha`` (chapter alpha or a thing of it), ``activity`` (an activity of
    alpha co-hosted by gamma), ``own`` (the persona's own profile or invitation), ``own
    membership`` (the persona's membership of alpha, for those who have one), ``own article``
    (an article of chapter alpha the persona is an author of, when signed in)."""
    roles = set(IS[persona])
    chapter_roles = {
        "alpha": IN_ALPHA,
        "own membership": IN_ALPHA,
        "activity": ON_ACTIVITY,
        "own article": IN_ALPHA,
    }
    if persona in chapter_roles.get(where, {}):
        roles.add(chapter_roles[where][persona])
    if W.PERSON in roles and (
        where == "own" or (where == "own membership" and persona in IN_ALPHA)
    ):
        roles.add(W.SELF)
    if W.PERSON in roles and where == "own article":
        roles.add(W.AUTHOR)
    return frozenset(roles)


# Where each action's probe acts (``PROBES`` below).
WHERE: dict[Action, str] = {
    **dict.fromkeys(
        (
            Action.CHAPTER_READ_DIRECTORY,
            Action.CHAPTER_CREATE,
            Action.COMMITTEE_READ,
            Action.COMMITTEE_MANAGE,
            Action.PERSON_SEARCH,
            Action.PERSON_CREATE,
            Action.PERSON_READ_PROFILE,  # member2's
            Action.PERSON_READ_IDENTITIES,  # member2's; one's own is SELF (own test)
            Action.PERSON_CONFIRM_IDENTITY_LINK,  # for member2; one's own: test_escalation
            Action.ORGANISATION_READ,
            Action.ORGANISATION_READ_PRIVATE,
            Action.ORGANISATION_MANAGE,
            Action.PROGRAM_READ,
            Action.PROGRAM_MANAGE,
            Action.AUDIT_READ,
            Action.ACCESS_MANAGE,
            Action.WEBHOOK_MANAGE,
            Action.TENANT_UPDATE,
            Action.ACTIVITY_OVERSEE,
            Action.INSIGHT_READ_TENANT,
            Action.INSIGHT_READ_PARTNER,  # no persona is a partner's client: the matrix has one
            Action.INSIGHT_READ_SMALL_GROUPS,
            Action.CONTRIBUTION_IMPORT,
            Action.DATA_EXPORT,
        ),
        "tenant",
    ),
    **dict.fromkeys(
        (
            Action.CHAPTER_UPDATE,
            Action.CHAPTER_CHANGE_STATUS,
            Action.CHAPTER_RESTRUCTURE,
            Action.CHAPTER_READ_ROSTER,
            Action.CHAPTER_READ_MEMBER_EMAILS,
            Action.CHAPTER_READ_HISTORY,
            Action.MEMBERSHIP_INVITE,
            Action.MEMBERSHIP_REMOVE,
            Action.MEMBERSHIP_CHANGE_ROLE,
            Action.CHAPTER_APPOINT_LEAD,
            Action.ORGANISATION_LINK_CHAPTER,
            Action.PROJECT_MANAGE,
            Action.ACTIVITY_CREATE,
            Action.INSIGHT_READ_CHAPTER,
        ),
        "alpha",
    ),
    **dict.fromkeys(
        (
            Action.ACTIVITY_READ_ACCEPTED,
            Action.ACTIVITY_READ_UNACCEPTED,
            Action.ACTIVITY_READ_PARTICIPANTS,
            Action.ACTIVITY_EDIT,
            Action.ACTIVITY_SUBMIT,
            Action.ACTIVITY_CANCEL,
            Action.ACTIVITY_RECAP,
            Action.ACTIVITY_COMMENT,
            Action.ACTIVITY_CORRECT_PARTICIPANTS,
            Action.ACTIVITY_REVIEW,
            Action.ACTIVITY_REOPEN,
            Action.ACTIVITY_RESCHEDULE,
            Action.REGISTRATION_REGISTER,
            Action.REGISTRATION_READ,
            Action.REGISTRATION_CHECK_IN,
            Action.REGISTRATION_EXPORT,
            Action.REGISTRATION_ERASE,
        ),
        "activity",
    ),
    Action.MEMBERSHIP_LEAVE: "own membership",  # nobody else has one; someone else's is REMOVE
    Action.MEMBERSHIP_ACCEPT: "own",  # each persona's own invitation, to beta
    Action.PERSON_SET_SEGMENTS: "own",  # on their own profile too: members state interests
    Action.NOTIFICATION_MANAGE_OWN: "own",  # nobody reads another's notifications
    Action.FEED_MANAGE_OWN: "own",  # one's own calendar feed; nobody has another's
    Action.JOB_MANAGE: "tenant",
    Action.AMBASSADOR_READ_DIRECTORY: "tenant",
    Action.AMBASSADOR_PROGRAM_MANAGE: "tenant",
    Action.AMBASSADOR_NOMINATE: "alpha",  # member2, a member of alpha
    Action.AMBASSADOR_READ_NOMINATION: "alpha",  # member2's, for alpha
    Action.AMBASSADOR_REVIEW: "tenant",
    Action.AMBASSADOR_READ_TERMS: "alpha",  # member2's, attached to alpha
    Action.RECOGNITION_MANAGE: "tenant",
    Action.RECOGNITION_READ: "tenant",
    Action.CERTIFICATE_ISSUE: "tenant",
    Action.CERTIFICATE_READ_OWN: "own",  # one's own certificates; another's are staff's
    Action.CERTIFICATE_VERIFY: "tenant",  # a certificate of member2's
    Action.INCENTIVE_PROGRAM_MANAGE: "tenant",
    Action.INCENTIVE_PROGRAM_READ: "tenant",
    Action.INCENTIVE_DECIDE: "tenant",
    Action.INCENTIVE_PROPOSE: "alpha",  # for a talk of alpha
    Action.INCENTIVE_READ: "alpha",  # a reward for a talk of alpha
    Action.INCENTIVE_READ_OWN: "own",
    Action.AGREEMENT_READ: "tenant",
    Action.AGREEMENT_MANAGE: "tenant",
    Action.CASE_USER_READ_PUBLISHED: "tenant",
    Action.CASE_USER_READ: "tenant",  # a story not (yet) published
    Action.CASE_USER_MANAGE: "tenant",
    Action.CONFERENCE_READ: "tenant",
    Action.CONFERENCE_MANAGE: "tenant",
    Action.TALK_SUBMIT: "own",  # one's own talk; staff draft for anyone
    Action.TALK_DECIDE: "tenant",  # a draft of ops' own
    Action.EDITOR_APPOINT: "tenant",
    Action.AUTHOR_READ: "alpha",  # an author who is a member of alpha
    Action.AUTHOR_READ_CONTACT: "own",  # one's own entry in the pool
    Action.AUTHOR_MANAGE: "tenant",
    Action.ARTICLE_READ_PUBLISHED: "tenant",
    Action.ARTICLE_READ: "alpha",  # an article of alpha by someone else, in review
    Action.ARTICLE_PROPOSE: "tenant",
    Action.ARTICLE_EDIT: "alpha",  # someone else's draft of alpha
    Action.ARTICLE_SUBMIT: "own article",
    Action.ARTICLE_REVIEW: "tenant",
    Action.ARTICLE_PUBLISH: "tenant",
    Action.ARTICLE_TEMPLATE_MANAGE: "tenant",
    Action.REPRINT_MANAGE: "tenant",
    Action.CHANNEL_READ: "tenant",
    Action.CHANNEL_MANAGE: "tenant",
    Action.REACH_RECORD: "tenant",
    Action.REACH_READ: "tenant",
    Action.NEWSLETTER_READ_PUBLISHED: "tenant",
    Action.NEWSLETTER_EDIT: "tenant",
    Action.NEWSLETTER_PUBLISH: "tenant",
}
# Probes on member2's account (a member of alpha with no tenant role: ranked below all staff).
ON_MEMBER2S_ACCOUNT = {
    Action.PERSON_UPDATE,  # someone else's profile; one's own is SELF (own test)
    Action.PERSON_CHANGE_ROLE,
    Action.PERSON_LINK_IDENTITY,  # an admin's link is pending
    Action.PERSON_LINK_IDENTITY_DIRECTLY,
}


def _allowed(action: Action, persona: str) -> bool:
    if action is Action.PERSON_READ_EMAIL:  # of member2, a member of alpha
        return rights.sees_email(holds(persona, "tenant"), [holds(persona, "alpha")])
    if action is Action.PERSON_READ_INVITED:  # someone ops invited by email to alpha
        return rights.sees_person(
            holds(persona, "tenant"), invited=True, in_chapters=[holds(persona, "alpha")]
        )
    if action is Action.PERSON_READ_ACTIVITY:  # of member2, a member of alpha
        return rights.sees_activity(holds(persona, "tenant"), [holds(persona, "alpha")])
    if action in ON_MEMBER2S_ACCOUNT:
        return rights.may_act_on_account(action, holds(persona, "tenant"), None, own=False)
    return rights.may(action, holds(persona, WHERE[action]))


COMPOUND = {Action.PERSON_READ_EMAIL, Action.PERSON_READ_INVITED, Action.PERSON_READ_ACTIVITY}
EXPECTED: dict[Action, set[str]] = {
    action: {persona for persona in PERSONAS if _allowed(action, persona)}
    for action in [*WHERE, *ON_MEMBER2S_ACCOUNT, *COMPOUND]
}

EMAILS = {
    "owner": "owner@x.example",
    "admin": "admin@x.example",
    "ops": "ops@x.example",
    "viewer": "viewer@x.example",
    "lead": "lead@x.example",
    "co_lead": "colead@x.example",
    "member": "member@x.example",
    "outsider": "outsider@x.example",
    "co_host_lead": "cohost.lead@x.example",
    "editor": "editor@x.example",
}
ROLES = {
    "owner": TenantRole.OWNER,
    "admin": TenantRole.ADMIN,
    "ops": TenantRole.OPS,
    "viewer": TenantRole.VIEWER,
}


@dataclass
class World:
    """A tenant with a chapter "alpha" (lead, co-lead, two members) and its people; "beta"
    without a lead; "gamma", led by the co-host lead, co-hosts the probes' activities."""

    tenant: TenantFixture
    alpha: Any
    beta: Any
    gamma: Any = None

    def id_of(self, email: str) -> str:
        return person_id(self.tenant, email)

    def token(self, persona: str) -> str | None:
        return None if persona == "anonymous" else self.tenant.token(EMAILS[persona])


async def build_world(tenants, owner_engine) -> World:
    people = {email: ROLES.get(persona) for persona, email in EMAILS.items()}
    people["member2@x.example"] = None
    tenant = await tenants.create(people=people)
    alpha = await make_chapter(
        owner_engine,
        tenant,
        "alpha",
        staff="ops@x.example",
        lead="lead@x.example",
        co_leads=("colead@x.example",),
        members=("member@x.example", "member2@x.example"),
    )
    beta = await make_chapter(owner_engine, tenant, "beta", staff="ops@x.example")
    gamma = await make_chapter(
        owner_engine, tenant, "gamma", staff="ops@x.example", lead=EMAILS["co_host_lead"]
    )
    await make_editor(owner_engine, tenant, EMAILS["editor"], staff="ops@x.example")
    return World(tenant, alpha, beta, gamma)


Probe = Callable[[Any, World, str], Awaitable[bool]]
DENIED_CODES = {"FORBIDDEN", "NOT_FOUND", "UNAUTHENTICATED"}


def _denied(body: dict) -> bool:
    codes = {e.get("extensions", {}).get("code") for e in body.get("errors") or []}
    for value in (body.get("data") or {}).values():
        if isinstance(value, dict):
            codes |= {e["code"] for e in value.get("errors") or []}
    return bool(codes & DENIED_CODES)


async def _run(
    client, world: World, persona: str, query: str, variables: dict | None = None
) -> dict:
    return await gql(client, world.tenant.slug, query, variables, token=world.token(persona))


def mutation(query: str, variables: Callable[[World, str], dict]) -> Probe:
    async def probe(client, world: World, persona: str) -> bool:
        return not _denied(await _run(client, world, persona, query, variables(world, persona)))

    return probe


def query(
    text: str,
    variables: Callable[[World, str], dict] | None = None,
    *,
    denied_when_null: str | None = None,
) -> Probe:
    """A read; with ``denied_when_null``, a null value of that root field also means denied
    (how ``node`` hides what the caller may not see)."""

    async def probe(client, world: World, persona: str) -> bool:
        variables_ = (variables or (lambda w, p: {}))(world, persona)
        body = await _run(client, world, persona, text, variables_)
        if denied_when_null and (body.get("data") or {}).get(denied_when_null) is None:
            return False
        return not _denied(body)

    return probe


def _field_probe(
    text: str, variables: Callable[[World, str], dict], granted: Callable[[dict], bool]
) -> Probe:
    """A read whose answer says whether the action was granted (``granted(data)``), where a
    denial is a null or withheld field rather than an error."""

    async def probe(client, world: World, persona: str) -> bool:
        body = await _run(client, world, persona, text, variables(world, persona))
        return not _denied(body) and granted(body["data"])

    return probe


def _download_probe(path: str) -> Probe:
    """A download of the tenant's (``/t/{slug}`` + ``path``): granted when it answers 200."""

    async def probe(client, world: World, persona: str) -> bool:
        token = world.token(persona)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await client.get(f"/t/{world.tenant.slug}{path}", headers=headers)
        assert response.status_code in (200, 401, 403), response.text
        return response.status_code == 200

    return probe


async def _membership_id(client, world: World, email: str, chapter: str = "alpha") -> str:
    body = await gql(
        client,
        world.tenant.slug,
        "query ($slug: String!) { chapter(slug: $slug) { members(status: [ACTIVE, INVITED, LEFT]) {"
        " edges { node { id person { id } } } } } }",
        {"slug": chapter},
        token=world.tenant.token("ops@x.example"),
    )
    person = world.id_of(email)
    return next(
        e["node"]["id"]
        for e in body["data"]["chapter"]["members"]["edges"]
        if e["node"]["person"]["id"] == person
    )


async def _leave(client, world: World, persona: str) -> bool:
    if persona not in {"lead", "co_lead", "member"}:
        # Nobody else has a membership of their own to leave; trying someone else's is REMOVE.
        return False
    membership = await _membership_id(client, world, EMAILS[persona])
    body = await _run(
        client,
        world,
        persona,
        "mutation ($id: ID!) { membershipRemove(input: {membershipId: $id}) { errors { code } } }",
        {"id": membership},
    )
    return not _denied(body)


async def _accept(client, world: World, persona: str) -> bool:
    if persona == "anonymous":
        body = await _run(
            client,
            world,
            persona,
            "mutation ($id: ID!) { membershipAccept(input: {membershipId: $id}) { errors { code } } }",
            {"id": global_id("ChapterMembership", uuid.uuid4())},
        )
        return not _denied(body)
    invited = await gql(
        client,
        world.tenant.slug,
        "mutation ($c: ID!, $p: ID!) { membershipInvite(input: {chapterId: $c, personId: $p}) {"
        " membership { id } errors { code } } }",
        {"c": global_id("Chapter", world.beta.id), "p": world.id_of(EMAILS[persona])},
        token=world.tenant.token("ops@x.example"),
    )
    membership = invited["data"]["membershipInvite"]["membership"]["id"]
    body = await _run(
        client,
        world,
        persona,
        "mutation ($id: ID!) { membershipAccept(input: {membershipId: $id}) { errors { code } } }",
        {"id": membership},
    )
    return not _denied(body)


async def _member_email_visible(client, world: World, persona: str) -> bool:
    body = await _run(
        client,
        world,
        persona,
        "query ($id: ID!) { node(id: $id) { ... on Person { email } } }",
        {"id": world.id_of("member2@x.example")},
    )
    node = (body.get("data") or {}).get("node")
    return bool(node and node.get("email"))


async def _identities_visible(client, world: World, persona: str) -> bool:
    body = await _run(
        client,
        world,
        persona,
        "query ($id: ID!) { node(id: $id) { ... on Person { identities { issuer } } } }",
        {"id": world.id_of("member2@x.example")},
    )
    node = (body.get("data") or {}).get("node")
    return bool(node) and node.get("identities") is not None


LINK_IDENTITY = (
    "mutation ($id: ID!, $subject: String!) { personLinkIdentity(input: {personId: $id,"
    ' issuer: "https://idp.example", subject: $subject}) {'
    " person { identities { subject } } pendingLink { id } errors { code } } }"
)


async def _links_at_once(client, world: World, persona: str) -> bool:
    subject = f"at-once-{persona}"
    variables = {"id": world.id_of("member2@x.example"), "subject": subject}
    body = await _run(client, world, persona, LINK_IDENTITY, variables)
    person = ((body.get("data") or {}).get("personLinkIdentity") or {}).get("person")
    return bool(person) and {"subject": subject} in (person["identities"] or [])


async def _confirms_a_link_proposed_for_someone_else(client, world: World, persona: str) -> bool:
    proposed = await gql(
        client,
        world.tenant.slug,
        LINK_IDENTITY,
        {"id": world.id_of("member2@x.example"), "subject": f"proposed-{persona}"},
        token=world.tenant.token("admin@x.example"),
    )
    link = proposed["data"]["personLinkIdentity"]["pendingLink"]["id"]
    body = await _run(
        client,
        world,
        persona,
        "mutation ($id: ID!) { personIdentityLinkConfirm(input: {id: $id}) { errors { code } } }",
        {"id": link},
    )
    return not _denied(body)


async def _roster_emails_visible(client, world: World, persona: str) -> bool:
    body = await _run(
        client,
        world,
        persona,
        '{ chapter(slug: "alpha") { members { edges { node { person { displayName email } } } } } }',
    )
    members = ((body.get("data") or {}).get("chapter") or {}).get("members")
    if not members:
        return False
    return any(
        e["node"]["person"]["email"]
        for e in members["edges"]
        if e["node"]["person"]["displayName"] == "member2"
    )


async def _remove(client, world: World, persona: str) -> bool:
    membership = await _membership_id(client, world, "member2@x.example")
    body = await _run(
        client,
        world,
        persona,
        'mutation ($id: ID!) { membershipRemove(input: {membershipId: $id, reason: "probe"}) {'
        " errors { code } } }",
        {"id": membership},
    )
    return not _denied(body)


async def _change_role(client, world: World, persona: str) -> bool:
    membership = await _membership_id(client, world, "member2@x.example")
    body = await _run(
        client,
        world,
        persona,
        "mutation ($id: ID!) { membershipChangeRole(input: {membershipId: $id, role: CO_LEAD}) {"
        " errors { code } } }",
        {"id": membership},
    )
    return not _denied(body)


async def _ops_organisation(client, world: World, name: str) -> str:
    """An organisation with notes and a contact, made by ops, for probes that need one."""
    ops = world.tenant.token("ops@x.example")
    body = await gql(
        client,
        world.tenant.slug,
        'mutation ($name: String!) { organisationCreate(input: {name: $name, kind: COMPANY, notes: "private"})'
        " { organisation { id } } }",
        {"name": name},
        token=ops,
    )
    organisation = body["data"]["organisationCreate"]["organisation"]["id"]
    await gql(
        client,
        world.tenant.slug,
        'mutation ($id: ID!) { organisationContactAdd(input: {organisationId: $id, name: "Dana"}) { errors { code } } }',
        {"id": organisation},
        token=ops,
    )
    return organisation


async def _organisation_private_visible(client, world: World, persona: str) -> bool:
    organisation = await _ops_organisation(client, world, f"Private {persona}")
    body = await _run(
        client,
        world,
        persona,
        "query ($id: ID!) { node(id: $id) { ... on Organisation { notes contacts { name } } } }",
        {"id": organisation},
    )
    node = (body.get("data") or {}).get("node")
    return bool(node and node["notes"] and node["contacts"])


async def _link_organisation(client, world: World, persona: str) -> bool:
    organisation = await _ops_organisation(client, world, f"Partner {persona}")
    body = await _run(
        client,
        world,
        persona,
        "mutation ($c: ID!, $o: ID!) { chapterOrganisationLink(input: {chapterId: $c, organisationId: $o})"
        " { errors { code } } }",
        {"c": _chapter_id(world), "o": organisation},
    )
    return not _denied(body)


async def _alpha_project(client, world: World, persona: str) -> str:
    """As ops: a program and a project of chapter alpha, for the persona to try."""
    ops = world.tenant.token("ops@x.example")
    program = await gql(
        client,
        world.tenant.slug,
        "mutation ($name: String!) { mentoringProgramCreate(input: {name: $name, year: 2026}) {"
        " program { id } } }",
        {"name": f"Probe {persona}"},
        token=ops,
    )
    project = await gql(
        client,
        world.tenant.slug,
        "mutation ($p: ID!, $c: ID!) { mentoringProjectCreate(input: {programId: $p,"
        ' chapterId: $c, title: "Probe"}) { project { id } } }',
        {"p": program["data"]["mentoringProgramCreate"]["program"]["id"], "c": _chapter_id(world)},
        token=ops,
    )
    return project["data"]["mentoringProjectCreate"]["project"]["id"]


async def _manage_project(client, world: World, persona: str) -> bool:
    project_id = await _alpha_project(client, world, persona)
    body = await _run(
        client,
        world,
        persona,
        'mutation ($id: ID!) { mentoringProjectUpdate(input: {id: $id, title: "Renamed"}) {'
        " errors { code } } }",
        {"id": project_id},
    )
    return not _denied(body)


async def _ops(client, world: World, query: str, variables: dict) -> dict:
    return await gql(
        client, world.tenant.slug, query, variables, token=world.tenant.token("ops@x.example")
    )


async def _activity(client, world: World, status: str = "DRAFT", *, past: bool = False) -> str:
    """A fresh activity of chapter alpha, set up by ops and taken to ``status``."""
    starts = datetime.now(UTC) + timedelta(days=-3 if past else 10)
    created = await _ops(
        client,
        world,
        "mutation ($input: ActivityCreateInput!) { activityCreate(input: $input) {"
        " activity { id } errors { code } } }",
        {
            "input": {
                "chapterId": _chapter_id(world),
                "kind": "OFFLINE_MEETUP",
                "title": "Probe",
                "venue": "Cafe",
                "startsAt": starts.isoformat(),
                "coHostChapterIds": [global_id("Chapter", world.gamma.id)],
            }
        },
    )
    activity = created["data"]["activityCreate"]["activity"]["id"]
    if status in {"SUBMITTED", "ACCEPTED"}:
        await _ops(
            client,
            world,
            "mutation ($id: ID!) { activitySubmit(input: {id: $id}) { errors { code } } }",
            {"id": activity},
        )
    if status == "ACCEPTED":
        await _ops(
            client,
            world,
            "mutation ($id: ID!) { activityReview(input: {id: $id, decision: ACCEPT}) { errors { code } } }",
            {"id": activity},
        )
    return activity


def _on_activity(query: str, status: str = "DRAFT", *, past: bool = False) -> Probe:
    async def probe(client, world: World, persona: str) -> bool:
        activity = await _activity(client, world, status, past=past)
        return not _denied(await _run(client, world, persona, query, {"id": activity}))

    return probe


def _reads_activity(status: str, fields: str = "title") -> Probe:
    async def probe(client, world: World, persona: str) -> bool:
        activity = await _activity(client, world, status)
        body = await _run(
            client,
            world,
            persona,
            "query ($id: ID!) { node(id: $id) { ... on Activity { " + fields + " } } }",
            {"id": activity},
        )
        node = (body.get("data") or {}).get("node")
        return node is not None and all(value is not None for value in node.values())

    return probe


async def _reads_participants(client, world: World, persona: str) -> bool:
    """Sees member2, who spoke without a public profile (the public sees such people not)."""
    activity = await _activity(client, world, "ACCEPTED")
    await _ops(
        client,
        world,
        "mutation ($id: ID!, $p: ID!) { activityAddParticipant(input: {activityId: $id,"
        " role: SPEAKER, personId: $p}) { errors { code } } }",
        {"id": activity, "p": world.id_of("member2@x.example")},
    )
    body = await _run(
        client,
        world,
        persona,
        "query ($id: ID!) { node(id: $id) { ... on Activity { participants { name } } } }",
        {"id": activity},
    )
    node = (body.get("data") or {}).get("node") or {}
    return {"name": "member2"} in (node.get("participants") or [])


async def _corrects_participants(client, world: World, persona: str) -> bool:
    """Adds a speaker to an accepted activity: only a change that goes through counts."""
    activity = await _activity(client, world, "ACCEPTED")
    body = await _run(
        client,
        world,
        persona,
        "mutation ($id: ID!) { activityAddParticipant(input: {activityId: $id, role: SPEAKER,"
        ' externalName: "Stand-in"}) { participant { id } errors { code } } }',
        {"id": activity},
    )
    payload = (body.get("data") or {}).get("activityAddParticipant") or {}
    return payload.get("participant") is not None and payload["errors"] == []


def _chapter_id(world: World) -> str:
    return global_id("Chapter", world.alpha.id)


async def _invited_person_visible(client, world: World, persona: str) -> bool:
    """A newcomer ops invite by email to alpha: not in the directory until they accept."""
    invited = await gql(
        client,
        world.tenant.slug,
        "mutation ($c: ID!, $e: String!) { membershipInviteByEmail(input: {chapterId: $c,"
        " email: $e}) { membership { person { id } } errors { code } } }",
        {"c": _chapter_id(world), "e": f"invitee-{uuid.uuid4().hex[:8]}@elsewhere.example"},
        token=world.tenant.token("ops@x.example"),
    )
    person = invited["data"]["membershipInviteByEmail"]["membership"]["person"]["id"]
    body = await _run(
        client,
        world,
        persona,
        "query ($id: ID!) { node(id: $id) { ... on Person { displayName } } }",
        {"id": person},
    )
    return bool((body.get("data") or {}).get("node"))


async def _speaker_reward(client, world: World) -> str:
    """As ops: a program with a budget, an accepted talk of alpha where member2 spoke, and a
    reward promised to member2 for it."""
    activity = await _activity(client, world, "ACCEPTED")
    await _ops(
        client,
        world,
        "mutation ($id: ID!, $p: ID!) { activityAddParticipant(input: {activityId: $id,"
        " role: SPEAKER, personId: $p}) { errors { code } } }",
        {"id": activity, "p": world.id_of("member2@x.example")},
    )
    program = await _ops(
        client,
        world,
        "mutation ($name: String!) { incentiveProgramCreate(input: {name: $name,"
        ' defaultCurrency: "EUR"}) { program { id } } }',
        {"name": f"Speakers {uuid.uuid4().hex[:8]}"},
    )
    body = await _ops(
        client,
        world,
        "mutation ($input: IncentiveRewardProposeInput!) { incentiveRewardPropose(input: $input)"
        " { reward { id } errors { code } } }",
        {
            "input": {
                "incentiveProgramId": program["data"]["incentiveProgramCreate"]["program"]["id"],
                "personId": world.id_of("member2@x.example"),
                "contributionId": activity,
                "kind": "SWAG",
                "description": "T-shirt",
            }
        },
    )
    return body["data"]["incentiveRewardPropose"]["reward"]["id"]


async def _proposes_reward(client, world: World, persona: str) -> bool:
    """A fee of zero for a talk of alpha: INVALID once past the policy."""
    activity = await _activity(client, world, "ACCEPTED")
    body = await _run(
        client,
        world,
        persona,
        "mutation ($input: IncentiveRewardProposeInput!) { incentiveRewardPropose(input: $input)"
        " { errors { code } } }",
        {
            "input": {
                "incentiveProgramId": global_id("IncentiveProgram", uuid.uuid4()),
                "personId": world.id_of("member2@x.example"),
                "contributionId": activity,
                "kind": "FEE",
                "description": "Fee",
                "amount": "0",
            }
        },
    )
    return not _denied(body)


async def _decides_reward(client, world: World, persona: str) -> bool:
    """Cancelling without a reason: REQUIRED once past the policy (nothing changes)."""
    reward = await _speaker_reward(client, world)
    body = await _run(
        client,
        world,
        persona,
        'mutation ($id: ID!) { incentiveRewardCancel(input: {id: $id, reason: " "}) {'
        " errors { code } } }",
        {"id": reward},
    )
    return not _denied(body)


async def _reads_reward(client, world: World, persona: str) -> bool:
    """A reward promised to member2 for a talk of alpha (member2 is no persona)."""
    reward = await _speaker_reward(client, world)
    body = await _run(
        client,
        world,
        persona,
        "query ($id: ID!) { node(id: $id) { ... on IncentiveReward { status } } }",
        {"id": reward},
    )
    return bool((body.get("data") or {}).get("node"))


async def _adds_agreement(client, world: World, persona: str) -> bool:
    """Ends before it starts: INVALID once past the policy."""
    organisation = await _ops_organisation(client, world, f"Signatory {persona}")
    related = await _ops(
        client,
        world,
        "mutation ($id: ID!) { organisationRelationshipAdd(input: {organisationId: $id,"
        " kind: PARTNER}) { relationship { id } } }",
        {"id": organisation},
    )
    body = await _run(
        client,
        world,
        persona,
        "mutation ($id: ID!) { partnerAgreementAdd(input: {relationshipId: $id, kind: MOU,"
        ' startsOn: "2026-02-01", endsOn: "2026-01-01"}) { errors { code } } }',
        {"id": related["data"]["organisationRelationshipAdd"]["relationship"]["id"]},
    )
    return not _denied(body)


async def _ops_conference(client, world: World, name: str) -> str:
    made = await _ops(
        client,
        world,
        "mutation ($name: String!) { conferenceCreate(input: {name: $name,"
        ' startsOn: "2026-06-01", endsOn: "2026-06-02"}) { conference { id } } }',
        {"name": name},
    )
    return str(made["data"]["conferenceCreate"]["conference"]["id"])


async def _drafts_own_talk(client, world: World, persona: str) -> bool:
    """A draft listing oneself (the default speaker) for a conference ops recorded."""
    conference = await _ops_conference(client, world, f"Talks by {persona}")
    body = await _run(
        client,
        world,
        persona,
        "mutation ($id: ID!) { talkSubmissionCreate(input: {conferenceId: $id,"
        ' title: "My talk"}) { submission { id } errors { code } } }',
        {"id": conference},
    )
    return not _denied(body)


async def _decides_talk(client, world: World, persona: str) -> bool:
    """Rejecting a talk ops are still drafting: CONFLICT once past the policy."""
    conference = await _ops_conference(client, world, f"Decided by {persona}")
    made = await _ops(
        client,
        world,
        "mutation ($id: ID!) { talkSubmissionCreate(input: {conferenceId: $id,"
        ' title: "Draft"}) { submission { id } } }',
        {"id": conference},
    )
    body = await _run(
        client,
        world,
        persona,
        "mutation ($id: ID!) { talkSubmissionReject(input: {id: $id}) { errors { code } } }",
        {"id": made["data"]["talkSubmissionCreate"]["submission"]["id"]},
    )
    return not _denied(body)


async def _pool_entry(client, world: World, email: str) -> str:
    """As ops: the person's entry in the author pool, with how to reach them (made once)."""
    made = await _ops(
        client,
        world,
        "mutation ($id: ID!) { authorCreate(input: {personId: $id, origin: INVITED,"
        ' contact: "WeChat: probe"}) { author { id } errors { code } } }',
        {"id": world.id_of(email)},
    )
    author = made["data"]["authorCreate"]["author"]
    if author is not None:
        return str(author["id"])
    listed = await _ops(
        client, world, "{ authors(first: 100) { edges { node { id person { id } } } } }", {}
    )
    return next(
        str(edge["node"]["id"])
        for edge in listed["data"]["authors"]["edges"]
        if (edge["node"]["person"] or {}).get("id") == world.id_of(email)
    )


async def _reads_member_author(client, world: World, persona: str) -> bool:
    """member2's entry in the pool (member2 is a member of alpha)."""
    entry = await _pool_entry(client, world, "member2@x.example")
    body = await _run(
        client,
        world,
        persona,
        "query ($id: ID!) { node(id: $id) { ... on Author { id } } }",
        {"id": entry},
    )
    return not _denied(body) and (body.get("data") or {}).get("node") is not None


async def _reads_own_author_contact(client, world: World, persona: str) -> bool:
    """How to reach the persona's own entry in the pool (anonymous callers have none: they
    try member2's)."""
    email = EMAILS.get(persona, "member2@x.example")
    entry = await _pool_entry(client, world, email)
    body = await _run(
        client,
        world,
        persona,
        "query ($id: ID!) { node(id: $id) { ... on Author { contact } } }",
        {"id": entry},
    )
    node = (body.get("data") or {}).get("node") or {}
    return not _denied(body) and node.get("contact") is not None


async def _case_user(client, world: World, persona: str) -> tuple[str, str]:
    """As ops: an organisation and its case-user story, unpublished."""
    organisation = await _ops_organisation(client, world, f"Adopter {persona}")
    made = await _ops(
        client,
        world,
        'mutation ($id: ID!) { caseUserAdd(input: {organisationId: $id, story: "Ours"}) {'
        " caseUser { id } } }",
        {"id": organisation},
    )
    return organisation, made["data"]["caseUserAdd"]["caseUser"]["id"]


async def _reads_unpublished_story(client, world: World, persona: str) -> bool:
    _, case_user = await _case_user(client, world, persona)
    body = await _run(
        client,
        world,
        persona,
        "query ($id: ID!) { node(id: $id) { ... on CaseUser { story } } }",
        {"id": case_user},
    )
    return not _denied(body) and bool((body.get("data") or {}).get("node"))


async def _adds_case_user(client, world: World, persona: str) -> bool:
    """A logo that is no URL: INVALID once past the policy."""
    organisation = await _ops_organisation(client, world, f"Newcomer {persona}")
    body = await _run(
        client,
        world,
        persona,
        'mutation ($id: ID!) { caseUserAdd(input: {organisationId: $id, logoUrl: "logo"}) {'
        " errors { code } } }",
        {"id": organisation},
    )
    return not _denied(body)


PROBES: dict[Action, Probe] = {
    Action.CHAPTER_READ_DIRECTORY: query("{ chapters { edges { node { name } } } }"),
    Action.CHAPTER_CREATE: mutation(
        'mutation ($slug: String!) { chapterCreate(input: {name: "New", slug: $slug}) {'
        " errors { code } } }",
        lambda world, persona: {"slug": f"new-{persona.replace('_', '-')}"},
    ),
    Action.CHAPTER_UPDATE: mutation(
        'mutation ($id: ID!) { chapterUpdate(input: {id: $id, description: "x"}) { errors { code } } }',
        lambda world, persona: {"id": _chapter_id(world)},
    ),
    Action.CHAPTER_CHANGE_STATUS: mutation(
        'mutation ($id: ID!) { chapterChangeStatus(input: {id: $id, status: DORMANT, reason: "quiet"})'
        " { errors { code } } }",
        lambda world, persona: {"id": _chapter_id(world)},
    ),
    Action.CHAPTER_RESTRUCTURE: mutation(
        "mutation ($id: ID!, $parent: ID!) { chapterUpdate(input: {id: $id, parentId: $parent}) {"
        " errors { code } } }",
        lambda world, persona: {
            "id": _chapter_id(world),
            "parent": global_id("Chapter", world.beta.id),
        },
    ),
    Action.CHAPTER_READ_ROSTER: query(
        '{ chapter(slug: "alpha") { members { edges { node { role } } } } }'
    ),
    Action.CHAPTER_READ_MEMBER_EMAILS: _roster_emails_visible,
    Action.CHAPTER_READ_HISTORY: query(
        '{ chapter(slug: "alpha") { membershipHistory { totalCount } } }'
    ),
    Action.MEMBERSHIP_INVITE: mutation(
        "mutation ($c: ID!, $p: ID!) { membershipInvite(input: {chapterId: $c, personId: $p}) {"
        " errors { code } } }",
        lambda world, persona: {"c": _chapter_id(world), "p": world.id_of("outsider@x.example")},
    ),
    Action.MEMBERSHIP_REMOVE: _remove,
    Action.MEMBERSHIP_CHANGE_ROLE: _change_role,
    Action.MEMBERSHIP_LEAVE: _leave,
    Action.MEMBERSHIP_ACCEPT: _accept,
    Action.CHAPTER_APPOINT_LEAD: mutation(
        "mutation ($c: ID!, $p: ID!) { chapterAppointLead(input: {chapterId: $c, personId: $p}) {"
        " errors { code } } }",
        lambda world, persona: {"c": _chapter_id(world), "p": world.id_of("member2@x.example")},
    ),
    Action.PERSON_READ_EMAIL: _member_email_visible,
    Action.PERSON_LINK_IDENTITY_DIRECTLY: _links_at_once,
    Action.PERSON_CONFIRM_IDENTITY_LINK: _confirms_a_link_proposed_for_someone_else,
    Action.PERSON_READ_IDENTITIES: _identities_visible,
    Action.PERSON_READ_INVITED: _invited_person_visible,
    Action.PERSON_READ_PROFILE: query(
        "query ($id: ID!) { node(id: $id) { ... on Person { displayName } } }",
        lambda world, persona: {"id": world.id_of("member2@x.example")},
        denied_when_null="node",
    ),
    Action.COMMITTEE_READ: query("{ committees(first: 5) { edges { node { name } } } }"),
    Action.COMMITTEE_MANAGE: mutation(
        "mutation ($name: String!) { committeeCreate(input: {name: $name, kind: OTHER}) {"
        " errors { code } } }",
        lambda world, persona: {"name": f"Committee {persona}"},
    ),
    Action.PERSON_SEARCH: query("{ people(first: 5) { edges { node { displayName } } } }"),
    Action.PERSON_CREATE: mutation(
        'mutation ($email: String!) { personCreate(input: {displayName: "New", email: $email}) {'
        " errors { code } } }",
        lambda world, persona: {"email": f"new.{persona}@x.example"},
    ),
    Action.PERSON_UPDATE: mutation(
        'mutation ($id: ID!) { personUpdate(input: {id: $id, city: "Chengdu"}) { errors { code } } }',
        lambda world, persona: {"id": world.id_of("member2@x.example")},
    ),
    Action.PERSON_CHANGE_ROLE: mutation(
        "mutation ($id: ID!) { personUpdate(input: {id: $id, tenantRole: VIEWER}) { errors { code } } }",
        lambda world, persona: {"id": world.id_of("member2@x.example")},
    ),
    Action.PERSON_SET_SEGMENTS: mutation(
        "mutation ($id: ID!) { personUpdate(input: {id: $id, segments: [CODE_CONTRIBUTOR]})"
        " { errors { code } } }",
        # Each persona on their own profile (anonymous: on a member's).
        lambda world, persona: {"id": world.id_of(EMAILS.get(persona, "member2@x.example"))},
    ),
    Action.PERSON_LINK_IDENTITY: mutation(
        "mutation ($id: ID!, $subject: String!) { personLinkIdentity(input: {personId: $id,"
        ' issuer: "https://idp.example", subject: $subject}) { errors { code } } }',
        lambda world, persona: {"id": world.id_of("member2@x.example"), "subject": persona},
    ),
    Action.ORGANISATION_READ: query("{ organisations(first: 5) { edges { node { name } } } }"),
    Action.ORGANISATION_READ_PRIVATE: _organisation_private_visible,
    Action.ORGANISATION_MANAGE: mutation(
        "mutation ($name: String!) { organisationCreate(input: {name: $name, kind: COMPANY}) { errors { code } } }",
        lambda world, persona: {"name": f"Organisation {persona}"},
    ),
    Action.ORGANISATION_LINK_CHAPTER: _link_organisation,
    Action.ACTIVITY_READ_ACCEPTED: _reads_activity("ACCEPTED"),
    Action.ACTIVITY_READ_UNACCEPTED: _reads_activity("DRAFT"),
    Action.ACTIVITY_READ_PARTICIPANTS: _reads_participants,
    Action.ACTIVITY_CREATE: mutation(
        'mutation ($c: ID!) { activityCreate(input: {chapterId: $c, kind: TALK, title: "T",'
        ' startsAt: "2030-01-01T10:00:00Z"}) { errors { code } } }',
        lambda world, persona: {"c": _chapter_id(world)},
    ),
    Action.ACTIVITY_EDIT: _on_activity(
        'mutation ($id: ID!) { activityUpdate(input: {id: $id, title: "Edited"}) { errors { code } } }'
    ),
    Action.ACTIVITY_SUBMIT: _on_activity(
        "mutation ($id: ID!) { activitySubmit(input: {id: $id}) { errors { code } } }"
    ),
    Action.ACTIVITY_CANCEL: _on_activity(
        'mutation ($id: ID!) { activityCancel(input: {id: $id, reason: "Rain"}) { errors { code } } }'
    ),
    Action.ACTIVITY_RECAP: _on_activity(
        'mutation ($id: ID!) { activityPublishRecap(input: {id: $id, summary: "Went well"}) {'
        " errors { code } } }",
        "ACCEPTED",
        past=True,
    ),
    Action.ACTIVITY_COMMENT: _on_activity(
        'mutation ($id: ID!) { activityComment(input: {activityId: $id, body: "Hi"}) { errors { code } } }'
    ),
    Action.ACTIVITY_REVIEW: _on_activity(
        "mutation ($id: ID!) { activityReview(input: {id: $id, decision: ACCEPT}) { errors { code } } }",
        "SUBMITTED",
    ),
    Action.ACTIVITY_REOPEN: _on_activity(
        'mutation ($id: ID!) { activityReopen(input: {id: $id, reason: "Wrong venue"}) {'
        " errors { code } } }",
        "ACCEPTED",
    ),
    Action.ACTIVITY_RESCHEDULE: _on_activity(
        "mutation ($id: ID!) { activityReschedule(input: {id: $id,"
        ' startsAt: "2031-02-01T10:00:00Z", reason: "Rain"}) { errors { code } } }',
        "ACCEPTED",
    ),
    Action.ACTIVITY_CORRECT_PARTICIPANTS: _corrects_participants,
    Action.ACTIVITY_OVERSEE: query(
        "{ activityReviewQueue(first: 5) { edges { node { id } } }"
        " overdueRecaps(first: 5) { edges { node { id } } } }"
    ),
    Action.ACCESS_MANAGE: mutation(
        "mutation ($name: String!) { apiClientCreate(input: {name: $name, kind: SERVICE,"
        ' scopes: ["activities:read"]}) { errors { code } } }',
        lambda world, persona: {"name": f"Client {persona}"},
    ),
    Action.WEBHOOK_MANAGE: query("{ webhookEndpoints(first: 5) { edges { node { url } } } }"),
    Action.NOTIFICATION_MANAGE_OWN: mutation(
        "mutation { notificationsMarkRead(input: {all: true}) { errors { code } } }",
        lambda world, persona: {},
    ),
    Action.JOB_MANAGE: query("{ jobs(first: 5) { edges { node { id state } } } }"),
    Action.FEED_MANAGE_OWN: mutation(
        "mutation { calendarFeedCreate { errors { code } } }", lambda world, persona: {}
    ),
    Action.PROGRAM_READ: query("{ mentoringPrograms(first: 5) { edges { node { name } } } }"),
    Action.PROGRAM_MANAGE: mutation(
        "mutation ($name: String!) { mentoringProgramCreate(input: {name: $name, year: 2026}) {"
        " errors { code } } }",
        lambda world, persona: {"name": f"Program {persona}"},
    ),
    Action.PROJECT_MANAGE: _manage_project,
    Action.AUDIT_READ: query("{ auditLog(first: 5) { edges { node { action objectType } } } }"),
    Action.TENANT_UPDATE: mutation(
        'mutation { tenantUpdate(input: {name: "Renamed"}) { errors { code } } }',
        lambda world, persona: {},
    ),
    Action.INSIGHT_READ_TENANT: query("{ retentionCohorts(periods: 2) { cohorts { size } } }"),
    Action.INSIGHT_READ_CHAPTER: _field_probe(
        "query ($id: ID!) { node(id: $id) { ... on Chapter { health { status } } } }",
        lambda world, persona: {"id": global_id("Chapter", world.alpha.id)},
        lambda data: data["node"]["health"] is not None,
    ),
    Action.INSIGHT_READ_PARTNER: _field_probe(  # the partner's view: activities, no people
        '{ communityMetrics(quarter: "2026-Q1") { tenant { activities active } } }',
        lambda world, persona: {},
        lambda data: (
            bool(data["communityMetrics"]["tenant"])
            and all(point["active"] is None for point in data["communityMetrics"]["tenant"])
        ),
    ),
    Action.INSIGHT_READ_SMALL_GROUPS: _field_probe(  # no contributor here: fewer than five
        "{ contributorsToReactivate(first: 5) { namesWithheld } }",
        lambda world, persona: {},
        lambda data: not data["contributorsToReactivate"]["namesWithheld"],
    ),
    Action.CONTRIBUTION_IMPORT: mutation(  # a bad address: INVALID once past the policy
        'mutation { contributionsImport(input: {events: [{handle: "octocat",'
        ' repository: "octo-org/hello", kind: PULL_REQUEST, url: "ftp://x",'
        ' occurredAt: "2026-03-14T11:00:00Z"}]}) { errors { code } } }',
        lambda world, persona: {},
    ),
    Action.DATA_EXPORT: _download_probe("/exports/activities.csv"),
    Action.PERSON_READ_ACTIVITY: _field_probe(
        "query ($id: ID!) { node(id: $id) { ... on Person { activity { active } } } }",
        lambda world, persona: {"id": world.id_of("member2@x.example")},
        lambda data: (data["node"] or {}).get("activity") is not None,
    ),
    Action.AMBASSADOR_READ_DIRECTORY: query(
        "{ ambassadors(status: ALUMNI) { edges { node { displayName } } } }"
    ),
    Action.AMBASSADOR_PROGRAM_MANAGE: mutation(
        "mutation ($name: String!) { ambassadorProgramCreate(input: {name: $name,"
        " termMonths: 12}) { errors { code } } }",
        lambda world, persona: {"name": f"Ambassadors {persona}"},
    ),
    Action.AMBASSADOR_NOMINATE: ambassador_probes.nominates,
    Action.AMBASSADOR_READ_NOMINATION: ambassador_probes.reads_nomination,
    Action.AMBASSADOR_REVIEW: query("{ ambassadorRenewalsDue { edges { cursor } } }"),
    Action.AMBASSADOR_READ_TERMS: ambassador_probes.reads_term,
    Action.RECOGNITION_MANAGE: mutation(
        "mutation ($name: String!) { recognitionTitleCreate(input: {name: $name}) {"
        " errors { code } } }",
        lambda world, persona: {"name": f"Title {persona}"},
    ),
    Action.RECOGNITION_READ: query("{ certificates(first: 5) { edges { node { publicId } } } }"),
    Action.CERTIFICATE_ISSUE: mutation(  # names nothing: REQUIRED once past the policy
        "mutation { certificateIssue(input: {}) { errors { code } } }", lambda world, persona: {}
    ),
    Action.CERTIFICATE_READ_OWN: _field_probe(
        "{ viewer { certificates(first: 5) { edges { node { publicId } } } } }",
        lambda world, persona: {},
        lambda data: bool(data["viewer"]) and data["viewer"]["certificates"] is not None,
    ),
    Action.CERTIFICATE_VERIFY: recognition_probes.verifies,
    Action.INCENTIVE_PROGRAM_MANAGE: mutation(
        "mutation ($name: String!) { incentiveProgramCreate(input: {name: $name,"
        ' defaultCurrency: "EUR"}) { errors { code } } }',
        lambda world, persona: {"name": f"Rewards {persona}"},
    ),
    Action.INCENTIVE_PROGRAM_READ: query(
        "{ incentivePrograms(first: 5) { edges { node { name } } } }"
    ),
    Action.INCENTIVE_PROPOSE: _proposes_reward,
    Action.INCENTIVE_DECIDE: _decides_reward,
    Action.INCENTIVE_READ: _reads_reward,
    Action.INCENTIVE_READ_OWN: _field_probe(
        "{ viewer { incentiveRewards(first: 5) { edges { node { id } } } } }",
        lambda world, persona: {},
        lambda data: bool(data["viewer"]) and data["viewer"]["incentiveRewards"] is not None,
    ),
    Action.AGREEMENT_READ: query("{ partnerAgreements(first: 5) { edges { node { id } } } }"),
    Action.AGREEMENT_MANAGE: _adds_agreement,
    Action.CASE_USER_READ_PUBLISHED: query("{ caseUsers(first: 5) { edges { node { name } } } }"),
    Action.CASE_USER_READ: _reads_unpublished_story,
    Action.CASE_USER_MANAGE: _adds_case_user,
    Action.CONFERENCE_READ: query("{ conferences(first: 5) { edges { node { name } } } }"),
    Action.CONFERENCE_MANAGE: mutation(  # ends before it starts: INVALID once past the policy
        "mutation ($name: String!) { conferenceCreate(input: {name: $name,"
        ' startsOn: "2026-02-01", endsOn: "2026-01-01"}) { errors { code } } }',
        lambda world, persona: {"name": f"Summit {persona}"},
    ),
    Action.TALK_SUBMIT: _drafts_own_talk,
    Action.TALK_DECIDE: _decides_talk,
    Action.AUTHOR_READ: _reads_member_author,
    Action.AUTHOR_READ_CONTACT: _reads_own_author_contact,
    Action.AUTHOR_MANAGE: mutation(  # a bad address: INVALID once past the policy
        "mutation ($name: String!) { authorCreate(input: {name: $name, origin: FOUND,"
        ' sourceUrl: "ftp://x"}) { errors { code } } }',
        lambda world, persona: {"name": f"Writer {persona}"},
    ),
}


async def _registered(client, world: World) -> tuple[str, dict]:
    """A fresh accepted activity of alpha, and member2's registration for it."""
    activity = await _activity(client, world, "ACCEPTED")
    body = await gql(
        client,
        world.tenant.slug,
        "mutation ($id: ID!) { activityRegister(input: {activityId: $id}) {"
        " registration { id checkInCode } errors { code } } }",
        {"id": activity},
        token=world.tenant.token("member2@x.example"),
    )
    return activity, body["data"]["activityRegister"]["registration"]


async def _reads_registrants(client, world: World, persona: str) -> bool:
    activity, _ = await _registered(client, world)
    body = await _run(
        client,
        world,
        persona,
        "query ($id: ID!) { node(id: $id) { ... on Activity { registrations {"
        " edges { node { email } } } } } }",
        {"id": activity},
    )
    node = (body.get("data") or {}).get("node") or {}
    return not _denied(body) and bool(node.get("registrations"))


async def _checks_in(client, world: World, persona: str) -> bool:
    activity, registration = await _registered(client, world)
    body = await _run(
        client,
        world,
        persona,
        "mutation ($id: ID!, $code: String!) { registrationCheckIn(input: {activityId: $id,"
        " code: $code}) { errors { code } } }",
        {"id": activity, "code": registration["checkInCode"]},
    )
    return not _denied(body)


async def _exports_registrants(client, world: World, persona: str) -> bool:
    activity, _ = await _registered(client, world)
    return await _download_probe(f"/activities/{activity}/registrants.csv")(client, world, persona)


async def _erases_registrant(client, world: World, persona: str) -> bool:
    _, registration = await _registered(client, world)
    body = await _run(
        client,
        world,
        persona,
        "mutation ($id: ID!) { registrationErase(input: {registrationId: $id}) {"
        " errors { code } } }",
        {"id": registration["id"]},
    )
    return not _denied(body)


PROBES.update(
    {
        Action.REGISTRATION_REGISTER: _on_activity(
            "mutation ($id: ID!) { activityRegister(input: {activityId: $id}) { errors { code } } }",
            "ACCEPTED",
        ),
        Action.REGISTRATION_READ: _reads_registrants,
        Action.REGISTRATION_CHECK_IN: _checks_in,
        Action.REGISTRATION_EXPORT: _exports_registrants,
        Action.REGISTRATION_ERASE: _erases_registrant,
    }
)


async def _publishes_recording(client, world: World, persona: str) -> bool:
    """Where the recording of an accepted activity that has not started went: CONFLICT (no
    recording yet) once past the policy."""
    activity = await _activity(client, world, "ACCEPTED")
    body = await _run(
        client,
        world,
        persona,
        "mutation ($id: ID!, $channel: ID!) { activityRecordingPublish(input: {activityId: $id,"
        ' publications: [{channelId: $channel, publishedOn: "2026-01-01"}]}) {'
        " errors { code } } }",
        {"id": activity, "channel": global_id("Channel", uuid.uuid4())},
    )
    return not _denied(body)


PROBES.update(
    {
        Action.CHANNEL_READ: query("{ channels(first: 5) { edges { node { name } } } }"),
        Action.CHANNEL_MANAGE: mutation(  # a bad address: INVALID once past the policy
            "mutation ($name: String!) { channelCreate(input: {name: $name, kind: WEBSITE,"
            ' url: "ftp://x"}) { errors { code } } }',
            lambda world, persona: {"name": f"Channel {persona}"},
        ),
        Action.REACH_RECORD: _publishes_recording,
        Action.REACH_READ: query('{ channelReach(from: "2026-01", to: "2026-03") { reads } }'),
    }
)


async def _publishes_newsletter(client, world: World, persona: str) -> bool:
    """A draft issue ops made; publishing it nowhere is REQUIRED once past the policy."""
    made = await gql(
        client,
        world.tenant.slug,
        "mutation ($name: String!) { newsletterColumnCreate(input: {name: $name,"
        ' cadence: WEEKLY, firstIssueOn: "2026-01-06"}) { column { id } errors { code } } }',
        {"name": f"Weekly {persona}"},
        token=world.tenant.token("ops@x.example"),
    )
    column = made["data"]["newsletterColumnCreate"]["column"]["id"]
    issue = await gql(
        client,
        world.tenant.slug,
        "mutation ($c: ID!) { newsletterIssueCreate(input: {columnId: $c}) { issue { id } } }",
        {"c": column},
        token=world.tenant.token("ops@x.example"),
    )
    body = await _run(
        client,
        world,
        persona,
        "mutation ($id: ID!) { newsletterIssuePublish(input: {id: $id, publications: []}) {"
        " errors { code } } }",
        {"id": issue["data"]["newsletterIssueCreate"]["issue"]["id"]},
    )
    return not _denied(body)


PROBES.update(
    {
        Action.NEWSLETTER_READ_PUBLISHED: query(
            "{ newsletterIssues(status: PUBLISHED, first: 5) { edges { node { title } } } }"
        ),
        Action.NEWSLETTER_EDIT: mutation(  # a template that does not compile: INVALID past it
            "mutation ($name: String!) { newsletterColumnCreate(input: {name: $name,"
            ' cadence: WEEKLY, firstIssueOn: "2026-01-06", templateEn: "{{"}) {'
            " errors { code } } }",
            lambda world, persona: {"name": f"Weekly {persona}"},
        ),
        Action.NEWSLETTER_PUBLISH: _publishes_newsletter,
    }
)


async def _ops_article(
    client, world: World, persona: str, *steps: str, chapter: bool = True, **fields: Any
) -> str:
    """As ops: an article of chapter alpha (``chapter``) written by member2 unless ``fields``
    name others, taken through ``steps``."""
    input = {"title": f"Article for {persona}", "kind": "NEWS", "body": "Text."}
    input |= {"personIds": [world.id_of("member2@x.example")], **fields}
    if chapter:
        input["chapterId"] = _chapter_id(world)
    made = await _ops(
        client,
        world,
        "mutation ($input: ArticleCreateInput!) { articleCreate(input: $input) {"
        " article { id } errors { code } } }",
        {"input": input},
    )
    article = str(made["data"]["articleCreate"]["article"]["id"])
    for step in steps:
        document, variables = _article_step(step), {"id": article}
        if step == "Publish":
            variables["channel"] = await _ops_channel(client, world, f"Channel for {persona}")
        body = await _ops(client, world, document, variables)
        assert body["data"][f"article{step}"]["errors"] == [], (step, body)
    return article


def _article_step(step: str) -> str:
    if step == "Publish":
        return (
            "mutation ($id: ID!, $channel: ID!) { articlePublish(input: {id: $id,"
            ' publications: [{channelId: $channel, publishedOn: "2026-01-01"}]}) {'
            " errors { code } } }"
        )
    return f"mutation ($id: ID!) {{ article{step}(input: {{id: $id}}) {{ errors {{ code }} }} }}"


async def _ops_channel(client, world: World, name: str) -> str:
    made = await _ops(
        client,
        world,
        "mutation ($name: String!) { channelCreate(input: {name: $name, kind: WEBSITE}) {"
        " channel { id } } }",
        {"name": name},
    )
    return str(made["data"]["channelCreate"]["channel"]["id"])


def _on_article(document: str, *steps: str, chapter: bool = True, own: bool = False) -> Probe:
    """``document`` (taking ``$id``) as the persona on a fresh article of ops', taken through
    ``steps``; ``own``: the persona is its author (anonymous callers: member2 is)."""

    async def probe(client, world: World, persona: str) -> bool:
        fields = {}
        if own and persona in EMAILS:
            fields["personIds"] = [world.id_of(EMAILS[persona])]
        article = await _ops_article(client, world, persona, *steps, chapter=chapter, **fields)
        return not _denied(await _run(client, world, persona, document, {"id": article}))

    return probe


def _reads_article(*steps: str, chapter: bool) -> Probe:
    async def probe(client, world: World, persona: str) -> bool:
        article = await _ops_article(client, world, persona, *steps, chapter=chapter)
        body = await _run(
            client,
            world,
            persona,
            "query ($id: ID!) { node(id: $id) { ... on Article { title } } }",
            {"id": article},
        )
        return not _denied(body) and (body.get("data") or {}).get("node") is not None

    return probe


PROBES.update(
    {
        Action.EDITOR_APPOINT: mutation(
            "mutation ($id: ID!) { contentEditorAppoint(input: {personId: $id}) {"
            " errors { code } } }",
            lambda world, persona: {"id": world.id_of("member2@x.example")},
        ),
        # published, of no chapter
        Action.ARTICLE_READ_PUBLISHED: _reads_article(
            "Start", "Submit", "StartReview", "Publish", chapter=False
        ),
        # of alpha, by member2, in review
        Action.ARTICLE_READ: _reads_article("Start", "Submit", "StartReview", chapter=True),
        Action.ARTICLE_PROPOSE: mutation(  # no title nor kind: REQUIRED once past the policy
            'mutation { articleCreate(input: {title: " "}) { errors { code } } }',
            lambda world, persona: {},
        ),
        Action.ARTICLE_EDIT: _on_article(  # member2's draft of alpha; REQUIRED past the policy
            'mutation ($id: ID!) { articleUpdate(input: {id: $id, title: " "}) {'
            " errors { code } } }",
            "Start",
        ),
        Action.ARTICLE_SUBMIT: _on_article(  # one's own draft of alpha
            "mutation ($id: ID!) { articleSubmit(input: {id: $id}) { errors { code } } }",
            "Start",
            own=True,
        ),
        Action.ARTICLE_REVIEW: _on_article(  # a draft: CONFLICT once past the policy
            "mutation ($id: ID!) { articleStartReview(input: {id: $id}) { errors { code } } }",
            "Start",
            chapter=False,
        ),
        Action.ARTICLE_PUBLISH: _on_article(  # a draft: CONFLICT once past the policy
            "mutation ($id: ID!) { articlePublish(input: {id: $id, publications: []}) {"
            " errors { code } } }",
            "Start",
            chapter=False,
        ),
        Action.ARTICLE_TEMPLATE_MANAGE: mutation(  # no sections: REQUIRED past the policy
            'mutation { articleTemplateCreate(input: {name: "Guide", sections: []}) {'
            " errors { code } } }",
            lambda world, persona: {},
        ),
        Action.REPRINT_MANAGE: _on_article(  # an original: CONFLICT once past the policy
            "mutation ($id: ID!) { reprintPermissionRequest(input: {articleId: $id,"
            ' contact: "a@b.example"}) { errors { code } } }',
            chapter=False,
        ),
    }
)


# Actions whose probe is still to be written (none: every action is checked).
PENDING: set[Action] = set()


def test_every_action_has_a_row_and_a_probe() -> None:
    assert set(rights.RIGHTS) == set(Action), "add the action's rights to tests/authz/rights.py"
    placed = [*WHERE, *ON_MEMBER2S_ACCOUNT, *COMPOUND]
    assert len(placed) == len(set(placed)), "an action placed twice"
    assert set(EXPECTED) == set(Action), "say where each new action's probe acts (WHERE)"
    missing = set(Action) - set(PROBES) - PENDING
    assert missing == set(), f"no probe for {sorted(missing)}"


CELLS = [(action, persona) for action in PROBES for persona in PERSONAS]
# Probes that change another persona's roles get a world of their own per cell; the others
# share one world per action (their changes cannot turn a later persona's denial into a pass).
FRESH_WORLD_PER_CELL = {Action.CHAPTER_APPOINT_LEAD, Action.PERSON_CHANGE_ROLE}


@pytest.fixture(scope="module")
def worlds() -> dict[Action, World]:
    return {}


@pytest.mark.parametrize(("action", "persona"), CELLS, ids=[f"{a.name}-{p}" for a, p in CELLS])
async def test_permission_cell(
    client, tenants, owner_engine, worlds, action: Action, persona: str
) -> None:
    if action in FRESH_WORLD_PER_CELL or action not in worlds:
        worlds[action] = await build_world(tenants, owner_engine)
    world = worlds[action]
    allowed = await PROBES[action](client, world, persona)
    assert allowed == (persona in EXPECTED[action]), (
        f"{persona} {'could' if allowed else 'could not'} {action.value}"
    )


# An invitation grants nothing until it is accepted: the chapter's leads do not see the
# invitee's email (they named the person by id, never typed the address), and the invitee
# holds no role in the chapter (no roster, no members' emails).
# The invitee is the outsider, invited to alpha by id: alpha's leads hold nothing over them yet.
INVITEE_EMAIL_VISIBLE = {
    persona
    for persona in PERSONAS
    if rights.sees_email(holds(persona, "own" if persona == "outsider" else "tenant"), [])
}


@pytest.fixture(scope="module")
async def invited_world(client, tenants, owner_engine) -> World:
    world = await build_world(tenants, owner_engine)
    invited = await gql(
        client,
        world.tenant.slug,
        "mutation ($c: ID!, $p: ID!) { membershipInvite(input: {chapterId: $c, personId: $p}) {"
        " membership { id } errors { code } } }",
        {"c": _chapter_id(world), "p": world.id_of("outsider@x.example")},
        token=world.tenant.token("lead@x.example"),
    )
    assert invited["data"]["membershipInvite"]["errors"] == []
    return world


@pytest.mark.parametrize("persona", PERSONAS)
async def test_an_invitee_is_no_member_until_accepted(client, invited_world, persona) -> None:
    world = invited_world
    body = await _run(
        client,
        world,
        persona,
        "query ($id: ID!) { node(id: $id) { ... on Person { email } } }",
        {"id": world.id_of("outsider@x.example")},
    )
    node = (body.get("data") or {}).get("node")
    assert bool(node and node["email"]) == (persona in INVITEE_EMAIL_VISIBLE)
    roster = await _run(
        client,
        world,
        persona,
        '{ chapter(slug: "alpha") { members(status: [ACTIVE, INVITED]) {'
        " edges { node { status person { email } } } } } }",
    )
    members = ((roster.get("data") or {}).get("chapter") or {}).get("members")
    if persona == "outsider":
        assert members is None, "an invitee reads the roster"
    invited = [
        e["node"]["person"]["email"]
        for e in (members or {}).get("edges", [])
        if e["node"]["status"] == "INVITED"
    ]
    for email in invited:
        assert (email is not None) == (persona in INVITEE_EMAIL_VISIBLE), "on the roster"


# --- power over another person's account ------------------------------------------------------
# Who may act on whose account, as (actor, target) pairs, from ``rights.may_act_on_account``:
# staff act on people ranked below them (owner > admin > ops > viewer > no tenant role),
# everyone on their own account where the action allows it at all, nobody on an equal or
# higher one. Each probe fails validation once past the policy, so nothing is written.
RANKED = ["owner", "admin", "ops", "viewer", "member"]
POWER_ACTIONS = {
    "edit the profile": Action.PERSON_UPDATE,
    "change the tenant role": Action.PERSON_CHANGE_ROLE,
    "link an identity": Action.PERSON_LINK_IDENTITY,
    "unlink an identity": Action.PERSON_LINK_IDENTITY,
}
SELVES = {(persona, persona) for persona in RANKED}
POWER_EXPECTED: dict[str, set[tuple[str, str]]] = {
    name: {
        (actor, target)
        for actor in RANKED
        for target in RANKED
        if rights.may_act_on_account(
            action, IS[actor], rights.tenant_role(IS[target]), own=actor == target
        )
    }
    for name, action in POWER_ACTIONS.items()
}
ERRORS_PAST_POLICY = {
    "edit the profile": {("displayName", "REQUIRED")},
    "change the tenant role": {("displayName", "REQUIRED")},
    "link an identity": {("issuer", "REQUIRED")},
    "unlink an identity": {("subject", "NOT_FOUND")},
}


def _power_probe(action: str, target_id: str, target: str) -> tuple[str, dict]:
    if action == "edit the profile":
        return (
            "mutation ($input: PersonUpdateInput!) { personUpdate(input: $input) {"
            " errors { field code } } }",
            {"input": {"id": target_id, "city": "Elsewhere", "displayName": ""}},
        )
    if action == "change the tenant role":
        role = "OPS" if target == "viewer" else "VIEWER"
        return (
            "mutation ($input: PersonUpdateInput!) { personUpdate(input: $input) {"
            " errors { field code } } }",
            {"input": {"id": target_id, "tenantRole": role, "displayName": ""}},
        )
    field = "personLinkIdentity" if action == "link an identity" else "personUnlinkIdentity"
    issuer = "" if action == "link an identity" else "https://nobody.example"
    return (
        f"mutation ($input: PersonIdentityInput!) {{ {field}(input: $input) {{"
        " errors { field code } } }",
        {"input": {"personId": target_id, "issuer": issuer, "subject": "none"}},
    )


@pytest.fixture(scope="module")
async def power_world(tenants, owner_engine) -> World:
    return await build_world(tenants, owner_engine)


POWER_CELLS = [(a, actor, t) for a in POWER_EXPECTED for actor in RANKED for t in RANKED]


@pytest.mark.parametrize(
    ("action", "actor", "target"), POWER_CELLS, ids=[f"{a}-{x}-on-{t}" for a, x, t in POWER_CELLS]
)
async def test_power_over_another_persons_account(
    client, power_world, action: str, actor: str, target: str
) -> None:
    document, variables = _power_probe(action, power_world.id_of(EMAILS[target]), target)
    body = await _run(client, power_world, actor, document, variables)
    (payload,) = body["data"].values()
    got = {(error["field"], error["code"]) for error in payload["errors"]}
    allowed = got == ERRORS_PAST_POLICY[action]
    assert allowed or got == {(None, "FORBIDDEN")} or (actor, target) in SELVES, got
    assert allowed == ((actor, target) in POWER_EXPECTED[action]), (
        f"{actor} {'could' if allowed else 'could not'} {action} of {target}: {got}"
    )
