"""Values print as the resolvers print them, including the cases seeded data rarely meets:
an instant on a whole second (no fraction), a fraction with trailing zeros, a date, JSON
lists kept in order, an empty list."""

from __future__ import annotations

import json
import uuid

from tests.compiled.conftest import World
from tests.support import data_of, gql

CHAPTER = """query ($slug: String!) { chapter(slug: $slug) {
  id name foundedOn contactLinks { url kind } status viewerRole
  parent { slug } children { edges { node { slug } } pageInfo { hasNextPage endCursor } }
  statusHistory { toStatus fromStatus reason changedBy { displayName } }
} }"""
ACTIVITIES = """query ($chapter: ID!) { activities(filter: {chapterId: $chapter}) {
  edges { cursor node { startsAt endsAt tags coHosts { slug } reach { count unit } } }
} }"""


async def _create(world: World, field: str, input: dict, returns: str) -> dict:
    token = world.tokens["ops"]
    body = await gql(
        world.compiled_client,
        world.home.tenant.slug,
        f"mutation ($input: {field[0].upper()}{field[1:]}Input!) {{ {field}(input: $input) {{"
        f" {returns} {{ id }} errors {{ field code }} }} }}",
        {"input": input},
        token=token,
    )
    payload = data_of(body)[field]
    assert payload["errors"] == [], payload
    return payload[returns]


async def test_instants_dates_and_lists_print_as_the_resolvers_print_them(world: World) -> None:
    slug = f"values-{uuid.uuid4().hex[:8]}"
    chapter = await _create(
        world,
        "chapterCreate",
        {
            "name": "Values",
            "slug": slug,
            "foundedOn": "0999-01-02",
            "contactLinks": [
                {"kind": "website", "url": "https://values.example"},
                {"kind": "github", "url": "https://github.com/values"},
            ],
            "parentId": world.home.places["A"].chapter,
            "status": "ACTIVE",
        },
        "chapter",
    )
    await _create(
        world,
        "activityCreate",
        {
            "chapterId": chapter["id"],
            "kind": "TALK",
            "title": "On the second",
            "startsAt": "2030-03-14T19:00:00+08:00",
            "endsAt": "2030-03-14T21:00:00.1+08:00",
            "tags": ["b", "a"],
        },
        "activity",
    )
    for caller in ("ops", "anonymous", "lead_a"):
        for query, variables in (
            (CHAPTER, {"slug": slug}),
            (CHAPTER, {"slug": world.home.places["A"].slug}),
            (ACTIVITIES, {"chapter": chapter["id"]}),
        ):
            compiled, resolved = await world.both(caller, query, variables)
            assert compiled.text == resolved.text, (caller, compiled.text, resolved.text)
            assert compiled.compiled, (caller, query)
    compiled, _ = await world.both("ops", ACTIVITIES, {"chapter": chapter["id"]})
    (edge,) = json.loads(compiled.text)["data"]["activities"]["edges"]
    assert edge["node"]["startsAt"] == "2030-03-14T11:00:00+00:00"
    assert edge["node"]["endsAt"] == "2030-03-14T13:00:00.100000+00:00"
    assert edge["node"]["tags"] == ["b", "a"] and edge["node"]["coHosts"] == []
    compiled, _ = await world.both("ops", CHAPTER, {"slug": slug})
    values = json.loads(compiled.text)["data"]["chapter"]
    assert values["foundedOn"] == "0999-01-02"
    assert [link["kind"] for link in values["contactLinks"]] == ["website", "github"]
