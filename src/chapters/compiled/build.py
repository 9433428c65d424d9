"""Binding a plan to one request: the caller's rights, the variables and the tenant turn the
planned selection into one SQL statement that builds the answer's ``data`` as JSON.

A decision the compiler does not make itself raises ``Fallback``: an argument the resolver
path would refuse with an error, a right whose absence would answer null with FORBIDDEN when
it is known before the statement runs. A right that depends on a row the statement finds (the
roster of the chapter a slug names) is written into the statement as a guard: where it fails,
the statement answers ``FALLBACK_MARK`` instead of the value, and the runner hands the request
to the resolver path.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from graphql import FieldNode, GraphQLEnumType, GraphQLSchema, VariableNode, get_named_type
from graphql.execution.values import get_argument_values
from sqlalchemy import (
    BindParameter,
    ColumnElement,
    FromClause,
    Select,
    case,
    false,
    func,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession

from chapters import authz
from chapters.auth.principal import Principal
from chapters.authz import Action
from chapters.compiled import encode
from chapters.compiled.plan import PlannedConnection, PlannedField, PlannedObject, argument_at
from chapters.db.pagination import Ordering, PageArgs, decode_cursor
from chapters.errors import DomainError

# What the statement answers where a guard fails. The quote before the key cannot be inside a
# JSON string (it would be escaped), and no key of an answer starts with "!".
FALLBACK_MARK = '{"!fallback":true}'
_FALLBACK_JSON = encode.sql(f"'{FALLBACK_MARK}'::json")
# What a guarded statement answers where its guard fails (``run.prepare``).
STALE_MARK = '{"!stale":true}'
# Cursors are signed in Python (``db.pagination``) from sort values the statement gives as
# {"!cursor": [slot, value …]}, slot naming the ordering in ``Builder.cursors``.
CURSOR_KEY = "!cursor"
_RANK = "_rank"
_TOTAL = "_total"


class Fallback(Exception):
    """This request is answered by the resolver path."""


@dataclass(frozen=True)
class OpaqueId:
    """A global id given in an opaque variable (``plan.FieldSpec.opaque``): the type it names,
    a part of the statement's shape, and the uuid, a parameter of it."""

    type_name: str
    id: BindParameter[Any]


def parameter_name(variable: str) -> str:
    """The name of the bound parameter an opaque variable fills (``run`` fills it)."""
    return f"var_{variable}"


