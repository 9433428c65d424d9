"""The demo data answers the questions the README asks of it, through the API, and seeding it
again changes nothing. ``test_cli`` seeds the same tenants through the command line, in either
order with these tests."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from chapters.auth.tokens import issue_access_token
from chapters.db.session import open_tenant_session, tenant_sessionmaker
from chapters.demo import (
    CONTENT,
    DEMO_ACTIVITIES,
    _ensure_accounts,
    _seed_content,
    _seed_tenant,
    seed_demo,
)
from chapters.demo.participation import PAST
from chapters.models import (
    Activity,
    ActivityCoHost,
    ActivityComment,
    ActivityKind,
    ActivityLink,
    ActivityOrganisation,
    ActivityParticipant,
    ActivityRecapVersion,
    ActivityScheduleChange,
    ActivityStatus,
    ActivityTransition,
    AuditEntry,
    Chapter,
    ChapterMembership,
    ChapterMembershipPeriod,
    ChapterOrganisation,
    ChapterStatusChange,
    Committee,
    CommitteeSeat,
    MentoringProgram,
    MentoringProject,
    MentoringProjectMember,
    Organisation,
    OrganisationContact,
    OrganisationRelationship,
    Person,
    Registration,
)
from chapters.people.service import find_person_by_email
from tests.support import data_of, gql

CITIES = {"shanghai", "hangzhou", "chengdu", "guangzhou", "shenzhen"}
LEDGER = [
    Organisation,
    OrganisationRelationship,
    OrganisationContact,
    ChapterOrganisation,
    MentoringProgram,
    MentoringProject,
    MentoringProjectMember,
    Activity,
    ActivityTransition,
    ActivityComment,
    ActivityLink,
    ActivityParticipant,
    ActivityCoHost,
    ActivityOrganisation,
    ActivityRecapVersion,
    ActivityScheduleChange,
]
COUNTED = [
    Person,
    Committee,
    CommitteeSeat,
    Chapter,
    ChapterStatusChange,
    ChapterMembership,
    ChapterMembershipPeriod,
    AuditEntry,
    Registration,
    *LEDGER,
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
async def demo(owner_engine: AsyncEngine, keys) -> dict[str, uuid.UUID]:
    return await seed_demo(owner_engine, echo=lambda line: None, keys=keys)


@pytest.fixture(scope="module")
def token(owner_engine, keys, settings, demo):
    async def mint(tenant: str, email: str) -> str:
        sessionmaker = tenant_sessionmaker(owner_engine)
        async with open_tenant_session(sessionmaker, demo[tenant]) as session:
            person = await find_person_by_email(session, email)
        assert person is not None, email
        return issue_access_token(keys, settings, tenant_id=demo[tenant], subject=str(person.id))

    return mint


async def counts(owner_engine: AsyncEngine, tenant_id: uuid.UUID) -> dict[str, int]:
    sessionmaker = tenant_sessionmaker(owner_engine)
    async with open_tenant_session(sessionmaker, tenant_id) as session:
        return {
            model.__name__: await session.scalar(select(func.count()).select_from(model))
            for model in COUNTED
        }


def names(body: dict[str, Any]) -> list[str]:
    edges = body["chapter"]["membershipHistory"]["edges"]
    return [edge["node"]["person"]["displayName"] for edge in edges]


async def test_seeding_again_changes_nothing(owner_engine, demo, keys) -> None:
    before = {slug: await counts(owner_engine, tenant_id) for slug, tenant_id in demo.items()}
    lines: list[str] = []
    assert await seed_demo(owner_engine, echo=lines.append, keys=keys) == demo
    after = {slug: await counts(owner_engine, tenant_id) for slug, tenant_id in demo.items()}
    assert after == before
    assert "  demo: chapters and history already there" in lines
    assert "  demo: activity ledger already there" in lines
    assert before["demo"]["Chapter"] == 6
    assert before["demo"]["AuditEntry"] > 0  # the services' writes were audited
    # the ledger, the past, the two meetups of the outbound demo (registrations, a recap) and
    # the conference talk accepted into the ledger
    assert before["demo"]["Activity"] == len(DEMO_ACTIVITIES) + len(PAST.activities) + 3
    assert before["demo"]["Registration"] == 10
    assert "  demo: registrations, reminders and recap mail already there" in lines
    assert before["demo"]["Organisation"] == 5
    assert before["acme"]["Activity"] == 0


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


# The activity ledger

ACTIVITY_FIELDS = """
  id kind status title startsAt endsAt venue onlineUrl language expectedAttendance
  attendance reach { count unit } tags mentoringProjectId submittedAt recapPublishedAt isRecapOverdue
  chapter { slug } coHosts { slug } organisations { role name }
  participants { role externalName person { displayName } }
  links { kind url }
