"""The demo's outbound side: what `make run` shows reaching people.

Written after the silenced seed, with events on, so the worker that `make run` starts has work:
an upcoming Hangzhou meetup with three seats and five registrants (two on the waitlist, one
promoted when someone cancels), tomorrow's reminders, a past meetup whose recap is published
to the people who came, and the recap-overdue digest. Written once (the upcoming meetup's title
marks it), relative to the day `make run` first ran.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.activities import lifecycle, recaps
from chapters.activities.service import ActivityFields, LinkEntry, create_activity
from chapters.auth.principal import Principal
from chapters.demo.replay import Clock, first_with_role
from chapters.events.derive import silenced
from chapters.jobs.queue import enqueue
from chapters.local_chapters.service import find_by_slug
from chapters.mail.service import SEND_QUEUE
from chapters.models import (
    Activity,
    ActivityKind,
    LinkKind,
    Person,
    PersonStatus,
    Registration,
    RegistrationStatus,
    TenantRole,
)
from chapters.people.service import load_principal
from chapters.registrations import service as registrations
from chapters.registrations.service import RegistrationSettings

UPCOMING = "Serverless on a Saturday: live demos (registration demo)"
PAST = "Docs sprint night (recap mail demo)"
CHAPTER = "hangzhou"


async def seed_outbound(session: AsyncSession) -> str:
    """Registrations, reminders and a recap mail for the worker to send; a summary line."""
    if await session.scalar(select(Activity.id).where(Activity.title == UPCOMING)) is not None:
        return "registrations, reminders and recap mail already there"
    chapter = await find_by_slug(session, CHAPTER)
    admin_person = await first_with_role(session, TenantRole.ADMIN)
    if chapter is None or admin_person is None:
        return "no Hangzhou chapter: nothing outbound to show"
    admin = await load_principal(session, admin_person)
    people = (
        await session.scalars(
            select(Person)
            .where(Person.status == PersonStatus.ACTIVE, Person.tenant_role.is_(None))
            .order_by(Person.email)
            .limit(5)
        )
    ).all()
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    clock = Clock(session)  # the stories in the order they happened: stamps only move forward

    past = await _past_meetup(session, admin, chapter.id, people, now - timedelta(days=2), clock)
    upcoming = await _accepted(
        session,
        admin,
        chapter.id,
        UPCOMING,
        now + timedelta(hours=20),
        clock,
        now - timedelta(days=6),
    )
    await registrations.update_settings(
        session, admin, upcoming.id, RegistrationSettings(capacity=3)
    )
    seated = [
        await registrations.register(session, await load_principal(session, person), upcoming.id)
        for person in people
    ]
    await registrations.cancel(session, admin, seated[0].id)  # the first waitlisted moves up

    await lifecycle.publish_recap(
        session,
        admin,
        past.id,
        recaps.RecapContent(
            summary="Forty pages improved in one evening; the new contributor guide is live.",
            attendance=len(people),
            links=[
                LinkEntry(kind=LinkKind.RECORDING, url="https://video.example.org/docs-sprint"),
                LinkEntry(kind=LinkKind.SLIDES, url="https://slides.example.org/docs-sprint"),
            ],
        ),
    )
    # What the hourly and daily rules would find, sent now rather than at the next hour.
    moment = int(time.time())
    await enqueue(session, "mail.queue_reminders", queue=SEND_QUEUE, at=moment)
    await enqueue(session, "mail.queue_recap_overdue", queue=SEND_QUEUE, at=moment)
    return (
        f"{len(seated)} registrations for 3 seats (one cancelled, the waitlist moved up), "
        "reminders, a published recap and the recap-overdue digest queued for the worker"
    )


async def _accepted(
    session: AsyncSession,
    admin: Principal,
    chapter_id: uuid.UUID,
    title: str,
    starts_at: datetime,
    clock: Clock,
    created: datetime,
) -> Activity:
    """A meetup drafted at ``created``, submitted a day later and accepted the day after."""
    activity = await create_activity(
        session,
        admin,
        ActivityFields(
            chapter_id=chapter_id,
            kind=ActivityKind.OFFLINE_MEETUP,
            title=title,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=3),
            timezone="Asia/Shanghai",
            venue="West Lake Innovation Hub",
        ),
    )
    await clock.stamp(created)
    await lifecycle.submit(session, admin, activity.id)
    await clock.stamp(created + timedelta(days=1))
    await lifecycle.review(session, admin, activity.id, lifecycle.Step.ACCEPT)
    await clock.stamp(created + timedelta(days=2))
    return activity


async def _past_meetup(
    session: AsyncSession,
    admin: Principal,
    chapter_id: uuid.UUID,
    people: Sequence[Person],
    ended_at: datetime,
    clock: Clock,
) -> Activity:
    """An accepted meetup that took place two days ago, its registrants checked in (written
    as history: registrations close when an activity starts)."""
    starts_at = ended_at - timedelta(hours=3)
    activity = await _accepted(
        session, admin, chapter_id, PAST, starts_at, clock, ended_at - timedelta(days=14)
    )
    with silenced(session):  # signed up last week: no "you are registered" mail today
        _came(session, activity, people, ended_at)
        await session.flush()
    return activity


def _came(
    session: AsyncSession, activity: Activity, people: Sequence[Person], ended_at: datetime
) -> None:
    for person in people:
        session.add(
            Registration(
                activity_id=activity.id,
                person_id=person.id,
                code=registrations.new_code(),
                status=RegistrationStatus.CONFIRMED,
                confirmed_at=ended_at - timedelta(days=7),
                checked_in_at=ended_at - timedelta(hours=3),
            )
        )
