"""The incentives ledger through HTTP: a lead promises a reward for a talk, staff approve it
within the quarter's budget and pay it; the budget's figures follow; over-budget approvals and
racing approvals are refused; who sees what; the report and the export."""

from __future__ import annotations

import asyncio
import csv
import io
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from chapters.api.ids import global_id
from chapters.db.session import open_tenant_session, tenant_sessionmaker
from chapters.errors import InvalidInput
from chapters.incentives import service
from chapters.models import (
    ActivityKind,
    MentoringProgram,
    MentoringProject,
    MentoringProjectMember,
    ParticipantRole,
    ProjectRole,
    ProjectStatus,
    TenantRole,
)
from chapters.people.service import load_principal
from tests.support import (
    Api,
    TenantFixture,
    codes,
    make_activity,
    make_chapter,
    staff_session_call,
    statements_sent,
)

QUARTER = "2026-Q4"
PEOPLE = {
    "admin@x.example": TenantRole.ADMIN,
    "ops@x.example": TenantRole.OPS,
    "viewer@x.example": TenantRole.VIEWER,
    "lead@x.example": None,
    "lead.b@x.example": None,
    "speaker@x.example": None,
    "author@x.example": None,
    "guest@x.example": None,
}

PROGRAM_CREATE = """mutation ($input: IncentiveProgramCreateInput!) {
  incentiveProgramCreate(input: $input) { program { id name defaultCurrency }
    errors { field code message } } }"""
BUDGET_SET = """mutation ($input: IncentiveBudgetSetInput!) { incentiveBudgetSet(input: $input) {
  budget { quarter amount currency committed spent remaining } errors { field code message } } }"""
REWARD = """id kind status quarter amount value currency description contributionKind
  person { displayName } activity { title } mentoringProject { title } chapter { slug }
  program { name } transitions { fromStatus toStatus reason actor { displayName } }"""
PROPOSE = (
    "mutation ($input: IncentiveRewardProposeInput!) { incentiveRewardPropose(input: $input) {"
    f" reward {{ {REWARD} }} errors {{ field code message }} }} }}"
)
STEP = (
    "mutation ($input: {type}!) {{ {field}(input: $input) {{ reward {{ id status cancelReason }}"
    " errors {{ field code message }} }} }}"
)
BUDGET = """query ($id: ID!, $quarter: String!) { node(id: $id) { ... on IncentiveProgram {
  budget(quarter: $quarter) { amount currency committed spent remaining } } } }"""


def step(field: str) -> str:
    kind = (
        "IncentiveRewardCancelInput"
        if field == "incentiveRewardCancel"
        else "IncentiveRewardIdInput"
    )
    return STEP.format(type=kind, field=field)


class Caller(Api):
    async def program(self, name: str, currency: str = "EUR") -> str:
        payload = await self.mutate(PROGRAM_CREATE, name=name, defaultCurrency=currency)
        assert payload["errors"] == [], payload
        return payload["program"]["id"]

    async def budget(self, program: str, amount: str, **more: Any) -> dict[str, Any]:
        return await self.mutate(
            BUDGET_SET, incentiveProgramId=program, quarter=QUARTER, amount=amount, **more
        )

    async def propose(self, **input: Any) -> dict[str, Any]:
        return await self.mutate(PROPOSE, **{"quarter": QUARTER, **input})

    async def step(self, field: str, reward: str, **more: Any) -> dict[str, Any]:
        return await self.mutate(step(field), id=reward, **more)

    async def budget_of(self, program: str) -> dict[str, Any]:
        data = await self.data(BUDGET, {"id": program, "quarter": QUARTER})
        return data["node"]["budget"]


@dataclass
class World:
    tenant: TenantFixture
    client: Any
    talk: str  # alpha's accepted talk: speaker@ speaks, guest@ attends
    article: str  # alpha's article by author@
    beta_talk: str  # beta's talk, speaker@ speaks
    project: str  # alpha's mentoring project: author@ mentors

    def as_(self, email: str | None) -> Caller:
        return Caller(self.client, self.tenant, email)

    def person(self, email: str) -> str:
        return global_id("Person", self.tenant.people[email].id)


