"""Running a compiled read: the plan (made once per document and operation name), bound to the
request, sent as one statement in the request's tenant-bound transaction; the JSON text it
answers is the operation's ``data``."""

from __future__ import annotations

import inspect
import json
import logging
import uuid
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from graphql import DocumentNode, GraphQLSchema
from graphql.execution.values import get_variable_values
from sqlalchemy import BindParameter, ColumnElement, Select, Text, bindparam, case, cast, select
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection

from chapters.auth.principal import Principal
from chapters.compiled import encode
from chapters.compiled.build import (
    CURSOR_KEY,
    FALLBACK_MARK,
    STALE_MARK,
    Builder,
    Fallback,
    OpaqueId,
    parameter_name,
    split_global_id,
)
from chapters.compiled.fields import NODE_TYPES, SPECS
from chapters.compiled.plan import Plan, Uncovered, plan_operation
from chapters.db.loaders import Reader
from chapters.db.pagination import Ordering, encode_cursor
from chapters.db.read_pool import ReadPool
from chapters.lru import LRU
from chapters.tenancy import bound_statement

log = logging.getLogger("chapters.compiled")

PLAN_CACHE_SIZE = 512
# Built statements by plan, tenant, caller (what the policy reads of one) and variables: a
# request asking what was asked before skips building. Statements whose building read the
# database (days on a chapter's clock, overdue recaps) are not kept.
STATEMENT_CACHE_SIZE = 2048
MAX_KEPT_VARIABLES = 4096  # characters of JSON


@dataclass(frozen=True)
class Built:
    """A bound plan: its statement compiled once into the driver's SQL text and parameters
    (no text where the request falls back); the orderings of the cursors it gives sort values
    for. ``slots`` are the parameters the opaque variables fill, request by request."""

    cursors: tuple[Ordering, ...] = ()
    volatile: bool = False
    sql: str = ""
    parameters: tuple[Any, ...] = ()
    slots: tuple[tuple[int, str, Callable[[Any], Any] | None], ...] = ()

    @classmethod
    def compiled(
        cls,
        statement: Select,
        dialect: Dialect,
        cursors: tuple[Ordering, ...],
        volatile: bool,
        opaque: Iterable[str] = (),
    ) -> Built:
        """Compiled here, once: executing the statement itself would make SQLAlchemy walk it
        for its cache key on every request."""
        compiled = statement.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
        values = compiled.construct_params()
        # What SQLAlchemy's execution would do to each value (enums to their stored names...).
        processors: Mapping[str, Any] = compiled._bind_processors
        names = compiled.positiontup or ()
        parameters = tuple(
            processors[name](values[name]) if name in processors else values[name] for name in names
        )
        filled = {parameter_name(variable): variable for variable in opaque}
        slots = tuple(
            (position, filled[name], processors.get(name))
            for position, name in enumerate(names)
            if name in filled
        )
        return cls(cursors, volatile, compiled.string, parameters, slots)

    @cached_property
    def bound_sql(self) -> str:
        """The statement binding its own tenant, the parameter after the statement's."""
        return bound_statement(self.sql, len(self.parameters) + 1)

    def parameters_for(self, opaque: Mapping[str, Any]) -> tuple[Any, ...]:
        """The statement's parameters with this request's opaque values in their slots."""
        if not self.slots:
            return self.parameters
        parameters = list(self.parameters)
        for position, variable, process in self.slots:
            value = opaque[variable]
            parameters[position] = process(value) if process is not None else value
        return tuple(parameters)


@dataclass(frozen=True)
class Opaque:
    """An opaque variable's value in one request: what the statement's key says of it (its
    shape), what the build binds in its place and the parameter's value."""

    shape: Hashable
    in_build: Any
    value: Any


def opaque_values(plan: Plan, coerced: Mapping[str, Any]) -> dict[str, Opaque]:
    """The request's opaque variables that are parameters: text given as text, a global id
    that names a type and a uuid (anything else is part of the statement's key as given)."""
    found = {}
    for variable, kind in plan.opaque.items():
        value = coerced.get(variable)
        if kind == "text" and isinstance(value, str):
            found[variable] = Opaque("text", bindparam(parameter_name(variable), value), value)
        elif kind == "id" and isinstance(value, str):
            try:
                type_name, object_id = split_global_id(value)
                decoded = uuid.UUID(object_id)
            except ValueError:
                continue
            parameter: BindParameter[Any] = bindparam(parameter_name(variable), decoded)
            found[variable] = Opaque(("id", type_name), OpaqueId(type_name, parameter), decoded)
    return found


class Stale(Exception):
    """The statement's guard did not hold (the caller's principal changed)."""


_plans: LRU[tuple[GraphQLSchema, str, str | None], Plan | None] = LRU(PLAN_CACHE_SIZE)
_built: LRU[tuple[Any, ...], Built] = LRU(STATEMENT_CACHE_SIZE)


def forget() -> None:
    """Empty the cache of built statements (the next requests build theirs)."""
    _built.clear()


def plan_for(
    schema: GraphQLSchema, query: str, document: DocumentNode, operation_name: str | None
) -> Plan | None:
    """The operation's plan; None when the compiler does not cover it."""
    key = (schema, query, operation_name)
    if key in _plans:
        return _plans.get(key)
    try:
        plan: Plan | None = plan_operation(schema, document, operation_name, SPECS, NODE_TYPES)
    except Uncovered as reason:
        log.debug("not compiled: %s", reason)
        plan = None
    _plans.put(key, plan)
    return plan


