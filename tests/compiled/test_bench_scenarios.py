"""The bench scenarios (Q1 chapter dashboard, Q2 ops feed, Q3 chapter by id) answer the same
through the compiled statement as through the resolvers, for every kind of caller, and a
compiled answer costs at most four statements."""

from __future__ import annotations

import uuid

import pytest

from chapters.api.ids import global_id
from tests.compiled.conftest import CALLERS, World

Q1 = """query ChapterDashboard($slug: String!, $chapterId: ID!) {
  chapter(slug: $slug) {
    id
    name
    members(first: 20) {
      edges { node { role person { displayName } } }
    }
  }
  activities(filter: {chapterId: $chapterId}, first: 20) {
    edges {
      node {
        id title kind status startsAt venue
        organisations { role name }
      }
    }
  }
}"""

Q2 = """query OpsFeed($status: ActivityStatus!) {
  activities(filter: {status: [$status]}, first: 50) {
    edges { node { id title kind status startsAt chapter { name } } }
  }
}"""

Q3 = """query ChapterById($id: ID!) {
  node(id: $id) {
    id
    ... on Chapter { name slug city createdAt }
  }
}"""

STATUSES = ("ACCEPTED", "CANCELLED", "SUBMITTED", "DRAFT", "CHANGES_REQUESTED")


def q1_variables(world: World) -> list[dict[str, str]]:
    home, abroad = world.home.places, world.abroad.places
    made_up = global_id("Chapter", uuid.uuid4())
    return [
        {"slug": home["A"].slug, "chapterId": home["A"].chapter},
        {"slug": home["B"].slug, "chapterId": home["B"].chapter},
        {"slug": home["A"].slug, "chapterId": home["B"].chapter},
        {"slug": abroad["A"].slug, "chapterId": abroad["A"].chapter},
        {"slug": "no-such-chapter", "chapterId": made_up},
    ]


def q3_ids(world: World) -> list[str]:
    home, abroad = world.home.places, world.abroad.places
    return [
        home["A"].chapter,
        home["B"].chapter,
        abroad["A"].chapter,
        global_id("Chapter", uuid.uuid4()),
        home["A"].accepted,
        home["A"].draft,
        home["A"].member,
        home["A"].spare,
        "not an id",
        global_id("Chapter", "not-a-uuid"),  # type: ignore[arg-type]
    ]


async def _same(world: World, caller: str, query: str, variables: dict) -> bool:
    compiled, resolved = await world.both(caller, query, variables)
    assert compiled.status == resolved.status, (caller, variables, compiled.text, resolved.text)
    assert compiled.text == resolved.text, (caller, variables, compiled.text, resolved.text)
    return compiled.compiled


@pytest.mark.parametrize("caller", CALLERS)
async def test_q1_dashboard(world: World, caller: str) -> None:
    compiled = [await _same(world, caller, Q1, v) for v in q1_variables(world)]
    roster_readers = {"co_lead_a", "lead_a", "member_a", "ops", "viewer", "admin", "svc_broad"}
    if caller in roster_readers:
        assert compiled[0], "chapter A's dashboard is compiled for who reads its roster"
    assert compiled[3] and compiled[4], "a chapter of another tenant or none: compiled"


@pytest.mark.parametrize("caller", CALLERS)
async def test_q2_feed(world: World, caller: str) -> None:
    for status in STATUSES:
        assert await _same(world, caller, Q2, {"status": status})


@pytest.mark.parametrize("caller", CALLERS)
async def test_q3_chapter_by_id(world: World, caller: str) -> None:
    for node_id in q3_ids(world):
        await _same(world, caller, Q3, {"id": node_id})


@pytest.mark.parametrize(
    ("query", "variables"),
    [(Q1, "q1"), (Q2, {"status": "ACCEPTED"}), (Q3, "q3")],
    ids=["Q1", "Q2", "Q3"],
)
async def test_a_compiled_answer_costs_at_most_four_statements(
    world: World, query: str, variables
) -> None:
    if variables == "q1":
        variables = q1_variables(world)[0]
    elif variables == "q3":
        variables = {"id": world.home.places["A"].chapter}
    compiled, resolved = await world.both("lead_a", query, variables)
    assert compiled.text == resolved.text
    assert compiled.compiled
    assert len(compiled.statements) <= 4, compiled.statements
