"""The demo data answers the questions the README asks of it, through the API, and seeding it
again changes nothing. ``test_cli`` seeds the same tenants through the command line, in either
order with these tests."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from chapters import db
from chapters.auth.tokens import issue_access_token
from chapters.demo import seed_demo
from chapters.models import (
    AuditEntry,
    Chapter,
    ChapterMembership,
    ChapterMembershipPeriod,
    ChapterStatusChange,
    Committee,
    CommitteeSeat,
    Person,
)
from chapters.people.service import find_person_by_email
from tests.support import data_of, gql

CITIES = {"shanghai", "hangzhou", "chengdu", "guangzhou", "shenzhen"}
COUNTED = [
    Person,
    Committee,
    CommitteeSeat,
    Chapter,
    ChapterStatusChange,
    ChapterMembership,
    ChapterMembershipPeriod,
    AuditEntry,
]

HISTORY = """
query History($slug: String!, $filter: MembershipHistoryFilter!) {
  chapter(slug: $slug) {
    membershipHistory(filter: $filter, first: 50) {
      totalCount
      edges { node { role status startedAt reason person { displayName } } }
    }
  }
}
"""


@pytest.fixture(scope="module")
async def demo(owner_engine: AsyncEngine) -> dict[str, uuid.UUID]:
    return await seed_demo(owner_engine, echo=lambda line: None)


@pytest.fixture(scope="module")
def token(owner_engine, keys, settings, demo):
    async def mint(tenant: str, email: str) -> str:
        sessionmaker = db.tenant_sessionmaker(owner_engine)
        async with db.open_tenant_session(sessionmaker, demo[tenant]) as session:
            person = await find_person_by_email(session, email)
        assert person is not None, email
        return issue_access_token(keys, settings, tenant_id=demo[tenant], subject=str(person.id))

    return mint


async def counts(owner_engine: AsyncEngine, tenant_id: uuid.UUID) -> dict[str, int]:
    sessionmaker = db.tenant_sessionmaker(owner_engine)
    async with db.open_tenant_session(sessionmaker, tenant_id) as session:
        return {
            model.__name__: await session.scalar(select(func.count()).select_from(model))
            for model in COUNTED
        }


def names(body: dict[str, Any]) -> list[str]:
    edges = body["chapter"]["membershipHistory"]["edges"]
    return [edge["node"]["person"]["displayName"] for edge in edges]


async def test_seeding_again_changes_nothing(owner_engine, demo) -> None:
    before = {slug: await counts(owner_engine, tenant_id) for slug, tenant_id in demo.items()}
    lines: list[str] = []
    assert await seed_demo(owner_engine, echo=lines.append) == demo
    after = {slug: await counts(owner_engine, tenant_id) for slug, tenant_id in demo.items()}
    assert after == before
    assert "  demo: chapters and history already there" in lines
    assert before["demo"]["Chapter"] == 6
    assert before["demo"]["AuditEntry"] > 0  # the services' writes were audited


async def test_city_chapters_have_a_lead_and_a_co_lead(client, token) -> None:
    admin = await token("demo", "admin@demo.example")
    body = await gql(
        client,
        "demo",
        """{ chapters(first: 50) { edges { node {
              slug status country timezone foundedOn
              parent { slug }
              children { edges { node { slug } } }
              committee { name kind }
              members(role: [LEAD, CO_LEAD]) { edges { node { role person { displayName } } } }
            } } } }""",
        token=admin,
    )
    chapters = {edge["node"]["slug"]: edge["node"] for edge in data_of(body)["chapters"]["edges"]}
    assert set(chapters) == CITIES | {"south-china"}
    for slug in CITIES:
        chapter = chapters[slug]
        roles = sorted(edge["node"]["role"] for edge in chapter["members"]["edges"])
        assert roles == ["CO_LEAD", "LEAD"], slug
        assert chapter["committee"] == {"name": "Demo User Committee", "kind": "USER_COMMITTEE"}
        assert (chapter["country"], chapter["timezone"]) == ("CN", "Asia/Shanghai")
        assert date.fromisoformat(chapter["foundedOn"]) < date.today()
    south = chapters["south-china"]
    assert {edge["node"]["slug"] for edge in south["children"]["edges"]} == {
        "guangzhou",
        "shenzhen",
    }
    assert chapters["shenzhen"]["parent"] == {"slug": "south-china"}
    statuses = {slug: chapter["status"] for slug, chapter in chapters.items()}
    assert statuses == {**dict.fromkeys(chapters, "ACTIVE"), "chengdu": "DORMANT"}


async def test_dormant_chapter_says_why(client, token) -> None:
    body = await gql(
        client,
        "demo",
        '{ chapter(slug: "chengdu") { statusHistory { fromStatus toStatus reason changedAt } } }',
        token=await token("demo", "ops@demo.example"),
    )
    history = data_of(body)["chapter"]["statusHistory"]
    assert [(c["fromStatus"], c["toStatus"]) for c in history] == [
        (None, "ACTIVE"),
        ("ACTIVE", "DORMANT"),
    ]
    assert history[0]["changedAt"].startswith("2023-06-10")
    assert history[1]["changedAt"].startswith("2026-10-12")
    assert "moved away" in history[1]["reason"]


async def test_documented_accounts_hold_their_roles(client, token) -> None:
    query = """{ viewer { email tenantRole
                 memberships { edges { node { role status chapter { slug } } } } } }"""
    expected = {
        "admin@demo.example": ("ADMIN", []),
        "ops@demo.example": ("OPS", []),
        "lead.shanghai@demo.example": (None, [("LEAD", "ACTIVE", "shanghai")]),
        "member@demo.example": (None, [("MEMBER", "ACTIVE", "shanghai")]),
    }
    for email, (tenant_role, memberships) in expected.items():
        viewer = data_of(await gql(client, "demo", query, token=await token("demo", email)))
        viewer = viewer["viewer"]
        assert (viewer["email"], viewer["tenantRole"]) == (email, tenant_role)
        held = [
            (edge["node"]["role"], edge["node"]["status"], edge["node"]["chapter"]["slug"])
            for edge in viewer["memberships"]["edges"]
        ]
        assert held == memberships, email


async def test_who_led_hangzhou_in_march_2024(client, token) -> None:
    ops = await token("demo", "ops@demo.example")

    async def leads(start: str, end: str) -> dict[str, Any]:
        period = {"from": start, "to": end}
        filter_ = {"role": ["LEAD"], "status": ["ACTIVE"], "overlapping": period}
        variables = {"slug": "hangzhou", "filter": filter_}
        return data_of(await gql(client, "demo", HISTORY, variables, token=ops))

    march = await leads("2024-03-01T00:00:00+08:00", "2024-04-01T00:00:00+08:00")
    assert march["chapter"]["membershipHistory"]["totalCount"] == 1
    assert names(march) == ["Chen Jie"]
    september = await leads("2024-09-01T00:00:00+08:00", "2024-10-01T00:00:00+08:00")
    assert names(september) == ["Xu Ming"]
    whole_year = await leads("2024-01-01T00:00:00+08:00", "2025-01-01T00:00:00+08:00")
    assert names(whole_year) == ["Chen Jie", "Xu Ming"]

    handover = {
        "role": ["CO_LEAD"],
        "startedWithin": {"from": "2024-06-01T00:00:00+08:00", "to": "2024-07-01T00:00:00+08:00"},
    }
    body = await gql(client, "demo", HISTORY, {"slug": "hangzhou", "filter": handover}, token=ops)
    assert names(data_of(body)) == ["Chen Jie"]  # the previous lead stayed on as co-lead


async def test_members_who_left_chengdu_in_the_third_quarter_of_2026(client, token) -> None:
    ops = await token("demo", "ops@demo.example")
    quarter = {"from": "2026-07-01T00:00:00+08:00", "to": "2026-10-01T00:00:00+08:00"}
    variables = {"slug": "chengdu", "filter": {"status": ["LEFT"], "startedWithin": quarter}}
    history = data_of(await gql(client, "demo", HISTORY, variables, token=ops))
    assert history["chapter"]["membershipHistory"]["totalCount"] == 3
    assert names(history) == ["He Jun", "María González", "Deng Chao"]
    ever = {"slug": "chengdu", "filter": {"status": ["LEFT"]}}
    everyone = data_of(await gql(client, "demo", HISTORY, ever, token=ops))
    assert everyone["chapter"]["membershipHistory"]["totalCount"] == 4


async def test_acme_sees_its_own_chapter_only(client, token) -> None:
    acme = await token("acme", "admin@acme.example")
    body = await gql(
        client,
        "acme",
        "{ chapters { edges { node { slug members(role: [LEAD]) { edges { node { person "
        '{ displayName } } } } } } } shanghai: chapter(slug: "shanghai") { slug } }',
        token=acme,
    )
    data = data_of(body)
    assert data["shanghai"] is None
    assert [edge["node"]["slug"] for edge in data["chapters"]["edges"]] == ["berlin"]
    berlin = data["chapters"]["edges"][0]["node"]
    assert berlin["members"]["edges"][0]["node"]["person"]["displayName"] == "Jonas Weber"
    demo_admin = await token("demo", "admin@demo.example")
    await gql(client, "acme", "{ viewer { email } }", token=demo_admin, expect_status=401)