async def answer(
    *,
    schema: GraphQLSchema,
    query: str,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    reader: Reader,
    tenant_id: uuid.UUID,
) -> dict[str, Any] | None:
    """The operation's ``data``, built by PostgreSQL in one statement; None when the resolver
    path is to answer (an operation, or a request of it, that the compiler does not cover)."""
    plan = plan_for(schema, query, document, operation_name)
    if plan is None:
        return None
    dialect = reader.session.get_bind().dialect
    bound = await prepare(plan, schema, variables, reader, tenant_id, dialect)
    if bound is None:
        return None
    return await run(await reader.session.connection(), *bound)


async def prepare(
    plan: Plan,
    schema: GraphQLSchema,
    variables: Mapping[str, Any] | None,
    reader: Reader,
    tenant_id: uuid.UUID,
    dialect: Dialect,
    guard: Callable[[], ColumnElement[bool]] | None = None,
) -> tuple[Built, tuple[Any, ...]] | None:
    """The request's statement and its parameters; None where the resolvers answer. A
    statement built before for the same plan, tenant, caller and variables (the opaque ones
    by their shape) is taken as it is, with this request's values in its slots. With a
    ``guard`` (made for the caller: part of the key), the statement answers ``STALE_MARK``
    where the guard does not hold."""
    coerced = get_variable_values(
        schema, plan.operation.variable_definitions or (), dict(variables or {})
    )
    if isinstance(coerced, list):  # refused before execution (api.extensions): not here
        return None
    opaque = opaque_values(plan, coerced.coerced)
    key = _statement_key(plan, tenant_id, reader.principal, variables, opaque, guard is not None)
    built = _built.get(key) if key is not None else None
    if built is None:
        built = await _build(plan, schema, coerced, opaque, reader, tenant_id, dialect, guard)
        if key is not None and not built.volatile:
            _built.put(key, built)
    if not built.sql:
        return None
    return built, built.parameters_for({name: item.value for name, item in opaque.items()})


async def run(
    connection: AsyncConnection, built: Built, parameters: tuple[Any, ...]
) -> dict[str, Any] | None:
    """The statement's ``data``, in the connection's tenant-bound transaction (None: a guard
    failed, the resolvers answer)."""
    result = await connection.exec_driver_sql(built.sql, parameters)
    return _data_of(result.scalar_one(), built)


async def run_alone(
    pool: ReadPool,
    built: Built,
    parameters: tuple[Any, ...],
    tenant_id: uuid.UUID,
    precondition: tuple[str, Sequence[Any]] | None = None,
) -> dict[str, Any] | None:
    """The statement's ``data``, sent as a statement of its own that binds the tenant
    (``tenancy.bound_statement``), after its ``precondition`` if any (``ReadPool``)."""
    text = await pool.fetch_text(
        built.bound_sql, (*parameters, str(tenant_id)), precondition=precondition
    )
    return _data_of(text, built)


def _data_of(text: str, built: Built) -> dict[str, Any] | None:
    if text == STALE_MARK:
        raise Stale()
    if FALLBACK_MARK in text:
        return None
    data: dict[str, Any] = json.loads(text)
    return _with_cursors(data, built.cursors) if built.cursors else data


async def _build(
    plan: Plan,
    schema: GraphQLSchema,
    coerced: Any,
    opaque: Mapping[str, Opaque],
    reader: Reader,
    tenant_id: uuid.UUID,
    dialect: Dialect,
    guard: Callable[[], ColumnElement[bool]] | None,
) -> Built:
    builder = Builder(
        schema=schema,
        reader=reader,
        principal=reader.principal,
        tenant_id=tenant_id,
        variables=coerced,
        opaque={name: item.in_build for name, item in opaque.items()},
    )
    try:
        pairs = []
        for item in plan.root.fields:
            if item.spec is None:
                pairs.append((item.key, encode.text_literal(plan.root.type_name)))
                continue
            value = item.spec.build(builder, None, item)
            pairs.append((item.key, await value if inspect.isawaitable(value) else value))
    except Fallback as reason:
        log.debug("falls back: %s", reason)
        return Built(volatile=builder.volatile)
    data = cast(encode.json_object(pairs), Text)
    statement = select(data if guard is None else case((guard(), data), else_=STALE_MARK))
    return Built.compiled(
        statement, dialect, tuple(builder.cursors), builder.volatile, opaque=opaque
    )


def _statement_key(
    plan: Plan,
    tenant_id: uuid.UUID,
    principal: Principal | None,
    variables: Mapping[str, Any] | None,
    opaque: Mapping[str, Opaque],
    guarded: bool,
) -> tuple[Any, ...] | None:
    """What a built statement depends on: the plan, the tenant, the caller (every field of
    the principal) and the operation's variables, the opaque ones by their shape; None (not
    kept) for large variables."""
    given = variables or {}
    used = {name: given[name] for name in plan.variables if name in given and name not in opaque}
    text = json.dumps(used, sort_keys=True, separators=(",", ":"), default=str)
    if len(text) > MAX_KEPT_VARIABLES:
        return None
    shapes = tuple(sorted((name, item.shape) for name, item in opaque.items()))
    return (plan.serial, tenant_id, _caller(principal), text, shapes, guarded)


def _caller(principal: Principal | None) -> Hashable:
    if principal is None:
        return None
    return tuple(
        (name, tuple(sorted(value.items())) if isinstance(value, Mapping) else value)
        for name, value in vars(principal).items()
    )


def _with_cursors(value: Any, orderings: Sequence[Ordering]) -> Any:
    """The answer with each cursor's sort values signed into a cursor (``db.pagination``)."""
    if isinstance(value, dict):
        marked = value.get(CURSOR_KEY)
        if marked is not None and len(value) == 1:
            slot, *values = marked
            return encode_cursor(values, orderings[slot].columns)
        return {key: _with_cursors(item, orderings) for key, item in value.items()}
    if isinstance(value, list):
        return [_with_cursors(item, orderings) for item in value]
    return value
