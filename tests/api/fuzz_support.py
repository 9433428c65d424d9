"""The schema-driven fuzzer's parts: operations generated from the GraphQL type system, the
judgement of an answer, and the database invariants checked afterwards.

Operations are built from ``chapters.api.schema.schema`` itself, so a new root field, argument
or input field is fuzzed without touching this module. Everything is drawn from one seeded
``random.Random`` per field and caller: the same seed generates the same operations.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    Undefined,
    get_named_type,
)
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from strawberry.relay import to_base64

OMIT = object()  # an optional argument or input field left out

# Every length limit of the models and services, so that each TOO_LONG bound is crossed (and
# met with trailing blanks, which a check of the stripped value lets through).
LENGTH_BOUNDS = (2, 10, 16, 32, 39, 50, 63, 64, 100, 200, 255, 256, 300, 320, 500, 2000, 10_000)
INT_EDGES = (0, -1, 1, 20, 100, 101, 2**31 - 1, -(2**31))
HOSTILE_STRINGS = (
    "",
    " ",
    "\t\n",
    "a\x00b",
    "\x00",
    "\ud800",
    "x\udfffy",
    "🎉🚀 中文 \U0001d518\U0001d52b",  # emoji, CJK, astral letters
    "e\u0301\u200b\u202e",
    "NOT_A_KIND",
    "lead",
    "'; DROP TABLE people; --",
    "%_\\",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "javascript:alert(1)",
    "http://127.0.0.1:1/",
    "1e309",
    "-0",
    "null",
    "x" * 70_000,
)
DATETIMES = (
    "2026-06-01T10:00:00+08:00",
    "2026-06-01T12:00:00Z",
    "0001-01-01T00:00:00+00:00",
    "9999-12-31T23:59:59.999999+00:00",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "2026-06-01T10:00:00",
    "2026-02-30T00:00:00Z",
    "1970-01-01T00:00:00Z",
)
DATES = ("2026-06-01", "0001-01-01", "9999-12-31", "2026-02-30", "1900-02-29", "2024-02-29")
JSON_VALUES = ({}, [], {"kind": "website", "url": "https://x.example"}, "x", 0, None)
EMAILS = ("fuzz@x.example", "FUZZ@X.EXAMPLE", "not-an-email", "a@b", "@", "a" * 330 + "@x.io")
URLS = ("https://x.example/a", "http://127.0.0.1/", "ftp://x", "not a url", "https://" + "a" * 600)


def made_up_ids() -> list[str]:
    """Ids that name nothing: made-up objects, types without a resolver, malformed text."""
    ghost = str(uuid.UUID(int=7))
    return [
        to_base64("Chapter", ghost),
        to_base64("Person", ghost),
        to_base64("NoSuchType", ghost),
        to_base64("UserError", ghost),
        to_base64("PageInfo", ghost),
        to_base64("Chapter", "not-a-uuid"),
        to_base64("Chapter", ""),
        to_base64("", ghost),
        to_base64("Chapter", ghost + "\x00"),
        "Q2hhcHRlcjo",  # truncated base64
        "!!!not base64!!!",
        "",
        "\x00",
        "\ud800",
        "Chapter:" + ghost,  # not encoded at all
        "x" * 5000,
    ]


def made_up_cursors() -> list[str]:
    """Cursors no server wrote: garbage, plausible-looking JSON, values of the wrong type."""
    import base64

    def b64(value: Any) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return [
        "",
        "!!!",
        "bm90IGpzb24",  # "not json"
        b64([["v", "a"], ["u", str(uuid.UUID(int=1))]]),
        b64([["v", 10**40], ["u", str(uuid.UUID(int=1))]]),
        b64([["t", "2026-01-01T00:00:00"], ["u", "not-a-uuid"]]),
        b64([["v", None], ["v", None]]),
        b64([["x", 1]]),
        b64({"a": 1}),
        b64([[["v", 1]] * 3] * 3),
        b64([["v", "a\x00"], ["u", str(uuid.UUID(int=1))]]),
        "x" * 10_000,
    ]


@dataclass
class Pools:
    """Values an operation draws from: real ids of the fuzzed tenant (by type), the other
    tenant's ids, made-up ids, real and made-up cursors, slugs."""

    ids: dict[str, list[str]]
    foreign_ids: list[str]
    slugs: list[str]
    cursors: list[str] = field(default_factory=list)
    extra_ids: list[str] = field(default_factory=made_up_ids)
    bad_cursors: list[str] = field(default_factory=made_up_cursors)

    def id_types(self) -> list[str]:
        return sorted(self.ids)

    def learn(self, body: Any) -> None:
        """Keep cursors seen in answers, for later operations (bounded)."""
        for key, value in _walk(body):
            is_cursor = key in ("cursor", "endCursor", "startCursor") and isinstance(value, str)
            if is_cursor and len(self.cursors) < 200 and value not in self.cursors:
                self.cursors.append(value)


