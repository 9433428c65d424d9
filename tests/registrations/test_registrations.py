"""Registrations on the real database through the API: seats and the waitlist in order,
racing for the last seat, the public flow with its signed links, enumeration, limits,
check-in, visibility, erasure, the export, and attendance in the insight figures."""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import io
import os
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from redis.asyncio import Redis
from sqlalchemy import text

from chapters.api.ids import global_id
from chapters.app import create_app
from chapters.errors import ErrorCode, InvalidInput
from chapters.insight import periods
from chapters.insight import service as insight
from chapters.insight.figures import Granularity
from chapters.jobs.worker import run_worker
from chapters.models import ActivityParticipant, ParticipantRole, TenantRole
from chapters.registrations import limits, links
from chapters.registrations.limits import PUBLIC_ANSWER_SECONDS
from tests.support import (
    Api,
    codes,
    make_activity,
    make_chapter,
    serving,
    staff_session_call,
    statements_sent,
)

ADMIN, LEAD, ANN, BOB, CAT, DAN, MEM = (
    "admin@x.example",
    "lead@x.example",
    "ann@x.example",
    "bob@x.example",
    "cat@x.example",
    "dan@x.example",
    "mem@x.example",
)
PEOPLE = {
    ADMIN: TenantRole.ADMIN,
    LEAD: None,
    ANN: None,
    BOB: None,
    CAT: None,
    DAN: None,
    MEM: None,
}

REGISTRATION = "id status checkInCode waitlistedAt confirmedAt checkedInAt name email"
REGISTER = f"""mutation ($input: ActivityRegisterInput!) {{ activityRegister(input: $input) {{
  registration {{ {REGISTRATION} }} errors {{ field code message }} }} }}"""
REGISTER_PUBLIC = """mutation ($input: ActivityRegisterPublicInput!) {
  activityRegisterPublic(input: $input) { received errors { field code message } } }"""
CANCEL = f"""mutation ($input: RegistrationCancelInput!) {{ registrationCancel(input: $input) {{
  registration {{ {REGISTRATION} }} errors {{ field code message }} }} }}"""
CANCEL_BY_LINK = f"""mutation ($input: RegistrationCancelByLinkInput!) {{
  registrationCancelByLink(input: $input) {{
  registration {{ {REGISTRATION} }} errors {{ field code message }} }} }}"""
CONFIRM = f"""mutation ($input: RegistrationConfirmInput!) {{ registrationConfirm(input: $input) {{
  registration {{ {REGISTRATION} }} errors {{ field code message }} }} }}"""
CHECK_IN = f"""mutation ($input: RegistrationCheckInInput!) {{ registrationCheckIn(input: $input) {{
  registration {{ {REGISTRATION} checkInQrSvg }} alreadyCheckedIn errors {{ field code }} }} }}"""
ERASE = f"""mutation ($input: RegistrationEraseInput!) {{ registrationErase(input: $input) {{
  registration {{ {REGISTRATION} erasedAt }} errors {{ field code }} }} }}"""
SETTINGS = """mutation ($input: ActivityRegistrationSettingsInput!) {
  activityRegistrationSettings(input: $input) {
    activity { registration { capacity open } } errors { field code } } }"""
PUBLIC_SETTING = """mutation ($input: ChapterPublicRegistrationInput!) {
  chapterPublicRegistration(input: $input) { chapter { id } errors { field code } } }"""
SUMMARY = """query ($id: ID!) { node(id: $id) { ... on Activity { registration {
  capacity open public accepting seatsTaken seatsLeft waitlistLength checkedIn
  viewerRegistration { status } } } } }"""
REGISTRANTS = """query ($id: ID!) { node(id: $id) { ... on Activity {
  registrations(first: 50) { edges { node { status name email checkInCode } } } } } }"""
MINE = """{ viewer { registrations { edges { node { status activity { title } } } } } }"""


@pytest.fixture
async def world(tenants, owner_engine):
    tenant = await tenants.create("reg", PEOPLE)
    chapter = await make_chapter(owner_engine, tenant, "hz", staff=ADMIN, lead=LEAD, members=(MEM,))
    activity = await make_activity(owner_engine, tenant, chapter.id, staff=ADMIN, title="Meetup")
    return tenant, chapter, activity


