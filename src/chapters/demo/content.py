"""Writing a tenant's people, committee, chapters and membership history (``TenantContent``).

Chapters, memberships, status changes and invitations go through the services, each audited
as its mutation: the tenant's admin creates the chapters and replays the memberships and
status changes, ``at=`` backdating each to its day; a chapter's lead sends its invitations.
The committee and its seats are the one part written as rows. After each step the ``Clock``
dates what it wrote (``chapters.demo.replay``).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.auth.principal import Principal
from chapters.demo.records import (
    SEGMENTS,
    Change,
    CommitteeSpec,
    EmailInvitation,
    StatusChange,
    TenantContent,
)
from chapters.demo.replay import Clock, as_mutation, at_ten
from chapters.local_chapters.service import ChapterFields, change_status, create_chapter
from chapters.memberships.service import appoint_lead, change_role, invite_by_email, join, remove
from chapters.models import (
    Base,
    ChapterMembership,
    ChapterRole,
    ChapterStatus,
    Committee,
    CommitteeSeat,
    MembershipStatus,
    Person,
)
from chapters.people.admin import ensure_person
from chapters.people.service import load_principal


async def ensure_people(session: AsyncSession, content: TenantContent) -> dict[str, Person]:
    """Fills the profiles only here, on the first run, so later edits in the demo survive."""
    people = {}
    for profile in content.people:
        person = await ensure_person(
            session, email=content.email(profile.key), display_name=profile.name
        )
        person.display_name = profile.name
        person.github_handle = profile.github
        person.city = profile.city
        person.company = profile.company
        person.segments = [SEGMENTS[key].value for key in profile.segments.split()]
        person.tags = profile.tags.split()
        person.public_profile = profile.key in content.public_profiles
        people[profile.key] = person
    await session.flush()
    return people


async def ensure_committee(
    session: AsyncSession, spec: CommitteeSpec | None, people: dict[str, Person]
) -> uuid.UUID | None:
    """The committee and its seats as rows, once per name (not through the committees
    service, so without audit entries)."""
    if spec is None:
        return None
    committee = await session.scalar(select(Committee).where(Committee.name == spec.name))
    if committee is not None:
        return committee.id
    committee = Committee(name=spec.name, kind=spec.kind, description=spec.description)
    session.add(committee)
    await session.flush()
    for seat in spec.seats:
        session.add(
            CommitteeSeat(
                committee_id=committee.id,
                person_id=people[seat.person].id,
                role=seat.role,
                starts_on=date.fromisoformat(seat.starts_on),
                ends_on=date.fromisoformat(seat.ends_on) if seat.ends_on else None,
            )
        )
    await session.flush()
    return committee.id


async def create_chapters(
    session: AsyncSession,
    principal: Principal,
    content: TenantContent,
    committee_id: uuid.UUID | None,
    timezone: ZoneInfo,
    clock: Clock,
) -> dict[str, uuid.UUID]:
    """Chapters start active on their founding day; a later status is a change with a reason."""
    ids: dict[str, uuid.UUID] = {}
    for spec in content.chapters:
        fields = ChapterFields(
            name=spec.name,
            slug=spec.slug,
            city=spec.city,
            region=spec.region,
            country=content.country,
            timezone=timezone.key,
            description=spec.description,
            founded_on=date.fromisoformat(spec.founded),
            contact_links=[
                {"kind": "website", "url": f"https://{content.domain}/chapters/{spec.slug}"},
                {"kind": "email", "url": f"mailto:{spec.slug}@{content.domain}"},
            ],
            parent_id=ids[spec.parent] if spec.parent else None,
            committee_id=committee_id,
        )
        when = at_ten(spec.founded, timezone)
        with as_mutation(session, "chapterCreate", principal):
            chapter = await create_chapter(
                session, principal, fields, status=ChapterStatus.ACTIVE, at=when
            )
        await clock.stamp(when)
        ids[spec.slug] = chapter.id
    return ids


async def replay_history(
    session: AsyncSession,
    principal: Principal,
    history: list[Change],
    chapters: dict[str, uuid.UUID],
    people: dict[str, Person],
    timezone: ZoneInfo,
    clock: Clock,
) -> None:
    """Applies the changes in date order, each a service call dated by ``at=``: a membership's
    periods only line up if its changes arrive in the order they happened."""
    memberships: dict[tuple[str, str], ChapterMembership] = {}
    for change in sorted(history, key=lambda c: c.on):
        when = at_ten(change.on, timezone)
        action = _membership_action(change, memberships.get((change.chapter, change.person)))
        with as_mutation(session, action, principal):
            await _apply_change(session, principal, change, when, chapters, people, memberships)
        await clock.stamp(when)


def _membership_action(change: Change, current: ChapterMembership | None) -> str:
    """The mutation a person of the tenant would have called for this change."""
    if change.becomes == MembershipStatus.LEFT:
        return "membershipRemove"
    if change.becomes == ChapterRole.LEAD:
        return "chapterAppointLead"
    if current is None or current.status == MembershipStatus.LEFT:
        return "membershipAdd"
    return "membershipChangeRole"


async def _apply_change(
    session: AsyncSession,
    principal: Principal,
    change: Change,
    when: datetime,
    chapters: dict[str, uuid.UUID],
    people: dict[str, Person],
    memberships: dict[tuple[str, str], ChapterMembership],
) -> None:
    chapter_id, person_id = chapters[change.chapter], people[change.person].id
    key = (change.chapter, change.person)
    current = memberships.get(key)
    role = change.becomes
    if role is MembershipStatus.LEFT:
        if current is None:
            raise ValueError(f"{change}: {change.person} is no member of {change.chapter}")
        await remove(session, principal, current.id, reason=change.reason, at=when)
    elif role == ChapterRole.LEAD:
        memberships[key] = await appoint_lead(
            session, principal, chapter_id, person_id, reason=change.reason, at=when
        )
    elif current is None or current.status == MembershipStatus.LEFT:
        memberships[key] = await join(
            session,
            principal,
            chapter_id,
            person_id,
            role=role,
            invite=False,
            reason=change.reason,
            at=when,
        )
    else:
        await change_role(session, principal, current.id, role, reason=change.reason, at=when)


async def change_statuses(
    session: AsyncSession,
    principal: Principal,
    changes: list[StatusChange],
    chapters: dict[str, uuid.UUID],
    timezone: ZoneInfo,
    clock: Clock,
) -> None:
    for change in changes:
        when = at_ten(change.on, timezone)
        with as_mutation(session, "chapterChangeStatus", principal):
            await change_status(
                session, principal, chapters[change.chapter], change.status, change.reason, at=when
            )
        await clock.stamp(when)


async def invite(
    session: AsyncSession,
    invitations: list[EmailInvitation],
    chapters: dict[str, uuid.UUID],
    people: dict[str, Person],
) -> None:
    """Each invitation sent by its lead; they are pending, so they are not dated."""
    for invitation in invitations:
        lead = await load_principal(session, people[invitation.lead])
        with as_mutation(session, "membershipInviteByEmail", lead):
            await invite_by_email(
                session,
                lead,
                chapters[invitation.chapter],
                invitation.email,
                display_name=invitation.display_name,
            )


def first_day(content: TenantContent) -> str:
    return min(spec.founded for spec in content.chapters)


async def date_people(
    session: AsyncSession, content: TenantContent, people: dict[str, Person], timezone: ZoneInfo
) -> None:
    """A person's profile dates from their first membership or committee seat (the staff's,
    and anyone else's, from before the first chapter)."""
    first: dict[str, str] = {}
    seats = content.committee.seats if content.committee else []
    for key, day in [(c.person, c.on) for c in content.history] + [
        (seat.person, seat.starts_on) for seat in seats
    ]:
        first[key] = min(day, first.get(key, day))
    table = Base.metadata.tables[Person.__tablename__]
    for key, day in first.items():
        when = at_ten(day, timezone) - timedelta(hours=1)
        await session.execute(
            update(table)
            .where(table.c.tenant_id == people[key].tenant_id, table.c.id == people[key].id)
            .values(created_at=when, updated_at=when)
        )
