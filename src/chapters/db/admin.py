"""Administering the database: URLs and roles, bootstrap, the embedded server, scratch databases.

Two roles meet the database. The *owner* owns the schema and runs migrations; the *app* role is
what the service connects as: DML only, NOSUPERUSER, NOBYPASSRLS, so row-level security binds it.
In development and tests ``bootstrap_database`` creates both roles and the database with the
credentials of ``DATABASE_URL`` (or the embedded server's superuser); in production an operator
runs ``deploy/roles.sql`` once and sets ``DATABASE_BOOTSTRAP=false``.

A *scratch database* is a uniquely named, bootstrapped (and usually migrated) database on the
test server, dropped afterwards; the tests, the benchmark and ``make check-migrations`` use one::

    python -m chapters.db.admin scratch -- alembic check
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
import warnings
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import make_url
from sqlalchemy.engine import URL

from chapters.db.migrations import migrate
from chapters.settings import Settings, load_settings

_embedded_server: Any = None  # keeps the pgserver handle alive for the life of the process


@dataclass(frozen=True)
class DatabaseUrls:
    admin: str  # bootstrap only: creates roles and the database
    owner: str  # migrations
    app: str  # the running service


def _with_role(url: str, role: str, password: str | None) -> str:
    return (
        make_url(url)
        .set(drivername="postgresql+asyncpg", username=role, password=password)
        .render_as_string(hide_password=False)
    )


def _with_database(url: str, database: str) -> str:
    return make_url(url).set(database=database).render_as_string(hide_password=False)


def start_embedded_postgres(data_dir: Path) -> str:
    """Start (or attach to) the embedded PostgreSQL in ``data_dir``; return a superuser URL.

    The server stops when the last process that attached to it exits, and keeps its data.
    """
    global _embedded_server
    data_dir.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        # pgserver falls back to a folder under /tmp for its socket when XDG_RUNTIME_DIR is unset.
        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR")
        import pgserver  # imported lazily: only development without DATABASE_URL needs it

        _embedded_server = pgserver.get_server(data_dir, cleanup_mode="stop")
    uri = make_url(_embedded_server.get_uri())
    return uri.set(drivername="postgresql+asyncpg", database="chapters").render_as_string(
        hide_password=False
    )


def resolve_urls(settings: Settings, admin_url: str | None = None) -> DatabaseUrls:
    """The three URLs, starting the embedded server when no DATABASE_URL is configured."""
    if admin_url is None:
        if settings.database_url is not None:
            admin_url = settings.database_url
        else:
            admin_url = start_embedded_postgres(settings.local_dir / "pgdata")
    admin = make_url(admin_url).set(drivername="postgresql+asyncpg")
    admin_str = admin.render_as_string(hide_password=False)
    return DatabaseUrls(
        admin=admin_str,
        owner=settings.database_owner_url
        or _with_role(admin_str, settings.owner_role, settings.owner_role_password),
        app=settings.database_app_url
        or _with_role(admin_str, settings.app_role, settings.app_role_password),
    )


def plain_dsn(url: str) -> str:
    """A SQLAlchemy URL (``postgresql+asyncpg://…``) as the plain ``postgresql://`` URL that
    asyncpg and libpq (psycopg) take."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _database_name(url: str) -> str:
    """The database ``url`` names; "chapters" when it names none."""
    return make_url(url).database or "chapters"


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _role_sql(password: str | None) -> str:
    # NOSUPERUSER NOBYPASSRLS is what makes row-level security bind the role.
    pw = "PASSWORD " + _quote_literal(password) if password else "PASSWORD NULL"
    return f"LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT {pw}"


def _quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


async def _ensure_role(conn: asyncpg.Connection, role: str, password: str | None) -> None:
    exists = await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role)
    if not exists:
        try:
            await conn.execute(f"CREATE ROLE {_quote_ident(role)} {_role_sql(password)}")
            return
        except asyncpg.DuplicateObjectError:
            pass  # another process created it between our check and our CREATE
    await conn.execute(f"ALTER ROLE {_quote_ident(role)} {_role_sql(password)}")


