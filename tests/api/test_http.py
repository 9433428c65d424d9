"""The HTTP surface: health, readiness, tenant routing, GraphiQL, JWKS."""

from __future__ import annotations

import asyncio
import dataclasses
import re

import httpx
import pytest
from sqlalchemy import text

from chapters.api import graphiql
from chapters.api.limits import MAX_JSON_DEPTH
from chapters.app import create_app
from chapters.db.admin import unmigrated_scratch_database
from chapters.models import TenantRole
from tests.support import data_of, gql, serving


async def test_healthz_answers_without_the_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_is_ready_on_a_migrated_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


async def _readyz_of(settings, keys, app_url: str) -> httpx.Response:
    async with serving(create_app(settings, app_url=app_url, keys=keys)) as http:
        return await http.get("/readyz")


async def test_readyz_is_503_when_the_database_is_unreachable(settings, keys) -> None:
    unreachable = "postgresql+asyncpg://nobody@127.0.0.1:1/none"
    response = await _readyz_of(settings, keys, unreachable)
    assert response.status_code == 503
    assert response.json()["reason"] == "database unreachable"


async def test_readyz_is_503_when_migrations_are_behind(settings, keys, urls) -> None:
    async with unmigrated_scratch_database(urls.admin, settings, "chapters_unmigrated") as empty:
        response = await _readyz_of(settings, keys, empty.app)
    assert response.status_code == 503
    body = response.json()
    assert body["reason"] == "migrations not at head"
    assert body["current"] == "none"


