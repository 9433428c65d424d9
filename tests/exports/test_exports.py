"""Exports over HTTP: each kind read back (CSV with the csv module, XLSX with openpyxl) and
compared with rows written here by hand; who may export, which columns each caller gets, the
filters, errors, the audit entry, CSV injection, and that another tenant's rows never appear.

The home tenant's clock is Asia/Shanghai (UTC+8), so a day filter starts at 16:00 UTC."""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any

import httpx
import openpyxl
import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from chapters.db.session import open_tenant_session, tenant_sessionmaker
from chapters.global_ids import global_id
from chapters.models import (
    Activity,
    ActivityCoHost,
    ActivityKind,
    ActivityOrganisation,
    ActivityStatus,
    AuditEntry,
    ChapterMembership,
    ChapterMembershipPeriod,
    ChapterOrganisation,
    ChapterRole,
    MembershipStatus,
    Organisation,
    OrganisationKind,
    OrganisationRelationship,
    OrganisationRole,
    Person,
    PersonStatus,
    ReachUnit,
    RelationshipKind,
    RelationshipStatus,
    TenantRole,
)
from tests.support import TenantFixture, data_of, gql, make_chapter

OPS, VIEWER, ADMIN = "ops@x.example", "viewer@x.example", "admin@x.example"
LEAD, MEMBER = "lead@x.example", "member@x.example"
PEOPLE = {OPS: TenantRole.OPS, VIEWER: TenantRole.VIEWER, ADMIN: TenantRole.ADMIN}
PEOPLE |= {LEAD: None, MEMBER: None}
CANARY = "orion-canary"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@dataclass
class World:
    home: TenantFixture
    abroad: TenantFixture
    ids: dict[str, uuid.UUID]
    tokens: dict[str, str | None]


async def _in_tenant(owner_engine: AsyncEngine, tenant: TenantFixture, work) -> Any:
    sessionmaker = tenant_sessionmaker(owner_engine)
    async with open_tenant_session(sessionmaker, tenant.id) as session, session.begin():
        return await work(session)


