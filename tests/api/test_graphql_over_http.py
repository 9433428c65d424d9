"""GraphQL over HTTP (the GraphQL Foundation's specification, draft): one test per rule this
service implements, named after it. The rules and the choices the specification leaves open
are in ``src/chapters/api/graphql_http.py``."""

from __future__ import annotations

import json

import httpx
import pytest

from chapters.models import TenantRole
from tests.support import make_chapter

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
QUERY = "{ tenant { name } }"


async def _post(
    client: httpx.AsyncClient,
    slug: str,
    body: object,
    *,
    accept: str | None = GRAPHQL_RESPONSE,
    content_type: str | None = JSON,
    token: str | None = None,
) -> httpx.Response:
    headers = {}
    if accept is not None:
        headers["Accept"] = accept
    if content_type is not None:
        headers["Content-Type"] = content_type
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return await client.post(f"/t/{slug}/graphql", content=content, headers=headers)


def _media_type(response: httpx.Response) -> str:
    return response.headers["content-type"].split(";")[0].strip()


@pytest.fixture
async def tenant(tenants):
    return await tenants.create(
        people={"admin@x.example": TenantRole.ADMIN, "lead@x.example": None}
    )


# --- media types ---------------------------------------------------------------------------


async def test_a_server_must_accept_post_requests_encoded_as_application_json(
    client, tenant
) -> None:
    response = await _post(client, tenant.slug, {"query": QUERY}, accept=JSON)
    assert response.status_code == 200
    assert response.json()["data"] == {"tenant": {"name": f"Tenant {tenant.slug}"}}


async def test_a_server_must_indicate_the_response_media_type_and_its_encoding(
    client, tenant
) -> None:
    response = await _post(client, tenant.slug, {"query": QUERY})
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{GRAPHQL_RESPONSE}; charset=utf-8"


async def test_accepting_only_application_json_answers_application_json(client, tenant) -> None:
    response = await _post(client, tenant.slug, {"query": QUERY}, accept=JSON)
    assert _media_type(response) == JSON


@pytest.mark.parametrize(
    "accept",
    [
        f"{GRAPHQL_RESPONSE}, {JSON}",
        f"{JSON}, {GRAPHQL_RESPONSE}",
        f"{GRAPHQL_RESPONSE}; charset=utf-8, {JSON}; charset=utf-8",
    ],
)
async def test_when_both_are_accepted_graphql_response_json_is_preferred(
    client, tenant, accept
) -> None:
    response = await _post(client, tenant.slug, {"query": QUERY}, accept=accept)
    assert _media_type(response) == GRAPHQL_RESPONSE


async def test_the_highest_priority_accepted_media_type_is_used(client, tenant) -> None:
    accept = f"{GRAPHQL_RESPONSE};q=0.5, {JSON};q=0.9"
    response = await _post(client, tenant.slug, {"query": QUERY}, accept=accept)
    assert _media_type(response) == JSON


@pytest.mark.parametrize("accept", [None, "*/*", "application/*"])
async def test_without_a_stated_preference_the_legacy_application_json_is_used(
    client, tenant, accept
) -> None:
    response = await _post(client, tenant.slug, {"query": QUERY}, accept=accept)
    assert response.status_code == 200
    assert _media_type(response) == JSON


@pytest.mark.parametrize("accept", ["text/html", "application/xml", f"{JSON};q=0, text/plain"])
async def test_an_accept_header_allowing_no_supported_type_is_406(client, tenant, accept) -> None:
    response = await _post(client, tenant.slug, {"query": QUERY}, accept=accept)
    assert response.status_code == 406
    assert "Accept header allows neither" in response.json()["error"]


# --- request bodies --------------------------------------------------------------------------


async def test_a_post_without_content_type_is_rejected_with_415(client, tenant) -> None:
    response = await _post(client, tenant.slug, {"query": QUERY}, content_type=None)
    assert response.status_code == 415


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/graphql"]
)
async def test_a_post_in_an_unsupported_media_type_is_415(client, tenant, content_type) -> None:
    response = await _post(client, tenant.slug, {"query": QUERY}, content_type=content_type)
    assert response.status_code == 415
    assert "application/json" in response.json()["errors"][0]["message"]