@pytest.fixture(scope="module")
async def world(client, tenants, owner_engine) -> World:
    tenant = await tenants.create(people=PEOPLE)
    alpha = await make_chapter(
        owner_engine, tenant, "alpha", staff="ops@x.example", lead="lead@x.example"
    )
    beta = await make_chapter(
        owner_engine, tenant, "beta", staff="ops@x.example", lead="lead.b@x.example"
    )

    def by(email: str, role: ParticipantRole) -> Any:
        from chapters.activities.service import ParticipantEntry

        return ParticipantEntry(role=role, person_id=tenant.people[email].id)

    talk = await make_activity(
        owner_engine,
        tenant,
        alpha.id,
        staff="ops@x.example",
        title="eBPF in production",
        kind=ActivityKind.TALK,
        participants=[
            by("speaker@x.example", ParticipantRole.SPEAKER),
            by("guest@x.example", ParticipantRole.GUEST),
        ],
    )
    article = await make_activity(
        owner_engine,
        tenant,
        alpha.id,
        staff="ops@x.example",
        title="Tracing with OpenTelemetry",
        kind=ActivityKind.ARTICLE,
        participants=[by("author@x.example", ParticipantRole.AUTHOR)],
    )
    beta_talk = await make_activity(
        owner_engine,
        tenant,
        beta.id,
        staff="ops@x.example",
        title="Rust at the edge",
        kind=ActivityKind.TALK,
        participants=[by("speaker@x.example", ParticipantRole.SPEAKER)],
    )

    async def project(session, principal):
        program = MentoringProgram(name="Summer", year=2026)
        session.add(program)
        await session.flush()
        row = MentoringProject(
            program_id=program.id,
            chapter_id=alpha.id,
            title="Docs site",
            status=ProjectStatus.IN_PROGRESS,
        )
        session.add(row)
        await session.flush()
        session.add(
            MentoringProjectMember(
                project_id=row.id,
                person_id=tenant.people["author@x.example"].id,
                role=ProjectRole.MENTOR,
            )
        )
        return row.id

    project_id = await staff_session_call(owner_engine, tenant, "ops@x.example", project)
    return World(
        tenant,
        client,
        talk=global_id("Activity", talk.id),
        article=global_id("Activity", article.id),
        beta_talk=global_id("Activity", beta_talk.id),
        project=global_id("MentoringProject", project_id),
    )


def fee(world: World, program: str, amount: str, **more: Any) -> dict[str, Any]:
    return {
        "incentiveProgramId": program,
        "personId": world.person("speaker@x.example"),
        "contributionId": world.talk,
        "kind": "FEE",
        "description": "Speaker fee",
        "amount": amount,
        **more,
    }


def unique(name: str) -> str:
    return f"{name} {uuid.uuid4().hex[:6]}"


async def test_a_lead_proposes_staff_approve_within_budget_and_pay(world: World) -> None:
    ops, lead = world.as_("ops@x.example"), world.as_("lead@x.example")
    program = await ops.program(unique("Speaker rewards"))
    budget = await ops.budget(program, "1000")
    assert budget["budget"] == {
        "quarter": QUARTER,
        "amount": "1000.00",
        "currency": "EUR",
        "committed": "0.00",
        "spent": "0.00",
        "remaining": "1000.00",
    }

    proposed = await lead.propose(**fee(world, program, "300.5"))
    assert proposed["errors"] == []
    reward = proposed["reward"]
    assert reward | {"id": None} == {
        "id": None,
        "kind": "FEE",
        "status": "PROMISED",
        "quarter": QUARTER,
        "amount": "300.50",
        "value": None,
        "currency": "EUR",  # the program's
        "description": "Speaker fee",
        "contributionKind": "TALK",
        "person": {"displayName": "speaker"},
        "activity": {"title": "eBPF in production"},
        "mentoringProject": None,
        "chapter": {"slug": "alpha"},
        "program": {"name": reward["program"]["name"]},
        "transitions": [
            {
                "fromStatus": None,
                "toStatus": "PROMISED",
                "reason": None,
                "actor": {"displayName": "lead"},
            }
        ],
    }
    # A promised reward commits nothing yet.
    assert (await ops.budget_of(program))["committed"] == "0.00"

    refused = await lead.step("incentiveRewardApprove", reward["id"])
    assert codes(refused) == [(None, "FORBIDDEN")]

    approved = await ops.step("incentiveRewardApprove", reward["id"])
    assert approved["errors"] == [] and approved["reward"]["status"] == "APPROVED"
    assert await ops.budget_of(program) == {
        "amount": "1000.00",
        "currency": "EUR",
        "committed": "300.50",
        "spent": "0.00",
        "remaining": "699.50",
    }

    goods_step = await ops.step("incentiveRewardMarkSent", reward["id"])
    assert codes(goods_step) == [("id", "INVALID")]  # money is paid, not sent
    paid = await ops.step("incentiveRewardMarkPaid", reward["id"])
    assert paid["reward"]["status"] == "PAID"
    assert (await ops.budget_of(program))["spent"] == "300.50"

    again = await ops.step("incentiveRewardCancel", reward["id"], reason="Changed our minds")
    assert codes(again) == [("id", "CONFLICT")]  # a paid reward stays paid
    history = await ops.data(
        "query ($id: ID!) { node(id: $id) { ... on IncentiveReward { status"
        " transitions { fromStatus toStatus actor { displayName } } } } }",
        {"id": reward["id"]},
    )
    assert history["node"] == {
        "status": "PAID",
        "transitions": [
            {"fromStatus": None, "toStatus": "PROMISED", "actor": {"displayName": "lead"}},
            {"fromStatus": "PROMISED", "toStatus": "APPROVED", "actor": {"displayName": "ops"}},
            {"fromStatus": "APPROVED", "toStatus": "PAID", "actor": {"displayName": "ops"}},
        ],
    }


