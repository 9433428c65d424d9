"""Committees and their seats through the GraphQL endpoint: who may read and write them, typed
errors for bad input, seats kept as history when they end, tenants kept apart, and a constant
number of SQL statements however many committees a page lists."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import event
from strawberry.relay import to_base64

from chapters import db
from chapters.models import Committee, CommitteeKind, CommitteeSeat, SeatRole, TenantRole
from tests.support import TenantFixture, data_of, gql

OPS, MEMBER = "ops@x.example", "m@x.example"
PEOPLE = {OPS: TenantRole.OPS, MEMBER: None}

ERRORS = "errors { field code message }"
SEAT = "id role startsOn endsOn isCurrent person { displayName } committee { name }"

CREATE = f"""mutation ($input: CommitteeCreateInput!) {{
  committeeCreate(input: $input) {{ committee {{ id name kind description }} {ERRORS} }}
}}"""
UPDATE = f"""mutation ($input: CommitteeUpdateInput!) {{
  committeeUpdate(input: $input) {{ committee {{ id name kind description }} {ERRORS} }}
}}"""
SEAT_ADD = f"""mutation ($input: CommitteeSeatAddInput!) {{
  committeeSeatAdd(input: $input) {{ seat {{ {SEAT} }} {ERRORS} }}
}}"""
SEAT_END = f"""mutation ($input: CommitteeSeatEndInput!) {{
  committeeSeatEnd(input: $input) {{ seat {{ {SEAT} }} {ERRORS} }}
}}"""
LIST = f"""query ($current: Boolean!, $filter: CommitteeFilter) {{
  committees(filter: $filter) {{
    edges {{ node {{ id name kind seats(current: $current) {{ edges {{ node {{ {SEAT} }} }} }} }} }}
  }}
}}"""


def gid(type_name: str, object_id: uuid.UUID) -> str:
    return to_base64(type_name, str(object_id))


def person_gid(tenant: TenantFixture, email: str) -> str:
    return gid("Person", tenant.people[email].id)


class Api:
    """One caller of one tenant's endpoint."""

    def __init__(self, client, tenant: TenantFixture, email: str | None) -> None:
        self.client, self.tenant = client, tenant
        self.token = tenant.token(email) if email else None

    async def raw(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        return await gql(self.client, self.tenant.slug, query, variables, token=self.token)

    async def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        return data_of(await self.raw(query, variables))

    async def mutate(self, query: str, **input: Any) -> dict[str, Any]:
        (payload,) = (await self.data(query, {"input": input})).values()
        return payload

    async def committees(self, current: bool = True, **filter: Any) -> list[dict[str, Any]]:
        data = await self.data(LIST, {"current": current, "filter": filter or None})
        return [edge["node"] for edge in data["committees"]["edges"]]


def seats_of(committee: dict[str, Any]) -> list[dict[str, Any]]:
    return [edge["node"] for edge in committee["seats"]["edges"]]


def codes(payload: dict[str, Any]) -> list[tuple[str | None, str]]:
    return [(error["field"], error["code"]) for error in payload["errors"]]


async def _create(api: Api, name: str = "Steering Committee", kind: str = "STEERING") -> str:
    payload = await api.mutate(CREATE, name=name, kind=kind)
    assert payload["errors"] == []
    return payload["committee"]["id"]


async def _seat(api: Api, committee_id: str, email: str, **fields: Any) -> dict[str, Any]:
    payload = await api.mutate(
        SEAT_ADD, committeeId=committee_id, personId=person_gid(api.tenant, email), **fields
    )
    assert payload["errors"] == [], payload
    return payload["seat"]


async def test_ops_run_committees_and_ended_seats_stay_as_history(client, tenants) -> None:
    tenant = await tenants.create(people=PEOPLE)
    ops = Api(client, tenant, OPS)
    created = await ops.mutate(
        CREATE, name="  Steering Committee ", kind="STEERING", description="Sets direction"
    )
    assert created["errors"] == []
    committee = created["committee"]
    assert committee["name"] == "Steering Committee"

    chair = await _seat(ops, committee["id"], MEMBER, role="CHAIR", startsOn="2024-01-01")
    assert (chair["role"], chair["startsOn"], chair["endsOn"], chair["isCurrent"]) == (
        "CHAIR",
        "2024-01-01",
        None,
        True,
    )
    assert chair["person"] == {"displayName": "m"}
    assert chair["committee"] == {"name": "Steering Committee"}
    member = await _seat(ops, committee["id"], OPS)  # starts today by default
    today = member["startsOn"]
    assert member["role"] == "MEMBER" and member["isCurrent"] is True

    ended = await ops.mutate(SEAT_END, seatId=chair["id"])
    assert ended["errors"] == []
    assert (ended["seat"]["endsOn"], ended["seat"]["isCurrent"]) == (today, False)

    (current,) = await ops.committees(current=True)
    assert [seat["id"] for seat in seats_of(current)] == [member["id"]]
    (everything,) = await ops.committees(current=False)
    history = {seat["id"]: seat for seat in seats_of(everything)}
    assert history.keys() == {chair["id"], member["id"]}
    assert (history[chair["id"]]["endsOn"], history[chair["id"]]["isCurrent"]) == (today, False)

    # A plain member may read committees and seats too.
    assert [c["name"] for c in await Api(client, tenant, MEMBER).committees()] == [
        "Steering Committee"
    ]

    updated = await ops.mutate(UPDATE, id=committee["id"], name="TOC", description=None)
    assert updated == {
        "committee": {
            "id": committee["id"],
            "name": "TOC",
            "kind": "STEERING",
            "description": None,
        },
        "errors": [],
    }
    node = await ops.data(
        f'{{ node(id: "{chair["id"]}") {{ ... on CommitteeSeat {{ endsOn committee {{ name }} }} }} }}'
    )
    assert node == {"node": {"endsOn": today, "committee": {"name": "TOC"}}}


async def test_a_member_changes_one_seat_into_another_on_the_same_day(client, tenants) -> None:
    tenant = await tenants.create(people=PEOPLE)
    ops = Api(client, tenant, OPS)
    committee_id = await _create(ops)
    first = await _seat(ops, committee_id, MEMBER, startsOn="2023-01-01", endsOn="2024-01-01")
    second = await _seat(ops, committee_id, MEMBER, role="CHAIR", startsOn="2024-01-01")
    assert (first["isCurrent"], second["isCurrent"]) == (False, True)


async def test_committees_filter_by_kind_and_text(client, tenants) -> None:
    tenant = await tenants.create(people=PEOPLE)
    ops = Api(client, tenant, OPS)
    await _create(ops, "Steering Committee", "STEERING")
    await _create(ops, "User Committee", "USER_COMMITTEE")
    await _create(ops, "Ambassadors 100%", "AMBASSADOR_COUNCIL")

    async def names(**filter: Any) -> list[str]:
        return [c["name"] for c in await ops.committees(**filter)]

    assert await names() == ["Ambassadors 100%", "Steering Committee", "User Committee"]
    assert await names(kind=["STEERING", "USER_COMMITTEE"]) == [
        "Steering Committee",
        "User Committee",
    ]
    assert await names(text="committee") == ["Steering Committee", "User Committee"]
    assert await names(text="0%") == ["Ambassadors 100%"]
    assert await names(text="%") == ["Ambassadors 100%"]


async def test_a_plain_member_may_not_write_and_nothing_is_written(client, tenants) -> None:
    tenant = await tenants.create(people=PEOPLE)
    ops, member = Api(client, tenant, OPS), Api(client, tenant, MEMBER)
    committee_id = await _create(ops)
    seat = await _seat(ops, committee_id, OPS)
    attempts = [
        (CREATE, {"name": "Shadow cabinet", "kind": "OTHER"}),
        (UPDATE, {"id": committee_id, "name": "Taken over"}),
        (SEAT_ADD, {"committeeId": committee_id, "personId": person_gid(tenant, MEMBER)}),
        (SEAT_END, {"seatId": seat["id"]}),
    ]
    for query, input in attempts:
        payload = await member.mutate(query, **input)
        assert codes(payload) == [(None, "FORBIDDEN")], query
        assert (
            payload["errors"][0]["message"] == "You are not allowed to manage committees and seats"
        )
        assert payload.get("committee", payload.get("seat")) is None
    (committee,) = await ops.committees(current=False)
    assert committee["name"] == "Steering Committee"
    assert [(s["id"], s["endsOn"]) for s in seats_of(committee)] == [(seat["id"], None)]


async def test_bad_input_comes_back_as_typed_errors(client, tenants) -> None:
    tenant = await tenants.create(people=PEOPLE)
    ops = Api(client, tenant, OPS)
    committee_id = await _create(ops, "Steering Committee")
    other_id = await _create(ops, "User Committee", "USER_COMMITTEE")

    assert codes(await ops.mutate(CREATE, name="   ", kind="OTHER")) == [("name", "REQUIRED")]
    assert codes(await ops.mutate(CREATE, name="x" * 201, kind="OTHER")) == [("name", "TOO_LONG")]
    duplicate = await ops.mutate(CREATE, name=" steering committee", kind="OTHER")
    assert duplicate["errors"] == [
        {"field": "name", "code": "CONFLICT", "message": "Another committee has this name"}
    ]
    assert codes(await ops.mutate(UPDATE, id=other_id, name="Steering Committee")) == [
        ("name", "CONFLICT")
    ]
    assert codes(await ops.mutate(UPDATE, id=other_id, name=None, kind=None)) == [
        ("name", "REQUIRED"),
        ("kind", "REQUIRED"),
    ]
    # Renaming a committee to its own name (in another case) is no conflict.
    assert codes(await ops.mutate(UPDATE, id=other_id, name="USER COMMITTEE")) == []

    def seat_input(**fields: Any) -> dict[str, Any]:
        return {"committeeId": committee_id, "personId": person_gid(tenant, MEMBER), **fields}

    backwards = await ops.mutate(SEAT_ADD, **seat_input(startsOn="2025-06-01", endsOn="2025-05-31"))
    assert backwards["errors"] == [
        {"field": "endsOn", "code": "INVALID", "message": "Cannot end before it starts"}
    ]
    unknown = seat_input(personId=gid("Person", uuid.uuid4()))
    assert codes(await ops.mutate(SEAT_ADD, **unknown)) == [("personId", "NOT_FOUND")]
    missing = seat_input(committeeId=gid("Committee", uuid.uuid4()))
    assert codes(await ops.mutate(SEAT_ADD, **missing)) == [("committeeId", "NOT_FOUND")]
    wrong_type = seat_input(committeeId=person_gid(tenant, MEMBER))
    assert codes(await ops.mutate(SEAT_ADD, **wrong_type)) == [("committeeId", "NOT_FOUND")]
    malformed = seat_input(committeeId="not a global id")
    assert codes(await ops.mutate(SEAT_ADD, **malformed)) == [("committeeId", "INVALID")]
    assert codes(await ops.mutate(UPDATE, id="%%%", name="x")) == [("id", "INVALID")]
    assert codes(await ops.mutate(SEAT_END, seatId=gid("CommitteeSeat", uuid.uuid4()))) == [
        ("seatId", "NOT_FOUND")
    ]

    # One person, one seat on a committee at any time; other committees are independent.
    seat = await _seat(ops, committee_id, MEMBER, startsOn="2025-01-01")
    overlapping = await ops.mutate(SEAT_ADD, **seat_input(role="CHAIR", startsOn="2020-01-01"))
    assert codes(overlapping) == [("personId", "CONFLICT")]
    await _seat(ops, other_id, MEMBER, startsOn="2025-01-01")

    early = await ops.mutate(SEAT_END, seatId=seat["id"], endsOn="2024-12-31")
    assert codes(early) == [("endsOn", "INVALID")]
    assert (await ops.mutate(SEAT_END, seatId=seat["id"], endsOn="2025-02-01"))["errors"] == []
    again = await ops.mutate(SEAT_END, seatId=seat["id"])
    assert again["errors"] == [
        {"field": "seatId", "code": "INVALID", "message": "This seat already ended on 2025-02-01"}
    ]
    # Once the term is over the person may be seated again, even back-to-back.
    assert (await ops.mutate(SEAT_ADD, **seat_input(startsOn="2025-02-01")))["errors"] == []


async def test_a_scheduled_end_can_be_brought_forward_not_pushed_back(client, tenants) -> None:
    tenant = await tenants.create(people=PEOPLE)
    ops = Api(client, tenant, OPS)
    committee_id = await _create(ops)
    seat = await _seat(ops, committee_id, MEMBER, startsOn="2024-01-01", endsOn="2999-01-01")
    assert seat["isCurrent"] is True
    later = await ops.mutate(SEAT_END, seatId=seat["id"], endsOn="2999-06-01")
    assert codes(later) == [("endsOn", "INVALID")]
    ended = await ops.mutate(SEAT_END, seatId=seat["id"])
    assert ended["errors"] == [] and ended["seat"]["isCurrent"] is False
    # An upcoming seat ended without a date is withdrawn: its term is empty.
    upcoming = await _seat(ops, committee_id, OPS, startsOn="2999-01-01")
    withdrawn = await ops.mutate(SEAT_END, seatId=upcoming["id"])
    assert withdrawn["seat"]["endsOn"] == "2999-01-01"
    assert codes(await ops.mutate(SEAT_END, seatId=upcoming["id"])) == [("seatId", "INVALID")]


async def test_anonymous_callers_cannot_read_committees(client, tenants) -> None:
    tenant = await tenants.create(people=PEOPLE)
    committee_id = await _create(Api(client, tenant, OPS))
    anonymous = Api(client, tenant, None)
    body = await anonymous.raw(LIST, {"current": True})
    assert body["data"] is None
    assert [(e["path"], e["extensions"]["code"]) for e in body["errors"]] == [
        (["committees"], "FORBIDDEN")
    ]
    assert await anonymous.data(f'{{ node(id: "{committee_id}") {{ id }} }}') == {"node": None}
    payload = await anonymous.mutate(CREATE, name="Anonymous", kind="OTHER")
    assert codes(payload) == [(None, "FORBIDDEN")]


async def test_another_tenants_committees_are_not_found(client, tenants) -> None:
    a = await tenants.create(people=PEOPLE)
    b = await tenants.create(people=PEOPLE)
    ops_a, ops_b = Api(client, a, OPS), Api(client, b, OPS)
    own_id = await _create(ops_a)
    foreign_id = await _create(ops_b, "Foreign Committee")
    foreign_seat = await _seat(ops_b, foreign_id, MEMBER)

    assert codes(await ops_a.mutate(UPDATE, id=foreign_id, name="Hijacked")) == [
        ("id", "NOT_FOUND")
    ]
    add = {"committeeId": foreign_id, "personId": person_gid(a, MEMBER)}
    assert codes(await ops_a.mutate(SEAT_ADD, **add)) == [("committeeId", "NOT_FOUND")]
    foreign_person = {"committeeId": own_id, "personId": person_gid(b, MEMBER)}
    assert codes(await ops_a.mutate(SEAT_ADD, **foreign_person)) == [("personId", "NOT_FOUND")]
    assert codes(await ops_a.mutate(SEAT_END, seatId=foreign_seat["id"])) == [
        ("seatId", "NOT_FOUND")
    ]
    nodes = await ops_a.data(
        "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }",
        {"ids": [foreign_id, foreign_seat["id"]]},
    )
    assert nodes == {"nodes": [None, None]}
    # Same names in two tenants are no conflict, and nothing leaked either way.
    assert (await ops_a.mutate(CREATE, name="Foreign Committee", kind="OTHER"))["errors"] == []
    (foreign,) = await ops_b.committees(current=False)
    assert (foreign["name"], len(seats_of(foreign))) == ("Foreign Committee", 1)


LIST_WITH_PEOPLE = """query {
  committees(first: 100) {
    edges { node { name
      current: seats { edges { node { role isCurrent person { displayName } } } }
      all: seats(current: false, first: 1) { pageInfo { hasNextPage } edges { node { endsOn } } }
    } }
  }
}"""


async def _seed_committees(owner_engine, tenant: TenantFixture, count: int) -> None:
    """Committees with a current and an ended seat each, written straight through the owner."""
    people = [person.id for person in tenant.people.values()]
    sessionmaker = db.tenant_sessionmaker(owner_engine)
    async with db.open_tenant_session(sessionmaker, tenant.id) as session, session.begin():
        for index in range(count):
            committee = Committee(id=uuid.uuid4(), name=f"C{index:03}", kind=CommitteeKind.OTHER)
            session.add(committee)
            session.add_all(
                [
                    CommitteeSeat(
                        committee_id=committee.id,
                        person_id=people[index % 2],
                        role=SeatRole.MEMBER,
                        starts_on=date(2020, 1, 1),
                        ends_on=date(2021, 1, 1),
                    ),
                    CommitteeSeat(
                        committee_id=committee.id,
                        person_id=people[(index + 1) % 2],
                        role=SeatRole.CHAIR,
                        starts_on=date(2021, 1, 1),
                    ),
                ]
            )


async def _statements_to_list(app, client, tenant: TenantFixture, count: int) -> int:
    api = Api(client, tenant, OPS)
    await api.data("{ viewer { email } }")  # the tenant's slug is now in the directory cache
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    engine = app.state.runtime.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        data = await api.data(LIST_WITH_PEOPLE)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    committees = [edge["node"] for edge in data["committees"]["edges"]]
    assert len(committees) == count
    for committee in committees:
        (seat,) = [edge["node"] for edge in committee["current"]["edges"]]
        assert seat["role"] == "CHAIR" and seat["isCurrent"] and seat["person"]["displayName"]
        assert committee["all"]["pageInfo"]["hasNextPage"] is True
        assert [edge["node"]["endsOn"] for edge in committee["all"]["edges"]] == ["2021-01-01"]
    return len(statements)


async def test_listing_committees_with_seats_costs_a_constant_number_of_statements(
    app, client, tenants, owner_engine
) -> None:
    counts = {}
    for size in (5, 50):
        tenant = await tenants.create(people=PEOPLE)
        await _seed_committees(owner_engine, tenant, size)
        counts[size] = await _statements_to_list(app, client, tenant, size)
    assert counts[5] == counts[50], counts