def aid(activity) -> str:
    return global_id("Activity", activity.id)


async def register(client, tenant, email, activity) -> dict:
    return await Api(client, tenant, email).mutate(REGISTER, activityId=aid(activity))


async def set_capacity(client, tenant, activity, capacity, **more) -> dict:
    return await Api(client, tenant, LEAD).mutate(
        SETTINGS, activityId=aid(activity), capacity=capacity, **more
    )


async def summary(client, tenant, email, activity) -> dict:
    data = await Api(client, tenant, email).data(SUMMARY, {"id": aid(activity)})
    return data["node"]["registration"]


async def test_seats_then_a_waitlist_promoted_in_order(client, world, owner_engine) -> None:
    tenant, _, activity = world
    assert (await set_capacity(client, tenant, activity, 2))["errors"] == []
    statuses = {}
    for email in (ANN, BOB, CAT, DAN):
        payload = await register(client, tenant, email, activity)
        assert payload["errors"] == []
        statuses[email] = payload["registration"]
    assert [statuses[e]["status"] for e in (ANN, BOB, CAT, DAN)] == [
        "CONFIRMED",
        "CONFIRMED",
        "WAITLISTED",
        "WAITLISTED",
    ]
    seen = await summary(client, tenant, CAT, activity)
    assert (seen["seatsTaken"], seen["seatsLeft"], seen["waitlistLength"]) == (2, 0, 2)
    assert seen["viewerRegistration"] == {"status": "WAITLISTED"}

    # Ann cancels her own: Cat, first in the queue, gets the seat; Dan still waits.
    cancelled = await Api(client, tenant, ANN).mutate(CANCEL, registrationId=statuses[ANN]["id"])
    assert cancelled["registration"]["status"] == "CANCELLED"
    assert (await summary(client, tenant, CAT, activity))["viewerRegistration"] == {
        "status": "CONFIRMED"
    }
    assert (await summary(client, tenant, DAN, activity))["viewerRegistration"] == {
        "status": "WAITLISTED"
    }
    # Bob may not cancel Dan's; the lead may (organiser): Dan is promoted once a seat frees.
    refused = await Api(client, tenant, BOB).mutate(CANCEL, registrationId=statuses[DAN]["id"])
    assert codes(refused) == [("registrationId", "NOT_FOUND")]
    await Api(client, tenant, LEAD).mutate(CANCEL, registrationId=statuses[BOB]["id"])
    assert (await summary(client, tenant, DAN, activity))["viewerRegistration"] == {
        "status": "CONFIRMED"
    }
    # A larger capacity promotes at once; and the events are in the log, in order.
    async with owner_engine.connect() as connection:
        await connection.execute(
            text("SELECT set_config('app.tenant_id', :t, false)"), {"t": str(tenant.id)}
        )
        kinds = (
            await connection.execute(
                text(
                    "SELECT type FROM domain_events WHERE activity_id = :a"
                    " AND type LIKE 'registration.%' ORDER BY occurred_at, type"
                ),
                {"a": activity.id},
            )
        ).scalars()
        kinds = list(kinds)
    assert kinds.count("registration.created") == 4
    assert kinds.count("registration.promoted") == 2
    assert kinds.count("registration.cancelled") == 2


async def test_only_open_accepted_activities_take_registrations(
    client, world, owner_engine
) -> None:
    tenant, chapter, activity = world
    draft = await make_activity(owner_engine, tenant, chapter.id, staff=ADMIN, accept=False)
    over = await make_activity(
        owner_engine,
        tenant,
        chapter.id,
        staff=ADMIN,
        starts_at=datetime.now(UTC).replace(microsecond=0) - timedelta(days=2),
    )
    assert codes(await register(client, tenant, ANN, over)) == [("activityId", "CONFLICT")]
    # a draft is not even visible to Ann
    assert codes(await register(client, tenant, ANN, draft)) == [("activityId", "NOT_FOUND")]
    assert (await register(client, tenant, ANN, activity))["errors"] == []
    again = await register(client, tenant, ANN, activity)
    assert codes(again) == [("activityId", "CONFLICT")]
    assert (await set_capacity(client, tenant, activity, None, open=False))["errors"] == []
    assert codes(await register(client, tenant, BOB, activity)) == [("activityId", "CONFLICT")]
    # only whoever may edit it changes its settings
    refused = await Api(client, tenant, MEM).mutate(SETTINGS, activityId=aid(activity), open=True)
    assert codes(refused) == [(None, "FORBIDDEN")]
    bad = await set_capacity(client, tenant, activity, 0)
    assert codes(bad) == [("capacity", "INVALID")]
    anonymous = await Api(client, tenant, None).mutate(REGISTER, activityId=aid(activity))
    assert codes(anonymous) == [(None, "FORBIDDEN")]


