"""The authorization matrix, enumerated from the schema: every Query and Mutation field has
rows in ``tests/authz/authz_matrix_table.py``, and each row runs as every caller, at every place
the object it names may live (chapter A, chapter B or the tenant; another tenant; a made-up id),
through the HTTP endpoint with real tokens. A field without a row fails.

Besides the table's outcomes, every cell checks that nothing of the other tenant shows, and that
the other tenant's objects answer exactly as missing ones. The partner's client, and anonymous
callers, are also checked never to receive personal data from any query.

One world serves the whole module; mutations are sent with input that passes the policy and
then fails validation, so they write nothing (the one that deletes gets a fresh object).
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from graphql import OperationDefinitionNode, parse, validate
from strawberry import relay

from chapters.api.ids import global_id
from chapters.api.schema import schema
from tests.authz.authz_matrix_table import (
    ACTORS,
    ALLOW,
    DENY,
    EMPTY,
    FOREIGN_PLACES,
    OWN_PLACES,
    QUERY_ROWS,
    ROWS,
    UNAUTHORIZED,
    VALIDATED_BEFORE_POLICY,
    Place,
    Row,
)
from tests.seeding import ABROAD, FOREIGN_MARK, Seeded, seed_world
from tests.support import data_of, gql

DENIED_CODES = {"FORBIDDEN", "NOT_FOUND", "UNAUTHENTICATED"}


@dataclass
class World:
    client: httpx.AsyncClient
    home: Seeded
    abroad: Seeded
    tokens: dict[str, str | None]
    cells: dict[str, tuple[int, list[str]]] = field(default_factory=dict)  # row id → results

    def place(self, name: str) -> Place:
        if name in ("A", "B"):
            return self.home.places[name]
        if name == "tenant":
            return self.home.places["A"]
        if name == "other tenant":
            return self.abroad.places["A"]
        if name == "missing":
            return made_up(self.home.places["A"])
        return self.home.places["A"]  # rows naming no object

    async def call(self, row: Row, place: Place, actor: str) -> tuple[int, dict[str, Any]]:
        token = self.tokens[actor]
        response = await self.client.post(
            f"/t/{self.home.tenant.slug}/graphql",
            json={"query": row.document, "variables": self.variables(row, place)},
            headers={"Authorization": f"Bearer {token}"} if token else {},
        )
        return response.status_code, response.json()

    def variables(self, row: Row, place: Place) -> dict[str, Any]:
        if row.mixed:
            return row.variables(place, self.home.places["A"])
        return row.variables(place)

    async def fresh_contact(self, place: Place) -> Place:
        """A contact of the tenant's other organisation, for a cell that deletes one."""
        body = await gql(
            self.client,
            self.home.tenant.slug,
            "mutation ($id: ID!) { organisationContactAdd(input: {organisationId: $id,"
            ' name: "Disposable"}) { contact { id } errors { code } } }',
            {"id": place.org},
            token=self.tokens["ops"],
        )
        contact = data_of(body)["organisationContactAdd"]["contact"]["id"]
        return dataclasses.replace(place, contact=contact)


def made_up(place: Place) -> Place:
    """The same kinds of object as ``place``, none of which exists."""
    values: dict[str, str] = {}
    for name, value in dataclasses.asdict(place).items():
        if name == "slug":
            values[name] = "no-such-chapter"
        elif name == "member_name":
            values[name] = "no-such-person"
        else:
            type_name, _ = relay.from_base64(value)
            values[name] = global_id(type_name, uuid.uuid4())
    return Place(**values)


# --- the world ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
async def world(client, tenants, owner_engine) -> World:
    seeded = await seed_world(client, tenants, owner_engine)
    seeded_home, seeded_abroad, tokens = seeded.home, seeded.abroad, seeded.tokens
    tokens["stranger"] = seeded.abroad_tenant.token(ABROAD.email("admin"))
    assert set(tokens) == set(ACTORS)
    return World(client, seeded_home, seeded_abroad, tokens)


# --- judging a response ---------------------------------------------------------------------


def _dig(value: Any, path: str) -> Any:
    for step in path.split("."):
        if value is None:
            return None
        if isinstance(value, list):
            index = int(step)
            value = value[index] if index < len(value) else None
        else:
            value = value.get(step)
    return value


def outcome(row: Row, status: int, body: dict[str, Any]) -> str:
    """ALLOW, EMPTY or DENY as the table means them, or a description of anything else."""
    if status == 401:
        return UNAUTHORIZED
    if status != 200:
        return f"HTTP {status}"
    errors = body.get("errors") or []
    if errors:
        codes = {(e.get("extensions") or {}).get("code") for e in errors}
        return DENY if codes <= DENIED_CODES else f"errors {sorted(map(str, codes))}"
    data = body["data"]
    if row.is_mutation:
        got = tuple((e["field"], e["code"]) for e in data[row.field]["errors"])
        if got == row.probe:
            return ALLOW
        if got and {code for _, code in got} <= DENIED_CODES:
            return DENY
        return f"errors {list(got)}"
    value = _dig(data, row.pick or row.field)
    if value is None:
        return row.null
    return EMPTY if value == [] else ALLOW


def _short(body: dict[str, Any]) -> str:
    text = json.dumps(body, ensure_ascii=False)
    return text if len(text) < 300 else text[:300] + " …"


# --- the tests ------------------------------------------------------------------------------


def _root_fields() -> set[tuple[str, str]]:
    graphql_schema = schema._schema
    return {("Query", name) for name in graphql_schema.query_type.fields} | {
        ("Mutation", name) for name in graphql_schema.mutation_type.fields
    }