def _walk(value: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield key, item
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)


# --- generating values from input types ------------------------------------------------------


class Values:
    """Draws argument values for one operation; half of the draws are hostile."""

    def __init__(self, rng: random.Random, pools: Pools) -> None:
        self.rng, self.pools = rng, pools

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pick(self, options: Any) -> Any:
        return options[self.rng.randrange(len(options))]

    def for_argument(self, name: str, type_: GraphQLInputType, required: bool) -> Any:
        if not required and self.chance(0.25):
            return self.pick((OMIT, None))
        return self.of(name, type_)

    def of(self, name: str, type_: GraphQLInputType) -> Any:
        if isinstance(type_, GraphQLNonNull):
            if self.chance(0.03):
                return None  # a null where the schema says non-null: the edge refuses it
            return self.of(name, type_.of_type)
        if isinstance(type_, GraphQLList):
            return self.list_of(name, type_.of_type)
        if isinstance(type_, GraphQLInputObjectType):
            return self.input_object(type_)
        if isinstance(type_, GraphQLEnumType):
            if self.chance(0.05):
                return self.pick(("NOT_A_VALUE", "", "lead"))
            return self.pick(sorted(type_.values))
        assert isinstance(type_, GraphQLScalarType), type_
        return self.scalar(name, type_.name)

    def list_of(self, name: str, item: GraphQLInputType) -> Any:
        shape = self.pick(("empty", "one", "few", "same", "many"))
        if shape == "empty":
            return []
        if shape == "same":
            value = self.of(name, item)
            return [value, value]
        count = {"one": 1, "few": 3, "many": 101}[shape]
        return [self.of(name, item) for _ in range(count)]

    def input_object(self, type_: GraphQLInputObjectType) -> dict[str, Any]:
        value = {}
        for field_name, input_field in type_.fields.items():
            required = isinstance(input_field.type, GraphQLNonNull)
            required = required and input_field.default_value is Undefined
            drawn = self.for_argument(field_name, input_field.type, required)
            if drawn is not OMIT:
                value[field_name] = drawn
        return value

    def scalar(self, name: str, scalar: str) -> Any:
        lowered = name.lower()
        if scalar == "ID" or lowered.endswith("id") or lowered.endswith("ids"):
            return self.an_id(name)
        if scalar == "Int":
            return self.an_int()
        if scalar == "Boolean":
            return self.chance(0.5)
        if scalar == "Float":
            return self.pick((0.0, -1.0, 1e300, -1e300, 0.5))
        if scalar == "DateTime":
            return self.pick(DATETIMES) if self.chance(0.8) else self.a_string()
        if scalar == "Date":
            return self.pick(DATES) if self.chance(0.8) else self.a_string()
        if scalar == "JSON":
            return self.pick(JSON_VALUES)
        if lowered in ("after", "before"):
            return self.a_cursor()
        return self.named_string(lowered)

    def an_int(self) -> int:
        return self.pick(INT_EDGES) if self.chance(0.7) else self.rng.randint(-5, 150)

    def an_id(self, name: str) -> str:
        roll = self.rng.random()
        if roll < 0.55:
            wanted = _type_hint(name, self.pools.id_types())
            kind = wanted if wanted and self.chance(0.8) else self.pick(self.pools.id_types())
            return self.pick(self.pools.ids[kind])
        if roll < 0.75:
            return self.pick(self.pools.foreign_ids)
        return self.pick(self.pools.extra_ids)

    def a_cursor(self) -> str:
        if self.pools.cursors and self.chance(0.6):
            return self.pick(self.pools.cursors)
        return self.pick(self.pools.bad_cursors)

    def a_string(self) -> str:
        roll = self.rng.random()
        if roll < 0.5:
            return self.pick(HOSTILE_STRINGS)
        bound = self.pick(LENGTH_BOUNDS)
        return "x" * (bound + 1) if roll < 0.75 else "y" * bound + "   "

    def named_string(self, lowered: str) -> str:
        if self.chance(0.45):
            return self.a_string()
        if "slug" in lowered:
            return self.pick(self.pools.slugs)
        if "email" in lowered:
            return self.pick(EMAILS)
        if "url" in lowered or "issuer" in lowered or "uri" in lowered:
            return self.pick(URLS)
        if "timezone" in lowered:
            return self.pick(("Asia/Shanghai", "UTC", "Mars/Olympus"))
        if "locale" in lowered:
            return self.pick(("zh-CN", "en", "xx-!!"))
        if "scope" in lowered:
            return self.pick(("activities:read", "export", "admin", "chapters:read"))
        return self.pick(("Fuzz", "fuzz text", "Hangzhou meetup", "a", "2026"))


