"""Role guard: the service's own connection cannot escape row-level security."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine


async def test_app_role_is_neither_superuser_nor_bypassrls(app_engine: AsyncEngine, settings):
    async with app_engine.connect() as conn:
        role = (
            await conn.execute(
                text(
                    "SELECT rolname, rolsuper, rolbypassrls, rolcreaterole, rolcreatedb"
                    " FROM pg_roles WHERE rolname = current_user"
                )
            )
        ).one()
    assert role.rolname == settings.app_role
    assert role.rolname != settings.owner_role
    assert (role.rolsuper, role.rolbypassrls, role.rolcreaterole, role.rolcreatedb) == (
        False,
        False,
        False,
        False,
    )


async def test_app_role_owns_nothing_and_cannot_create(app_engine: AsyncEngine) -> None:
    async with app_engine.connect() as conn:
        owned = await conn.scalar(
            text(
                "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = 'public' AND pg_get_userbyid(c.relowner) = current_user"
            )
        )
        rights = (
            await conn.execute(
                text(
                    "SELECT has_schema_privilege('public', 'CREATE') AS schema_create,"
                    " has_database_privilege(current_database(), 'CREATE') AS db_create,"
                    " has_database_privilege(current_database(), 'TEMP') AS db_temp"
                )
            )
        ).one()
    assert owned == 0
    assert (rights.schema_create, rights.db_create, rights.db_temp) == (False, False, False)


@pytest.mark.parametrize(
    "ddl",
    [
        "CREATE TABLE sneaky (id int)",
        "CREATE TEMP TABLE sneaky (id int)",
        "ALTER TABLE people DISABLE ROW LEVEL SECURITY",
        "ALTER TABLE people NO FORCE ROW LEVEL SECURITY",
        "DROP POLICY tenant_isolation ON people",
        "TRUNCATE people",
    ],
)
async def test_app_role_is_refused_ddl(app_engine: AsyncEngine, ddl: str) -> None:
    async with app_engine.connect() as conn:
        with pytest.raises(DBAPIError) as refused:
            await conn.execute(text(ddl))
        await conn.rollback()
    assert refused.value.orig.sqlstate in {"42501"}  # insufficient_privilege / must be owner
