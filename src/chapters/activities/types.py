from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime

import strawberry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry import relay

from chapters import authz
from chapters import models as m
from chapters.activities import lifecycle, participants, queries, service
from chapters.activities.lifecycle import Step
from chapters.activities.loaders import (
    co_hosts_by_activity,
    current_recap_by_activity,
    links_by_activity,
    organisations_by_activity,
    overdue_cutoff_by_tenant,
    participants_by_activity,
    transitions_by_activity,
)
from chapters.api.errors import UserError
from chapters.api.ids import global_id
from chapters.api.loaders import rows_by_id
from chapters.api.pagination import Ordering, PageArgs, paginate_per_parent
from chapters.authz import Action
from chapters.committees.types import CommitteeType, load_committee
from chapters.errors import Forbidden
from chapters.local_chapters.types import ChapterType, load_chapter
from chapters.models import (
    ActivityComment,
    ActivityKind,
    ActivityRecapVersion,
    ActivityScheduleChange,
    ActivityStatus,
    LinkKind,
    OrganisationRole,
    ParticipantRole,
    ReachUnit,
)
from chapters.people.types import PersonType, load_person, parse_uuid
from chapters.times import local_iso

ActivityKindType = strawberry.enum(ActivityKind, name="ActivityKind")
ActivityStatusType = strawberry.enum(ActivityStatus, name="ActivityStatus")
LinkKindType = strawberry.enum(LinkKind, name="ActivityLinkKind")
ParticipantRoleType = strawberry.enum(ParticipantRole, name="ActivityParticipantRole")
OrganisationRoleType = strawberry.enum(OrganisationRole, name="ActivityOrganisationRole")
ReachUnitType = strawberry.enum(ReachUnit, name="ActivityReachUnit")

# The review thread reads top to bottom, and so do the histories.
COMMENT_ORDER = Ordering((ActivityComment.created_at, ActivityComment.id))
RECAP_HISTORY_ORDER = Ordering((ActivityRecapVersion.number, ActivityRecapVersion.id))
SCHEDULE_ORDER = Ordering((ActivityScheduleChange.occurred_at, ActivityScheduleChange.id))


@strawberry.type(name="ActivityLink", description="A recording, slides, an article …")
class ActivityLinkType:
    kind: LinkKindType
    url: str
    title: str | None

    @classmethod
    def from_model(cls, link: m.ActivityLink) -> ActivityLinkType:
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
    def from_model(cls, v: ActivityRecapVersion) -> ActivityRecapVersionType:
        return cls(
            number=v.number,
            summary=v.summary,
            attendance=v.attendance,
            reach=ActivityReachType.of(v.reach, v.reach_unit),
            links=[
                ActivityLinkType(
                    kind=LinkKind(link["kind"]), url=link["url"], title=link.get("title")
                )
                for link in v.links
            ],
            published_at=v.published_at,
            note=v.note,
            published_by_id=v.published_by_id,
        )

    @strawberry.field
    async def published_by(self, info: strawberry.Info) -> PersonType | None:
        return await load_person(info, self.published_by_id)


@strawberry.type(name="ActivityRecapVersionConnection")
class ActivityRecapVersionConnection(relay.Connection[ActivityRecapVersionType]):
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
    def from_model(cls, change: ActivityScheduleChange) -> ActivityScheduleChangeType:
        return cls(
            from_starts_at=change.from_starts_at,
            from_ends_at=change.from_ends_at,
            to_starts_at=change.to_starts_at,
            to_ends_at=change.to_ends_at,
            occurred_at=change.occurred_at,
            reason=change.reason,
            actor_id=change.actor_id,
        )

    @strawberry.field
    async def actor(self, info: strawberry.Info) -> PersonType | None:
        return await load_person(info, self.actor_id)


@strawberry.type(name="ActivityScheduleChangeConnection")
class ActivityScheduleChangeConnection(relay.Connection[ActivityScheduleChangeType]):
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
class ActivityCommentConnection(relay.Connection[ActivityCommentType]):
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