async def test_unknown_tenant_is_a_json_404(client: httpx.AsyncClient) -> None:
    response = await client.post("/t/no-such-tenant/graphql", json={"query": "{ tenant { name } }"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["error"] == "No tenant 'no-such-tenant'"


async def test_graphiql_is_served_on_get(client: httpx.AsyncClient, tenants) -> None:
    tenant = await tenants.create()
    response = await client.get(f"/t/{tenant.slug}/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_graphiql_can_be_switched_off(settings, keys, urls, tenants) -> None:
    tenant = await tenants.create()
    app = create_app(dataclasses.replace(settings, graphiql=False), app_url=urls.app, keys=keys)
    async with serving(app) as http:
        response = await http.get(f"/t/{tenant.slug}/graphql", headers={"Accept": "text/html"})
        asset = await http.get("/graphiql/graphiql.min.js")
    assert response.status_code == 404
    assert "graphiql" not in response.text.lower()
    assert asset.status_code == 404


async def test_the_graphiql_page_loads_everything_from_the_service(client, tenants) -> None:
    """No CDN: every script and stylesheet is served here, and the page's policy forbids
    loading or sending anything elsewhere."""
    tenant = await tenants.create()
    page = await client.get(f"/t/{tenant.slug}/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "://" not in page.text, "an absolute URL: something would load from elsewhere"
    policy = page.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "connect-src 'self';" in policy
    assets = re.findall(r'(?:src|href)="(/graphiql/[^"]+)"', page.text)
    assert len(assets) == 6
    for path in assets:
        asset = await client.get(path)
        assert asset.status_code == 200, path
        kind = "text/css" if path.endswith(".css") else "text/javascript"
        assert asset.headers["content-type"].startswith(kind), path
    assert (await client.get("/graphiql/page.html")).status_code == 404
    assert (await client.get("/graphiql/..%2Fgraphiql.py")).status_code == 404


def test_the_vendored_graphiql_files_carry_their_licences() -> None:
    for package in ("graphiql", "react", "react-dom"):
        assert "MIT License" in (graphiql.STATIC_DIR / f"LICENSE.{package}").read_text()


async def test_jwks_publishes_the_signing_key(client: httpx.AsyncClient, keys) -> None:
    response = await client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    published = response.json()["keys"]
    assert [key["kid"] for key in published] == [keys.kid]
    assert all("d" not in key for key in published), "private key material must not leak"


async def test_a_query_with_a_token_answers(client: httpx.AsyncClient, tenants) -> None:
    tenant = await tenants.create(people={"ops@x.example": TenantRole.OPS})
    body = await gql(
        client,
        tenant.slug,
        "{ tenant { slug } viewer { email tenantRole person { displayName } } }",
        token=tenant.token("ops@x.example"),
    )
    assert data_of(body) == {
        "tenant": {"slug": tenant.slug},
        "viewer": {"email": "ops@x.example", "tenantRole": "OPS", "person": {"displayName": "ops"}},
    }


async def test_anonymous_viewer_is_null(client: httpx.AsyncClient, tenants) -> None:
    tenant = await tenants.create()
    assert data_of(await gql(client, tenant.slug, "{ viewer { email } }")) == {"viewer": None}


# --- the edge refuses what it cannot serve, with a clear 4xx (never a 500) -----------------


async def test_a_websocket_upgrade_is_refused(app, client, tenants) -> None:
    """No subscriptions: a socket would hold a session and a transaction for its life."""
    tenant = await tenants.create()
    sent: list[dict] = []
    incoming = [{"type": "websocket.connect"}]

    async def receive() -> dict:
        if incoming:
            return incoming.pop(0)
        await asyncio.sleep(5)
        return {"type": "websocket.disconnect", "code": 1000}

    async def send(message: dict) -> None:
        sent.append(message)

    path = f"/t/{tenant.slug}/graphql"
    scope = {
        "type": "websocket",
        "asgi": {"version": "3.0"},
        "scheme": "ws",
        "http_version": "1.1",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1"), (b"sec-websocket-protocol", b"graphql-transport-ws")],
        "subprotocols": ["graphql-transport-ws"],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
        "state": {},
    }
    await asyncio.wait_for(app(scope, receive, send), timeout=5)
    assert [m["type"] for m in sent] == ["websocket.close"], sent


async def _post_raw(client: httpx.AsyncClient, slug: str, content: bytes, **headers: str):
    return await client.post(
        f"/t/{slug}/graphql",
        content=content,
        headers={"Content-Type": "application/json", **headers},
    )


async def test_invalid_utf8_in_the_body_is_a_400(client, tenants) -> None:
    tenant = await tenants.create()
    response = await _post_raw(client, tenant.slug, b'{"query": "{ __typename }", "x": "\xff"}')
    assert response.status_code == 400
    assert response.json()["error"] == "The request body is not valid UTF-8."


async def test_variables_nested_3000_deep_are_a_400(client, tenants) -> None:
    tenant = await tenants.create()
    deep = "[" * 3000 + "]" * 3000
    body = '{"query": "{ __typename }", "variables": {"v": ' + deep + "}}"
    response = await _post_raw(client, tenant.slug, body.encode())
    assert response.status_code == 400
    assert "nests deeper than" in response.json()["error"]


async def test_variables_nested_just_past_the_limit_are_a_400(client, tenants) -> None:
    tenant = await tenants.create()
    deep = "[" * (MAX_JSON_DEPTH - 2) + "]" * (MAX_JSON_DEPTH - 2)
    ok = '{"query": "{ __typename }", "variables": {"v": ' + deep + "}}"
    assert (await _post_raw(client, tenant.slug, ok.encode())).status_code == 200
    over = '{"query": "{ __typename }", "variables": {"v": [' + deep + "]}}"
    assert (await _post_raw(client, tenant.slug, over.encode())).status_code == 400


@pytest.mark.parametrize(
    "variables",
    [
        '{"slug": "de\\u0000mo"}',
        '{"slug": "\\ud800"}',
        '{"slug": "x", "unused": {"deep": [{"deeper": ["ok", "nul \\u0000 here"]}]}}',
        '{"slug": "x", "key \\u0000": 1}',
    ],
)
async def test_unstorable_strings_in_variables_are_a_400(client, tenants, variables) -> None:
    tenant = await tenants.create()
    body = (
        '{"query": "query($slug: String!) { chapter(slug: $slug) { name } }", "variables": '
        + variables
        + "}"
    )
    response = await _post_raw(client, tenant.slug, body.encode())
    assert response.status_code == 400
    assert "NUL characters or unpaired UTF-16 surrogates" in response.json()["error"]


async def test_unstorable_strings_in_get_variables_are_a_400(client, tenants) -> None:
    tenant = await tenants.create()
    response = await client.get(
        f"/t/{tenant.slug}/graphql",
        params={
            "query": "query($slug: String!) { chapter(slug: $slug) { name } }",
            "variables": '{"slug": "de\\u0000mo"}',
        },
    )
    assert response.status_code == 400


async def test_a_nul_in_a_mutation_input_is_a_400_and_writes_nothing(client, tenants) -> None:
    tenant = await tenants.create()
    response = await client.post(
        f"/t/{tenant.slug}/graphql",
        json={
            "query": "mutation($input: TenantUpdateInput!) { tenantUpdate(input: $input) "
            "{ tenant { name } errors { code } } }",
            "variables": {"input": {"name": "Evil\x00Name"}},
        },
        headers={"Authorization": f"Bearer {tenant.token('admin@x.example')}"},
    )
    assert response.status_code == 400
    body = await gql(client, tenant.slug, "{ tenant { name } }")
    assert body["data"]["tenant"]["name"] == f"Tenant {tenant.slug}"


async def test_a_nul_in_the_tenant_path_is_a_json_404(client) -> None:
    response = await client.post("/t/de%00mo/graphql", json={"query": "{ __typename }"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")


CHAPTER_CREATE = (
    "mutation($input: ChapterCreateInput!) { chapterCreate(input: $input) { errors { code } } }"
)
NEW_CHAPTER = {"input": {"name": "Suzhou", "slug": "suzhou", "city": "Suzhou", "contactLinks": []}}


@pytest.mark.parametrize("request_id", ["r" * 65, "has space", "caf\u00e9", "a\tb", ""])
async def test_an_unusable_request_id_is_a_400(client, tenants, request_id) -> None:
    tenant = await tenants.create()
    response = await client.post(
        f"/t/{tenant.slug}/graphql",
        json={"query": CHAPTER_CREATE, "variables": NEW_CHAPTER},
        headers={
            "Authorization": f"Bearer {tenant.token('admin@x.example')}",
            "X-Request-Id": request_id.encode(),  # as UTF-8 bytes on the wire
        },
    )
    assert response.status_code == 400
    assert "X-Request-Id must be 1 to 64" in response.json()["error"]


async def test_a_64_character_request_id_is_recorded_in_the_audit_log(
    client, tenants, owner_engine
) -> None:
    tenant = await tenants.create()
    request_id = "req-" + "0123456789abcdef" * 3 + "0123456789ab"
    assert len(request_id) == 64
    response = await client.post(
        f"/t/{tenant.slug}/graphql",
        json={"query": CHAPTER_CREATE, "variables": NEW_CHAPTER},
        headers={
            "Authorization": f"Bearer {tenant.token('admin@x.example')}",
            "X-Request-Id": request_id,
        },
    )
    assert response.status_code == 200
    assert response.json()["data"]["chapterCreate"]["errors"] == []
    async with owner_engine.begin() as conn:  # row-level security: name the tenant
        await conn.execute(
            text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant.id)}
        )
        recorded = await conn.scalar(
            text("SELECT count(*) FROM audit_log WHERE request_id = :id"), {"id": request_id}
        )
    assert recorded >= 1
