"""What staff, leads and partners may see, through the HTTP endpoint with real tokens.

- The audit log: a secret is never recorded (nor shown, even from rows written before the
  rule), and every column marked restricted on the model is shown in an audit entry exactly to
  the callers who see it on the object itself. The marked columns are read from the model
  metadata, so a newly marked column is covered (or fails until the scenario fills it).
- An invitation grants nothing until it is accepted: the inviting lead does not see the
  invitee's email (the lead named the person by id, never typed the address).
- A partner's client sees its own organisation only, wherever organisations show.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from strawberry.utils.str_converters import to_camel_case

from chapters.api.ids import global_id
from chapters.audit.visibility import SECRET_MARK, marked_columns
from chapters.db.session import open_tenant_session, tenant_sessionmaker
from chapters.models import AuditEntry, IdentityProvider, TenantRole
from tests.support import TenantFixture, data_of, gql, make_chapter, person_id

OWNER, ADMIN, OPS = "owner@v.example", "admin@v.example", "ops@v.example"
TARGET, LEAD, INVITEE = "target@v.example", "lead@v.example", "invitee@v.example"
AUDIT_READERS = (OWNER, ADMIN, OPS)
PEOPLE = {
    OWNER: TenantRole.OWNER,
    ADMIN: TenantRole.ADMIN,
    OPS: TenantRole.OPS,
    TARGET: None,
    LEAD: None,
    INVITEE: None,
}
AUDIT = """
query ($after: String) {
  auditLog(first: 100, after: $after) {
    edges { node { id action objectType objectId operation changes { field before after } } }
    pageInfo { hasNextPage endCursor }
  }
}"""
AUDIT_NODES = """
query ($ids: [ID!]!) {
  nodes(ids: $ids) { ... on AuditEntry { id changes { field before after } } }
}"""


async def _op(client, tenant: TenantFixture, email: str | None, document: str, **variables):
    token = tenant.token(email) if email else None
    return await gql(client, tenant.slug, document, variables, token=token)


async def _ok(client, tenant: TenantFixture, email: str, document: str, **variables) -> dict:
    data = data_of(await _op(client, tenant, email, document, **variables))
    for value in data.values():
        assert not (isinstance(value, dict) and value.get("errors")), value
    return data


# --- the audit log --------------------------------------------------------------------------


async def _audit_scenario(client, tenant: TenantFixture, owner_engine) -> dict[str, Any]:
    """Writes that fill every marked column, through the API (one provider row directly:
    adding one over the API fetches the issuer's discovery document)."""
    target, ops = (person_id(tenant, e) for e in (TARGET, OPS))
    for person, subject in ((target, "target-subject-1"), (ops, "ops-subject-1")):
        await _ok(
            client,
            tenant,
            OWNER,
            "mutation ($input: PersonIdentityInput!) { personLinkIdentity(input: $input) {"
            " errors { field code } } }",
            input={"personId": person, "issuer": "https://idp-issuer.example", "subject": subject},
        )
    # An admin's link waits for the person's confirmation; the person asks for a new email.
    await _ok(
        client,
        tenant,
        ADMIN,
        "mutation ($input: PersonIdentityInput!) { personLinkIdentity(input: $input) {"
        " errors { field code } } }",
        input={"personId": target, "issuer": "https://idp-issuer.example", "subject": "pending"},
    )
    await _ok(
        client,
        tenant,
        TARGET,
        'mutation { personRequestEmailChange(input: {email: "new-target@v.example"}) {'
        " errors { field code } } }",
    )
    await _ok(
        client,
        tenant,
        OWNER,
        "mutation ($input: PersonIdentityInput!) { personUnlinkIdentity(input: $input) {"
        " errors { field code } } }",
        input={
            "personId": target,
            "issuer": "https://idp-issuer.example",
            "subject": "target-subject-1",
        },
    )
    organisation = (
        await _ok(
            client,
            tenant,
            OPS,
            'mutation { organisationCreate(input: {name: "Private Org", kind: COMPANY,'
            ' website: "https://org.example", notes: "org-private-notes"}) {'
            " organisation { id } errors { field code } } }",
        )
    )["organisationCreate"]["organisation"]["id"]
    await _ok(
        client,
        tenant,
        OPS,
        "mutation ($id: ID!) { organisationRelationshipAdd(input: {organisationId: $id,"
        ' kind: PARTNER, status: ACTIVE, notes: "relationship-private-notes"}) {'
        " errors { field code } } }",
        id=organisation,
    )
    await _ok(
        client,
        tenant,
        OPS,
        "mutation ($id: ID!, $person: ID!) { organisationContactAdd(input: {organisationId: $id,"
        ' name: "Contact Name", email: "contact@org.example", title: "CTO", personId: $person})'
        " { errors { field code } } }",
        id=organisation,
        person=target,
    )
    created = (
        await _ok(
            client,
            tenant,
            ADMIN,
            'mutation ($org: ID!) { apiClientCreate(input: {name: "Portal", kind: PARTNER,'
            ' scopes: ["activities:read"], organisationId: $org}) {'
            " client { id } clientSecret errors { field code } } }",
            org=organisation,
        )
    )["apiClientCreate"]
    client_id = created["client"]["id"]
    rotated = (
        await _ok(
            client,
            tenant,
            ADMIN,
            "mutation ($id: ID!) { apiClientRotateSecret(id: $id) { clientSecret"
            " errors { field code } } }",
            id=client_id,
        )
    )["apiClientRotateSecret"]
    await _ok(
        client,
        tenant,
        ADMIN,
        "mutation ($id: ID!) { apiClientRevoke(id: $id) { errors { field code } } }",
        id=client_id,
    )
    chapter = await make_chapter(owner_engine, tenant, "epsilon", staff=OPS)
    await _ok(
        client,
        tenant,
        OPS,
        "mutation ($input: ActivityCreateInput!) { activityCreate(input: $input) {"
        " errors { field code } } }",
        input={
            "chapterId": global_id("Chapter", chapter.id),
            "kind": "TALK",
            "title": "Talk with speakers",
            "startsAt": (datetime.now(UTC) + timedelta(days=3)).isoformat(),
            "participants": [
                {"role": "SPEAKER", "personId": target, "topic": "eBPF"},
                {"role": "SPEAKER", "externalName": "Guest", "externalAffiliation": "Uni"},
            ],
        },
    )
    await _ok(
        client,
        tenant,
        OPS,
        "mutation ($c: ID!) { membershipInviteByEmail(input: {chapterId: $c,"
        ' email: "target@v.example"}) { errors { field code } } }',
        c=global_id("Chapter", chapter.id),
    )
    sessionmaker = tenant_sessionmaker(owner_engine)
    async with open_tenant_session(sessionmaker, tenant.id) as session, session.begin():
        session.add(
            IdentityProvider(
                issuer="https://provider-issuer.example",
                audience="provider-audience",
                algorithms=["RS256"],
                email_claim="email",
                link_by_verified_email=True,
                enabled=True,
            )
        )
    stored = await _stored_secrets(owner_engine, tenant)
    return {"secrets": [created["clientSecret"], rotated["clientSecret"], *stored]}


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


async def _stored_secrets(owner_engine, tenant: TenantFixture) -> list[str]:
    """Every value the tenant's rows hold in a column marked secret."""
    sessionmaker = tenant_sessionmaker(owner_engine)
    secrets: list[str] = []
    async with open_tenant_session(sessionmaker, tenant.id) as session, session.begin():
        for model, column, rule in marked_columns():
            if rule.secret:
                values = await session.scalars(select(column).where(model.tenant_id == tenant.id))
                secrets += [text for value in values for text in _strings(value)]
    return [secret for secret in secrets if len(secret) >= 8]


async def _all_entries(client, tenant: TenantFixture, email: str) -> tuple[list[dict], str]:
    body = await _op(client, tenant, email, AUDIT)
    page = data_of(body)["auditLog"]
    assert not page["pageInfo"]["hasNextPage"]
    entries = [edge["node"] for edge in page["edges"]]
    nodes = data_of(await _op(client, tenant, email, AUDIT_NODES, ids=[e["id"] for e in entries]))[
        "nodes"
    ]
    by_node = {node["id"]: node["changes"] for node in nodes}
    for entry in entries:
        assert by_node[entry["id"]] == entry["changes"], "node(id:) shows what auditLog shows"
    return entries, json.dumps(body) + json.dumps(nodes)


ObjectView = Callable[[Any, TenantFixture, str, dict], Awaitable[bool]]


def _all_given(value: Any) -> bool:
    if isinstance(value, dict):
        return all(_all_given(item) for item in value.values())
    return value is not None


def _node_field(type_name: str, fields: str, *, id_key: str = "object") -> ObjectView:
    """Visible when ``node(id:)`` on the object (or its person) answers non-null fields."""

    async def view(client, tenant, email, entry) -> bool:
        body = await _op(
            client,
            tenant,
            email,
            f"query ($id: ID!) {{ node(id: $id) {{ ... on {type_name} {{ {fields} }} }} }}",
            id=entry[id_key],
        )
        node = (body.get("data") or {}).get("node")
        return bool(node) and _all_given(node)

    return view


def _listed(root: str) -> ObjectView:
    async def view(client, tenant, email, entry) -> bool:
        body = await _op(client, tenant, email, f"{{ {root} {{ id }} }}")
        listed = (body.get("data") or {}).get(root) or []
        return any(item["id"] == entry["object"] for item in listed)

    return view


# How each model with marked columns is seen on the object itself, by a caller: the oracle
# its audit entries must agree with (the same answers as tests/authz/authz_matrix_table.py).
OBJECT_VIEWS: dict[str, ObjectView] = {
    "Person": _node_field("Person", "email"),
    "PersonIdentity": _node_field("Person", "identities { issuer subject }", id_key="person"),
    "IdentityLinkRequest": _node_field("Person", "identities { issuer }", id_key="person"),
    "EmailChangeRequest": _node_field("Person", "email", id_key="person"),
    "Organisation": _node_field("Organisation", "notes"),
    "OrganisationRelationship": _node_field("OrganisationRelationship", "notes"),
    "OrganisationContact": _node_field("OrganisationContact", "name email title"),
    "ActivityParticipant": _node_field("Activity", "participants { role }", id_key="activity"),
    "ChapterMembership": _node_field("ChapterMembership", "person { email }"),  # invitedEmail
    "ApiClient": _listed("apiClients"),
    "IdentityProvider": _listed("identityProviders"),
}


def _restricted_fields() -> dict[str, set[str]]:
    """Model name → API names of its columns marked visible to some callers only."""
    fields: dict[str, set[str]] = {}
    for model, column, rule in marked_columns():
        if rule.visible_to is not None:
            fields.setdefault(model.__name__, set()).add(to_camel_case(column.key))
    return fields


def test_secrets_and_restricted_columns_are_marked_on_the_models() -> None:
    marked = {(model.__name__, column.key): rule for model, column, rule in marked_columns()}
    assert marked[("ApiClient", "secret_hash")].secret
    for model, key in [
        ("Person", "email"),
        ("PersonIdentity", "issuer"),
        ("PersonIdentity", "subject"),
        ("Organisation", "notes"),
        ("OrganisationRelationship", "notes"),
        ("OrganisationContact", "email"),
        ("ActivityParticipant", "external_name"),
        ("ApiClient", "client_id"),
        ("IdentityProvider", "issuer"),
    ]:
        assert marked[(model, key)].visible_to is not None, (model, key)
    assert set(_restricted_fields()) <= set(OBJECT_VIEWS), "add an object view for the model"


def _references(entry: dict) -> dict[str, str | None]:
    """The global ids an object view needs: the object, and the person and activity its
    entry records."""
    recorded = {c["field"]: c["after"] or c["before"] for c in entry["changes"]}

    def ref(type_name: str, field: str) -> str | None:
        raw = recorded.get(field)
        return global_id(type_name, uuid.UUID(raw)) if raw else None

    return {
        "object": entry["objectId"],
        "person": ref("Person", "personId"),
        "activity": ref("Activity", "activityId"),
    }


async def test_audit_entries_show_a_field_only_to_who_sees_it_on_the_object(
    client, tenants, owner_engine
) -> None:
    tenant = await tenants.create(prefix="audit", people=PEOPLE)
    scenario = await _audit_scenario(client, tenant, owner_engine)
    restricted = _restricted_fields()
    # The owner sees every field: the references each object view needs come from there.
    owner_entries, _ = await _all_entries(client, tenant, OWNER)
    references = {entry["id"]: _references(entry) for entry in owner_entries}
    owner_by_id = {entry["id"]: entry for entry in owner_entries}
    for email in AUDIT_READERS:
        entries, text = await _all_entries(client, tenant, email)
        for secret in scenario["secrets"]:
            assert secret not in text, f"a secret shows in the audit log of {email}"
        assert {e["id"] for e in entries} == set(references)
        should_show: set[tuple[str, str]] = set()
        showed: set[tuple[str, str]] = set()
        for entry in entries:
            model = entry["objectType"]
            if model not in restricted:
                continue
            fields = {c["field"] for c in entry["changes"]}
            recorded = {c["field"] for c in owner_by_id[entry["id"]]["changes"]}
            view = OBJECT_VIEWS[model]
            may_see = await view(client, tenant, email, references[entry["id"]])
            where = f"{email}: {entry['action']} {model} ({entry['operation']})"
            hidden = restricted[model] & fields if not may_see else set()
            assert not hidden, f"{where} shows {hidden}, hidden on the object"
            if may_see:
                assert fields == recorded, f"{where} hides {recorded - fields}"
                should_show |= {(model, name) for name in restricted[model] & recorded}
            showed |= {(model, name) for name in restricted[model] & fields}
        assert showed == should_show
        if email == OWNER:
            every = {(model, name) for model, names in restricted.items() for name in names}
            missing = sorted(every - showed)
            assert not missing, f"add a step to the scenario that records {missing}"


async def test_a_secret_is_never_recorded_and_old_records_show_a_mark(
    client, tenants, owner_engine
) -> None:
    tenant = await tenants.create(prefix="secret", people=PEOPLE)
    scenario = await _audit_scenario(client, tenant, owner_engine)
    assert any(secret.startswith("scrypt$") for secret in scenario["secrets"])
    sessionmaker = tenant_sessionmaker(owner_engine)
    async with open_tenant_session(sessionmaker, tenant.id) as session, session.begin():
        stored = json.dumps(list(await session.scalars(select(AuditEntry.changes))))
        for secret in scenario["secrets"]:
            assert secret not in stored, "a secret was written into the audit log"
        # Entries written before the rule, with the values themselves in them: one for each
        # column marked secret, about the owner (so that any reader rule lets the owner see it).
        owner = str(tenant.people[OWNER].id)
        for model, column, rule in marked_columns():
            if rule.secret:
                key = model.__mapper__.get_property_by_column(column).key
                session.add(
                    AuditEntry(
                        actor_id=None,
                        action="system",
                        object_type=model.__name__,
                        object_id=uuid.uuid4(),
                        changes={
                            "operation": "update",
                            "fields": {
                                key: [f"old-{key}-value", f"new-{key}-value"],
                                "person_id": [owner, owner],
                            },
                        },
                    )
                )
    entries, text = await _all_entries(client, tenant, OWNER)
    assert "-value" not in text
    for model, column, rule in marked_columns():
        if rule.secret:
            name = to_camel_case(model.__mapper__.get_property_by_column(column).key)
            old = [
                (c["before"], c["after"])
                for entry in entries
                for c in entry["changes"]
                if entry["objectType"] == model.__name__ and c["field"] == name
            ]
            assert (SECRET_MARK, SECRET_MARK) in old, f"{model.__name__}.{name}"
    secret_changes = [
        (entry["operation"], c["before"], c["after"])
        for entry in entries
        for c in entry["changes"]
        if entry["objectType"] == "ApiClient" and c["field"] == "secretHash"
    ]
    # Created, rotated, and the old entry: that it changed shows, never what it was.
    assert sorted(secret_changes, key=str) == sorted(
        [
            ("INSERT", None, SECRET_MARK),
            ("UPDATE", SECRET_MARK, SECRET_MARK),
            ("UPDATE", SECRET_MARK, SECRET_MARK),
        ],
        key=str,
    )


# --- invitations ----------------------------------------------------------------------------

ROSTER = """
query ($slug: String!) {
  chapter(slug: $slug) { members(status: [ACTIVE, INVITED]) {
    edges { node { status person { id email } } } } }
}"""
PERSON_EMAIL = "query ($id: ID!) { node(id: $id) { ... on Person { email } } }"


async def _emails_seen_by_lead(client, tenant: TenantFixture, slug: str) -> dict[str, Any]:
    invitee = person_id(tenant, INVITEE)
    roster = data_of(await _op(client, tenant, LEAD, ROSTER, slug=slug))["chapter"]["members"]
    on_roster = {e["node"]["person"]["id"]: e["node"]["person"]["email"] for e in roster["edges"]}
    node = data_of(await _op(client, tenant, LEAD, PERSON_EMAIL, id=invitee))["node"]
    return {"roster": on_roster.get(invitee, "absent"), "node": node["email"]}


async def test_a_lead_does_not_see_the_email_of_someone_they_invited_until_accepted(
    client, tenants, owner_engine
) -> None:
    tenant = await tenants.create(prefix="invite", people=PEOPLE)
    chapter = await make_chapter(owner_engine, tenant, "gamma", staff=OPS, lead=LEAD)
    invitee = person_id(tenant, INVITEE)
    invited = await _ok(
        client,
        tenant,
        LEAD,
        "mutation ($c: ID!, $p: ID!) { membershipInvite(input: {chapterId: $c, personId: $p}) {"
        " membership { id } errors { field code } } }",
        c=global_id("Chapter", chapter.id),
        p=invitee,
    )
    assert await _emails_seen_by_lead(client, tenant, "gamma") == {"roster": None, "node": None}
    await _ok(
        client,
        tenant,
        INVITEE,
        "mutation ($id: ID!) { membershipAccept(input: {membershipId: $id}) {"
        " errors { field code } } }",
        id=invited["membershipInvite"]["membership"]["id"],
    )
    seen = await _emails_seen_by_lead(client, tenant, "gamma")
    assert seen == {"roster": INVITEE, "node": INVITEE}


# --- partners -------------------------------------------------------------------------------


async def test_a_partner_sees_only_its_own_organisation_on_a_co_hosted_activity(
    client, tenants, owner_engine
) -> None:
    tenant = await tenants.create(prefix="partner", people=PEOPLE)
    chapter = await make_chapter(owner_engine, tenant, "delta", staff=OPS, lead=LEAD)
    orgs = {}
    for name in ("Own Partner Co", "Rival Cohost Co"):
        orgs[name] = (
            await _ok(
                client,
                tenant,
                OPS,
                "mutation ($name: String!) { organisationCreate(input: {name: $name,"
                " kind: COMPANY}) { organisation { id } errors { field code } } }",
                name=name,
            )
        )["organisationCreate"]["organisation"]["id"]
    own, rival = orgs["Own Partner Co"], orgs["Rival Cohost Co"]
    starts = datetime.now(UTC) + timedelta(days=5)
    activity = (
        await _ok(
            client,
            tenant,
            OPS,
            "mutation ($input: ActivityCreateInput!) { activityCreate(input: $input) {"
            " activity { id } errors { field code } } }",
            input={
                "chapterId": global_id("Chapter", chapter.id),
                "kind": "TALK",
                "title": "Co-hosted talk",
                "startsAt": starts.isoformat(),
                "organisations": [
                    {"organisationId": own, "role": "CO_HOST"},
                    {"organisationId": rival, "role": "SPONSOR"},
                ],
            },
        )
    )["activityCreate"]["activity"]["id"]
    for step in (
        "mutation ($id: ID!) { activitySubmit(input: {id: $id}) { errors { field code } } }",
        "mutation ($id: ID!) { activityReview(input: {id: $id, decision: ACCEPT}) {"
        " errors { field code } } }",
    ):
        await _ok(client, tenant, OPS, step, id=activity)
    created = (
        await _ok(
            client,
            tenant,
            ADMIN,
            'mutation ($org: ID!) { apiClientCreate(input: {name: "Portal", kind: PARTNER,'
            ' scopes: ["activities:read"], organisationId: $org}) {'
            " client { clientId } clientSecret errors { field code } } }",
            org=own,
        )
    )["apiClientCreate"]
    response = await client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(created["client"]["clientId"], created["clientSecret"]),
    )
    partner = response.json()["access_token"]

    fields = "title organisations { organisationId name role }"
    paths = {
        "node": ("query ($id: ID!) { node(id: $id) { ... on Activity { " + fields + " } } }", {}),
        "activities": (
            "{ activities(first: 10) { edges { node { " + fields + " } } } }",
            {},
        ),
        "activities by rival": (
            "query ($org: ID!) { activities(filter: {organisationId: $org}, first: 10) {"
            " edges { node { title } } } }",
            {"org": rival},
        ),
        "organisations": ("{ organisations(first: 10) { edges { node { id name } } } }", {}),
        "rival node": (
            "query ($org: ID!) { node(id: $org) { id ... on Organisation { name } } }",
            {"org": rival},
        ),
    }
    answers = {}
    for name, (document, variables) in paths.items():
        body = await gql(
            client, tenant.slug, document, {"id": activity, **variables}, token=partner
        )
        answers[name] = data_of(body)
    text = json.dumps(answers)
    assert "Rival Cohost Co" not in text and rival not in text, text
    assert answers["node"]["node"]["organisations"] == [
        {"organisationId": own, "name": "Own Partner Co", "role": "CO_HOST"}
    ]
    assert answers["activities by rival"]["activities"]["edges"] == []
    # Staff and signed-in people still see every co-host.
    staff = data_of(await _op(client, tenant, OPS, paths["node"][0], id=activity))
    assert {o["name"] for o in staff["node"]["organisations"]} == set(orgs)
