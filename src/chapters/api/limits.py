"""What one GraphQL request may ask for, checked at the edge before anything expensive runs.

Every check here is linear in the size of what it checks, so no input can make the server
spend more than a bounded amount of work on a request before refusing it:

- the request body: JSON nesting, strings PostgreSQL cannot store (NUL, lone surrogates);
- the ``X-Request-Id`` header (it is stored in the audit log);
- the document: lexical tokens (the parser stops beyond them), then, before validation, its
  depth, aliases and *expanded size* (field selections once fragment spreads are expanded),
  and the *cost* of the operation (page sizes multiplied down the tree), each computed once
  per fragment and multiplied, never by walking the expansion;
- validation itself: graphql-core's overlapping-fields rule, the one rule whose work can grow
  faster than the document, runs within a fixed budget; introspection can be switched off.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    StringValueNode,
    ValidationRule,
    ValueNode,
    VariableNode,
    get_named_type,
    specified_rules,
    value_from_ast_untyped,
)
from graphql.validation.rules import overlapping_fields_can_be_merged
from strawberry.schema.schema import validate_document

from chapters.db.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from chapters.settings import Settings
from chapters.validation import is_storable

# Work units graphql-core's OverlappingFieldsCanBeMerged rule may spend on one document (its
# default, 500,000, is about a second of CPU); the example operations need a few hundred.
# graphql-core reads this module attribute each time the rule starts.
VALIDATION_BUDGET = 10_000
overlapping_fields_can_be_merged.MAX_COMPLEXITY_BUDGET = VALIDATION_BUDGET

# The request JSON nests at most this deep ({"variables": {"input": {...}}} is 3 levels).
MAX_JSON_DEPTH = 32
# The audit log's request_id column is String(64).
MAX_REQUEST_ID_LENGTH = 64
REQUEST_ID_PATTERN = re.compile(rf"[A-Za-z0-9._:\-]{{1,{MAX_REQUEST_ID_LENGTH}}}")

INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})


class RejectedInput(ValueError):
    """Request input refused at the edge; the message says what to change (a 400)."""


# --- the request body and headers -----------------------------------------------------------


def decode_request_json(raw: str | bytes) -> object:
    """The request's JSON, or ``RejectedInput`` for invalid UTF-8, bad JSON, nesting deeper
    than ``MAX_JSON_DEPTH`` or strings that cannot be stored."""
    try:
        data = json.loads(raw)
    except UnicodeDecodeError:
        raise RejectedInput("The request body is not valid UTF-8.") from None
    except RecursionError:
        raise RejectedInput(_too_deep_message()) from None
    except json.JSONDecodeError:
        raise RejectedInput("Unable to parse request body as JSON") from None
    check_json_value(data)
    return data


def check_json_value(data: object) -> None:
    """Walk a decoded JSON value once, without recursion (its depth is what is checked)."""
    pending: list[tuple[object, int]] = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            _check_storable(value)
        elif isinstance(value, Mapping | list):
            if depth > MAX_JSON_DEPTH:
                raise RejectedInput(_too_deep_message())
            items = value.items() if isinstance(value, Mapping) else enumerate(value)
            for key, item in items:
                if isinstance(key, str):
                    _check_storable(key)
                pending.append((item, depth + 1))


def _check_storable(text: str) -> None:
    if not is_storable(text):
        raise RejectedInput("Strings may not contain NUL characters or unpaired UTF-16 surrogates.")


def _too_deep_message() -> str:
    return f"The request JSON nests deeper than {MAX_JSON_DEPTH} levels."


def checked_request_id(header: str | None) -> str | None:
    """The caller's ``X-Request-Id``, if it is 1-64 letters, digits or ``._:-``."""
    if header is None or REQUEST_ID_PATTERN.fullmatch(header):
        return header
    raise RejectedInput(
        f"X-Request-Id must be 1 to {MAX_REQUEST_ID_LENGTH} letters, digits or '._:-'."
    )


# --- the document, before validation --------------------------------------------------------


