from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, TypeAlias

import strawberry
from strawberry import relay

from chapters import models as m
from chapters.activities import lifecycle, participants, queries, recaps
from chapters.activities.lifecycle import Abilities
from chapters.activities.queries import HistoryEntry
from chapters.activities.service import LinkEntry
from chapters.api.connections import connection
from chapters.api.errors import UserError
from chapters.api.ids import LoadedNode, global_id
from chapters.committees.types import CommitteeType, load_committee
from chapters.db.pagination import PageArgs
from chapters.local_chapters.types import ChapterType, load_chapter
from chapters.models import (
    ActivityKind,
    ActivityRecapVersion,
    ActivityScheduleChange,
    ActivityStatus,
    ActivityTransition,
    LinkKind,
    OrganisationRole,
    ParticipantRole,
    ReachUnit,
)
from chapters.people.types import PersonType, load_person
from chapters.times import local_iso

if TYPE_CHECKING:
    from chapters.channels.types import PublicationType
    from chapters.models import RegistrationStatus
    from chapters.registrations.types import ActivityRegistrationType, RegistrationConnection

strawberry.enum(ActivityKind, name="ActivityKind")
strawberry.enum(ActivityStatus, name="ActivityStatus")
strawberry.enum(LinkKind, name="ActivityLinkKind")
strawberry.enum(ParticipantRole, name="ActivityParticipantRole")
strawberry.enum(OrganisationRole, name="ActivityOrganisationRole")
strawberry.enum(ReachUnit, name="ActivityReachUnit")
ActivityKindType: TypeAlias = ActivityKind
ActivityStatusType: TypeAlias = ActivityStatus
LinkKindType: TypeAlias = LinkKind
ParticipantRoleType: TypeAlias = ParticipantRole
OrganisationRoleType: TypeAlias = OrganisationRole
ReachUnitType: TypeAlias = ReachUnit


@strawberry.type(name="ActivityLink", description="A recording, slides, an article …")
class ActivityLinkType:
    kind: LinkKindType
    url: str
    title: str | None

    @classmethod
    def from_entry(cls, link: LinkEntry) -> ActivityLinkType:
        return cls(kind=link.kind, url=link.url, title=link.title)


@strawberry.type(
    name="ActivityReach",
    description="How many read, watched or listened to a piece of content (not people present).",
)
class ActivityReachType:
    count: int
    unit: ReachUnitType

    @classmethod
    def of(cls, count: int | None, unit: ReachUnit | None) -> ActivityReachType | None:
        return None if count is None or unit is None else cls(count=count, unit=unit)


@strawberry.type(
    name="ActivityRecapVersion",
    description="One published version of a recap, kept when a later one replaces it.",
)
class ActivityRecapVersionType:
    number: int = strawberry.field(description="1 for the first publication, then 2, 3 …")
    summary: str
    attendance: int | None = strawberry.field(description="People present (events).")
    reach: ActivityReachType | None = strawberry.field(
        description="Reads, views or listens (content)."
    )
    links: list[ActivityLinkType] = strawberry.field(
        description="The recap's recordings, slides, articles, episodes and photos."
    )
    published_at: datetime
    note: str | None = strawberry.field(
        description="Why it replaced the previous version. Null for callers who may not read "
        "the review thread."
    )
    published_by_id: strawberry.Private[uuid.UUID | None]

    @classmethod
    def from_entry(cls, entry: HistoryEntry[ActivityRecapVersion]) -> ActivityRecapVersionType:
        v = entry.row
        return cls(
            number=v.number,
            summary=v.summary,
            attendance=v.attendance,
            reach=ActivityReachType.of(v.reach, v.reach_unit),
            links=[ActivityLinkType.from_entry(link) for link in recaps.link_entries(v.links)],
            published_at=v.published_at,
            note=entry.text,
            published_by_id=v.published_by_id,
        )

    @strawberry.field
    async def published_by(self, info: strawberry.Info) -> PersonType | None:
        return await load_person(info, self.published_by_id)


