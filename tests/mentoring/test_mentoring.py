"""Mentoring programs and projects through the GraphQL endpoint: who may read and write them,
project status transitions, mentors and mentees, typed errors for bad input, the program phase,
filters and pages, tenants kept apart, and a constant number of SQL statements per page."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from chapters.api.ids import global_id
from chapters.db.session import open_tenant_session, tenant_sessionmaker
from chapters.models import (
    MentoringProgram,
    MentoringProject,
    MentoringProjectMember,
    ProjectRole,
    ProjectStatus,
    TenantRole,
)
from tests import support
from tests.support import TenantFixture, codes, make_chapter, person_id, statements_sent

OPS, LEAD, CO_LEAD, MEMBER = "ops@x.example", "lead@x.example", "colead@x.example", "m@x.example"
BETA_LEAD, STUDENT, STUDENT2 = "beta@x.example", "s1@x.example", "s2@x.example"
PEOPLE = {
    OPS: TenantRole.OPS,
    LEAD: None,
    CO_LEAD: None,
    MEMBER: None,
    BETA_LEAD: None,
    STUDENT: None,
    STUDENT2: None,
}

ERRORS = "errors { field code message }"
PROGRAM = (
    "id name year description applicationsOpenOn applicationsCloseOn codingStartsOn "
    "codingEndsOn phase createdAt updatedAt"
)
PERSON = "displayName email"
PROJECT = (
    f"id title repositoryUrl status outcome createdAt updatedAt program {{ name }} "
    f"chapter {{ slug }} mentors {{ {PERSON} }} mentees {{ {PERSON} }}"
)

PROGRAM_CREATE = f"""mutation ($input: MentoringProgramCreateInput!) {{
  mentoringProgramCreate(input: $input) {{ program {{ {PROGRAM} }} {ERRORS} }}
}}"""
PROGRAM_UPDATE = f"""mutation ($input: MentoringProgramUpdateInput!) {{
  mentoringProgramUpdate(input: $input) {{ program {{ {PROGRAM} }} {ERRORS} }}
}}"""
PROJECT_CREATE = f"""mutation ($input: MentoringProjectCreateInput!) {{
  mentoringProjectCreate(input: $input) {{ project {{ {PROJECT} }} {ERRORS} }}
}}"""
PROJECT_UPDATE = f"""mutation ($input: MentoringProjectUpdateInput!) {{
  mentoringProjectUpdate(input: $input) {{ project {{ {PROJECT} }} {ERRORS} }}
}}"""
SET_STATUS = f"""mutation ($input: MentoringProjectSetStatusInput!) {{
  mentoringProjectSetStatus(input: $input) {{ project {{ {PROJECT} }} {ERRORS} }}
}}"""
SET_MEMBERS = f"""mutation ($input: MentoringProjectSetMembersInput!) {{
  mentoringProjectSetMembers(input: $input) {{ project {{ {PROJECT} }} {ERRORS} }}
}}"""
LIST = """query ($filter: MentoringProgramFilter, $first: Int, $after: String, $last: Int,
                 $before: String, $projects: MentoringProjectFilter) {
  mentoringPrograms(filter: $filter, first: $first, after: $after, last: $last, before: $before) {
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id name year phase
      projects(filter: $projects) { edges { node { title status chapter { slug } } } }
    } }
  }
}"""
NODE = f"""query ($id: ID!) {{ node(id: $id) {{ id
  ... on MentoringProgram {{ {PROGRAM} }}
  ... on MentoringProject {{ {PROJECT} }}
}} }}"""


class Api(support.Api):
    """One caller of one tenant's endpoint, with this module's queries."""

    async def node(self, object_id: str) -> dict[str, Any] | None:
        return (await self.data(NODE, {"id": object_id}))["node"]

    async def programs(self, **variables: Any) -> dict[str, Any]:
        return (await self.data(LIST, variables))["mentoringPrograms"]

    async def program_names(self, **variables: Any) -> list[str]:
        page = await self.programs(**variables)
        return [f"{edge['node']['year']} {edge['node']['name']}" for edge in page["edges"]]


async def _program(api: Api, name: str = "Summer of Code", year: int = 2025, **fields: Any) -> str:
    payload = await api.mutate(PROGRAM_CREATE, name=name, year=year, **fields)
    assert payload["errors"] == [], payload
    return payload["program"]["id"]


async def _project(api: Api, program_id: str, title: str = "Docs site", **fields: Any) -> dict:
    payload = await api.mutate(PROJECT_CREATE, programId=program_id, title=title, **fields)
    assert payload["errors"] == [], payload
    return payload["project"]


async def _world(client, tenants, owner_engine) -> tuple[TenantFixture, str, str]:
    """A tenant with chapter alpha (lead, co-lead, a member) and chapter beta (its own lead);
    returns the tenant and the two chapters' global ids."""
    tenant = await tenants.create(people=PEOPLE)
    alpha = await make_chapter(
        owner_engine, tenant, "alpha", staff=OPS, lead=LEAD, co_leads=(CO_LEAD,), members=(MEMBER,)
    )
    beta = await make_chapter(owner_engine, tenant, "beta", staff=OPS, lead=BETA_LEAD)
    return tenant, global_id("Chapter", alpha.id), global_id("Chapter", beta.id)


