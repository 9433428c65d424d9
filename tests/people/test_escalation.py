"""Acting as someone else: linking sign-in identities, editing other people's accounts, and
changing one's email, through the HTTP endpoint with real tokens and a real OpenID Connect
provider on 127.0.0.1.

The attack these guard against: a tenant admin trusts a provider they control, links one of
its subjects to the owner, signs in as the owner and promotes themself.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from chapters.api.ids import global_id
from chapters.db.session import open_tenant_session, tenant_sessionmaker
from chapters.models import EmailChangeRequest, IdentityLinkRequest, TenantRole
from chapters.people.confirmations import token_hash
from tests.support import (
    code_set,
    data_of,
    gql,
    outbox,
    person_id,
    statements_sent,
    trust_provider,
)

OWNER, ADMIN, ADMIN2 = "owner@x.example", "admin@x.example", "admin2@x.example"
OPS, MEMBER, OTHER = "ops@x.example", "member@x.example", "other@x.example"
PEOPLE = {OWNER: TenantRole.OWNER, ADMIN: TenantRole.ADMIN, ADMIN2: TenantRole.ADMIN}
PEOPLE |= {OPS: TenantRole.OPS, MEMBER: None, OTHER: None}

ERRORS = "errors { field code }"
LINK = f"""mutation ($input: PersonIdentityInput!) {{ personLinkIdentity(input: $input) {{
  person {{ identities {{ issuer subject }} }}
  pendingLink {{ id issuer subject expiresAt requestedBy {{ displayName }} }} {ERRORS} }} }}"""
LINK_PLAIN = f"""mutation ($input: PersonIdentityInput!) {{
  personLinkIdentity(input: $input) {{ {ERRORS} }} }}"""
UNLINK = f"""mutation ($input: PersonIdentityInput!) {{
  personUnlinkIdentity(input: $input) {{ {ERRORS} }} }}"""
CONFIRM = f"""mutation ($id: ID!) {{ personIdentityLinkConfirm(input: {{id: $id}}) {{
  person {{ identities {{ subject }} }} {ERRORS} }} }}"""
DECLINE = (
    f"""mutation ($id: ID!) {{ personIdentityLinkDecline(input: {{id: $id}}) {{ {ERRORS} }} }}"""
)
PENDING = "{ viewer { pendingIdentityLinks { id issuer subject requestedBy { displayName } } } }"
UPDATE = f"""mutation ($input: PersonUpdateInput!) {{ personUpdate(input: $input) {{
  person {{ email tenantRole }} {ERRORS} }} }}"""
REQUEST_EMAIL = f"""mutation ($email: String!) {{
  personRequestEmailChange(input: {{email: $email}}) {{
    pendingEmailChange {{ email expiresAt }} {ERRORS} }} }}"""
CONFIRM_EMAIL = f"""mutation ($token: String!) {{
  personConfirmEmailChange(input: {{token: $token}}) {{ person {{ email }} {ERRORS} }} }}"""
WHO = "{ viewer { email tenantRole } }"


@pytest.fixture
async def tenant(tenants):
    return await tenants.create(people=PEOPLE)


async def call(client, tenant, caller: str, document: str, **variables) -> dict:
    (payload,) = data_of(
        await gql(client, tenant.slug, document, variables, token=tenant.token(caller))
    ).values()
    return payload


async def link(
    client, tenant, caller: str, target: str, issuer: str, subject: str, document: str = LINK
) -> dict:
    input = {"personId": person_id(tenant, target), "issuer": issuer, "subject": subject}
    return await call(client, tenant, caller, document, input=input)


async def sign_in(client, tenant, token: str):
    return await client.post(
        f"/t/{tenant.slug}/graphql",
        json={"query": WHO},
        headers={"Authorization": f"Bearer {token}"},
    )


# --- the attack -----------------------------------------------------------------------------


async def test_an_admin_cannot_sign_in_as_the_owner_and_promote_themself(
    client, tenant, provider
) -> None:
    """The whole attack is tried, step by step; then nothing of it may have worked."""
    await trust_provider(client, tenant, provider)  # a provider the admin controls
    linked = await link(client, tenant, ADMIN, OWNER, provider.issuer, "admin-as-owner", LINK_PLAIN)
    as_owner = provider.token(sub="admin-as-owner")
    signed_in = await sign_in(client, tenant, as_owner)
    if signed_in.status_code == 200:  # signed in as the owner: promote oneself
        promote = {"id": person_id(tenant, ADMIN), "tenantRole": "OWNER"}
        await gql(client, tenant.slug, UPDATE, {"input": promote}, token=as_owner)

    assert code_set(linked) == {(None, "FORBIDDEN")}
    assert signed_in.status_code == 403, signed_in.text  # the subject is linked to nobody
    roles = {
        email: data_of(await gql(client, tenant.slug, WHO, token=tenant.token(email)))
        for email in (OWNER, ADMIN)
    }
    assert [r["viewer"]["tenantRole"] for r in roles.values()] == ["OWNER", "ADMIN"]
    # Nor can the admin hijack another admin's, or cut the owner off from their sign-in.
    peer = await link(client, tenant, ADMIN, ADMIN2, provider.issuer, "peer", LINK_PLAIN)
    assert code_set(peer) == {(None, "FORBIDDEN")}
    owner_link = await link(client, tenant, OWNER, OWNER, provider.issuer, "the-owner", LINK_PLAIN)
    assert owner_link["errors"] == []
    cut = {"personId": person_id(tenant, OWNER), "issuer": provider.issuer, "subject": "the-owner"}
    assert code_set(await call(client, tenant, ADMIN, UNLINK, input=cut)) == {(None, "FORBIDDEN")}
    assert (await sign_in(client, tenant, provider.token(sub="the-owner"))).json()["data"] == {
        "viewer": {"email": OWNER, "tenantRole": "OWNER"}
    }


async def test_a_verified_email_never_signs_in_as_an_admin_or_the_owner(
    client, tenant, provider
) -> None:
    """The same attack through first sign-in by verified email: the admin's provider vouches
    for the owner's address. Admins and owners are linked explicitly only."""
    await trust_provider(client, tenant, provider, linkByVerifiedEmail=True)
    for email, subject in ((OWNER, "mail-owner"), (ADMIN2, "mail-admin")):
        token = provider.token(sub=subject, email=email, email_verified=True)
        assert (await sign_in(client, tenant, token)).status_code == 403, email
        assert (await sign_in(client, tenant, provider.token(sub=subject))).status_code == 403
    token = provider.token(sub="mail-ops", email=OPS.upper(), email_verified=True)
    assert (await sign_in(client, tenant, token)).json()["data"] == {
        "viewer": {"email": OPS, "tenantRole": "OPS"}
    }