# Strawberry types Connection for Node types; these lists page plain objects, which its
# runtime (and the schema) accept.
@strawberry.type(name="ActivityRecapVersionConnection")
class ActivityRecapVersionConnection(
    relay.Connection[ActivityRecapVersionType]  # type: ignore[type-var]
):
    pass


@strawberry.type(
    name="ActivityScheduleChange",
    description="The activity moved to new dates after it was drafted: from which, to which, "
    "who and why.",
)
class ActivityScheduleChangeType:
    from_starts_at: datetime
    from_ends_at: datetime | None
    to_starts_at: datetime
    to_ends_at: datetime | None
    occurred_at: datetime
    reason: str | None = strawberry.field(
        description="Null for callers who may not read the review thread."
    )
    actor_id: strawberry.Private[uuid.UUID | None]

    @classmethod
    def from_entry(cls, entry: HistoryEntry[ActivityScheduleChange]) -> ActivityScheduleChangeType:
        change = entry.row
        return cls(
            from_starts_at=change.from_starts_at,
            from_ends_at=change.from_ends_at,
            to_starts_at=change.to_starts_at,
            to_ends_at=change.to_ends_at,
            occurred_at=change.occurred_at,
            reason=entry.text,
            actor_id=change.actor_id,
        )

    @strawberry.field
    async def actor(self, info: strawberry.Info) -> PersonType | None:
        return await load_person(info, self.actor_id)


@strawberry.type(name="ActivityScheduleChangeConnection")
class ActivityScheduleChangeConnection(
    relay.Connection[ActivityScheduleChangeType]  # type: ignore[type-var]  # see above
):
    pass


@strawberry.type(
    name="ActivityOrganisation",
    description="An organisation taking part in an activity: co-host, sponsor, venue or partner.",
)
class ActivityOrganisationType:
    role: OrganisationRoleType
    organisation_id: strawberry.ID = strawberry.field(description="The organisation's global id.")
    name: str


@strawberry.type(
    name="ActivityParticipant",
    description="A person with a role on the activity, or an external speaker known by name.",
)
class ActivityParticipantType:
    id: strawberry.ID = strawberry.field(description="For activityRemoveParticipant.")
    role: ParticipantRoleType
    name: str = strawberry.field(
        description="The person's display name, or the external participant's name."
    )
    topic: str | None
    external_name: str | None = strawberry.field(description="When not a person of the tenant.")
    external_affiliation: str | None
    person_id: strawberry.Private[uuid.UUID | None]

    @classmethod
    def from_model(
        cls, p: m.ActivityParticipant, person_name: str | None
    ) -> ActivityParticipantType:
        return cls(
            id=strawberry.ID(global_id("ActivityParticipant", p.id)),
            role=p.role,
            name=person_name or p.external_name or "",
            topic=p.topic,
            external_name=p.external_name,
            external_affiliation=p.external_affiliation,
            person_id=p.person_id,
        )

    @strawberry.field(
        description="Null for external participants, and for callers who may not read "
        "people's profiles (anonymous callers, partners: they see the name only)."
    )
    async def person(self, info: strawberry.Info) -> PersonType | None:
        return await load_person(info, self.person_id)


@strawberry.type(name="ActivityTransition", description="One step of the review lifecycle.")
class ActivityTransitionType:
    from_status: ActivityStatusType | None = strawberry.field(description="Null at creation.")
    to_status: ActivityStatusType
    occurred_at: datetime
    comment: str | None = strawberry.field(
        description="Null for callers who may not read the review thread."
    )
    actor_id: strawberry.Private[uuid.UUID | None]

    @classmethod
    def from_entry(cls, entry: HistoryEntry[ActivityTransition]) -> ActivityTransitionType:
        step = entry.row
        return cls(
            from_status=step.from_status,
            to_status=step.to_status,
            occurred_at=step.occurred_at,
            comment=entry.text,
            actor_id=step.actor_id,
        )

    @strawberry.field
    async def actor(self, info: strawberry.Info) -> PersonType | None:
        return await load_person(info, self.actor_id)