async def test_ops_run_programs_and_projects(client, tenants, owner_engine) -> None:
    tenant, alpha, _ = await _world(client, tenants, owner_engine)
    ops = Api(client, tenant, OPS)
    created = await ops.mutate(
        PROGRAM_CREATE,
        name="  Open Source Promotion Plan ",
        year=2025,
        description="Students work on open-source projects over the summer.",
        applicationsOpenOn="2025-04-01",
        applicationsCloseOn="2025-05-01",
        codingStartsOn="2025-07-01",
        codingEndsOn="2025-09-30",
    )
    assert created["errors"] == []
    program = created["program"]
    assert (program["name"], program["year"]) == ("Open Source Promotion Plan", 2025)
    assert (program["applicationsCloseOn"], program["codingEndsOn"]) == ("2025-05-01", "2025-09-30")

    project = await _project(
        ops,
        program["id"],
        "  Chapter website ",
        chapterId=alpha,
        repositoryUrl="https://github.com/example/site",
        mentorIds=[person_id(tenant, LEAD), person_id(tenant, CO_LEAD)],
        menteeIds=[person_id(tenant, STUDENT)],
    )
    assert project["title"] == "Chapter website"
    assert (project["status"], project["outcome"]) == ("PROPOSED", None)
    assert project["program"] == {"name": "Open Source Promotion Plan"}
    assert project["chapter"] == {"slug": "alpha"}
    # By display name; staff see the emails.
    assert project["mentors"] == [
        {"displayName": "colead", "email": CO_LEAD},
        {"displayName": "lead", "email": LEAD},
    ]
    assert project["mentees"] == [{"displayName": "s1", "email": STUDENT}]
    staff_only = await _project(ops, program["id"], "Release tooling")
    assert staff_only["chapter"] is None and staff_only["mentors"] == []

    (listed,) = (await ops.programs())["edges"]
    assert [edge["node"]["title"] for edge in listed["node"]["projects"]["edges"]] == [
        "Chapter website",
        "Release tooling",
    ]
    assert (await ops.node(project["id"]))["title"] == "Chapter website"
    assert (await ops.node(program["id"]))["year"] == 2025

    # Partial update: omitted fields stay, null clears.
    updated = await ops.mutate(PROGRAM_UPDATE, id=program["id"], year=2026, description=None)
    assert updated["errors"] == []
    assert (updated["program"]["year"], updated["program"]["description"]) == (2026, None)
    assert updated["program"]["codingStartsOn"] == "2025-07-01"

    # A plain member reads programs and projects, without the people's emails.
    member = Api(client, tenant, MEMBER)
    seen = await member.node(project["id"])
    assert seen["mentees"] == [{"displayName": "s1", "email": None}]
    assert (await member.programs())["edges"][0]["node"]["name"] == "Open Source Promotion Plan"


