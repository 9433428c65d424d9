"""The compiled read path answers exactly as the resolvers do: the same JSON (key order
included), the same status, for every kind of caller, on the example operations the compiler
covers and on a generated corpus; what it does not cover falls back to the resolvers."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from graphql import parse

from chapters.api.schema import schema
from chapters.compiled import plan_for
from chapters.settings import PROJECT_ROOT
from tests.compiled.conftest import CALLERS, World
from tests.compiled.corpus import Corpus
from tests.seeding import Seeded

OPERATIONS = sorted((PROJECT_ROOT / "graphql" / "operations").rglob("*.graphql"))
TEXT = {path: path.read_text() for path in OPERATIONS}
VARIABLES_LINE = re.compile(r"^# variables: (.*)$", re.MULTILINE)
MUTATION = re.compile(r"^\s*mutation\b", re.MULTILINE)
# The example operations the compiler covers (a change of coverage shows here).
EXPECTED_COVERED = {
    "ActivityReviewQueue",
    "ChapterBySlug",
    "ChapterDirectory",
    "ChapterLeadsDuring",
    "ChapterMemberDates",
    "ChapterMembersWhoLeft",
    "Node",
    "Tenant",
    "Viewer",
}
CORPUS_SIZE = int(os.environ.get("CHAPTERS_COMPILED_CORPUS", "150"))
CORPUS_SEED = 20261130


def covered(text: str) -> bool:
    return plan_for(schema._schema, text, parse(text), None) is not None


READS = [path for path in OPERATIONS if not MUTATION.search(TEXT[path])]
COVERED = [path for path in READS if covered(TEXT[path])]


def test_the_expected_operations_are_covered() -> None:
    assert {path.stem for path in COVERED} == EXPECTED_COVERED


# The placeholders of graphql/operations/README.md, as the seeded tenant's objects.
PLACEHOLDERS = {
    "@viewerPersonId": "admin",
    "@personId": "spare",
    "@memberPersonId": "member",
    "@chapterId": "chapter",
    "@membershipId": "membership",
    "@committeeId": "committee",
    "@seatId": "seat",
    "@programId": "program",
    "@projectId": "project",
    "@organisationId": "org",
    "@organisationRelationshipId": "relationship",
    "@organisationContactId": "contact",
    "@organisationChapterId": "chapter",
    "@draftActivityId": "draft",
    "@submittedActivityId": "submitted",
    "@endedAcceptedActivityId": "past",
}


def variables_at(text: str, seeded: Seeded, place: str) -> dict:
    match = VARIABLES_LINE.search(text)
    raw = match.group(1) if match else "{}"
    where = seeded.places[place]
    for placeholder, attribute in PLACEHOLDERS.items():
        raw = raw.replace(json.dumps(placeholder), json.dumps(getattr(where, attribute)))
    raw = raw.replace('"shanghai"', json.dumps(where.slug))
    return json.loads(raw)


@pytest.mark.parametrize("path", COVERED, ids=lambda p: p.stem)
async def test_covered_operations_answer_as_the_resolvers(
    world: World, path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    text = TEXT[path]
    runs = [
        variables_at(text, world.home, "A"),
        variables_at(text, world.home, "B"),
        variables_at(text, world.abroad, "A"),
    ]
    compiled_answers = 0
    for caller in CALLERS:
        for variables in runs:
            compiled, resolved = await world.both(caller, text, variables)
            assert (compiled.status, compiled.text) == (resolved.status, resolved.text), (
                caller,
                variables,
            )
            compiled_answers += compiled.compiled
    assert compiled_answers > 0, "never answered by the compiled statement"
    no_compiled_failures(caplog)


def no_compiled_failures(caplog: pytest.LogCaptureFixture) -> None:
    """A statement the database refused is executed by the resolvers instead (the answer is
    right), but it is a bug of the compiler: none may happen here."""
    failures = [r for r in caplog.records if r.name == "chapters.compiled" and r.levelno >= 40]
    assert not failures, failures[0].exc_info


async def test_a_generated_corpus_answers_as_the_resolvers(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    corpus = Corpus(CORPUS_SEED, world.home, world.abroad)
    mismatches, compiled_answers = [], 0
    for index in range(CORPUS_SIZE):
        request = corpus.request()
        caller = CALLERS[index % len(CALLERS)]
        compiled, resolved = await world.both(caller, request.query, request.variables)
        if (compiled.status, compiled.text) != (resolved.status, resolved.text):
            mismatches.append(
                f"{caller}: {request.query} {request.variables}\n"
                f"  compiled: {compiled.text[:600]}\n  resolved: {resolved.text[:600]}"
            )
        compiled_answers += compiled.compiled
    assert not mismatches, "\n".join(mismatches[:5])
    no_compiled_failures(caplog)
    print(f"{compiled_answers} of {CORPUS_SIZE} generated requests compiled")
    # Most generated requests are covered (the rest fall back: rights, uncovered fields).
    assert compiled_answers >= CORPUS_SIZE // 3, compiled_answers


@pytest.mark.parametrize(
    "query",
    [
        # a field the compiler does not cover, beside covered ones
        "query ($slug: String!) { chapter(slug: $slug) { name committee { seats { __typename } } } }",
        # a directive
        "query ($slug: String!) { chapter(slug: $slug) { name @include(if: true) } }",
        # a root field it does not cover
        "query ($slug: String!) { chapter(slug: $slug) { name } tenant { recapOverdueDays } }",
    ],
)
async def test_what_is_not_covered_falls_back(world: World, query: str) -> None:
    assert not covered(query)
    variables = {"slug": world.home.places["A"].slug}
    compiled, resolved = await world.both("lead_a", query, variables)
    assert compiled.text == resolved.text
    assert not compiled.compiled and json.loads(compiled.text)["data"]["chapter"]["name"]


async def test_a_caller_without_the_right_falls_back_with_the_same_error(world: World) -> None:
    """The roster of chapter A for the lead of chapter B: null with FORBIDDEN, as the
    resolvers answer it (the compiled statement's guard hands the request over)."""
    query = "query ($slug: String!) { chapter(slug: $slug) { name members { edges { node { role } } } } }"
    compiled, resolved = await world.both("lead_b", query, {"slug": world.home.places["A"].slug})
    assert compiled.text == resolved.text
    body = json.loads(compiled.text)
    assert body["data"]["chapter"]["members"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert any("json_build_object" in s for s in compiled.statements), "the guard ran first"
    assert not compiled.compiled
