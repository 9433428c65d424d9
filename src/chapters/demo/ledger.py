"""Writing a tenant's activity ledger (``Ledger``): its organisations, its mentoring program
and projects, and its activities, each replayed through the services as it happened.

The tenant's admin enters the organisations and the program; an activity is created by the
lead of its chapter (the admin, for a chapter without one), who submits, answers, fixes,
cancels, recaps or reschedules it, while central ops review and reopen it; each step is
audited under its mutation's name and dated by the ``Clock`` at its time in the activity's
story (``_story``). Works on a tenant seeded before the ledger existed: people and chapters
are looked up.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters import authz
from chapters.activities import lifecycle, recaps, schedule
from chapters.activities.service import (
    ActivityFields,
    LinkEntry,
    OrganisationEntry,
    ParticipantEntry,
    create_activity,
    update_activity,
)
from chapters.auth.principal import Principal
from chapters.authz import Action
from chapters.changes import UNSET
from chapters.demo.data import ADMIN_KEY
from chapters.demo.records import (
    ActivitySpec,
    Fix,
    Guest,
    Ledger,
    OrganisationSpec,
    ProgramSpec,
    ProjectSpec,
    Recap,
    TenantContent,
    Who,
)
from chapters.demo.replay import Clock, as_mutation, count, day_at, on_clock
from chapters.mentoring import service as mentoring
from chapters.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    Chapter,
    ChapterMembership,
    ChapterRole,
    LinkKind,
    MembershipStatus,
    MentoringProgram,
    MentoringProject,
    Organisation,
    OrganisationRole,
    ParticipantRole,
    Person,
    ProjectStatus,
    RelationshipKind,
    RelationshipStatus,
)
from chapters.organisations import service as organisations
from chapters.people.admin import ensure_person
from chapters.people.service import load_principal

T = TypeVar("T")

PROJECT_STEPS = {
    ProjectStatus.PROPOSED: (),
    ProjectStatus.ACCEPTED: (ProjectStatus.ACCEPTED,),
    ProjectStatus.IN_PROGRESS: (ProjectStatus.ACCEPTED, ProjectStatus.IN_PROGRESS),
    ProjectStatus.COMPLETED: (
        ProjectStatus.ACCEPTED,
        ProjectStatus.IN_PROGRESS,
        ProjectStatus.COMPLETED,
    ),
    ProjectStatus.FAILED: (ProjectStatus.ACCEPTED, ProjectStatus.IN_PROGRESS, ProjectStatus.FAILED),
}
# When a project reached each status, counted from the first day of coding.
PROJECT_STEP_DAYS = {
    ProjectStatus.ACCEPTED: timedelta(days=-7),
    ProjectStatus.IN_PROGRESS: timedelta(days=0),
    ProjectStatus.FAILED: timedelta(days=45),  # a withdrawal in August
    ProjectStatus.COMPLETED: timedelta(days=105),  # finished in October
}
# What each step of an activity's story is, as a mutation of the API.
STEP_MUTATIONS = {
    "create": "activityCreate",
    "submit": "activitySubmit",
    "accept": "activityReview",
    "changes": "activityReview",
    "reply": "activityComment",
    "fix": "activitySubmit",
    "cancel": "activityCancel",
    "recap": "activityPublishRecap",
    "republish": "activityPublishRecap",
    "reopen": "activityReopen",
    "reschedule": "activityReschedule",
}
# Where each kind of link lives: https://<host>.<tenant's domain>/<activity key>
LINK_HOSTS = {
    LinkKind.REGISTRATION: "events",
    LinkKind.RECORDING: "video",
    LinkKind.SLIDES: "slides",
    LinkKind.ARTICLE: "blog",
    LinkKind.EPISODE: "podcast",
    LinkKind.PHOTOS: "photos",
}


@dataclass
class _Refs:
    """What the ledger's tables name by key, and who acts: the admin, leads, the reviewer."""

    session: AsyncSession
    domain: str
    people: dict[str, Person]
    chapters: dict[str, uuid.UUID]
    admin: Principal
    clock: Clock
    organisations: dict[str, uuid.UUID] = field(default_factory=dict)
    projects: dict[str, uuid.UUID] = field(default_factory=dict)
    principals: dict[uuid.UUID, Principal] = field(default_factory=dict)

    async def principal(self, person: Person) -> Principal:
        if person.id not in self.principals:
            self.principals[person.id] = await load_principal(self.session, person)
        return self.principals[person.id]

    async def organiser(self, chapter_id: uuid.UUID) -> Principal:
        """The chapter's lead, who writes up its activities (the admin, if it has none)."""
        lead = await self.session.scalar(
            select(Person)
            .join(ChapterMembership, ChapterMembership.person_id == Person.id)
            .where(
                ChapterMembership.chapter_id == chapter_id,
                ChapterMembership.role == ChapterRole.LEAD,
                ChapterMembership.status == MembershipStatus.ACTIVE,
            )
            .limit(1)
        )
        if lead is not None:
            principal = await self.principal(lead)
            if authz.can(principal, Action.ACTIVITY_CREATE, chapter_id=chapter_id):
                return principal
        return self.admin

    async def timezone(self, chapter: str) -> ZoneInfo:
        """The chapter's clock: the ledger gives an activity's times on it."""
        statement = select(Chapter.timezone).where(Chapter.id == self.chapters[chapter])
        return ZoneInfo((await self.session.execute(statement)).scalar_one())

    def links(self, key: str, kinds: str) -> list[LinkEntry]:
        return [
            LinkEntry(
                kind=LinkKind(kind),
                url=f"https://{LINK_HOSTS[LinkKind(kind)]}.{self.domain}/{key}",
                title=kind.capitalize(),
            )
            for kind in kinds.split()
        ]

    def participant(self, who: Who | Guest) -> ParticipantEntry:
        if isinstance(who, Guest):
            return ParticipantEntry(
                role=ParticipantRole(who.role),
                external_name=who.name,
                external_affiliation=who.affiliation,
                topic=who.topic,
            )
        person_id = self.people[who.person].id
        return ParticipantEntry(
            role=ParticipantRole(who.role), person_id=person_id, topic=who.topic
        )

    def organisation(self, pair: str) -> OrganisationEntry:
        key, role = pair.split(":")
        return OrganisationEntry(
            organisation_id=self.organisations[key], role=OrganisationRole(role)
        )


