"""One transaction per GraphQL request: commit on success, roll back on any error; typed
errors undo their mutation; concurrent sibling resolvers share the session safely."""

from __future__ import annotations

import strawberry

from chapters.api.extensions import build_extensions
from chapters.app import create_app
from chapters.db.session import open_tenant_session, tenant_sessionmaker
from chapters.models import Tenant
from chapters.tenants.service import get_tenant
from tests.support import data_of, gql, serving


async def _tenant_name(owner_engine, tenant_id) -> str:
    async with open_tenant_session(tenant_sessionmaker(owner_engine), tenant_id) as s:
        tenant = await s.get(Tenant, tenant_id)
        return tenant.name


@strawberry.type
class ProbeQuery:
    ok: bool = True


@strawberry.type
class ProbeMutation:
    @strawberry.mutation
    async def rename(self, info: strawberry.Info, name: str) -> bool:
        tenant = await get_tenant(info.context.session, info.context.tenant.id)
        tenant.name = name
        await info.context.session.flush()
        return True

    @strawberry.mutation
    async def rename_then_fail(self, info: strawberry.Info, name: str) -> bool:
        await ProbeMutation.rename(self, info, name)
        raise RuntimeError("secret internal detail")


async def test_an_error_anywhere_rolls_back_the_whole_request(
    settings, keys, urls, tenants, owner_engine
) -> None:
    probe = strawberry.Schema(
        query=ProbeQuery, mutation=ProbeMutation, extensions=build_extensions(settings)
    )
    tenant = await tenants.create()
    before = await _tenant_name(owner_engine, tenant.id)
    app = create_app(settings, app_url=urls.app, keys=keys, graphql_schema=probe)
    async with serving(app) as http:
        failed = await gql(
            http,
            tenant.slug,
            'mutation { rename(name: "first") renameThenFail(name: "second") }',
            token=tenant.token("admin@x.example"),
        )
        assert await _tenant_name(owner_engine, tenant.id) == before
        succeeded = await gql(
            http,
            tenant.slug,
            'mutation { rename(name: "kept") }',
            token=tenant.token("admin@x.example"),
        )
    # The client sees a masked error: no exception text, no stack trace.
    assert failed["errors"] == [
        {
            "message": "Unexpected error.",
            "locations": [{"line": 1, "column": 34}],
            "path": ["renameThenFail"],
            "extensions": {"code": "INTERNAL"},
        }
    ]
    assert "secret internal detail" not in str(failed)
    assert data_of(succeeded) == {"rename": True}
    assert await _tenant_name(owner_engine, tenant.id) == "kept"


TENANT_UPDATE = """mutation ($input: TenantUpdateInput!) {
  tenantUpdate(input: $input) { tenant { name timezone defaultLocale } errors { field code message } }
}"""


async def test_typed_errors_undo_their_mutation_and_lose_nothing(client, tenants, owner_engine):
    tenant = await tenants.create()
    token = tenant.token("admin@x.example")
    before = await _tenant_name(owner_engine, tenant.id)
    body = await gql(
        client,
        tenant.slug,
        TENANT_UPDATE,
        {"input": {"name": "Renamed", "timezone": "Mars/Olympus", "defaultLocale": "!!"}},
        token=token,
    )
    assert data_of(body)["tenantUpdate"] == {
        "tenant": None,
        "errors": [
            {
                "field": "timezone",
                "code": "INVALID",
                "message": "Unknown IANA timezone 'Mars/Olympus'",
            },
            {
                "field": "defaultLocale",
                "code": "INVALID",
                "message": "Use a BCP 47 tag such as en or zh-CN",
            },
        ],
    }
    assert await _tenant_name(owner_engine, tenant.id) == before


async def test_a_valid_update_is_committed(client, tenants, owner_engine) -> None:
    tenant = await tenants.create()
    body = await gql(
        client,
        tenant.slug,
        TENANT_UPDATE,
        {"input": {"name": "  Hangzhou Users  ", "timezone": "Asia/Shanghai"}},
        token=tenant.token("admin@x.example"),
    )
    assert data_of(body)["tenantUpdate"] == {
        "tenant": {"name": "Hangzhou Users", "timezone": "Asia/Shanghai", "defaultLocale": "en"},
        "errors": [],
    }
    assert await _tenant_name(owner_engine, tenant.id) == "Hangzhou Users"


async def test_only_admins_may_update_the_tenant(client, tenants) -> None:
    tenant = await tenants.create(people={"member@x.example": None})
    body = await gql(
        client,
        tenant.slug,
        TENANT_UPDATE,
        {"input": {"name": "Mine now"}},
        token=tenant.token("member@x.example"),
    )
    assert data_of(body)["tenantUpdate"]["errors"] == [
        {
            "field": None,
            "code": "FORBIDDEN",
            "message": "You are not allowed to change the tenant's settings and health rules",
        }
    ]


async def test_overlong_input_is_a_typed_error_not_a_crash(client, tenants) -> None:
    tenant = await tenants.create()
    body = await gql(
        client,
        tenant.slug,
        TENANT_UPDATE,
        {"input": {"name": "x" * 201, "defaultLocale": "zh-" + "-".join(["abcdefgh"] * 4)}},
        token=tenant.token("admin@x.example"),
    )
    codes = [(e["field"], e["code"]) for e in data_of(body)["tenantUpdate"]["errors"]]
    assert codes == [("name", "TOO_LONG"), ("defaultLocale", "TOO_LONG")]


async def test_concurrent_sibling_resolvers_share_the_session_safely(client, tenants) -> None:
    tenant = await tenants.create()
    person_id = tenant.people["admin@x.example"].id
    from strawberry.relay import to_base64

    gid = to_base64("Person", str(person_id))
    fields = " ".join(f'a{i}: tenant {{ name }} n{i}: node(id: "{gid}") {{ id }}' for i in range(7))
    for _ in range(5):
        body = await gql(
            client, tenant.slug, f"{{ {fields} }}", token=tenant.token("admin@x.example")
        )
        data = data_of(body)
        assert len(data) == 14
        assert all(value is not None for value in data.values())
    # Anonymous: no authentication query runs first, so the siblings race to open the connection.
    siblings = " ".join(f"a{i}: tenant {{ name }}" for i in range(12))
    for _ in range(5):
        assert len(data_of(await gql(client, tenant.slug, f"{{ {siblings} }}"))) == 12


async def test_a_cancelled_statement_leaves_the_session_usable(tenants, app_engine) -> None:
    """graphql-core cancels the siblings of a failed field; the request's later statements
    (and its commit) must still work instead of failing with PendingRollbackError."""
    import asyncio

    from sqlalchemy import text

    tenant = await tenants.create("cancel")
    async with open_tenant_session(tenant_sessionmaker(app_engine), tenant.id) as session:
        slow = asyncio.create_task(session.execute(text("SELECT pg_sleep(0.3)")))
        await asyncio.sleep(0.05)
        slow.cancel()
        await asyncio.gather(slow, return_exceptions=True)
        assert slow.cancelled()
        assert await session.scalar(text("SELECT 41 + 1")) == 42
        await session.commit()