@strawberry.type(
    name="Activity",
    description="An entry of the ledger: a meetup, a talk, an article, a mentoring session …",
)
class ActivityType(relay.Node):
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
        chapters = await info.context.loaders.of(co_hosts_by_activity).load(self.row.id)
        return [ChapterType.from_model(chapter) for chapter in chapters]

    @strawberry.field(
        description="By name. A partner's client sees only its own organisation here."
    )
    async def organisations(self, info: strawberry.Info) -> list[ActivityOrganisationType]:
        principal = info.context.principal
        rows = await info.context.loaders.of(organisations_by_activity).load(self.row.id)
        return [
            ActivityOrganisationType(
                role=link.role,
                organisation_id=strawberry.ID(global_id("Organisation", link.organisation_id)),
                name=name,
            )
            for link, name in rows
            if not authz.hides_organisation(principal, link.organisation_id)
        ]

    @strawberry.field(
        description="In the order they were given. Who took part is personal data: callers "
        "who may not see it (anonymous callers, partners' clients) get, on accepted "
        "activities, the speakers, hosts, organisers and authors who chose a public profile "
        "(Person.publicProfile) and the external ones, nobody else."
    )
    async def participants(self, info: strawberry.Info) -> list[ActivityParticipantType] | None:
        rows = await info.context.loaders.of(participants_by_activity).load(self.row.id)
        if not authz.can(info.context.principal, Action.ACTIVITY_READ_PARTICIPANTS):
            rows = participants.public_part(self.row, rows)
        return [ActivityParticipantType.from_model(p, name) for p, name, _ in rows]

    @strawberry.field(
        description="Its links in the order they were given, then the current recap's links."
    )
    async def links(self, info: strawberry.Info) -> list[ActivityLinkType]:
        rows = await info.context.loaders.of(links_by_activity).load(self.row.id)
        links = [ActivityLinkType.from_model(row) for row in rows]
        recap = await info.context.loaders.of(current_recap_by_activity).load(self.row.id)
        if recap is not None:
            known = {(link.kind, link.url) for link in links}
            recap_links = ActivityRecapVersionType.from_model(recap).links
            links += [link for link in recap_links if (link.kind, link.url) not in known]
        return links

    @strawberry.field(description="The current recap: its latest version (null before one).")
    async def recap(self, info: strawberry.Info) -> ActivityRecapVersionType | None:
        version = await info.context.loaders.of(current_recap_by_activity).load(self.row.id)
        if version is None:
            return None
        recap = ActivityRecapVersionType.from_model(version)
        if not await may_read_thread_of(info, self.row):
            recap.note = None
        return recap

    @strawberry.field(description="Every published version of the recap, the first first.")
    async def recap_history(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> ActivityRecapVersionConnection:
        args = PageArgs(first=first, after=after)
        page = await info.context.loaders.of(recap_history_by_activity, args).load(self.row.id)
        if not await may_read_thread_of(info, self.row):
            for edge in page.edges:
                edge.node.note = None
        return page

    @strawberry.field(description="Every move to new dates, oldest first.")
    async def schedule_changes(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> ActivityScheduleChangeConnection:
        args = PageArgs(first=first, after=after)
        page = await info.context.loaders.of(schedule_changes_by_activity, args).load(self.row.id)
        if not await may_read_thread_of(info, self.row):
            for edge in page.edges:
                edge.node.reason = None
        return page

    @strawberry.field(description="Every status change, oldest first: who, when, and why.")
    async def transitions(self, info: strawberry.Info) -> list[ActivityTransitionType]:
        rows = await info.context.loaders.of(transitions_by_activity).load(self.row.id)
        thread = await may_read_thread_of(info, self.row)
        return [
            ActivityTransitionType(
                from_status=t.from_status,
                to_status=t.to_status,
                occurred_at=t.occurred_at,
                comment=t.comment if thread else None,
                actor_id=t.actor_id,
            )
            for t in rows
        ]

    @strawberry.field(
        description="The review thread, oldest first. Null, with a FORBIDDEN error, for callers "
        "who may neither read unaccepted activities of its chapter nor comment."
    )
    async def comments(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> ActivityCommentConnection | None:
        if not await may_read_thread_of(info, self.row):
            raise Forbidden(Action.ACTIVITY_COMMENT.value)
        args = PageArgs(first=first, after=after)
        return await info.context.loaders.of(comments_page_by_activity, args).load(self.row.id)

    @strawberry.field(
        description="Ended more than the tenant's recapOverdueDays ago, not cancelled or "
        "draft, and no recap published."
    )
    async def is_recap_overdue(self, info: strawberry.Info) -> bool:
        ctx = info.context
        cutoff = await ctx.loaders.of(overdue_cutoff_by_tenant).load(ctx.tenant.id)
        return queries.is_recap_overdue(self.row, cutoff)

    @strawberry.field
    async def created_by(self, info: strawberry.Info) -> PersonType | None:
        return await load_person(info, self.row.created_by_id)

    @strawberry.field
    async def viewer_can(self, info: strawberry.Info) -> ActivityViewerCan:
        principal, a, now = info.context.principal, self.row, service.utc_now()
        co_hosts = await self.co_host_ids(info)

        def allowed(action: Action) -> bool:
            return authz.can(principal, action, chapter_id=a.chapter_id, co_hosts=co_hosts)

        return ActivityViewerCan(
            edit=allowed(Action.ACTIVITY_EDIT) and a.status in service.EDITABLE,
            submit=lifecycle.may_take(principal, a, Step.SUBMIT, now, co_hosts),
            review=lifecycle.may_take(principal, a, Step.ACCEPT, now, co_hosts),
            cancel=lifecycle.may_take(principal, a, Step.CANCEL, now, co_hosts),
            publish_recap=allowed(Action.ACTIVITY_RECAP)
            and a.status in lifecycle.RECAP_STATUSES
            and service.has_ended(a, now),
            comment=allowed(Action.ACTIVITY_COMMENT),
            reopen=lifecycle.may_take(principal, a, Step.REOPEN, now),
            reschedule=allowed(Action.ACTIVITY_RESCHEDULE) and a.status != ActivityStatus.CANCELLED,
        )

    @strawberry.field(
        description="What keeps the caller from submitting it now: what review needs (where "
        "it takes place …) or its status, as the typed errors activitySubmit would answer; "
        "empty when it can be submitted. Null for callers who may not submit it."
    )
    async def submission_problems(self, info: strawberry.Info) -> list[UserError] | None:
        co_hosts = await self.co_host_ids(info)
        action = lifecycle.STEP_ACTIONS[Step.SUBMIT]
        principal, a = info.context.principal, self.row
        if not authz.can(principal, action, chapter_id=a.chapter_id, co_hosts=co_hosts):
            return None
        problems = lifecycle.step_problems(a, Step.SUBMIT, service.utc_now())
        return [UserError.from_field_error(problem) for problem in problems]

    async def co_host_ids(self, info: strawberry.Info) -> frozenset[uuid.UUID]:
        """The co-hosting chapters, when they can matter to the caller's roles."""
        return await co_host_ids_of(info, self.row.id)

    @classmethod
    async def resolve_nodes(
        cls, *, info: strawberry.Info, node_ids: Iterable[str], required: bool = False
    ) -> list[ActivityType | None]:
        return list(await asyncio.gather(*(load_activity(info, parse_uuid(i)) for i in node_ids)))


@strawberry.type(name="ActivityConnection")
class ActivityConnection(relay.Connection[ActivityType]):
    pass


async def load_activity(
    info: strawberry.Info, activity_id: uuid.UUID | None
) -> ActivityType | None:
    """An activity by id, if the caller may read it."""
    if activity_id is None:
        return None
    activity = await info.context.loaders.of(rows_by_id, m.Activity).load(activity_id)
    if activity is None:
        return None
    principal = info.context.principal
    organisation_ids: set[uuid.UUID] = set()
    if principal is not None and principal.partner_organisation_id is not None:
        taking_part = await info.context.loaders.of(organisations_by_activity).load(activity.id)
        organisation_ids = {link.organisation_id for link, _ in taking_part}
    co_hosts = await co_host_ids_of(info, activity.id)
    if not queries.may_read(principal, activity, organisation_ids, co_hosts):
        return None
    return ActivityType.from_model(activity)


async def co_host_ids_of(info: strawberry.Info, activity_id: uuid.UUID) -> frozenset[uuid.UUID]:
    """``service.co_hosts_of`` through the request's loader."""
    if not authz.co_hosts_matter(info.context.principal):
        return frozenset()
    chapters = await info.context.loaders.of(co_hosts_by_activity).load(activity_id)
    return frozenset(chapter.id for chapter in chapters)


async def comments_page_by_activity(
    session: AsyncSession, args: PageArgs, activity_ids: Sequence[uuid.UUID]
) -> list[ActivityCommentConnection]:
    return await paginate_per_parent(
        session,
        ActivityComment,
        select(ActivityComment),
        ActivityComment.activity_id,
        activity_ids,
        COMMENT_ORDER,
        args,
        ActivityCommentType.from_model,
        ActivityCommentConnection,
    )


async def may_read_thread_of(info: strawberry.Info, activity: m.Activity) -> bool:
    """Whether the caller reads the activity's review thread (its owning and co-hosting
    chapters decide)."""
    co_hosts = await co_host_ids_of(info, activity.id)
    return queries.may_read_thread(info.context.principal, activity, co_hosts)


async def recap_history_by_activity(
    session: AsyncSession, args: PageArgs, activity_ids: Sequence[uuid.UUID]
) -> list[ActivityRecapVersionConnection]:
    return await paginate_per_parent(
        session,
        ActivityRecapVersion,
        select(ActivityRecapVersion),
        ActivityRecapVersion.activity_id,
        activity_ids,
        RECAP_HISTORY_ORDER,
        args,
        ActivityRecapVersionType.from_model,
        ActivityRecapVersionConnection,
    )


async def schedule_changes_by_activity(
    session: AsyncSession, args: PageArgs, activity_ids: Sequence[uuid.UUID]
) -> list[ActivityScheduleChangeConnection]:
    return await paginate_per_parent(
        session,
        ActivityScheduleChange,
        select(ActivityScheduleChange),
        ActivityScheduleChange.activity_id,
        activity_ids,
        SCHEDULE_ORDER,
        args,
        ActivityScheduleChangeType.from_model,
        ActivityScheduleChangeConnection,
    )
