"""Group py-spy samples (raw / collapsed-stack format: "frame;frame;... count") by layer.

    .venv/bin/python -m bench.peer.analyze_pyspy CHAPTERS_BENCH_DIR/results/pyspy-q1.txt

Two views of the same samples (py-spy records only threads that are running, so a sample is CPU
time, not waiting on PostgreSQL):
* by layer (exclusive): each sample goes to the innermost frame that belongs to a known layer
  (stdlib helpers count for the layer that called them); the shares add up to 100 %;
* by phase (inclusive): share of samples whose stack contains the phase's frame (overlapping).
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

FRAME = re.compile(r"^(?P<func>.*?) \((?P<path>[^()]*?)(?::(?P<line>\d+))?\)$")

LAYERS = [
    ("asyncpg driver (protocol, codecs)", ("asyncpg/",)),
    ("SQLAlchemy: SQL constructs + compilation (sql/)", ("sqlalchemy/sql/",)),
    ("SQLAlchemy: ORM (session, events, row -> object loading)", ("sqlalchemy/orm/",)),
    ("SQLAlchemy: engine, pool, dialect, util", ("sqlalchemy/",)),
    ("graphql-core: parse", ("graphql/language/",)),
    ("graphql-core: validate", ("graphql/validation/",)),
    ("graphql-core: execute + types", ("graphql/",)),
    ("Strawberry (schema glue, extensions, relay, DataLoader)", ("strawberry/",)),
    ("JWT / crypto (joserfc, cryptography)", ("joserfc/", "cryptography/", "authlib/")),
    ("Chapters' own code (resolvers, services, authz, tenancy, auth)", ("chapters/",)),
    ("Litestar (routing, DI, request/response)", ("litestar/",)),
    ("uvicorn + httptools (HTTP)", ("uvicorn/", "httptools/")),
    ("JSON (msgspec, json)", ("msgspec/", "json/")),
    ("logging (uvicorn access log)", ("logging/",)),
    ("asyncio / uvloop (event loop)", ("asyncio/", "uvloop/")),
]

# (label, function-name regex, path substring): a sample counts if any frame matches both.
# Notes for reading them: SQLAlchemy's async API runs the ORM in a greenlet, so ORM work shows as
# its own stacks (based at Session.execute / Session.scalar), not under the resolver that awaited
# it; DataLoader batches run in their own asyncio tasks (dispatch_batch).
PHASES = [
    (
        "GraphQL tree walk, resolvers included (graphql-core executor frames)",
        r".*",
        "graphql/execution/",
    ),
    (
        "  Strawberry resolver wrappers, argument + name conversion (schema_converter, name_converter)",
        r".*",
        "strawberry/schema/",
    ),
    (
        "DataLoader batch functions (strawberry dataloader dispatch_batch)",
        r"dispatch_batch",
        "strawberry/dataloader.py",
    ),
    (
        "SQLAlchemy ORM statement execution (Session.execute / scalar, in greenlets)",
        r"^Session\.(execute|scalar|scalars|_execute_internal)$",
        "sqlalchemy/orm/session.py",
    ),
    ("  rows -> ORM objects (orm/loading.py)", r".*", "sqlalchemy/orm/loading.py"),
    (
        "  statement compilation + cache keys (sql/compiler.py, sql/cache_key.py)",
        r".*",
        "sqlalchemy/sql/c",
    ),
    (
        "  tenant predicate hook (tenancy._filter_by_tenant: with_loader_criteria)",
        r"_filter_by_tenant",
        "chapters/tenancy.py",
    ),
    ("asyncpg driver: any frame", r".*", "asyncpg/"),
    (
        "request context: tenant lookup, session, authenticate, commit/close (app.graphql_context)",
        r"^graphql_context$",
        "chapters/app.py",
    ),
    ("  authenticate (JWT verify + principal query)", r"^authenticate$", "chapters/auth/bearer.py"),
    ("    JWT signature + claims check", r"verify_access_token$", "chapters/auth/tokens.py"),
    ("GraphQL parse (ParserCache on)", r".*", "graphql/language/"),
    ("GraphQL validate (ValidationCache on)", r".*", "graphql/validation/"),
    ("Litestar: any frame", r".*", "litestar/"),
    ("logging (uvicorn access log)", r".*", "logging/"),
]


def parse(path: Path):
    stacks = []
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line:
            continue
        stack, _, count = line.rpartition(" ")
        frames = []
        for f in stack.split(";"):
            m = FRAME.match(f)
            frames.append((m.group("func"), m.group("path")) if m else (f, ""))
        stacks.append((frames, int(count)))
    return stacks


def layer_of(frames):
    for _func, path in reversed(frames):
        for label, prefixes in LAYERS:
            if any(p in path for p in prefixes):
                return label
    return "other (interpreter, stdlib at top level)"


def report(path: Path, title: str = "py-spy samples") -> str:
    stacks = parse(Path(path))
    total = sum(c for _, c in stacks)
    if not total:
        return "no samples"
    by_layer = Counter()
    leaf = Counter()
    for frames, c in stacks:
        by_layer[layer_of(frames)] += c
        func, p = frames[-1]
        leaf[f"{func} ({p})"] += c
    out = [
        f"### {title}: {total} samples",
        "",
        "| layer (exclusive) | share of CPU samples |",
        "|---|---:|",
    ]
    for label, c in by_layer.most_common():
        out.append(f"| {label} | {100 * c / total:.1f} % |")
    out += ["", "| phase (inclusive, overlapping) | share of CPU samples |", "|---|---:|"]
    for label, fre, pathsub in PHASES:
        rx = re.compile(fre)
        c = sum(n for frames, n in stacks if any(pathsub in p and rx.search(f) for f, p in frames))
        out.append(f"| {label} | {100 * c / total:.1f} % |")
    out += ["", "Top leaf functions:", ""]
    for name, c in leaf.most_common(15):
        out.append(f"- {100 * c / total:.1f} % {name}")
    return "\n".join(out)


if __name__ == "__main__":
    print(report(Path(sys.argv[1])))
