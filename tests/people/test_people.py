"""People (search, create, edit, identities), through the HTTP endpoint."""

from __future__ import annotations

import pytest

from chapters.models import TenantRole
from chapters.people.service import GITHUB_HANDLE
from tests.support import code_set, data_of, gql, person_id

OPS, ADMIN, OWNER = "ops@x.example", "admin@x.example", "owner@x.example"
MEMBER, OTHER = "m@x.example", "other@x.example"
STAFFED = {
    OWNER: TenantRole.OWNER,
    ADMIN: TenantRole.ADMIN,
    OPS: TenantRole.OPS,
    MEMBER: None,
    OTHER: None,
}

PERSON_FIELDS = """
    id displayName email githubHandle city company bio locale segments tags tenantRole
"""
ERRORS = "errors { field code message }"
CREATE = f"""
mutation ($input: PersonCreateInput!) {{
  personCreate(input: $input) {{ person {{ {PERSON_FIELDS} }} {ERRORS} }}
}}"""
UPDATE = f"""
mutation ($input: PersonUpdateInput!) {{
  personUpdate(input: $input) {{ person {{ {PERSON_FIELDS} }} {ERRORS} }}
}}"""
LINK = f"""
mutation ($input: PersonIdentityInput!) {{
  personLinkIdentity(input: $input) {{
    person {{ id identities {{ issuer subject linkedAt }} }} {ERRORS}
  }}
}}"""
UNLINK = f"""
mutation ($input: PersonIdentityInput!) {{
  personUnlinkIdentity(input: $input) {{ person {{ id identities {{ subject }} }} {ERRORS} }}
}}"""
PEOPLE = """
query ($filter: PersonFilter, $first: Int, $after: String, $last: Int, $before: String) {
  people(filter: $filter, first: $first, after: $after, last: $last, before: $before) {
    edges { cursor node { id displayName email githubHandle tags segments city } }
    pageInfo { hasNextPage hasPreviousPage endCursor startCursor }
  }
}"""
AUDIT = """
query ($filter: AuditLogFilter, $first: Int, $after: String) {
  auditLog(filter: $filter, first: $first, after: $after) {
    edges {
      cursor
      node {
        id occurredAt action objectType objectId operation requestId
        actor { id displayName }
        changes { field before after }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}"""
NODE = """
query ($id: ID!) {
  node(id: $id) { id ... on Person { displayName } ... on AuditEntry { action } }
}"""


async def _call(client, tenant, email: str | None, query: str, variables: dict) -> dict:
    token = tenant.token(email) if email else None
    return await gql(client, tenant.slug, query, variables, token=token)


async def _mutate(client, tenant, email: str, query: str, input: dict) -> dict:
    data = data_of(await _call(client, tenant, email, query, {"input": input}))
    (payload,) = data.values()
    return payload


async def _search(client, tenant, email: str, **variables) -> list[dict]:
    data = data_of(await _call(client, tenant, email, PEOPLE, variables))
    return [edge["node"] for edge in data["people"]["edges"]]


async def _audit(client, tenant, email: str, **filter) -> list[dict]:
    data = data_of(await _call(client, tenant, email, AUDIT, {"filter": filter, "first": 100}))
    return [edge["node"] for edge in data["auditLog"]["edges"]]


async def _create(client, tenant, caller: str = OPS, **input) -> dict:
    input.setdefault("displayName", "Someone")
    payload = await _mutate(client, tenant, caller, CREATE, input)
    assert payload["errors"] == [], payload["errors"]
    return payload["person"]


# --- create and update ----------------------------------------------------------------------