def test_every_root_field_of_the_schema_has_a_row() -> None:
    tabled = {("Mutation" if row.is_mutation else "Query", row.field) for row in ROWS}
    assert _root_fields() - tabled == set(), "add a row to tests/authz/authz_matrix_table.py"
    assert tabled - _root_fields() == set(), "rows for fields the schema no longer has"


def test_the_table_is_consistent() -> None:
    assert len({row.id for row in ROWS}) == len(ROWS), "two rows with one id: name them"
    for row in [*ROWS, *VALIDATED_BEFORE_POLICY]:
        document = parse(row.document)
        assert validate(schema._schema, document) == [], row.id
        (operation,) = document.definitions
        assert isinstance(operation, OperationDefinitionNode)
        roots = [selection.name.value for selection in operation.selection_set.selections]
        assert roots == [row.field], row.id
        assert set(row.at) <= set(OWN_PLACES), row.id
        assert row.via in {"direct", "node", "nested", "filter"}, row.id
        for place in row.places():
            allow, empty = row.listed(place)
            assert allow | empty <= set(ACTORS) - {"stranger"}, (row.id, allow | empty)
            assert not allow & empty, (row.id, allow & empty)
        if row.is_mutation:
            assert row.pick == "" and row.null == DENY, row.id
        else:
            assert row.probe == () and not row.fresh_contact, row.id


async def _answers(world: World, row: Row, place_name: str) -> dict[str, tuple[int, Any]]:
    """Every caller's answer at one place."""
    answers = {}
    for actor in ACTORS:
        place = world.place(place_name)
        if row.fresh_contact and place_name in OWN_PLACES:
            place = await world.fresh_contact(place)
        answers[actor] = await world.call(row, place, actor)
    return answers


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
async def test_matrix(world: World, row: Row) -> None:
    mismatches: list[str] = []
    cells = 0
    answers: dict[str, dict[str, tuple[int, Any]]] = {}
    for place_name in row.places():  # made-up ids before the other tenant's: compared
        answers[place_name] = await _answers(world, row, place_name)
        for actor, (status, body) in answers[place_name].items():
            got = outcome(row, status, body)
            cells += 1
            where = f"{row.id} at {place_name} as {actor}"
            if FOREIGN_MARK in json.dumps(body).lower():
                mismatches.append(f"{where}: shows the other tenant's data: {_short(body)}")
            if place_name in FOREIGN_PLACES:
                allowed = UNAUTHORIZED if actor == "stranger" else (DENY, EMPTY)
                if got not in allowed:
                    mismatches.append(f"{where}: got {got}: {_short(body)}")
                missing = answers["missing"][actor]
                if place_name == "other tenant" and (status, body) != missing:
                    mismatches.append(
                        f"{where}: differs from a made-up id: {_short(body)}"
                        f" vs {_short(missing[1])}"
                    )
                continue
            expected = row.expected(actor, place_name)
            if got != expected:
                mismatches.append(f"{where}: expected {expected}, got {got}: {_short(body)}")
    world.cells[row.id] = (cells, mismatches)
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.parametrize("actor", ["partner", "anonymous"])
async def test_partner_and_public_views_hold_no_personal_data(world: World, actor: str) -> None:
    """Every query row, at every place, as the partner's client (and as anonymous callers):
    no email or name of any seeded person or contact, of either tenant. The partner sees only
    the accepted activity its organisation co-hosts, its own organisation (no other one, by
    name or id, though another sponsors that activity), the public chapter directory and
    aggregate figures."""
    personal = [text.lower() for text in world.home.personal_data + world.abroad.personal_data]
    not_for_partner = [
        title.lower()
        for key, title in world.home.activity_titles.items()
        if key != "A.partner_meetup"
    ] + [
        text.lower()
        for organisations in (world.home.organisation_names, world.home.organisation_ids)
        for key, text in organisations.items()
        if key != "partner"
    ]
    leaks: list[str] = []
    responses = 0
    for row in QUERY_ROWS:
        for place_name in row.places():
            status, body = await world.call(row, world.place(place_name), actor)
            assert status == 200, body
            responses += 1
            text = json.dumps(body, ensure_ascii=False).lower()
            where = f"{row.id} at {place_name}"
            leaks += [f"{where}: {item}" for item in personal if item in text]
            if actor == "partner":
                leaks += [f"{where}: {item}" for item in not_for_partner if item in text]
    assert responses > len(QUERY_ROWS)
    assert not leaks, "\n".join(leaks)


@pytest.mark.parametrize(
    "probe", VALIDATED_BEFORE_POLICY, ids=[r.id for r in VALIDATED_BEFORE_POLICY]
)
async def test_policy_before_validation(world: World, probe: Row) -> None:
    refused = [a for a in ACTORS if probe.expected(a, "A") == DENY]
    answers = {}
    for actor in refused:
        status, body = await world.call(probe, world.place("A"), actor)
        got = outcome(probe, status, body)
        answers[actor] = DENY if got == DENY else f"validated first: {_short(body)}"
    assert answers == dict.fromkeys(refused, DENY)


def test_matrix_summary(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    if len(world.cells) < len(ROWS):
        pytest.skip("the summary needs every row of the matrix")
    cells = sum(count for count, _ in world.cells.values())
    failed = sum(len(mismatches) for _, mismatches in world.cells.values())
    fields = {row.field for row in ROWS}
    with capsys.disabled():
        print(
            f"\nauthorization matrix: {len(fields)} root fields ({len(_root_fields())} in the "
            f"schema), {len(ROWS)} rows, {len(ACTORS)} callers, {cells} cells, "
            f"{cells - failed} as expected ({100 * (cells - failed) / cells:.1f} %)"
        )
    assert failed == 0