"""
ACTIVITIES = (
    "query ($filter: ActivityFilter, $after: String) { activities(filter: $filter, first: 100,"
    f" after: $after) {{ edges {{ node {{ {ACTIVITY_FIELDS} }} }}"
    " pageInfo { hasNextPage endCursor } } }"
)
# The ledger's activities (the demo's past participation, before and beside it, is not its)
LEDGER_TITLES = {spec.title for spec in DEMO_ACTIVITIES}


def nodes(connection: dict[str, Any]) -> list[dict[str, Any]]:
    return [edge["node"] for edge in connection["edges"]]


async def activities(client, token: str | None, filter_: dict[str, Any] | None = None):
    """The ledger's activities matching ``filter_``, every page of them."""
    found, after = [], None
    while True:
        body = await gql(
            client, "demo", ACTIVITIES, {"filter": filter_, "after": after}, token=token
        )
        page = data_of(body)["activities"]
        found += [a for a in nodes(page) if a["title"] in LEDGER_TITLES]
        if not page["pageInfo"]["hasNextPage"]:
            return found
        after = page["pageInfo"]["endCursor"]


async def test_ledger_has_every_kind_and_every_status(client, token) -> None:
    ops = await token("demo", "ops@demo.example")
    everything = await activities(client, ops)
    assert len(everything) == len(DEMO_ACTIVITIES)
    assert {a["status"] for a in everything} == {s.name for s in ActivityStatus}
    for kind in ActivityKind:
        listed = await activities(client, ops, {"kind": [kind.name]})
        assert listed, kind
        assert {a["kind"] for a in listed} == {kind.name}
    assert {a["chapter"]["slug"] for a in everything} == CITIES
    assert {a["language"] for a in everything} == {"zh-CN", "en"}
    starts = sorted(a["startsAt"] for a in everything)
    assert starts[0] >= "2025-12" and starts[-1] < "2027-02"
    assert any(a["venue"] for a in everything) and any(a["onlineUrl"] for a in everything)
    assert all(a["tags"] for a in everything)
    participants = [p for a in everything for p in a["participants"]]
    assert any(p["person"] for p in participants)
    assert any(p["externalName"] and p["person"] is None for p in participants)
    ended_with_recap = [a for a in everything if a["recapPublishedAt"]]
    assert all(a["status"] == "ACCEPTED" for a in ended_with_recap)
    # People present for events, reads and listens for articles and podcasts.
    assert all(a["attendance"] or a["reach"] for a in ended_with_recap)
    assert {a["reach"]["unit"] for a in ended_with_recap if a["reach"]} == {"READS", "LISTENS"}
    link_kinds = {link["kind"] for a in ended_with_recap for link in a["links"]}
    assert {"RECORDING", "SLIDES", "ARTICLE", "EPISODE", "PHOTOS"} <= link_kinds
    mentoring = [a for a in everything if a["kind"] == "MENTORING"]
    assert all(a["mentoringProjectId"] for a in mentoring)

    # Anonymous callers see the accepted ones only.
    public = await activities(client, None)
    assert public and {a["status"] for a in public} == {"ACCEPTED"}
    assert len(public) < len(everything)


