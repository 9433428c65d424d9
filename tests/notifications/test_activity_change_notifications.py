"""In the app, an activity cancelled or moved: the people holding a seat or waiting for one
read it (with the reason; a move with its old and new time in the activity's zone, in their
language); a cancelled registrant, and whoever made the change, read nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from chapters.api.ids import global_id
from chapters.db.session import open_tenant_session, tenant_sessionmaker
from chapters.jobs.worker import run_worker
from chapters.models import Registration, RegistrationStatus, TenantRole
from chapters.models.notification import NotificationPreference
from tests.support import Api, make_activity, make_chapter

OPS, LEAD = "ops@told.example", "lead@told.example"
SEATED, WAITING, DROPPED = "seated@told.example", "waiting@told.example", "dropped@told.example"

NOTIFICATIONS = """{ viewer { notifications(first: 50) { edges { node {
  kind title body } } } } }"""
CANCEL = """mutation ($input: ActivityCancelInput!) { activityCancel(input: $input) {
  errors { field code } } }"""
RESCHEDULE = """mutation ($input: ActivityRescheduleInput!) { activityReschedule(input: $input) {
  errors { field code } } }"""


CHANGES = {"ACTIVITY_CANCELLED", "ACTIVITY_RESCHEDULED"}


class Person(Api):
    async def about(self, title: str) -> list[tuple[str, str, str]]:
        """The notifications of a change to the activity of this title (found by their text: a
        cancelled activity is no longer one a registrant can open)."""
        data = await self.data(NOTIFICATIONS)
        nodes = [edge["node"] for edge in data["viewer"]["notifications"]["edges"]]
        return [
            (n["kind"], n["title"], n["body"])
            for n in nodes
            if n["kind"] in CHANGES and title in n["title"]
        ]

    async def op(self, query: str, **input) -> None:
        payload = await self.mutate(query, **input)
        assert payload["errors"] == [], payload["errors"]


@pytest.fixture(scope="module")
async def world(tenants, owner_engine):
    tenant = await tenants.create(
        "told", {OPS: TenantRole.OPS, LEAD: None, SEATED: None, WAITING: None, DROPPED: None}
    )
    async with open_tenant_session(tenant_sessionmaker(owner_engine), tenant.id) as session:
        session.add(NotificationPreference(person_id=tenant.people[WAITING].id, locale="zh"))
        await session.commit()
    chapter = await make_chapter(owner_engine, tenant, "wuxi", staff=OPS, lead=LEAD)
    return tenant, chapter


async def registered_activity(owner_engine, tenant, chapter, title: str, starts_at: datetime):
    activity = await make_activity(
        owner_engine, tenant, chapter.id, staff=OPS, title=title, starts_at=starts_at
    )
    async with open_tenant_session(tenant_sessionmaker(owner_engine), tenant.id) as session:
        for number, (email, status) in enumerate(
            (
                (SEATED, RegistrationStatus.CONFIRMED),
                (WAITING, RegistrationStatus.WAITLISTED),
                (DROPPED, RegistrationStatus.CANCELLED),
                (LEAD, RegistrationStatus.CONFIRMED),  # who makes the change
            )
        ):
            session.add(
                Registration(
                    activity_id=activity.id,
                    person_id=tenant.people[email].id,
                    status=status,
                    code=f"T{number}{title[:4].upper()}",
                )
            )
        await session.commit()
    return global_id("Activity", activity.id), title


async def test_registrants_read_that_it_was_cancelled_and_why(
    world, client, owner_engine, settings, urls
):
    tenant, chapter = world
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=5)
    activity, name = await registered_activity(owner_engine, tenant, chapter, "Zig Day", start)
    await Person(client, tenant, LEAD).op(CANCEL, id=activity, reason="The hall is closed.")
    await run_worker(settings, urls.app, wait=False)

    assert await Person(client, tenant, SEATED).about(name) == [
        (
            "ACTIVITY_CANCELLED",
            "Cancelled: Zig Day",
            "Zig Day (Wuxi), which you registered for, was cancelled. It will not take place."
            " The reason given: The hall is closed.",
        )
    ]
    [(kind, heading, body)] = await Person(client, tenant, WAITING).about(name)
    assert (kind, heading) == ("ACTIVITY_CANCELLED", "活动取消\uff1aZig Day")
    assert "取消原因\uff1aThe hall is closed." in body
    assert await Person(client, tenant, DROPPED).about(name) == []
    assert await Person(client, tenant, LEAD).about(name) == []  # they know what they did


async def test_registrants_read_the_new_time_in_the_activitys_zone(
    world, client, owner_engine, settings, urls
):
    tenant, chapter = world
    start = (datetime.now(UTC) + timedelta(days=5)).replace(
        hour=11, minute=0, second=0, microsecond=0
    )
    activity, name = await registered_activity(owner_engine, tenant, chapter, "Elm Camp", start)
    moved = start + timedelta(hours=2)
    await Person(client, tenant, LEAD).op(
        RESCHEDULE, id=activity, startsAt=moved.isoformat(), reason="Trains run late."
    )
    await run_worker(settings, urls.app, wait=False)

    day = start.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d")
    [(kind, heading, body)] = await Person(client, tenant, SEATED).about(name)
    assert (kind, heading) == ("ACTIVITY_RESCHEDULED", "New time: Elm Camp")
    assert body == (
        f"Elm Camp (Wuxi), which you registered for, moved to {day} 21:00 - 23:00"
        f" (Asia/Shanghai) (it was {day} 19:00 - 21:00 (Asia/Shanghai))."
        " The reason given: Trains run late."
    )
    [(kind, heading, body)] = await Person(client, tenant, WAITING).about(name)
    assert (kind, heading) == ("ACTIVITY_RESCHEDULED", "活动改期\uff1aElm Camp")
    assert f"改到了{day} 21:00 - 23:00 (Asia/Shanghai)" in body
    assert await Person(client, tenant, DROPPED).about(name) == []