def _type_hint(argument: str, types: list[str]) -> str | None:
    """``chapterId`` → ``Chapter``, ``membershipId`` → ``ChapterMembership`` …"""
    stem = argument.removesuffix("s").removesuffix("Id").removesuffix("ID").lower()
    if not stem or stem == "i":
        return None
    matches = [name for name in types if name.lower().endswith(stem)]
    return min(matches, key=len) if matches else None


# --- the selection: a small shape of the return type -----------------------------------------


class Shapes:
    """A small selection of a type: its scalars, ``errors { field code message }``, and a few
    nested objects a few levels down (some with fuzzed paging arguments)."""

    def __init__(self, values: Values, arguments: Callable[[GraphQLField, str], str]) -> None:
        self.values, self.arguments = values, arguments

    def of(self, type_: GraphQLNamedType, depth: int) -> str:
        if isinstance(type_, (GraphQLScalarType, GraphQLEnumType)):
            return ""
        if isinstance(type_, GraphQLUnionType):
            kinds = " ".join(f"... on {t.name} {{ __typename }}" for t in type_.types[:3])
            return f"{{ __typename {kinds} }}"
        assert isinstance(type_, (GraphQLObjectType, GraphQLInterfaceType)), type_
        parts = ["__typename"]
        nested = []
        for name, field_ in type_.fields.items():
            if any(isinstance(a.type, GraphQLNonNull) for a in field_.args.values()):
                continue
            named = get_named_type(field_.type)
            if isinstance(named, (GraphQLScalarType, GraphQLEnumType)):
                parts.append(name)
            elif name == "errors":
                parts.append("errors { field code message }")
            elif depth > 0:
                nested.append((name, field_, named))
        self.values.rng.shuffle(nested)
        for name, field_, named in nested[:3]:
            arguments = self.arguments(field_, name) if field_.args else ""
            parts.append(f"{name}{arguments} {self.of(named, depth - 1)}")
        return "{ " + " ".join(parts) + " }"


# --- one operation ---------------------------------------------------------------------------


@dataclass
class Operation:
    root: str  # "Query" or "Mutation"
    field: str
    document: str
    variables: dict[str, Any]
    inlined: bool

    def summary(self) -> str:
        values = self.variables if not self.inlined else {"(inlined)": self.document}
        return _short(values)


def _short(value: Any, limit: int = 240) -> str:
    def shrink(item: Any) -> Any:
        if isinstance(item, str):
            return item if len(item) <= 40 else f"{item[:24]!r}…(len {len(item)})"
        if isinstance(item, list):
            return [shrink(i) for i in item[:4]] + (
                [f"…{len(item)} items"] if len(item) > 4 else []
            )
        if isinstance(item, dict):
            return {k: shrink(v) for k, v in item.items()}
        return item

    text_ = json.dumps(shrink(value), ensure_ascii=True)
    return text_ if len(text_) <= limit else text_[:limit] + "…"


class OperationBuilder:
    """Builds operations for one root field from the schema's type system."""

    def __init__(self, schema: GraphQLSchema, pools: Pools, rng: random.Random) -> None:
        self.schema, self.values = schema, Values(rng, pools)

    def build(self, root: str, name: str) -> Operation:
        root_type = self.schema.query_type if root == "Query" else self.schema.mutation_type
        assert root_type is not None
        field_ = root_type.fields[name]
        inline = self.values.chance(0.2)
        definitions: list[str] = []
        variables: dict[str, Any] = {}

        def arguments(target: GraphQLField, owner: str, *, root_field: bool = False) -> str:
            given = []
            for arg_name, arg in target.args.items():
                required = isinstance(arg.type, GraphQLNonNull) and arg.default_value is Undefined
                if not root_field and (required or self.values.chance(0.6)):
                    continue
                value = self.values.for_argument(arg_name, arg.type, required)
                if value is OMIT:
                    continue
                if inline:
                    given.append(f"{arg_name}: {literal(value, arg.type)}")
                else:
                    variable = f"v{len(definitions)}"
                    definitions.append(f"${variable}: {arg.type}")
                    variables[variable] = value
                    given.append(f"{arg_name}: ${variable}")
            return f"({', '.join(given)})" if given else ""

        shapes = Shapes(self.values, lambda f, owner: arguments(f, owner))
        call = arguments(field_, name, root_field=True)
        selection = shapes.of(get_named_type(field_.type), depth=3)
        header = f"({', '.join(definitions)})" if definitions else ""
        keyword = "query" if root == "Query" else "mutation"
        document = f"{keyword} Fuzz{header} {{ {name}{call} {selection} }}"
        return Operation(root, name, document, variables, inline)