async def test_a_lead_manages_the_projects_of_their_chapter_only(
    client, tenants, owner_engine
) -> None:
    tenant, alpha, beta = await _world(client, tenants, owner_engine)
    ops, lead = Api(client, tenant, OPS), Api(client, tenant, LEAD)
    co_lead, member = Api(client, tenant, CO_LEAD), Api(client, tenant, MEMBER)
    program_id = await _program(ops)

    own = await _project(lead, program_id, "Alpha project", chapterId=alpha)
    assert own["chapter"] == {"slug": "alpha"}
    renamed = await co_lead.mutate(PROJECT_UPDATE, id=own["id"], title="Alpha docs")
    assert renamed["errors"] == [] and renamed["project"]["title"] == "Alpha docs"
    accepted = await lead.mutate(SET_STATUS, id=own["id"], status="ACCEPTED")
    assert accepted["errors"] == [] and accepted["project"]["status"] == "ACCEPTED"
    people = await lead.mutate(
        SET_MEMBERS,
        id=own["id"],
        mentorIds=[person_id(tenant, LEAD)],
        menteeIds=[person_id(tenant, STUDENT)],
    )
    assert people["errors"] == []
    # A lead sees the emails of their chapter's members only.
    assert people["project"]["mentors"] == [{"displayName": "lead", "email": LEAD}]
    assert people["project"]["mentees"] == [{"displayName": "s1", "email": None}]

    beta_project = await _project(ops, program_id, "Beta project", chapterId=beta)
    staff_project = await _project(ops, program_id, "Staff project")
    forbidden = [
        (PROJECT_CREATE, {"programId": program_id, "title": "Sneaky", "chapterId": beta}),
        (PROJECT_CREATE, {"programId": program_id, "title": "Chapterless"}),
        (PROJECT_UPDATE, {"id": beta_project["id"], "title": "Taken over"}),
        (PROJECT_UPDATE, {"id": staff_project["id"], "title": "Taken over"}),
        (SET_STATUS, {"id": beta_project["id"], "status": "FAILED", "outcome": "No"}),
        (SET_MEMBERS, {"id": staff_project["id"], "mentorIds": [], "menteeIds": []}),
        (PROGRAM_CREATE, {"name": "Lead's own program", "year": 2025}),
        (PROGRAM_UPDATE, {"id": program_id, "name": "Renamed"}),
    ]
    for query, input in forbidden:
        payload = await lead.mutate(query, **input)
        assert codes(payload) == [(None, "FORBIDDEN")], (query, input)
        assert payload.get("project", payload.get("program")) is None
    # A plain member of alpha may not manage alpha's projects.
    for query, input in [
        (PROJECT_CREATE, {"programId": program_id, "title": "Member's", "chapterId": alpha}),
        (PROJECT_UPDATE, {"id": own["id"], "title": "Member's"}),
        (SET_STATUS, {"id": own["id"], "status": "IN_PROGRESS"}),
        (SET_MEMBERS, {"id": own["id"], "mentorIds": [], "menteeIds": []}),
    ]:
        assert codes(await member.mutate(query, **input)) == [(None, "FORBIDDEN")], query

    # Only staff move a project to another chapter (or to none).
    for target in (beta, None):
        moved = await lead.mutate(PROJECT_UPDATE, id=own["id"], chapterId=target)
        assert codes(moved) == [("chapterId", "FORBIDDEN")]
    same = await lead.mutate(PROJECT_UPDATE, id=own["id"], chapterId=alpha, outcome="On track")
    assert same["errors"] == [] and same["project"]["outcome"] == "On track"
    moved = await ops.mutate(PROJECT_UPDATE, id=own["id"], chapterId=beta)
    assert moved["errors"] == [] and moved["project"]["chapter"] == {"slug": "beta"}
    assert codes(await lead.mutate(PROJECT_UPDATE, id=own["id"], title="Mine")) == [
        (None, "FORBIDDEN")
    ]

    # Nothing the refused calls tried was written.
    (program,) = (await ops.programs())["edges"]
    assert program["node"]["name"] == "Summer of Code"
    titles = [edge["node"]["title"] for edge in program["node"]["projects"]["edges"]]
    assert titles == ["Alpha docs", "Beta project", "Staff project"]
    beta_now = await ops.node(beta_project["id"])
    assert (beta_now["status"], beta_now["title"]) == ("PROPOSED", "Beta project")


