"""The HTTP surface: health, readiness, tenant routing, GraphiQL, JWKS."""

from __future__ import annotations

import dataclasses
import uuid

import httpx
from sqlalchemy import make_url

from chapters import db
from chapters.app import create_app
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
    name = f"chapters_unmigrated_{uuid.uuid4().hex[:8]}"
    admin = make_url(urls.admin).set(database=name).render_as_string(hide_password=False)
    empty = db.resolve_urls(settings, admin_url=admin)
    await db.bootstrap_database(empty, settings)
    try:
        response = await _readyz_of(settings, keys, empty.app)
    finally:
        await db.drop_database(empty.admin)
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
    assert response.status_code == 404
    assert "graphiql" not in response.text.lower()


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