def literal(value: Any, type_: GraphQLInputType) -> str:
    """``value`` written as a GraphQL literal of ``type_``."""
    if value is None:
        return "null"
    if isinstance(type_, GraphQLNonNull):
        return literal(value, type_.of_type)
    if isinstance(type_, GraphQLList):
        items = value if isinstance(value, list) else [value]
        return "[" + ", ".join(literal(item, type_.of_type) for item in items) + "]"
    if isinstance(type_, GraphQLInputObjectType) and isinstance(value, dict):
        fields = ", ".join(
            f"{key}: {literal(item, type_.fields[key].type)}" for key, item in value.items()
        )
        return "{" + fields + "}"
    if isinstance(type_, GraphQLEnumType) and isinstance(value, str) and value.isidentifier():
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {literal(v, type_)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(literal(v, type_) for v in value) + "]"
    return json.dumps(value)


def root_fields(schema: GraphQLSchema) -> list[tuple[str, str]]:
    """Every root field, queries first (mutations change what later operations meet)."""
    assert schema.query_type is not None and schema.mutation_type is not None
    return [("Query", name) for name in sorted(schema.query_type.fields)] + [
        ("Mutation", name) for name in sorted(schema.mutation_type.fields)
    ]


# --- judging one answer ----------------------------------------------------------------------

INTERNAL_MESSAGE = "Unexpected error."


def problem_of(status: int, body: Any) -> str | None:
    """What is wrong with an answer, or None: any 5xx, any INTERNAL or masked error."""
    if status >= 500:
        return f"HTTP {status}: {_short(body, 160)}"
    if not isinstance(body, dict):
        return None  # a 4xx with a plain-text body
    for error in body.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        if code == "INTERNAL" or error.get("message") == INTERNAL_MESSAGE:
            return f"{code or 'masked'} at {error.get('path')}"
    return None


# --- database invariants ---------------------------------------------------------------------

# Each query lists violations within the current tenant (the owner role under row-level
# security with app.tenant_id set); an empty answer means the invariant holds.
HISTORY_INVARIANTS = {
    "more than one active lead in a chapter": """
        SELECT chapter_id::text FROM chapter_memberships
        WHERE role = 'lead' AND status = 'active' GROUP BY chapter_id HAVING count(*) > 1""",
    "a membership without exactly one open period": """
        SELECT m.id::text FROM chapter_memberships m
        LEFT JOIN chapter_membership_periods p ON p.membership_id = m.id AND p.ended_at IS NULL
        GROUP BY m.id HAVING count(p.id) <> 1""",
    "an open period that disagrees with its membership": """
        SELECT m.id::text FROM chapter_memberships m
        JOIN chapter_membership_periods p ON p.membership_id = m.id AND p.ended_at IS NULL
        WHERE p.role <> m.role OR p.status <> m.status
           OR p.chapter_id <> m.chapter_id OR p.person_id <> m.person_id""",
    "two overlapping periods of one membership": """
        SELECT a.id::text || ' & ' || b.id::text FROM chapter_membership_periods a
        JOIN chapter_membership_periods b ON a.membership_id = b.membership_id AND a.id < b.id
        WHERE tstzrange(a.started_at, a.ended_at) && tstzrange(b.started_at, b.ended_at)""",
    "a gap after a closed period (the next one does not start when it ends)": """
        SELECT a.id::text FROM chapter_membership_periods a
        WHERE a.ended_at IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM chapter_membership_periods b
            WHERE b.membership_id = a.membership_id AND b.id <> a.id
              AND b.started_at = a.ended_at)""",
    "an active membership without a join time": """
        SELECT id::text FROM chapter_memberships WHERE status = 'active' AND joined_at IS NULL""",
}


async def history_violations(owner_engine: AsyncEngine, tenant_ids: list[uuid.UUID]) -> list[str]:
    async with owner_engine.connect() as conn:
        problems = []
        for tenant_id in tenant_ids:
            async with conn.begin():
                problems += await tenant_history_violations(conn, tenant_id)
        return problems


async def tenant_history_violations(conn: AsyncConnection, tenant_id: uuid.UUID) -> list[str]:
    """The history invariants' violations in one tenant, inside the caller's transaction."""
    await conn.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant_id)})
    (count,) = (await conn.execute(text("SELECT count(*) FROM chapter_memberships"))).one()
    assert count > 0, "the invariants would hold vacuously: no memberships seen"
    problems = []
    for name, query in HISTORY_INVARIANTS.items():
        rows = (await conn.execute(text(query))).scalars().all()
        problems += [f"{name}: {row}" for row in rows[:5]]
    return problems