async def _home_rows(session, north, south) -> dict[str, uuid.UUID]:
    acme = Organisation(
        name="Acme Cloud", kind=OrganisationKind.COMPANY, website="https://acme.example"
    )
    campus = Organisation(name="Campus U", kind=OrganisationKind.UNIVERSITY, notes="secret terms")
    session.add_all([acme, campus])
    await session.flush()
    spring = Activity(
        chapter_id=north,
        kind=ActivityKind.OFFLINE_MEETUP,
        status=ActivityStatus.ACCEPTED,
        title="Spring meetup",
        starts_at=utc(2026, 3, 1, 17),  # 2 March in Shanghai
        ends_at=utc(2026, 3, 1, 19),
        timezone="Asia/Shanghai",
        venue="Hub",
        actual_attendance=40,
        tags=["k8s", "ebpf"],
        recap_published_at=utc(2026, 3, 5, 10),
    )
    article = Activity(
        chapter_id=north,
        kind=ActivityKind.ARTICLE,
        status=ActivityStatus.DRAFT,
        title='=HYPERLINK("http://evil.example","click")',
        starts_at=utc(2026, 3, 1, 15),  # still 1 March in Shanghai
        timezone="UTC",
        online_url="https://blog.example/a",
        reach=1200,
        reach_unit=ReachUnit.READS,
    )
    online = Activity(
        chapter_id=south,
        kind=ActivityKind.ONLINE_MEETUP,
        status=ActivityStatus.SUBMITTED,
        title="-Minus talk",
        starts_at=utc(2026, 4, 10, 12),
        ends_at=utc(2026, 4, 10, 13),
        timezone="Asia/Shanghai",
        online_url="https://meet.example/x",
    )
    session.add_all([spring, article, online])
    await session.flush()
    session.add_all(
        [
            ActivityCoHost(activity_id=spring.id, chapter_id=south),
            ActivityOrganisation(
                activity_id=spring.id, organisation_id=acme.id, role=OrganisationRole.SPONSOR
            ),
            ActivityOrganisation(
                activity_id=online.id, organisation_id=campus.id, role=OrganisationRole.VENUE
            ),
            ActivityOrganisation(
                activity_id=online.id, organisation_id=acme.id, role=OrganisationRole.CO_HOST
            ),
            OrganisationRelationship(
                organisation_id=acme.id,
                kind=RelationshipKind.SPONSOR,
                status=RelationshipStatus.ENDED,
                starts_on=date(2024, 1, 1),
                ends_on=date(2024, 12, 31),
                notes="secret terms",
            ),
            OrganisationRelationship(
                organisation_id=acme.id,
                kind=RelationshipKind.PARTNER,
                status=RelationshipStatus.ACTIVE,
                starts_on=date(2025, 1, 1),
            ),
            ChapterOrganisation(chapter_id=north, organisation_id=acme.id),
            ChapterOrganisation(chapter_id=south, organisation_id=acme.id),
        ]
    )
    alumni = Person(
        email="ada@x.example",
        display_name="Ada",
        github_handle="ada",
        city="Hangzhou",
        company="@Acme",
        segments=["user", "code_contributor"],
    )
    invitee = Person(email="new@x.example", display_name="Invitee", status=PersonStatus.INVITED)
    session.add_all([alumni, invitee])
    await session.flush()
    membership = ChapterMembership(
        chapter_id=south,
        person_id=alumni.id,
        role=ChapterRole.MEMBER,
        status=MembershipStatus.LEFT,
        joined_at=utc(2024, 1, 1),
        left_at=utc(2024, 6, 1),
        first_joined_at=utc(2024, 1, 1),
    )
    invited = ChapterMembership(
        chapter_id=south,
        person_id=invitee.id,
        role=ChapterRole.MEMBER,
        status=MembershipStatus.INVITED,
    )
    session.add_all([membership, invited])
    await session.flush()
    period = ChapterMembershipPeriod
    session.add_all(
        [
            period(
                membership_id=membership.id,
                chapter_id=south,
                person_id=alumni.id,
                role=ChapterRole.MEMBER,
                status=MembershipStatus.ACTIVE,
                started_at=utc(2024, 1, 1),
                ended_at=utc(2024, 6, 1),
            ),
            period(
                membership_id=membership.id,
                chapter_id=south,
                person_id=alumni.id,
                role=ChapterRole.MEMBER,
                status=MembershipStatus.LEFT,
                started_at=utc(2024, 6, 1),
                reason="moved away",
            ),
            period(
                membership_id=invited.id,
                chapter_id=south,
                person_id=invitee.id,
                role=ChapterRole.MEMBER,
                status=MembershipStatus.INVITED,
                started_at=utc(2026, 1, 1),
            ),
        ]
    )
    return {
        "spring": spring.id,
        "article": article.id,
        "online": online.id,
        "acme": acme.id,
        "campus": campus.id,
    }


async def _abroad_rows(session, chapter) -> None:
    org = Organisation(name=f"{CANARY} org", kind=OrganisationKind.COMPANY)
    person = Person(email=f"{CANARY}@o.example", display_name=CANARY)
    session.add_all([org, person])
    session.add(
        Activity(
            chapter_id=chapter,
            kind=ActivityKind.TALK,
            status=ActivityStatus.ACCEPTED,
            title=f"{CANARY} talk",
            starts_at=utc(2026, 3, 3, 3),
            timezone="UTC",
        )
    )


CREATE_CLIENT = """mutation ($input: ApiClientCreateInput!) { apiClientCreate(input: $input) {
  client { clientId } clientSecret errors { code } } }"""