@dataclass(frozen=True)
class DocumentPolicy:
    """The document limits of one app (from its settings)."""

    max_tokens: int
    max_depth: int
    max_aliases: int
    max_fields: int
    max_cost: int
    introspection: bool

    @classmethod
    def of(cls, settings: Settings) -> DocumentPolicy:
        return cls(
            max_tokens=settings.graphql_max_tokens,
            max_depth=settings.graphql_max_depth,
            max_aliases=settings.graphql_max_aliases,
            max_fields=settings.graphql_max_fields,
            max_cost=settings.graphql_max_cost,
            introspection=settings.graphql_introspection,
        )


@dataclass(frozen=True)
class Shape:
    """What a selection set amounts to once its fragment spreads are expanded."""

    fields: int = 0
    aliases: int = 0
    # How many levels of fields lie below this set's own fields; introspection fields and
    # what lies below them do not count (like Strawberry's depth limiter).
    depth: int = 0

    def plus(self, other: Shape) -> Shape:
        return Shape(
            fields=self.fields + other.fields,
            aliases=self.aliases + other.aliases,
            depth=max(self.depth, other.depth),
        )


EMPTY = Shape()


@lru_cache(maxsize=1024)
def limit_errors(document: DocumentNode, policy: DocumentPolicy) -> tuple[GraphQLError, ...]:
    """Depth, aliases and expanded size of a document, or why it is refused."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    fragment_shapes, cycle = _fragment_shapes(fragments)
    if cycle is not None:
        return (GraphQLError(f"Cannot spread fragment '{cycle}' within itself."),)
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    errors: list[GraphQLError] = []
    total = EMPTY
    for operation in operations:
        shape = _shape(operation.selection_set, fragment_shapes)
        total = total.plus(shape)
        if shape.depth > policy.max_depth:
            name = operation.name.value if operation.name else "anonymous"
            errors.append(
                GraphQLError(f"'{name}' exceeds maximum operation depth of {policy.max_depth}")
            )
    if total.aliases > policy.max_aliases:
        errors.append(GraphQLError(f"{total.aliases} aliases found. Allowed: {policy.max_aliases}"))
    expanded = total.fields + sum(shape.fields for shape in fragment_shapes.values())
    if expanded > policy.max_fields:
        errors.append(
            GraphQLError(
                f"The document selects {expanded} fields once its fragments are expanded. "
                f"Allowed: {policy.max_fields}"
            )
        )
    return tuple(errors)


def _fragment_shapes(
    fragments: dict[str, FragmentDefinitionNode],
) -> tuple[dict[str, Shape], str | None]:
    """Each fragment's shape, computed once, dependencies first. Also returns the name of a
    fragment that spreads itself (directly or not), if any."""
    order, cycle = _dependencies_first(fragments)
    shapes: dict[str, Shape] = {}
    for name in order:
        shapes[name] = _shape(fragments[name].selection_set, shapes)
    return shapes, cycle


def _dependencies_first(
    fragments: Mapping[str, FragmentDefinitionNode],
) -> tuple[list[str], str | None]:
    """The fragments' names, each after every fragment it spreads: a depth-first walk with an
    explicit stack, so a long chain of fragments cannot exhaust the interpreter's recursion.
    Stops at the first fragment that spreads itself (directly or not) and names it."""
    done: set[str] = set()
    order: list[str] = []
    for root in fragments:
        if root in done:
            continue
        in_progress = {root}
        stack = [(root, iter(_spread_names(fragments[root].selection_set)))]
        while stack:
            name, spreads = stack[-1]
            child = next((s for s in spreads if s in fragments and s not in done), None)
            if child is None:
                done.add(name)
                order.append(name)
                in_progress.discard(name)
                stack.pop()
            elif child in in_progress:
                return order, child
            else:
                in_progress.add(child)
                stack.append((child, iter(_spread_names(fragments[child].selection_set))))
    return order, None


def _spread_names(selection_set: SelectionSetNode) -> set[str]:
    names: set[str] = set()
    pending = [selection_set]
    while pending:
        for selection in pending.pop().selections:
            if isinstance(selection, FragmentSpreadNode):
                names.add(selection.name.value)
            elif (
                isinstance(selection, FieldNode | InlineFragmentNode)
                and selection.selection_set is not None
            ):
                pending.append(selection.selection_set)
    return names


def _shape(selection_set: SelectionSetNode, fragment_shapes: Mapping[str, Shape]) -> Shape:
    """Fragment spreads count as their fragment's (already computed) shape; an unknown
    fragment counts as nothing (validation reports it)."""
    shape = EMPTY
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            shape = shape.plus(_field_shape(selection, fragment_shapes))
        elif isinstance(selection, InlineFragmentNode):
            shape = shape.plus(_shape(selection.selection_set, fragment_shapes))
        elif isinstance(selection, FragmentSpreadNode):
            shape = shape.plus(fragment_shapes.get(selection.name.value, EMPTY))
    return shape


def _field_shape(field: FieldNode, fragment_shapes: Mapping[str, Shape]) -> Shape:
    if field.selection_set is None:
        return Shape(fields=1, aliases=1 if field.alias else 0)
    below = _shape(field.selection_set, fragment_shapes)
    introspection = field.name.value.startswith("__")
    return Shape(
        fields=1 + below.fields,
        aliases=(1 if field.alias else 0) + below.aliases,
        depth=0 if introspection else 1 + below.depth,
    )


# --- the operation's cost -----------------------------------------------------------------
#
# Every field with a selection (an object, a list of objects, a connection) costs 1, plus what
# is selected under it; leaves are free. A connection (a field taking `first`/`last`)
# multiplies what is under it by its page size: `first`, else `last` (literal or variable,
# clamped to 0..MAX_PAGE_SIZE), DEFAULT_PAGE_SIZE when neither is given; `nodes(ids:)` by the
# number of ids. So the cost bounds the objects an answer can hold (GitHub's node limit), and
# a response's actual count of objects never exceeds it.


@dataclass(frozen=True)
class SchemaIndex:
    """What the cost needs from the schema: each field's named type, and the connections."""

    field_types: Mapping[tuple[str, str], str]
    connections: frozenset[tuple[str, str]]
    roots: Mapping[OperationType, str]