async def test_projects_move_through_their_statuses(client, tenants) -> None:
    tenant = await tenants.create(people=PEOPLE)
    ops = Api(client, tenant, OPS)
    program_id = await _program(ops)
    project = await _project(ops, program_id)

    async def step(project_id: str, status: str, **fields: Any) -> dict[str, Any]:
        return await ops.mutate(SET_STATUS, id=project_id, status=status, **fields)

    skipped = await step(project["id"], "COMPLETED", outcome="Done")
    assert skipped["errors"] == [
        {
            "field": "status",
            "code": "INVALID",
            "message": "A proposed project cannot become completed",
        }
    ]
    assert codes(await step(project["id"], "PROPOSED")) == [("status", "INVALID")]
    assert (await step(project["id"], "ACCEPTED"))["project"]["status"] == "ACCEPTED"
    assert codes(await step(project["id"], "ACCEPTED")) == [("status", "INVALID")]
    assert (await step(project["id"], "IN_PROGRESS"))["project"]["status"] == "IN_PROGRESS"
    assert codes(await step(project["id"], "COMPLETED")) == [("outcome", "REQUIRED")]
    assert codes(await step(project["id"], "COMPLETED", outcome="   ")) == [("outcome", "REQUIRED")]
    done = await step(project["id"], "COMPLETED", outcome=" Merged upstream ")
    assert done["errors"] == []
    assert (done["project"]["status"], done["project"]["outcome"]) == (
        "COMPLETED",
        "Merged upstream",
    )
    for status in ("FAILED", "IN_PROGRESS", "PROPOSED"):
        assert codes(await step(project["id"], status, outcome="x")) == [("status", "INVALID")]
    # A final project keeps an outcome.
    cleared = await ops.mutate(PROJECT_UPDATE, id=project["id"], outcome=None)
    assert codes(cleared) == [("outcome", "REQUIRED")]

    # A rejected proposal fails straight away; an outcome set before counts.
    rejected = await _project(ops, program_id, "Rejected")
    assert codes(await step(rejected["id"], "FAILED")) == [("outcome", "REQUIRED")]
    noted = await ops.mutate(PROJECT_UPDATE, id=rejected["id"], outcome="Out of scope")
    assert noted["errors"] == []
    failed = await step(rejected["id"], "FAILED")
    assert (failed["project"]["status"], failed["project"]["outcome"]) == ("FAILED", "Out of scope")
    assert codes(await step(rejected["id"], "ACCEPTED")) == [("status", "INVALID")]
    withdrawn = await _project(ops, program_id, "Withdrawn")
    await step(withdrawn["id"], "ACCEPTED")
    gone = await step(withdrawn["id"], "FAILED", outcome="The student withdrew")
    assert gone["project"]["status"] == "FAILED"


async def test_mentors_and_mentees_are_replaced_and_never_overlap(client, tenants) -> None:
    tenant = await tenants.create(people=PEOPLE)
    ops = Api(client, tenant, OPS)
    program_id = await _program(ops)
    project = await _project(
        ops,
        program_id,
        mentorIds=[person_id(tenant, LEAD)],
        menteeIds=[person_id(tenant, STUDENT), person_id(tenant, STUDENT)],  # once is enough
    )
    assert [p["displayName"] for p in project["mentees"]] == ["s1"]

    async def set_people(mentors: list[str], mentees: list[str]) -> dict[str, Any]:
        return await ops.mutate(SET_MEMBERS, id=project["id"], mentorIds=mentors, menteeIds=mentees)

    def names(payload: dict[str, Any]) -> tuple[list[str], list[str]]:
        project = payload["project"]
        return (
            [p["displayName"] for p in project["mentors"]],
            [p["displayName"] for p in project["mentees"]],
        )

    # The lead becomes a mentee, a student becomes a mentor, one student leaves.
    swapped = await set_people(
        [person_id(tenant, STUDENT), person_id(tenant, CO_LEAD)],
        [person_id(tenant, LEAD), person_id(tenant, STUDENT2)],
    )
    assert swapped["errors"] == []
    assert names(swapped) == (["colead", "s1"], ["lead", "s2"])

    both = await set_people([person_id(tenant, OPS)], [person_id(tenant, OPS)])
    assert both["errors"] == [
        {
            "field": "menteeIds",
            "code": "INVALID",
            "message": "A person cannot be both mentor and mentee",
        }
    ]
    unknown = await set_people([global_id("Person", uuid.uuid4())], [])
    assert codes(unknown) == [("mentorIds", "NOT_FOUND")]
    malformed = await set_people([], ["not an id"])
    assert codes(malformed) == [("menteeIds", "INVALID")]
    wrong_type = await set_people([], [global_id("Chapter", tenant.people[LEAD].id)])
    assert codes(wrong_type) == [("menteeIds", "NOT_FOUND")]
    crowd = [global_id("Person", uuid.uuid4()) for _ in range(51)]
    assert codes(await set_people(crowd, [])) == [("mentorIds", "INVALID")]
    # None of the refused calls changed the lists.
    assert names({"project": await ops.node(project["id"])}) == (["colead", "s1"], ["lead", "s2"])

    emptied = await set_people([], [])
    assert names(emptied) == ([], [])
    overlap = await ops.mutate(
        PROJECT_CREATE,
        programId=program_id,
        title="Overlap",
        mentorIds=[person_id(tenant, LEAD)],
        menteeIds=[person_id(tenant, LEAD)],
    )
    assert codes(overlap) == [("menteeIds", "INVALID")]