async def _client_token(client: httpx.AsyncClient, tenant: TenantFixture, **input: Any) -> str:
    body = await gql(
        client, tenant.slug, CREATE_CLIENT, {"input": input}, token=tenant.token(ADMIN)
    )
    created = data_of(body)["apiClientCreate"]
    assert created["errors"] == [], created
    response = await client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(created["client"]["clientId"], created["clientSecret"]),
    )
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


@pytest.fixture(scope="module")
async def world(client, tenants, owner_engine) -> World:
    home = await tenants.create(prefix="exports", people=dict(PEOPLE))
    abroad = await tenants.create(prefix=CANARY, people={OPS: TenantRole.OPS})
    async with owner_engine.begin() as connection:  # the tenants' policy needs the tenant
        await connection.execute(
            text("SELECT set_config('app.tenant_id', :id, true)"), {"id": str(home.id)}
        )
        await connection.execute(
            text("UPDATE tenants SET timezone = 'Asia/Shanghai' WHERE id = :id"), {"id": home.id}
        )
    north = await make_chapter(owner_engine, home, "north", staff=OPS, lead=LEAD, members=(MEMBER,))
    south = await make_chapter(owner_engine, home, "south", staff=OPS)
    foreign = await make_chapter(owner_engine, abroad, "north", staff=OPS)
    ids = await _in_tenant(owner_engine, home, lambda s: _home_rows(s, north.id, south.id))
    await _in_tenant(owner_engine, abroad, lambda s: _abroad_rows(s, foreign.id))
    tokens: dict[str, str | None] = {"anonymous": None}
    tokens |= {"ops": home.token(OPS), "viewer": home.token(VIEWER), "admin": home.token(ADMIN)}
    tokens |= {"lead": home.token(LEAD), "member": home.token(MEMBER)}
    tokens["service"] = await _client_token(
        client, home, name="Warehouse", kind="SERVICE", scopes=["export"]
    )
    tokens["reader"] = await _client_token(
        client, home, name="Reader", kind="SERVICE", scopes=["activities:read", "chapters:read"]
    )
    tokens["partner"] = await _client_token(
        client,
        home,
        name="Acme portal",
        kind="PARTNER",
        scopes=["activities:read"],
        organisationId=global_id("Organisation", ids["acme"]),
    )
    return World(home, abroad, ids, tokens)


async def _get(
    client: httpx.AsyncClient, world: World, who: str, name: str, **params: str
) -> httpx.Response:
    token = world.tokens[who]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await client.get(f"/t/{world.home.slug}/exports/{name}", params=params, headers=headers)