@lru_cache(maxsize=8)
def schema_index(schema: GraphQLSchema) -> SchemaIndex:
    field_types: dict[tuple[str, str], str] = {}
    connections: set[tuple[str, str]] = set()
    for type_name, named in schema.type_map.items():
        for field_name, field in getattr(named, "fields", {}).items():
            if not hasattr(field, "args"):
                continue  # an input type's fields
            field_types[type_name, field_name] = get_named_type(field.type).name
            if "first" in field.args or "last" in field.args:
                connections.add((type_name, field_name))
    roots = {
        operation: root.name
        for operation, root in (
            (OperationType.QUERY, schema.query_type),
            (OperationType.MUTATION, schema.mutation_type),
            (OperationType.SUBSCRIPTION, schema.subscription_type),
        )
        if root is not None
    }
    return SchemaIndex(field_types, frozenset(connections), roots)


def operation_cost(
    document: DocumentNode,
    schema: GraphQLSchema,
    variables: Mapping[str, object] | None,
    operation_name: str | None,
) -> int:
    """The cost of the operation the request runs (the costliest one when that is not yet
    known); 0 when fragments form a cycle (refused by the other limits)."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    order, cycle = _dependencies_first(fragments)
    if cycle is not None:
        return 0
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    walk = _CostWalk(schema_index(schema), _variable_values(operations, variables))
    for name in order:
        fragment = fragments[name]
        walk.fragment_costs[name] = walk.cost(
            fragment.selection_set, fragment.type_condition.name.value
        )
    named = [o for o in operations if operation_name and o.name and o.name.value == operation_name]
    return max(
        (
            walk.cost(o.selection_set, walk.index.roots.get(o.operation))
            for o in named or operations
        ),
        default=0,
    )


def _variable_values(
    operations: list[OperationDefinitionNode], variables: Mapping[str, object] | None
) -> dict[str, Any]:
    """The request's variables, else their defaults in the document."""
    values: dict[str, Any] = {}
    for operation in operations:
        for definition in operation.variable_definitions or ():
            if definition.default_value is not None:
                values[definition.variable.name.value] = value_from_ast_untyped(
                    definition.default_value
                )
    values.update(variables or {})
    return values


