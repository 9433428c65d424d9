"""A community's past, written row by row with the dates it happened on (the services stamp
"now"; the figures are about months and quarters gone by). Written through a tenant-bound
owner session, so row-level security and the composite foreign keys check every row."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from chapters.db.session import open_tenant_session, tenant_sessionmaker
from chapters.models import (
    Activity,
    ActivityCoHost,
    ActivityKind,
    ActivityParticipant,
    ActivityStatus,
    Chapter,
    ChapterMembership,
    ChapterMembershipPeriod,
    ChapterRole,
    ChapterStatus,
    CodeContribution,
    CommitteeSeat,
    ContributionKind,
    MembershipStatus,
    ParticipantRole,
    Person,
)


def at(day: str) -> datetime:
    """Noon UTC of an ISO day: clear of every period's edge."""
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), tzinfo=UTC).replace(
        hour=12
    )


class History:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.people: dict[str, Person] = {}
        self.chapters: dict[str, Chapter] = {}
        self.tenant: Any = None  # the tests' TenantFixture, once written
        self.token: Any = None  # name → a bearer token of that person

    async def add(self, *rows: Any) -> None:
        self.session.add_all(rows)
        await self.session.flush()

    async def chapter(self, name: str, created: str) -> Chapter:
        chapter = Chapter(
            name=name,
            slug=name.lower(),
            timezone="UTC",
            status=ChapterStatus.ACTIVE,
            created_at=at(created),
        )
        await self.add(chapter)
        self.chapters[name] = chapter
        return chapter

    async def person(self, name: str, *, public: bool = False, handle: str | None = None) -> Person:
        person = Person(
            email=f"{name}@history.example",
            display_name=name.title(),
            public_profile=public,
            github_handle=handle,
        )
        await self.add(person)
        self.people[name] = person
        return person

    async def member(
        self,
        name: str,
        chapter: str,
        joined: str,
        *,
        left: str | None = None,
        role: ChapterRole = ChapterRole.MEMBER,
    ) -> None:
        """A membership from ``joined`` (in ``role``), ended by leaving on ``left``."""
        person, place = self.people[name], self.chapters[chapter]
        membership = ChapterMembership(
            chapter_id=place.id,
            person_id=person.id,
            role=role,
            status=MembershipStatus.LEFT if left else MembershipStatus.ACTIVE,
            joined_at=at(joined),
            left_at=at(left) if left else None,
            first_joined_at=at(joined),
        )
        await self.add(membership)
        periods = [(role, MembershipStatus.ACTIVE, joined, left)]
        if left:
            periods.append((role, MembershipStatus.LEFT, left, None))
        await self.add(
            *(
                ChapterMembershipPeriod(
                    membership_id=membership.id,
                    chapter_id=place.id,
                    person_id=person.id,
                    role=period_role,
                    status=status,
                    started_at=at(start),
                    ended_at=at(end) if end else None,
                )
                for period_role, status, start, end in periods
            )
        )

    async def activity(
        self,
        chapter: str,
        day: str,
        *,
        status: ActivityStatus = ActivityStatus.ACCEPTED,
        kind: ActivityKind = ActivityKind.OFFLINE_MEETUP,
        people: dict[str, ParticipantRole] | None = None,
        recap: bool = False,
        attendance: int | None = None,
        co_hosts: tuple[str, ...] = (),
    ) -> Activity:
        activity = Activity(
            chapter_id=self.chapters[chapter].id,
            kind=kind,
            status=status,
            title=f"{chapter} {kind.value} {day}",
            starts_at=at(day),
            timezone="UTC",
            actual_attendance=attendance,
            recap_published_at=at(day) if recap else None,
            recap_summary="Thanks all" if recap else None,
        )
        await self.add(activity)
        await self.add(
            *(
                ActivityParticipant(
                    activity_id=activity.id, person_id=self.people[name].id, role=role
                )
                for name, role in (people or {}).items()
            ),
            *(
                ActivityCoHost(activity_id=activity.id, chapter_id=self.chapters[c].id)
                for c in co_hosts
            ),
        )
        return activity

    async def code(self, name: str, day: str, repository: str = "example/project") -> None:
        person = self.people[name]
        await self.add(
            CodeContribution(
                person_id=person.id,
                github_handle=person.github_handle or name,
                repository=repository,
                kind=ContributionKind.PULL_REQUEST,
                url=f"https://github.com/{repository}/pull/{uuid.uuid4().int % 100000}",
                occurred_at=at(day),
            )
        )

    async def seat(self, name: str, committee_id: uuid.UUID, starts: str, ends: str | None) -> None:
        await self.add(
            CommitteeSeat(
                committee_id=committee_id,
                person_id=self.people[name].id,
                role="member",
                starts_on=date.fromisoformat(starts),
                ends_on=date.fromisoformat(ends) if ends else None,
            )
        )


async def write_history(owner_engine: AsyncEngine, tenant_id: uuid.UUID, story) -> History:
    """Run ``story(history)`` in one committed transaction of the tenant."""
    sessionmaker = tenant_sessionmaker(owner_engine)
    async with open_tenant_session(sessionmaker, tenant_id) as session, session.begin():
        history = History(session)
        await story(history)
        return history