async def test_two_racing_for_the_last_seat(client, world) -> None:
    tenant, _, activity = world
    await set_capacity(client, tenant, activity, 1)
    first, second = await asyncio.gather(
        register(client, tenant, ANN, activity), register(client, tenant, BOB, activity)
    )
    assert first["errors"] == [] and second["errors"] == []
    assert sorted([first["registration"]["status"], second["registration"]["status"]]) == [
        "CONFIRMED",
        "WAITLISTED",
    ]
    seen = await summary(client, tenant, ADMIN, activity)
    assert (seen["seatsTaken"], seen["waitlistLength"]) == (1, 1)


async def test_public_registration_confirmed_by_link(client, world, owner_engine) -> None:
    tenant, chapter, activity = world
    anonymous = Api(client, tenant, None)
    entry = {"activityId": aid(activity), "name": "Eve", "email": "Eve@Example.org"}
    closed = await anonymous.mutate(REGISTER_PUBLIC, **entry)
    assert (closed["received"], codes(closed)) == (False, [("activityId", "FORBIDDEN")])
    # a member may not open it; the lead may
    chapter_id = global_id("Chapter", chapter.id)
    member = await Api(client, tenant, MEM).mutate(
        PUBLIC_SETTING, chapterId=chapter_id, allowed=True
    )
    assert codes(member) == [(None, "FORBIDDEN")]
    opened = await Api(client, tenant, LEAD).mutate(
        PUBLIC_SETTING, chapterId=chapter_id, allowed=True
    )
    assert opened["errors"] == []
    await set_capacity(client, tenant, activity, 1)

    taken = await anonymous.mutate(REGISTER_PUBLIC, **entry)
    assert taken == {"received": True, "errors": []}
    seen = await summary(client, tenant, None, activity)
    assert (seen["public"], seen["seatsTaken"]) == (True, 0)  # pending: no seat yet
    bad = await anonymous.mutate(REGISTER_PUBLIC, activityId=aid(activity), name="", email="x")
    assert set(codes(bad)) == {("name", "REQUIRED"), ("email", "INVALID")}

    registration_id = await _registration_id(owner_engine, tenant, "eve@example.org")
    url = links.confirmation_url("http://127.0.0.1", tenant.slug, registration_id)
    path = urlsplit(url).path + "?" + urlsplit(url).query
    page = await client.get(path)
    assert page.status_code == 200 and "<form" in page.text
    assert (await summary(client, tenant, None, activity))["seatsTaken"] == 0  # GET changes nothing
    token = dict(p.split("=", 1) for p in urlsplit(url).query.split("&"))["token"]
    from urllib.parse import unquote

    done = await client.post(urlsplit(url).path, data={"token": unquote(token)})
    assert done.status_code == 200 and "You have a seat" in done.text
    assert (await summary(client, tenant, None, activity))["seatsTaken"] == 1
    # confirming again changes nothing; a forged or foreign token is refused
    again = await anonymous.mutate(CONFIRM, token=unquote(token))
    assert again["registration"]["status"] == "CONFIRMED"
    forged = await anonymous.mutate(CONFIRM, token=unquote(token)[:-2] + "AA")
    assert codes(forged) == [("token", "INVALID")]
    other_tenant = links.confirmation_token("another-tenant", registration_id)
    assert codes(await anonymous.mutate(CONFIRM, token=other_tenant)) == [("token", "INVALID")]
    cancel_token = links.cancellation_token(tenant.slug, registration_id)
    assert codes(await anonymous.mutate(CONFIRM, token=cancel_token)) == [("token", "INVALID")]
    confirm_token = links.confirmation_token(tenant.slug, registration_id)
    refused = await anonymous.mutate(CANCEL_BY_LINK, token=confirm_token)
    assert codes(refused) == [("token", "INVALID")]

    # a second public registrant waits; the first cancels through her link: promoted
    await anonymous.mutate(REGISTER_PUBLIC, **{**entry, "name": "Fay", "email": "fay@x.org"})
    fay = await _registration_id(owner_engine, tenant, "fay@x.org")
    confirmed = await anonymous.mutate(CONFIRM, token=links.confirmation_token(tenant.slug, fay))
    assert confirmed["registration"]["status"] == "WAITLISTED"
    cancel_url = links.cancellation_url("http://127.0.0.1", tenant.slug, registration_id)
    assert (await client.get(urlsplit(cancel_url).path)).status_code == 200
    cancelled = await client.post(urlsplit(cancel_url).path, data={"token": cancel_token})
    assert "cancelled" in cancelled.text
    fay_now = await anonymous.mutate(CONFIRM, token=links.confirmation_token(tenant.slug, fay))
    assert fay_now["registration"]["status"] == "CONFIRMED"


