"""The migration that stops keeping secrets in the audit log also removes the ones already
there, in every tenant, and leaves everything else of the entries as it was."""

from __future__ import annotations

import asyncio
import json
import uuid

from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from chapters.db.admin import scratch_database
from chapters.db.migrations import alembic_config
from chapters.tenants.admin import ensure_tenant

BEFORE_SCRUB = "71a1887cf374"
ROTATION = {"operation": "update", "fields": {"secret_hash": ["old", "new"], "name": ["a", "b"]}}
CREATION = {"operation": "insert", "fields": {"secret_hash": [None, "h"], "client_id": [None, "c"]}}
UNRELATED = {"operation": "update", "fields": {"display_name": ["Ada", "Ida"]}}


async def _write_entries(owner_url: str) -> list[uuid.UUID]:
    engine = create_async_engine(owner_url, poolclass=NullPool)
    tenants = []
    try:
        for slug in ("scrub-a", "scrub-b"):
            tenant_id, _ = await ensure_tenant(engine, slug=slug, name=slug)
            tenants.append(tenant_id)
            async with engine.begin() as conn:
                await conn.execute(
                    text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant_id)}
                )
                for changes in (ROTATION, CREATION, UNRELATED):
                    await conn.execute(
                        text(
                            "INSERT INTO audit_log (tenant_id, id, action, object_type, object_id,"
                            " changes) VALUES (:t, :id, 'apiClientRotateSecret', 'ApiClient',"
                            " :id, CAST(:changes AS jsonb))"
                        ),
                        {"t": tenant_id, "id": uuid.uuid4(), "changes": json.dumps(changes)},
                    )
    finally:
        await engine.dispose()
    return tenants


async def _entries(owner_url: str, tenant_id: uuid.UUID) -> list[dict]:
    engine = create_async_engine(owner_url, poolclass=NullPool)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant_id)}
            )
            rows = await conn.scalars(text("SELECT changes FROM audit_log ORDER BY changes::text"))
            return list(rows)
    finally:
        await engine.dispose()


def test_existing_secret_hashes_are_scrubbed_from_every_tenant(urls, settings) -> None:
    with scratch_database(urls.admin, settings, "chapters_scrub", migrated=False) as scratch:
        config = alembic_config(scratch.owner, settings)
        command.upgrade(config, BEFORE_SCRUB)
        tenants = asyncio.run(_write_entries(scratch.owner))
        assert all(
            "secret_hash" in json.dumps(asyncio.run(_entries(scratch.owner, t))) for t in tenants
        ), "the entries to scrub are there before the migration"
        command.upgrade(config, "head")
        expected = sorted(
            [
                {"operation": "update", "fields": {"name": ["a", "b"]}},
                {"operation": "insert", "fields": {"client_id": [None, "c"]}},
                UNRELATED,
            ],
            key=json.dumps,
        )
        for tenant_id in tenants:
            assert sorted(asyncio.run(_entries(scratch.owner, tenant_id)), key=json.dumps) == (
                expected
            )
        assert asyncio.run(_forced(scratch.owner)), "row-level security is forced again"


async def _forced(owner_url: str) -> bool:
    engine = create_async_engine(owner_url, poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            return await conn.scalar(
                text("SELECT relforcerowsecurity FROM pg_class WHERE relname = 'audit_log'")
            )
    finally:
        await engine.dispose()
