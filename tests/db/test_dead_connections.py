"""Pooled connections without a pre-ping: a request checks out its connection without a round
trip, and a connection the server has closed since (terminated, restarted) costs no request."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from chapters.app import create_app
from chapters.db.session import discard_closed_connection
from tests.support import data_of, gql, serving, statements_sent

ONE_CONNECTION = {"pool_size": 1, "max_overflow": 0, "pool_timeout": 5}
VIEWER = "{ viewer { email } }"


async def _pooled_backend(engine: AsyncEngine) -> int:
    """The server process of the pool's only connection."""
    async with engine.connect() as conn:
        pid: int = await conn.scalar(text("SELECT pg_backend_pid()"))
    return pid


async def _terminate(admin_url: str, pid: int) -> None:
    """Kill that server process, as a restart or an administrator would, and wait until it is
    gone."""
    admin = create_async_engine(admin_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            assert await conn.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            for _ in range(200):
                alive = await conn.scalar(
                    text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
                )
                if not alive:
                    return
                await asyncio.sleep(0.02)
            raise AssertionError(f"backend {pid} still alive")
    finally:
        await admin.dispose()


async def _ask(http, tenant) -> dict:
    return await gql(http, tenant.slug, VIEWER, token=tenant.token("admin@x.example"))


async def test_a_request_after_its_pooled_connection_was_killed_succeeds(
    settings, urls, keys, tenants
) -> None:
    tenant = await tenants.create()
    app = create_app(settings, app_url=urls.app, keys=keys, engine_options=ONE_CONNECTION)
    async with serving(app) as http:
        assert data_of(await _ask(http, tenant)) == {"viewer": {"email": "admin@x.example"}}
        engine = app.state.runtime.engine
        killed = await _pooled_backend(engine)
        await _terminate(urls.admin, killed)

        assert data_of(await _ask(http, tenant)) == {"viewer": {"email": "admin@x.example"}}
        assert await _pooled_backend(engine) != killed


async def test_a_dead_connection_found_at_the_first_statement_is_replaced(
    settings, urls, keys, tenants
) -> None:
    """Without the free check at checkout (a connection can die unnoticed, e.g. cut by the
    network): the request's transaction finds it dead at its first statement and begins again
    on a fresh connection."""
    tenant = await tenants.create()
    app = create_app(settings, app_url=urls.app, keys=keys, engine_options=ONE_CONNECTION)
    async with serving(app) as http:
        assert data_of(await _ask(http, tenant)) == {"viewer": {"email": "admin@x.example"}}
        engine = app.state.runtime.engine
        event.remove(engine.sync_engine, "checkout", discard_closed_connection)
        killed = await _pooled_backend(engine)
        await _terminate(urls.admin, killed)

        answers = [await _ask(http, tenant) for _ in range(3)]
        assert [data_of(answer) for answer in answers] == [
            {"viewer": {"email": "admin@x.example"}}
        ] * 3
        assert await _pooled_backend(engine) != killed


async def test_a_request_sends_one_begin_and_no_ping(settings, urls, keys, tenants) -> None:
    """The pooled connection's own log of what it sent: one transaction per request, no
    pre-ping transaction (``BEGIN; ; ROLLBACK``) before it."""
    tenant = await tenants.create()
    app = create_app(settings, app_url=urls.app, keys=keys, engine_options=ONE_CONNECTION)
    async with serving(app) as http:
        await _ask(http, tenant)  # the connection is made and pooled
        engine = app.state.runtime.engine
        async with engine.connect() as conn:
            driver = (await conn.get_raw_connection()).driver_connection
        sent: list[str] = []

        def log(record) -> None:
            sent.append(" ".join(record.query.split()))

        driver.add_query_logger(log)
        try:
            assert data_of(await _ask(http, tenant)) == {"viewer": {"email": "admin@x.example"}}
        finally:
            driver.remove_query_logger(log)
        begins = [query for query in sent if query.upper().startswith("BEGIN")]
        assert len(begins) == 1, sent
        assert not [query for query in sent if query.strip() in {";", ""}], sent
        assert not [query for query in sent if query.upper().startswith("ROLLBACK")], sent


async def test_a_front_door_read_on_a_killed_connection_is_answered(
    settings, urls, keys, tenants
) -> None:
    """The compiled reads' front door reads on a pool of its own (``db.read_pool``): a
    connection of it that the server closed is replaced, and the read is still the front
    door's, answered as before."""
    tenant = await tenants.create()
    app = create_app(replace(settings, database_pool_size=1), app_url=urls.app, keys=keys)
    async with serving(app) as http:
        for _ in range(2):  # the first answer makes the document known to the front door
            assert data_of(await _ask(http, tenant)) == {"viewer": {"email": "admin@x.example"}}
        pool = app.state.runtime.read_pool
        killed = int(await pool.fetch_text("SELECT pg_backend_pid()::text", ()))
        await _terminate(urls.admin, killed)

        with statements_sent(app.state.runtime.engine) as statements:
            assert data_of(await _ask(http, tenant)) == {"viewer": {"email": "admin@x.example"}}
        assert [s for s in statements if s.startswith("SELECT CASE WHEN set_config")], statements
        assert int(await pool.fetch_text("SELECT pg_backend_pid()::text", ())) != killed
