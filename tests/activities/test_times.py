"""Times through the HTTP API: one rule for datetime arguments (an offset is required), each
activity's times on its own clock, calendar days read on the chapter's clock, and the dates of
a membership that ended and began again."""

from __future__ import annotations

import pytest

from chapters.api.ids import global_id
from chapters.models import TenantRole
from tests.support import data_of, gql, make_chapter, person_id

PEOPLE = {
    "ops@x.example": TenantRole.OPS,
    "lead@x.example": None,
    "member@x.example": None,
}
CREATE = """mutation ($input: ActivityCreateInput!) { activityCreate(input: $input) {
  activity { id startsAt startsAtLocal endsAt endsAtLocal timezone } errors { field code } } }"""
ON_DAYS = """query ($chapter: ID!, $from: Date, $to: Date) {
  activities(filter: {chapterId: $chapter, startsOn: {from: $from, to: $to}}) {
    edges { node { title } } } }"""
CALENDAR_DAYS = """query ($chapter: ID!, $from: Date!, $to: Date!) {
  chapterCalendar(chapterId: $chapter, fromDate: $from, toDate: $to) { title } }"""


@pytest.fixture
async def world(tenants, owner_engine):
    tenant = await tenants.create(people=PEOPLE)
    chapter = await make_chapter(
        owner_engine, tenant, "shanghai", staff="ops@x.example", lead="lead@x.example"
    )
    return tenant, global_id("Chapter", chapter.id)


async def _on_shanghai_clock(client, tenant, chapter: str) -> None:
    body = await gql(
        client,
        tenant.slug,
        "mutation ($input: ChapterUpdateInput!) { chapterUpdate(input: $input) { errors { code } } }",
        {"input": {"id": chapter, "timezone": "Asia/Shanghai"}},
        token=tenant.token("ops@x.example"),
    )
    assert data_of(body)["chapterUpdate"]["errors"] == []


async def _create(client, tenant, chapter: str, title: str, starts: str, **more) -> dict:
    body = await gql(
        client,
        tenant.slug,
        CREATE,
        {
            "input": {
                "chapterId": chapter,
                "kind": "TALK",
                "title": title,
                "startsAt": starts,
                **more,
            }
        },
        token=tenant.token("lead@x.example"),
    )
    payload = data_of(body)["activityCreate"]
    assert payload["errors"] == []
    return payload["activity"]


async def _errors(client, tenant, query: str, variables: dict | None = None) -> list[str]:
    response = await client.post(
        f"/t/{tenant.slug}/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"Authorization": f"Bearer {tenant.token('lead@x.example')}"},
    )
    assert response.status_code < 500, response.text
    body = response.json()
    assert body.get("data") is None or not any((body.get("data") or {}).values())
    return [error["message"] for error in body.get("errors") or []]


@pytest.mark.parametrize(
    "query, variables",
    [
        (CREATE, "startsAt"),  # a mutation input, as a variable
        ('{ activities(filter: {startsFrom: "2026-03-14T19:00:00"}) { totalCount } }', None),
        (
            'query ($c: ID!) { chapterCalendar(chapterId: $c, from: "2026-03-01T00:00:00", '
            'to: "2026-04-01T00:00:00+08:00") { title } }',
            "c",
        ),
    ],
    ids=["mutation-variable", "filter-inline", "calendar-argument"],
)
async def test_a_datetime_without_an_offset_is_refused_with_how_to_fix_it(
    client, world, query, variables
) -> None:
    tenant, chapter = world
    if variables == "startsAt":
        values = {
            "input": {
                "chapterId": chapter,
                "kind": "TALK",
                "title": "Naive",
                "startsAt": "2026-03-14T19:00:00",
            }
        }
    else:
        values = {"c": chapter} if variables else None
    messages = await _errors(client, tenant, query, values)
    assert any("Add a UTC offset" in message for message in messages), messages
    assert any("+08:00" in message for message in messages), "the message shows an example"


async def test_an_activity_gives_its_times_on_its_own_clock(client, world) -> None:
    tenant, chapter = world
    await _on_shanghai_clock(client, tenant, chapter)
    made = await _create(
        client,
        tenant,
        chapter,
        "Late talk",
        "2026-03-14T15:30:00Z",
        endsAt="2026-03-14T17:00:00Z",
    )
    assert made["timezone"] == "Asia/Shanghai"
    assert made["startsAt"] == "2026-03-14T15:30:00+00:00"  # UTC, unchanged
    assert made["startsAtLocal"] == "2026-03-14T23:30:00+08:00"
    assert made["endsAtLocal"] == "2026-03-15T01:00:00+08:00"


