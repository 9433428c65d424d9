"""The schema-driven fuzzer: every Query and Mutation root field, with arguments generated from
the schema's input types (nulls, omitted optionals, empty and huge strings over every length
limit, NUL and lone surrogates, emoji, boundary numbers, foreign, made-up and malformed ids and
cursors, dates at the extremes), sent over HTTP by several kinds of caller.

No answer may be a 5xx or carry an INTERNAL ("Unexpected error.") error, every request finishes
within a deadline, and afterwards the database still keeps its catalog and history invariants.

``CHAPTERS_FUZZ_EXAMPLES`` sets the operations per root field and caller (the short form of
``make test`` by default; ``make fuzz`` runs a longer one), ``CHAPTERS_FUZZ_SEED`` the seed, and
``CHAPTERS_FUZZ_ONLY`` (comma-separated root field names) narrows a run to reproduce a failure.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import time
from collections import Counter
from dataclasses import asdict, dataclass

import httpx
import pytest
from sqlalchemy import text
from strawberry import relay

from chapters.api.schema import schema
from tests.api.fuzz_support import (
    HISTORY_INVARIANTS,
    Operation,
    OperationBuilder,
    Pools,
    history_violations,
    problem_of,
    root_fields,
    tenant_history_violations,
)
from tests.seeding import ABROAD, HOME, Naming, Seeded, Seeder, seeded_tenant
from tests.tenancy.test_catalog import (
    foreign_key_violations,
    rls_violations,
    unique_key_violations,
    unlisted_tenant_free_tables,
)

EXAMPLES = int(os.environ.get("CHAPTERS_FUZZ_EXAMPLES", "6"))
SEED = os.environ.get("CHAPTERS_FUZZ_SEED", "chapters")
VERBOSE = os.environ.get("CHAPTERS_FUZZ_VERBOSE", "") not in ("", "0")
ONLY = {name for name in os.environ.get("CHAPTERS_FUZZ_ONLY", "").split(",") if name}
DEADLINE_SECONDS = 10.0
CALLERS = ("anonymous", "member_a", "lead_a", "ops", "admin", "partner")

FUZZ_HOME = Naming("fuzzhome", "fuzz-home.example", "Fuzzhome", ("fuzz-alpha", "fuzz-beta"))
FUZZ_ABROAD = Naming("fuzzabroad", "fuzz-abroad.example", "Fuzzabroad", ("fa-alpha", "fa-beta"))
assert FUZZ_HOME.prefix not in (HOME.prefix, ABROAD.prefix)


@dataclass
class FuzzWorld:
    client: httpx.AsyncClient
    home: Seeded
    abroad: Seeded
    tokens: dict[str, str | None]
    pools: Pools


def _ids_by_type(seeded: Seeded) -> dict[str, list[str]]:
    ids: dict[str, set[str]] = {}
    for place in seeded.places.values():
        for name, value in asdict(place).items():
            if name in ("slug", "member_name"):
                continue
            type_name, _ = relay.from_base64(value)
            ids.setdefault(type_name, set()).add(value)
    return {type_name: sorted(values) for type_name, values in ids.items()}


@pytest.fixture(scope="module")
async def fuzz_world(client, tenants, owner_engine) -> FuzzWorld:
    home_tenant = await seeded_tenant(tenants, FUZZ_HOME)
    abroad_tenant = await seeded_tenant(tenants, FUZZ_ABROAD)
    seeder = Seeder(client, home_tenant, FUZZ_HOME)
    home = await seeder.build(owner_engine)
    abroad = await Seeder(client, abroad_tenant, FUZZ_ABROAD).build(owner_engine)
    tokens: dict[str, str | None] = {"anonymous": None}
    for who in CALLERS[1:-1]:
        tokens[who] = home_tenant.token(FUZZ_HOME.email(who))
    partner = await seeder.api_client(
        "Partner portal",
        ["activities:read", "chapters:read"],
        kind="PARTNER",
        organisationId=home.places["A"].partner_org,
    )
    tokens["partner"] = await seeder.client_token(partner)
    foreign = sorted({v for ids in _ids_by_type(abroad).values() for v in ids})
    pools = Pools(
        ids=_ids_by_type(home),
        foreign_ids=foreign,
        slugs=[*FUZZ_HOME.slugs, *FUZZ_ABROAD.slugs, "no-such-chapter"],
    )
    return FuzzWorld(client, home, abroad, tokens, pools)


class _Tracebacks(logging.Handler):
    """Keeps the exceptions logged during a request, and where in the service each was
    raised, so that a failure says where the server broke."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            line = f"{type(error).__name__}: {str(error)[:200]} ({_raised_at(error)})"
            if line not in self.seen:
                self.seen.append(line)

    def take(self) -> str | None:
        seen, self.seen = self.seen, []
        return " | ".join(seen) or None