class _CostWalk:
    def __init__(self, index: SchemaIndex, variables: dict[str, Any]) -> None:
        self.index = index
        self.variables = variables
        self.fragment_costs: dict[str, int] = {}

    def cost(self, selection_set: SelectionSetNode, type_name: str | None) -> int:
        """Fragment spreads count as their fragment's (already computed) cost; an unknown
        field or fragment counts as if it were a plain object (validation reports it)."""
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self._field_cost(selection, type_name)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = condition.name.value if condition else type_name
                total += self.cost(selection.selection_set, inner)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.fragment_costs.get(selection.name.value, 0)
        return total

    def _field_cost(self, field: FieldNode, type_name: str | None) -> int:
        """A leaf costs nothing; an object 1, plus what it holds times how many there are."""
        if field.selection_set is None:
            return 0
        key = (type_name or "", field.name.value)
        below = self.cost(field.selection_set, self.index.field_types.get(key))
        return 1 + self._multiplier(field, key) * below

    def _multiplier(self, field: FieldNode, key: tuple[str, str]) -> int:
        arguments = {argument.name.value: argument.value for argument in field.arguments or ()}
        if key in self.index.connections:
            first = self._value(arguments.get("first"))
            return _page_size(first if first is not None else self._value(arguments.get("last")))
        ids = self._value(arguments.get("ids"))
        if isinstance(ids, list):
            return min(len(ids), MAX_PAGE_SIZE)
        return 1

    def _value(self, node: ValueNode | None) -> object:
        if node is None:
            return None
        if isinstance(node, VariableNode):
            return self.variables.get(node.name.value)
        return value_from_ast_untyped(node, self.variables)


def _page_size(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        return DEFAULT_PAGE_SIZE
    return min(max(value, 0), MAX_PAGE_SIZE)


def cost_errors(requested: int, policy: DocumentPolicy) -> tuple[GraphQLError, ...]:
    if requested <= policy.max_cost:
        return ()
    return (
        GraphQLError(
            f"The operation costs {requested}; the limit is {policy.max_cost}. Each connection "
            "multiplies what is selected under it by its page size (first/last, "
            f"{DEFAULT_PAGE_SIZE} when omitted): ask for smaller pages or fewer nested lists."
        ),
    )


def document_errors(
    document: DocumentNode, schema: GraphQLSchema, policy: DocumentPolicy, requested_cost: int
) -> Sequence[GraphQLError]:
    """Why a document is refused before it runs: its depth, aliases and size, then its cost,
    then validation with the policy's rules (cached)."""
    return (
        limit_errors(document, policy)
        or cost_errors(requested_cost, policy)
        or cached_validation(schema, document, validation_rules(policy.introspection))
    )


def cost_report(requested: int, policy: DocumentPolicy, data: object) -> dict[str, object]:
    """``extensions.cost`` of a response: requested, limit, and (once it ran) actual."""
    report: dict[str, object] = {"requested": requested, "limit": policy.max_cost}
    if data is not None:
        report["actual"] = objects_in(data)
    return report


def objects_in(data: object) -> int:
    """How many objects an answer holds (the actual counterpart of the requested cost): every
    JSON object below the top one, found without recursion."""
    count = -1
    pending = [data]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            count += 1
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return max(count, 0)


# --- validation rules (classes built once, so the validation cache keeps hitting) -----------


class StorableStringsRule(ValidationRule):
    """String literals in the document must be storable, like strings in variables."""

    def enter_string_value(self, node: StringValueNode, *_args: object) -> None:
        if not is_storable(node.value):
            self.report_error(
                GraphQLError(
                    "Strings may not contain NUL characters or unpaired UTF-16 surrogates.",
                    node,
                )
            )


class NoIntrospectionRule(ValidationRule):
    """Introspection is switched off (``CHAPTERS_ENV=production``); ``__typename`` stays."""

    def enter_field(self, node: FieldNode, *_args: object) -> None:
        if node.name.value in INTROSPECTION_FIELDS:
            self.report_error(
                GraphQLError(
                    f"Introspection is disabled on this server: '{node.name.value}' "
                    "cannot be queried.",
                    node,
                )
            )


# Shared by every request: a document is validated once per set of rules.
cached_validation = lru_cache(maxsize=1024)(validate_document)


@cache
def validation_rules(introspection: bool) -> tuple[type[ASTValidationRule], ...]:
    rules: tuple[type[ASTValidationRule], ...] = (*specified_rules, StorableStringsRule)
    return rules if introspection else (*rules, NoIntrospectionRule)