async def test_ops_creates_and_updates_a_person(client, tenants) -> None:
    tenant = await tenants.create(people=STAFFED)
    person = await _create(
        client,
        tenant,
        displayName="  Ada Lovelace ",
        email=" Ada@Example.org ",
        githubHandle="ada-l",
        city="London",
        company="Analytical Engines",
        bio="First programmer",
        locale="en-GB",
        segments=["CODE_CONTRIBUTOR", "CODE_CONTRIBUTOR", "USER"],
        tags=[" math ", "Math", "poetry"],
    )
    assert person["displayName"] == "Ada Lovelace"
    assert person["email"] == "Ada@Example.org"
    assert person["segments"] == ["CODE_CONTRIBUTOR", "USER"]
    assert person["tags"] == ["math", "poetry"]
    assert person["tenantRole"] is None

    # Partial: omitted fields stay, null clears.
    payload = await _mutate(
        client,
        tenant,
        OPS,
        UPDATE,
        {"id": person["id"], "city": "Paris", "bio": None, "githubHandle": None, "tags": []},
    )
    assert payload["errors"] == []
    updated = payload["person"]
    assert (updated["city"], updated["bio"], updated["githubHandle"], updated["tags"]) == (
        "Paris",
        None,
        None,
        [],
    )
    assert (updated["displayName"], updated["company"], updated["locale"]) == (
        "Ada Lovelace",
        "Analytical Engines",
        "en-GB",
    )
    assert updated["segments"] == ["CODE_CONTRIBUTOR", "USER"]


async def test_invalid_input_is_typed_and_writes_nothing(client, tenants) -> None:
    tenant = await tenants.create(people=STAFFED)
    payload = await _mutate(
        client,
        tenant,
        OPS,
        CREATE,
        {
            "displayName": "  ",
            "email": "not-an-email",
            "githubHandle": "-bad-",
            "locale": "English!",
            "city": "x" * 101,
            "tags": ["ok", "", "t" * 51],
        },
    )
    assert payload["person"] is None
    assert code_set(payload) == {
        ("displayName", "REQUIRED"),
        ("email", "INVALID"),
        ("githubHandle", "INVALID"),
        ("locale", "INVALID"),
        ("city", "TOO_LONG"),
        ("tags.1", "REQUIRED"),
        ("tags.2", "TOO_LONG"),
    }
    too_many = await _mutate(
        client,
        tenant,
        OPS,
        CREATE,
        {"displayName": "Tagged", "email": "t@x.example", "tags": [f"t{i}" for i in range(21)]},
    )
    assert code_set(too_many) == {("tags", "INVALID")}
    cleared = await _mutate(
        client,
        tenant,
        OPS,
        UPDATE,
        {"id": person_id(tenant, MEMBER), "displayName": None, "email": None},
    )
    assert code_set(cleared) == {("displayName", "REQUIRED"), ("email", "REQUIRED")}

    assert await _search(client, tenant, OPS, filter={"text": "Tagged"}) == []
    names = {p["displayName"] for p in await _search(client, tenant, OPS, first=100)}
    assert names == {email.split("@")[0] for email in STAFFED}
    assert await _audit(client, tenant, OPS, action="personCreate") == []
    assert await _audit(client, tenant, OPS, action="personUpdate") == []


@pytest.mark.parametrize(
    ("handle", "valid"),
    [
        ("a", True),
        ("octo-cat", True),
        ("A1-b2-C3", True),
        ("x" * 39, True),
        ("x" * 40, False),
        ("-octo", False),
        ("octo-", False),
        ("octo--cat", False),
        ("octo_cat", False),
        ("octo cat", False),
        ("", False),
    ],
)
def test_github_handles_follow_githubs_rules(handle: str, valid: bool) -> None:
    assert bool(GITHUB_HANDLE.match(handle)) is valid


async def test_an_email_in_another_case_is_a_conflict(client, tenants) -> None:
    tenant = await tenants.create(people=STAFFED)
    duplicate = await _mutate(
        client, tenant, OPS, CREATE, {"displayName": "Copy", "email": "M@X.Example"}
    )
    assert duplicate["person"] is None
    assert code_set(duplicate) == {("email", "CONFLICT")}
    taken = await _mutate(
        client, tenant, OPS, UPDATE, {"id": person_id(tenant, OTHER), "email": "Ops@x.example"}
    )
    assert code_set(taken) == {("email", "CONFLICT")}
    assert await _audit(client, tenant, OPS, action="personCreate") == []
    # Unique per tenant only.
    elsewhere = await tenants.create(people={OPS: TenantRole.OPS})
    await _create(client, elsewhere, displayName="Copy", email="m@x.example")


# --- who may edit what ----------------------------------------------------------------------