async def _csv(client, world: World, who: str, kind: str, **params: str) -> list[list[str]]:
    response = await _get(client, world, who, f"{kind}.csv", **params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for UTF-8
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


async def _xlsx(client, world: World, who: str, kind: str, **params: str) -> list[tuple]:
    response = await _get(client, world, who, f"{kind}.xlsx", **params)
    assert response.status_code == 200, response.text
    workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    assert workbook.sheetnames == [kind[:31]]
    rows = list(workbook.active.iter_rows(values_only=True))
    # empty cells are not written: a row read back ends with its last value
    return [row + (None,) * (len(rows[0]) - len(row)) for row in rows]


ACTIVITY_HEADER = [
    *("id", "chapter", "kind", "status", "title", "starts_at", "ends_at", "timezone"),
    *("venue", "online_url", "attendance", "reach", "reach_unit", "tags", "recap_published_at"),
    *("co_host_chapters", "organisations"),
]


def _activity_csv(world: World) -> dict[str, list[str]]:
    gid = {key: global_id("Activity", world.ids[key]) for key in ("spring", "article", "online")}
    return {
        "article": [
            *(gid["article"], "north", "article", "draft"),
            """'=HYPERLINK("http://evil.example","click")""",
            *("2026-03-01T15:00:00+00:00", "", "UTC", "", "https://blog.example/a"),
            *("", "1200", "reads", "", "", "", ""),
        ],
        "spring": [
            *(gid["spring"], "north", "offline_meetup", "accepted", "Spring meetup"),
            *("2026-03-01T17:00:00+00:00", "2026-03-01T19:00:00+00:00", "Asia/Shanghai"),
            *("Hub", "", "40", "", "", "k8s; ebpf", "2026-03-05T10:00:00+00:00"),
            *("south", "Acme Cloud (sponsor)"),
        ],
        "online": [
            *(gid["online"], "south", "online_meetup", "submitted", "'-Minus talk"),
            *("2026-04-10T12:00:00+00:00", "2026-04-10T13:00:00+00:00", "Asia/Shanghai"),
            *("", "https://meet.example/x", "", "", "", "", ""),
            *("", "Acme Cloud (co_host); Campus U (venue)"),
        ],
    }


async def test_activities_csv_reads_back_as_written(client, world) -> None:
    rows = await _csv(client, world, "ops", "activities")
    expected = _activity_csv(world)
    assert rows == [ACTIVITY_HEADER, expected["article"], expected["spring"], expected["online"]]


async def test_activities_xlsx_reads_back_typed(client, world) -> None:
    rows = await _xlsx(client, world, "viewer", "activities")
    gid = {key: global_id("Activity", world.ids[key]) for key in ("spring", "article", "online")}
    naive = lambda *parts: datetime(*parts)  # noqa: E731 (Excel cells hold UTC, without zone)
    assert rows == [
        tuple(ACTIVITY_HEADER),
        (
            *(gid["article"], "north", "article", "draft"),
            # a string cell, not a formula: no mark needed
            '=HYPERLINK("http://evil.example","click")',
            *(naive(2026, 3, 1, 15), None, "UTC", None, "https://blog.example/a"),
            *(None, 1200, "reads", None, None, None, None),
        ),
        (
            *(gid["spring"], "north", "offline_meetup", "accepted", "Spring meetup"),
            *(naive(2026, 3, 1, 17), naive(2026, 3, 1, 19), "Asia/Shanghai", "Hub", None),
            *(40, None, None, "k8s; ebpf", naive(2026, 3, 5, 10), "south"),
            "Acme Cloud (sponsor)",
        ),
        (
            *(gid["online"], "south", "online_meetup", "submitted", "-Minus talk"),
            *(naive(2026, 4, 10, 12), naive(2026, 4, 10, 13), "Asia/Shanghai"),
            *(None, "https://meet.example/x", None, None, None, None, None, None),
            "Acme Cloud (co_host); Campus U (venue)",
        ),
    ]


async def test_the_response_is_a_named_attachment(client, world) -> None:
    response = await _get(client, world, "ops", "people.xlsx")
    assert response.status_code == 200
    disposition = response.headers["content-disposition"]
    assert disposition.startswith(f'attachment; filename="{world.home.slug}-people-')
    assert disposition.endswith('.xlsx"')
    assert response.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"from": "2026-03-02"}, ["spring", "online"]),  # 17:00 UTC on 1 March is 2 March here
        ({"to": "2026-03-01"}, ["article"]),
        ({"from": "2026-03-02", "to": "2026-03-31"}, ["spring"]),
        ({"status": "accepted,submitted"}, ["spring", "online"]),
        ({"status": " DRAFT "}, ["article"]),
        ({"chapter": "south"}, ["online"]),
        ({"chapter": "north", "status": "accepted", "from": "", "to": ""}, ["spring"]),
    ],
)
async def test_activity_filters(client, world, params, expected) -> None:
    rows = await _csv(client, world, "ops", "activities", **params)
    by_key = _activity_csv(world)
    assert rows[1:] == [by_key[key] for key in expected]