async def _registration_id(owner_engine, tenant, email: str) -> uuid.UUID:
    async with owner_engine.connect() as connection:
        await connection.execute(
            text("SELECT set_config('app.tenant_id', :t, false)"), {"t": str(tenant.id)}
        )
        found = await connection.scalar(
            text("SELECT id FROM registrations WHERE email = :e"), {"e": email}
        )
    assert found is not None
    return found


async def test_public_answers_never_tell_who_is_known(client, world) -> None:
    tenant, chapter, activity = world
    await Api(client, tenant, LEAD).mutate(
        PUBLIC_SETTING, chapterId=global_id("Chapter", chapter.id), allowed=True
    )
    anonymous = Api(client, tenant, None)
    answers = []
    for email in ("new@x.org", "new@x.org", "NEW@x.org", ANN):  # new, twice, a person's
        started = time.monotonic()
        body = await anonymous.raw(
            REGISTER_PUBLIC,
            {"input": {"activityId": aid(activity), "name": "Someone", "email": email}},
        )
        answers.append(body)
        assert time.monotonic() - started >= PUBLIC_ANSWER_SECONDS
    assert all(answer == answers[0] for answer in answers)
    assert answers[0]["data"] == {"activityRegisterPublic": {"received": True, "errors": []}}


async def test_rate_limits_per_address_and_per_activity(settings, urls, keys, world) -> None:
    tenant, _chapter, activity = world
    strict = dataclasses.replace(
        settings, registrations_per_address_per_hour=3, registrations_per_activity_per_minute=100
    )
    async with serving(create_app(strict, app_url=urls.app, keys=keys)) as http:
        results = [await register(http, tenant, email, activity) for email in (ANN, BOB, CAT, DAN)]
    assert [r["errors"] for r in results[:3]] == [[], [], []]
    assert codes(results[3]) == [(None, "FORBIDDEN")]
    assert "Too many registrations" in results[3]["errors"][0]["message"]

    per_activity = dataclasses.replace(
        settings, registrations_per_address_per_hour=100, registrations_per_activity_per_minute=1
    )
    async with serving(create_app(per_activity, app_url=urls.app, keys=keys)) as http:
        # the activity had attempts already this minute (four above)
        refused = await register(http, tenant, MEM, activity)
    assert codes(refused) == [(None, "FORBIDDEN")]


