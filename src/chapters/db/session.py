"""Sessions: engines, the request's ``SerializedSession``, tenant sessions and row helpers.

Every session factory for tenant data is ``tenant_sessionmaker``: its sessions are
``TenantSession``s (``chapters.tenancy`` binds them to one tenant) and it installs the audit
hook (``install_audit_hook``), so that every write through them is recorded.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from sqlalchemy import event, inspect, select
from sqlalchemy.exc import DBAPIError, DisconnectionError, IntegrityError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from chapters.audit import recorder
from chapters.errors import FieldError, InvalidInput, NotFound
from chapters.models.base import Base
from chapters.settings import Settings
from chapters.tenancy import TenantSession, tenant_session_info

T = TypeVar("T", bound=Base)


def install_audit_hook() -> None:
    """Record every flush of a tenant session in the audit log (idempotent), and publish the
    domain events of what it wrote (``chapters.events.derive``, installed on import)."""
    recorder.install_hook()
    from chapters.events import derive  # noqa: F401  (imports the jobs, which import this)


def create_engine(url: str, settings: Settings, **overrides: Any) -> AsyncEngine:
    """The engine of the service's connections.

    No ``pool_pre_ping``: with asyncpg it costs a whole transaction (``BEGIN; ; ROLLBACK``) on
    every checkout, i.e. every request. A dead pooled connection is handled instead: one older
    than ``database_pool_recycle_seconds`` is replaced at checkout, one the driver already knows
    closed (the server terminated it, restarted) is discarded at checkout for free, and a
    request whose connection turns out dead at its first statement begins again on a fresh one
    (``SerializedSession``). A disconnect also invalidates every connection made before it."""
    options: dict[str, Any] = {
        "pool_size": settings.database_pool_size,
        "max_overflow": settings.database_pool_size,
        "pool_timeout": settings.database_pool_timeout,
        "pool_recycle": settings.database_pool_recycle_seconds,
        "connect_args": {"server_settings": server_settings(settings)},
    }
    options.update(overrides)
    engine = create_async_engine(url, **options)
    event.listen(engine.sync_engine, "checkout", discard_closed_connection)
    return engine


def server_settings(settings: Settings) -> dict[str, str]:
    """What every connection of the service sets at its start (the engine's and the compiled
    reads' pool, ``db.read_pool``)."""
    return {
        # one name per process: pg_stat_activity shows which serving process holds what
        "application_name": f"chapters:{os.getpid()}",
        "statement_timeout": str(settings.database_statement_timeout_ms),
        "idle_in_transaction_session_timeout": "30000",
    }


def discard_closed_connection(
    dbapi_connection: Any, connection_record: Any, connection_proxy: Any
) -> None:
    """Pool checkout: a connection the driver already knows closed is replaced (no round trip;
    the pool retries the checkout with another connection)."""
    driver_connection = getattr(dbapi_connection, "driver_connection", None)
    is_closed = getattr(driver_connection, "is_closed", None)
    if is_closed is not None and is_closed():
        raise DisconnectionError("the server closed this pooled connection")


class SessionClosed(RuntimeError):
    """A statement on the session of a request that has ended."""


class SerializedSession(AsyncSession):
    """An ``AsyncSession`` that runs one database operation at a time.

    GraphQL resolves sibling fields concurrently, and they share the request's session; an
    ``AsyncSession`` must not be used by two coroutines at once. Each primitive below takes the
    lock for the duration of one call (``scalars`` goes through ``execute``).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._operation_lock = asyncio.Lock()
        self._closed = False

    async def close(self) -> None:
        # A load still running when its request ended (a DataLoader batch outlives a cancelled
        # field) must not begin a new transaction on a connection nobody will return.
        self._closed = True
        await super().close()

    async def _serialized(
        self, operation: Callable[..., Any], *args: Any, acquire_first: bool = True, **kwargs: Any
    ) -> Any:
        async with self._operation_lock:
            if acquire_first and self._closed:
                raise SessionClosed("the request this session served has ended")
            if acquire_first:
                # Waiting for a pooled connection may be cancelled (the request's deadline)...
                await self._connected()
            # ...but graphql-core also cancels a failed field's siblings, and a statement
            # cancelled half-way leaves the connection unusable for the rest of the request:
            # a cancelled caller waits for its statement (statement_timeout bounds the wait).
            call = asyncio.ensure_future(operation(*args, **kwargs))
            try:
                return await asyncio.shield(call)
            except asyncio.CancelledError:
                await asyncio.wait([call])
                raise

    async def begin_now(self) -> None:
        """Begin the transaction before any statement needs it (its connection, ``BEGIN`` and
        the tenant), with the same retry as a first statement's."""
        async with self._operation_lock:
            await self._connected()

    async def _connected(self) -> None:
        """The transaction's connection. A transaction that begins here (its ``BEGIN`` and
        ``set_config`` are the first statements it sends) and finds its pooled connection dead
        begins once more on a fresh one: nothing of it reached the database. A transaction
        begun explicitly (``session.begin()``), or one that already ran statements, is not
        retried."""
        if self.in_transaction():
            await super().connection()
            return
        try:
            await super().connection()
        except DBAPIError as error:
            if not error.connection_invalidated:
                raise
            await super().rollback()  # ends the failed transaction, releases the dead connection
            await super().connection()

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
    statement = select(model).where(inspect(model).columns["id"] == row_id)
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
    install_audit_hook()
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
