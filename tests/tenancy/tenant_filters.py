"""Does a SQL statement name its tenant wherever it reads or writes a tenant table?

What a Citus router plan needs, and what row-level security does not give: every reference to
a distributed table is filtered by its distribution column, ``tenant_id``, equal to one value.
The statement is parsed by PostgreSQL's own parser (pglast, libpg_query), and each reference
to a tenant table in it (a FROM item at any depth, the target of an UPDATE or DELETE, the
table an INSERT writes) must be *pinned*:

- its ``tenant_id`` is equal to a bound value (``$1``, a literal) in a WHERE, a JOIN's ON or
  a HAVING condition (taken where the condition must hold: its top-level ANDs, never under an
  OR or a NOT), or is equal to the ``tenant_id`` of a reference pinned itself (a join, a
  correlated subquery), through any chain of such equalities; a condition on a derived
  table's column counts for the column of the query it comes from, and back;
- an INSERT carries a bound ``tenant_id`` in every row it writes (its VALUES, or the column
  its SELECT gives).

``tenants`` is a reference table in Citus (copied to every node) and tables without
``tenant_id`` stay on the coordinator: neither needs the predicate.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pglast import ast, parse_sql
from pglast.enums.parsenodes import A_Expr_Kind, SetOperation
from pglast.enums.primnodes import BoolExprType
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

TENANT = "tenant_id"
BOUND = ("bound value",)  # the union-find key every bound value shares


@dataclass(eq=False)
class Source:
    """One FROM item: a table (with its catalog columns), a derived table or CTE (with its
    output columns), or a function (columns unknown)."""

    label: str
    table: str | None = None
    columns: Sequence[str] | None = None
    outputs: dict[str, Any] = field(default_factory=dict)

    def key(self, column: str) -> tuple[int, str]:
        return (id(self), column)

    def expanded(self) -> list[tuple[str, Any]]:
        """``label.*``: the columns in their order, with their keys."""
        names = list(self.columns) if self.columns is not None else list(self.outputs)
        return [(name, self.key(name)) for name in names]


@dataclass
class Scope:
    parent: Scope | None
    sources: dict[str, Source] = field(default_factory=dict)
    ctes: dict[str, list[tuple[str, Any]]] = field(default_factory=dict)

    def cte(self, name: str) -> list[tuple[str, Any]] | None:
        scope: Scope | None = self
        while scope is not None:
            if name in scope.ctes:
                return scope.ctes[name]
            scope = scope.parent
        return None


class _Analysis:
    def __init__(self, tables: Mapping[str, Sequence[str]]) -> None:
        self.tables = tables  # every table's columns in their order, by name
        self.parent: dict[Any, Any] = {}
        self.references: list[Source] = []  # tenant table references to check
        self.inserts: list[tuple[str, list[Any]]] = []  # (table, the tenant_id of each row)

    # union-find over column keys and BOUND
    def find(self, key: Any) -> Any:
        self.parent.setdefault(key, key)
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def union(self, a: Any, b: Any) -> None:
        self.parent[self.find(a)] = self.find(b)

    def pinned(self, key: Any) -> bool:
        return key is not None and self.find(key) == self.find(BOUND)

    # statements
    def statement(self, node: ast.Node) -> None:
        if isinstance(node, ast.SelectStmt):
            self.select(node, None)
        elif isinstance(node, ast.InsertStmt):
            self.insert(node)
        elif isinstance(node, ast.UpdateStmt):
            scope = self.with_clause(node.withClause, None)
            self.add_source(node.relation, scope)
            for item in node.fromClause or ():
                self.add_from(item, scope)
            self.conditions(node.whereClause, scope)
            self.expressions([node.targetList, node.whereClause, _returning(node)], scope)
        elif isinstance(node, ast.DeleteStmt):
            scope = self.with_clause(node.withClause, None)
            self.add_source(node.relation, scope)
            for item in node.usingClause or ():
                self.add_from(item, scope)
            self.conditions(node.whereClause, scope)
            self.expressions([node.whereClause, _returning(node)], scope)
        else:  # SET, SAVEPOINT, BEGIN …: no table
            self.expressions([node], Scope(None))

    def with_clause(self, clause: ast.WithClause | None, parent: Scope | None) -> Scope:
        scope = Scope(parent)
        for cte in (clause.ctes if clause else None) or ():
            outputs = self.select(cte.ctequery, scope) if _is_query(cte.ctequery) else []
            if isinstance(cte.ctequery, ast.InsertStmt | ast.UpdateStmt | ast.DeleteStmt):
                self.statement(cte.ctequery)
            names = [name.sval for name in cte.aliascolnames or ()]
            if names:
                outputs = [(n, key) for n, (_, key) in zip(names, outputs, strict=False)]
            scope.ctes[cte.ctename] = outputs
        return scope

    def select(self, node: ast.SelectStmt, parent: Scope | None) -> list[tuple[str, Any]]:
        """Analyse a query; its output columns as (name, key) pairs."""
        scope = self.with_clause(node.withClause, parent)
        if node.op not in (SetOperation.SETOP_NONE, 0):
            # Each side pins its own tables; a column of the combined rows is bound when it
            # is bound on every side (a condition on the combined rows does not reach in).
            left = self.select(node.larg, scope)
            right = self.select(node.rarg, scope)
            return [
                (name, BOUND if self.pinned(a) and self.pinned(b) else None)
                for (name, a), (_, b) in zip(left, right, strict=False)
            ]
        if node.valuesLists:
            self.expressions([node.valuesLists], scope)
            return []
        inner = Scope(scope)
        for item in node.fromClause or ():
            self.add_from(item, inner)
        self.conditions(node.whereClause, inner)
        self.conditions(node.havingClause, inner)
        self.expressions(
            [
                node.targetList,
                node.whereClause,
                node.havingClause,
                node.sortClause,
                node.groupClause,
                node.limitCount,
                node.limitOffset,
            ],
            inner,
        )
        outputs: list[tuple[str | None, Any]] = []
        for target in node.targetList or ():
            if not isinstance(target, ast.ResTarget):
                continue
            star = _star(target.val)
            if star is None:
                name = target.name or _last_name(target.val)
                outputs.append((name, self.operand(target.val, inner)))
            elif star:  # label.*
                source = self.lookup(star, inner)
                outputs += source.expanded() if source is not None else []
            else:  # *
                for source in inner.sources.values():
                    outputs += source.expanded()
        return outputs

    def insert(self, node: ast.InsertStmt) -> None:
        scope = self.with_clause(node.withClause, None)
        table = node.relation.relname
        columns = [target.name for target in node.cols or ()]
        select = node.selectStmt
        if isinstance(select, ast.SelectStmt) and select.valuesLists:
            rows = [
                self.operand(row[columns.index(TENANT)], scope) if TENANT in columns else None
                for row in select.valuesLists
            ]
            self.expressions([select.valuesLists], scope)
        elif isinstance(select, ast.SelectStmt):
            outputs = self.select(select, scope)
            rows = [outputs[columns.index(TENANT)][1] if TENANT in columns else None]
        else:  # DEFAULT VALUES
            rows = [None]
        if table in self.tables and TENANT in self.tables[table]:
            self.inserts.append((table, rows))
        target = Source(table, table, self.tables.get(table))
        conflict = Scope(scope, {table: target, "excluded": Source("excluded")})
        clause = node.onConflictClause
        if clause is not None:
            self.expressions([clause.targetList, clause.whereClause], conflict)
        self.expressions([_returning(node)], conflict)

    def add_source(self, relation: ast.RangeVar, scope: Scope) -> Source:
        name = relation.relname
        label = relation.alias.aliasname if relation.alias else name
        cte = scope.cte(name) if relation.schemaname is None else None
        if cte is not None:
            source = Source(label)
            for column, key in cte:
                source.outputs[column] = key
                if key is not None:
                    self.union(source.key(column), key)
        else:
            source = Source(label, name, self.tables.get(name))
            if source.columns is not None and TENANT in source.columns:
                self.references.append(source)
        scope.sources[label] = source
        return source

    def add_from(self, item: ast.Node, scope: Scope) -> None:
        if isinstance(item, ast.RangeVar):
            self.add_source(item, scope)
        elif isinstance(item, ast.JoinExpr):
            self.add_from(item.larg, scope)
            self.add_from(item.rarg, scope)
            self.conditions(item.quals, scope)
            self.expressions([item.quals], scope)
        elif isinstance(item, ast.RangeSubselect):
            outputs = self.select(item.subquery, scope if item.lateral else scope.parent)
            label = item.alias.aliasname if item.alias else f"subquery {id(item)}"
            source = Source(label)
            names = [n.sval for n in item.alias.colnames or ()] if item.alias else []
            for index, (column, key) in enumerate(outputs):
                column = names[index] if index < len(names) else column
                source.outputs[column] = key
                if key is not None:
                    self.union(source.key(column), key)
            scope.sources[label] = source
        elif isinstance(item, ast.RangeFunction):
            label = item.alias.aliasname if item.alias else f"function {id(item)}"
            self.expressions([item.functions], scope)
            scope.sources[label] = Source(label)
        else:
            self.expressions([item], scope)

    # conditions and expressions
    def conditions(self, node: ast.Node | None, scope: Scope) -> None:
        """Take the equalities a condition requires (its top-level ANDs)."""
        if isinstance(node, ast.BoolExpr) and node.boolop == BoolExprType.AND_EXPR:
            for argument in node.args:
                self.conditions(argument, scope)
        elif isinstance(node, ast.A_Expr) and _operator(node) == "=":
            if node.kind == A_Expr_Kind.AEXPR_OP:
                self.equal(node.lexpr, node.rexpr, scope)
            elif node.kind == A_Expr_Kind.AEXPR_IN and len(node.rexpr) == 1:
                self.equal(node.lexpr, node.rexpr[0], scope)
            elif node.kind == A_Expr_Kind.AEXPR_IN:  # a list of tuples: the positions bound in all
                self.equal_in_all(node.lexpr, node.rexpr, scope)

    def equal(self, left: ast.Node, right: ast.Node, scope: Scope) -> None:
        if isinstance(left, ast.RowExpr) and isinstance(right, ast.RowExpr):
            for a, b in zip(left.args, right.args, strict=False):
                self.equal(a, b, scope)
            return
        a, b = self.operand(left, scope), self.operand(right, scope)
        if a is not None and b is not None:
            self.union(a, b)

    def equal_in_all(self, left: ast.Node, rows: Iterable[ast.Node], scope: Scope) -> None:
        if isinstance(left, ast.RowExpr):
            rows = list(rows)
            for position, column in enumerate(left.args):
                values = [
                    row.args[position] if isinstance(row, ast.RowExpr) else None for row in rows
                ]
                if (
                    all(
                        self.operand(value, scope) == BOUND for value in values if value is not None
                    )
                    and None not in values
                ):
                    self.equal(column, values[0], scope)
        elif all(self.operand(value, scope) == BOUND for value in rows):
            self.equal(left, next(iter(rows)), scope)

    def operand(self, node: ast.Node | None, scope: Scope) -> Any:
        """The key of a column, BOUND for a bound value, None for anything else."""
        if isinstance(node, ast.TypeCast):
            return self.operand(node.arg, scope)
        if isinstance(node, ast.ParamRef | ast.A_Const):
            return BOUND
        if isinstance(node, ast.ColumnRef):
            return self.resolve(node, scope)
        return None

    def lookup(self, label: str, scope: Scope) -> Source | None:
        current: Scope | None = scope
        while current is not None:
            if label in current.sources:
                return current.sources[label]
            current = current.parent
        return None

    def resolve(self, node: ast.ColumnRef, scope: Scope) -> Any:
        names = [field.sval for field in node.fields if isinstance(field, ast.String)]
        if len(names) != len(node.fields) or not names:
            return None  # t.* and the like
        column = names[-1]
        current: Scope | None = scope
        while current is not None:
            if len(names) >= 2:
                source = current.sources.get(names[-2])
                if source is not None:
                    return source.key(column)
            else:
                having = [s for s in current.sources.values() if _has(s, column)]
                if len(having) == 1:
                    return having[0].key(column)
                if len(having) > 1:
                    return None
            current = current.parent
        return None

    def expressions(self, nodes: Iterable[Any], scope: Scope) -> None:
        """Analyse the subqueries found in expressions (correlated: they see ``scope``)."""
        for node in _walk(nodes):
            if isinstance(node, ast.SubLink) and _is_query(node.subselect):
                self.select(node.subselect, scope)

    def unpinned(self) -> list[str]:
        problems = [
            f"{source.table}" + (f" AS {source.label}" if source.label != source.table else "")
            for source in self.references
            if not self.pinned(source.key(TENANT))
        ]
        problems += [
            f"INSERT INTO {table}: a row without a bound tenant_id"
            for table, rows in self.inserts
            if not all(self.pinned(row) for row in rows)
        ]
        return problems


def _is_query(node: Any) -> bool:
    return isinstance(node, ast.SelectStmt)


def _operator(node: ast.A_Expr) -> str | None:
    names = [name.sval for name in node.name or () if isinstance(name, ast.String)]
    return names[-1] if names else None


def _last_name(node: Any) -> str | None:
    if isinstance(node, ast.ColumnRef) and isinstance(node.fields[-1], ast.String):
        return str(node.fields[-1].sval)
    if isinstance(node, ast.TypeCast):
        return _last_name(node.arg)
    return None


def _star(node: Any) -> str | None:
    """For ``label.*`` the label, for ``*`` an empty string; None for anything else."""
    if isinstance(node, ast.ColumnRef) and isinstance(node.fields[-1], ast.A_Star):
        return str(node.fields[0].sval) if len(node.fields) == 2 else ""
    return None


def _has(source: Source, column: str) -> bool:
    if source.columns is not None:
        return column in source.columns
    return column in source.outputs


def _walk(nodes: Iterable[Any]) -> Iterator[Any]:
    """Every node under ``nodes``, but not inside the subqueries found (the caller analyses
    those in their own scope)."""
    stack = list(nodes)
    while stack:
        node = stack.pop()
        if node is None:
            continue
        if isinstance(node, list | tuple):
            stack.extend(node)
            continue
        if not isinstance(node, ast.Node):
            continue
        yield node
        if isinstance(node, ast.SubLink):
            stack.append(node.testexpr)
            continue
        if isinstance(node, ast.SelectStmt | ast.RangeSubselect):
            continue
        for attribute in node:
            stack.append(getattr(node, attribute))


def unfiltered_references(sql: str, tables: Mapping[str, Sequence[str]]) -> list[str]:
    """The references to tenant tables in ``sql`` that are not pinned to one tenant (empty
    when every one is); ``tables``: every table's columns in their order, by name."""
    problems: list[str] = []
    for raw in parse_sql(sql):
        analysis = _Analysis(tables)
        analysis.statement(raw.stmt)
        problems += analysis.unpinned()
    return problems


def _returning(node: ast.Node) -> Any:
    """The RETURNING list of an INSERT, UPDATE or DELETE (a clause of its own since
    PostgreSQL 18's grammar)."""
    clause = getattr(node, "returningClause", None)
    return clause.exprs if clause is not None else getattr(node, "returningList", None)


_COLUMNS = """
SELECT c.relname AS name, array_agg(a.attname::text ORDER BY a.attnum) AS columns
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v')
GROUP BY c.relname
"""


async def table_columns(engine: AsyncEngine) -> dict[str, tuple[str, ...]]:
    """Every table's columns in their order, by name, as the catalog has them."""
    async with engine.connect() as connection:
        rows = await connection.execute(text(_COLUMNS))
        return {row.name: tuple(row.columns) for row in rows}
