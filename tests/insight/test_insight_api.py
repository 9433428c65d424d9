"""The insight layer through GraphQL, as central ops, a lead, a member and a viewer see it, on
the hand-written past of ``test_definitions`` (expected figures worked out there)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from chapters.api.ids import global_id
from chapters.models import (
    Activity,
    ActivityOrganisation,
    Organisation,
    OrganisationKind,
    OrganisationRole,
)
from tests.insight.history import History, write_history
from tests.support import gql, statements_sent

HEALTH = """query ($quarter: String, $period: PeriodInput, $filter: ChapterHealthFilter) {
  chapterHealth(quarter: $quarter, period: $period, filter: $filter) {
    rules { inactiveAfterDays minRecapCompliance }
    edges { node { chapter { name } period { label startsOn endsOn } members activeMembers
      newMembers churnedMembers reactivatedMembers retention recapCompliance status
      lead { displayName } leadTenureDays activitiesByStatus { key count }
      firedRules { rule status threshold value message } } } } }"""


def _errors(body: dict) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors") or []]


async def test_ops_read_every_chapters_health_by_quarter_or_days(past, client) -> None:
    history, _ = past
    tenant = history.tenant
    body = await gql(
        client, tenant.slug, HEALTH, {"quarter": "2025-Q2"}, token=tenant.token("ops@x.example")
    )
    result = body["data"]["chapterHealth"]
    assert result["rules"] == {"inactiveAfterDays": 90, "minRecapCompliance": 0.8}
    chengdu, hangzhou = (edge["node"] for edge in result["edges"])
    assert hangzhou["chapter"]["name"] == "Hangzhou"
    assert hangzhou["period"] == {
        "label": "2025-Q2",
        "startsOn": "2025-04-01",
        "endsOn": "2025-07-01",
    }
    assert [
        hangzhou[k]
        for k in ("members", "activeMembers", "newMembers", "churnedMembers", "reactivatedMembers")
    ] == [7, 4, 1, 1, 1]
    assert hangzhou["retention"] == pytest.approx(2 / 3)
    assert (hangzhou["status"], hangzhou["lead"]) == ("NEEDS_ATTENTION", {"displayName": "Fay"})
    assert hangzhou["firedRules"] == [
        {
            "rule": "min_recap_compliance",
            "status": "NEEDS_ATTENTION",
            "threshold": 0.8,
            "value": pytest.approx(2 / 3),
            "message": "Recaps published for 67% of the activities due",
        }
    ]
    assert chengdu["status"] == "DORMANT_CANDIDATE"
    by_days = await gql(
        client,
        tenant.slug,
        HEALTH,
        {"period": {"from": "2025-04-01", "to": "2025-06-30"}},
        token=tenant.token("ops@x.example"),
    )
    same = by_days["data"]["chapterHealth"]["edges"][1]["node"]
    assert [same[k] for k in ("members", "activeMembers", "newMembers", "churnedMembers")] == [
        7,
        4,
        1,
        1,
    ]
    at_risk_only = await gql(
        client,
        tenant.slug,
        HEALTH,
        {"quarter": "2025-Q2", "filter": {"health": ["DORMANT_CANDIDATE"]}},
        token=tenant.token("ops@x.example"),
    )
    assert [
        e["node"]["chapter"]["name"] for e in at_risk_only["data"]["chapterHealth"]["edges"]
    ] == ["Chengdu"]


async def test_a_lead_sees_their_own_chapter_and_a_member_nothing(past, client) -> None:
    history, _ = past
    tenant = history.tenant
    chengdu = global_id("Chapter", history.chapters["Chengdu"].id)
    body = await gql(
        client, tenant.slug, HEALTH, {"quarter": "2025-Q2"}, token=history.token("fay")
    )
    assert [e["node"]["chapter"]["name"] for e in body["data"]["chapterHealth"]["edges"]] == [
        "Hangzhou"
    ]
    series = await gql(
        client,
        tenant.slug,
        """query ($chapters: [ID!]) { communityMetrics(quarter: "2025-Q2", chapterIds: $chapters) {
          tenant { active } chapters { chapter { name } period { label } active } } }""",
        {"chapters": None},
        token=history.token("fay"),
    )
    metrics = series["data"]["communityMetrics"]
    assert metrics["tenant"] == []  # a lead sees no tenant-wide figures
    assert [
        (p["chapter"]["name"], p["period"]["label"], p["active"]) for p in metrics["chapters"]
    ] == [
        ("Hangzhou", "2025-04", 1),
        ("Hangzhou", "2025-05", 4),
        ("Hangzhou", "2025-06", 1),
    ]
    other = await gql(
        client,
        tenant.slug,
        'query ($c: [ID!]) { communityMetrics(quarter: "2025-Q2", chapterIds: $c) { tenant { active } } }',
        {"c": [chengdu]},
        token=history.token("fay"),
    )
    assert _errors(other) == ["FORBIDDEN"]
    member = await gql(
        client, tenant.slug, HEALTH, {"quarter": "2025-Q2"}, token=history.token("ann")
    )
    assert _errors(member) == ["FORBIDDEN"]
    for caller, expected in (("ann", None), ("fay", "DORMANT_CANDIDATE")):  # quiet since 2025
        chapter = await gql(
            client,
            tenant.slug,
            "query ($id: ID!) { node(id: $id) { ... on Chapter { lastActivityAt health { status } } } }",
            {"id": global_id("Chapter", history.chapters["Hangzhou"].id)},
            token=history.token(caller),
        )
        node = chapter["data"]["node"]
        assert node["lastActivityAt"].startswith("2025-05-20")  # public, like accepted activities
        assert (node["health"] or {}).get("status") == expected


async def test_person_activity_is_the_persons_own_and_their_leads(past, client) -> None:
    history, _ = past
    tenant = history.tenant
    query = """query ($id: ID!) { node(id: $id) { ... on Person { activity {
      firstParticipationAt participationsByRole { key count } codeContributions segments active
    } } } }"""
    dan = {"id": global_id("Person", history.people["dan"].id)}
    own = await gql(client, tenant.slug, query, dan, token=history.token("dan"))
    activity = own["data"]["node"]["activity"]
    assert activity["participationsByRole"] == [{"key": "speaker", "count": 2}]
    assert (activity["segments"], activity["active"]) == (["NON_CODE_CONTRIBUTOR"], False)
    assert activity["firstParticipationAt"].startswith("2024-10-01")
    lead = await gql(client, tenant.slug, query, dan, token=history.token("fay"))
    assert lead["data"]["node"]["activity"]["codeContributions"] == 0
    fellow = await gql(client, tenant.slug, query, dan, token=history.token("ann"))
    assert fellow["data"]["node"]["activity"] is None


async def test_small_groups_are_not_broken_down_by_person_but_for_staff(past, client) -> None:
    history, _ = past
    tenant = history.tenant
    query = """{ contributorsToReactivate(first: 10) { edges { node { person { displayName }
      segments lastContributions { kind title activity { title } } } } } }"""
    ops = await gql(client, tenant.slug, query, token=tenant.token("ops@x.example"))
    names = [
        e["node"]["person"]["displayName"] for e in ops["data"]["contributorsToReactivate"]["edges"]
    ]
    assert names == ["Gus", "Ann", "Dan", "Bob"]
    viewer = await gql(client, tenant.slug, query, token=tenant.token("viewer@x.example"))
    assert viewer["data"]["contributorsToReactivate"]["edges"] == []  # 4 people: below 5
    lowered = await gql(
        client,
        tenant.slug,
        "mutation { tenantUpdate(input: {healthRules: {minGroupSize: 4}}) { errors { field code } tenant { healthRules { minGroupSize } } } }",
        token=tenant.token("admin@x.example"),
    )
    assert lowered["data"]["tenantUpdate"] == {
        "errors": [],
        "tenant": {"healthRules": {"minGroupSize": 4}},
    }
    viewer = await gql(client, tenant.slug, query, token=tenant.token("viewer@x.example"))
    assert len(viewer["data"]["contributorsToReactivate"]["edges"]) == 4


async def test_health_rules_are_the_tenants_and_bad_ones_are_refused(past, client) -> None:
    history, _ = past
    tenant = history.tenant
    update = """mutation ($rules: HealthRulesInput) { tenantUpdate(input: {healthRules: $rules}) {
      errors { field code } tenant { healthRules { inactiveAfterDays atRiskAfterDays dormantAfterDays } } } }"""
    bad = await gql(
        client,
        tenant.slug,
        update,
        {"rules": {"dormantAfterDays": 30}},
        token=tenant.token("admin@x.example"),
    )
    assert bad["data"]["tenantUpdate"]["errors"] == [
        {"field": "healthRules.dormantAfterDays", "code": "INVALID"}
    ]
    good = await gql(
        client,
        tenant.slug,
        update,
        {"rules": {"inactiveAfterDays": 30}},
        token=tenant.token("admin@x.example"),
    )
    assert good["data"]["tenantUpdate"]["tenant"]["healthRules"] == {
        "inactiveAfterDays": 30,
        "atRiskAfterDays": 90,
        "dormantAfterDays": 180,
    }
    # inactive after 30 days: ann (last 2025-02-10) went quiet 2025-03-12, in Q1; in Q2 she is
    # back on 05-05 (re-activated), as are dan and, from 2025-01-20 + 30, nobody else
    body = await gql(
        client, tenant.slug, HEALTH, {"quarter": "2025-Q2"}, token=tenant.token("ops@x.example")
    )
    hangzhou = body["data"]["chapterHealth"]["edges"][1]["node"]
    assert hangzhou["reactivatedMembers"] == 2
    reset = await gql(
        client, tenant.slug, update, {"rules": None}, token=tenant.token("admin@x.example")
    )
    assert reset["data"]["tenantUpdate"]["tenant"]["healthRules"]["inactiveAfterDays"] == 90
    ops_try = await gql(
        client,
        tenant.slug,
        update,
        {"rules": {"inactiveAfterDays": 60}},
        token=tenant.token("ops@x.example"),
    )
    assert ops_try["data"]["tenantUpdate"]["errors"] == [{"field": None, "code": "FORBIDDEN"}]


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ('quarter: "2025-Q2", period: {from: "2025-01-01", to: "2025-02-01"}', "period"),
        ("", "period"),
        ('quarter: "2025-Q5"', "quarter"),
        ('period: {from: "2025-03-01", to: "2025-01-01"}', "period.to"),
    ],
)
async def test_bad_periods_are_typed_errors(past, client, arguments: str, field: str) -> None:
    history, _ = past
    tenant = history.tenant
    arguments = f"({arguments})" if arguments else ""
    body = await gql(
        client,
        tenant.slug,
        f"{{ funnel{arguments} {{ acquired }} }}",
        token=tenant.token("ops@x.example"),
    )
    assert [(e["extensions"]["code"], e["extensions"].get("field")) for e in body["errors"]] == [
        ("INVALID", field)
    ]


async def test_dashboards_cost_the_same_statements_whatever_the_number_of_chapters(
    past, client, app, owner_engine
) -> None:
    history, _ = past
    tenant = history.tenant
    query = """{ chapterHealth(quarter: "2025-Q2") { edges { node { chapter { name }
      lead { displayName } } } } chapters(first: 10) { edges { node { lastActivityAt
      health { status } } } } }"""

    async def statements() -> int:
        with statements_sent(app.state.runtime.engine) as sent:
            body = await gql(client, tenant.slug, query, token=tenant.token("ops@x.example"))
        assert not body.get("errors")
        return sorted(" ".join(line.split())[:70] for line in sent)  # resolvers run concurrently

    await statements()  # the tenant's directory entry and the principal are cached after it
    before = await statements()

    async def more_chapters(h: History) -> None:
        for name in ("Wuhan", "Xian", "Nanjing"):
            await h.chapter(name, created="2024-05-01")

    await write_history(owner_engine, tenant.id, more_chapters)
    after = await statements()
    assert after == before, (
        sorted(set(after) - set(before)),
        sorted(set(before) - set(after)),
        len(after),
        len(before),
    )
    # the request's own (tenant, caller), the chapters and leads, and per dashboard its
    # figures: people, activities, standing; never one per chapter
    assert len(before) <= 24, (
        before
    )  # the request's own, then one per figure, never one per chapter


async def test_a_partners_client_counts_its_organisations_accepted_activities_only(
    past, client, owner_engine
) -> None:
    history, _ = past
    tenant = history.tenant

    async def sponsor(h: History) -> None:
        organisation = Organisation(name="Acme Cloud", kind=OrganisationKind.COMPANY)
        await h.add(organisation)
        for activity in await h.session.scalars(select(Activity)):
            if activity.starts_at.date().isoformat() in ("2025-05-01", "2025-06-10"):
                await h.add(
                    ActivityOrganisation(
                        activity_id=activity.id,
                        organisation_id=organisation.id,
                        role=OrganisationRole.SPONSOR,
                    )
                )
        h.session.info["organisation"] = organisation.id

    written = await write_history(owner_engine, tenant.id, sponsor)
    organisation = global_id("Organisation", written.session.info["organisation"])
    created = await gql(
        client,
        tenant.slug,
        """mutation ($org: ID!) { apiClientCreate(input: {name: "Acme", kind: PARTNER,
          scopes: ["activities:read"], organisationId: $org}) { client { clientId }
          clientSecret errors { code } } }""",
        {"org": organisation},
        token=tenant.token("admin@x.example"),
    )
    made = created["data"]["apiClientCreate"]
    response = await client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(made["client"]["clientId"], made["clientSecret"]),
    )
    partner = response.json()["access_token"]
    body = await gql(
        client,
        tenant.slug,
        """{ communityMetrics(quarter: "2025-Q2") { tenant { period { label } activities
          attendance active new churned } chapters { active } } }""",
        token=partner,
    )
    metrics = body["data"]["communityMetrics"]
    # the sponsored meetup of 2025-05-01 (40 people); the sponsored draft is not the partner's
    assert [
        (p["period"]["label"], p["activities"], p["attendance"]) for p in metrics["tenant"]
    ] == [
        ("2025-04", 0, 0),
        ("2025-05", 1, 40),
        ("2025-06", 0, 0),
    ]
    assert {(p["active"], p["new"], p["churned"]) for p in metrics["tenant"]} == {
        (None, None, None)
    }
    assert metrics["chapters"] == []
    health = await gql(client, tenant.slug, HEALTH, {"quarter": "2025-Q2"}, token=partner)
    assert _errors(health) == ["FORBIDDEN"]
