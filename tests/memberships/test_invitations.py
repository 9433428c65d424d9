"""Invitations by email through the HTTP API: a lead brings in a newcomer (an invited person,
seen only by staff and the inviting chapter's leads), the answer does not tell whether the
address was known, and the newcomer signs in through an OpenID Connect provider with that
verified address and accepts."""

from __future__ import annotations

import pytest

from chapters.api.ids import global_id
from chapters.models import TenantRole
from tests.support import data_of, gql, make_chapter, outbox, trust_provider

PEOPLE = {
    "admin@x.example": TenantRole.ADMIN,
    "ops@x.example": TenantRole.OPS,
    "lead@x.example": None,
    "other.lead@x.example": None,
    "outsider@x.example": None,
}
NEWCOMER = "New.Comer@elsewhere.example"
INVITE = """mutation ($input: MembershipInviteByEmailInput!) {
  membershipInviteByEmail(input: $input) {
    membership { id status invitedByEmail person { id displayName email status } }
    errors { field code message } } }"""
PERSON = "query ($id: ID!) { node(id: $id) { ... on Person { displayName email status } } }"
SEARCH = "query ($text: String!) { people(filter: {text: $text}) { edges { node { id } } } }"
ACCEPT = """mutation ($id: ID!) { membershipAccept(input: {membershipId: $id}) {
  membership { status person { status } } errors { code } } }"""


@pytest.fixture
async def world(tenants, owner_engine):
    tenant = await tenants.create(people=PEOPLE)
    alpha = await make_chapter(
        owner_engine, tenant, "alpha", staff="ops@x.example", lead="lead@x.example"
    )
    await make_chapter(
        owner_engine, tenant, "beta", staff="ops@x.example", lead="other.lead@x.example"
    )
    return tenant, global_id("Chapter", alpha.id)


async def _invite(client, tenant, chapter: str, email: str, **more) -> dict:
    body = await gql(
        client,
        tenant.slug,
        INVITE,
        {"input": {"chapterId": chapter, "email": email, **more}},
        token=tenant.token("lead@x.example"),
    )
    return data_of(body)["membershipInviteByEmail"]


async def _sees(client, tenant, caller: str, person: str, name: str) -> tuple[dict | None, bool]:
    """What ``caller`` gets for the person: by id, and whether a people search lists them."""
    token = tenant.token(caller)
    node = data_of(await gql(client, tenant.slug, PERSON, {"id": person}, token=token))["node"]
    found = data_of(await gql(client, tenant.slug, SEARCH, {"text": name}, token=token))
    return node, any(edge["node"]["id"] == person for edge in found["people"]["edges"])


async def test_a_newcomer_invited_by_email_is_seen_by_the_lead_and_staff_only(
    client, world, owner_engine
) -> None:
    tenant, chapter = world
    answer = await _invite(client, tenant, chapter, NEWCOMER, displayName="New Comer")
    assert answer["errors"] == []
    membership = answer["membership"]
    assert membership["status"] == "INVITED" and membership["invitedByEmail"]
    assert membership["person"]["displayName"] == "New Comer"
    assert membership["person"]["status"] == "INVITED"
    assert membership["person"]["email"] == NEWCOMER  # the lead typed it
    person = membership["person"]["id"]

    for caller in ("lead@x.example", "ops@x.example", "admin@x.example"):
        node, listed = await _sees(client, tenant, caller, person, "New Comer")
        assert node == {"displayName": "New Comer", "email": NEWCOMER, "status": "INVITED"}
        assert listed, caller
    for caller in ("outsider@x.example", "other.lead@x.example"):
        assert await _sees(client, tenant, caller, person, "New Comer") == (None, False), caller

    messages = [m for m in await outbox(owner_engine, tenant) if m.recipient == NEWCOMER]
    assert [m.kind for m in messages] == ["chapter_invitation"]
    assert messages[0].body["chapter"] == "Alpha"
    assert messages[0].body["membershipId"] == membership["id"]


def _shape(value):
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    return type(value).__name__