CORRECTIONS = """{ activities(first: 100) { edges { node { title status
  transitions { fromStatus toStatus comment }
  scheduleChanges(first: 5) { edges { node { fromStartsAt toStartsAt reason } } }
  recapHistory(first: 5) { edges { node { number attendance note } } } } } } }"""


async def test_ledger_shows_corrections_after_review(client, token) -> None:
    """A reopened and corrected activity, a rescheduled one, a recap published twice."""
    ops = await token("demo", "ops@demo.example")
    everything = nodes(data_of(await gql(client, "demo", CORRECTIONS, token=ops))["activities"])
    reopened = [
        a
        for a in everything
        if ("ACCEPTED", "CHANGES_REQUESTED")
        in [(t["fromStatus"], t["toStatus"]) for t in a["transitions"]]
    ]
    assert len(reopened) == 1 and reopened[0]["status"] == "ACCEPTED"
    (reopening,) = [t for t in reopened[0]["transitions"] if t["fromStatus"] == "ACCEPTED"]
    assert reopening["comment"].startswith("The training company moved")
    moved = [a for a in everything if a["scheduleChanges"]["edges"]]
    assert [a["title"] for a in moved] == [
        "Shenzhen Meetup: edge AI on small devices (rescheduled)"
    ]
    (change,) = nodes(moved[0]["scheduleChanges"])
    assert change["toStartsAt"] > change["fromStartsAt"] and change["reason"]
    twice = [a for a in everything if len(a["recapHistory"]["edges"]) == 2]
    assert len(twice) == 1
    first, second = nodes(twice[0]["recapHistory"])
    assert (first["attendance"], second["attendance"]) == (86, 88) and second["note"]


async def test_review_queue_holds_the_submissions_and_a_resubmission(client, token) -> None:
    ops = await token("demo", "ops@demo.example")
    query = """{ activityReviewQueue(first: 50) { edges { node {
        title status venue expectedAttendance links { kind }
        transitions { fromStatus toStatus comment actor { displayName } }
        comments { edges { node { body author { displayName } } } }
    } } } }"""
    queue = nodes(data_of(await gql(client, "demo", query, token=ops))["activityReviewQueue"])
    assert len(queue) >= 3
    assert {a["status"] for a in queue} == {"SUBMITTED"}
    resubmitted = [
        a for a in queue if "CHANGES_REQUESTED" in {t["fromStatus"] for t in a["transitions"]}
    ]
    assert len(resubmitted) == 1
    again = resubmitted[0]
    steps = [(t["fromStatus"], t["toStatus"]) for t in again["transitions"]]
    assert steps == [
        (None, "DRAFT"),
        ("DRAFT", "SUBMITTED"),
        ("SUBMITTED", "CHANGES_REQUESTED"),
        ("CHANGES_REQUESTED", "SUBMITTED"),
    ]
    sent_back = again["transitions"][2]
    assert sent_back["comment"] and sent_back["actor"] == {"displayName": "Oscar Ops"}
    resubmission = again["transitions"][3]
    assert resubmission["comment"]  # what the organiser changed
    thread = [(c["body"], c["author"]) for c in nodes(again["comments"])]
    assert thread == [
        (sent_back["comment"], sent_back["actor"]),
        (resubmission["comment"], resubmission["actor"]),
    ]
    assert again["expectedAttendance"] == 60 and {"kind": "REGISTRATION"} in again["links"]

    # The activity still waiting for its changes has the review comment and a reply.
    query = """query ($filter: ActivityFilter) { activities(filter: $filter) { edges { node {
        title comments { edges { node { body author { displayName } } } }
    } } } }"""
    body = await gql(
        client, "demo", query, {"filter": {"status": ["CHANGES_REQUESTED"]}}, token=ops
    )
    waiting = nodes(data_of(body)["activities"])
    assert waiting
    for activity in waiting:
        thread = [c["author"]["displayName"] for c in nodes(activity["comments"])]
        assert thread[0] == "Oscar Ops" and len(thread) >= 2, activity["title"]