# --- proposed links wait for the person -----------------------------------------------------


async def test_an_admins_link_signs_in_only_once_the_person_confirms(
    client, tenant, provider, owner_engine
) -> None:
    await trust_provider(client, tenant, provider)
    proposed = await link(client, tenant, ADMIN, MEMBER, provider.issuer, "kc-member")
    assert proposed["errors"] == []
    assert proposed["person"]["identities"] == []
    pending = proposed["pendingLink"]
    assert (pending["subject"], pending["requestedBy"]) == ("kc-member", {"displayName": "admin"})
    expires = datetime.fromisoformat(pending["expiresAt"])
    assert timedelta(days=6, hours=23) < expires - datetime.now(UTC) <= timedelta(days=7)

    assert (await sign_in(client, tenant, provider.token(sub="kc-member"))).status_code == 403
    # Listed for the person only; nobody else can confirm it, and it looks like a missing one.
    listed = data_of(await gql(client, tenant.slug, PENDING, token=tenant.token(MEMBER)))
    assert [p["id"] for p in listed["viewer"]["pendingIdentityLinks"]] == [pending["id"]]
    others = data_of(await gql(client, tenant.slug, PENDING, token=tenant.token(ADMIN)))
    assert others["viewer"]["pendingIdentityLinks"] == []
    missing = global_id("PendingIdentityLink", uuid.uuid4())
    for caller in (ADMIN, OWNER, OTHER):
        refused = await call(client, tenant, caller, CONFIRM, id=pending["id"])
        assert refused == await call(client, tenant, caller, CONFIRM, id=missing)
        assert code_set(refused) == {("id", "NOT_FOUND")}
    anonymous = await gql(client, tenant.slug, CONFIRM, {"id": pending["id"]})
    assert code_set(data_of(anonymous)["personIdentityLinkConfirm"]) == {(None, "FORBIDDEN")}

    confirmed = await call(client, tenant, MEMBER, CONFIRM, id=pending["id"])
    assert confirmed["errors"] == []
    assert confirmed["person"]["identities"] == [{"subject": "kc-member"}]
    assert (await sign_in(client, tenant, provider.token(sub="kc-member"))).json()["data"] == {
        "viewer": {"email": MEMBER, "tenantRole": None}
    }
    again = await call(client, tenant, MEMBER, CONFIRM, id=pending["id"])
    assert code_set(again) == {("id", "NOT_FOUND")}  # used up
    actions = await _audit_actions(client, tenant)
    assert ("personLinkIdentity", "IdentityLinkRequest", "INSERT") in actions
    assert ("personIdentityLinkConfirm", "PersonIdentity", "INSERT") in actions
    assert ("personIdentityLinkConfirm", "IdentityLinkRequest", "DELETE") in actions