async def test_people_edit_their_own_profile_but_not_others(client, tenants) -> None:
    tenant = await tenants.create(people=STAFFED)
    me = person_id(tenant, MEMBER)
    own = await _mutate(
        client, tenant, MEMBER, UPDATE, {"id": me, "city": "Beijing", "githubHandle": "me-1"}
    )
    assert own["errors"] == []
    assert (own["person"]["city"], own["person"]["githubHandle"]) == ("Beijing", "me-1")
    # Re-stating one's current role is no change.
    same = await _mutate(client, tenant, MEMBER, UPDATE, {"id": me, "tenantRole": None})
    assert same["errors"] == []

    other = await _mutate(
        client, tenant, MEMBER, UPDATE, {"id": person_id(tenant, OTHER), "city": "Nowhere"}
    )
    assert other["person"] is None
    assert code_set(other) == {(None, "FORBIDDEN")}

    promote = await _mutate(client, tenant, MEMBER, UPDATE, {"id": me, "tenantRole": "ADMIN"})
    assert code_set(promote) == {(None, "FORBIDDEN")}
    demote = await _mutate(
        client, tenant, ADMIN, UPDATE, {"id": person_id(tenant, ADMIN), "tenantRole": "OPS"}
    )
    assert code_set(demote) == {("tenantRole", "FORBIDDEN")}
    owner_self = await _mutate(
        client, tenant, OWNER, UPDATE, {"id": person_id(tenant, OWNER), "tenantRole": "VIEWER"}
    )
    assert code_set(owner_self) == {("tenantRole", "FORBIDDEN")}

    # Nothing of the refused edits was written.
    roles = data_of(await _call(client, tenant, MEMBER, "{ viewer { tenantRole } }", {}))
    assert roles["viewer"]["tenantRole"] is None
    others = await _audit(client, tenant, OPS, objectId=person_id(tenant, OTHER))
    assert {entry["action"] for entry in others} == {"system"}


async def test_segments_are_set_by_staff_and_interests_by_the_person(client, tenants) -> None:
    tenant = await tenants.create(people=STAFFED)
    me = person_id(tenant, MEMBER)
    fields = "person { segments interests city } errors { field code message }"
    update = (
        f"mutation ($input: PersonUpdateInput!) {{ personUpdate(input: $input) {{ {fields} }} }}"
    )
    claimed = await _mutate(
        client,
        tenant,
        MEMBER,
        update,
        {"id": me, "city": "Wuhan", "segments": ["CODE_CONTRIBUTOR"]},
    )
    assert claimed["person"] is None and code_set(claimed) == {("segments", "FORBIDDEN")}
    assert "interests" in claimed["errors"][0]["message"]
    cleared = await _mutate(client, tenant, MEMBER, update, {"id": me, "segments": None})
    assert cleared["errors"] == []  # had none: no change

    staff = await _mutate(client, tenant, OPS, update, {"id": me, "segments": ["CODE_CONTRIBUTOR"]})
    assert staff["errors"] == [] and staff["person"]["segments"] == ["CODE_CONTRIBUTOR"]
    # A whole profile form sent back with the segments staff set changes nothing of them.
    form = {"id": me, "segments": ["CODE_CONTRIBUTOR"], "interests": [" eBPF ", "Rust", "rust"]}
    own = await _mutate(client, tenant, MEMBER, update, form)
    assert own["errors"] == []
    assert own["person"]["interests"] == ["eBPF", "Rust"]
    dropped = await _mutate(client, tenant, MEMBER, update, {"id": me, "segments": []})
    assert code_set(dropped) == {("segments", "FORBIDDEN")}

    too_many = [f"topic {n}" for n in range(11)]
    limits = await _mutate(client, tenant, MEMBER, update, {"id": me, "interests": too_many})
    assert code_set(limits) == {("interests", "INVALID")}
    too_long = await _mutate(client, tenant, MEMBER, update, {"id": me, "interests": ["x" * 51]})
    assert code_set(too_long) == {("interests.0", "TOO_LONG")}
    viewer = data_of(
        await _call(client, tenant, MEMBER, "{ viewer { person { segments interests city } } }", {})
    )
    assert viewer["viewer"]["person"] == {
        "segments": ["CODE_CONTRIBUTOR"],
        "interests": ["eBPF", "Rust"],
        "city": None,
    }


