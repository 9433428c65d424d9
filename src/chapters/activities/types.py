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
from chapters.activities import lifecycle, queries, service
from chapters.activities.lifecycle import Step
from chapters.activities.loaders import (
    co_hosts_by_activity,
    links_by_activity,
    organisations_by_activity,
    overdue_cutoff_by_tenant,
    participants_by_activity,
    transitions_by_activity,
)
from chapters.api.ids import global_id
from chapters.api.loaders import rows_by_id
from chapters.api.pagination import Ordering, PageArgs, paginate_per_parent
from chapters.authz import Action
from chapters.chapters.types import ChapterType, load_chapter
from chapters.committees.types import CommitteeType, load_committee
from chapters.errors import Forbidden
from chapters.models import (
    ActivityComment,
    ActivityKind,
    ActivityStatus,
    LinkKind,
    OrganisationRole,
    ParticipantRole,
)
from chapters.people.types import PersonType, load_person, parse_uuid

ActivityKindType = strawberry.enum(ActivityKind, name="ActivityKind")
ActivityStatusType = strawberry.enum(ActivityStatus, name="ActivityStatus")
LinkKindType = strawberry.enum(LinkKind, name="ActivityLinkKind")
ParticipantRoleType = strawberry.enum(ParticipantRole, name="ActivityParticipantRole")
OrganisationRoleType = strawberry.enum(OrganisationRole, name="ActivityOrganisationRole")

# The review thread reads top to bottom.
COMMENT_ORDER = Ordering((ActivityComment.created_at, ActivityComment.id))


@strawberry.type(name="ActivityLink", description="A recording, slides, an article …")
class ActivityLinkType:
    kind: LinkKindType
    url: str
    title: str | None

    @classmethod
    def from_model(cls, link: m.ActivityLink) -> ActivityLinkType:
        return cls(kind=link.kind, url=link.url, title=link.title)


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
    role: ParticipantRoleType
    topic: str | None
    external_name: str | None = strawberry.field(description="When not a person of the tenant.")
    external_affiliation: str | None
    person_id: strawberry.Private[uuid.UUID | None]

    @classmethod
    def from_model(cls, p: m.ActivityParticipant) -> ActivityParticipantType:
        return cls(
            role=p.role,
            topic=p.topic,
            external_name=p.external_name,
            external_affiliation=p.external_affiliation,
            person_id=p.person_id,
        )

    @strawberry.field(description="Null for external participants (and for anonymous callers).")
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
    submit: bool
    review: bool
    cancel: bool
    publish_recap: bool
    comment: bool


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
    starts_at: datetime
    ends_at: datetime | None
    timezone: str = strawberry.field(description="IANA timezone the activity is held in.")
    venue: str | None
    online_url: str | None
    language: str | None = strawberry.field(description="BCP 47 tag, e.g. zh-CN.")
    expected_attendance: int | None
    actual_attendance: int | None = strawberry.field(description="Part of the recap.")
    tags: list[str]
    mentoring_project_id: strawberry.ID | None = strawberry.field(
        description="The mentoring project's global id (mentoring activities only)."
    )
    submitted_at: datetime | None = strawberry.field(description="The latest submission.")
    reviewed_at: datetime | None = strawberry.field(description="The latest review decision.")
    recap_summary: str | None
    recap_published_at: datetime | None = strawberry.field(
        description="When the recap was first published."
    )
    created_at: datetime
    updated_at: datetime
    row: strawberry.Private[m.Activity]

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

    @strawberry.field(description="In the order they were given.")
    async def participants(self, info: strawberry.Info) -> list[ActivityParticipantType] | None:
        if not authz.can(info.context.principal, Action.ACTIVITY_READ_PARTICIPANTS):
            return None  # names are personal data: not for anonymous callers nor partners
        rows = await info.context.loaders.of(participants_by_activity).load(self.row.id)
        return [ActivityParticipantType.from_model(row) for row in rows]

    @strawberry.field
    async def links(self, info: strawberry.Info) -> list[ActivityLinkType]:
        rows = await info.context.loaders.of(links_by_activity).load(self.row.id)
        return [ActivityLinkType.from_model(row) for row in rows]

    @strawberry.field(description="Every status change, oldest first: who, when, and why.")
    async def transitions(self, info: strawberry.Info) -> list[ActivityTransitionType]:
        rows = await info.context.loaders.of(transitions_by_activity).load(self.row.id)
        thread = queries.may_read_thread(info.context.principal, self.row.chapter_id)
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
        if not queries.may_read_thread(info.context.principal, self.row.chapter_id):
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
    def viewer_can(self, info: strawberry.Info) -> ActivityViewerCan:
        principal, a, now = info.context.principal, self.row, service.utc_now()

        def allowed(action: Action) -> bool:
            return authz.can(principal, action, chapter_id=a.chapter_id)

        return ActivityViewerCan(
            edit=allowed(Action.ACTIVITY_EDIT) and a.status in service.EDITABLE,
            submit=lifecycle.may_take(principal, a, Step.SUBMIT, now),
            review=lifecycle.may_take(principal, a, Step.ACCEPT, now),
            cancel=lifecycle.may_take(principal, a, Step.CANCEL, now),
            publish_recap=allowed(Action.ACTIVITY_RECAP)
            and a.status in lifecycle.RECAP_STATUSES
            and service.has_ended(a, now),
            comment=allowed(Action.ACTIVITY_COMMENT),
        )

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
    if not queries.may_read(principal, activity, organisation_ids):
        return None
    return ActivityType.from_model(activity)


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