async def test_check_in_by_code_idempotent_for_organisers(client, world) -> None:
    tenant, _, activity = world
    await set_capacity(client, tenant, activity, 1)
    ann = (await register(client, tenant, ANN, activity))["registration"]
    bob = (await register(client, tenant, BOB, activity))["registration"]
    code = ann["checkInCode"]
    assert len(code) == 6 and not set(code) & set("01OIL25SZ8B")
    typed = code.lower()[:3] + "-" + code.lower()[3:]
    lead = Api(client, tenant, LEAD)
    first = await lead.mutate(CHECK_IN, activityId=aid(activity), code=typed)
    assert first["errors"] == [] and first["alreadyCheckedIn"] is False
    assert first["registration"]["checkedInAt"] is not None
    assert first["registration"]["checkInQrSvg"].startswith("<svg")
    second = await lead.mutate(CHECK_IN, activityId=aid(activity), code=code)
    assert second["alreadyCheckedIn"] is True
    assert second["registration"]["checkedInAt"] == first["registration"]["checkedInAt"]
    waitlisted = await lead.mutate(CHECK_IN, activityId=aid(activity), code=bob["checkInCode"])
    assert codes(waitlisted) == [("code", "CONFLICT")]
    unknown = await lead.mutate(CHECK_IN, activityId=aid(activity), code="XXXXXX")
    assert codes(unknown) == [("code", "NOT_FOUND")]
    member = await Api(client, tenant, MEM).mutate(CHECK_IN, activityId=aid(activity), code=code)
    assert codes(member) == [(None, "FORBIDDEN")]
    assert (await summary(client, tenant, MEM, activity))["checkedIn"] == 1


async def test_registrants_are_the_organisers_and_staffs(client, world) -> None:
    tenant, _, activity = world
    ann = (await register(client, tenant, ANN, activity))["registration"]
    for email in (LEAD, ADMIN):
        body = await Api(client, tenant, email).data(REGISTRANTS, {"id": aid(activity)})
        (edge,) = body["node"]["registrations"]["edges"]
        assert (edge["node"]["name"], edge["node"]["email"]) == ("ann", ANN)
    for email in (MEM, BOB, None):
        body = await Api(client, tenant, email).raw(REGISTRANTS, {"id": aid(activity)})
        assert body["data"]["node"]["registrations"] is None
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        seen = await summary(client, tenant, email, activity)
        assert seen["seatsTaken"] == 1  # counts for everyone
    mine = await Api(client, tenant, ANN).data(MINE)
    assert mine["viewer"]["registrations"]["edges"] == [
        {"node": {"status": "CONFIRMED", "activity": {"title": "Meetup"}}}
    ]
    assert (await Api(client, tenant, BOB).data(MINE))["viewer"]["registrations"]["edges"] == []
    node = "query ($id: ID!) { node(id: $id) { ... on Registration { email } } }"
    assert (await Api(client, tenant, BOB).data(node, {"id": ann["id"]}))["node"] is None
    assert (await Api(client, tenant, ANN).data(node, {"id": ann["id"]}))["node"] == {"email": ANN}


async def test_erase_keeps_the_count_and_scrubs_the_audit_log(
    client, world, owner_engine, settings, urls
) -> None:
    tenant, chapter, activity = world
    await Api(client, tenant, LEAD).mutate(
        PUBLIC_SETTING, chapterId=global_id("Chapter", chapter.id), allowed=True
    )
    await Api(client, tenant, None).mutate(
        REGISTER_PUBLIC, activityId=aid(activity), name="Gus Secret", email="gus@secret.org"
    )
    gus = await _registration_id(owner_engine, tenant, "gus@secret.org")
    await Api(client, tenant, None).mutate(
        CONFIRM, token=links.confirmation_token(tenant.slug, gus)
    )
    gus_id = global_id("Registration", gus)
    # the mail sent to the address so far (its confirmation link, its seat)
    await run_worker(settings, urls.app, wait=False)
    await run_worker(settings, urls.app, wait=False)
    mailed = text("SELECT count(*) FROM mail_messages WHERE recipient = 'gus@secret.org'")
    async with owner_engine.connect() as connection:
        await connection.execute(
            text("SELECT set_config('app.tenant_id', :t, false)"), {"t": str(tenant.id)}
        )
        assert await connection.scalar(mailed) >= 2
    refused = await Api(client, tenant, MEM).mutate(ERASE, registrationId=gus_id)
    assert codes(refused) == [("registrationId", "NOT_FOUND")]
    erased = await Api(client, tenant, LEAD).mutate(ERASE, registrationId=gus_id)
    assert erased["errors"] == []
    shown = erased["registration"]
    assert (shown["name"], shown["email"], shown["status"]) == (None, None, "CONFIRMED")
    assert shown["erasedAt"] is not None
    assert (await summary(client, tenant, None, activity))["seatsTaken"] == 1
    async with owner_engine.connect() as connection:
        await connection.execute(
            text("SELECT set_config('app.tenant_id', :t, false)"), {"t": str(tenant.id)}
        )
        logged = (
            await connection.execute(
                text("SELECT changes::text FROM audit_log WHERE object_id = :id"), {"id": gus}
            )
        ).scalars()
        logged = list(logged)
        assert await connection.scalar(mailed) == 0  # the mail rows stay, without the address
    assert len(logged) >= 3  # registered, confirmed, erased
    assert not any("secret" in entry.lower() for entry in logged)


