"""Calendar feeds, read back as a calendar application reads them (``icalendar``): which
events a chapter's, the tenant's and a person's private feed hold, their time zones, UIDs,
sequence numbers and statuses, the ETag, the private feed's token, and the SQL a feed costs."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import httpx
import icalendar
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from chapters.api.ids import global_id
from chapters.models import (
    Activity,
    ActivityCoHost,
    ActivityKind,
    ActivityParticipant,
    ParticipantRole,
    Registration,
    RegistrationStatus,
    TenantRole,
)
from tests.support import (
    Api,
    TenantFixture,
    make_activity,
    make_chapter,
    staff_session_call,
    statements_sent,
)

PEOPLE = {
    "admin@x.example": TenantRole.ADMIN,
    "lead@x.example": None,
    "member@x.example": None,
    "other@x.example": None,
}
ADMIN, MEMBER, OTHER = "admin@x.example", "member@x.example", "other@x.example"
SOON = datetime.now(UTC).replace(microsecond=0) + timedelta(days=10)

CREATE = "mutation { calendarFeedCreate { url feed { createdAt } errors { code } } }"
REVOKE = "mutation { calendarFeedRevoke { revoked errors { code } } }"
HAS_FEED = "{ viewer { calendarFeed { createdAt } } }"
RESCHEDULE = """mutation ($input: ActivityRescheduleInput!) { activityReschedule(input: $input) {
  errors { field code message } } }"""
CANCEL = """mutation ($input: ActivityCancelInput!) { activityCancel(input: $input) {
  errors { field code message } } }"""


@dataclass
class World:
    tenant: TenantFixture
    alpha: uuid.UUID
    gamma: uuid.UUID
    ids: dict[str, uuid.UUID]

    def uid(self, name: str) -> str:
        return f"{self.ids[name]}@{self.tenant.slug}.chapters"


async def _as_admin(owner_engine: AsyncEngine, tenant: TenantFixture, work) -> object:
    return await staff_session_call(owner_engine, tenant, ADMIN, work)


@pytest.fixture(scope="module")
async def world(tenants, owner_engine: AsyncEngine) -> World:
    from chapters.activities import lifecycle

    tenant = await tenants.create("feeds", people=PEOPLE)
    alpha = await make_chapter(owner_engine, tenant, "alpha", staff=ADMIN, lead="lead@x.example")
    gamma = await make_chapter(owner_engine, tenant, "gamma", staff=ADMIN)
    ids: dict[str, uuid.UUID] = {}

    async def activity(name: str, chapter, **fields) -> None:
        made = await make_activity(owner_engine, tenant, chapter.id, staff=ADMIN, **fields)
        ids[name] = made.id

    await activity(
        "accepted",
        alpha,
        title='Kubernetes, eBPF; and "observability" — 可观测性与云原生的未来 一场很长的讨论',
        starts_at=SOON,
        description="Line one, with a comma;\nline two \\ with a backslash.",
    )
    await activity("cohosted", gamma, starts_at=SOON + timedelta(days=1), timezone="Europe/Berlin")
    await activity("gamma_only", gamma, starts_at=SOON + timedelta(days=2))
    await activity("draft", alpha, starts_at=SOON, accept=False)
    await activity("submitted", alpha, starts_at=SOON, accept=False)
    await activity("cancelled", alpha, starts_at=SOON + timedelta(days=3))
    await activity("cancelled_draft", alpha, starts_at=SOON, accept=False)
    await activity("long_ago", alpha, starts_at=datetime.now(UTC) - timedelta(days=800))
    await activity("registered_cancelled", alpha, starts_at=SOON + timedelta(days=4))
    await activity("spoken", alpha, starts_at=SOON + timedelta(days=5))
    await activity(
        "online",
        alpha,
        starts_at=SOON + timedelta(days=6),
        kind=ActivityKind.ONLINE_MEETUP,
        venue=None,
        online_url="https://meet.example/x",
    )

    async def arrange(session, principal):
        await lifecycle.submit(session, principal, ids["submitted"])
        await lifecycle.cancel(session, principal, ids["cancelled"], "the venue closed")
        await lifecycle.cancel(session, principal, ids["cancelled_draft"], "never mind")
        session.add(ActivityCoHost(activity_id=ids["cohosted"], chapter_id=alpha.id))
        member, other = tenant.people[MEMBER].id, tenant.people[OTHER].id
        registrations = [
            (ids["cohosted"], member, RegistrationStatus.CONFIRMED),
            (ids["gamma_only"], member, RegistrationStatus.WAITLISTED),
            (ids["registered_cancelled"], member, RegistrationStatus.CANCELLED),
            (ids["submitted"], member, RegistrationStatus.CONFIRMED),  # not accepted: absent
            (ids["online"], other, RegistrationStatus.CONFIRMED),
        ]
        for number, (activity_id, person, status) in enumerate(registrations):
            session.add(
                Registration(
                    activity_id=activity_id, person_id=person, status=status, code=f"C{number}"
                )
            )
        session.add(
            ActivityParticipant(
                activity_id=ids["accepted"], person_id=member, role=ParticipantRole.ORGANIZER
            )
        )
        session.add(
            ActivityParticipant(
                activity_id=ids["spoken"], person_id=member, role=ParticipantRole.SPEAKER
            )
        )
        await session.flush()

    await _as_admin(owner_engine, tenant, arrange)
    return World(tenant=tenant, alpha=alpha.id, gamma=gamma.id, ids=ids)


async def _calendar(
    client: httpx.AsyncClient, path: str, **headers: str
) -> tuple[httpx.Response, icalendar.Calendar]:
    response = await client.get(path, headers=headers)
    assert response.status_code == 200, response.text
    return response, icalendar.Calendar.from_ical(response.content)


def _events(calendar: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def _chapter_path(world: World, slug: str = "alpha") -> str:
    return f"/t/{world.tenant.slug}/chapters/{slug}/calendar.ics"


async def test_a_chapter_feed_holds_its_accepted_and_co_hosted_activities(client, world: World):
    response, calendar = await _calendar(client, _chapter_path(world))
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    events = _events(calendar)
    expected = {"accepted", "cohosted", "cancelled", "registered_cancelled", "spoken", "online"}
    assert set(events) == {world.uid(name) for name in expected}
    assert str(events[world.uid("accepted")]["STATUS"]) == "CONFIRMED"
    # once accepted, then cancelled: kept, so that subscribed calendars drop it
    assert str(events[world.uid("cancelled")]["STATUS"]) == "CANCELLED"
    assert calendar["METHOD"] == "PUBLISH"
    assert str(calendar["X-WR-CALNAME"]).startswith("Alpha")
    assert "REFRESH-INTERVAL" in calendar and "X-PUBLISHED-TTL" in calendar


async def test_events_carry_their_time_zone_text_and_place(client, world: World):
    _, calendar = await _calendar(client, _chapter_path(world))
    events = _events(calendar)
    accepted, cohosted = events[world.uid("accepted")], events[world.uid("cohosted")]
    assert accepted["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert cohosted["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")} == {
        "Asia/Shanghai",
        "Europe/Berlin",
    }
    # the same instants, read back with the VTIMEZONEs
    assert accepted.decoded("DTSTART").astimezone(UTC) == SOON
    assert accepted.decoded("DTEND").astimezone(UTC) == SOON + timedelta(hours=2)
    assert cohosted.decoded("DTSTART").astimezone(UTC) == SOON + timedelta(days=1)
    assert str(accepted["SUMMARY"]).startswith('Kubernetes, eBPF; and "observability"')
    assert str(accepted["SUMMARY"]).endswith("一场很长的讨论")
    assert "Line one, with a comma;\nline two \\ with a backslash." in str(accepted["DESCRIPTION"])
    assert str(accepted["LOCATION"]) == "West Lake Library"
    online = events[world.uid("online")]
    assert str(online["LOCATION"]) == str(online["URL"]) == "https://meet.example/x"


async def test_the_text_is_folded_crlf_ended_utf8(client, world: World):
    response = await client.get(_chapter_path(world))
    body = response.content
    assert body.endswith(b"END:VCALENDAR\r\n")
    lines = body.split(b"\r\n")
    assert all(b"\n" not in line and b"\r" not in line for line in lines)
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # the long title was folded
    body.decode("utf-8")  # never cut inside a character


async def test_uids_and_etag_are_stable_and_304_answers_a_current_copy(client, world: World):
    first, calendar = await _calendar(client, _chapter_path(world))
    again, calendar_again = await _calendar(client, _chapter_path(world))
    assert set(_events(calendar)) == set(_events(calendar_again))
    etag = first.headers["etag"]
    assert etag == again.headers["etag"] and etag.startswith('"')
    assert first.headers["cache-control"].startswith("public")
    cached = await client.get(_chapter_path(world), headers={"If-None-Match": etag})
    assert cached.status_code == 304 and cached.content == b""
    assert cached.headers["etag"] == etag
    stale = await client.get(_chapter_path(world), headers={"If-None-Match": '"older"'})
    assert stale.status_code == 200


async def test_the_tenant_feed_holds_every_accepted_activity(client, world: World):
    _, calendar = await _calendar(client, f"/t/{world.tenant.slug}/calendar.ics")
    expected = {
        "accepted",
        "cohosted",
        "gamma_only",
        "cancelled",
        "registered_cancelled",
        "spoken",
        "online",
    }
    assert set(_events(calendar)) == {world.uid(name) for name in expected}


async def test_unknown_tenant_or_chapter_is_a_plain_404(client, world: World):
    for path in (
        f"/t/no-such-tenant-{uuid.uuid4().hex[:6]}/calendar.ics",
        f"/t/no-such-tenant-{uuid.uuid4().hex[:6]}/chapters/alpha/calendar.ics",
        _chapter_path(world, "no-such-chapter"),
        _chapter_path(world, "BAD%20slug"),
    ):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("text/plain")


async def test_a_reschedule_bumps_the_sequence_and_changes_the_etag(
    client, world: World, owner_engine
):
    made = await make_activity(
        owner_engine, world.tenant, world.alpha, staff=ADMIN, starts_at=SOON + timedelta(days=20)
    )
    uid = f"{made.id}@{world.tenant.slug}.chapters"
    before, calendar = await _calendar(client, _chapter_path(world))
    assert int(_events(calendar)[uid]["SEQUENCE"]) == 0
    admin = Api(client, world.tenant, ADMIN)
    moved = SOON + timedelta(days=21)
    payload = await admin.mutate(
        RESCHEDULE,
        id=global_id("Activity", made.id),
        startsAt=moved.isoformat(),
        reason="the room is taken",
    )
    assert payload["errors"] == []
    after, calendar = await _calendar(
        client, _chapter_path(world), **{"If-None-Match": before.headers["etag"]}
    )
    assert after.headers["etag"] != before.headers["etag"]
    event = _events(calendar)[uid]
    assert int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART").astimezone(UTC) == moved

    payload = await admin.mutate(CANCEL, id=global_id("Activity", made.id), reason="no speaker")
    assert payload["errors"] == []
    _, calendar = await _calendar(client, _chapter_path(world))
    event = _events(calendar)[uid]
    assert (str(event["STATUS"]), int(event["SEQUENCE"])) == ("CANCELLED", 2)


async def _create_feed(client, world: World, email: str) -> str:
    payload = await Api(client, world.tenant, email).mutate(CREATE)
    assert payload["errors"] == [] and payload["url"]
    return urlsplit(payload["url"]).path


async def test_a_private_feed_shows_ones_registrations_and_organised_activities(
    client, world: World
):
    member = Api(client, world.tenant, MEMBER)
    assert (await member.data(HAS_FEED))["viewer"]["calendarFeed"] is None
    path = await _create_feed(client, world, MEMBER)
    assert path.startswith(f"/t/{world.tenant.slug}/people/feed/") and path.endswith(".ics")
    assert (await member.data(HAS_FEED))["viewer"]["calendarFeed"]["createdAt"]

    response, calendar = await _calendar(client, path)
    assert response.headers["cache-control"].startswith("private")
    events = _events(calendar)
    # organiser of "accepted", registered (confirmed) for "cohosted", waitlisted for
    # "gamma_only"; not the cancelled registration, the speaker role, the unaccepted activity
    # or someone else's registration
    assert set(events) == {world.uid(name) for name in ("accepted", "cohosted", "gamma_only")}
    assert str(events[world.uid("gamma_only")]["STATUS"]) == "TENTATIVE"
    assert str(events[world.uid("cohosted")]["STATUS"]) == "CONFIRMED"

    _, others = await _calendar(client, await _create_feed(client, world, OTHER))
    assert set(_events(others)) == {world.uid("online")}

    cached = await client.get(path, headers={"If-None-Match": response.headers["etag"]})
    assert cached.status_code == 304


async def test_a_revoked_or_replaced_token_is_404(client, world: World):
    lead = Api(client, world.tenant, "lead@x.example")
    first = await _create_feed(client, world, "lead@x.example")
    assert (await client.get(first)).status_code == 200
    second = await _create_feed(client, world, "lead@x.example")
    assert second != first
    assert (await client.get(first)).status_code == 404  # replaced
    assert (await client.get(second)).status_code == 200
    payload = await lead.mutate(REVOKE)
    assert payload == {"revoked": True, "errors": []}
    assert (await client.get(second)).status_code == 404
    assert (await lead.data(HAS_FEED))["viewer"]["calendarFeed"] is None
    assert (await lead.mutate(REVOKE))["revoked"] is False


async def test_a_token_is_useless_on_another_tenant(client, world: World, tenants):
    path = await _create_feed(client, world, OTHER)
    elsewhere = await tenants.create("feeds-b", people={ADMIN: TenantRole.ADMIN})
    token_file = path.rsplit("/", 1)[1]
    response = await client.get(f"/t/{elsewhere.slug}/people/feed/{token_file}")
    assert response.status_code == 404
    assert (await client.get(path)).status_code == 200


@pytest.mark.parametrize(
    "file_name",
    ["x.ics", "calendar", "a" * 43, "a" * 43 + ".ics", "%00" * 20 + ".ics", "é" * 43 + ".ics"],
)
async def test_bad_tokens_are_404_never_an_error(client, world: World, file_name: str):
    response = await client.get(f"/t/{world.tenant.slug}/people/feed/{file_name}")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/plain")


async def test_managing_a_feed_is_for_signed_in_people_only(client, world: World):
    anonymous = Api(client, world.tenant, None)
    assert (await anonymous.data(CREATE))["calendarFeedCreate"]["errors"] == [{"code": "FORBIDDEN"}]
    assert (await anonymous.data(REVOKE))["calendarFeedRevoke"]["errors"] == [{"code": "FORBIDDEN"}]


async def test_a_feed_costs_the_same_few_statements_whatever_its_size(
    client, world: World, app, owner_engine
):
    engine = app.state.runtime.engine
    path = _chapter_path(world)

    async def add(count: int) -> None:
        for day in range(count):
            await make_activity(
                owner_engine,
                world.tenant,
                world.alpha,
                staff=ADMIN,
                starts_at=SOON + timedelta(days=30 + day, hours=count),
            )

    await add(1)
    with statements_sent(engine) as small:
        assert (await client.get(path)).status_code == 200
    await add(12)
    with statements_sent(engine) as large:
        response = await client.get(path)
    assert len(_events(icalendar.Calendar.from_ical(response.content))) >= 19
    # the tenant binding, the head, the events' keys, the details of the new ones: whatever
    # the number of events
    assert len(large) == len(small) == 4
    etag = response.headers["etag"]
    with statements_sent(engine) as unchanged:
        again = await client.get(path)  # written already: the head says it is the same
        assert again.status_code == 200 and again.content == response.content
    with statements_sent(engine) as cached:
        assert (await client.get(path, headers={"If-None-Match": etag})).status_code == 304
    assert len(unchanged) == len(cached) == 2


async def test_a_changed_feed_reads_the_details_of_its_changed_events_only(
    client, world: World, app, owner_engine
):
    made = [
        await make_activity(
            owner_engine, world.tenant, world.alpha, staff=ADMIN, starts_at=SOON + timedelta(days=d)
        )
        for d in (40, 41, 42)
    ]
    path = _chapter_path(world)
    before, calendar = await _calendar(client, path)
    uids = [f"{activity.id}@{world.tenant.slug}.chapters" for activity in made]
    assert all(uid in _events(calendar) for uid in uids)

    async def rename(session, principal):
        await session.execute(
            sa.update(Activity)
            .where(Activity.id == made[1].id)
            .values(title="Renamed: eBPF deep dive", updated_at=sa.func.clock_timestamp())
        )

    await staff_session_call(owner_engine, world.tenant, ADMIN, rename)
    details_asked: list[list[str]] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        if "ANY(" in statement:
            details_asked.append(list(next(v for v in parameters if isinstance(v, list))))

    engine = app.state.runtime.engine.sync_engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        after, calendar = await _calendar(client, path)
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    assert after.headers["etag"] != before.headers["etag"]
    assert details_asked == [[str(made[1].id)]]  # one statement, for the one that changed
    events = _events(calendar)
    assert str(events[uids[1]]["SUMMARY"]) == "Renamed: eBPF deep dive"
    unchanged = _events(icalendar.Calendar.from_ical(before.content))
    assert events[uids[0]].to_ical() == unchanged[uids[0]].to_ical()
    assert len(events) == len(unchanged)