async def seed_ledger(
    session: AsyncSession, content: TenantContent, ledger: Ledger, clock: Clock
) -> str:
    """Organisations, the mentoring program and the activities; return a summary line. Works
    on a tenant seeded before the ledger existed: people and chapters are looked up."""
    people = {}
    for profile in content.people:  # creates, by name only, any profile added since
        email = content.email(profile.key)
        people[profile.key] = await ensure_person(session, email=email, display_name=profile.name)
    chapters = dict((await session.execute(select(Chapter.slug, Chapter.id))).all())
    admin = await load_principal(session, people[ADMIN_KEY])
    refs = _Refs(session, content.domain, people, chapters, admin, clock)
    refs.organisations = await _ensure_organisations(refs, ledger.organisations)
    refs.projects = await _ensure_program(refs, ledger.program, ledger.projects)
    reviewer = await refs.principal(people[ledger.reviewer])
    for index, spec in enumerate(ledger.activities):
        await _replay_activity(refs, spec, reviewer, index)
    waiting = await session.scalar(
        select(func.count())
        .select_from(Activity)
        .where(Activity.status == ActivityStatus.SUBMITTED)
    )
    return (
        f"{count(len(refs.organisations), 'organisation')}, "
        f"{count(len(refs.projects), 'mentoring project')}, "
        f"{len(ledger.activities)} activities ({waiting} awaiting review)"
    )


async def _ensure_organisations(refs: _Refs, specs: list[OrganisationSpec]) -> dict[str, uuid.UUID]:
    """Each organisation once by name (the registry's unique key): one already there, say
    entered through the API, is used as it is."""
    ids: dict[str, uuid.UUID] = {}
    for spec in specs:
        existing = await refs.session.scalar(
            select(Organisation.id).where(func.lower(Organisation.name) == spec.name.lower())
        )
        if existing is not None:
            ids[spec.key] = existing
            continue
        fields = organisations.OrganisationFields(
            name=spec.name, kind=spec.kind, website=spec.website, notes=spec.notes
        )
        organisation = await organisations.create_organisation(refs.session, refs.admin, fields)
        for rel in spec.relationships:
            relationship = organisations.RelationshipFields(
                kind=RelationshipKind(rel.kind),
                status=RelationshipStatus(rel.status),
                starts_on=date.fromisoformat(rel.starts_on),
                notes=rel.notes,
            )
            await organisations.add_relationship(
                refs.session, refs.admin, organisation.id, relationship
            )
        if spec.contact is not None:
            contact = organisations.ContactFields(
                name=spec.contact.name, email=spec.contact.email, title=spec.contact.title
            )
            await organisations.add_contact(refs.session, refs.admin, organisation.id, contact)
        for slug in spec.chapters.split():
            await organisations.link_chapter(
                refs.session, refs.admin, refs.chapters[slug], organisation.id
            )
        ids[spec.key] = organisation.id
        first = min(date.fromisoformat(rel.starts_on) for rel in spec.relationships)
        await refs.clock.stamp(day_at(first - timedelta(days=14), 11))
    return ids