async def test_json_without_a_charset_is_read_as_utf8_and_another_charset_is_415(
    client, tenant
) -> None:
    ok = await _post(client, tenant.slug, {"query": QUERY}, content_type="application/json")
    assert ok.status_code == 200
    utf8 = await _post(client, tenant.slug, {"query": QUERY}, content_type=f"{JSON}; charset=UTF-8")
    assert utf8.status_code == 200
    latin = await _post(
        client, tenant.slug, {"query": QUERY}, content_type=f"{JSON}; charset=latin-1"
    )
    assert latin.status_code == 415


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE, JSON])
async def test_a_json_parsing_failure_is_400(client, tenant, accept) -> None:
    response = await _post(client, tenant.slug, b'{"query":', accept=accept)
    assert response.status_code == 400


@pytest.mark.parametrize(
    "body",
    [
        {"qeury": "{ __typename }"},
        {"query": "query Q($i: Int!) { __typename }", "variables": [7]},
        {"query": 7},
    ],
)
async def test_a_request_that_is_not_well_formed_is_400(client, tenant, body) -> None:
    response = await _post(client, tenant.slug, body)
    assert response.status_code == 400
    assert "data" not in response.json()


async def test_batching_is_not_supported(client, tenant) -> None:
    response = await _post(client, tenant.slug, [{"query": QUERY}, {"query": QUERY}])
    assert response.status_code == 400
    assert response.json() == {"errors": [{"message": "Batching is not enabled"}]}


# --- status codes with application/graphql-response+json ------------------------------------


async def test_a_document_parsing_failure_is_400_without_a_data_entry(client, tenant) -> None:
    response = await _post(client, tenant.slug, {"query": "{"})
    assert response.status_code == 400
    body = response.json()
    assert "data" not in body
    assert "Syntax Error" in body["errors"][0]["message"]


async def test_a_document_validation_failure_is_400_without_a_data_entry(client, tenant) -> None:
    response = await _post(client, tenant.slug, {"query": "{ tenant { nope } }"})
    assert response.status_code == 400
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["message"] == "Cannot query field 'nope' on type 'Tenant'."


async def test_a_variable_coercion_failure_is_400_without_a_data_entry(client, tenant) -> None:
    query = "query($slug: String!) { chapter(slug: $slug) { name } }"
    for variables in ({}, {"slug": 5}, {"slug": None}):
        response = await _post(client, tenant.slug, {"query": query, "variables": variables})
        assert response.status_code == 400, variables
        body = response.json()
        assert "data" not in body
        assert "$slug" in body["errors"][0]["message"]


async def test_a_variable_coercion_failure_executes_nothing(client, tenant) -> None:
    mutation = (
        "mutation($input: TenantUpdateInput!, $n: Int!) { tenantUpdate(input: $input) "
        "{ errors { code } } }"
    )
    response = await _post(
        client,
        tenant.slug,
        {"query": mutation, "variables": {"input": {"name": "Renamed"}, "n": "x"}},
        token=tenant.token("admin@x.example"),
    )
    assert response.status_code == 400
    after = await _post(client, tenant.slug, {"query": QUERY})
    assert after.json()["data"]["tenant"]["name"] == f"Tenant {tenant.slug}"


@pytest.mark.parametrize("operation_name", [None, "Missing"])
async def test_an_operation_that_cannot_be_determined_is_400(
    client, tenant, operation_name
) -> None:
    document = "query A { __typename } query B { __typename }"
    response = await _post(
        client, tenant.slug, {"query": document, "operationName": operation_name}
    )
    assert response.status_code == 400
    assert "data" not in response.json()


