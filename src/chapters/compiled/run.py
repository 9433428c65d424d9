"""Running a compiled read: the plan (made once per document and operation name), bound to the
request, sent as one statement in the request's tenant-bound transaction; the JSON text it
answers is the operation's ``data``."""

from __future__ import annotations

import inspect
import json
import logging
import uuid
from collections import OrderedDict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graphql import DocumentNode, GraphQLSchema
from graphql.execution.values import get_variable_values
from sqlalchemy import Select, Text, cast, select

from chapters.auth.principal import Principal
from chapters.compiled import encode
from chapters.compiled.build import CURSOR_KEY, FALLBACK_MARK, Builder, Fallback
from chapters.compiled.fields import NODE_TYPES, SPECS
from chapters.compiled.plan import Plan, Uncovered, plan_operation
from chapters.db.loaders import Reader
from chapters.db.pagination import Ordering, encode_cursor

log = logging.getLogger("chapters.compiled")

PLAN_CACHE_SIZE = 512
# Built statements by plan, tenant, caller (what the policy reads of one) and variables: a
# request asking what was asked before skips building. Statements whose building read the
# database (days on a chapter's clock, overdue recaps) are not kept.
STATEMENT_CACHE_SIZE = 256
MAX_KEPT_VARIABLES = 4096  # characters of JSON


@dataclass(frozen=True)
class Built:
    """A bound plan: the statement, or None where the request falls back; and the orderings
    of the cursors it gives sort values for."""

    statement: Select | None
    cursors: tuple[Ordering, ...] = ()
    volatile: bool = False


_plans: OrderedDict[tuple[GraphQLSchema, str, str | None], Plan | None] = OrderedDict()
_built: OrderedDict[tuple[Any, ...], Built] = OrderedDict()


def forget() -> None:
    """Empty the cache of built statements (the next requests build theirs)."""
    _built.clear()


def plan_for(
    schema: GraphQLSchema, query: str, document: DocumentNode, operation_name: str | None
) -> Plan | None:
    """The operation's plan; None when the compiler does not cover it."""
    key = (schema, query, operation_name)
    if key in _plans:
        _plans.move_to_end(key)
        return _plans[key]
    try:
        plan: Plan | None = plan_operation(schema, document, operation_name, SPECS, NODE_TYPES)
    except Uncovered as reason:
        log.debug("not compiled: %s", reason)
        plan = None
    _plans[key] = plan
    if len(_plans) > PLAN_CACHE_SIZE:
        _plans.popitem(last=False)
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
    key = _statement_key(plan, tenant_id, reader.principal, variables)
    built = _built.get(key) if key is not None else None
    if built is not None and key is not None:
        _built.move_to_end(key)
    else:
        built = await _build(plan, schema, variables, reader, tenant_id)
        if key is not None and not built.volatile:
            _built[key] = built
            if len(_built) > STATEMENT_CACHE_SIZE:
                _built.popitem(last=False)
    if built.statement is None:
        return None
    text: str = (await reader.session.execute(built.statement)).scalar_one()
    if FALLBACK_MARK in text:
        return None
    data: dict[str, Any] = json.loads(text)
    return _with_cursors(data, built.cursors) if built.cursors else data


async def _build(
    plan: Plan,
    schema: GraphQLSchema,
    variables: Mapping[str, Any] | None,
    reader: Reader,
    tenant_id: uuid.UUID,
) -> Built:
    coerced = get_variable_values(
        schema, plan.operation.variable_definitions or (), dict(variables or {})
    )
    if isinstance(coerced, list):  # refused before execution (api.extensions): not here
        return Built(None, volatile=True)
    builder = Builder(
        schema=schema,
        session=reader.session,
        reader=reader,
        principal=reader.principal,
        tenant_id=tenant_id,
        variables=coerced,
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
        return Built(None, volatile=builder.volatile)
    statement = select(cast(encode.json_object(pairs), Text))
    return Built(statement, tuple(builder.cursors), builder.volatile)


def _statement_key(
    plan: Plan,
    tenant_id: uuid.UUID,
    principal: Principal | None,
    variables: Mapping[str, Any] | None,
) -> tuple[Any, ...] | None:
    """What a built statement depends on: the plan, the tenant, the caller (every field of
    the principal) and the operation's variables; None (not kept) for large variables."""
    given = variables or {}
    used = {name: given[name] for name in plan.variables if name in given}
    text = json.dumps(used, sort_keys=True, separators=(",", ":"), default=str)
    if len(text) > MAX_KEPT_VARIABLES:
        return None
    return (plan.serial, tenant_id, _caller(principal), text)


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