async def test_memberships_are_the_history_of_periods(client, world) -> None:
    south = await _csv(client, world, "ops", "memberships", chapter="south")
    assert south == [
        ["chapter", "person", "role", "status", "started_at", "ended_at", "reason"],
        [
            "south",
            "Ada",
            "member",
            "active",
            "2024-01-01T00:00:00+00:00",
            "2024-06-01T00:00:00+00:00",
            "",
        ],
        ["south", "Ada", "member", "left", "2024-06-01T00:00:00+00:00", "", "moved away"],
        ["south", "Invitee", "member", "invited", "2026-01-01T00:00:00+00:00", "", ""],
    ]
    # People invited by email who have not accepted are staff's to see.
    seen_by_viewer = await _csv(client, world, "viewer", "memberships", chapter="south")
    assert [row[1] for row in seen_by_viewer[1:]] == ["Ada", "Ada"]
    # A period overlapping the days: the open "left" one lasts until today.
    in_2025 = await _csv(
        client,
        world,
        "ops",
        "memberships",
        chapter="south",
        **{"from": "2025-01-01", "to": "2025-12-31"},
    )
    assert [row[3] for row in in_2025[1:]] == ["left"]
    everyone = await _csv(client, world, "ops", "memberships", status="active")
    today = datetime.now(UTC).date().isoformat()
    roles = {(row[0], row[1], row[2]) for row in everyone[1:]}
    assert roles == {
        ("north", "lead", "lead"),
        ("north", "member", "member"),
        ("south", "Ada", "member"),
    }
    assert all(row[4].startswith(today) for row in everyone[1:] if row[0] == "north")


PEOPLE_HEADER = [
    *("display_name", "email", "github_handle", "city", "company", "tenant_role", "status"),
    *("segments", "created_at"),
]


async def test_people_email_only_for_staff(client, world) -> None:
    rows = await _csv(client, world, "ops", "people")
    assert rows[0] == PEOPLE_HEADER
    ada = next(row for row in rows if row[0] == "Ada")
    assert ada[:8] == [
        *("Ada", "ada@x.example", "ada", "Hangzhou", "'@Acme", "", "active"),
        "user; code_contributor",
    ]
    assert ada[8].startswith(datetime.now(UTC).date().isoformat())
    names = [row[0] for row in rows[1:]]
    assert names == ["Ada", "admin", "Invitee", "lead", "member", "ops", "viewer"]
    assert {row[0]: row[1] for row in rows[1:]}["ops"] == OPS
    assert {row[0]: row[5] for row in rows[1:]}["viewer"] == "viewer"

    without_email = [column for column in PEOPLE_HEADER if column != "email"]
    for who in ("viewer", "service"):
        seen = await _csv(client, world, who, "people")
        assert seen[0] == without_email, who
        assert not any("@x.example" in cell for row in seen for cell in row), who
        assert [row[0] for row in seen[1:]] == ["Ada", "admin", "lead", "member", "ops", "viewer"]
    as_xlsx = await _xlsx(client, world, "service", "people")
    assert as_xlsx[0] == tuple(without_email)
    assert as_xlsx[1][:7] == (
        "Ada",
        "ada",
        "Hangzhou",
        "@Acme",
        None,
        "active",
        "user; code_contributor",
    )


async def test_organisations_and_relationships(client, world) -> None:
    organisations = await _csv(client, world, "viewer", "organisations")
    assert organisations == [
        ["name", "kind", "website", "relationships", "chapters"],
        [
            "Acme Cloud",
            "company",
            "https://acme.example",
            "sponsor: ended; partner: active",
            "north; south",
        ],
        ["Campus U", "university", "", "", ""],
    ]
    assert not any("secret" in cell for row in organisations for cell in row)
    relationships = await _csv(client, world, "ops", "organisation-relationships")
    assert relationships == [
        ["organisation", "kind", "status", "starts_on", "ends_on"],
        ["Acme Cloud", "sponsor", "ended", "2024-01-01", "2024-12-31"],
        ["Acme Cloud", "partner", "active", "2025-01-01", ""],
    ]
    current = await _csv(
        client, world, "ops", "organisation-relationships", **{"from": "2025-06-01"}
    )
    assert [row[1] for row in current[1:]] == ["partner"]
    ended = await _csv(client, world, "ops", "organisation-relationships", status="ended")
    assert [row[1] for row in ended[1:]] == ["sponsor"]