async def test_date_filters_are_read_on_the_chapters_clock(client, world) -> None:
    tenant, chapter = world
    await _on_shanghai_clock(client, tenant, chapter)
    # 23:30 in Shanghai on 14 March is 15:30 UTC: a UTC day would be right only by luck, and
    # 00:30 the next morning in Shanghai is still 14 March in UTC.
    await _create(client, tenant, chapter, "Late talk", "2026-03-14T23:30:00+08:00")
    await _create(client, tenant, chapter, "Early talk", "2026-03-15T00:30:00+08:00")

    async def titles(query: str, **variables) -> list[str]:
        body = await gql(
            client,
            tenant.slug,
            query,
            {"chapter": chapter, **variables},
            token=tenant.token("lead@x.example"),
        )
        found = data_of(body)
        if "activities" in found:
            return sorted(edge["node"]["title"] for edge in found["activities"]["edges"])
        return sorted(activity["title"] for activity in found["chapterCalendar"])

    assert await titles(ON_DAYS, **{"from": "2026-03-14", "to": "2026-03-14"}) == ["Late talk"]
    assert await titles(ON_DAYS, **{"from": "2026-03-15"}) == ["Early talk"]
    assert await titles(ON_DAYS, to="2026-03-13") == []
    assert await titles(CALENDAR_DAYS, **{"from": "2026-03-14", "to": "2026-03-14"}) == [
        "Late talk"
    ]
    assert await titles(CALENDAR_DAYS, **{"from": "2026-03-15", "to": "2026-03-16"}) == [
        "Early talk"
    ]


async def test_a_calendar_needs_one_whole_range(client, world) -> None:
    tenant, chapter = world
    body = await gql(
        client,
        tenant.slug,
        'query ($c: ID!) { chapterCalendar(chapterId: $c, fromDate: "2026-03-14") { title } }',
        {"c": chapter},
        token=tenant.token("lead@x.example"),
    )
    assert body.get("data") is None or body["data"]["chapterCalendar"] is None
    assert "toDate" in str(body["errors"])


MEMBERSHIP = """query ($id: ID!) { node(id: $id) { ... on ChapterMembership {
  status joinedAt leftAt firstJoinedAt } } }"""


async def test_a_returning_member_keeps_their_first_joining_date(client, world) -> None:
    tenant, chapter = world
    ops = tenant.token("ops@x.example")
    member = person_id(tenant, "member@x.example")

    async def change(name: str, kind: str, input: dict) -> str:
        body = await gql(
            client,
            tenant.slug,
            f"mutation ($input: {kind}!) {{ {name}(input: $input) {{ membership {{ id }} "
            "errors { code } } }",
            {"input": input},
            token=ops,
        )
        payload = data_of(body)[name]
        assert payload["errors"] == []
        return payload["membership"]["id"]

    async def dates(membership: str) -> dict:
        body = await gql(client, tenant.slug, MEMBERSHIP, {"id": membership}, token=ops)
        return data_of(body)["node"]

    membership = await change(
        "membershipAdd", "MembershipJoinInput", {"chapterId": chapter, "personId": member}
    )
    first = await dates(membership)
    assert first["status"] == "ACTIVE" and first["leftAt"] is None
    assert first["firstJoinedAt"] == first["joinedAt"] is not None

    await change("membershipRemove", "MembershipChangeInput", {"membershipId": membership})
    left = await dates(membership)
    assert left["status"] == "LEFT"
    assert left["leftAt"] is not None and left["leftAt"] >= first["joinedAt"]
    assert left["joinedAt"] == first["joinedAt"]  # the stint that ended

    await change("membershipAdd", "MembershipJoinInput", {"chapterId": chapter, "personId": member})
    back = await dates(membership)
    assert back["status"] == "ACTIVE" and back["leftAt"] is None
    assert back["firstJoinedAt"] == first["joinedAt"]  # not a newcomer
    assert back["joinedAt"] > left["leftAt"] >= back["firstJoinedAt"]