async def test_registrants_export_round_trip(client, world) -> None:
    tenant, _chapter, activity = world
    await register(client, tenant, ANN, activity)
    await register(client, tenant, BOB, activity)
    path = f"/t/{tenant.slug}/activities/{aid(activity)}/registrants.csv"
    lead = {"Authorization": f"Bearer {tenant.token(LEAD)}"}
    response = await client.get(path, headers=lead)
    assert response.status_code == 200, response.text
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["name"], r["email"], r["status"]) for r in rows] == [
        ("ann", ANN, "confirmed"),
        ("bob", BOB, "confirmed"),
    ]
    member = {"Authorization": f"Bearer {tenant.token(MEM)}"}
    assert (await client.get(path, headers=member)).status_code == 403
    xlsx = await client.get(path.replace(".csv", ".xlsx"), headers=lead)
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    # staff, tenant-wide, through /exports
    admin = {"Authorization": f"Bearer {tenant.token(ADMIN)}"}
    everything = await client.get(
        f"/t/{tenant.slug}/exports/registrants.csv?chapter=hz&status=confirmed", headers=admin
    )
    assert everything.status_code == 200, everything.text
    assert len(list(csv.DictReader(io.StringIO(everything.text)))) == 2
    leads_tenant_wide = await client.get(f"/t/{tenant.slug}/exports/registrants.csv", headers=lead)
    assert leads_tenant_wide.status_code == 403


async def test_checked_in_attendees_count_as_active(client, world, owner_engine) -> None:
    """By hand: in the activity's month, Ann (checked in) and Bob (checked in) were active;
    Cat registered but never came; nobody else has any evidence (the lead's seat aside)."""
    tenant, _chapter, activity = world
    regs = {
        e: (await register(client, tenant, e, activity))["registration"] for e in (ANN, BOB, CAT)
    }
    for email in (ANN, BOB):
        await Api(client, tenant, LEAD).mutate(
            CHECK_IN, activityId=aid(activity), code=regs[email]["checkInCode"]
        )
    # The meetup took place: move it into the past (as_of counts only what has started).
    held = datetime(2025, 3, 14, 11, tzinfo=UTC)
    async with owner_engine.begin() as connection:
        await connection.execute(
            text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant.id)}
        )
        await connection.execute(
            text("UPDATE activities SET starts_at = :s, ends_at = :e WHERE id = :id"),
            {"s": held, "e": held + timedelta(hours=2), "id": activity.id},
        )
        # the lead's seat started now: outside March 2025
    span = periods.days(date(2025, 3, 1), date(2025, 4, 1))
    points = await staff_session_call(
        owner_engine,
        tenant,
        ADMIN,
        lambda s, p: insight.community_metrics(s, p, tenant.id, span, Granularity.MONTH),
    )
    tenant_point = next(point for point in points if point.chapter_id is None)
    assert tenant_point.active == 2


LIST = """query ($chapter: ID!) { activities(filter: {chapterId: $chapter}, first: 20) {
  edges { node { title registration { seatsTaken waitlistLength viewerRegistration { status } }
    registrations(first: 10) { edges { node { name email status } } } } } } }"""


