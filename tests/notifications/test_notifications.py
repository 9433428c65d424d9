"""In-app notifications: each event tells the right people once, through real mutations and
the worker; the viewer reads them newest first and marks them read, their own only."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from chapters.api.ids import global_id
from chapters.db.session import open_tenant_session, tenant_sessionmaker
from chapters.events.dispatch import load_event
from chapters.jobs.queue import enqueue
from chapters.jobs.worker import run_worker
from chapters.models import DomainEvent, Registration, RegistrationStatus, TenantRole
from chapters.models.notification import Notification
from chapters.notifications.reactions import on_event
from tests.support import Api, code_set, make_activity, make_chapter, statements_sent

OPS, ADMIN = "ops@x.example", "admin@x.example"
LEAD, CO_LEAD, MEMBER, MEMBER2, OUTSIDER = (
    "lead@x.example",
    "colead@x.example",
    "member@x.example",
    "member2@x.example",
    "outsider@x.example",
)

NOTIFICATIONS = """query ($unreadOnly: Boolean, $first: Int, $after: String) { viewer {
  unreadNotificationCount
  notifications(unreadOnly: $unreadOnly, first: $first, after: $after) {
    edges { cursor node { id kind title body read readAt createdAt
      activity { id title } chapter { slug } membership { id status } } }
    pageInfo { hasNextPage endCursor } } } }"""
MARK_READ = """mutation ($input: NotificationsMarkReadInput!) { notificationsMarkRead(input: $input) {
  marked unreadCount notifications { id read } errors { field code } } }"""
PREFERENCES = """mutation ($input: NotificationPreferencesUpdateInput!) {
  notificationPreferencesUpdate(input: $input) { preferences { locale effectiveLocale
    kinds { kind email inApp essential } } errors { field code } } }"""


class Person(Api):
    async def notifications(self, **variables) -> list[dict]:
        data = await self.data(NOTIFICATIONS, {"first": 100, **variables})
        return [edge["node"] for edge in data["viewer"]["notifications"]["edges"]]

    async def unread(self) -> int:
        return (await self.data(NOTIFICATIONS, {"first": 1}))["viewer"]["unreadNotificationCount"]

    async def about(self, activity_id: str) -> list[tuple[str, str]]:
        return [
            (n["kind"], n["title"])
            for n in await self.notifications()
            if n["activity"] and n["activity"]["id"] == activity_id
        ]

    async def op(self, query: str, **input) -> dict:
        payload = await self.mutate(query, **input)
        assert payload["errors"] == [], payload["errors"]
        return payload


@pytest.fixture(scope="module")
async def world(tenants, owner_engine):
    people = {OPS: TenantRole.OPS, ADMIN: TenantRole.ADMIN}
    people |= dict.fromkeys((LEAD, CO_LEAD, MEMBER, MEMBER2, OUTSIDER))
    return await tenants.create("notify", people)


@pytest.fixture
async def worker(settings, urls):
    async def run() -> None:
        await run_worker(settings, urls.app, wait=False)

    return run


async def chapter_of(owner_engine, tenant, slug: str):
    return await make_chapter(
        owner_engine,
        tenant,
        f"{slug}-{uuid.uuid4().hex[:6]}",
        staff=OPS,
        lead=LEAD,
        co_leads=(CO_LEAD,),
        members=(MEMBER, MEMBER2),
    )


SUBMIT = "mutation ($input: ActivitySubmitInput!) { activitySubmit(input: $input) { errors { field code } } }"
REVIEW = "mutation ($input: ActivityReviewInput!) { activityReview(input: $input) { errors { field code } } }"
CREATE = """mutation ($input: ActivityCreateInput!) { activityCreate(input: $input) {
  activity { id } errors { field code } } }"""


async def test_a_review_tells_the_chapters_leads_and_the_creator(
    world, client, owner_engine, app_engine, worker
):
    chapter = await chapter_of(owner_engine, world, "review")
    admin = Person(client, world, ADMIN)  # the creator: staff, not in the chapter
    created = await admin.op(
        CREATE,
        chapterId=global_id("Chapter", chapter.id),
        kind="OFFLINE_MEETUP",
        title="Rust Night",
        startsAt=(datetime.now(UTC) + timedelta(days=9)).isoformat(),
        venue="Library",
    )
    activity = created["activity"]["id"]
    await admin.op(SUBMIT, id=activity)
    ops = Person(client, world, OPS)
    await ops.op(REVIEW, id=activity, decision="REQUEST_CHANGES", comment="Add the speakers.")
    await worker()

    changes = ("CHANGES_REQUESTED", "Changes requested: Rust Night")
    for email in (LEAD, CO_LEAD, ADMIN):
        assert await Person(client, world, email).about(activity) == [changes], email
    for email in (MEMBER, OPS):  # not a lead; and the reviewer knows what they did
        assert await Person(client, world, email).about(activity) == [], email

    await admin.op(SUBMIT, id=activity)
    await ops.op(REVIEW, id=activity, decision="ACCEPT")
    await worker()
    lead = await Person(client, world, LEAD).notifications()
    mine = [n for n in lead if n["activity"] and n["activity"]["id"] == activity]
    assert [(n["kind"], n["title"]) for n in mine] == [
        ("ACTIVITY_ACCEPTED", "Accepted: Rust Night"),
        changes,
    ]  # newest first
    assert mine[0]["chapter"]["slug"] == chapter.slug
    assert mine[0]["read"] is False

    # A dispatch retried (after a later reaction failed, say) adds nothing twice.
    sessionmaker = tenant_sessionmaker(app_engine)
    async with open_tenant_session(sessionmaker, world.id) as session:
        events = (
            await session.scalars(
                select(DomainEvent.id).where(DomainEvent.subject_id == uuid.UUID(_raw(activity)))
            )
        ).all()
        before = await session.scalar(select(func.count()).select_from(Notification))
        for event_id in events:
            event = await load_event(session, event_id)
            assert event is not None
            await on_event(session, event)
        after = await session.scalar(select(func.count()).select_from(Notification))
        await session.commit()
    assert after == before


def _raw(global_id_: str) -> str:
    from strawberry import relay

    return relay.from_base64(global_id_)[1]


PUBLISH = """mutation ($input: ActivityPublishRecapInput!) { activityPublishRecap(input: $input) {
  errors { field code } } }"""


async def test_a_published_recap_tells_the_people_registered(world, client, owner_engine, worker):
    chapter = await chapter_of(owner_engine, world, "recap")
    ended = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)
    activity = await make_activity(
        owner_engine, world, chapter.id, staff=OPS, title="Go Meetup", starts_at=ended
    )
    sessionmaker = tenant_sessionmaker(owner_engine)
    async with open_tenant_session(sessionmaker, world.id) as session, session.begin():
        for email, status, code in (
            (MEMBER, RegistrationStatus.CONFIRMED, "AAA111"),
            (OUTSIDER, RegistrationStatus.WAITLISTED, "BBB222"),
            (MEMBER2, RegistrationStatus.CANCELLED, "CCC333"),
        ):
            session.add(
                Registration(
                    activity_id=activity.id,
                    person_id=world.people[email].id,
                    status=status,
                    code=code,
                )
            )
        session.add(  # a public registrant: told by mail, not here
            Registration(
                activity_id=activity.id,
                name="Guest",
                email="guest@elsewhere.example",
                status=RegistrationStatus.CONFIRMED,
                code="DDD444",
            )
        )
    lead = Person(client, world, LEAD)
    activity_id = global_id("Activity", activity.id)
    await lead.op(PUBLISH, id=activity_id, summary="Slides and video are up.")
    await worker()

    recap = ("RECAP_PUBLISHED", "Recap published: Go Meetup")
    assert await Person(client, world, MEMBER).about(activity_id) == [recap]
    assert await Person(client, world, OUTSIDER).about(activity_id) == [recap]
    assert await Person(client, world, MEMBER2).about(activity_id) == []  # cancelled
    assert ("RECAP_PUBLISHED", recap[1]) not in await lead.about(activity_id)  # published it

    # A corrected recap is not news.
    await lead.op(PUBLISH, id=activity_id, summary="Slides, video and photos are up.")
    await worker()
    assert await Person(client, world, MEMBER).about(activity_id) == [recap]


INVITE = """mutation ($input: MembershipJoinInput!) { membershipInvite(input: $input) {
  membership { id } errors { field code } } }"""
CHANGE_ROLE = """mutation ($input: MembershipChangeRoleInput!) { membershipChangeRole(input: $input) {
  membership { id } errors { field code } } }"""
ACCEPT = """mutation ($input: MembershipChangeInput!) { membershipAccept(input: $input) {
  errors { field code } } }"""
CHANGE_STATUS = """mutation ($input: ChapterChangeStatusInput!) { chapterChangeStatus(input: $input) {
  errors { field code } } }"""


async def test_an_invitation_tells_the_invitee_who_can_accept_it(
    world, client, owner_engine, worker
):
    chapter = await chapter_of(owner_engine, world, "invite")
    ops = Person(client, world, OPS)
    invited = await ops.op(
        INVITE,
        chapterId=global_id("Chapter", chapter.id),
        personId=global_id("Person", world.people[OUTSIDER].id),
    )
    await worker()
    outsider = Person(client, world, OUTSIDER)
    (invitation,) = [
        n for n in await outsider.notifications() if n["chapter"]["slug"] == chapter.slug
    ]
    assert invitation["kind"] == "CHAPTER_INVITATION"
    assert invitation["title"] == f"Invitation to {chapter.name}"
    assert invitation["membership"] == {"id": invited["membership"]["id"], "status": "INVITED"}
    await outsider.op(ACCEPT, membershipId=invitation["membership"]["id"])


async def _publish(owner_engine, tenant, event_type: str, **fields) -> None:
    """An event as ``chapters.events.derive`` writes it: its row and its dispatch job."""
    event_id = uuid.uuid4()
    sessionmaker = tenant_sessionmaker(owner_engine)
    async with open_tenant_session(sessionmaker, tenant.id) as session, session.begin():
        session.add(DomainEvent(id=event_id, type=event_type, **fields))
        await session.flush()
        await enqueue(session, "events.dispatch", queue="events", event_id=str(event_id))


async def test_a_role_change_tells_the_member(world, client, owner_engine, worker):
    # The event is written as derive writes it: derive reads a role change of the memberships
    # service as a new membership (the closed period is flushed before the new one is added).
    chapter = await chapter_of(owner_engine, world, "roles")
    membership_id = uuid.uuid4()
    await _publish(
        owner_engine,
        world,
        "membership.role_changed",
        subject_id=membership_id,
        chapter_id=chapter.id,
        person_id=world.people[MEMBER2].id,
        actor_id=world.people[OPS].id,
        data={
            "membership_id": str(membership_id),
            "role": "co_lead",
            "status": "active",
            "previous_role": "member",
            "previous_status": "active",
        },
    )
    await worker()
    (told,) = [
        n
        for n in await Person(client, world, MEMBER2).notifications()
        if n["chapter"] and n["chapter"]["slug"] == chapter.slug
    ]
    assert told["kind"] == "ROLE_CHANGED"
    assert told["title"] == f"Your role in {chapter.name}"
    assert told["body"] == f"Your role in {chapter.name} changed from member to co-lead."


async def test_a_chapter_status_change_tells_its_leads_unless_they_turned_it_off(
    world, client, owner_engine, worker
):
    chapter = await chapter_of(owner_engine, world, "status")
    co_lead = Person(client, world, CO_LEAD)
    await co_lead.op(PREFERENCES, kinds=[{"kind": "CHAPTER_STATUS_CHANGED", "inApp": False}])
    try:
        await Person(client, world, OPS).op(
            CHANGE_STATUS, id=global_id("Chapter", chapter.id), status="DORMANT", reason="quiet"
        )
        await worker()

        def about(notes: list[dict]) -> list[str]:
            return [
                n["title"] for n in notes if n["chapter"] and n["chapter"]["slug"] == chapter.slug
            ]

        assert about(await Person(client, world, LEAD).notifications()) == [
            f"{chapter.name} is now dormant"
        ]
        assert about(await co_lead.notifications()) == []  # turned off
        assert about(await Person(client, world, MEMBER).notifications()) == []
    finally:
        await co_lead.op(PREFERENCES, kinds=[{"kind": "chapter_status_changed", "inApp": True}])


REGISTER = """mutation ($input: ActivityRegisterInput!) { activityRegister(input: $input) {
  registration { id status } errors { field code } } }"""
CANCEL = """mutation ($input: RegistrationCancelInput!) { registrationCancel(input: $input) {
  errors { field code } } }"""
SETTINGS = """mutation ($input: ActivityRegistrationSettingsInput!) {
  activityRegistrationSettings(input: $input) { errors { field code } } }"""


async def test_a_seat_from_the_waitlist_tells_the_registrant(world, client, owner_engine, worker):
    chapter = await chapter_of(owner_engine, world, "seats")
    activity = await make_activity(owner_engine, world, chapter.id, staff=OPS, title="Small Room")
    activity_id = global_id("Activity", activity.id)
    await Person(client, world, LEAD).op(SETTINGS, activityId=activity_id, capacity=1)
    first = await Person(client, world, MEMBER).op(REGISTER, activityId=activity_id)
    second = await Person(client, world, MEMBER2).op(REGISTER, activityId=activity_id)
    assert second["registration"]["status"] == "WAITLISTED"
    await Person(client, world, MEMBER).op(CANCEL, registrationId=first["registration"]["id"])
    await worker()
    assert await Person(client, world, MEMBER2).about(activity_id) == [
        ("WAITLIST_PROMOTION", "You have a seat: Small Room")
    ]
    assert await Person(client, world, MEMBER).about(activity_id) == []


async def _notify(owner_engine, tenant, email: str, count: int) -> list[uuid.UUID]:
    """``count`` notifications for the person, a minute apart, oldest first (arranged)."""
    start = datetime.now(UTC) - timedelta(days=1)
    ids = [uuid.uuid4() for _ in range(count)]
    sessionmaker = tenant_sessionmaker(owner_engine)
    async with open_tenant_session(sessionmaker, tenant.id) as session, session.begin():
        for n, notification_id in enumerate(ids):
            session.add(
                Notification(
                    id=notification_id,
                    person_id=tenant.people[email].id,
                    kind="activity_accepted",
                    data={"activity_title": f"Talk {n}"},
                    created_at=start + timedelta(minutes=n),
                )
            )
    return ids


async def test_the_list_pages_newest_first_and_filters_unread(tenants, client, owner_engine):
    tenant = await tenants.create("notify-list", {MEMBER: None})
    reader = Person(client, tenant, MEMBER)
    await _notify(owner_engine, tenant, MEMBER, 5)
    data = await reader.data(NOTIFICATIONS, {"first": 2})
    page = data["viewer"]["notifications"]
    assert [e["node"]["title"] for e in page["edges"]] == ["Accepted: Talk 4", "Accepted: Talk 3"]
    assert page["pageInfo"]["hasNextPage"] is True
    rest = await reader.notifications(after=page["pageInfo"]["endCursor"])
    assert [n["title"] for n in rest] == [
        "Accepted: Talk 2",
        "Accepted: Talk 1",
        "Accepted: Talk 0",
    ]
    assert data["viewer"]["unreadNotificationCount"] == 5

    newest = page["edges"][0]["node"]["id"]
    marked = await reader.op(MARK_READ, ids=[newest])
    assert marked["marked"] == 1 and marked["unreadCount"] == 4
    assert marked["notifications"] == [{"id": newest, "read": True}]
    unread = await reader.notifications(unreadOnly=True)
    assert unread[0]["title"] == "Accepted: Talk 3"
    assert newest not in {n["id"] for n in unread}
    # again: nothing new is marked, the first reading time stays
    (before,) = [n for n in await reader.notifications() if n["id"] == newest]
    again = await reader.op(MARK_READ, ids=[newest])
    assert again["marked"] == 0
    (after,) = [n for n in await reader.notifications() if n["id"] == newest]
    assert after["readAt"] == before["readAt"]

    everything = await reader.op(MARK_READ, all=True)
    assert everything["marked"] == 4 and everything["unreadCount"] == 0
    assert await reader.notifications(unreadOnly=True) == []


async def test_someone_elses_notification_is_not_found_like_a_missing_one(
    world, client, owner_engine
):
    (theirs,) = await _notify(owner_engine, world, LEAD, 1)
    (mine,) = await _notify(owner_engine, world, OUTSIDER, 1)
    outsider = Person(client, world, OUTSIDER)
    refused = await outsider.mutate(
        MARK_READ,
        ids=[
            global_id("Notification", mine),
            global_id("Notification", theirs),
            global_id("Notification", uuid.uuid4()),
        ],
    )
    assert code_set(refused) == {("ids.1", "NOT_FOUND"), ("ids.2", "NOT_FOUND")}
    assert refused["errors"][0]["field"] == "ids.1"
    # nothing was marked, not even the caller's own
    assert [
        n["read"]
        for n in await outsider.notifications()
        if n["id"] == global_id("Notification", mine)
    ] == [False]
    lead = await Person(client, world, LEAD).notifications()
    assert [n["read"] for n in lead if n["id"] == global_id("Notification", theirs)] == [False]
    # nor does node(id:) show it
    body = await outsider.data(
        "query ($id: ID!) { node(id: $id) { id } }", {"id": global_id("Notification", theirs)}
    )
    assert body["node"] is None
    own = await Person(client, world, LEAD).data(
        "query ($id: ID!) { node(id: $id) { ... on Notification { title } } }",
        {"id": global_id("Notification", theirs)},
    )
    assert own["node"] == {"title": "Accepted: Talk 0"}


async def test_mark_read_needs_ids_or_all_and_a_person(world, client):
    reader = Person(client, world, MEMBER)
    assert code_set(await reader.mutate(MARK_READ)) == {("ids", "REQUIRED")}
    both = await reader.mutate(MARK_READ, ids=[global_id("Notification", uuid.uuid4())], all=True)
    assert code_set(both) == {("all", "INVALID")}
    assert code_set(await reader.mutate(MARK_READ, ids=["garbage"])) == {("ids.0", "INVALID")}
    anonymous = Person(client, world, None)
    assert code_set(await anonymous.mutate(MARK_READ, all=True)) == {(None, "FORBIDDEN")}
    assert (await anonymous.data("{ viewer { unreadNotificationCount } }"))["viewer"] is None


async def test_a_page_of_notifications_costs_the_same_statements_however_long(
    tenants, client, app, owner_engine
):
    tenant = await tenants.create("notify-n1", {OPS: TenantRole.OPS, MEMBER: None})
    chapter = await make_chapter(owner_engine, tenant, "n1", staff=OPS, members=(MEMBER,))
    activities = [
        await make_activity(owner_engine, tenant, chapter.id, staff=OPS, title=f"Talk {n}")
        for n in range(4)
    ]
    sessionmaker = tenant_sessionmaker(owner_engine)
    async with open_tenant_session(sessionmaker, tenant.id) as session, session.begin():
        for activity in activities:
            session.add(
                Notification(
                    person_id=tenant.people[MEMBER].id,
                    kind="activity_accepted",
                    activity_id=activity.id,
                    chapter_id=chapter.id,
                    data={"activity_title": activity.title},
                )
            )
    reader = Person(client, tenant, MEMBER)
    await reader.notifications(first=1)  # the tenant's slug is looked up once, then cached
    with statements_sent(app.state.runtime.engine) as one:
        assert len(await reader.notifications(first=1)) == 1
    with statements_sent(app.state.runtime.engine) as four:
        assert len(await reader.notifications(first=4)) == 4
    assert len(four) == len(one)