async def test_tenant_roles_are_granted_by_admins_up_to_their_own(client, tenants) -> None:
    tenant = await tenants.create(people=STAFFED)
    owner_by_admin = await _mutate(
        client,
        tenant,
        ADMIN,
        CREATE,
        {"displayName": "Boss", "email": "boss@x.example", "tenantRole": "OWNER"},
    )
    assert owner_by_admin["person"] is None
    assert code_set(owner_by_admin) == {("tenantRole", "FORBIDDEN")}
    by_ops = await _mutate(
        client,
        tenant,
        OPS,
        CREATE,
        {"displayName": "Viewer", "email": "v@x.example", "tenantRole": "VIEWER"},
    )
    assert code_set(by_ops) == {(None, "FORBIDDEN")}
    # An admin cannot take the owner's role away either: nor touch the owner's account at all.
    unmake = await _mutate(
        client, tenant, ADMIN, UPDATE, {"id": person_id(tenant, OWNER), "tenantRole": "VIEWER"}
    )
    assert code_set(unmake) == {(None, "FORBIDDEN")}

    admin_made = await _create(
        client, tenant, ADMIN, displayName="Ops 2", email="ops2@x.example", tenantRole="OPS"
    )
    assert admin_made["tenantRole"] == "OPS"
    promoted = await _mutate(
        client, tenant, ADMIN, UPDATE, {"id": person_id(tenant, MEMBER), "tenantRole": "ADMIN"}
    )
    assert promoted["errors"] == []
    assert promoted["person"]["tenantRole"] == "ADMIN"
    owner_made = await _mutate(
        client, tenant, OWNER, UPDATE, {"id": person_id(tenant, OTHER), "tenantRole": "OWNER"}
    )
    assert owner_made["person"]["tenantRole"] == "OWNER"


# --- search ---------------------------------------------------------------------------------


async def test_search_by_name_handle_tag_segment_and_city(client, tenants) -> None:
    tenant = await tenants.create(people={OPS: TenantRole.OPS, MEMBER: None})
    await _create(
        client,
        tenant,
        displayName="Grace Hopper",
        email="grace@navy.example",
        githubHandle="gracehopper",
        city="Arlington",
        segments=["CODE_CONTRIBUTOR"],
        tags=["COBOL", "Compilers"],
    )
    await _create(
        client,
        tenant,
        displayName="Alan Turing",
        email="alan@bletchley.example",
        githubHandle="enigma-breaker",
        city="Manchester",
        segments=["NON_CODE_CONTRIBUTOR", "USER"],
        tags=["crypto"],
    )
    await _create(
        client, tenant, displayName="Grace Kelly", email="kelly@x.example", city="arlington"
    )

    async def names(**filter) -> list[str]:
        found = await _search(client, tenant, MEMBER, filter=filter, first=50)
        return [person["displayName"] for person in found]

    assert await names(text="grace") == ["Grace Hopper", "Grace Kelly"]
    assert await names(text="ENIGMA") == ["Alan Turing"]
    assert await names(text="100%_") == []
    assert await names(tag="cobol") == ["Grace Hopper"]
    assert await names(tag="crypt") == []
    assert await names(segment="USER") == ["Alan Turing"]
    assert await names(segment="CODE_CONTRIBUTOR") == ["Grace Hopper"]
    assert await names(city="ARLINGTON") == ["Grace Hopper", "Grace Kelly"]
    assert await names(text="grace", city="Arlington", tag="compilers") == ["Grace Hopper"]