async def test_overdue_recaps_are_the_ended_accepted_ones_without_a_recap(client, token) -> None:
    ops = await token("demo", "ops@demo.example")
    query = """{ tenant { recapOverdueDays }
      overdueRecaps(first: 100) { edges { node {
        title status startsAt endsAt recapPublishedAt isRecapOverdue } } } }"""
    data = data_of(await gql(client, "demo", query, token=ops))
    cutoff = datetime.now(UTC) - timedelta(days=data["tenant"]["recapOverdueDays"])
    overdue = nodes(data["overdueRecaps"])
    assert overdue
    for activity in overdue:
        ended = datetime.fromisoformat(activity["endsAt"] or activity["startsAt"])
        assert ended < cutoff, activity["title"]
        assert activity["recapPublishedAt"] is None and activity["isRecapOverdue"]
    titles = {activity["title"] for activity in overdue}
    assert {
        "Chengdu Meetup: summer lightning talks",
        "Guangzhou Meetup: service mesh one year on",
        "Live: Kubernetes at the edge",
    } <= titles
    accepted = await activities(client, ops, {"status": ["ACCEPTED"], "recapOverdue": True})
    assert {a["title"] for a in accepted} <= titles
    assert {a["status"] for a in overdue} == {"ACCEPTED"}


async def test_co_hosted_activities_appear_in_both_calendars(client, token) -> None:
    ops = await token("demo", "ops@demo.example")
    query = """query ($chapterId: ID!, $from: DateTime!, $to: DateTime!) {
      chapterCalendar(chapterId: $chapterId, from: $from, to: $to) {
        title chapter { slug } coHosts { slug } } }"""
    ids_query = "{ chapters(first: 50) { edges { node { id slug } } } }"
    chapters = data_of(await gql(client, "demo", ids_query, token=ops))["chapters"]
    ids = {node["slug"]: node["id"] for node in nodes(chapters)}
    year = {"from": "2026-01-01T00:00:00+08:00", "to": "2027-01-01T00:00:00+08:00"}

    async def calendar(slug: str) -> list[dict[str, Any]]:
        variables = {"chapterId": ids[slug], **year}
        return data_of(await gql(client, "demo", query, variables, token=ops))["chapterCalendar"]

    for owner, co_host in (("shanghai", "hangzhou"), ("shenzhen", "guangzhou")):
        owned = {
            a["title"]
            for a in await calendar(owner)
            if a["chapter"]["slug"] == owner and {"slug": co_host} in a["coHosts"]
        }
        assert owned, owner
        assert owned <= {a["title"] for a in await calendar(co_host)}


async def test_organisations_take_part_in_activities(client, token) -> None:
    admin = await token("demo", "admin@demo.example")
    query = """{ organisations(first: 50) { edges { node {
        id name kind relationships { kind status } contacts { name }
        chapters { edges { node { slug } } } } } } }"""
    registry = nodes(data_of(await gql(client, "demo", query, token=admin))["organisations"])
    by_name = {organisation["name"]: organisation for organisation in registry}
    company = by_name["Example Cloud Inc."]
    assert company["kind"] == "COMPANY" and company["contacts"]
    relationships = {(r["kind"], r["status"]) for r in company["relationships"]}
    assert {("CO_HOST", "ACTIVE"), ("SPONSOR", "ACTIVE")} <= relationships
    university = by_name["Zhejiang Demo University"]
    assert university["kind"] == "UNIVERSITY"
    assert [node["slug"] for node in nodes(university["chapters"])] == ["hangzhou"]
    assert by_name["Cloud Native Training Co."]["kind"] == "TRAINING"
    kinds = {organisation["kind"] for organisation in registry}
    assert "MEDIA" in kinds
    assert any(
        ("PROSPECT", "PROPOSED") in {(r["kind"], r["status"]) for r in o["relationships"]}
        for o in registry
    )

    async def co_hosted(name: str, **filters: Any) -> list[dict[str, Any]]:
        organisation_id = by_name[name]["id"]
        listed = await activities(client, admin, {"organisationId": organisation_id, **filters})
        return [a for a in listed if {"role": "CO_HOST", "name": name} in a["organisations"]]

    assert await co_hosted("Example Cloud Inc.", status=["ACCEPTED"])
    assert await co_hosted("Zhejiang Demo University", kind=["CAMPUS_VISIT"], status=["ACCEPTED"])
    assert await co_hosted("Cloud Native Training Co.")