@pytest.mark.parametrize(
    "kind", ["activities", "memberships", "people", "organisations", "organisation-relationships"]
)
async def test_another_tenants_rows_never_appear(client, world, kind) -> None:
    for suffix in ("csv", "xlsx"):
        response = await _get(client, world, "admin", f"{kind}.{suffix}")
        assert response.status_code == 200
        if suffix == "csv":
            assert CANARY.encode() not in response.content
        else:
            book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
            cells = [str(c) for row in book.active.iter_rows(values_only=True) for c in row]
            assert not any(CANARY in cell for cell in cells)
    # The other tenant's own export shows them: the canary is really there.
    other = await client.get(
        f"/t/{world.abroad.slug}/exports/people.csv",
        headers={"Authorization": f"Bearer {world.abroad.token(OPS)}"},
    )
    assert CANARY.encode() in other.content


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("member", 403), ("lead", 403), ("partner", 403), ("reader", 403)],
)
async def test_who_may_not_export(client, world, who, status) -> None:
    for name in ("activities.csv", "people.xlsx", "nothing.csv"):
        response = await _get(client, world, who, name)
        assert response.status_code == status, (who, name)
        body = response.json()
        assert body["status"] == status
        assert "Acme" not in response.text
        assert "activities" not in body.get("known", [])


async def test_a_bad_token_is_401(client, world) -> None:
    response = await client.get(
        f"/t/{world.home.slug}/exports/activities.csv",
        headers={"Authorization": "Bearer not-a-token"},
    )
    assert response.status_code == 401


async def test_unknown_kind_or_format_is_404_with_the_known_ones(client, world) -> None:
    response = await _get(client, world, "ops", "rainbows.csv")
    assert response.status_code == 404
    body = response.json()
    assert body["known"] == [
        "activities",
        "chapter-health",
        "community-metrics",
        "funnel",
        "incentives",
        "memberships",
        "organisation-relationships",
        "organisations",
        "people",
        "registrants",
        "retention-cohorts",
    ]
    assert "rainbows" in body["error"] and "activities" in body["error"]
    for name in ("activities.pdf", "activities"):
        response = await _get(client, world, "ops", name)
        assert response.status_code == 404, name
        assert response.json()["known"] == ["csv", "xlsx"]


@pytest.mark.parametrize(
    ("name", "params", "field", "says"),
    [
        ("activities.csv", {"from": "yesterday"}, "from", "YYYY-MM-DD"),
        ("activities.csv", {"from": "2026-02-30"}, "from", "YYYY-MM-DD"),
        ("activities.csv", {"to": "20260101"}, "to", "YYYY-MM-DD"),
        ("activities.csv", {"from": "2026-03-02", "to": "2026-03-01"}, "to", "before"),
        ("activities.csv", {"status": "accepted,lost"}, "status", "draft, submitted"),
        ("activities.csv", {"chapter": "atlantis"}, "chapter", "no chapter"),
        ("activities.csv", {"chapter": "a\x00b"}, "chapter", "cannot be stored"),
        ("activities.csv", {"form": "2026-01-01"}, "form", "takes no filter"),
        ("people.csv", {"chapter": "north"}, "chapter", "it takes: no filters"),
    ],
)
async def test_bad_filters_are_400(client, world, name, params, field, says) -> None:
    response = await _get(client, world, "ops", name, **params)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["status"] == 400
    assert [error["field"] for error in body["errors"]] == [field]
    assert says in body["error"]


async def test_a_filter_given_twice_is_400(client, world) -> None:
    response = await client.get(
        f"/t/{world.home.slug}/exports/activities.csv?status=draft&status=accepted",
        headers={"Authorization": f"Bearer {world.tokens['ops']}"},
    )
    assert response.status_code == 400
    assert "more than once" in response.json()["error"]