async def bootstrap_database(urls: DatabaseUrls, settings: Settings) -> None:
    """Create the owner and app roles and the database (idempotent; needs a superuser URL)."""
    database = _database_name(urls.admin)
    server = await asyncpg.connect(plain_dsn(_with_database(urls.admin, "postgres")))
    try:
        # One bootstrap at a time on a server: PostgreSQL refuses two concurrent changes of one
        # role ("tuple concurrently updated"), and parallel test workers bootstrap at once.
        await server.execute("SELECT pg_advisory_lock(hashtext('chapters bootstrap'))")
        await _ensure_role(server, settings.owner_role, settings.owner_role_password)
        await _ensure_role(server, settings.app_role, settings.app_role_password)
        exists = await server.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database)
        if not exists:
            await server.execute(
                f"CREATE DATABASE {_quote_ident(database)} OWNER {_quote_ident(settings.owner_role)}"
            )
    finally:
        await server.close()
    db = await asyncpg.connect(plain_dsn(urls.admin))
    owner, app, dbname = (
        _quote_ident(settings.owner_role),
        _quote_ident(settings.app_role),
        _quote_ident(database),
    )
    try:
        await db.execute(
            f"""
            ALTER DATABASE {dbname} OWNER TO {owner};
            ALTER SCHEMA public OWNER TO {owner};
            REVOKE ALL ON DATABASE {dbname} FROM PUBLIC;
            GRANT CONNECT ON DATABASE {dbname} TO {app};
            REVOKE CREATE ON SCHEMA public FROM PUBLIC;
            GRANT USAGE ON SCHEMA public TO {app};
            """
        )
    finally:
        await db.close()


async def drop_database(admin_url: str) -> None:
    database = _database_name(admin_url)
    server = await asyncpg.connect(plain_dsn(_with_database(admin_url, "postgres")))
    try:
        await server.execute(f"DROP DATABASE IF EXISTS {_quote_ident(database)} WITH (FORCE)")
    finally:
        await server.close()


async def server_connection_limit(url: str) -> int:
    """The connections the server accepts from roles that are not superusers."""
    conn = await asyncpg.connect(plain_dsn(url), timeout=5)
    try:
        row = await conn.fetchrow(
            "SELECT current_setting('max_connections')::int AS total,"
            " current_setting('superuser_reserved_connections')::int"
            " + coalesce(current_setting('reserved_connections', true)::int, 0) AS reserved"
        )
    finally:
        await conn.close()
    assert row is not None
    return int(row["total"]) - int(row["reserved"])


def url_for_display(url: str | URL) -> str:
    return make_url(url).render_as_string(hide_password=True)


def scratch_server_url(settings: Settings) -> str:
    """The server scratch databases go on: TEST_DATABASE_URL (a superuser URL) or the embedded
    PostgreSQL."""
    return os.environ.get("TEST_DATABASE_URL") or start_embedded_postgres(
        settings.local_dir / "pgdata"
    )


def scratch_urls(server_url: str, settings: Settings, prefix: str, digits: int = 8) -> DatabaseUrls:
    """The URLs of a new, uniquely named database ``<prefix>_<hex>`` on ``server_url``."""
    name = f"{prefix}_{uuid.uuid4().hex[:digits]}"
    admin = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    return resolve_urls(settings, admin_url=admin)


@contextmanager
def scratch_database(
    server_url: str,
    settings: Settings,
    prefix: str,
    *,
    migrated: bool = True,
    digits: int = 8,
) -> Iterator[DatabaseUrls]:
    """A bootstrapped scratch database, migrated to head unless ``migrated`` is false, dropped
    on exit. Runs its own event loops: use from sync code."""
    urls = scratch_urls(server_url, settings, prefix, digits)
    asyncio.run(bootstrap_database(urls, settings))
    try:
        if migrated:
            migrate(urls.owner, settings)
        yield urls
    finally:
        asyncio.run(drop_database(urls.admin))


@asynccontextmanager
async def unmigrated_scratch_database(
    server_url: str, settings: Settings, prefix: str
) -> AsyncIterator[DatabaseUrls]:
    """A bootstrapped, empty scratch database, dropped on exit (from async code)."""
    urls = scratch_urls(server_url, settings, prefix)
    await bootstrap_database(urls, settings)
    try:
        yield urls
    finally:
        await drop_database(urls.admin)


def run_in_scratch_database(command: list[str], settings: Settings) -> int:
    """Run ``command`` with DATABASE_URL naming a freshly migrated scratch database."""
    server = scratch_server_url(settings)
    with scratch_database(server, settings, "chapters_scratch") as urls:
        print(f"==> scratch database {make_url(urls.admin).database}", file=sys.stderr)
        env = {**os.environ, "DATABASE_URL": urls.admin}
        return subprocess.run(command, env=env, check=False).returncode


def main(argv: list[str]) -> int:
    """``scratch -- COMMAND...``: run COMMAND against a migrated scratch database."""
    if not argv or argv[0] != "scratch":
        print("usage: python -m chapters.db.admin scratch -- COMMAND...", file=sys.stderr)
        return 2
    rest = argv[1:]
    command = rest[rest.index("--") + 1 :] if "--" in rest else rest
    return run_in_scratch_database(command, load_settings())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