async def test_a_list_of_activities_reads_registrations_in_constant_statements(
    client, app, world, owner_engine
) -> None:
    tenant, chapter, activity = world
    lead = Api(client, tenant, LEAD)
    variables = {"chapter": global_id("Chapter", chapter.id)}
    await register(client, tenant, ANN, activity)

    async def statements() -> int:
        with statements_sent(app.state.runtime.engine) as sent:
            data = await lead.data(LIST, variables)
        assert all(e["node"]["registrations"] is not None for e in data["activities"]["edges"])
        return len(sent)

    one = await statements()
    for title in ("Second", "Third", "Fourth"):
        more = await make_activity(owner_engine, tenant, chapter.id, staff=ADMIN, title=title)
        for email in (BOB, CAT):
            await register(client, tenant, email, more)
    assert await statements() == one


async def test_limits_are_shared_through_redis_when_it_is_set(settings) -> None:
    """Two replicas (each its own settings object, one Redis) count the same attempts; the
    keys expire with their window."""
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    shared = dataclasses.replace(
        settings,
        redis_url=url,
        registrations_per_address_per_hour=2,
        registrations_per_activity_per_minute=100,
    )
    tenant_id, activity_id = uuid.uuid4(), uuid.uuid4()
    await limits.admit(shared, tenant_id, "192.0.2.7", activity_id)
    await limits.admit(dataclasses.replace(shared), tenant_id, "192.0.2.7", activity_id)
    with pytest.raises(InvalidInput) as refused:
        await limits.admit(shared, tenant_id, "192.0.2.7", activity_id)
    assert refused.value.errors[0].code == ErrorCode.FORBIDDEN
    await limits.admit(shared, tenant_id, "192.0.2.8", activity_id)  # another address
    redis = Redis.from_url(url)
    try:
        keys = [key async for key in redis.scan_iter(match=f"chapters:registrations:{tenant_id}:*")]
        assert len(keys) == 3  # two addresses, one activity
        expiries = [await redis.pttl(key) for key in keys]
        assert all(0 < ms <= 3_600_000 for ms in expiries)
        for key in keys:
            await redis.delete(key)
    finally:
        await redis.aclose()


async def test_people_organising_the_activity_run_its_door(client, world, owner_engine) -> None:
    """Listed as organiser or host (not as speaker), a member sees the registrants, checks
    them in and exports them, without leading the chapter; erasing stays the leads'."""
    tenant, _, activity = world
    roles = {MEM: ParticipantRole.ORGANIZER, CAT: ParticipantRole.HOST}
    roles[DAN] = ParticipantRole.SPEAKER

    async def list_them(session, principal):
        for email, role in roles.items():
            person_id = tenant.people[email].id
            session.add(
                ActivityParticipant(activity_id=activity.id, person_id=person_id, role=role)
            )
        await session.flush()

    await staff_session_call(owner_engine, tenant, ADMIN, list_them)
    ann = (await register(client, tenant, ANN, activity))["registration"]
    csv_path = f"/t/{tenant.slug}/activities/{aid(activity)}/registrants.csv"
    for email in (MEM, CAT):
        body = await Api(client, tenant, email).data(REGISTRANTS, {"id": aid(activity)})
        (edge,) = body["node"]["registrations"]["edges"]
        assert (edge["node"]["name"], edge["node"]["email"]) == ("ann", ANN)
        export = await client.get(
            csv_path, headers={"Authorization": f"Bearer {tenant.token(email)}"}
        )
        assert export.status_code == 200 and ANN in export.text
    checked = await Api(client, tenant, CAT).mutate(
        CHECK_IN, activityId=aid(activity), code=ann["checkInCode"]
    )
    assert checked["errors"] == [] and checked["registration"]["checkedInAt"] is not None
    speaker = await Api(client, tenant, DAN).raw(REGISTRANTS, {"id": aid(activity)})
    assert speaker["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    refused = await Api(client, tenant, DAN).mutate(
        CHECK_IN, activityId=aid(activity), code=ann["checkInCode"]
    )
    assert codes(refused) == [(None, "FORBIDDEN")]
    erase = await Api(client, tenant, MEM).mutate(ERASE, registrationId=ann["id"])
    assert codes(erase) == [(None, "FORBIDDEN")]