async def test_swag_is_sent_and_a_cancelled_reward_gives_its_cost_back(world: World) -> None:
    ops = world.as_("ops@x.example")
    program = await ops.program(unique("Author rewards"))
    await ops.budget(program, "100")
    swag = await ops.propose(
        incentiveProgramId=program,
        personId=world.person("author@x.example"),
        contributionId=world.article,
        kind="SWAG",
        description="Hoodie",
        value="40",
    )
    assert swag["reward"]["contributionKind"] == "ARTICLE"
    reward = swag["reward"]["id"]
    await ops.step("incentiveRewardApprove", reward)
    assert (await ops.budget_of(program))["remaining"] == "60.00"
    assert codes(await ops.step("incentiveRewardMarkPaid", reward)) == [("id", "INVALID")]

    cancelled = await ops.step("incentiveRewardCancel", reward, reason="Out of stock")
    assert cancelled["reward"] == {
        "id": reward,
        "status": "CANCELLED",
        "cancelReason": "Out of stock",
    }
    assert (await ops.budget_of(program))["remaining"] == "100.00"
    assert codes(await ops.step("incentiveRewardCancel", reward, reason=" ")) == [
        ("reason", "REQUIRED")
    ]


async def test_approving_over_budget_or_in_another_currency_is_refused(world: World) -> None:
    ops = world.as_("ops@x.example")
    program = await ops.program(unique("Fees"))
    first = (await ops.propose(**fee(world, program, "60")))["reward"]["id"]
    no_budget = await ops.step("incentiveRewardApprove", first)
    assert codes(no_budget) == [("id", "CONFLICT")]
    assert "no budget" in no_budget["errors"][0]["message"]

    await ops.budget(program, "100")
    assert (await ops.step("incentiveRewardApprove", first))["errors"] == []
    second = (await ops.propose(**fee(world, program, "60")))["reward"]["id"]
    over = await ops.step("incentiveRewardApprove", second)
    assert codes(over) == [("id", "CONFLICT")]
    assert over["errors"][0]["message"].startswith("Over budget: 40.00 EUR left")
    dollars = (await ops.propose(**fee(world, program, "10", currency="USD")))["reward"]
    refused = await ops.step("incentiveRewardApprove", dollars["id"])
    assert codes(refused) == [("id", "INVALID")]
    assert "in USD but the budget" in refused["errors"][0]["message"]
    # The budget cannot drop below what it committed.
    assert codes(await ops.budget(program, "59.99")) == [("amount", "CONFLICT")]
    assert (await ops.budget_of(program))["remaining"] == "40.00"


