"""Writes the past participation of ``participation`` into tenant ``demo``: rows with the dates
they stand for, through the seeding's tenant-bound session (row-level security and the
composite foreign keys check each one). The services would stamp "now" and audit every row;
this past is three years of figures, not of API calls, so it is written as rows, like the
committee. Written once: the named re-activated contributor is the marker."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.demo.participation import (
    EMAIL_DOMAIN,
    PAST,
    QIAN_BO,
    REPOSITORY,
    Commit,
    Newcomer,
    Past,
    PastActivity,
)
from chapters.demo.replay import count
from chapters.models import (
    Activity,
    ActivityParticipant,
    ActivityStatus,
    ActivityTransition,
    Chapter,
    ChapterMembership,
    ChapterMembershipPeriod,
    ChapterRole,
    CodeContribution,
    ContributionKind,
    MembershipStatus,
    Person,
    PersonSegment,
)

TIMEZONE = "Asia/Shanghai"
STARTS = time(6, 0, tzinfo=UTC)  # 14:00 in Shanghai: a Saturday afternoon meetup
LENGTH = timedelta(hours=3)
# An activity is written up four weeks ahead, submitted three days later and accepted four
# days after that; its recap follows three days after it ends.
WRITTEN, SUBMITTED, REVIEWED, RECAPPED = (
    timedelta(days=-28),
    timedelta(days=3),
    timedelta(days=4),
    timedelta(days=3),
)


def _at(day: date, hour: int = 2) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=UTC)


def email(key: str) -> str:
    return f"{key}@{EMAIL_DOMAIN}"


async def past_written(session: AsyncSession) -> bool:
    found = await session.scalar(select(Person.id).where(Person.email == email(QIAN_BO.key)))
    return found is not None


async def backfill_past(session: AsyncSession, past: Past = PAST) -> str:
    """Write ``past`` unless it is there; return a summary line."""
    if await past_written(session):
        return "past participation already there"
    chapters = {c.slug: c for c in (await session.scalars(select(Chapter))).all()}
    people = {
        p.email.split("@")[0]: p
        for p in (await session.scalars(select(Person).where(Person.email.like("%@demo.example"))))
    }
    for newcomer in past.newcomers:
        people[newcomer.key] = await _newcomer(session, newcomer, chapters[newcomer.chapter])
    ops = people["ops"]
    for activity in past.activities:
        _activity(session, activity, chapters[activity.chapter], people, ops)
    session.add_all(_contribution(commit, people[commit.person]) for commit in past.commits)
    await session.flush()
    return (
        f"past participation: {len(past.newcomers)} people joining, "
        f"{len(past.activities)} past activities, "
        f"{count(len(past.commits), 'code contribution')}"
    )


async def _newcomer(session: AsyncSession, newcomer: Newcomer, chapter: Chapter) -> Person:
    joined = _at(newcomer.joined)
    code = newcomer.github is not None
    person = Person(
        id=uuid.uuid4(),
        email=email(newcomer.key),
        display_name=newcomer.name,
        github_handle=newcomer.github,
        city=newcomer.city or chapter.name,
        public_profile=newcomer.public,
        segments=[(PersonSegment.CODE_CONTRIBUTOR if code else PersonSegment.USER).value],
        tags=[],
        created_at=joined - timedelta(hours=1),
        updated_at=joined - timedelta(hours=1),
    )
    membership = ChapterMembership(
        id=uuid.uuid4(),
        chapter_id=chapter.id,
        person_id=person.id,
        role=ChapterRole.MEMBER,
        status=MembershipStatus.ACTIVE,
        joined_at=joined,
        first_joined_at=joined,
        created_at=joined,
        updated_at=joined,
    )
    period = ChapterMembershipPeriod(
        membership_id=membership.id,
        chapter_id=chapter.id,
        person_id=person.id,
        role=ChapterRole.MEMBER,
        status=MembershipStatus.ACTIVE,
        started_at=joined,
    )
    session.add(person)
    await session.flush()  # the person before the rows that name them
    session.add_all((membership, period))
    return person


def _activity(
    session: AsyncSession,
    spec: PastActivity,
    chapter: Chapter,
    people: dict[str, Person],
    reviewer: Person,
) -> None:
    starts = datetime.combine(spec.day, STARTS)
    written = starts + WRITTEN
    submitted = written + SUBMITTED
    reviewed = submitted + REVIEWED
    recapped = starts + LENGTH + RECAPPED if spec.recap else None
    organiser = people[spec.people[0][0]]
    activity = Activity(
        id=uuid.uuid4(),
        chapter_id=chapter.id,
        kind=spec.kind,
        status=ActivityStatus.ACCEPTED,
        title=spec.title,
        starts_at=starts,
        ends_at=starts + LENGTH,
        timezone=TIMEZONE,
        language="zh-CN",
        expected_attendance=spec.attendance,
        actual_attendance=spec.attendance if spec.recap else None,
        tags=["meetup", spec.chapter],
        created_by_id=organiser.id,
        submitted_at=submitted,
        reviewed_at=reviewed,
        recap_summary=f"{spec.attendance} people came." if spec.recap else None,
        recap_published_at=recapped,
        created_at=written,
        updated_at=recapped or reviewed,
    )
    steps = [
        (None, ActivityStatus.DRAFT, written, organiser),
        (ActivityStatus.DRAFT, ActivityStatus.SUBMITTED, submitted, organiser),
        (ActivityStatus.SUBMITTED, ActivityStatus.ACCEPTED, reviewed, reviewer),
    ]
    session.add(activity)
    session.add_all(
        ActivityTransition(
            activity_id=activity.id,
            from_status=before,
            to_status=after,
            actor_id=actor.id,
            occurred_at=when,
        )
        for before, after, when, actor in steps
    )
    session.add_all(
        ActivityParticipant(
            activity_id=activity.id,
            person_id=people[key].id,
            role=role,
            created_at=written,
            updated_at=written,
        )
        for key, role in spec.people
    )


def _contribution(commit: Commit, person: Person) -> CodeContribution:
    handle = person.github_handle or commit.person
    when = _at(commit.day, 8)
    return CodeContribution(
        person_id=person.id,
        github_handle=handle,
        repository=REPOSITORY,
        kind=ContributionKind.PULL_REQUEST,
        url=f"https://github.com/{REPOSITORY}/pull/{commit.number}",
        occurred_at=when,
        created_at=when,
        updated_at=when,
    )
