"""The one place where tenant scoping happens.

Every database session the service opens for tenant data is a ``TenantSession`` bound to one
tenant (the compiled reads' front door uses bare connections: ``bind_connection`` binds a
transaction, ``bound_statement`` a statement that is its own transaction). Three things
follow, all from here:

1. At the start of every transaction the session sets ``app.tenant_id`` transaction-locally
   (``set_config(..., true)``), so PostgreSQL row-level security sees the tenant and a pooled
   connection forgets it at COMMIT or ROLLBACK. A session without a tenant refuses to begin.
2. Every ORM SELECT, UPDATE and DELETE on a ``TenantScoped`` model gets an explicit
   ``tenant_id = :tenant`` predicate (RLS is the second wall; the explicit predicate is what a
   Citus router plan needs).
3. New ``TenantScoped`` rows are stamped with the session's tenant; a row naming another tenant
   is refused before it reaches the database.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from chapters.models import TenantScoped

_TENANT_KEY = "tenant_id"

# Its own round trip after the BEGIN, on purpose: SQLAlchemy's asyncpg adapter sends BEGIN by
# itself (a simple query) just before a transaction's first statement, and sends every statement
# as a prepared one, which holds a single command; asyncpg cannot pipeline. Sending both at once
# would mean taking the transaction's start away from the adapter (its private state) and
# writing the tenant into SQL text, unseen by SQLAlchemy's statement events; it saves ~50 µs.
_SET_TENANT = text("SELECT set_config('app.tenant_id', :tenant_id, true)")


# The front door's transactions: the tenant, and generic plans for the compiled statements
# they run (planned once per connection: their parameters are keys, ids and slugs, whose
# values do not change the best plan, and planning Q1 anew costs more than running it).
_SET_TENANT_GENERIC_PLANS = text(
    "SELECT set_config('app.tenant_id', :tenant_id, true),"
    " set_config('plan_cache_mode', 'force_generic_plan', true)"
)


async def bind_connection(connection: AsyncConnection, tenant_id: uuid.UUID) -> None:
    """Bind a connection's transaction to the tenant, as a session's is bound at its start
    (the compiled statements it runs name the tenant themselves)."""
    if not connection.in_transaction():
        raise TenantNotBound("bind a transaction, not a connection")
    await connection.execute(_SET_TENANT_GENERIC_PLANS, {"tenant_id": str(tenant_id)})


def bound_statement(sql: str, tenant_parameter: int) -> str:
    """A read that binds its tenant itself, for a connection outside any transaction (the
    compiled reads' front door, ``db.read_pool``): one statement is one implicit transaction,
    whose first act is to set ``app.tenant_id`` for that transaction. ``sql`` (a query of one
    value) runs in the THEN branch of a CASE, which PostgreSQL evaluates after its WHEN, and
    as a subquery planned apart it starts reading only then. Were that order ever broken,
    row-level security would find no tenant and show nothing: the statements name their
    tenant too, and the front door's tests compare every answer with the resolvers'."""
    return (
        f"SELECT CASE WHEN set_config('app.tenant_id', ${tenant_parameter}::text, true)"
        f" IS NOT NULL THEN ({sql}) END"
    )


class TenantNotBound(RuntimeError):
    """A session touched tenant data without being bound to a tenant (a programming error)."""


class CrossTenantWrite(RuntimeError):
    """A new row names a tenant other than the session's (a programming error)."""


class TenantSession(Session):
    """The synchronous session class behind every request's ``AsyncSession``."""


def tenant_session_info(tenant_id: uuid.UUID) -> dict[str, Any]:
    """The ``info`` a session needs to be bound to ``tenant_id``."""
    return {_TENANT_KEY: tenant_id}


def bound_tenant(session: Session) -> uuid.UUID:
    tenant_id: uuid.UUID | None = session.info.get(_TENANT_KEY)
    if tenant_id is None:
        raise TenantNotBound("this session is not bound to a tenant")
    return tenant_id


@event.listens_for(TenantSession, "after_begin")
def _set_tenant_for_transaction(session: Session, transaction: Any, connection: Any) -> None:
    connection.execute(_SET_TENANT, {"tenant_id": str(bound_tenant(session))})


@event.listens_for(TenantSession, "do_orm_execute")
def _filter_by_tenant(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    tenant_id = bound_tenant(state.session)
    state.statement = state.statement.options(
        with_loader_criteria(
            TenantScoped,
            lambda cls: cls.tenant_id == tenant_id,
            include_aliases=True,
        )
    )


@event.listens_for(TenantSession, "before_flush")
def _stamp_new_rows(session: Session, flush_context: Any, instances: Any) -> None:
    tenant_id = bound_tenant(session)
    for obj in session.new:
        if not isinstance(obj, TenantScoped):
            continue
        if obj.tenant_id is None:
            obj.tenant_id = tenant_id
        elif obj.tenant_id != tenant_id:
            raise CrossTenantWrite(f"{type(obj).__name__} names another tenant")