async def _audit_actions(client, tenant) -> set[tuple[str, str, str]]:
    body = await gql(
        client,
        tenant.slug,
        "{ auditLog(first: 100) { edges { node { action objectType operation } } } }",
        token=tenant.token(OWNER),
    )
    edges = data_of(body)["auditLog"]["edges"]
    return {(e["node"]["action"], e["node"]["objectType"], e["node"]["operation"]) for e in edges}


async def test_declined_and_expired_links_never_sign_in(
    client, tenant, provider, owner_engine
) -> None:
    await trust_provider(client, tenant, provider)
    declined = (await link(client, tenant, ADMIN, MEMBER, provider.issuer, "no"))["pendingLink"]
    assert (await call(client, tenant, MEMBER, DECLINE, id=declined["id"]))["errors"] == []
    assert code_set(await call(client, tenant, MEMBER, CONFIRM, id=declined["id"])) == {
        ("id", "NOT_FOUND")
    }
    late = (await link(client, tenant, ADMIN, MEMBER, provider.issuer, "late"))["pendingLink"]
    sessionmaker = tenant_sessionmaker(owner_engine)
    async with open_tenant_session(sessionmaker, tenant.id) as session, session.begin():
        await session.execute(
            update(IdentityLinkRequest).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    listed = data_of(await gql(client, tenant.slug, PENDING, token=tenant.token(MEMBER)))
    assert listed["viewer"]["pendingIdentityLinks"] == []
    assert code_set(await call(client, tenant, MEMBER, CONFIRM, id=late["id"])) == {
        ("id", "NOT_FOUND")
    }
    for subject in ("no", "late"):
        assert (await sign_in(client, tenant, provider.token(sub=subject))).status_code == 403


async def test_the_owner_links_at_once_but_never_over_an_equal(client, tenant, provider) -> None:
    await trust_provider(client, tenant, provider)
    for target, subject in ((MEMBER, "m"), (ADMIN, "a"), (OWNER, "o")):
        direct = await link(client, tenant, OWNER, target, provider.issuer, subject)
        assert direct["errors"] == [] and direct["pendingLink"] is None, target
        response = await sign_in(client, tenant, provider.token(sub=subject))
        assert response.json()["data"]["viewer"]["email"] == target
    # An admin proposing for themself needs their own confirmation like anyone else.
    own = await link(client, tenant, ADMIN, ADMIN, provider.issuer, "a2")
    assert own["errors"] == [] and own["pendingLink"]
    taken = await link(client, tenant, ADMIN, MEMBER, provider.issuer, "m")
    assert code_set(taken) == {("subject", "CONFLICT")}
    second_owner = await call(
        client,
        tenant,
        OWNER,
        UPDATE,
        input={"id": person_id(tenant, OTHER), "tenantRole": "OWNER"},
    )
    assert second_owner["errors"] == []
    refused = await link(client, tenant, OWNER, OTHER, provider.issuer, "other-owner")
    assert code_set(refused) == {(None, "FORBIDDEN")}


# --- editing another person's account -------------------------------------------------------


async def test_staff_edit_only_people_ranked_below_them(client, tenant) -> None:
    """Editing another's email would let one reset their password elsewhere or take over
    their email-linked sign-in: only over people ranked below (the rank table in
    test_permissions covers every pair)."""
    for caller, target in ((OPS, ADMIN), (ADMIN, OWNER), (ADMIN, ADMIN2)):
        change = {"id": person_id(tenant, target), "email": "x@x.example"}
        refused = await call(client, tenant, caller, UPDATE, input=change)
        assert code_set(refused) == {(None, "FORBIDDEN")}, (caller, target)
    # Staff set a lower-ranked person's email at once, and a taken one is a plain CONFLICT.
    direct = await call(
        client,
        tenant,
        OPS,
        UPDATE,
        input={"id": person_id(tenant, MEMBER), "email": "new@x.example"},
    )
    assert (direct["errors"], direct["person"]["email"]) == ([], "new@x.example")
    taken = await call(
        client, tenant, OPS, UPDATE, input={"id": person_id(tenant, MEMBER), "email": OTHER}
    )
    assert code_set(taken) == {("email", "CONFLICT")}


# --- one's own email ------------------------------------------------------------------------


async def test_changing_ones_email_to_a_taken_address_reveals_nothing(client, tenant) -> None:
    """The oracle: asking for someone else's address answered CONFLICT."""
    answers = {}
    for address in (OPS, "free@x.example"):
        change = {"id": person_id(tenant, MEMBER), "email": address}
        answers[address] = await call(client, tenant, MEMBER, UPDATE, input=change)
    assert (
        answers[OPS]
        == answers["free@x.example"]
        == {
            "person": {"email": MEMBER, "tenantRole": None},
            "errors": [],
        }
    )


def _without_times(payload: dict) -> dict:
    return {
        key: (
            {k: v for k, v in value.items() if k != "expiresAt"}
            if isinstance(value, dict)
            else value
        )
        for key, value in payload.items()
    }


async def _statements(app, work) -> list[str]:
    """The SQL statements ``work`` causes (values are bound parameters, not in the text)."""
    with statements_sent(app.state.runtime.engine) as sent:
        await work()
    seen = [re.sub(r"\s+", " ", statement) for statement in sent]
    start = next(i for i, statement in enumerate(seen) if "set_config" in statement)
    return seen[start:]  # from the transaction on (the tenant directory caches its lookups)


async def test_an_email_change_answers_the_same_whether_the_address_is_taken(
    client, app, tenant, owner_engine
) -> None:
    answers, statements = {}, {}
    # Two people in the same state ask: one for a taken address, one for a free one.
    for caller, address in ((MEMBER, OPS), (OTHER, "free@x.example")):

        async def ask(caller=caller, address=address) -> None:
            answers[address] = await call(client, tenant, caller, REQUEST_EMAIL, email=address)

        statements[address] = await _statements(app, ask)
    taken, free = answers[OPS], answers["free@x.example"]
    assert taken["errors"] == free["errors"] == []
    assert _without_times(taken) == _without_times(free) | {"pendingEmailChange": {"email": OPS}}
    assert statements[OPS] == statements["free@x.example"]
    # personUpdate with a new email of one's own takes the same way, and changes nothing yet.
    by_update = await call(
        client, tenant, MEMBER, UPDATE, input={"id": person_id(tenant, MEMBER), "email": ADMIN}
    )
    assert (by_update["errors"], by_update["person"]["email"]) == ([], MEMBER)
    pending = data_of(
        await gql(
            client,
            tenant.slug,
            "{ viewer { email pendingEmailChange { email } } }",
            token=tenant.token(MEMBER),
        )
    )
    assert pending["viewer"] == {"email": MEMBER, "pendingEmailChange": {"email": ADMIN}}

    messages = await outbox(owner_engine, tenant)
    confirmations = [m for m in messages if m.kind == "email_change_confirmation"]
    assert [m.recipient for m in confirmations] == [OPS, "free@x.example", ADMIN]
    notices = [m for m in messages if m.kind == "email_change_notice"]
    assert sorted(m.recipient for m in notices) == [MEMBER, MEMBER, OTHER]
    # Only the newest request counts; its token is single-use and for its requester only.
    stale = confirmations[0].body["token"]
    assert code_set(await call(client, tenant, MEMBER, CONFIRM_EMAIL, token=stale)) == {
        ("token", "INVALID")
    }
    token = confirmations[-1].body["token"]
    assert code_set(await call(client, tenant, OTHER, CONFIRM_EMAIL, token=token)) == {
        ("token", "INVALID")
    }
    conflict = await call(client, tenant, MEMBER, CONFIRM_EMAIL, token=token)
    assert code_set(conflict) == {("email", "CONFLICT")}  # taken: the caller proved they own it


async def test_a_confirmed_email_change_applies_once(client, tenant, owner_engine) -> None:
    requested = await call(client, tenant, MEMBER, REQUEST_EMAIL, email=" Fresh@x.example ")
    assert requested["pendingEmailChange"]["email"] == "Fresh@x.example"
    (message,) = [m for m in await outbox(owner_engine, tenant) if m.recipient == "Fresh@x.example"]
    token = message.body["token"]
    sessionmaker = tenant_sessionmaker(owner_engine)
    async with open_tenant_session(sessionmaker, tenant.id) as session, session.begin():
        stored = (await session.scalars(select(EmailChangeRequest))).one()
        assert token not in (stored.token_hash, stored.new_email)
    applied = await call(client, tenant, MEMBER, CONFIRM_EMAIL, token=token)
    assert (applied["errors"], applied["person"]["email"]) == ([], "Fresh@x.example")
    assert code_set(await call(client, tenant, MEMBER, CONFIRM_EMAIL, token=token)) == {
        ("token", "INVALID")
    }
    for bad in ("", "x" * 5000, "made-up"):
        assert code_set(await call(client, tenant, MEMBER, CONFIRM_EMAIL, token=bad)) == {
            ("token", "INVALID")
        }
    invalid = await call(client, tenant, MEMBER, REQUEST_EMAIL, email="not an email")
    assert code_set(invalid) == {("email", "INVALID")}
    # The token never reaches the audit log.
    body = await gql(
        client,
        tenant.slug,
        "{ auditLog(first: 100) { edges { node { objectType changes { field before after } } } } }",
        token=tenant.token(OWNER),
    )
    assert token not in str(body) and token_hash(token) not in str(body)
    assert {"field": "tokenHash", "before": None, "after": "[secret]"} in [
        change for edge in data_of(body)["auditLog"]["edges"] for change in edge["node"]["changes"]
    ]


async def test_the_app_role_cannot_read_the_outbox(app_engine, tenant) -> None:
    sessionmaker = tenant_sessionmaker(app_engine)
    async with open_tenant_session(sessionmaker, tenant.id) as session, session.begin():
        with pytest.raises(DBAPIError, match="permission denied"):
            await session.execute(text("SELECT body FROM outbox_messages"))
