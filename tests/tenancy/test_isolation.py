"""Tenant isolation at the database and session level: fail closed, no pool leak, no
cross-tenant reads or writes, an explicit tenant predicate on every query."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlalchemy.orm import Session

from chapters.db.read_pool import ReadPool
from chapters.db.session import (
    SerializedSession,
    create_engine,
    open_tenant_session,
    tenant_sessionmaker,
)
from chapters.models import Person
from chapters.tenancy import (
    CrossTenantWrite,
    TenantNotBound,
    TenantSession,
    bound_statement,
    tenant_session_info,
)
from tests.support import data_of, gql, statements_sent

PEOPLE = {"a1@x.example": None, "a2@x.example": None}


async def _names(session) -> set[str]:
    return set(await session.scalars(select(Person.email)))


async def test_without_a_tenant_a_connection_sees_nothing_and_cannot_insert(
    app_engine: AsyncEngine, tenants
) -> None:
    tenant = await tenants.create(people=PEOPLE)
    async with app_engine.connect() as conn:
        assert await conn.scalar(text("SELECT count(*) FROM people")) == 0
        # The empty string a pooled connection reports after a SET LOCAL is also "no tenant".
        await conn.execute(text("SELECT set_config('app.tenant_id', '', true)"))
        assert await conn.scalar(text("SELECT count(*) FROM people")) == 0
        with pytest.raises(DBAPIError) as refused:
            await conn.execute(
                text(
                    "INSERT INTO people (tenant_id, id, email, display_name)"
                    " VALUES (:t, :i, 'x@x.example', 'x')"
                ),
                {"t": tenant.id, "i": uuid.uuid4()},
            )
        await conn.rollback()
    assert refused.value.orig.sqlstate == "42501"


async def test_a_session_without_a_tenant_refuses_to_begin(app_engine: AsyncEngine) -> None:
    sessionmaker = tenant_sessionmaker(app_engine)
    async with sessionmaker() as session:
        with pytest.raises(TenantNotBound):
            await session.execute(select(Person))


async def test_a_tenant_session_sees_only_its_tenant(app_engine: AsyncEngine, tenants) -> None:
    a = await tenants.create(people=PEOPLE)
    b = await tenants.create(people={"b1@x.example": None})
    sessionmaker = tenant_sessionmaker(app_engine)
    async with open_tenant_session(sessionmaker, a.id) as session:
        assert await _names(session) == set(PEOPLE)
        # Neither the ORM nor raw SQL reaches the other tenant, even when asked by id.
        assert (await session.scalars(select(Person).where(Person.tenant_id == b.id))).all() == []
        raw = await session.execute(text("SELECT id FROM people WHERE tenant_id = :b"), {"b": b.id})
        assert raw.all() == []
        updated = await session.execute(
            text("UPDATE people SET display_name = 'hijacked' WHERE tenant_id = :b"), {"b": b.id}
        )
        assert updated.rowcount == 0


async def test_cross_tenant_inserts_are_refused(app_engine: AsyncEngine, tenants) -> None:
    a = await tenants.create(people=PEOPLE)
    b = await tenants.create(people={"b1@x.example": None})
    sessionmaker = tenant_sessionmaker(app_engine)
    async with open_tenant_session(sessionmaker, a.id) as session:
        session.add(Person(tenant_id=b.id, email="intruder@x.example", display_name="i"))
        with pytest.raises(CrossTenantWrite):
            await session.flush()
        await session.rollback()
        # Below the ORM, row-level security's WITH CHECK refuses the row.
        with pytest.raises(DBAPIError) as refused:
            await session.execute(
                text(
                    "INSERT INTO people (tenant_id, id, email, display_name)"
                    " VALUES (:b, :i, 'intruder@x.example', 'i')"
                ),
                {"b": b.id, "i": uuid.uuid4()},
            )
        await session.rollback()
    assert refused.value.orig.sqlstate == "42501"
    async with open_tenant_session(sessionmaker, b.id) as session:
        assert await _names(session) == {"b1@x.example"}


async def test_every_orm_query_names_the_tenant(app_engine: AsyncEngine, tenants) -> None:
    tenant = await tenants.create(people=PEOPLE)
    with statements_sent(app_engine) as statements:
        sessionmaker = tenant_sessionmaker(app_engine)
        async with open_tenant_session(sessionmaker, tenant.id) as session:
            await session.scalars(select(Person).where(Person.email == "a1@x.example"))
            await session.scalars(select(Person.id).order_by(Person.email))
    queries = [s for s in statements if "FROM people" in s]
    assert len(queries) == 2
    assert all("people.tenant_id = $" in s for s in queries), queries


class _LeakySession(Session):
    """Negative control: sets the tenant for the whole connection, not the transaction."""


@event.listens_for(_LeakySession, "after_begin")
def _leaky_set(session, transaction, connection) -> None:
    tenant_id = session.info["tenant_id"]
    connection.execute(text("SELECT set_config('app.tenant_id', :t, false)"), {"t": str(tenant_id)})


async def _leak_after_requests(settings, urls, session_class, a, b) -> dict:
    """Run tenant A's then tenant B's request over a pool of one connection, then look at what
    the pooled connection still carries. Returns what B saw and what leaked afterwards."""
    engine = create_engine(urls.app, settings, pool_size=1, max_overflow=0)
    try:
        sessionmaker = async_sessionmaker(
            engine, class_=SerializedSession, sync_session_class=session_class
        )
        async with sessionmaker(info=tenant_session_info(a.id)) as session:
            await session.execute(select(Person))
            await session.commit()
        async with sessionmaker(info=tenant_session_info(b.id)) as session:
            seen_by_b = await _names(session)
            await session.commit()
        async with engine.connect() as conn:
            leftover = await conn.scalar(text("SELECT current_setting('app.tenant_id', true)"))
            visible = await conn.scalar(text("SELECT count(*) FROM people"))
        return {"seen_by_b": seen_by_b, "leftover": leftover or None, "visible": visible}
    finally:
        await engine.dispose()


async def test_a_pooled_connection_forgets_the_tenant(settings, urls, tenants) -> None:
    a = await tenants.create(people=PEOPLE)
    b = await tenants.create(people={"b1@x.example": None})
    outcome = await _leak_after_requests(settings, urls, TenantSession, a, b)
    assert outcome == {"seen_by_b": {"b1@x.example"}, "leftover": None, "visible": 0}


async def test_the_pool_leak_detector_catches_a_session_level_setting(
    settings, urls, tenants
) -> None:
    """Negative control: the same harness fails a session that uses set_config(..., false)."""
    a = await tenants.create(people=PEOPLE)
    b = await tenants.create(people={"b1@x.example": None})
    outcome = await _leak_after_requests(settings, urls, _LeakySession, b, a)
    assert outcome["leftover"] == str(a.id)
    assert outcome["visible"] == len(PEOPLE)


async def test_node_of_another_tenant_is_null(client, tenants) -> None:
    a = await tenants.create()
    b = await tenants.create(people={"b1@x.example": None})
    foreign = b.people["b1@x.example"]
    own = a.people["admin@x.example"]
    query = """query ($ids: [ID!]!, $id: ID!) {
        node(id: $id) { id }
        nodes(ids: $ids) { ... on Person { displayName } }
    }"""
    foreign_gid = _global_id("Person", foreign.id)
    own_gid = _global_id("Person", own.id)
    body = await gql(
        client,
        a.slug,
        query,
        {"id": foreign_gid, "ids": [own_gid, foreign_gid]},
        token=a.token("admin@x.example"),
    )
    assert data_of(body) == {"node": None, "nodes": [{"displayName": "admin"}, None]}


def _global_id(type_name: str, object_id: uuid.UUID) -> str:
    from strawberry.relay import to_base64

    return to_base64(type_name, str(object_id))


async def test_nodes_is_capped_at_a_hundred_ids(client, tenants) -> None:
    tenant = await tenants.create()
    ids = [_global_id("Person", uuid.uuid4()) for _ in range(101)]
    body = await gql(
        client,
        tenant.slug,
        "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }",
        {"ids": ids},
        token=tenant.token("admin@x.example"),
    )
    assert body["errors"][0]["extensions"] == {"code": "INVALID", "field": "ids"}
    unknown = await gql(
        client,
        tenant.slug,
        "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }",
        {"ids": [_global_id("NoSuchType", uuid.uuid4())]},
        token=tenant.token("admin@x.example"),
    )
    assert data_of(unknown) == {"nodes": [None]}


async def test_a_statement_that_binds_its_tenant_sees_that_tenant_alone_and_leaves_nothing(
    urls, settings, tenants
) -> None:
    """The compiled reads' front door sends each read as one statement outside any
    transaction (``tenancy.bound_statement`` on ``db.read_pool``). Row-level security alone
    (no tenant predicate in the query) must already see the statement's tenant -- the
    tenant is set before the query reads -- and the next statement on the same connection
    must see none: the setting ended with the statement's own transaction."""
    a = await tenants.create(people={"a1@x.example": None, "a2@x.example": None})
    b = await tenants.create(people={"b1@x.example": None})
    pool = await ReadPool.open(urls.app, replace(settings, database_pool_size=1))  # one connection
    people = "SELECT string_agg(email, ',' ORDER BY email) FROM people"
    try:
        for tenant, expected in ((a, "a1@x.example,a2@x.example"), (b, "b1@x.example")):
            assert await pool.fetch_text(bound_statement(people, 1), (str(tenant.id),)) == expected
            assert await pool.fetch_text(people, ()) is None
    finally:
        await pool.close()