@dataclass
class Builder:
    """One request's binding: who asks, in which tenant, with which variables."""

    schema: GraphQLSchema
    reader: Any  # the request's Reader (chapters.db.loaders): what domain reads take
    principal: Principal | None
    tenant_id: uuid.UUID
    variables: Any  # coerced as graphql-core coerces them (VariableValues)
    # The opaque variables of this request, as the builds see them: a bound parameter (text)
    # or an ``OpaqueId`` in place of the value (``run.opaque_values``).
    opaque: Mapping[str, Any] = field(default_factory=dict)
    cursors: list[Ordering] = field(default_factory=list)  # by cursor slot
    # The statement depends on more than the plan, the caller and the variables (a domain
    # read asked the database while it was built): it is not kept for the next request.
    volatile: bool = False

    @property
    def session(self) -> AsyncSession:
        """The request's session, for a build that reads the database (it is volatile)."""
        session: AsyncSession = self.reader.session
        return session

    # --- arguments and rights ----------------------------------------------------------------

    def arguments(self, planned: PlannedField, known: frozenset[str]) -> dict[str, Any]:
        """The field's arguments as graphql-core coerces them for the resolver path (absent
        ones left out, defaults filled in); any the compiler does not know falls back."""
        assert planned.definition is not None
        values: dict[str, Any] = get_argument_values(
            planned.definition, planned.nodes[0], self.variables
        )
        if not set(values) <= known:
            raise Fallback(f"arguments {set(values) - known}")
        assert planned.spec is not None
        for path, _kind in planned.spec.opaque:
            _put_opaque(values, planned.nodes[0], path.split("."), self.opaque)
        return values

    def chapters_where(self, action: Action) -> frozenset[uuid.UUID] | None:
        """The chapters where the caller may take ``action``; None: every chapter. The policy
        gives a chapter the caller holds no role in the roles the caller holds without one,
        so it is asked once without a chapter, then once per chapter of the caller."""
        if authz.can(self.principal, action):
            return None
        roles = self.principal.chapter_roles if self.principal is not None else {}
        return frozenset(
            chapter for chapter in roles if authz.can(self.principal, action, chapter_id=chapter)
        )

    def guarded(
        self, chapter_id: ColumnElement[Any], action: Action, value: ColumnElement[Any]
    ) -> ColumnElement[Any]:
        """``value`` where the caller may take ``action`` on the row's chapter, else the
        fallback mark (the resolver path answers null with FORBIDDEN there)."""
        allowed = self.chapters_where(action)
        if allowed is None:
            return value
        condition = chapter_id.in_(sorted(allowed)) if allowed else false()
        return case((condition, value), else_=_FALLBACK_JSON)

    def tenant(self, model: Any) -> ColumnElement[bool]:
        """The explicit tenant predicate every statement of the service carries."""
        condition: ColumnElement[bool] = model.tenant_id == self.tenant_id
        return condition

    def enum_of(self, planned: PlannedField) -> GraphQLEnumType:
        assert planned.definition is not None
        graphql_enum = get_named_type(planned.definition.type)
        if not isinstance(graphql_enum, GraphQLEnumType):
            raise Fallback(f"{planned.name} is not an enum")
        return graphql_enum

    # --- objects, lists and connections ------------------------------------------------------

    def object(self, planned: PlannedObject, row: Any) -> ColumnElement[Any]:
        """The JSON object of one row: ``row`` is a FROM element with the model's columns."""
        pairs = []
        for item in planned.fields:
            if item.spec is None:  # __typename
                pairs.append((item.key, encode.text_literal(planned.type_name)))
            else:
                pairs.append((item.key, item.spec.build(self, row, item)))
        return encode.json_object(pairs)

    def one(
        self,
        planned: PlannedField,
        statement: Select,
        model: Any = None,
        correlate: FromClause | None = None,
        type_name: str | None = None,
    ) -> ColumnElement[Any]:
        """An object field: the JSON of the row ``statement`` finds (null without one)."""
        child = planned.children[type_name] if type_name else planned.child
        row = _rows(statement, model, child.columns, correlate).subquery()
        return select(self.object(child, row)).select_from(row).scalar_subquery()

    def many(
        self,
        planned: PlannedField,
        statement: Select,
        order: Callable[[Any], Sequence[ColumnElement[Any]]],
        model: Any = None,
        sort_columns: Sequence[str] = (),
        correlate: FromClause | None = None,
    ) -> ColumnElement[Any]:
        """A list field: the JSON array of the rows ``statement`` finds, in ``order`` (the
        row's sort columns, named in ``sort_columns`` when ``model`` narrows the row)."""
        child = planned.child
        row = _rows(statement, model, (*child.columns, *sort_columns), correlate).subquery()
        json = self.object(child, row)
        return select(encode.json_array(json, order(row))).select_from(row).scalar_subquery()

    def connection(
        self,
        planned: PlannedField,
        statement: Select,
        model: Any,
        ordering: Ordering,
        args: PageArgs,
        correlate: FromClause | None = None,
        sources: Sequence[ColumnElement[bool]] = (),
    ) -> ColumnElement[Any]:
        """A Relay connection over ``statement`` (a ``select(model)`` with the list's
        conditions) as ``db.pagination.paginate`` pages it: keyset order, ``first`` rows and
        one more, which says whether a next page exists. ``sources``: conditions whose union
        the statement's rows are (each already among its conditions), paged apart first, so
        that each pages on its own index (an ``OR`` would make PostgreSQL filter the whole
        ordered list instead)."""
        conn = planned.connection
        assert conn is not None
        try:
            args = args.checked()
        except DomainError as error:
            raise Fallback(str(error)) from None
        if args.backward:
            raise Fallback("paging backwards")
        try:  # as db.pagination windows a page: after the one cursor, before the other
            if args.after is not None:
                after = decode_cursor(args.after, "after", ordering.columns)
                statement = statement.where(ordering.beyond(after))
            if args.before is not None:
                before = decode_cursor(args.before, "before", ordering.columns)
                statement = statement.where(ordering.beyond(before, reverse=True))
        except DomainError as error:
            raise Fallback(str(error)) from None
        size = args.size
        if sources:
            page = statement.order_by(*ordering.order_by()).limit(size + 1)
            parts = [
                page.where(source).with_only_columns(model.id).correlate(None) for source in sources
            ]
            candidates = union_all(*parts).subquery()
            statement = statement.where(model.id.in_(select(candidates.c.id)))
        columns = conn.node.columns if conn.node is not None else ()
        if conn.cursors:
            columns = (*columns, *(_column_key(column) for column in ordering.columns))
        rank = func.row_number().over(order_by=ordering.order_by()).label(_RANK)
        statement = _rows(statement, model, columns, correlate).add_columns(rank)
        counted = any(name == "totalCount" for _, name, _ in conn.fields)
        if counted:  # every matching row, the window runs before the limit
            statement = statement.add_columns(func.count().over().label(_TOTAL))
        row = statement.order_by(*ordering.order_by()).limit(size + 1).subquery()
        slot = self._cursor_slot(ordering) if conn.cursors else None
        pairs: list[tuple[str, ColumnElement[Any]]] = []
        for key, name, sub in conn.fields:
            if name == "__typename":
                pairs.append((key, encode.text_literal(conn.type_name)))
            elif name == "totalCount":
                pairs.append((key, func.coalesce(func.max(row.c[_TOTAL]), 0)))
            elif name == "edges":
                edge = self._edge(conn, sub, row, ordering, slot)
                edges = func.json_agg(aggregate_order_by(edge, row.c[_RANK]))
                within = edges.filter(row.c[_RANK] <= size)
                pairs.append((key, func.coalesce(within, encode.EMPTY_ARRAY)))
            else:  # pageInfo
                previous = args.after is not None
                pairs.append((key, self._page_info(conn, sub, row, size, previous, ordering, slot)))
        return select(encode.json_object(pairs)).select_from(row).scalar_subquery()

    def _edge(
        self,
        conn: PlannedConnection,
        fields: list[tuple[str, str]],
        row: Any,
        ordering: Ordering,
        slot: int | None,
    ) -> ColumnElement[Any]:
        pairs = []
        for key, name in fields:
            if name == "__typename":
                pairs.append((key, encode.text_literal(conn.edge_type)))
            elif name == "node":
                assert conn.node is not None
                pairs.append((key, self.object(conn.node, row)))
            else:  # cursor
                assert slot is not None
                pairs.append((key, self._sort_values(row, ordering, slot)))
        return encode.json_object(pairs)

    def _page_info(
        self,
        conn: PlannedConnection,
        fields: list[tuple[str, str]],
        row: Any,
        size: int,
        previous: bool,
        ordering: Ordering,
        slot: int | None,
    ) -> ColumnElement[Any]:
        pairs = []
        for key, name in fields:
            if name == "__typename":
                pairs.append((key, encode.text_literal(conn.page_info_type)))
            elif name == "hasNextPage":
                pairs.append((key, func.count() > size))
            elif name == "hasPreviousPage":  # forward pages: whether it started after one
                pairs.append((key, encode.TRUE if previous else encode.FALSE))
            else:  # startCursor, endCursor: the page's first and last rows
                assert slot is not None
                values = self._sort_values(row, ordering, slot)
                page = func.json_agg(aggregate_order_by(values, row.c[_RANK]))
                index = "0" if name == "startCursor" else "-1"
                within = page.filter(row.c[_RANK] <= size)
                pairs.append((key, within.op("->")(literal_column(index))))
        return encode.json_object(pairs)

    def _cursor_slot(self, ordering: Ordering) -> int:
        self.cursors.append(ordering)
        return len(self.cursors) - 1

    def _sort_values(self, row: Any, ordering: Ordering, slot: int) -> ColumnElement[Any]:
        values = [_cursor_value(row.c[_column_key(column)]) for column in ordering.columns]
        array = func.json_build_array(literal_column(str(slot)), *values)
        return encode.json_object([(CURSOR_KEY, array)])