async def test_the_answer_does_not_tell_whether_the_address_was_known(client, world) -> None:
    tenant, chapter = world
    unknown = await _invite(client, tenant, chapter, "nobody.yet@x.example")
    known = await _invite(client, tenant, chapter, "outsider@x.example")
    assert unknown["errors"] == known["errors"] == []
    assert _shape(unknown) == _shape(known)
    # An address already invited elsewhere (a person the lead cannot see) answers alike too.
    beta_lead = tenant.token("other.lead@x.example")
    beta = await gql(client, tenant.slug, '{ chapter(slug: "beta") { id } }', token=beta_lead)
    hidden = data_of(
        await gql(
            client,
            tenant.slug,
            INVITE,
            {"input": {"chapterId": data_of(beta)["chapter"]["id"], "email": "hidden@x.example"}},
            token=beta_lead,
        )
    )["membershipInviteByEmail"]
    assert hidden["errors"] == []
    again = await _invite(client, tenant, chapter, "HIDDEN@x.example")
    assert again["errors"] == [] and _shape(again) == _shape(unknown)
    assert again["membership"]["person"]["email"] == "hidden@x.example"


async def test_an_invitation_by_email_is_checked(client, world) -> None:
    tenant, chapter = world
    assert (await _invite(client, tenant, chapter, "not an address"))["errors"][0]["code"] == (
        "INVALID"
    )
    assert (await _invite(client, tenant, chapter, " "))["errors"][0]["code"] == "REQUIRED"
    assert (await _invite(client, tenant, chapter, "a@x.example", displayName="x" * 201))["errors"][
        0
    ]["field"] == "displayName"
    await _invite(client, tenant, chapter, "twice@x.example")
    again = await _invite(client, tenant, chapter, "Twice@x.example")
    assert [(e["field"], e["code"]) for e in again["errors"]] == [("email", "CONFLICT")]
    member = await gql(
        client,
        tenant.slug,
        INVITE,
        {"input": {"chapterId": chapter, "email": "m@x.example"}},
        token=tenant.token("outsider@x.example"),
    )
    assert data_of(member)["membershipInviteByEmail"]["errors"][0]["code"] == "FORBIDDEN"


VIEWER = "{ viewer { email memberships { edges { node { id status } } } } }"


async def test_the_newcomer_signs_in_with_the_verified_address_and_accepts(
    client, world, provider
) -> None:
    tenant, chapter = world
    invited = await _invite(client, tenant, chapter, NEWCOMER, displayName="New Comer")
    person = invited["membership"]["person"]["id"]
    # The provider links nobody by email: invited people are the exception.
    await trust_provider(client, tenant, provider, linkByVerifiedEmail=False)

    unverified = provider.token(sub="kc-new", email=NEWCOMER.lower(), email_verified=False)
    response = await client.post(
        f"/t/{tenant.slug}/graphql",
        json={"query": VIEWER},
        headers={"Authorization": f"Bearer {unverified}"},
    )
    assert response.status_code == 403

    token = provider.token(sub="kc-new", email=NEWCOMER.lower(), email_verified=True)
    viewer = data_of(await gql(client, tenant.slug, VIEWER, token=token))["viewer"]
    assert viewer["email"] == NEWCOMER
    [edge] = viewer["memberships"]["edges"]
    assert edge["node"] == {"id": invited["membership"]["id"], "status": "INVITED"}

    accepted = await gql(client, tenant.slug, ACCEPT, {"id": edge["node"]["id"]}, token=token)
    assert data_of(accepted)["membershipAccept"] == {
        "membership": {"status": "ACTIVE", "person": {"status": "ACTIVE"}},
        "errors": [],
    }
    # Linked now: the subject alone signs in; and the newcomer is in everyone's directory.
    again = provider.token(sub="kc-new")
    assert data_of(await gql(client, tenant.slug, VIEWER, token=again))["viewer"]
    node, listed = await _sees(client, tenant, "outsider@x.example", person, "New Comer")
    assert node == {"displayName": "New Comer", "email": None, "status": "ACTIVE"} and listed


async def test_an_invitation_by_email_never_links_an_admin(client, world, provider) -> None:
    tenant, chapter = world
    assert (await _invite(client, tenant, chapter, "admin@x.example"))["errors"] == []
    # The provider links nobody by email: invited people are the exception.
    await trust_provider(client, tenant, provider, linkByVerifiedEmail=False)
    token = provider.token(sub="kc-admin", email="admin@x.example", email_verified=True)
    response = await client.post(
        f"/t/{tenant.slug}/graphql",
        json={"query": VIEWER},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 403
