"""The front door of compiled reads (``api/compiled_front.py``): a document the app already
answered with its compiled statement is answered again without Strawberry -- the same bytes,
status and media type as the resolvers, in one statement that binds its tenant itself once the
caller is known (BEGIN, the tenant, the caller, the statement, COMMIT the first time), with one
statement reused across variable values and a caller's changed rights seen at once."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from chapters.api.graphql_http import GRAPHQL_RESPONSE_JSON
from chapters.api.trusted_documents import document_hash
from chapters.settings import PROJECT_ROOT
from tests.compiled.conftest import World
from tests.seeding import HOME
from tests.support import statements_sent

ROSTER = (
    "query ($slug: String!) { chapter(slug: $slug) { name members { edges { node { role } } } } }"
)
NODE = "query ($id: ID!) { node(id: $id) { id ... on Chapter { name slug } ... on Activity { title } } }"


async def _answer(world: World, caller: str, query: str, variables: dict, **headers: str):
    """The same request through both apps, with the compiled app's statements."""
    token = world.tokens[caller]
    if token:
        headers["Authorization"] = f"Bearer {token}"
    answers = []
    for client, app in (
        (world.compiled_client, world.compiled_app),
        (world.resolver_client, world.resolver_app),
    ):
        with statements_sent(app.state.runtime.engine) as statements:
            response = await client.post(
                f"/t/{world.home.tenant.slug}/graphql",
                json={"query": query, "variables": variables},
                headers=headers,
            )
        answers.append((response, list(statements)))
    (front, statements), (resolved, _) = answers
    assert (front.status_code, front.text) == (resolved.status_code, resolved.text)
    assert front.headers["content-type"] == resolved.headers["content-type"]
    return front, statements


def _compiled_statements(statements: list[str]) -> list[str]:
    return [s for s in statements if "json_build_object" in s]


async def test_a_known_document_is_answered_in_one_statement_that_binds_the_tenant(
    world: World,
) -> None:
    chapter = world.home.places["A"]
    query = NODE + " "  # a document of its own: the first request makes it known
    await _answer(world, "ops", query, {"id": chapter.chapter})  # Strawberry's
    await _answer(world, "ops", query, {"id": chapter.chapter})  # the front door reads ops
    texts = set()
    for place in ("B", "A"):  # another variable value: the statement built for A is reused
        response, statements = await _answer(
            world, "ops", query, {"id": world.home.places[place].chapter}
        )
        assert response.json()["data"]["node"]["slug"] == world.home.places[place].slug
        # the tenant (set_config) and the compiled statement: no person lookup, no parse
        assert len(statements) == 1, statements
        assert statements[0].startswith("SELECT CASE WHEN set_config('app.tenant_id'")
        assert "json_build_object" in statements[0]
        texts.add(statements[0])
    assert len(texts) == 1


async def test_one_statement_serves_every_value_of_an_opaque_variable(world: World) -> None:
    """node(id:) with ids of each kind: chapters, activities, a person, another tenant's
    chapter, ids of nothing, of unknown types, not ids at all -- each answered as the
    resolvers answer it; the chapters' by one statement text."""
    home, abroad = world.home.places, world.abroad.places
    ids = [
        home["A"].submitted,
        home["B"].past,
        home["A"].spare,
        "Q2hhcHRlcjpub3QtYS11dWlk",  # Chapter:not-a-uuid
        "VW5rbm93bjoxMjM=",  # Unknown:123
        "not base64 at all",
        "",
    ]
    chapters = [home["A"].chapter, home["B"].chapter, abroad["A"].chapter]
    query = NODE + "    "
    for caller in ("ops", "lead_a", "anonymous"):
        await _answer(world, caller, query, {"id": chapters[0]})  # known from here on
        for node_id in ids:
            response, _ = await _answer(world, caller, query, {"id": node_id})
            assert response.status_code == 200
        texts = set()
        for node_id in chapters:
            _, statements = await _answer(world, caller, query, {"id": node_id})
            texts.update(_compiled_statements(statements))
        assert len(texts) == 1, (caller, texts)


@pytest.mark.parametrize("accept", [None, "application/json", GRAPHQL_RESPONSE_JSON])
async def test_the_media_type_is_the_resolvers_one(world: World, accept: str | None) -> None:
    headers = {"Accept": accept} if accept else {}
    query = NODE + "  "
    for _ in range(2):  # the second is the front door's
        response, _statements = await _answer(
            world, "admin", query, {"id": world.home.places["A"].chapter}, **headers
        )
    assert response.headers["content-type"].startswith(accept or "application/json")


