"""Database plumbing: URLs and roles, the embedded server, engines, sessions and migrations.

Two roles meet the database. The *owner* owns the schema and runs migrations; the *app* role is
what the service connects as: DML only, NOSUPERUSER, NOBYPASSRLS, so row-level security binds it.
In development and tests ``bootstrap_database`` creates both roles and the database with the
credentials of ``DATABASE_URL`` (or the embedded server's superuser); in production an operator
runs ``deploy/roles.sql`` once and sets ``DATABASE_BOOTSTRAP=false``.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
from sqlalchemy import make_url, select, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from chapters.audit import recorder as _audit_recorder  # noqa: F401  (registers the audit hook)
from chapters.errors import FieldError, InvalidInput, NotFound
from chapters.settings import PROJECT_ROOT, Settings
from chapters.tenancy import TenantSession, tenant_session_info

log = logging.getLogger(__name__)
T = TypeVar("T")

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


def asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


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
    admin = make_url(urls.admin)
    database = admin.database or "chapters"
    server = await asyncpg.connect(asyncpg_dsn(_with_database(urls.admin, "postgres")))
    try:
        await _ensure_role(server, settings.owner_role, settings.owner_role_password)
        await _ensure_role(server, settings.app_role, settings.app_role_password)
        exists = await server.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database)
        if not exists:
            await server.execute(
                f"CREATE DATABASE {_quote_ident(database)} OWNER {_quote_ident(settings.owner_role)}"
            )
    finally:
        await server.close()
    db = await asyncpg.connect(asyncpg_dsn(urls.admin))
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
    database = make_url(admin_url).database
    server = await asyncpg.connect(asyncpg_dsn(_with_database(admin_url, "postgres")))
    try:
        await server.execute(f"DROP DATABASE IF EXISTS {_quote_ident(database)} WITH (FORCE)")
    finally:
        await server.close()


def alembic_config(owner_url: str, settings: Settings) -> Any:
    from alembic.config import Config

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.attributes["url"] = owner_url
    config.attributes["app_role"] = settings.app_role
    return config


def migrate(owner_url: str, settings: Settings, revision: str = "head") -> None:
    """Apply migrations as the owner role. Runs its own event loop: call from sync code."""
    from alembic import command

    command.upgrade(alembic_config(owner_url, settings), revision)


def head_revisions() -> set[str]:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    return set(ScriptDirectory.from_config(config).get_heads())


def create_engine(url: str, settings: Settings, **overrides: Any) -> AsyncEngine:
    options: dict[str, Any] = {
        "pool_size": settings.database_pool_size,
        "max_overflow": settings.database_pool_size,
        "pool_timeout": settings.database_pool_timeout,
        "pool_pre_ping": True,
        "connect_args": {
            "server_settings": {
                "application_name": "chapters",
                "statement_timeout": str(settings.database_statement_timeout_ms),
                "idle_in_transaction_session_timeout": "30000",
            }
        },
    }
    options.update(overrides)
    return create_async_engine(url, **options)


class SerializedSession(AsyncSession):
    """An ``AsyncSession`` that runs one database operation at a time.

    GraphQL resolves sibling fields concurrently, and they share the request's session; an
    ``AsyncSession`` must not be used by two coroutines at once. Each primitive below takes the
    lock for the duration of one call (``scalars`` goes through ``execute``).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._operation_lock = asyncio.Lock()

    async def _serialized(
        self, operation: Callable[..., Any], *args: Any, acquire_first: bool = True, **kwargs: Any
    ) -> Any:
        async with self._operation_lock:
            if acquire_first:
                # Waiting for a pooled connection may be cancelled (the request's deadline)...
                await super().connection()
            # ...but graphql-core also cancels a failed field's siblings, and a statement
            # cancelled half-way leaves the connection unusable for the rest of the request:
            # a cancelled caller waits for its statement (statement_timeout bounds the wait).
            call = asyncio.ensure_future(operation(*args, **kwargs))
            try:
                return await asyncio.shield(call)
            except asyncio.CancelledError:
                await asyncio.wait([call])
                raise

    async def execute(self, *args: Any, **kwargs: Any) -> Any:
        return await self._serialized(super().execute, *args, **kwargs)

    async def scalar(self, *args: Any, **kwargs: Any) -> Any:
        return await self._serialized(super().scalar, *args, **kwargs)

    async def get(self, *args: Any, **kwargs: Any) -> Any:
        return await self._serialized(super().get, *args, **kwargs)

    async def flush(self, *args: Any, **kwargs: Any) -> None:
        await self._serialized(super().flush, *args, **kwargs)

    async def refresh(self, *args: Any, **kwargs: Any) -> None:
        await self._serialized(super().refresh, *args, **kwargs)

    async def delete(self, *args: Any, **kwargs: Any) -> None:
        await self._serialized(super().delete, *args, **kwargs)

    async def commit(self) -> None:
        await self._serialized(super().commit, acquire_first=False)

    async def rollback(self) -> None:
        await self._serialized(super().rollback, acquire_first=False)


async def get_row(
    session: AsyncSession,
    model: type[T],
    row_id: Any,
    what: str,
    field: str | None = "id",
    *,
    lock: bool = False,
) -> T:
    """The row of ``model`` with this id, or ``NotFound`` on ``field``; ``lock`` holds the
    row for the rest of the transaction so that concurrent changes queue up."""
    statement = select(model).where(model.id == row_id)
    row = await session.scalar(statement.with_for_update() if lock else statement)
    if row is None:
        raise NotFound(what, field=field)
    return row


async def flush_unique(session: AsyncSession, conflicts: Mapping[str, FieldError]) -> None:
    """Flush, turning a violation of one of the named unique constraints into a typed error on
    the field at fault: the database is the only race-free judge of uniqueness."""
    try:
        await session.flush()
    except IntegrityError as error:
        message = str(error.orig)
        for constraint, conflict in conflicts.items():
            if constraint in message:
                raise InvalidInput(conflict) from None
        raise


def tenant_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[SerializedSession]:
    return async_sessionmaker(
        engine,
        class_=SerializedSession,
        sync_session_class=TenantSession,
        expire_on_commit=False,
        autoflush=True,
    )


def open_tenant_session(
    sessionmaker: async_sessionmaker[SerializedSession], tenant_id: uuid.UUID
) -> SerializedSession:
    return sessionmaker(info=tenant_session_info(tenant_id))


async def current_revisions(engine: AsyncEngine) -> set[str]:
    """The applied migration revisions; empty when none was ever applied."""
    async with engine.connect() as conn:
        if await conn.scalar(text("SELECT to_regclass('alembic_version')")) is None:
            return set()
        rows = await conn.execute(text("SELECT version_num FROM alembic_version"))
        return {row[0] for row in rows}


def url_for_display(url: str | URL) -> str:
    return make_url(url).render_as_string(hide_password=True)