def _raised_at(error: BaseException) -> str:
    """The innermost frame of the service's own code in the traceback."""
    where, frame = "?", error.__traceback__
    while frame is not None:
        path = frame.tb_frame.f_code.co_filename
        if "/chapters/" in path and "site-packages" not in path:
            where = f"chapters/{path.rsplit('/chapters/', 1)[1]}:{frame.tb_lineno}"
        frame = frame.tb_next
    return where


async def _send(world: FuzzWorld, operation: Operation, token: str | None) -> tuple[int, object]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    payload = {"query": operation.document, "variables": operation.variables}
    response = await asyncio.wait_for(
        world.client.post(
            f"/t/{world.home.tenant.slug}/graphql",
            content=json.dumps(payload).encode(),
            headers=headers,
        ),
        DEADLINE_SECONDS,
    )
    try:
        return response.status_code, response.json()
    except ValueError:
        return response.status_code, response.text


async def test_fuzz_every_root_field(fuzz_world: FuzzWorld, owner_engine, capsys) -> None:
    graphql_schema = schema._schema
    tracebacks = _Tracebacks()
    logging.getLogger("chapters").addHandler(tracebacks)
    failures: list[str] = []
    sent: Counter[str] = Counter()
    statuses: Counter[int] = Counter()
    slowest = 0.0
    started = time.monotonic()
    try:
        for root, name in root_fields(graphql_schema):
            if ONLY and name not in ONLY:
                continue
            for caller in CALLERS:
                rng = random.Random(f"{SEED}:{root}.{name}:{caller}")
                builder = OperationBuilder(graphql_schema, fuzz_world.pools, rng)
                for _ in range(EXAMPLES):
                    operation = builder.build(root, name)
                    began = time.monotonic()
                    try:
                        status, body = await _send(fuzz_world, operation, fuzz_world.tokens[caller])
                        problem = problem_of(status, body)
                    except TimeoutError:
                        status, body, problem = 0, None, f"no answer in {DEADLINE_SECONDS} s"
                    elapsed = time.monotonic() - began
                    slowest = max(slowest, elapsed)
                    if problem is None and elapsed > DEADLINE_SECONDS:
                        problem = f"answered after {elapsed:.1f} s"
                    sent[caller] += 1
                    statuses[status] += 1
                    fuzz_world.pools.learn(body)
                    cause = tracebacks.take()
                    if problem:
                        failures.append(
                            f"{root}.{name} as {caller}: {problem}; {cause or 'no traceback'};"
                            f" variables {operation.summary()}"
                            + (
                                f"\n  {operation.document}\n  {operation.variables}"
                                if VERBOSE
                                else ""
                            )
                        )
    finally:
        logging.getLogger("chapters").removeHandler(tracebacks)
    duration = time.monotonic() - started
    with capsys.disabled():
        print(
            f"\nfuzzer: {sum(sent.values())} operations ({EXAMPLES} per field and caller;"
            f" {dict(sent)}), statuses {dict(sorted(statuses.items()))}, {len(failures)}"
            f" failures, slowest {slowest:.2f} s, {duration:.1f} s"
        )
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures)