@strawberry.type(name="ActivityComment", description="A message in an activity's review thread.")
class ActivityCommentType:
    id: strawberry.ID
    body: str
    created_at: datetime
    author_id: strawberry.Private[uuid.UUID | None]

    @classmethod
    def from_model(cls, comment: m.ActivityComment) -> ActivityCommentType:
        return cls(
            id=strawberry.ID(global_id("ActivityComment", comment.id)),
            body=comment.body,
            created_at=comment.created_at,
            author_id=comment.author_id,
        )

    @strawberry.field
    async def author(self, info: strawberry.Info) -> PersonType | None:
        return await load_person(info, self.author_id)


@strawberry.type(name="ActivityCommentConnection")
class ActivityCommentConnection(
    relay.Connection[ActivityCommentType]  # type: ignore[type-var]  # see ActivityRecapVersion…
):
    pass


@strawberry.type(
    name="ActivityViewerCan",
    description="What the caller may do with the activity now, by the policy and its status.",
)
class ActivityViewerCan:
    edit: bool
    submit: bool = strawberry.field(
        description="True exactly when submitting would succeed now: the caller may submit "
        "it and Activity.submissionProblems is empty."
    )
    review: bool
    cancel: bool
    publish_recap: bool
    comment: bool
    reopen: bool = strawberry.field(description="Send it back for changes (accepted, ops).")
    reschedule: bool = strawberry.field(description="Move it to new dates, with a reason.")

    @classmethod
    def of(cls, can: Abilities) -> ActivityViewerCan:
        return cls(
            edit=can.edit,
            submit=can.submit,
            review=can.review,
            cancel=can.cancel,
            publish_recap=can.publish_recap,
            comment=can.comment,
            reopen=can.reopen,
            reschedule=can.reschedule,
        )


