"""Committees and their seats through the GraphQL endpoint: who may read and write them, typed
errors for bad input, seats kept as history when they end, tenants kept apart, and a constant
number of SQL statements however many committees a page lists."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError
from strawberry.relay import to_base64

from chapters.committees import service as committees_service
from chapters.db.session import open_tenant_session, tenant_sessionmaker
from chapters.models import Committee, CommitteeKind, CommitteeSeat, SeatRole, TenantRole
from tests import support
from tests.support import TenantFixture, codes, person_id, statements_sent

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


class Api(support.Api):
    """One caller of one tenant's endpoint, with this module's queries."""

    async def committees(self, current: bool = True, **filter: Any) -> list[dict[str, Any]]:
        data = await self.data(LIST, {"current": current, "filter": filter or None})
        return [edge["node"] for edge in data["committees"]["edges"]]


def seats_of(committee: dict[str, Any]) -> list[dict[str, Any]]:
    return [edge["node"] for edge in committee["seats"]["edges"]]


async def _create(api: Api, name: str = "Steering Committee", kind: str = "STEERING") -> str:
    payload = await api.mutate(CREATE, name=name, kind=kind)
    assert payload["errors"] == []
    return payload["committee"]["id"]


async def _seat(api: Api, committee_id: str, email: str, **fields: Any) -> dict[str, Any]:
    payload = await api.mutate(
        SEAT_ADD, committeeId=committee_id, personId=person_id(api.tenant, email), **fields
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
        (SEAT_ADD, {"committeeId": committee_id, "personId": person_id(tenant, MEMBER)}),
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
        return {"committeeId": committee_id, "personId": person_id(tenant, MEMBER), **fields}

    backwards = await ops.mutate(SEAT_ADD, **seat_input(startsOn="2025-06-01", endsOn="2025-05-31"))
    assert backwards["errors"] == [
        {"field": "endsOn", "code": "INVALID", "message": "Cannot end before it starts"}
    ]
    unknown = seat_input(personId=gid("Person", uuid.uuid4()))
    assert codes(await ops.mutate(SEAT_ADD, **unknown)) == [("personId", "NOT_FOUND")]
    missing = seat_input(committeeId=gid("Committee", uuid.uuid4()))
    assert codes(await ops.mutate(SEAT_ADD, **missing)) == [("committeeId", "NOT_FOUND")]
    wrong_type = seat_input(committeeId=person_id(tenant, MEMBER))
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
    # An upcoming seat ended without a date is withdrawn: removed, never kept as an empty term.
    upcoming = await _seat(ops, committee_id, OPS, startsOn="2999-01-01")
    withdrawn = await ops.mutate(SEAT_END, seatId=upcoming["id"])
    assert withdrawn == {"seat": None, "errors": []}
    assert codes(await ops.mutate(SEAT_END, seatId=upcoming["id"])) == [("seatId", "NOT_FOUND")]


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
    add = {"committeeId": foreign_id, "personId": person_id(a, MEMBER)}
    assert codes(await ops_a.mutate(SEAT_ADD, **add)) == [("committeeId", "NOT_FOUND")]
    foreign_person = {"committeeId": own_id, "personId": person_id(b, MEMBER)}
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
    sessionmaker = tenant_sessionmaker(owner_engine)
    async with open_tenant_session(sessionmaker, tenant.id) as session, session.begin():
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
    with statements_sent(app.state.runtime.engine) as statements:
        data = await api.data(LIST_WITH_PEOPLE)
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


# Seat rules: one holder per office at any moment, no empty terms, role changes, seats as of a day.

CHAIR_2, SECRETARY = "c2@x.example", "s@x.example"
COMMITTEE_PEOPLE = {**PEOPLE, CHAIR_2: None, SECRETARY: None, "p4@x.example": None}

SEAT_END_FULL = f"""mutation ($input: CommitteeSeatEndInput!) {{
  committeeSeatEnd(input: $input) {{ seat {{ {SEAT} }} withdrawnSeatId {ERRORS} }}
}}"""
CHANGE_ROLE = f"""mutation ($input: CommitteeSeatChangeRoleInput!) {{
  committeeSeatChangeRole(input: $input) {{
    endedSeat {{ {SEAT} }} withdrawnSeatId seat {{ {SEAT} }} {ERRORS}
  }}
}}"""
AS_OF = """query ($id: ID!, $day: Date) {
  node(id: $id) { ... on Committee { seats(asOf: $day, first: 100) {
    edges { node { role startsOn endsOn person { displayName } } } } } }
}"""
SEAT_HISTORY = """query ($id: ID!) {
  auditLog(filter: {objectId: $id}) { edges { node { action operation
    changes { field before after } } } }
}"""


async def _held_on(api: Api, committee_id: str, day: str | None) -> list[tuple[str, str]]:
    data = await api.data(AS_OF, {"id": committee_id, "day": day})
    edges = data["node"]["seats"]["edges"]
    return [(edge["node"]["person"]["displayName"], edge["node"]["role"]) for edge in edges]


async def test_one_chair_vice_chair_and_secretary_at_a_time_members_unlimited(
    client, tenants
) -> None:
    tenant = await tenants.create(people=COMMITTEE_PEOPLE)
    ops = Api(client, tenant, OPS)
    committee_id = await _create(ops)
    await _seat(ops, committee_id, MEMBER, role="CHAIR", startsOn="2024-01-01", endsOn="2026-01-01")

    overlapping = await ops.mutate(
        SEAT_ADD,
        committeeId=committee_id,
        personId=person_id(tenant, CHAIR_2),
        role="CHAIR",
        startsOn="2025-12-31",
    )
    assert overlapping == {
        "seat": None,
        "errors": [
            {
                "field": "role",
                "code": "CONFLICT",
                "message": "The committee already has a chair from 2024-01-01 until 2026-01-01",
            }
        ],
    }
    before = await ops.mutate(
        SEAT_ADD,
        committeeId=committee_id,
        personId=person_id(tenant, CHAIR_2),
        role="CHAIR",
        startsOn="2020-01-01",
    )
    assert codes(before) == [("role", "CONFLICT")]  # open-ended from 2020: overlaps too
    # The next chair starts the day the current term ends: successive terms, no overlap.
    await _seat(ops, committee_id, CHAIR_2, role="CHAIR", startsOn="2026-01-01")
    # One vice chair and one secretary too; as many members as the committee wants.
    await _seat(ops, committee_id, SECRETARY, role="SECRETARY", startsOn="2024-01-01")
    second_secretary = await ops.mutate(
        SEAT_ADD, committeeId=committee_id, personId=person_id(tenant, OPS), role="SECRETARY"
    )
    assert codes(second_secretary) == [("role", "CONFLICT")]
    await _seat(ops, committee_id, OPS, role="VICE_CHAIR", startsOn="2024-01-01")
    second_vice = await ops.mutate(
        SEAT_ADD,
        committeeId=committee_id,
        personId=person_id(tenant, "p4@x.example"),
        role="VICE_CHAIR",
        startsOn="2025-01-01",
        endsOn="2025-02-01",
    )
    assert codes(second_vice) == [("role", "CONFLICT")]
    other = await _create(ops, "User Committee", "USER_COMMITTEE")
    # Another committee's chair is no conflict.
    await _seat(ops, other, CHAIR_2, role="CHAIR", startsOn="2024-01-01")
    for email in COMMITTEE_PEOPLE.keys() - {CHAIR_2}:
        await _seat(ops, other, email, startsOn="2024-01-01")
    held = await _held_on(ops, other, "2024-06-01")
    assert sorted(role for _, role in held) == ["CHAIR"] + ["MEMBER"] * 4
    chairs = [s for s in await _held_on(ops, committee_id, "2025-12-31") if s[1] == "CHAIR"]
    assert chairs == [("m", "CHAIR")]


async def test_the_database_refuses_a_second_chair_and_empty_terms_written_around_the_service(
    tenants, owner_engine
) -> None:
    tenant = await tenants.create(people=COMMITTEE_PEOPLE)
    sessionmaker = tenant_sessionmaker(owner_engine)
    people = [person.id for person in tenant.people.values()]
    committee = Committee(id=uuid.uuid4(), name="Direct", kind=CommitteeKind.OTHER)
    async with open_tenant_session(sessionmaker, tenant.id) as session, session.begin():
        session.add(committee)
        await session.flush()
        session.add(_direct_seat(committee.id, people[0], SeatRole.CHAIR, date(2024, 1, 1)))

    async def insert(*seats: CommitteeSeat) -> str | None:
        try:
            async with open_tenant_session(sessionmaker, tenant.id) as session, session.begin():
                session.add_all(seats)
            return None
        except IntegrityError as error:
            return str(error.orig)

    second_chair = _direct_seat(committee.id, people[1], SeatRole.CHAIR, date(2025, 1, 1))
    assert "committee_seats_one_holder_per_role" in (await insert(second_chair) or "")
    # Two secretaries in one statement are caught as well.
    secretaries = [
        _direct_seat(committee.id, person, SeatRole.SECRETARY, date(2024, 1, 1))
        for person in people[:2]
    ]
    assert "committee_seats_one_holder_per_role" in (await insert(*secretaries) or "")
    empty = _direct_seat(
        committee.id, people[1], SeatRole.MEMBER, date(2024, 1, 1), date(2024, 1, 1)
    )
    assert "ck_committee_seats_term_in_order" in (await insert(empty) or "")
    members = [_direct_seat(committee.id, p, SeatRole.MEMBER, date(2024, 1, 1)) for p in people]
    assert await insert(*members) is None


async def test_concurrent_writers_of_one_office_wait_and_the_second_is_refused(
    tenants, owner_engine
) -> None:
    """Two transactions add a chair at the same time, around the service (no row lock taken
    first): the second waits for the first, then sees its chair and is refused."""
    tenant = await tenants.create(people=COMMITTEE_PEOPLE)
    sessionmaker = tenant_sessionmaker(owner_engine)
    people = [person.id for person in tenant.people.values()]
    committee = Committee(id=uuid.uuid4(), name="Raced", kind=CommitteeKind.OTHER)
    async with open_tenant_session(sessionmaker, tenant.id) as session, session.begin():
        session.add(committee)
    first = open_tenant_session(sessionmaker, tenant.id)
    second = open_tenant_session(sessionmaker, tenant.id)
    try:
        await first.begin()
        first.add(_direct_seat(committee.id, people[0], SeatRole.CHAIR, date(2024, 1, 1)))
        await first.flush()

        async def add_second() -> None:
            async with second.begin():
                second.add(_direct_seat(committee.id, people[1], SeatRole.CHAIR, date(2024, 6, 1)))

        racing = asyncio.ensure_future(add_second())
        await asyncio.sleep(0.5)
        assert not racing.done()  # waiting for the first writer of this committee's seats
        await first.commit()
        with pytest.raises(IntegrityError, match="committee_seats_one_holder_per_role"):
            await asyncio.wait_for(racing, 10)
    finally:
        await first.close()
        await second.close()


def _direct_seat(
    committee_id: uuid.UUID,
    person_id: uuid.UUID,
    role: SeatRole,
    starts_on: date,
    ends_on: date | None = None,
) -> CommitteeSeat:
    return CommitteeSeat(
        committee_id=committee_id,
        person_id=person_id,
        role=role,
        starts_on=starts_on,
        ends_on=ends_on,
    )


async def test_withdrawing_an_upcoming_seat_removes_it_and_the_audit_log_keeps_it(
    client, tenants
) -> None:
    tenant = await tenants.create(people=COMMITTEE_PEOPLE)
    ops = Api(client, tenant, OPS)
    committee_id = await _create(ops)
    upcoming = await _seat(ops, committee_id, MEMBER, role="CHAIR", startsOn="2999-01-01")
    withdrawn = await ops.mutate(SEAT_END_FULL, seatId=upcoming["id"])
    assert withdrawn == {"seat": None, "withdrawnSeatId": upcoming["id"], "errors": []}
    assert await ops.data(f'{{ node(id: "{upcoming["id"]}") {{ id }} }}') == {"node": None}
    (committee,) = await ops.committees(current=False)
    assert seats_of(committee) == []
    history = await ops.data(SEAT_HISTORY, {"id": upcoming["id"]})
    entries = [edge["node"] for edge in history["auditLog"]["edges"]]
    assert [(e["action"], e["operation"]) for e in entries] == [
        ("committeeSeatEnd", "DELETE"),
        ("committeeSeatAdd", "INSERT"),
    ]
    removed = {change["field"]: change["before"] for change in entries[0]["changes"]}
    assert (removed["role"], removed["startsOn"]) == ("chair", "2999-01-01")
    # The chair's place is free again.
    await _seat(ops, committee_id, CHAIR_2, role="CHAIR", startsOn="2999-01-01")
    # Ending on the first day is the same as withdrawing: a term is never empty.
    other = await _seat(ops, committee_id, OPS, startsOn="2999-01-01")
    same_day = await ops.mutate(SEAT_END_FULL, seatId=other["id"], endsOn="2999-01-01")
    assert same_day == {"seat": None, "withdrawnSeatId": other["id"], "errors": []}
    empty = await ops.mutate(
        SEAT_ADD,
        committeeId=committee_id,
        personId=person_id(tenant, SECRETARY),
        startsOn="2030-01-01",
        endsOn="2030-01-01",
    )
    assert empty["errors"] == [
        {"field": "endsOn", "code": "INVALID", "message": "A term ends after the day it starts"}
    ]


async def test_withdrawing_a_started_seat_ends_it_today(client, tenants) -> None:
    tenant = await tenants.create(people=COMMITTEE_PEOPLE)
    ops = Api(client, tenant, OPS)
    committee_id = await _create(ops)
    started = await _seat(ops, committee_id, MEMBER, startsOn="2024-01-01")
    today = (await _seat(ops, committee_id, OPS))["startsOn"]
    ended = await ops.mutate(SEAT_END_FULL, seatId=started["id"])
    assert ended["errors"] == [] and ended["withdrawnSeatId"] is None
    assert (ended["seat"]["startsOn"], ended["seat"]["endsOn"]) == ("2024-01-01", today)
    assert ended["seat"]["isCurrent"] is False


async def test_a_role_change_ends_one_seat_and_opens_the_next(client, tenants) -> None:
    tenant = await tenants.create(people=COMMITTEE_PEOPLE)
    ops = Api(client, tenant, OPS)
    committee_id = await _create(ops)
    member = await _seat(ops, committee_id, MEMBER, startsOn="2024-01-01", endsOn="2028-01-01")
    changed = await ops.mutate(
        CHANGE_ROLE, seatId=member["id"], role="CHAIR", startsOn="2025-06-01"
    )
    assert changed["errors"] == [] and changed["withdrawnSeatId"] is None
    ended, chair = changed["endedSeat"], changed["seat"]
    assert (ended["id"], ended["role"], ended["startsOn"], ended["endsOn"]) == (
        member["id"],
        "MEMBER",
        "2024-01-01",
        "2025-06-01",
    )
    assert (chair["role"], chair["startsOn"], chair["endsOn"]) == (
        "CHAIR",
        "2025-06-01",
        "2028-01-01",
    )
    assert chair["person"] == {"displayName": "m"} and chair["id"] != member["id"]
    for seat_id, operation in ((member["id"], "UPDATE"), (chair["id"], "INSERT")):
        history = await ops.data(SEAT_HISTORY, {"id": seat_id})
        latest = history["auditLog"]["edges"][0]["node"]
        assert (latest["action"], latest["operation"]) == ("committeeSeatChangeRole", operation)

    # The one-holder rule holds for role changes too, and a refused change writes nothing.
    secretary = await _seat(ops, committee_id, SECRETARY, role="SECRETARY", startsOn="2024-01-01")
    refused = await ops.mutate(
        CHANGE_ROLE, seatId=secretary["id"], role="CHAIR", startsOn="2026-01-01"
    )
    assert refused["errors"] == [
        {
            "field": "role",
            "code": "CONFLICT",
            "message": "The committee already has a chair from 2025-06-01 until 2028-01-01",
        }
    ]
    assert await _held_on(ops, committee_id, "2026-01-01") == [("s", "SECRETARY"), ("m", "CHAIR")]

    same = await ops.mutate(CHANGE_ROLE, seatId=chair["id"], role="CHAIR")
    assert codes(same) == [("role", "INVALID")]
    outside = await ops.mutate(
        CHANGE_ROLE, seatId=chair["id"], role="MEMBER", startsOn="2028-01-01"
    )
    assert codes(outside) == [("startsOn", "INVALID")]
    early = await ops.mutate(CHANGE_ROLE, seatId=chair["id"], role="MEMBER", startsOn="2025-05-01")
    assert codes(early) == [("startsOn", "INVALID")]

    # Changing the role of a seat on its first day leaves no empty seat behind.
    upcoming = await _seat(ops, committee_id, OPS, startsOn="2999-01-01")
    moved = await ops.mutate(CHANGE_ROLE, seatId=upcoming["id"], role="VICE_CHAIR")
    assert moved["errors"] == [] and moved["withdrawnSeatId"] == upcoming["id"]
    assert moved["endedSeat"] is None
    assert (moved["seat"]["role"], moved["seat"]["startsOn"]) == ("VICE_CHAIR", "2999-01-01")
    assert await ops.data(f'{{ node(id: "{upcoming["id"]}") {{ id }} }}') == {"node": None}


async def test_seats_as_of_a_day_follow_the_terms_boundaries(client, tenants) -> None:
    tenant = await tenants.create(people=COMMITTEE_PEOPLE)
    ops = Api(client, tenant, OPS)
    committee_id = await _create(ops)
    await _seat(ops, committee_id, MEMBER, role="CHAIR", startsOn="2023-01-01", endsOn="2025-01-01")
    await _seat(ops, committee_id, CHAIR_2, role="CHAIR", startsOn="2025-01-01")
    await _seat(ops, committee_id, SECRETARY, startsOn="2024-03-01", endsOn="2024-09-01")
    await _seat(ops, committee_id, OPS, startsOn="2999-01-01")

    assert await _held_on(ops, committee_id, "2022-12-31") == []
    assert await _held_on(ops, committee_id, "2023-01-01") == [("m", "CHAIR")]
    assert await _held_on(ops, committee_id, "2024-03-01") == [("m", "CHAIR"), ("s", "MEMBER")]
    assert await _held_on(ops, committee_id, "2024-08-31") == [("m", "CHAIR"), ("s", "MEMBER")]
    assert await _held_on(ops, committee_id, "2024-09-01") == [("m", "CHAIR")]
    assert await _held_on(ops, committee_id, "2024-12-31") == [("m", "CHAIR")]
    assert await _held_on(ops, committee_id, "2025-01-01") == [("c2", "CHAIR")]
    assert await _held_on(ops, committee_id, "2999-01-01") == [
        ("c2", "CHAIR"),
        (OPS.split("@")[0], "MEMBER"),
    ]
    # Without asOf: the seats held today, as before.
    assert await _held_on(ops, committee_id, None) == [("c2", "CHAIR")]


async def test_a_refusal_by_the_database_comes_back_as_a_typed_conflict(
    client, tenants, monkeypatch
) -> None:
    """Should the service's own check ever miss a holder, the database's refusal is still a
    CONFLICT on role, not an unexpected error."""
    tenant = await tenants.create(people=COMMITTEE_PEOPLE)
    ops = Api(client, tenant, OPS)
    committee_id = await _create(ops)
    await _seat(ops, committee_id, MEMBER, role="CHAIR", startsOn="2024-01-01")

    async def misses(*args: Any) -> None:
        return None

    monkeypatch.setattr(committees_service, "_check_office_free", misses)
    second = await ops.mutate(
        SEAT_ADD, committeeId=committee_id, personId=person_id(tenant, CHAIR_2), role="CHAIR"
    )
    assert second == {
        "seat": None,
        "errors": [
            {
                "field": "role",
                "code": "CONFLICT",
                "message": "The committee already has a holder of this role on these days",
            }
        ],
    }
    assert await _held_on(ops, committee_id, "2024-01-01") == [("m", "CHAIR")]