async def test_mentoring_program_has_projects_in_several_statuses(client, token) -> None:
    member = await token("demo", "member@demo.example")
    query = """{ mentoringPrograms(filter: {year: 2026}) { edges { node {
        name year applicationsOpenOn codingEndsOn
        projects(first: 50) { edges { node {
          id title status outcome chapter { slug } mentors { displayName } mentees { displayName }
        } } } } } } }"""
    programs = nodes(data_of(await gql(client, "demo", query, token=member))["mentoringPrograms"])
    assert [program["name"] for program in programs] == ["Open Source Summer 2026"]
    program = programs[0]
    assert program["applicationsOpenOn"].startswith("2026")
    assert program["codingEndsOn"].startswith("2026")
    projects = nodes(program["projects"])
    statuses = {project["status"] for project in projects}
    assert {"COMPLETED", "IN_PROGRESS", "ACCEPTED", "FAILED"} <= statuses
    for project in projects:
        assert project["mentors"] and project["mentees"], project["title"]
        assert project["chapter"]["slug"] in {"shanghai", "hangzhou"}
        finished = project["status"] in {"COMPLETED", "FAILED"}
        assert bool(project["outcome"]) == finished, project["title"]
    ops = await token("demo", "ops@demo.example")
    linked = {
        a["mentoringProjectId"] for a in await activities(client, ops, {"kind": ["MENTORING"]})
    }
    assert linked <= {project["id"] for project in projects}
    assert len(linked) >= 2


async def test_ledger_reaches_a_tenant_seeded_before_it(owner_engine, tenants) -> None:
    """A database whose chapters were seeded before the ledger existed gets it on the next run,
    and only once."""
    tenant = await tenants.create("ledger", people={})
    sessionmaker = tenant_sessionmaker(owner_engine)
    timezone = ZoneInfo("Asia/Shanghai")
    async with open_tenant_session(sessionmaker, tenant.id) as session, session.begin():
        await _ensure_accounts(session, "demo")
        await _seed_content(session, CONTENT["demo"], timezone)
        assert await session.scalar(select(func.count()).select_from(Activity)) == 0

    async def seed() -> list[str]:
        lines: list[str] = []
        async with open_tenant_session(sessionmaker, tenant.id) as session, session.begin():
            await _seed_tenant(session, "demo", CONTENT["demo"], lines.append)
        assert "  demo: chapters and history already there" in lines
        return lines

    assert "  demo: activity ledger already there" not in await seed()
    found = await counts(owner_engine, tenant.id)
    assert "  demo: activity ledger already there" in await seed()
    assert await counts(owner_engine, tenant.id) == found
    assert found["Activity"] == len(DEMO_ACTIVITIES)
    assert found["Organisation"] == 5
    assert found["MentoringProject"] == 4


TIMELINE = """query ($filter: ActivityFilter, $after: String) {
  activities(filter: $filter, first: 100, after: $after) {
    edges { node {
      title status startsAt endsAt createdAt updatedAt submittedAt reviewedAt recapPublishedAt
      transitions { fromStatus toStatus occurredAt }
      comments { edges { node { createdAt } } }
    } }
    pageInfo { hasNextPage endCursor }
  }
}"""


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def test_the_review_queue_shows_who_has_waited_longest(client, token) -> None:
    """Each queued activity was submitted at its own time, weeks before it takes place, and the
    queue lists the oldest submission first."""
    ops = await token("demo", "ops@demo.example")
    query = "{ activityReviewQueue(first: 50) { edges { node { title submittedAt startsAt } } } }"
    queue = nodes(data_of(await gql(client, "demo", query, token=ops))["activityReviewQueue"])
    submitted = [_time(a["submittedAt"]) for a in queue]
    assert len(set(submitted)) == len(queue) >= 3
    assert submitted == sorted(submitted)
    assert max(submitted) - min(submitted) > timedelta(days=3)  # spread, not one seeding moment
    now = datetime.now(UTC)
    for activity in queue:
        assert _time(activity["submittedAt"]) < now, activity
        assert _time(activity["submittedAt"]) < _time(activity["startsAt"]), activity