async def test_bad_input_comes_back_as_typed_errors_and_writes_nothing(
    client, tenants, owner_engine
) -> None:
    tenant, alpha, _ = await _world(client, tenants, owner_engine)
    ops = Api(client, tenant, OPS)
    program_id = await _program(ops, "Summer of Code", 2025)

    async def create_program(**fields: Any) -> list[tuple[str | None, str]]:
        return codes(await ops.mutate(PROGRAM_CREATE, **{"name": "P", "year": 2025, **fields}))

    assert await create_program(
        name="  ",
        year=1999,
        description="x" * 5001,
        applicationsOpenOn="2025-05-02",
        applicationsCloseOn="2025-05-01",
        codingStartsOn="2025-08-01",
        codingEndsOn="2025-07-31",
    ) == [
        ("name", "REQUIRED"),
        ("year", "INVALID"),
        ("description", "TOO_LONG"),
        ("applicationsCloseOn", "INVALID"),
        ("codingEndsOn", "INVALID"),
    ]
    assert await create_program(year=2101) == [("year", "INVALID")]
    assert await create_program(name="x" * 201) == [("name", "TOO_LONG")]
    duplicate = await ops.mutate(PROGRAM_CREATE, name="Summer of Code", year=2025)
    assert duplicate["errors"] == [
        {
            "field": "name",
            "code": "CONFLICT",
            "message": "Another program of that year has this name",
        }
    ]
    next_year = await _program(ops, "Summer of Code", 2026)

    async def update_program(**fields: Any) -> list[tuple[str | None, str]]:
        return codes(await ops.mutate(PROGRAM_UPDATE, id=program_id, **fields))

    assert await update_program(codingStartsOn="2025-07-01", codingEndsOn="2025-09-30") == []
    # Judged against the dates the program already has; the field given is at fault.
    assert await update_program(codingStartsOn="2025-10-01") == [("codingStartsOn", "INVALID")]
    assert await update_program(codingEndsOn="2025-06-30") == [("codingEndsOn", "INVALID")]
    assert await update_program(name=None, year=None) == [
        ("name", "REQUIRED"),
        ("year", "REQUIRED"),
    ]
    assert codes(await ops.mutate(PROGRAM_UPDATE, id=next_year, year=2025)) == [
        ("name", "CONFLICT")
    ]
    assert codes(await ops.mutate(PROGRAM_UPDATE, id="%%%", name="x")) == [("id", "INVALID")]
    missing_program = global_id("MentoringProgram", uuid.uuid4())
    assert codes(await ops.mutate(PROGRAM_UPDATE, id=missing_program, name="x")) == [
        ("id", "NOT_FOUND")
    ]

    async def create_project(**fields: Any) -> list[tuple[str | None, str]]:
        payload = await ops.mutate(
            PROJECT_CREATE, **{"programId": program_id, "title": "T", **fields}
        )
        return codes(payload)

    for url in ("ftp://example.org/repo", "github.com/example/repo", "https://", "http://a b"):
        assert await create_project(repositoryUrl=url) == [("repositoryUrl", "INVALID")], url
    long_url = "https://example.org/" + "x" * 500
    assert await create_project(repositoryUrl=long_url) == [("repositoryUrl", "TOO_LONG")]
    assert await create_project(title=" ") == [("title", "REQUIRED")]
    assert await create_project(programId=missing_program) == [("programId", "NOT_FOUND")]
    assert await create_project(programId=alpha) == [("programId", "NOT_FOUND")]
    missing_chapter = global_id("Chapter", uuid.uuid4())
    assert await create_project(chapterId=missing_chapter) == [("chapterId", "NOT_FOUND")]
    assert await create_project(menteeIds=[global_id("Person", uuid.uuid4())]) == [
        ("menteeIds", "NOT_FOUND")
    ]
    project = await _project(ops, program_id, repositoryUrl="http://git.example.org/x")
    bad_update = await ops.mutate(PROJECT_UPDATE, id=project["id"], title=None, repositoryUrl="x")
    assert codes(bad_update) == [("title", "REQUIRED"), ("repositoryUrl", "INVALID")]
    move = await ops.mutate(PROJECT_UPDATE, id=project["id"], chapterId=missing_chapter)
    assert codes(move) == [("chapterId", "NOT_FOUND")]
    cleared = await ops.mutate(PROJECT_UPDATE, id=project["id"], repositoryUrl=None)
    assert cleared["project"]["repositoryUrl"] is None
    blank = await ops.mutate(PROJECT_UPDATE, id=project["id"], repositoryUrl="  https://x.org/r ")
    assert blank["project"]["repositoryUrl"] == "https://x.org/r"
    blank = await ops.mutate(PROJECT_UPDATE, id=project["id"], repositoryUrl=" ")
    assert (blank["errors"], blank["project"]["repositoryUrl"]) == ([], None)

    page = await ops.programs()
    assert [(e["node"]["year"], e["node"]["name"]) for e in page["edges"]] == [
        (2026, "Summer of Code"),
        (2025, "Summer of Code"),
    ]
    (only,) = page["edges"][1]["node"]["projects"]["edges"]
    assert only["node"]["title"] == "Docs site"
    program = await ops.node(program_id)
    assert (program["codingStartsOn"], program["codingEndsOn"]) == ("2025-07-01", "2025-09-30")