async def test_a_changed_role_shows_at_the_next_request(world: World, owner_engine) -> None:
    """The lead of B may not read A's roster; made ops, the very next request reads it, and
    once that role is taken back the next one is refused again -- as the resolvers answer
    (the statement's guard finds the known principal changed)."""
    slug = world.home.places["A"].slug
    tenant = world.home.tenant.id

    async def set_role(role: str | None) -> None:
        async with owner_engine.begin() as connection:
            await connection.execute(
                text("SELECT set_config('app.tenant_id', :tenant, true)"), {"tenant": str(tenant)}
            )
            changed = await connection.execute(
                text("UPDATE people SET tenant_role = :role WHERE email = :email"),
                {"role": role, "email": HOME.email("lead_b")},
            )
            assert changed.rowcount == 1

    async def roster() -> dict:
        response, _ = await _answer(world, "lead_b", ROSTER, {"slug": slug})
        return response.json()

    for _ in range(2):  # Strawberry's, then the front door's
        assert (await roster())["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    await set_role("ops")
    try:
        assert (await roster())["data"]["chapter"]["members"]["edges"]
        assert (await roster())["data"]["chapter"]["members"]["edges"]
    finally:
        await set_role(None)
    assert (await roster())["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_revoked_client_is_refused_at_the_next_request(world: World, owner_engine) -> None:
    """API clients go through the front door too (their principal remembered and checked
    like a person's): revoked, the next request is a 401, as on the resolvers' path."""
    query = NODE + "      "
    variables = {"id": world.home.places["A"].chapter}
    tenant = world.home.tenant.id

    async def set_revoked(revoked: bool) -> None:
        async with owner_engine.begin() as connection:
            await connection.execute(
                text("SELECT set_config('app.tenant_id', :tenant, true)"), {"tenant": str(tenant)}
            )
            changed = await connection.execute(
                text(
                    "UPDATE api_clients SET revoked_at = CASE WHEN :revoked THEN now() END"
                    " WHERE kind = 'partner'"
                ),
                {"revoked": revoked},
            )
            assert changed.rowcount == 1

    for _ in range(3):  # Strawberry's; the front door's, reading the client; then one statement
        answer, statements = await _answer(world, "partner", query, variables)
        assert answer.status_code == 200
    assert len(statements) == 1, statements
    await set_revoked(True)
    try:
        refused, _ = await _answer(world, "partner", query, variables)
        assert refused.status_code == 401
    finally:
        await set_revoked(False)
    again, _ = await _answer(world, "partner", query, variables)
    assert again.status_code == 200


async def test_what_the_front_door_does_not_take_goes_to_strawberry(world: World) -> None:
    """Bad bodies, batches, unknown operation names, variables that do not coerce: answered
    as the resolvers answer them, whatever the front door knows."""
    query = NODE + "   "
    chapter = world.home.places["A"].chapter
    await _answer(world, "ops", query, {"id": chapter})
    for caller in ("partner", "svc_narrow", "svc_broad"):
        await _answer(world, caller, query, {"id": chapter})
    await _answer(world, "ops", query, {"id": 12})  # variables that do not coerce
    await _answer(world, "ops", query, {})  # a variable missing
    for body in (
        b"[]",
        b"{",
        json.dumps(
            {"query": query, "variables": {"id": chapter}, "operationName": "Nope"}
        ).encode(),
        json.dumps([{"query": query, "variables": {"id": chapter}}]).encode(),
    ):
        answers = []
        for client in (world.compiled_client, world.resolver_client):
            response = await client.post(
                f"/t/{world.home.tenant.slug}/graphql",
                content=body,
                headers={
                    "Content-Type": "application/json",
                    "Authorization": f"Bearer {world.tokens['ops']}",
                },
            )
            answers.append((response.status_code, response.text))
        assert answers[0] == answers[1], body


async def test_a_trusted_document_is_asked_by_its_hash(world: World) -> None:
    """The example operations are trusted: sent by their SHA-256 alone, they are answered as
    their text is -- by the front door from the first request (compiled at start-up); an
    unknown hash is refused with PersistedQueryNotFound, a text with another's hash too."""
    path = PROJECT_ROOT / "graphql" / "operations" / "Node.graphql"
    query = path.read_text()
    digest = document_hash(query)
    by_hash = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}}}
    variables = {"id": world.home.places["A"].spare}
    headers = {"Authorization": f"Bearer {world.tokens['admin']}"}
    url = f"/t/{world.home.tenant.slug}/graphql"
    engine = world.compiled_app.state.runtime.engine
    with statements_sent(engine) as statements:
        hashed = await world.compiled_client.post(
            url, json={**by_hash, "variables": variables}, headers=headers
        )
    sent = await world.resolver_client.post(
        url, json={"query": query, "variables": variables}, headers=headers
    )
    assert hashed.status_code == 200 and hashed.text == sent.text
    assert hashed.json()["data"]["node"]["displayName"]
    # the front door from the first request on: one statement binding its tenant, or (a caller
    # it meets for the first time) its transaction, reading the caller first
    assert "json_build_object" in statements[-1]
    assert statements[-1].startswith("SELECT CASE WHEN set_config('app.tenant_id'") or any(
        "plan_cache_mode" in statement for statement in statements
    ), statements
    for client in (world.compiled_client, world.resolver_client):
        unknown = await client.post(
            url,
            json={"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}},
            headers={**headers, "Accept": GRAPHQL_RESPONSE_JSON},
        )
        assert unknown.status_code == 400
        assert unknown.json()["errors"][0]["message"] == "PersistedQueryNotFound"
        mismatched = await client.post(
            url,
            json={**by_hash, "query": "{ tenant { name } }"},
            headers={**headers, "Accept": GRAPHQL_RESPONSE_JSON},
        )
        assert mismatched.status_code == 400
        assert "does not match" in mismatched.json()["errors"][0]["message"]
