"""Concurrent membership changes of one chapter, as real concurrent HTTP requests: each one
succeeds or gets a typed error (never INTERNAL or a 5xx), and afterwards the chapter still has
one active lead and each membership one unbroken line of periods."""

from __future__ import annotations

import asyncio
from collections import Counter

from chapters.api.ids import global_id
from chapters.models import TenantRole
from tests.api.fuzz_support import history_violations
from tests.support import data_of, gql, make_chapter, person_id

ROUNDS = 6
RACERS = 6
STAFF = "ops@x.example"

ADD = """mutation ($input: MembershipJoinInput!) { membershipAdd(input: $input) {
  membership { id } errors { field code message } } }"""
APPOINT = """mutation ($input: ChapterAppointLeadInput!) { chapterAppointLead(input: $input) {
  membership { id } errors { field code message } } }"""
LEAD = """query ($slug: String!) { chapter(slug: $slug) { members(role: [LEAD],
  status: [ACTIVE]) { edges { node { person { id } } } } } }"""


async def _world(tenants, owner_engine, people: int):
    emails = {STAFF: TenantRole.OPS} | {f"p{i}@x.example": None for i in range(people)}
    tenant = await tenants.create(people=emails)
    chapter = await make_chapter(owner_engine, tenant, "race", staff=STAFF, lead="p0@x.example")
    return tenant, global_id("Chapter", chapter.id)


def _person(tenant, index: int) -> str:
    return person_id(tenant, f"p{index}@x.example")


async def _race(client, tenant, calls: list[tuple[str, dict]]) -> list[tuple[int, dict]]:
    """Send every (document, input) at once, as the staff person; the answers in order."""
    token = tenant.token(STAFF)

    async def one(document: str, input_: dict) -> tuple[int, dict]:
        response = await client.post(
            f"/t/{tenant.slug}/graphql",
            json={"query": document, "variables": {"input": input_}},
            headers={"Authorization": f"Bearer {token}"},
        )
        return response.status_code, response.json()

    return list(await asyncio.gather(*(one(document, input_) for document, input_ in calls)))


def _outcomes(answers: list[tuple[int, dict]], field: str) -> Counter[str]:
    """``ok`` or the typed error code of each answer; anything else fails the test."""
    outcomes: Counter[str] = Counter()
    for status, body in answers:
        assert status == 200, body
        assert not body.get("errors"), body["errors"]
        errors = body["data"][field]["errors"]
        outcomes[errors[0]["code"] if errors else "ok"] += 1
    return outcomes


async def test_adding_one_person_at_once_many_times(client, tenants, owner_engine) -> None:
    tenant, chapter = await _world(tenants, owner_engine, people=ROUNDS + 1)
    for round_ in range(1, ROUNDS + 1):
        input_ = {"chapterId": chapter, "personId": _person(tenant, round_)}
        outcomes = _outcomes(await _race(client, tenant, [(ADD, input_)] * RACERS), "membershipAdd")
        assert outcomes == {"ok": 1, "CONFLICT": RACERS - 1}, outcomes
    assert await history_violations(owner_engine, [tenant.id]) == []


async def test_appointing_one_person_at_once_many_times(client, tenants, owner_engine) -> None:
    tenant, chapter = await _world(tenants, owner_engine, people=ROUNDS + 1)
    for round_ in range(1, ROUNDS + 1):
        input_ = {"chapterId": chapter, "personId": _person(tenant, round_)}
        answers = await _race(client, tenant, [(APPOINT, input_)] * RACERS)
        outcomes = _outcomes(answers, "chapterAppointLead")
        assert outcomes["ok"] == 1 and set(outcomes) <= {"ok", "INVALID", "CONFLICT"}, outcomes
    assert await history_violations(owner_engine, [tenant.id]) == []


async def test_appointing_different_leads_at_once(client, tenants, owner_engine) -> None:
    """Every appointment is served in turn: each succeeds and the last one leads."""
    tenant, chapter = await _world(tenants, owner_engine, people=RACERS + 1)
    for _ in range(ROUNDS):
        calls = [
            (APPOINT, {"chapterId": chapter, "personId": _person(tenant, index)})
            for index in range(1, RACERS + 1)
        ]
        outcomes = _outcomes(await _race(client, tenant, calls), "chapterAppointLead")
        assert set(outcomes) <= {"ok", "INVALID", "CONFLICT"} and outcomes["ok"] >= 1, outcomes
        token = tenant.token(STAFF)
        lead = data_of(await gql(client, tenant.slug, LEAD, {"slug": "race"}, token=token))
        assert len(lead["chapter"]["members"]["edges"]) == 1
    assert await history_violations(owner_engine, [tenant.id]) == []


REMOVE = """mutation ($input: MembershipChangeInput!) { membershipRemove(input: $input) {
  membership { id } errors { field code message } } }"""
MEMBERSHIP = """query ($slug: String!) { chapter(slug: $slug) { members { edges { node { id
  person { id } } } } } }"""


async def _membership_of(client, tenant, person: str) -> str:
    token = tenant.token(STAFF)
    data = data_of(await gql(client, tenant.slug, MEMBERSHIP, {"slug": "race"}, token=token))
    edges = data["chapter"]["members"]["edges"]
    return next(e["node"]["id"] for e in edges if e["node"]["person"]["id"] == person)


async def test_removing_a_lead_while_another_is_appointed(client, tenants, owner_engine) -> None:
    """The removal and the appointment both touch the outgoing lead's membership; they are
    served in turn, each answered with success or a typed error."""
    tenant, chapter = await _world(tenants, owner_engine, people=ROUNDS + 1)
    for round_ in range(1, ROUNDS + 1):
        lead = _person(tenant, round_ - 1)
        if round_ > 1:  # the previous round's removal may have lost: appoint afresh
            await _race(client, tenant, [(APPOINT, {"chapterId": chapter, "personId": lead})])
        membership = await _membership_of(client, tenant, lead)
        removal = {"membershipId": membership, "reason": "stepping down"}
        appointment = {"chapterId": chapter, "personId": _person(tenant, round_)}
        calls = [(REMOVE, removal), (REMOVE, removal), (APPOINT, appointment)]
        answers = await _race(client, tenant, calls)
        removals = _outcomes(answers[:2], "membershipRemove")
        assert removals["ok"] <= 1 and set(removals) <= {"ok", "INVALID"}, removals
        assert _outcomes(answers[2:], "chapterAppointLead") == {"ok": 1}
    assert await history_violations(owner_engine, [tenant.id]) == []