async def test_the_phase_follows_todays_date(client, tenants) -> None:
    tenant = await tenants.create(people=PEOPLE)
    ops = Api(client, tenant, OPS)
    today = datetime.now(UTC).date()

    def day(offset: int) -> str:
        return (today + timedelta(days=offset)).isoformat()

    def schedule(open_: int, close: int, start: int, end: int) -> dict[str, str]:
        return {
            "applicationsOpenOn": day(open_),
            "applicationsCloseOn": day(close),
            "codingStartsOn": day(start),
            "codingEndsOn": day(end),
        }

    cases = {
        "UPCOMING": schedule(1, 30, 60, 90),
        "APPLICATIONS_OPEN": schedule(0, 0, 60, 90),
        "BETWEEN": schedule(-30, -1, 1, 90),
        "CODING": schedule(-90, -60, 0, 0),
        "FINISHED": schedule(-90, -60, -30, -1),
    }
    for phase, dates in cases.items():
        payload = await ops.mutate(PROGRAM_CREATE, name=phase, year=today.year, **dates)
        assert payload["program"]["phase"] == phase, (phase, dates)
    undated_past = await ops.mutate(PROGRAM_CREATE, name="Old", year=today.year - 1)
    assert undated_past["program"]["phase"] == "FINISHED"
    undated = await ops.mutate(PROGRAM_CREATE, name="Undated", year=today.year)
    assert undated["program"]["phase"] == "UPCOMING"
    open_ended = await ops.mutate(
        PROGRAM_CREATE, name="Open-ended", year=today.year - 1, applicationsOpenOn=day(-400)
    )
    assert open_ended["program"]["phase"] == "FINISHED"
    running = await ops.mutate(
        PROGRAM_CREATE,
        name="Spans new year",
        year=today.year - 1,
        codingStartsOn=day(-10),
        codingEndsOn=day(10),
    )
    assert running["program"]["phase"] == "CODING"