async def test_field_errors_during_execution_are_200_with_data(
    client, tenant, owner_engine
) -> None:
    await make_chapter(owner_engine, tenant, "suzhou", staff="admin@x.example")
    query = '{ chapter(slug: "suzhou") { name members { edges { node { role } } } } }'
    response = await _post(client, tenant.slug, {"query": query})  # anonymous
    assert response.status_code == 200
    body = response.json()
    assert body["data"] == {"chapter": {"name": "Suzhou", "members": None}}
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_field_error_that_nulls_all_data_is_still_200_with_a_data_entry(
    client, tenant
) -> None:
    query = "{ chapters(first: -1) { edges { node { name } } } }"
    response = await _post(client, tenant.slug, {"query": query})
    assert response.status_code == 200
    body = response.json()
    assert "data" in body and body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "INVALID"


async def test_request_errors_report_the_cost_extension_without_data(
    client, tenant, settings
) -> None:
    response = await _post(client, tenant.slug, {"query": "{ tenant { nope } }"})
    assert response.json()["extensions"]["cost"]["limit"] == settings.graphql_max_cost


# --- status codes with application/json (the legacy type) -----------------------------------


async def test_application_json_keeps_its_400_and_a_null_data_entry_on_request_errors(
    client, tenant
) -> None:
    """A choice the specification allows for legacy servers: existing clients rely on it."""
    for document in ("{", "{ tenant { nope } }"):
        response = await _post(client, tenant.slug, {"query": document}, accept=JSON)
        assert response.status_code == 400
        assert _media_type(response) == JSON
        assert response.json()["data"] is None


async def test_application_json_answers_200_for_field_errors(client, tenant) -> None:
    query = "{ chapters(first: -1) { edges { node { name } } } }"
    response = await _post(client, tenant.slug, {"query": query}, accept=JSON)
    assert response.status_code == 200
    assert response.json()["data"] is None


# --- GET -------------------------------------------------------------------------------------


async def _get(client, slug: str, params: dict, accept: str = GRAPHQL_RESPONSE, token=None):
    headers = {"Accept": accept}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return await client.get(f"/t/{slug}/graphql", params=params, headers=headers)


async def test_get_requests_run_queries_from_the_url(client, tenant) -> None:
    response = await _get(
        client,
        tenant.slug,
        {"query": "query($s: String!) { chapter(slug: $s) { name } }", "variables": '{"s":"x"}'},
    )
    assert response.status_code == 200
    assert response.json()["data"] == {"chapter": None}
    assert _media_type(response) == GRAPHQL_RESPONSE


async def test_get_requests_must_not_execute_mutations_405_with_allow_post(client, tenant) -> None:
    mutation = 'mutation { tenantUpdate(input: {name: "Via GET"}) { errors { code } } }'
    for accept in (GRAPHQL_RESPONSE, JSON):
        response = await _get(
            client, tenant.slug, {"query": mutation}, accept, tenant.token("admin@x.example")
        )
        assert response.status_code == 405
        assert response.headers["allow"] == "POST"
    after = await _post(client, tenant.slug, {"query": QUERY})
    assert after.json()["data"]["tenant"]["name"] == f"Tenant {tenant.slug}"


async def test_get_operation_name_chooses_the_query_of_a_document_with_a_mutation(
    client, tenant
) -> None:
    document = (
        'query Read { tenant { name } } mutation Write { tenantUpdate(input: {name: "x"}) '
        "{ errors { code } } }"
    )
    read = await _get(client, tenant.slug, {"query": document, "operationName": "Read"})
    assert read.status_code == 200
    assert read.json()["data"] == {"tenant": {"name": f"Tenant {tenant.slug}"}}
    write = await _get(client, tenant.slug, {"query": document, "operationName": "Write"})
    assert write.status_code == 405


async def test_an_empty_operation_name_is_the_same_as_none(client, tenant) -> None:
    response = await _get(client, tenant.slug, {"query": QUERY, "operationName": ""})
    assert response.status_code == 200


async def test_post_operation_name_chooses_the_operation_to_run(client, tenant) -> None:
    document = "query A { a: __typename } query B { b: __typename }"
    response = await _post(client, tenant.slug, {"query": document, "operationName": "B"})
    assert response.status_code == 200
    assert response.json()["data"] == {"b": "Query"}


async def test_other_methods_are_405(client, tenant) -> None:
    response = await client.put(f"/t/{tenant.slug}/graphql", json={"query": QUERY})
    assert response.status_code == 405