async def test_paging_gives_every_person_exactly_once_in_order(client, tenants) -> None:
    tenant = await tenants.create(people={OPS: TenantRole.OPS, MEMBER: None})
    for index in range(9):
        # Repeated names: the id breaks the tie, so pages still neither skip nor repeat.
        await _create(client, tenant, displayName=f"Pager {index % 4}", email=f"p{index}@x.example")
    seen: list[dict] = []
    after = None
    while True:
        data = data_of(
            await _call(
                client,
                tenant,
                MEMBER,
                PEOPLE,
                {"filter": {"text": "pager"}, "first": 4, "after": after},
            )
        )
        page = data["people"]
        seen += [edge["node"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == 9
    assert len({person["id"] for person in seen}) == 9
    names = [person["displayName"] for person in seen]
    assert names == sorted(names)

    # And backwards from the end.
    backwards = data_of(
        await _call(client, tenant, MEMBER, PEOPLE, {"filter": {"text": "pager"}, "last": 4})
    )["people"]
    assert [edge["node"]["id"] for edge in backwards["edges"]] == [p["id"] for p in seen[-4:]]
    assert backwards["pageInfo"]["hasPreviousPage"] is True


async def test_members_cannot_find_or_see_other_peoples_emails(client, tenants) -> None:
    tenant = await tenants.create(people={OPS: TenantRole.OPS, MEMBER: None})
    await _create(client, tenant, displayName="Quiet Person", email="hidden-mailbox@x.example")

    assert await _search(client, tenant, MEMBER, filter={"text": "hidden-mailbox"}) == []
    found = await _search(client, tenant, OPS, filter={"text": "hidden-mailbox"})
    assert [(p["displayName"], p["email"]) for p in found] == [
        ("Quiet Person", "hidden-mailbox@x.example")
    ]

    everyone = await _search(client, tenant, MEMBER, first=50)
    emails = {person["displayName"]: person["email"] for person in everyone}
    assert emails == {"Quiet Person": None, "ops": None, "m": MEMBER}


async def test_anonymous_callers_cannot_search_people(client, tenants) -> None:
    tenant = await tenants.create(people={MEMBER: None})
    body = await _call(client, tenant, None, PEOPLE, {})
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


# --- identities -----------------------------------------------------------------------------


async def test_the_owner_links_identities_and_duplicates_conflict(client, tenants) -> None:
    """Links by the owner apply at once (an admin's wait for the person: test_escalation)."""
    tenant = await tenants.create(people=STAFFED)
    member, other = person_id(tenant, MEMBER), person_id(tenant, OTHER)
    identity = {"issuer": "https://idp.example", "subject": "sub-1"}

    linked = await _mutate(client, tenant, OWNER, LINK, {"personId": member, **identity})
    assert linked["errors"] == []
    assert [(i["issuer"], i["subject"]) for i in linked["person"]["identities"]] == [
        ("https://idp.example", "sub-1")
    ]
    again = await _mutate(client, tenant, OWNER, LINK, {"personId": other, **identity})
    assert again["person"] is None
    assert code_set(again) == {("subject", "CONFLICT")}
    by_ops = await _mutate(
        client,
        tenant,
        OPS,
        LINK,
        {"personId": other, "issuer": "https://idp.example", "subject": "2"},
    )
    assert code_set(by_ops) == {(None, "FORBIDDEN")}
    blank = await _mutate(
        client, tenant, OWNER, LINK, {"personId": other, "issuer": " ", "subject": ""}
    )
    assert code_set(blank) == {("issuer", "REQUIRED"), ("subject", "REQUIRED")}

    # The person and admins see the identities; other people do not.
    query = "query ($id: ID!) { node(id: $id) { ... on Person { identities { subject } } } }"
    own = data_of(await _call(client, tenant, MEMBER, query, {"id": member}))
    assert own["node"]["identities"] == [{"subject": "sub-1"}]
    peer = data_of(await _call(client, tenant, OTHER, query, {"id": member}))
    assert peer["node"]["identities"] is None
    staff = data_of(await _call(client, tenant, OPS, query, {"id": member}))
    assert staff["node"]["identities"] is None

    unlinked = await _mutate(client, tenant, ADMIN, UNLINK, {"personId": member, **identity})
    assert unlinked["errors"] == []
    assert unlinked["person"]["identities"] == []
    relinked = await _mutate(client, tenant, OWNER, LINK, {"personId": other, **identity})
    assert relinked["errors"] == []


async def test_another_tenants_people_are_not_found(client, tenants) -> None:
    tenant = await tenants.create(people=STAFFED)
    elsewhere = await tenants.create(people={MEMBER: None})
    foreign = person_id(elsewhere, MEMBER)

    update = await _mutate(client, tenant, ADMIN, UPDATE, {"id": foreign, "city": "Hijacked"})
    assert code_set(update) == {("id", "NOT_FOUND")}
    link = await _mutate(
        client, tenant, ADMIN, LINK, {"personId": foreign, "issuer": "https://i", "subject": "s"}
    )
    assert code_set(link) == {("personId", "NOT_FOUND")}
    node = data_of(await _call(client, tenant, ADMIN, NODE, {"id": foreign}))
    assert node["node"] is None
    assert await _audit(client, tenant, ADMIN, objectId=foreign) == []
    (still,) = await _search(client, elsewhere, MEMBER)
    assert still["city"] is None