async def _ensure_program(
    refs: _Refs, spec: ProgramSpec, projects: list[ProjectSpec]
) -> dict[str, uuid.UUID]:
    """The program once by name and year, each project once by title; a project walks its
    life to its status one step at a time, its outcome recorded with the last step."""
    session, admin = refs.session, refs.admin
    program = await session.scalar(
        select(MentoringProgram).where(
            MentoringProgram.name == spec.name, MentoringProgram.year == spec.year
        )
    )
    if program is None:
        program_fields = mentoring.ProgramFields(
            name=spec.name,
            year=spec.year,
            description=spec.description,
            applications_open_on=date.fromisoformat(spec.applications[0]),
            applications_close_on=date.fromisoformat(spec.applications[1]),
            coding_starts_on=date.fromisoformat(spec.coding[0]),
            coding_ends_on=date.fromisoformat(spec.coding[1]),
        )
        program = await mentoring.create_program(session, admin, program_fields)
        opens = date.fromisoformat(spec.applications[0])
        await refs.clock.stamp(day_at(opens - timedelta(days=30), 11))
    existing = await session.execute(
        select(MentoringProject.title, MentoringProject.id).where(
            MentoringProject.program_id == program.id
        )
    )
    titles = dict(existing.all())
    ids: dict[str, uuid.UUID] = {}
    for project in projects:
        if project.title in titles:
            ids[project.key] = titles[project.title]
            continue
        project_fields = mentoring.ProjectFields(
            title=project.title,
            repository_url=project.repository,
            chapter_id=refs.chapters[project.chapter],
        )
        created = await mentoring.create_project(
            session,
            admin,
            program.id,
            project_fields,
            mentor_ids=[refs.people[key].id for key in project.mentors.split()],
            mentee_ids=[refs.people[key].id for key in project.mentees.split()],
        )
        closes, coding = (date.fromisoformat(day) for day in (spec.applications[1], spec.coding[0]))
        await refs.clock.stamp(day_at(closes + timedelta(days=3), 15))
        steps = PROJECT_STEPS[project.status]
        for status in steps:
            last = status == steps[-1]
            outcome = project.outcome if last and project.outcome else mentoring.UNSET
            await mentoring.set_status(session, admin, created.id, status, outcome=outcome)
            await refs.clock.stamp(day_at(coding + PROJECT_STEP_DAYS[status], 16))
        ids[project.key] = created.id
    return ids


async def _replay_activity(
    refs: _Refs, spec: ActivitySpec, reviewer: Principal, index: int
) -> None:
    """Create the activity as its chapter's lead, then take its steps in order, each at its
    time in the activity's story (``_story``)."""
    session = refs.session
    chapter_id = refs.chapters[spec.chapter]
    author = await refs.organiser(chapter_id)
    starts = on_clock(spec.starts, await refs.timezone(spec.chapter))
    ends = None if spec.hours is None else starts + timedelta(hours=spec.hours)
    fields = ActivityFields(
        chapter_id=chapter_id,
        kind=ActivityKind(spec.kind),
        title=spec.title,
        starts_at=starts,
        ends_at=ends,
        venue=spec.venue,
        online_url=spec.online,
        language=spec.language,
        expected_attendance=spec.expected,
        tags=spec.tags.split(),
        mentoring_project_id=refs.projects[spec.project] if spec.project else None,
        co_host_chapter_ids=[refs.chapters[slug] for slug in spec.co_hosts.split()],
        organisations=[refs.organisation(pair) for pair in spec.organisations.split()],
        participants=[refs.participant(who) for who in spec.people],
        links=refs.links(spec.key, spec.links),
    )
    story = _story(spec, starts, ends or starts, index, refs.clock.limit)
    with as_mutation(session, STEP_MUTATIONS["create"], author):
        activity_id = (await create_activity(session, author, fields)).id
    await refs.clock.stamp(story[0])
    for step, when in zip(spec.steps.split(), story[1:], strict=True):
        actor = reviewer if step in ("accept", "changes", "reopen") else author
        with as_mutation(session, STEP_MUTATIONS[step], actor):
            await _take_step(refs, spec, step, activity_id, author, reviewer)
        await refs.clock.stamp(when)