def _put_opaque(
    values: dict[str, Any], node: FieldNode, path: list[str], opaque: Mapping[str, Any]
) -> None:
    """Where the argument at ``path`` is an opaque variable of this request, its parameter
    takes the place of its value (an input object's copy, graphql-core's is not shared)."""
    value_node = argument_at(node, path)
    if not isinstance(value_node, VariableNode) or value_node.name.value not in opaque:
        return
    holder = values
    for name in path[:-1]:
        inner = holder.get(name)
        if not isinstance(inner, dict):
            return
        holder[name] = holder = dict(inner)
    if path[-1] in holder:
        holder[path[-1]] = opaque[value_node.name.value]


def _rows(
    statement: Select, model: Any, columns: Sequence[str], correlate: FromClause | None
) -> Select:
    """``statement`` narrowed to the model's columns the selection reads (a subquery's every
    column costs to build)."""
    if model is not None:
        statement = statement.with_only_columns(
            *[getattr(model, name) for name in dict.fromkeys(columns)] or [model.id]
        )
    return statement.correlate(correlate) if correlate is not None else statement


def _column_key(column: Any) -> str:
    key = column.key
    if key is None:
        raise Fallback("an ordering on an expression")
    return str(key)


def _cursor_value(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """A sort value as ``db.pagination`` writes it into a cursor before signing it."""
    python_type = column.type.python_type
    if python_type is datetime:
        return encode.instant(column)
    if python_type is date:
        return encode.day(column)
    return column


def decoded_id(value: Any, type_name: str) -> Any:
    """``api.ids.decode_id`` where it succeeds (the uuid, or the parameter of an opaque one);
    where it would answer an error, Fallback."""
    if isinstance(value, OpaqueId):
        if value.type_name != type_name:
            raise Fallback("an id of another type")
        return value.id
    try:
        named, object_id = split_global_id(value)
    except ValueError:
        raise Fallback("not an id") from None
    if named != type_name:
        raise Fallback("an id of another type")
    try:
        return uuid.UUID(object_id)
    except ValueError:
        raise Fallback("an id of nothing") from None


def split_global_id(value: Any) -> tuple[str, str]:
    """strawberry's ``relay.from_base64`` (``Type:id``): ValueError for anything else."""
    try:
        decoded = base64.b64decode(str(value).encode()).decode().split(":", 1)
    except Exception as error:  # as strawberry, which wraps any failure
        raise ValueError(str(error)) from error
    if len(decoded) != 2:
        raise ValueError("not Type:id")
    return decoded[0], decoded[1]
