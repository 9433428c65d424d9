"""The tenant tables as the database's own catalog describes them, in the order their foreign
keys allow.

A *tenant table* is a table of the ``public`` schema with a ``tenant_id`` column; the migrations
give each a primary key, foreign keys and unique keys that include ``tenant_id``
(``tests/tenancy/test_catalog.py``). Reading them from the catalog, not from the models, is what
lets moving a tenant (``chapters.tenants.moves``) and the Citus distribution DDL
(``deploy/citus.md``) include a new table without a code change, and include a table no model
maps.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import asyncpg

SCHEMA = "public"
TENANT_COLUMN = "tenant_id"
TENANT_DIRECTORY = "tenants"  # the global table every tenant table references

_DESCRIBE = """
SELECT c.relname AS name,
       ARRAY(SELECT a.attname::text FROM pg_attribute a
             WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
               AND a.attgenerated = ''
             ORDER BY a.attnum) AS columns,
       ARRAY(SELECT format_type(a.atttypid, NULL) FROM pg_attribute a
             WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
               AND a.attgenerated = ''
             ORDER BY a.attnum) AS types,
       ARRAY(SELECT a.attname::text FROM pg_constraint k
             CROSS JOIN LATERAL unnest(k.conkey) WITH ORDINALITY AS key(attnum, position)
             JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = key.attnum
             WHERE k.conrelid = c.oid AND k.contype = 'p'
             ORDER BY key.position) AS key,
       ARRAY(SELECT a.attname::text FROM pg_attribute a
             WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
               AND a.attcollation <> 0) AS collatable
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition
"""
_TENANT_TABLES = (
    _DESCRIBE
    + """  AND EXISTS (SELECT 1 FROM pg_attribute t WHERE t.attrelid = c.oid
              AND t.attname = $2 AND NOT t.attisdropped)"""
)
_ONE_TABLE = _DESCRIBE + "  AND c.relname = $2"

_FOREIGN_KEYS = """
SELECT con.conname AS name, child.relname AS child, parent.relname AS parent,
       ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, i)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
             ORDER BY k.i) AS columns,
       ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, i)
             JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum
             ORDER BY k.i) AS referenced
FROM pg_constraint con
JOIN pg_class child ON child.oid = con.conrelid
JOIN pg_class parent ON parent.oid = con.confrelid
JOIN pg_namespace n ON n.oid = con.connamespace
WHERE con.contype = 'f' AND n.nspname = $1
"""


class CatalogError(Exception):
    """The tenant tables cannot be put in an order their foreign keys allow."""


@dataclass(frozen=True)
class ForeignKey:
    name: str
    child: str
    parent: str
    columns: tuple[str, ...]
    referenced: tuple[str, ...]


@dataclass(frozen=True)
class TenantTable:
    """One tenant table: its columns in the table's order with their types (without length
    limits: ``character varying``), its primary key, the tenant tables it references, and its
    references to itself (a chapter's parent chapter)."""

    name: str
    columns: tuple[str, ...]
    types: tuple[str, ...]
    key: tuple[str, ...]
    collatable: frozenset[str]  # columns with a collation: ordered bytewise (COLLATE "C")
    parents: frozenset[str]
    self_references: tuple[ForeignKey, ...]


async def foreign_keys(connection: asyncpg.Connection) -> list[ForeignKey]:
    """Every foreign key of the schema's tables."""
    rows = await connection.fetch(_FOREIGN_KEYS, SCHEMA)
    return [
        ForeignKey(
            name=row["name"],
            child=row["child"],
            parent=row["parent"],
            columns=tuple(row["columns"]),
            referenced=tuple(row["referenced"]),
        )
        for row in rows
    ]


async def tenant_tables(connection: asyncpg.Connection) -> list[TenantTable]:
    """Every tenant table, each after the tenant tables it references (ties by name)."""
    rows = await connection.fetch(_TENANT_TABLES, SCHEMA, TENANT_COLUMN)
    names = {row["name"] for row in rows}
    keys = await foreign_keys(connection)
    tables = {
        row["name"]: _table(row, [key for key in keys if key.child == row["name"]], names)
        for row in rows
    }
    return [tables[name] for name in dependency_order({n: t.parents for n, t in tables.items()})]


async def describe_table(connection: asyncpg.Connection, name: str) -> TenantTable:
    """One table of the schema (the tenant directory, say), described as a tenant table is."""
    row = await connection.fetchrow(_ONE_TABLE, SCHEMA, name)
    if row is None:
        raise CatalogError(f"there is no table {name!r}")
    return _table(row, [], set())


def _table(row: Mapping[str, Any], keys: list[ForeignKey], tenant_names: set[str]) -> TenantTable:
    name = row["name"]
    return TenantTable(
        name=name,
        columns=tuple(row["columns"]),
        types=tuple(row["types"]),
        key=tuple(row["key"]),
        collatable=frozenset(row["collatable"]),
        parents=frozenset(key.parent for key in keys if key.parent in tenant_names) - {name},
        self_references=tuple(key for key in keys if key.parent == name),
    )


def dependency_order(parents: Mapping[str, Iterable[str]]) -> list[str]:
    """The names, each after its parents (ties by name, so the order is stable); a cycle of
    references between tables is an error: no order of inserts satisfies it."""
    waiting = {name: set(of) & parents.keys() for name, of in parents.items()}
    ordered: list[str] = []
    while waiting:
        ready = sorted(name for name, of in waiting.items() if not of)
        if not ready:
            raise CatalogError(
                "these tables reference each other in a cycle: " + ", ".join(sorted(waiting))
            )
        for name in ready:
            del waiting[name]
        for of in waiting.values():
            of.difference_update(ready)
        ordered.extend(ready)
    return ordered


def quote(identifier: str) -> str:
    """An identifier quoted for SQL (the catalog's names, never input)."""
    return '"' + identifier.replace('"', '""') + '"'