async def test_after_fuzzing_the_invariants_hold(fuzz_world: FuzzWorld, owner_engine) -> None:
    """Runs after the fuzzer (same module, declared after it) on what it left behind."""
    tenant_ids = [fuzz_world.home.tenant.id, fuzz_world.abroad.tenant.id]
    problems = await history_violations(owner_engine, tenant_ids)
    async with owner_engine.connect() as conn:
        for guard in (
            rls_violations,
            foreign_key_violations,
            unique_key_violations,
            unlisted_tenant_free_tables,
        ):
            problems += await guard(conn)
    assert problems == []


# Inputs the fuzzer once found answered INTERNAL, kept as fixed regressions.
FOUND = {
    "a DateTime past the year 9999 in UTC": (
        "query ($slug: String!, $f: MembershipHistoryFilter) { chapter(slug: $slug) {"
        " membershipHistory(filter: $f) { totalCount } } }",
        {"f": {"overlapping": {"from": "1970-01-01T00:00:00Z", "to": "9999-12-31T23:59:59-14:00"}}},
    ),
    "a DateTime before the year 1 in UTC": (
        "query ($slug: String!) { chapter(slug: $slug) { membershipHistory(filter: {startedWithin:"
        ' {from: "0001-01-01T00:00:00+14:00", to: "2026-01-01T00:00:00Z"}}) { totalCount } } }',
        {},
    ),
}


@pytest.mark.parametrize("case", FOUND, ids=list(FOUND))
async def test_inputs_the_fuzzer_found(fuzz_world: FuzzWorld, case: str) -> None:
    document, variables = FOUND[case]
    operation = Operation("Query", case, document, variables | {"slug": FUZZ_HOME.slugs[0]}, False)
    status, body = await _send(fuzz_world, operation, fuzz_world.tokens["ops"])
    assert problem_of(status, body) is None, body
    assert status in (200, 400) and body["errors"], body
    assert "DateTime" in body["errors"][0]["message"]


# Each set of statements breaks one history invariant (the unique indexes that also guard the
# first two are dropped first), mostly by adding a period next to some membership's open one;
# all of it is rolled back.
_PERIOD = "membership_id, chapter_id, person_id, role, status, started_at, ended_at"


def _beside_open_period(started: str, ended: str) -> str:
    return (
        f"INSERT INTO chapter_membership_periods (tenant_id, id, {_PERIOD})"
        " SELECT tenant_id, gen_random_uuid(), membership_id, chapter_id, person_id, role,"
        f" status, {started}, {ended} FROM chapter_membership_periods"
        " WHERE ended_at IS NULL LIMIT 1"
    )


BREAKERS = {
    "more than one active lead in a chapter": (
        "DROP INDEX uq_chapter_memberships_one_active_lead",
        "UPDATE chapter_memberships SET role = 'lead' WHERE status = 'active'",
    ),
    "a membership without exactly one open period": (
        "DROP INDEX uq_chapter_membership_periods_one_open",
        _beside_open_period("started_at", "NULL"),
    ),
    "an open period that disagrees with its membership": (
        "UPDATE chapter_memberships SET status = 'left' WHERE status = 'active'",
    ),
    "two overlapping periods of one membership": (
        _beside_open_period("started_at - interval '1 day'", "started_at + interval '1 hour'"),
    ),
    "a gap after a closed period (the next one does not start when it ends)": (
        _beside_open_period("started_at - interval '2 days'", "started_at - interval '1 day'"),
    ),
    "an active membership without a join time": (
        "UPDATE chapter_memberships SET joined_at = NULL",
    ),
}


@pytest.mark.parametrize("invariant", BREAKERS, ids=range(len(BREAKERS)))
async def test_each_history_invariant_reports_a_violation(
    fuzz_world: FuzzWorld, owner_engine, invariant: str
) -> None:
    """Negative control: the invariants of the fuzzer's last check can fail."""
    assert set(BREAKERS) == set(HISTORY_INVARIANTS)
    tenant_id = fuzz_world.home.tenant.id
    async with owner_engine.connect() as conn, conn.begin() as transaction:
        await conn.execute(
            text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant_id)}
        )
        for statement in BREAKERS[invariant]:
            await conn.execute(text(statement))
        problems = await tenant_history_violations(conn, tenant_id)
        await transaction.rollback()
    assert any(problem.startswith(invariant) for problem in problems), problems