async def test_two_approvals_racing_for_the_last_of_the_budget(world: World, owner_engine) -> None:
    """The budget row is locked: the second approval waits for the first to commit, then sees
    what it committed."""
    ops = world.as_("ops@x.example")
    program = await ops.program(unique("Race"))
    await ops.budget(program, "100")
    rewards = [(await ops.propose(**fee(world, program, "60")))["reward"]["id"] for _ in range(2)]

    # Over HTTP, at once: exactly one wins.
    answers = await asyncio.gather(*(ops.step("incentiveRewardApprove", r) for r in rewards))
    assert sorted(codes(a) for a in answers) == [[], [("id", "CONFLICT")]]
    assert (await ops.budget_of(program))["committed"] == "60.00"

    # In two transactions, the second started while the first holds the budget.
    more = [(await ops.propose(**fee(world, program, "40")))["reward"]["id"] for _ in range(2)]
    ids = [uuid.UUID(global_id_payload(r)) for r in more]
    sessions = tenant_sessionmaker(owner_engine)
    staff = world.tenant.people["ops@x.example"]
    async with open_tenant_session(sessions, world.tenant.id) as first, first.begin():
        principal = await load_principal(first, staff)
        await service.approve(first, principal, ids[0])
        async with open_tenant_session(sessions, world.tenant.id) as second, second.begin():
            second_principal = await load_principal(second, staff)
            racing = asyncio.ensure_future(service.approve(second, second_principal, ids[1]))
            await asyncio.sleep(0.5)
            assert not racing.done(), "the second approval waits for the budget row"
            await first.commit()
            with pytest.raises(InvalidInput, match=r"Over budget: 0\.00 EUR left"):
                await racing
    assert (await ops.budget_of(program))["remaining"] == "0.00"


def global_id_payload(value: str) -> str:
    from strawberry import relay

    return relay.from_base64(value)[1]


async def test_who_may_propose_for_what(world: World) -> None:
    ops, lead = world.as_("ops@x.example"), world.as_("lead@x.example")
    program = await ops.program(unique("Leads"))
    other_chapter = await lead.propose(**fee(world, program, "10", contributionId=world.beta_talk))
    assert codes(other_chapter) == [(None, "FORBIDDEN")]
    member = await world.as_("speaker@x.example").propose(**fee(world, program, "10"))
    assert codes(member) == [(None, "FORBIDDEN")]
    # The person must have contributed: a guest did not.
    guest = await lead.propose(
        **fee(world, program, "10", personId=world.person("guest@x.example"))
    )
    assert codes(guest) == [("personId", "INVALID")]
    mentor = await lead.propose(
        **fee(
            world,
            program,
            "10",
            personId=world.person("author@x.example"),
            contributionId=world.project,
        )
    )
    assert mentor["errors"] == []
    assert mentor["reward"]["contributionKind"] == "MENTORING_PROJECT"
    assert mentor["reward"]["mentoringProject"] == {"title": "Docs site"}
    bad = await lead.propose(
        **fee(world, program, "0.001", currency="EURO", quarter="2026-Q5", description=" ")
    )
    assert set(codes(bad)) == {
        ("amount", "INVALID"),
        ("currency", "INVALID"),
        ("quarter", "INVALID"),
        ("description", "REQUIRED"),
    }
    swag_with_amount = await lead.propose(**fee(world, program, "5", kind="SWAG"))
    assert codes(swag_with_amount) == [("amount", "INVALID")]


REWARDS = "{ incentiveRewards(first: 50) { edges { node { id person { displayName } } } } }"
OWN = "{ viewer { incentiveRewards(first: 50) { edges { node { id description } } } } }"


