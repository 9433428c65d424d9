"""GraphQL limits: oversized documents are refused before any resolver runs."""

from __future__ import annotations

from tests.support import gql


async def test_too_many_aliases_are_refused(client, tenants, settings) -> None:
    tenant = await tenants.create()
    fields = " ".join(f"a{i}: tenant {{ name }}" for i in range(settings.graphql_max_aliases + 1))
    body = await gql(client, tenant.slug, f"{{ {fields} }}")
    assert body["data"] is None
    assert "aliases found" in body["errors"][0]["message"]


async def test_aliases_at_the_limit_are_allowed(client, tenants, settings) -> None:
    tenant = await tenants.create()
    fields = " ".join(f"a{i}: tenant {{ name }}" for i in range(settings.graphql_max_aliases))
    body = await gql(client, tenant.slug, f"{{ {fields} }}")
    assert "errors" not in body


async def test_too_deep_queries_are_refused(client, tenants, settings) -> None:
    tenant = await tenants.create()
    depth = settings.graphql_max_depth + 1
    query = "{ " + "viewer { person { " * depth + "id" + " } }" * depth + " }"
    body = await gql(client, tenant.slug, query)
    assert body["data"] is None
    assert any("exceeds maximum operation depth" in e["message"] for e in body["errors"])


async def test_too_many_tokens_are_refused(client, tenants, settings) -> None:
    tenant = await tenants.create()
    query = "{ " + " ".join(["__typename"] * (settings.graphql_max_tokens + 1)) + " }"
    body = await gql(client, tenant.slug, query)
    assert "more than" in body["errors"][0]["message"]


async def test_field_suggestions_are_not_leaked(client, tenants) -> None:
    tenant = await tenants.create()
    body = await gql(client, tenant.slug, "{ tenan { name } }")
    assert "Did you mean" not in body["errors"][0]["message"]