async def test_programs_filter_and_page_by_keyset(client, tenants, owner_engine) -> None:
    tenant, alpha, beta = await _world(client, tenants, owner_engine)
    ops = Api(client, tenant, OPS)
    for year, name in [
        (2023, "Summer of Code"),
        (2024, "Summer of Code"),
        (2024, "Open Source Promotion Plan"),
        (2025, "Summer of Code"),
        (2025, "Hacktoberfest 100%"),
    ]:
        await _program(ops, name, year, description=f"The {year} edition")
    everything = [
        "2025 Summer of Code",
        "2025 Hacktoberfest 100%",
        "2024 Summer of Code",
        "2024 Open Source Promotion Plan",
        "2023 Summer of Code",
    ]
    assert await ops.program_names() == everything
    assert await ops.program_names(filter={"year": 2024}) == everything[2:4]
    assert await ops.program_names(filter={"text": "summer"}) == everything[::2]
    assert await ops.program_names(filter={"text": "0%"}) == ["2025 Hacktoberfest 100%"]
    assert await ops.program_names(filter={"text": "2023 edition"}) == ["2023 Summer of Code"]
    assert await ops.program_names(filter={"year": 2024, "text": "plan"}) == [everything[3]]

    seen, after = [], None
    while True:
        page = await ops.programs(first=2, after=after)
        seen += [f"{e['node']['year']} {e['node']['name']}" for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == everything
    tail = await ops.programs(last=2)
    assert [e["node"]["name"] for e in tail["edges"]] == [
        "Open Source Promotion Plan",
        "Summer of Code",
    ]
    assert tail["pageInfo"]["hasPreviousPage"] is True
    before = await ops.programs(last=2, before=tail["pageInfo"]["startCursor"])
    assert [f"{e['node']['year']} {e['node']['name']}" for e in before["edges"]] == everything[1:3]
    bad_cursor = await ops.raw(LIST, {"after": "nonsense"})
    assert bad_cursor["errors"][0]["extensions"] == {"code": "INVALID", "field": "after"}

    # Projects of one program, filtered by status and by chapter.
    program_id = (await ops.programs(filter={"year": 2023}))["edges"][0]["node"]["id"]
    first = await _project(ops, program_id, "A", chapterId=alpha)
    await _project(ops, program_id, "B", chapterId=beta)
    await _project(ops, program_id, "C")
    await ops.mutate(SET_STATUS, id=first["id"], status="ACCEPTED")

    async def titles(**projects: Any) -> list[str]:
        page = await ops.programs(filter={"year": 2023}, projects=projects or None)
        return [e["node"]["title"] for e in page["edges"][0]["node"]["projects"]["edges"]]

    assert await titles() == ["A", "B", "C"]
    assert await titles(status=["ACCEPTED"]) == ["A"]
    assert await titles(status=["PROPOSED", "COMPLETED"]) == ["B", "C"]
    assert await titles(chapterId=beta) == ["B"]
    assert await titles(chapterId=alpha, status=["PROPOSED"]) == []
    nested = await ops.data(
        "query ($id: ID!) { node(id: $id) { ... on MentoringProgram {"
        " projects(first: 2) { pageInfo { hasNextPage endCursor } edges { node { title } } } } } }",
        {"id": program_id},
    )
    projects = nested["node"]["projects"]
    assert [e["node"]["title"] for e in projects["edges"]] == ["A", "B"]
    assert projects["pageInfo"]["hasNextPage"] is True


async def test_anonymous_callers_see_no_programs(client, tenants) -> None:
    tenant = await tenants.create(people=PEOPLE)
    ops = Api(client, tenant, OPS)
    program_id = await _program(ops)
    project = await _project(ops, program_id)
    anonymous = Api(client, tenant, None)
    body = await anonymous.raw(LIST)
    assert body["data"] is None
    assert [(e["path"], e["extensions"]["code"]) for e in body["errors"]] == [
        (["mentoringPrograms"], "FORBIDDEN")
    ]
    assert await anonymous.node(program_id) is None
    assert await anonymous.node(project["id"]) is None
    payload = await anonymous.mutate(PROJECT_CREATE, programId=program_id, title="Anonymous")
    assert codes(payload) == [(None, "FORBIDDEN")]
    payload = await anonymous.mutate(SET_STATUS, id=project["id"], status="ACCEPTED")
    assert codes(payload) == [(None, "FORBIDDEN")]


async def test_another_tenants_programs_and_projects_are_not_found(
    client, tenants, owner_engine
) -> None:
    a, alpha_a, _ = await _world(client, tenants, owner_engine)
    b = await tenants.create(people=PEOPLE)
    ops_a, ops_b = Api(client, a, OPS), Api(client, b, OPS)
    program_a = await _program(ops_a)
    project_a = await _project(ops_a, program_a)
    program_b = await _program(ops_b)
    project_b = await _project(ops_b, program_b)

    assert await ops_b.node(program_a) is None
    assert await ops_b.node(project_a["id"]) is None
    assert codes(await ops_b.mutate(PROGRAM_UPDATE, id=program_a, name="Hijacked")) == [
        ("id", "NOT_FOUND")
    ]
    assert codes(await ops_b.mutate(PROJECT_CREATE, programId=program_a, title="x")) == [
        ("programId", "NOT_FOUND")
    ]
    assert codes(
        await ops_b.mutate(PROJECT_CREATE, programId=program_b, title="x", chapterId=alpha_a)
    ) == [("chapterId", "NOT_FOUND")]
    for query, input in [
        (PROJECT_UPDATE, {"id": project_a["id"], "title": "Hijacked"}),
        (SET_STATUS, {"id": project_a["id"], "status": "ACCEPTED"}),
        (SET_MEMBERS, {"id": project_a["id"], "mentorIds": [], "menteeIds": []}),
    ]:
        assert codes(await ops_b.mutate(query, **input)) == [("id", "NOT_FOUND")], query
    foreign_person = await ops_b.mutate(
        SET_MEMBERS, id=project_b["id"], mentorIds=[person_id(a, LEAD)], menteeIds=[]
    )
    assert codes(foreign_person) == [("mentorIds", "NOT_FOUND")]
    assert await ops_b.program_names() == ["2025 Summer of Code"]
    untouched = await ops_a.node(project_a["id"])
    assert (untouched["title"], untouched["status"]) == ("Docs site", "PROPOSED")


LIST_WITH_PEOPLE = """query {
  mentoringPrograms(first: 100) { edges { node { name phase
    projects(first: 10) { edges { node { title status
      program { name } chapter { slug }
      mentors { displayName email } mentees { displayName email }
    } } }
  } } }
}"""


async def _seed_programs(owner_engine, tenant: TenantFixture, chapter_id, count: int) -> None:
    """Programs with two projects each (one of a chapter), each project with a mentor and a
    mentee, written straight through the owner."""
    people = [tenant.people[email].id for email in (LEAD, STUDENT, CO_LEAD, STUDENT2)]
    sessionmaker = tenant_sessionmaker(owner_engine)
    async with open_tenant_session(sessionmaker, tenant.id) as session, session.begin():
        for index in range(count):
            program = MentoringProgram(id=uuid.uuid4(), name=f"P{index:03}", year=2025)
            session.add(program)
            await session.flush()
            for number, chapter in enumerate((chapter_id, None)):
                project = MentoringProject(
                    id=uuid.uuid4(),
                    program_id=program.id,
                    chapter_id=chapter,
                    title=f"Project {number}",
                    status=ProjectStatus.ACCEPTED,
                )
                session.add(project)
                await session.flush()
                mentor, mentee = people[2 * number], people[2 * number + 1]
                session.add_all(
                    [
                        MentoringProjectMember(
                            project_id=project.id, person_id=mentor, role=ProjectRole.MENTOR
                        ),
                        MentoringProjectMember(
                            project_id=project.id, person_id=mentee, role=ProjectRole.MENTEE
                        ),
                    ]
                )


async def _statements_to_list(app, client, tenant: TenantFixture, viewer: str, count: int) -> int:
    api = Api(client, tenant, viewer)
    await api.data("{ viewer { email } }")  # the tenant's slug is now in the directory cache
    with statements_sent(app.state.runtime.engine) as statements:
        data = await api.data(LIST_WITH_PEOPLE)
    programs = [edge["node"] for edge in data["mentoringPrograms"]["edges"]]
    assert len(programs) == count
    for program in programs:
        projects = [edge["node"] for edge in program["projects"]["edges"]]
        assert [p["title"] for p in projects] == ["Project 0", "Project 1"]
        assert [p["chapter"] for p in projects] == [{"slug": "alpha"}, None]
        assert all(p["program"]["name"] == program["name"] for p in projects)
        assert [p["mentors"][0]["displayName"] for p in projects] == ["lead", "colead"]
        assert [p["mentees"][0]["displayName"] for p in projects] == ["s1", "s2"]
    return len(statements)


async def test_listing_programs_with_projects_costs_a_constant_number_of_statements(
    app, client, tenants, owner_engine
) -> None:
    for viewer in (OPS, LEAD):  # a lead's view decides email visibility per person
        counts = {}
        for size in (5, 50):
            tenant = await tenants.create(people=PEOPLE)
            chapter = await make_chapter(owner_engine, tenant, "alpha", staff=OPS, lead=LEAD)
            await _seed_programs(owner_engine, tenant, chapter.id, size)
            counts[size] = await _statements_to_list(app, client, tenant, viewer, size)
        assert counts[5] == counts[50], (viewer, counts)
        assert counts[50] <= 12, (viewer, counts)
