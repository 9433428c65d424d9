"""Planning: which fields of an operation the compiler covers, decided once per document and
operation name, before any caller or variable is known.

A plan is the operation's selection tree with GraphQL's field collection already done (fragments
spread, inline fragments applied, fields of one response key merged, in the order the answer
lists them), each field paired with the ``FieldSpec`` that builds its SQL. A document with
anything the registry does not know (a field, an argument, a directive, a type condition that
cannot be decided) has no plan: the resolver path answers it.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    ObjectValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionNode,
    ValueNode,
    VariableNode,
    Visitor,
    get_named_type,
    get_operation_ast,
    is_abstract_type,
    is_object_type,
    visit,
)
from graphql.language.visitor import SKIP

if TYPE_CHECKING:
    from chapters.compiled.build import Builder

    Build = Callable[[Builder, Any, "PlannedField"], Any]

# json_build_object takes at most 100 arguments: 50 keys and their values.
MAX_KEYS = 50


class Uncovered(Exception):
    """The compiler does not cover this document: the resolver path answers it."""


@dataclass(frozen=True)
class FieldSpec:
    """How the compiler answers one field of one object type: ``build(builder, row, field)``
    returns the SQL expression of its JSON value. ``args`` names the arguments it reads (any
    other argument in a document leaves the document uncovered); ``nested`` says what its
    selection set is: None for a leaf, "object" for an object or a list of objects of the
    field's type, "connection" for a Relay connection of that type's ``node``; ``columns``
    names the columns of the row it reads."""

    build: Build
    args: frozenset[str] = frozenset()
    nested: str | None = None
    columns: tuple[str, ...] = ()
    # Arguments the build never reads, only binds into the statement ("filter.chapterId"),
    # and how: "text" as given, "id" a global id, bound as the uuid it names. A variable
    # given only there is a parameter of the statement, not a part of its shape (``run``).
    opaque: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ObjectSpec:
    """The fields the compiler covers on one object type."""

    name: str
    fields: Mapping[str, FieldSpec]


@dataclass
class PlannedField:
    key: str  # the response key (the alias, else the field's name)
    name: str
    nodes: tuple[FieldNode, ...]  # every node merged under this key (arguments: the first)
    definition: GraphQLField | None  # None for __typename
    spec: FieldSpec | None  # None for __typename
    parent_type: str
    # A nested selection, per concrete type it may take (one entry for object types).
    children: dict[str, PlannedObject] = field(default_factory=dict)
    # Connection fields: the connection's, edges' and pageInfo's own selections.
    connection: PlannedConnection | None = None

    @property
    def child(self) -> PlannedObject:
        (child,) = self.children.values()
        return child


@dataclass
class PlannedObject:
    type_name: str
    fields: list[PlannedField]
    columns: tuple[str, ...] = ()  # of the row, read by the fields


@dataclass
class PlannedConnection:
    """A connection's selection: its own fields in order, each one of ``edges``,
    ``pageInfo`` or ``__typename`` with the selections below it."""

    type_name: str
    fields: list[tuple[str, str, Any]]  # (key, name, sub-selection)
    edge_type: str
    node_type: str
    page_info_type: str
    node: PlannedObject | None = None
    cursors: bool = False  # any cursor, startCursor or endCursor selected


_serials = itertools.count()


@dataclass(eq=False)
class Plan:
    """A covered operation: its root selection, ready to bind to a request."""

    root: PlannedObject
    operation: OperationDefinitionNode
    # The variables used only where a build binds them unread: variable -> "text" | "id".
    opaque: Mapping[str, str] = field(default_factory=dict)
    serial: int = field(default_factory=lambda: next(_serials))  # names it in caches

    @property
    def variables(self) -> tuple[str, ...]:
        definitions = self.operation.variable_definitions or ()
        return tuple(definition.variable.name.value for definition in definitions)


class Planner:
    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        specs: Mapping[str, ObjectSpec],
        node_types: Iterable[str],
    ) -> None:
        self.schema = schema
        self.specs = specs
        self.node_types = tuple(node_types)
        self.fragments = {
            definition.name.value: definition
            for definition in document.definitions
            if isinstance(definition, FragmentDefinitionNode)
        }
        self.document = document
        self.opaque_uses: list[tuple[str, str]] = []  # (variable, kind) per opaque position

    def plan(self, operation: OperationDefinitionNode) -> Plan:
        if operation.operation is not OperationType.QUERY:
            raise Uncovered("not a query")
        if operation.directives:
            raise Uncovered("directives")
        query_type = self.schema.query_type
        assert query_type is not None
        root = self.object(query_type, operation.selection_set.selections)
        if all(item.spec is None for item in root.fields):
            raise Uncovered("nothing to read")  # { __typename } needs no database
        return Plan(root, operation, self._opaque_variables())

    def _opaque_variables(self) -> dict[str, str]:
        """The variables every use of which (anywhere in the document) is an opaque position
        of one kind."""
        uses = Counter(node.name.value for node in _variables_in(self.document))
        kinds: dict[str, set[str]] = {}
        for name, kind in self.opaque_uses:
            kinds.setdefault(name, set()).add(kind)
        opaque_count = Counter(name for name, _ in self.opaque_uses)
        return {
            name: next(iter(found))
            for name, found in kinds.items()
            if len(found) == 1 and opaque_count[name] == uses[name]
        }

    def _note_opaque(self, spec: FieldSpec, node: FieldNode) -> None:
        for path, kind in spec.opaque:
            value = argument_at(node, path.split("."))
            if isinstance(value, VariableNode):
                self.opaque_uses.append((value.name.value, kind))

    def object(
        self, type_: GraphQLObjectType, selections: Iterable[SelectionNode]
    ) -> PlannedObject:
        spec = self.specs.get(type_.name)
        if spec is None:
            raise Uncovered(f"type {type_.name}")
        collected = self.collect(type_, selections)
        if len(collected) > MAX_KEYS:
            raise Uncovered("too many fields in one object")
        planned = []
        for key, nodes in collected.items():
            name = nodes[0].name.value
            if name == "__typename":
                planned.append(PlannedField(key, name, nodes, None, None, type_.name))
                continue
            field_spec = spec.fields.get(name)
            definition = type_.fields.get(name)
            if field_spec is None or definition is None:
                raise Uncovered(f"{type_.name}.{name}")
            for node in nodes:
                given = {argument.name.value for argument in node.arguments or ()}
                if not given <= field_spec.args:
                    raise Uncovered(f"arguments of {type_.name}.{name}")
            item = PlannedField(key, name, nodes, definition, field_spec, type_.name)
            self._note_opaque(field_spec, nodes[0])  # arguments: the first node's
            sub = _below(nodes)
            if field_spec.nested == "object":
                self._children(item, get_named_type(definition.type), sub)
            elif field_spec.nested == "connection":
                item.connection = self.connection(get_named_type(definition.type), sub)
            elif sub:
                raise Uncovered(f"selection below {type_.name}.{name}")
            planned.append(item)
        columns = [c for item in planned if item.spec is not None for c in item.spec.columns]
        return PlannedObject(type_.name, planned, tuple(dict.fromkeys(columns)))

    def _children(self, item: PlannedField, named: Any, sub: list[SelectionNode]) -> None:
        if is_object_type(named):
            item.children[named.name] = self.object(named, sub)
        elif is_abstract_type(named):
            # Every object type the selection asks about must be one the compiler loads:
            # else a node of it would always fall back.
            for condition in self._conditions(sub, set()):
                asked = self.schema.get_type(condition)
                if is_object_type(asked) and condition not in self.node_types:
                    raise Uncovered(f"nodes of type {condition}")
            for type_name in self.node_types:
                concrete = self.schema.get_type(type_name)
                if is_object_type(concrete) and self.schema.is_sub_type(named, concrete):
                    item.children[type_name] = self.object(concrete, sub)
        else:
            raise Uncovered(f"type {named}")

    def _conditions(self, selections: Iterable[SelectionNode], seen: set[str]) -> set[str]:
        """The type conditions of the fragments in a selection (not below its fields)."""
        found: set[str] = set()
        for selection in selections:
            if isinstance(selection, InlineFragmentNode):
                if selection.type_condition is not None:
                    found.add(selection.type_condition.name.value)
                found |= self._conditions(selection.selection_set.selections, seen)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None and fragment.name.value not in seen:
                    seen.add(fragment.name.value)
                    found.add(fragment.type_condition.name.value)
                    found |= self._conditions(fragment.selection_set.selections, seen)
        return found

    def connection(self, type_: Any, selections: list[SelectionNode]) -> PlannedConnection:
        if not is_object_type(type_):
            raise Uncovered("connection type")
        edges = get_named_type(type_.fields["edges"].type)
        page_info = get_named_type(type_.fields["pageInfo"].type)
        node_type = get_named_type(edges.fields["node"].type)
        planned = PlannedConnection(type_.name, [], edges.name, node_type.name, page_info.name)
        for key, nodes in self.collect(type_, selections).items():
            name = nodes[0].name.value
            sub = _below(nodes)
            if name == "__typename":
                planned.fields.append((key, name, None))
            elif name == "edges":
                planned.fields.append((key, name, self._edges(planned, edges, node_type, sub)))
            elif name == "pageInfo":
                planned.fields.append((key, name, self._page_info(planned, page_info, sub)))
            elif name == "totalCount":
                planned.fields.append((key, name, None))
            else:
                raise Uncovered(f"{type_.name}.{name}")
            if any(node.arguments for node in nodes):
                raise Uncovered("arguments on a connection's fields")
        return planned

    def _edges(
        self, planned: PlannedConnection, edges: Any, node_type: Any, sub: list[SelectionNode]
    ) -> list[tuple[str, str]]:
        if planned.node is not None or any(name == "edges" for _, name, _ in planned.fields):
            raise Uncovered("edges under two response keys")
        fields: list[tuple[str, str]] = []
        node_selections: list[SelectionNode] = []
        for key, nodes in self.collect(edges, sub).items():
            name = nodes[0].name.value
            if any(node.arguments for node in nodes):
                raise Uncovered("arguments on an edge's fields")
            if name == "node":
                if any(n == "node" for _, n in fields):
                    raise Uncovered("node under two response keys")
                node_selections += _below(nodes)
            elif name == "cursor":
                planned.cursors = True
            elif name != "__typename":
                raise Uncovered(f"{edges.name}.{name}")
            fields.append((key, name))
        if any(name == "node" for _, name in fields):
            planned.node = self.object(node_type, node_selections)
        if len(fields) > MAX_KEYS:
            raise Uncovered("too many fields in one object")
        return fields

    def _page_info(
        self, planned: PlannedConnection, page_info: Any, sub: list[SelectionNode]
    ) -> list[tuple[str, str]]:
        fields: list[tuple[str, str]] = []
        for key, nodes in self.collect(page_info, sub).items():
            name = nodes[0].name.value
            if name in ("startCursor", "endCursor"):
                planned.cursors = True
            elif name not in ("hasNextPage", "hasPreviousPage", "__typename"):
                raise Uncovered(f"{page_info.name}.{name}")
            fields.append((key, name))
        return fields

    def collect(
        self, type_: GraphQLObjectType, selections: Iterable[SelectionNode]
    ) -> dict[str, tuple[FieldNode, ...]]:
        """GraphQL's CollectFields for an object type: response key → its field nodes, in
        the order of the answer. Directives (``@skip``, ``@include``) are not planned."""
        collected: dict[str, list[FieldNode]] = {}
        self._collect(type_, selections, collected, set())
        return {key: tuple(nodes) for key, nodes in collected.items()}

    def _collect(
        self,
        type_: GraphQLObjectType,
        selections: Iterable[SelectionNode],
        collected: dict[str, list[FieldNode]],
        visited: set[str],
    ) -> None:
        for selection in selections:
            if selection.directives:
                raise Uncovered("directives")
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                collected.setdefault(key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                if condition is None or self._applies(condition.name.value, type_):
                    self._collect(type_, selection.selection_set.selections, collected, visited)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if name in visited or fragment is None:
                    continue
                visited.add(name)
                if self._applies(fragment.type_condition.name.value, type_):
                    self._collect(type_, fragment.selection_set.selections, collected, visited)
            else:
                raise Uncovered("selection kind")

    def _applies(self, condition: str, type_: GraphQLObjectType) -> bool:
        conditional = self.schema.get_type(condition)
        if conditional is None or (is_object_type(conditional) and condition not in self.specs):
            raise Uncovered(f"type condition {condition}")
        if conditional is type_:
            return True
        return is_abstract_type(conditional) and self.schema.is_sub_type(conditional, type_)


def argument_at(node: FieldNode, path: list[str]) -> ValueNode | None:
    """The value node an argument path ("filter.chapterId") names in a field node."""
    fields: Iterable[Any] = node.arguments or ()
    value: ValueNode | None = None
    for name in path:
        value = next((item.value for item in fields if item.name.value == name), None)
        if value is None:
            return None
        fields = value.fields if isinstance(value, ObjectValueNode) else ()
    return value


def _variables_in(document: DocumentNode) -> list[VariableNode]:
    """Every variable use in the document (its definitions excluded)."""
    found: list[VariableNode] = []

    class Uses(Visitor):
        def enter_variable_definition(self, *_: Any) -> Any:
            return SKIP

        def enter_variable(self, node: VariableNode, *_: Any) -> None:
            found.append(node)

    visit(document, Uses())
    return found


def _below(nodes: Iterable[FieldNode]) -> list[SelectionNode]:
    """The selections under a field's nodes, merged."""
    return [
        s for node in nodes for s in (node.selection_set.selections if node.selection_set else ())
    ]


def plan_operation(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    specs: Mapping[str, ObjectSpec],
    node_types: Iterable[str],
) -> Plan:
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        raise Uncovered("no operation")
    return Planner(schema, document, specs, node_types).plan(operation)