@strawberry.type(
    name="Activity",
    description="An entry of the ledger: a meetup, a talk, an article, a mentoring session …",
)
class ActivityType(LoadedNode, relay.Node):
    id: relay.NodeID[str]
    kind: ActivityKindType
    status: ActivityStatusType
    title: str
    description: str | None
    starts_at: datetime = strawberry.field(description="In UTC; startsAtLocal on its clock.")
    ends_at: datetime | None = strawberry.field(description="In UTC; endsAtLocal on its clock.")
    timezone: str = strawberry.field(description="IANA timezone the activity is held in.")
    venue: str | None
    online_url: str | None
    language: str | None = strawberry.field(description="BCP 47 tag, e.g. zh-CN.")
    expected_attendance: int | None
    actual_attendance: int | None = strawberry.field(
        description="People present, as in the recap.",
        deprecation_reason="Use attendance (people present, events) or reach (reads, views, "
        "listens: content).",
    )
    attendance: int | None = strawberry.field(
        description="People present, as in the current recap (events)."
    )
    reach: ActivityReachType | None = strawberry.field(
        description="Reads, views or listens, as in the current recap (content)."
    )
    tags: list[str]
    mentoring_project_id: strawberry.ID | None = strawberry.field(
        description="The mentoring project's global id (mentoring activities only)."
    )
    submitted_at: datetime | None = strawberry.field(description="The latest submission.")
    reviewed_at: datetime | None = strawberry.field(description="The latest review decision.")
    recap_summary: str | None = strawberry.field(description="The current recap's summary.")
    recap_published_at: datetime | None = strawberry.field(
        description="When the recap was first published."
    )
    created_at: datetime
    updated_at: datetime
    row: strawberry.Private[m.Activity]

    @strawberry.field(
        description="startsAt on the activity's own clock: ISO 8601 with the UTC offset of its "
        "timezone at that moment, e.g. 2026-03-14T19:00:00+08:00."
    )
    def starts_at_local(self) -> str:
        return local_iso(self.row.starts_at, self.row.timezone) or ""

    @strawberry.field(description="endsAt on the activity's own clock, like startsAtLocal.")
    def ends_at_local(self) -> str | None:
        return local_iso(self.row.ends_at, self.row.timezone)

    @classmethod
    def from_model(cls, a: m.Activity) -> ActivityType:
        project = a.mentoring_project_id
        return cls(
            id=str(a.id),
            kind=a.kind,
            status=a.status,
            title=a.title,
            description=a.description,
            starts_at=a.starts_at,
            ends_at=a.ends_at,
            timezone=a.timezone,
            venue=a.venue,
            online_url=a.online_url,
            language=a.language,
            expected_attendance=a.expected_attendance,
            actual_attendance=a.actual_attendance,
            attendance=a.actual_attendance,
            reach=ActivityReachType.of(a.reach, a.reach_unit),
            tags=list(a.tags or []),
            mentoring_project_id=strawberry.ID(global_id("MentoringProject", project))
            if project
            else None,
            submitted_at=a.submitted_at,
            reviewed_at=a.reviewed_at,
            recap_summary=a.recap_summary,
            recap_published_at=a.recap_published_at,
            created_at=a.created_at,
            updated_at=a.updated_at,
            row=a,
        )

    @strawberry.field(description="The owning chapter; null for committee-level activities.")
    async def chapter(self, info: strawberry.Info) -> ChapterType | None:
        return await load_chapter(info, self.row.chapter_id)

    @strawberry.field(description="The committee it is held for, if any (signed-in callers).")
    async def committee(self, info: strawberry.Info) -> CommitteeType | None:
        return await load_committee(info, self.row.committee_id)

    @strawberry.field(description="Chapters co-hosting it; they get credit for it too.")
    async def co_hosts(self, info: strawberry.Info) -> list[ChapterType]:
        chapters = await queries.co_hosts(info.context, self.row)
        return [ChapterType.from_model(chapter) for chapter in chapters]

    @strawberry.field(
        description="By name. A partner's client sees only its own organisation here."
    )
    async def organisations(self, info: strawberry.Info) -> list[ActivityOrganisationType]:
        rows = await queries.organisations(info.context, self.row)
        return [
            ActivityOrganisationType(
                role=link.role,
                organisation_id=strawberry.ID(global_id("Organisation", link.organisation_id)),
                name=name,
            )
            for link, name in rows
        ]

    @strawberry.field(
        description="In the order they were given. Who took part is personal data: callers "
        "who may not see it (anonymous callers, partners' clients) get, on accepted "
        "activities, the speakers, hosts, organisers and authors who chose a public profile "
        "(Person.publicProfile) and the external ones, nobody else."
    )
    async def participants(self, info: strawberry.Info) -> list[ActivityParticipantType] | None:
        rows = await participants.participants_of(info.context, self.row)
        return [ActivityParticipantType.from_model(p, name) for p, name, _ in rows]

    @strawberry.field(
        description="Its links in the order they were given, then the current recap's links."
    )
    async def links(self, info: strawberry.Info) -> list[ActivityLinkType]:
        links = await recaps.links_of(info.context, self.row)
        return [ActivityLinkType.from_entry(link) for link in links]

    @strawberry.field(description="The current recap: its latest version (null before one).")
    async def recap(self, info: strawberry.Info) -> ActivityRecapVersionType | None:
        recap = await queries.current_recap(info.context, self.row)
        return None if recap is None else ActivityRecapVersionType.from_entry(recap)

    @strawberry.field(description="Every published version of the recap, the first first.")
    async def recap_history(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> ActivityRecapVersionConnection:
        args = PageArgs(first=first, after=after)
        page = await queries.recap_history(info.context, self.row, args)
        return connection(ActivityRecapVersionConnection, page, ActivityRecapVersionType.from_entry)

    @strawberry.field(description="Every move to new dates, oldest first.")
    async def schedule_changes(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> ActivityScheduleChangeConnection:
        args = PageArgs(first=first, after=after)
        page = await queries.schedule_changes(info.context, self.row, args)
        return connection(
            ActivityScheduleChangeConnection, page, ActivityScheduleChangeType.from_entry
        )

    @strawberry.field(description="Every status change, oldest first: who, when, and why.")
    async def transitions(self, info: strawberry.Info) -> list[ActivityTransitionType]:
        steps = await queries.transitions(info.context, self.row)
        return [ActivityTransitionType.from_entry(step) for step in steps]

    @strawberry.field(
        description="The review thread, oldest first. Null, with a FORBIDDEN error, for callers "
        "who may neither read unaccepted activities of its chapter nor comment."
    )
    async def comments(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> ActivityCommentConnection | None:
        args = PageArgs(first=first, after=after)
        page = await queries.comments(info.context, self.row, args)
        return connection(ActivityCommentConnection, page, ActivityCommentType.from_model)

    @strawberry.field(
        description="Ended more than the tenant's recapOverdueDays ago, not cancelled or "
        "draft, and no recap published."
    )
    async def is_recap_overdue(self, info: strawberry.Info) -> bool:
        return await queries.recap_is_overdue(info.context, self.row)

    @strawberry.field
    async def created_by(self, info: strawberry.Info) -> PersonType | None:
        return await load_person(info, self.row.created_by_id)

    @strawberry.field
    async def viewer_can(self, info: strawberry.Info) -> ActivityViewerCan:
        return ActivityViewerCan.of(await lifecycle.abilities(info.context, self.row))

    @strawberry.field(
        description="What keeps the caller from submitting it now: what review needs (where "
        "it takes place …) or its status, as the typed errors activitySubmit would answer; "
        "empty when it can be submitted. Null for callers who may not submit it."
    )
    async def submission_problems(self, info: strawberry.Info) -> list[UserError] | None:
        problems = await lifecycle.submission_problems(info.context, self.row)
        if problems is None:
            return None
        return [UserError.from_field_error(problem) for problem in problems]

    @strawberry.field(
        description="Registration: capacity, seats taken, waitlist, the caller's own "
        "registration (chapters.registrations)."
    )
    async def registration(
        self, info: strawberry.Info
    ) -> Annotated[ActivityRegistrationType, strawberry.lazy("chapters.registrations.types")]:
        from chapters.registrations.types import registration_of_activity

        return await registration_of_activity(info, self.row)

    @strawberry.field(
        description="Its registrants in the order they registered: the activity's organisers "
        "and staff only (null, with a FORBIDDEN error, for others)."
    )
    async def registrations(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        status: list[Annotated[RegistrationStatus, strawberry.lazy("chapters.registrations.types")]]
        | None = None,
    ) -> Annotated[RegistrationConnection, strawberry.lazy("chapters.registrations.types")] | None:
        from chapters.registrations.types import registrants_of_activity

        return await registrants_of_activity(info, self.row, first, after, status)

    @strawberry.field(
        description="Where its recording was published, the earliest first (signed-in "
        "people of the tenant; empty for others)."
    )
    async def publications(
        self, info: strawberry.Info
    ) -> list[Annotated[PublicationType, strawberry.lazy("chapters.channels.types")]]:
        from chapters.channels.types import publications_of_activity

        return await publications_of_activity(info, self.row.id)

    @classmethod
    async def load(cls, info: strawberry.Info, object_id: uuid.UUID | None) -> ActivityType | None:
        return await load_activity(info, object_id)


@strawberry.type(name="ActivityConnection")
class ActivityConnection(relay.Connection[ActivityType]):
    pass


async def load_activity(
    info: strawberry.Info, activity_id: uuid.UUID | None
) -> ActivityType | None:
    """An activity by id, if the caller may read it."""
    activity = await queries.activity(info.context, activity_id)
    return None if activity is None else ActivityType.from_model(activity)