async def test_each_sees_what_is_theirs(world: World) -> None:
    ops = world.as_("ops@x.example")
    program = await ops.program(unique("Visibility"))
    alpha_reward = (await ops.propose(**fee(world, program, "10", description="Mine")))["reward"]
    beta_reward = (await ops.propose(**fee(world, program, "10", contributionId=world.beta_talk)))[
        "reward"
    ]
    author_reward = (
        await ops.propose(
            **fee(
                world,
                program,
                "10",
                personId=world.person("author@x.example"),
                contributionId=world.article,
            )
        )
    )["reward"]

    own = await world.as_("speaker@x.example").data(OWN)
    own_ids = {e["node"]["id"] for e in own["viewer"]["incentiveRewards"]["edges"]}
    assert {alpha_reward["id"], beta_reward["id"]} <= own_ids
    assert author_reward["id"] not in own_ids
    node = "query ($id: ID!) { node(id: $id) { id } }"
    speaker = world.as_("speaker@x.example")
    assert (await speaker.data(node, {"id": author_reward["id"]}))["node"] is None
    assert (await speaker.data(node, {"id": alpha_reward["id"]}))["node"] == {
        "id": alpha_reward["id"]
    }
    listed = await speaker.raw(REWARDS)
    assert listed["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    lead_sees = await world.as_("lead@x.example").data(REWARDS)
    lead_ids = {e["node"]["id"] for e in lead_sees["incentiveRewards"]["edges"]}
    assert {alpha_reward["id"], author_reward["id"]} <= lead_ids
    assert beta_reward["id"] not in lead_ids  # beta's
    viewer_sees = await world.as_("viewer@x.example").data(REWARDS)
    viewer_ids = {e["node"]["id"] for e in viewer_sees["incentiveRewards"]["edges"]}
    assert {alpha_reward["id"], beta_reward["id"], author_reward["id"]} <= viewer_ids
    # Analytics viewers read, never decide.
    refused = await world.as_("viewer@x.example").step("incentiveRewardApprove", alpha_reward["id"])
    assert codes(refused) == [(None, "FORBIDDEN")]


async def test_another_tenants_ids_are_not_found(world: World, tenants, client) -> None:
    ops = world.as_("ops@x.example")
    program = await ops.program(unique("Private"))
    reward = (await ops.propose(**fee(world, program, "10")))["reward"]["id"]
    other = await tenants.create(people={"admin@x.example": TenantRole.ADMIN})
    stranger = Caller(client, other, "admin@x.example")
    assert codes(await stranger.step("incentiveRewardApprove", reward)) == [("id", "NOT_FOUND")]
    budget = await stranger.budget(program, "10")
    assert codes(budget) == [("incentiveProgramId", "NOT_FOUND")]
    found = await stranger.data("query ($id: ID!) { node(id: $id) { id } }", {"id": reward})
    assert found["node"] is None


REPORT = """query ($quarter: String!, $by: IncentiveReportGroupBy!) {
  incentiveReport(quarter: $quarter, groupBy: $by) { quarter
    groups { name rewardCount totals { currency promised committed spent } }
    totals { currency promised committed spent } } }"""


async def test_the_report_sums_per_currency(client, tenants, owner_engine) -> None:
    """A tenant of its own, so the sums are only these: worked out by hand below."""
    tenant = await tenants.create(people=PEOPLE)
    alpha = await make_chapter(owner_engine, tenant, "alpha", staff="ops@x.example")
    from chapters.activities.service import ParticipantEntry

    talk = await make_activity(
        owner_engine,
        tenant,
        alpha.id,
        staff="ops@x.example",
        kind=ActivityKind.TALK,
        participants=[
            ParticipantEntry(
                role=ParticipantRole.SPEAKER, person_id=tenant.people["speaker@x.example"].id
            ),
            ParticipantEntry(
                role=ParticipantRole.HOST, person_id=tenant.people["author@x.example"].id
            ),
        ],
    )
    local = World(tenant, client, global_id("Activity", talk.id), "", "", "")
    ops = local.as_("ops@x.example")
    speakers, hosts = await ops.program("Speakers"), await ops.program("Hosts", "CNY")
    await ops.budget(speakers, "1000")
    await ops.budget(hosts, "5000")

    async def reward(program: str, who: str, amount: str, *steps: str, **more: Any) -> None:
        made = await ops.propose(**fee(local, program, amount, personId=local.person(who), **more))
        assert made["errors"] == [], made
        for field in steps:
            extra = {"reason": "No"} if field == "incentiveRewardCancel" else {}
            assert (await ops.step(field, made["reward"]["id"], **extra))["errors"] == []

    approve, pay = "incentiveRewardApprove", "incentiveRewardMarkPaid"
    await reward(speakers, "speaker@x.example", "100", approve, pay)  # spent
    await reward(speakers, "speaker@x.example", "50", approve)  # committed
    await reward(speakers, "speaker@x.example", "25")  # promised
    await reward(speakers, "speaker@x.example", "999", "incentiveRewardCancel")  # left out
    await reward(hosts, "author@x.example", "300", approve)  # CNY
    await reward(hosts, "author@x.example", "20", currency="EUR")  # promised, EUR
    await reward(speakers, "author@x.example", "10", quarter="2026-Q3")  # another quarter

    by_person = (await ops.data(REPORT, {"quarter": QUARTER, "by": "PERSON"}))["incentiveReport"]
    assert by_person == {
        "quarter": QUARTER,
        "groups": [
            {
                "name": "author",
                "rewardCount": 2,
                "totals": [
                    {"currency": "CNY", "promised": "0.00", "committed": "300.00", "spent": "0.00"},
                    {"currency": "EUR", "promised": "20.00", "committed": "0.00", "spent": "0.00"},
                ],
            },
            {
                "name": "speaker",
                "rewardCount": 3,
                "totals": [
                    {
                        "currency": "EUR",
                        "promised": "25.00",
                        "committed": "150.00",
                        "spent": "100.00",
                    }
                ],
            },
        ],
        "totals": [
            {"currency": "CNY", "promised": "0.00", "committed": "300.00", "spent": "0.00"},
            {"currency": "EUR", "promised": "45.00", "committed": "150.00", "spent": "100.00"},
        ],
    }
    by_program = (await ops.data(REPORT, {"quarter": QUARTER, "by": "PROGRAM"}))["incentiveReport"]
    assert [(g["name"], g["rewardCount"]) for g in by_program["groups"]] == [
        ("Hosts", 2),
        ("Speakers", 3),
    ]
    assert by_program["totals"] == by_person["totals"]
    lead_report = await local.as_("speaker@x.example").raw(
        REPORT, {"quarter": QUARTER, "by": "PERSON"}
    )
    assert lead_report["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    # The export: one row per reward, for staff; not for people without a tenant role.
    response = await client.get(
        f"/t/{tenant.slug}/exports/incentives.csv?from=2026-10-01&to=2026-12-31",
        headers={"Authorization": f"Bearer {tenant.token('ops@x.example')}"},
    )
    assert response.status_code == 200, response.text
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert len(rows) == 6  # the 2026-Q3 reward is left out
    assert sorted(
        (r["program"], r["person"], r["status"], r["amount"], r["currency"]) for r in rows
    ) == [
        ("Hosts", "author", "approved", "300.00", "CNY"),
        ("Hosts", "author", "promised", "20.00", "EUR"),
        ("Speakers", "speaker", "approved", "50.00", "EUR"),
        ("Speakers", "speaker", "cancelled", "999.00", "EUR"),
        ("Speakers", "speaker", "paid", "100.00", "EUR"),
        ("Speakers", "speaker", "promised", "25.00", "EUR"),
    ]
    assert {r["contribution"] for r in rows} == {"Meetup"}
    assert {r["chapter"] for r in rows} == {"alpha"}
    refused = await client.get(
        f"/t/{tenant.slug}/exports/incentives.csv",
        headers={"Authorization": f"Bearer {tenant.token('speaker@x.example')}"},
    )
    assert refused.status_code == 403


LIST = f"{{ incentiveRewards(first: 50) {{ edges {{ node {{ {REWARD} proposedBy {{ displayName }} }} }} }} }}"


async def test_the_rewards_list_costs_the_same_statements_for_more_rewards(
    client, tenants, owner_engine, app
) -> None:
    tenant = await tenants.create(people=PEOPLE)
    alpha = await make_chapter(owner_engine, tenant, "alpha", staff="ops@x.example")
    from chapters.activities.service import ParticipantEntry

    talks = []
    for index in range(3):
        talk = await make_activity(
            owner_engine,
            tenant,
            alpha.id,
            staff="ops@x.example",
            title=f"Talk {index}",
            kind=ActivityKind.TALK,
            participants=[
                ParticipantEntry(
                    role=ParticipantRole.SPEAKER, person_id=tenant.people["speaker@x.example"].id
                ),
                ParticipantEntry(
                    role=ParticipantRole.SPEAKER, person_id=tenant.people["author@x.example"].id
                ),
            ],
        )
        talks.append(global_id("Activity", talk.id))
    local = World(tenant, client, talks[0], "", "", "")
    ops = local.as_("ops@x.example")
    program = await ops.program("Speakers")
    await ops.budget(program, "1000")

    async def counted() -> int:
        with statements_sent(app.state.runtime.engine) as statements:
            data = await ops.data(LIST)
        assert all(e["node"]["activity"] for e in data["incentiveRewards"]["edges"])
        return len(statements)

    async def add(count: int) -> None:
        for index in range(count):
            who = ("speaker@x.example", "author@x.example")[index % 2]
            made = await ops.propose(
                **fee(
                    local, program, "1", personId=local.person(who), contributionId=talks[index % 3]
                )
            )
            await ops.step("incentiveRewardApprove", made["reward"]["id"])

    await add(2)
    few = await counted()
    await add(8)
    many = await counted()
    assert many == few, (few, many)
    assert Decimal((await ops.budget_of(program))["committed"]) == Decimal("10.00")
