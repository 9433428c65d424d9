"""The lists leads and ops work from: filters, the review queue, overdue recaps, a chapter's
calendar, keyset pages, and a constant number of SQL statements however long the page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from chapters.activities import lifecycle, recaps, schedule, service
from chapters.api.ids import global_id
from chapters.db.session import open_tenant_session, tenant_sessionmaker
from chapters.models import (
    ActivityKind,
    LinkKind,
    Organisation,
    OrganisationKind,
    OrganisationRole,
    ParticipantRole,
    TenantRole,
)
from tests.activities.test_activities import (
    CO_LEAD,
    LEAD,
    MEMBER,
    OPS,
    OTHER_LEAD,
    PEOPLE,
    RECAP,
    REVIEW,
    SPEAKER,
    SUBMIT,
    VIEWER,
    World,
    build_world,
    days_from_now,
)
from tests.support import make_chapter, staff_session_call, statements_sent

ADMIN = "admin@x.example"
QUEUE = """query ($first: Int, $after: String) {
  activityReviewQueue(first: $first, after: $after) {
    edges { node { title status } } pageInfo { hasNextPage endCursor }
  }
}"""
OVERDUE = "{ overdueRecaps(first: 100) { edges { node { title isRecapOverdue } } } }"
OVERDUE_FILTER = """{ activities(filter: {recapOverdue: true}, orderBy: STARTS_AT,
  descending: false) { edges { node { title } } } }"""
CALENDAR = """query ($chapterId: ID!, $from: DateTime!, $to: DateTime!) {
  chapterCalendar(chapterId: $chapterId, from: $from, to: $to) { title chapter { slug } }
}"""
TENANT_UPDATE = """mutation ($days: Int!) {
  tenantUpdate(input: {recapOverdueDays: $days}) { errors { code } }
}"""


def titles_of(connection: dict[str, Any]) -> list[str]:
    return [edge["node"]["title"] for edge in connection["edges"]]


async def _in_past(w: World, title: str, ended_days_ago: float, *, hours: float = 2, **kw):
    """An activity that ended ``ended_days_ago`` days ago, submitted for review."""
    start = days_from_now(-ended_days_ago, hours=-hours)
    end = days_from_now(-ended_days_ago) if hours else None
    return await w.submitted(LEAD, title=title, startsAt=start, endsAt=end, **kw)


async def test_review_queue_lists_submissions_oldest_first_for_staff_and_viewers(
    client, tenants, owner_engine
) -> None:
    w = await build_world(client, tenants, owner_engine)
    ops = w.api(OPS)
    first = await w.submitted(LEAD, title="First", startsAt=days_from_now(30))
    await w.submitted(OTHER_LEAD, chapter=w.hangzhou, title="Second", startsAt=days_from_now(1))
    await w.submitted(LEAD, title="Third", startsAt=days_from_now(20))
    await w.draft(LEAD, title="Draft")
    await w.accepted(LEAD, title="Accepted")
    queue = (await ops.data(QUEUE, {"first": 10}))["activityReviewQueue"]
    assert titles_of(queue) == ["First", "Second", "Third"]
    assert {edge["node"]["status"] for edge in queue["edges"]} == {"SUBMITTED"}

    # Sent back and resubmitted, it queues again behind the others.
    await ops.ok(REVIEW, id=first["id"], decision="REQUEST_CHANGES", comment="Add slides")
    await w.api(LEAD).ok(SUBMIT, id=first["id"])
    page = (await w.api(VIEWER).data(QUEUE, {"first": 2}))["activityReviewQueue"]
    assert titles_of(page) == ["Second", "Third"] and page["pageInfo"]["hasNextPage"]
    rest = await ops.data(QUEUE, {"first": 2, "after": page["pageInfo"]["endCursor"]})
    assert titles_of(rest["activityReviewQueue"]) == ["First"]

    for email in (LEAD, CO_LEAD, MEMBER, None):
        body = await w.api(email).raw(QUEUE)
        assert body["data"] is None, email
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_overdue_recaps_follow_the_tenants_threshold(client, tenants, owner_engine) -> None:
    w = await build_world(client, tenants, owner_engine, {**PEOPLE, ADMIN: TenantRole.ADMIN})
    ops, lead = w.api(OPS), w.api(LEAD)
    await _in_past(w, "Long over", 8.2, hours=3)
    await _in_past(w, "Just past the threshold", 7.05)  # ended 7 days and an hour ago
    just_inside = await _in_past(w, "Just inside", 6.95)
    await ops.ok(REVIEW, id=just_inside["id"], decision="ACCEPT")
    sent_back = await _in_past(w, "No end, sent back", 9, hours=0)
    await ops.ok(REVIEW, id=sent_back["id"], decision="REQUEST_CHANGES", comment="Photos?")
    recapped = await _in_past(w, "Recapped", 10)
    await lead.ok(RECAP, id=recapped["id"], summary="Done")
    await w.draft(LEAD, title="Still a draft", startsAt=days_from_now(-10), endsAt=None)
    cancelled = await _in_past(w, "Cancelled", 10)
    await lead.ok(
        "mutation ($input: ActivityCancelInput!) { activityCancel(input: $input) {"
        " activity { id } errors { field code message } } }",
        id=cancelled["id"],
        reason="Never happened",
    )
    await w.accepted(LEAD, title="Upcoming")

    async def overdue() -> list[str]:
        listed = (await ops.data(OVERDUE))["overdueRecaps"]
        assert {edge["node"]["isRecapOverdue"] for edge in listed["edges"]} <= {True}
        filtered = titles_of((await ops.data(OVERDUE_FILTER))["activities"])
        assert titles_of(listed) == filtered
        return filtered

    assert await overdue() == ["No end, sent back", "Long over", "Just past the threshold"]
    admin = w.api(ADMIN)
    assert (await admin.data(TENANT_UPDATE, {"days": 6}))["tenantUpdate"]["errors"] == []
    assert await overdue() == [
        "No end, sent back",
        "Long over",
        "Just past the threshold",
        "Just inside",
    ]
    await admin.data(TENANT_UPDATE, {"days": 8})
    assert await overdue() == ["No end, sent back", "Long over"]
    node = await lead.node(just_inside["id"])
    assert node["isRecapOverdue"] is False

    assert (await w.api(VIEWER).data(OVERDUE))["overdueRecaps"]["edges"]
    for email in (LEAD, MEMBER, None):
        body = await w.api(email).raw(OVERDUE)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", email


async def test_filters(client, tenants, owner_engine) -> None:
    w = await build_world(client, tenants, owner_engine)
    east = await make_chapter(owner_engine, w.tenant, "east", staff=OPS)
    child = await make_chapter(owner_engine, w.tenant, "suzhou", staff=OPS, parent_id=east.id)
    grandchild = await make_chapter(
        owner_engine, w.tenant, "kunshan", staff=OPS, parent_id=child.id
    )
    organisation = await _organisation(owner_engine, w, "Acme Cloud")
    ops = w.api(OPS)

    async def accepted(title: str, chapter: Any, **fields: Any) -> dict:
        activity = await w.draft(OPS, chapter=chapter, title=title, **fields)
        await ops.ok(SUBMIT, id=activity["id"])
        return await ops.ok(REVIEW, id=activity["id"], decision="ACCEPT")

    await accepted("East summit", east, kind="TALK", startsAt="2030-05-01T10:00:00Z")
    await accepted(
        "Suzhou meetup",
        child,
        startsAt="2030-06-01T10:00:00Z",
        endsAt=None,
        tags=["Kubernetes"],
        organisations=[{"organisationId": organisation, "role": "SPONSOR"}],
    )
    await accepted(
        "Kunshan visit",
        grandchild,
        kind="COMPANY_VISIT",
        startsAt="2030-07-01T10:00:00Z",
        endsAt=None,
        participants=[{"role": "SPEAKER", "personId": w.person(SPEAKER)}],
    )
    await accepted(
        "Shanghai stream",
        w.shanghai,
        kind="LIVE_STREAM",
        venue=None,
        onlineUrl="https://live.example",
        description="Deep dive into eBPF",
        startsAt="2030-08-01T10:00:00Z",
        endsAt=None,
        coHostChapterIds=[w.chapter(child)],
    )
    await w.draft(LEAD, title="Shanghai draft", startsAt="2030-09-01T10:00:00Z", endsAt=None)

    async def titles(**filter: Any) -> list[str]:
        return await ops.titles(filter=filter, orderBy="STARTS_AT", descending=False)

    assert await titles(chapterId=w.chapter(east)) == ["East summit"]
    assert await titles(chapterId=w.chapter(east), includeSubChapters=True) == [
        "East summit",
        "Suzhou meetup",
        "Kunshan visit",
        "Shanghai stream",  # co-hosted by Suzhou
    ]
    assert await titles(chapterId=w.chapter(child)) == ["Suzhou meetup", "Shanghai stream"]
    assert await titles(kind=["TALK", "LIVE_STREAM"]) == ["East summit", "Shanghai stream"]
    assert await titles(status=["DRAFT"]) == ["Shanghai draft"]
    assert await titles(startsFrom="2030-06-01T10:00:00Z", startsBefore="2030-08-01T10:00:00Z") == [
        "Suzhou meetup",
        "Kunshan visit",
    ]
    assert await titles(participantPersonId=w.person(SPEAKER)) == ["Kunshan visit"]
    assert await titles(organisationId=organisation) == ["Suzhou meetup"]
    assert await titles(text="kubernetes") == ["Suzhou meetup"]
    assert await titles(text="EBPF") == ["Shanghai stream"]
    assert await titles(text="visit") == ["Kunshan visit"]
    assert await titles(text="100%") == []
    assert await titles(chapterId=w.chapter(w.shanghai), status=["ACCEPTED", "DRAFT"]) == [
        "Shanghai stream",
        "Shanghai draft",
    ]
    # The lead's view of the same filter leaves out nothing they may see, and adds nothing.
    assert await w.api(MEMBER).titles(filter={"chapterId": w.chapter(w.shanghai)}) == [
        "Shanghai stream"
    ]
    bad = await ops.raw('{ activities(filter: {chapterId: "bogus"}) { edges { node { id } } } }')
    assert bad["errors"][0]["extensions"] == {"code": "INVALID", "field": "chapterId"}


async def test_orderings_page_with_keyset_cursors(client, tenants, owner_engine) -> None:
    w = await build_world(client, tenants, owner_engine)
    lead = w.api(LEAD)
    made = [
        await w.draft(LEAD, title=f"A{day}", startsAt=days_from_now(day), endsAt=None)
        for day in (3, 1, 2, 5, 4)
    ]
    assert await lead.titles() == ["A5", "A4", "A3", "A2", "A1"]  # latest start first
    seen: list[str] = []
    after = None
    while True:
        data = await lead.data(
            "query ($after: String) { activities(first: 2, after: $after, descending: false) {"
            " edges { node { title } } pageInfo { hasNextPage endCursor } } }",
            {"after": after},
        )
        page = data["activities"]
        seen += titles_of(page)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == ["A1", "A2", "A3", "A4", "A5"]
    await lead.ok(
        "mutation ($input: ActivityUpdateInput!) { activityUpdate(input: $input) {"
        " activity { id } errors { field code message } } }",
        id=made[2]["id"],
        description="touched",
    )
    assert (await lead.titles(orderBy="UPDATED_AT"))[0] == "A2"


async def test_a_chapters_calendar_shows_what_it_owns_or_co_hosts(
    client, tenants, owner_engine
) -> None:
    w = await build_world(client, tenants, owner_engine)
    shanghai = w.chapter(w.shanghai)
    await w.accepted(LEAD, title="Own", startsAt="2031-01-10T10:00:00Z", endsAt=None)
    await w.accepted(
        OTHER_LEAD,
        chapter=w.hangzhou,
        title="Co-hosted",
        startsAt="2031-01-05T10:00:00Z",
        endsAt=None,
        coHostChapterIds=[shanghai],
    )
    await w.accepted(
        LEAD,
        title="Started before, still running",
        startsAt="2030-12-30T10:00:00Z",
        endsAt="2031-01-02T10:00:00Z",
    )
    await w.accepted(LEAD, title="Outside", startsAt="2031-03-01T10:00:00Z", endsAt=None)
    await w.accepted(OTHER_LEAD, chapter=w.hangzhou, title="Hangzhou only", endsAt=None)
    await w.draft(
        OTHER_LEAD,
        chapter=w.hangzhou,
        title="Co-hosted draft",
        startsAt="2031-01-20T10:00:00Z",
        endsAt=None,
        coHostChapterIds=[shanghai],
    )
    january = {"chapterId": shanghai, "from": "2031-01-01T00:00:00Z", "to": "2031-02-01T00:00:00Z"}

    async def calendar(email: str | None) -> list[str]:
        data = await w.api(email).data(CALENDAR, january)
        return [activity["title"] for activity in data["chapterCalendar"]]

    expected = ["Started before, still running", "Co-hosted", "Own"]
    assert await calendar(None) == expected
    assert await calendar(MEMBER) == expected
    # Staff, and the co-hosting chapter's leads, see the co-hosted draft too.
    assert await calendar(LEAD) == [*expected, "Co-hosted draft"]
    assert await calendar(OPS) == [*expected, "Co-hosted draft"]

    too_long = await w.api(OPS).raw(
        CALENDAR, {**january, "from": "2030-01-01T00:00:00Z", "to": "2031-01-02T00:00:01Z"}
    )
    assert too_long["errors"][0]["extensions"] == {"code": "INVALID", "field": "to"}
    backwards = await w.api(OPS).raw(CALENDAR, {**january, "to": january["from"]})
    assert backwards["errors"][0]["extensions"]["code"] == "INVALID"


async def _organisation(owner_engine, w: World, name: str) -> str:
    sessionmaker = tenant_sessionmaker(owner_engine)
    async with open_tenant_session(sessionmaker, w.tenant.id) as session, session.begin():
        organisation = Organisation(name=name, kind=OrganisationKind.COMPANY)
        session.add(organisation)
        await session.flush()
        return global_id("Organisation", organisation.id)


async def test_organisations_are_listed_by_name_with_their_role(
    client, tenants, owner_engine
) -> None:
    w = await build_world(client, tenants, owner_engine)
    acme = await _organisation(owner_engine, w, "Acme Cloud")
    campus = await _organisation(owner_engine, w, "Bund University")
    activity = await w.draft(
        LEAD,
        organisations=[
            {"organisationId": campus, "role": "VENUE"},
            {"organisationId": acme, "role": "SPONSOR"},
            {"organisationId": acme, "role": "SPONSOR"},
        ],
    )
    assert activity["organisations"] == [
        {"role": "SPONSOR", "organisationId": acme, "name": "Acme Cloud"},
        {"role": "VENUE", "organisationId": campus, "name": "Bund University"},
    ]


# Statement counts


NESTED = """{ activities(first: 100) { edges { node {
  title isRecapOverdue chapter { slug } committee { name } coHosts { slug }
  organisations { role name } participants { role externalName person { displayName } }
  links { kind url } transitions { toStatus comment actor { displayName } }
  createdBy { displayName } viewerCan { edit }
  comments(first: 5) { edges { node { body author { displayName } } } }
  recap { number links { url } } recapHistory(first: 5) { edges { node { number } } }
  scheduleChanges(first: 5) { edges { node { reason actor { displayName } } } }
} } } }"""


async def _statements_for(client, app, tenants, owner_engine, count: int) -> int:
    w = await build_world(client, tenants, owner_engine)
    organisation = await _organisation(owner_engine, w, "Acme Cloud")
    organisation_id = _uuid_of(organisation)

    async def seed(session, principal):
        for index in range(count):
            activity = await service.create_activity(
                session,
                principal,
                service.ActivityFields(
                    chapter_id=w.shanghai.id,
                    kind=ActivityKind.OFFLINE_MEETUP,
                    title=f"Meetup {index}",
                    starts_at=datetime.now(UTC) - timedelta(days=index),
                    venue="Cafe",
                    co_host_chapter_ids=[w.hangzhou.id],
                    organisations=[
                        service.OrganisationEntry(
                            organisation_id=organisation_id, role=OrganisationRole.SPONSOR
                        )
                    ],
                    participants=[
                        service.ParticipantEntry(
                            role=ParticipantRole.SPEAKER,
                            person_id=w.tenant.people[SPEAKER].id,
                        ),
                        service.ParticipantEntry(role=ParticipantRole.GUEST, external_name="Ada"),
                    ],
                    links=[service.LinkEntry(kind=LinkKind.REGISTRATION, url="https://r.example")],
                ),
            )
            await lifecycle.submit(session, principal, activity.id, "Ready")
            await lifecycle.review(
                session, principal, activity.id, lifecycle.Step.REQUEST_CHANGES, "Photos?"
            )
            for summary in ("Came", "Came and stayed"):
                recap = recaps.RecapContent(
                    summary=summary,
                    links=[service.LinkEntry(kind=LinkKind.PHOTOS, url="https://p.example")],
                )
                await lifecycle.publish_recap(session, principal, activity.id, recap)
            await schedule.reschedule(
                session,
                principal,
                activity.id,
                starts_at=datetime.now(UTC) - timedelta(days=index, hours=1),
                reason="Earlier",
            )

    await staff_session_call(owner_engine, w.tenant, OPS, seed)
    with statements_sent(app.state.runtime.engine) as statements:
        data = await w.api(OPS).data(NESTED)
    edges = data["activities"]["edges"]
    assert len(edges) == count
    node = edges[0]["node"]
    assert node["coHosts"] == [{"slug": "hangzhou"}]
    assert len(node["participants"]) == 2 and len(node["transitions"]) == 3
    assert len(node["comments"]["edges"]) == 2
    assert len(node["recapHistory"]["edges"]) == 2 and node["recap"]["links"]
    assert len(node["links"]) == 2 and len(node["scheduleChanges"]["edges"]) == 1
    return len(statements)


def _uuid_of(global_id_value: str):
    import uuid

    from strawberry import relay

    return uuid.UUID(relay.from_base64(global_id_value)[1])


async def test_listing_costs_a_constant_number_of_statements(
    client, app, tenants, owner_engine
) -> None:
    few = await _statements_for(client, app, tenants, owner_engine, 5)
    many = await _statements_for(client, app, tenants, owner_engine, 50)
    assert few == many, (few, many)
    assert many <= 19, many