async def _take_step(
    refs: _Refs,
    spec: ActivitySpec,
    step: str,
    activity_id: uuid.UUID,
    author: Principal,
    reviewer: Principal,
) -> None:
    session = refs.session
    if step == "submit":
        await lifecycle.submit(session, author, activity_id)
    elif step == "accept":
        await lifecycle.review(session, reviewer, activity_id, lifecycle.Step.ACCEPT)
    elif step == "changes":
        decision = lifecycle.Step.REQUEST_CHANGES
        await lifecycle.review(session, reviewer, activity_id, decision, spec.review)
    elif step == "reply":
        await lifecycle.add_comment(session, author, activity_id, _needs(spec.reply, spec, step))
    elif step == "fix":
        fix = _needs(spec.fix, spec, step)
        await update_activity(session, author, activity_id, _fixed_fields(refs, spec, fix))
        await lifecycle.submit(session, author, activity_id, fix.note)
    elif step == "cancel":
        await lifecycle.cancel(session, author, activity_id, _needs(spec.cancel, spec, step))
    elif step == "recap":
        recap = _recap(refs, spec, _needs(spec.recap, spec, step))
        await lifecycle.publish_recap(session, author, activity_id, recap)
    elif step == "republish":
        again = _needs(spec.republish, spec, step)
        recap = _recap(refs, spec, again.recap)
        await lifecycle.publish_recap(session, author, activity_id, recap, again.note)
    elif step == "reopen":
        await lifecycle.reopen(session, reviewer, activity_id, _needs(spec.reopen, spec, step))
    elif step == "reschedule":
        moved = _needs(spec.reschedule, spec, step)
        starts = on_clock(moved.starts, await refs.timezone(spec.chapter))
        await schedule.reschedule(
            session, author, activity_id, starts_at=starts, reason=moved.reason
        )
    else:
        raise ValueError(f"{spec.key}: unknown step {step!r}")


def _needs(value: T | None, spec: ActivitySpec, step: str) -> T:
    """What the step takes from the activity's spec (``fix`` for the step "fix" …)."""
    if value is None:
        raise ValueError(f"{spec.key}: the step {step!r} needs its details in the spec")
    return value


def _recap(refs: _Refs, spec: ActivitySpec, given: Recap) -> recaps.RecapContent:
    """The recap's figure is people present for events, reach for content (reads, listens)."""
    figures = recaps.FIGURES[ActivityKind(spec.kind)]
    count = given.attendance
    reach = None
    if not figures.attendance:
        reach = recaps.Reach(count=count, unit=min(figures.reach_units))
    return recaps.RecapContent(
        summary=given.summary,
        attendance=count if figures.attendance else None,
        reach=reach,
        links=refs.links(spec.key, given.links),
    )


def _fixed_fields(refs: _Refs, spec: ActivitySpec, fix: Fix) -> ActivityFields:
    """The fields ``fix`` changes; the others are left as they are."""
    return ActivityFields(
        venue=UNSET if fix.venue is None else fix.venue,
        expected_attendance=UNSET if fix.expected is None else fix.expected,
        links=refs.links(spec.key, fix.links) if fix.links else UNSET,
    )


def _story(
    spec: ActivitySpec, starts: datetime, ends: datetime, index: int, limit: datetime
) -> list[datetime]:
    """When the activity was written up and when each of its steps was taken: written up four
    to six weeks before it starts, submitted a few days later, reviewed within days, answered
    or fixed a day or two after a review, cancelled the day before (or, a draft, a week
    later), recapped a few days after it ended; reopened, rescheduled or recapped again a few
    days after the step before. ``index`` (its place in the ledger) spreads
    the days and hours, so no two activities share a moment. A story that would reach past
    ``limit`` is told, in the same order, in the days just before it."""
    offset = timedelta(hours=index % 5, minutes=(index * 17) % 60)
    day = starts.replace(hour=9, minute=0, second=0, microsecond=0) + offset
    times = [day - timedelta(days=28 + (index * 5) % 17)]
    steps = spec.steps.split()
    for step in steps:
        previous = times[-1]
        if step == "submit":
            at = previous + timedelta(days=2 + index % 4, hours=3)
        elif step in ("accept", "changes"):
            at = previous + timedelta(days=1 + index % 3, hours=1)
        elif step in ("reply", "fix"):
            at = previous + timedelta(days=1 + (step == "fix"), hours=2)
        elif step == "cancel" and "submit" in steps:
            at = day - timedelta(days=1) + timedelta(hours=9)
        elif step == "cancel":
            at = previous + timedelta(days=7)
        elif step in ("reopen", "reschedule", "republish"):
            at = previous + timedelta(days=2 + index % 3, hours=4)
        else:  # recap
            at = ends + timedelta(days=1 + index % 5, hours=2)
        times.append(max(at, previous + timedelta(hours=1)))
    if times[-1] < limit:
        return times
    begin = min(times[0], limit - timedelta(days=5 + index % 7, hours=index % 5))
    gap = (limit - begin) / len(times)
    return [begin + gap * number for number in range(len(times))]