async def _export_entries(owner_engine, tenant: TenantFixture) -> list[AuditEntry]:
    async def read(session) -> list[AuditEntry]:
        query = select(AuditEntry).where(AuditEntry.action == "export")
        return list(await session.scalars(query.order_by(AuditEntry.occurred_at)))

    return await _in_tenant(owner_engine, tenant, read)


async def test_each_export_is_audited_with_its_row_count(client, world, owner_engine) -> None:
    before = len(await _export_entries(owner_engine, world.home))
    await _csv(client, world, "service", "activities", status="accepted,submitted", chapter="south")
    await _xlsx(client, world, "viewer", "people")
    entries = (await _export_entries(owner_engine, world.home))[before:]
    assert len(entries) == 2
    csv_entry, xlsx_entry = entries
    assert csv_entry.object_type == "Export"
    assert csv_entry.request_id
    assert csv_entry.changes["operation"] == "insert"
    fields = {name: after for name, (_, after) in csv_entry.changes["fields"].items()}
    assert fields == {
        "kind": "activities",
        "format": "csv",
        "filters": {"chapter": "south", "status": ["accepted", "submitted"]},
        "columns": ACTIVITY_HEADER,
        "rows": 1,
        "complete": True,
    }
    viewer_id = world.home.people[VIEWER].id
    assert xlsx_entry.actor_id == viewer_id
    xlsx_fields = {name: after for name, (_, after) in xlsx_entry.changes["fields"].items()}
    assert (xlsx_fields["format"], xlsx_fields["rows"]) == ("xlsx", 6)
    assert "email" not in xlsx_fields["columns"]

    # The audit log reads them like any entry.
    body = await gql(
        client,
        world.home.slug,
        '{ auditLog(first: 1, filter: {action: "export"}) { edges { node { action objectType'
        " operation actor { displayName } changes { field after } } } } }",
        token=world.tokens["ops"],
    )
    (edge,) = data_of(body)["auditLog"]["edges"]
    node = edge["node"]
    assert (node["action"], node["objectType"], node["operation"]) == ("export", "Export", "INSERT")
    assert node["actor"] == {"displayName": "viewer"}
    assert {"field": "rows", "after": 6} in node["changes"]


async def test_refused_exports_leave_no_entry(client, world, owner_engine) -> None:
    before = len(await _export_entries(owner_engine, world.home))
    await _get(client, world, "member", "people.csv")
    await _get(client, world, "ops", "people.csv", chapter="north")
    assert len(await _export_entries(owner_engine, world.home)) == before


async def test_an_export_cut_short_is_recorded_as_incomplete(
    app, client, world, owner_engine
) -> None:
    """The client reads the header and goes away (the last chunk is held back until the
    audit entry is committed, so a one-chunk export is never cut short)."""
    from chapters.exports import routes
    from chapters.exports.service import prepare_export
    from chapters.people.service import load_principal

    sessionmaker = app.state.runtime.sessionmaker
    async with open_tenant_session(sessionmaker, world.home.id) as session:
        principal = await load_principal(session, world.home.people[OPS])
        export = await prepare_export(session, principal, world.home.id, "activities", "csv", {})
    before = len(await _export_entries(owner_engine, world.home))
    body = routes._body(SimpleNamespace(app=app), principal, export, "cut-short")
    assert (await anext(body)).startswith(b"\xef\xbb\xbfid,chapter")
    await body.aclose()
    (entry,) = (await _export_entries(owner_engine, world.home))[before:]
    fields = {name: after for name, (_, after) in entry.changes["fields"].items()}
    assert (entry.request_id, fields["complete"]) == ("cut-short", False)
    assert fields["rows"] in (0, 1, 2, 3)  # what PostgreSQL had sent by then
    # the connection went back to the pool in order: the next export works
    assert len(await _csv(client, world, "ops", "activities")) == 4