async def test_every_activity_has_a_history_in_the_order_it_happened(client, token) -> None:
    """Created, submitted, reviewed, recapped: each at its own time, in that order, and in the
    past; an accepted event was reviewed before it took place and recapped after it ended."""
    ops = await token("demo", "ops@demo.example")
    activities, after = [], None
    while True:
        body = data_of(await gql(client, "demo", TIMELINE, {"after": after}, token=ops))
        activities += nodes(body["activities"])
        if not body["activities"]["pageInfo"]["hasNextPage"]:
            break
        after = body["activities"]["pageInfo"]["endCursor"]
    # + the outbound demo's two meetups and the accepted conference talk
    assert len(activities) == len(DEMO_ACTIVITIES) + len(PAST.activities) + 3
    now = datetime.now(UTC)
    created_times = set()
    for activity in activities:
        steps = [_time(t["occurredAt"]) for t in activity["transitions"]]
        created = _time(activity["createdAt"])
        created_times.add(created)
        # The draft's first transition, written in the same call.
        assert abs(steps[0] - created) < timedelta(seconds=1), activity["title"]
        assert steps == sorted(steps) and len(set(steps)) == len(steps), activity["title"]
        # (Within a step, what the database stamps and what the services stamp may differ by
        # the milliseconds the step took.)
        updated = _time(activity["updatedAt"])
        assert steps[-1] - timedelta(seconds=1) <= updated < now, activity["title"]
        comments = [_time(c["createdAt"]) for c in nodes(activity["comments"])]
        assert comments == sorted(comments) and all(created < c < now for c in comments)
        if activity["submittedAt"]:
            assert _time(activity["submittedAt"]) in steps
        starts = _time(activity["startsAt"])
        ends = _time(activity["endsAt"] or activity["startsAt"])
        if activity["status"] == "ACCEPTED" and starts < now:
            assert _time(activity["reviewedAt"]) < starts, activity["title"]
        if activity["recapPublishedAt"]:
            assert ends < _time(activity["recapPublishedAt"]) < now, activity["title"]
    # Written up over the year, not all in the moment of seeding.
    assert max(created_times) - min(created_times) > timedelta(days=300)


async def test_memberships_and_people_are_dated_from_their_history(owner_engine, demo) -> None:
    """Rows the services stamp with the time of writing carry the day they stand for."""
    sessionmaker = tenant_sessionmaker(owner_engine)
    async with open_tenant_session(sessionmaker, demo["demo"]) as session:
        memberships = (await session.execute(select(ChapterMembership))).scalars().all()
        first_periods = dict(
            (
                await session.execute(
                    select(
                        ChapterMembershipPeriod.membership_id,
                        func.min(ChapterMembershipPeriod.started_at),
                    ).group_by(ChapterMembershipPeriod.membership_id)
                )
            ).all()
        )
        for membership in memberships:
            began = first_periods[membership.id]
            assert abs(membership.created_at - began) < timedelta(seconds=1), membership.id
        chapters = (await session.execute(select(Chapter))).scalars().all()
        for chapter in chapters:
            assert chapter.created_at.date() == chapter.founded_on
        audit_days = await session.scalar(
            select(func.count(func.distinct(func.date(AuditEntry.occurred_at))))
        )
        assert audit_days > 100  # the audit log tells the same three years
        people = (await session.execute(select(Person.created_at))).scalars().all()
        assert len(set(people)) > 10
