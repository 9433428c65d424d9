from __future__ import annotations

import enum
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated, Any

import strawberry

from chapters.activities import lifecycle, queries, service
from chapters.activities.lifecycle import Step
from chapters.activities.types import (
    ActivityCommentType,
    ActivityConnection,
    ActivityKindType,
    ActivityStatusType,
    ActivityType,
    LinkKindType,
    OrganisationRoleType,
    ParticipantRoleType,
)
from chapters.api.errors import UserError, run_mutation
from chapters.api.ids import decode_id
from chapters.api.pagination import PageArgs, paginate
from chapters.changes import UNSET
from chapters.models import Activity, ActivityComment

# Ids in inputs are global ids typed as plain ``ID``, decoded with ``decode_id`` so that a bad
# one is a typed error on its field (see ``chapters.committees.schema``).


def _id(value: strawberry.ID | None, type_name: str, field: str) -> uuid.UUID | None:
    return None if value is None else decode_id(str(value), type_name, field)


def _utc(value: datetime | None) -> datetime | None:
    """Filter bounds without a UTC offset are UTC."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


@strawberry.enum(name="ActivityOrderField")
class ActivityOrderField(enum.Enum):
    STARTS_AT = queries.OrderField.STARTS_AT
    UPDATED_AT = queries.OrderField.UPDATED_AT


@strawberry.enum(name="ActivityReviewDecision")
class ActivityReviewDecision(enum.Enum):
    ACCEPT = Step.ACCEPT
    REQUEST_CHANGES = Step.REQUEST_CHANGES


@strawberry.input
class ActivityFilter:
    chapter_id: strawberry.ID | None = strawberry.field(
        default=None, description="Activities the chapter owns or co-hosts."
    )
    include_sub_chapters: bool = strawberry.field(
        default=False, description="With chapterId: also those of every chapter below it."
    )
    committee_id: strawberry.ID | None = None
    kind: list[ActivityKindType] | None = None
    status: list[ActivityStatusType] | None = None
    starts_from: datetime | None = strawberry.field(default=None, description="Inclusive.")
    starts_before: datetime | None = strawberry.field(default=None, description="Exclusive.")
    organisation_id: strawberry.ID | None = None
    participant_person_id: strawberry.ID | None = None
    text: str | None = strawberry.field(
        default=None, description="Matches title, description or tags."
    )
    recap_overdue: bool | None = None

    def to_service(self) -> queries.ActivityFilter:
        return queries.ActivityFilter(
            chapter_id=_id(self.chapter_id, "Chapter", "chapterId"),
            include_sub_chapters=self.include_sub_chapters,
            committee_id=_id(self.committee_id, "Committee", "committeeId"),
            kinds=tuple(self.kind or ()),
            statuses=tuple(self.status or ()),
            starts_from=_utc(self.starts_from),
            starts_before=_utc(self.starts_before),
            organisation_id=_id(self.organisation_id, "Organisation", "organisationId"),
            participant_person_id=_id(self.participant_person_id, "Person", "participantPersonId"),
            text=self.text,
            recap_overdue=self.recap_overdue,
        )


@strawberry.input
class ActivityOrganisationInput:
    organisation_id: strawberry.ID
    role: OrganisationRoleType


@strawberry.input(description="A person of the tenant (personId) or an external participant.")
class ActivityParticipantInput:
    role: ParticipantRoleType
    person_id: strawberry.ID | None = None
    external_name: str | None = None
    external_affiliation: str | None = None
    topic: str | None = None


@strawberry.input
class ActivityLinkInput:
    kind: LinkKindType
    url: str = strawberry.field(description="http or https.")
    title: str | None = None


@strawberry.input(
    description="A new draft. Times without a UTC offset are read in the activity's timezone."
)
class ActivityCreateInput:
    chapter_id: strawberry.ID | None = strawberry.field(
        default=None, description="The owning chapter; without one, give the committee."
    )
    committee_id: strawberry.ID | None = None
    kind: ActivityKindType
    title: str
    starts_at: datetime
    ends_at: datetime | None = None
    timezone: str | None = strawberry.field(
        default=None, description="IANA timezone; default: the chapter's (else the tenant's)."
    )
    description: str | None = None
    venue: str | None = strawberry.field(
        default=None, description="Needed to submit offline meetups and visits."
    )
    online_url: str | None = strawberry.field(
        default=None, description="Needed to submit online meetups and live streams."
    )
    language: str | None = None
    expected_attendance: int | None = None
    tags: list[str] | None = None
    mentoring_project_id: strawberry.ID | None = strawberry.field(
        default=None, description="Mentoring activities only."
    )
    co_host_chapter_ids: list[strawberry.ID] | None = None
    organisations: list[ActivityOrganisationInput] | None = None
    participants: list[ActivityParticipantInput] | None = None
    links: list[ActivityLinkInput] | None = None


@strawberry.input(
    description="Fields to change; omitted fields stay, null clears, a given list replaces the "
    "list. Drafts and activities sent back for changes only."
)
class ActivityUpdateInput:
    id: strawberry.ID
    kind: ActivityKindType | None = strawberry.UNSET
    title: str | None = strawberry.UNSET
    starts_at: datetime | None = strawberry.UNSET
    ends_at: datetime | None = strawberry.UNSET
    timezone: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    venue: str | None = strawberry.UNSET
    online_url: str | None = strawberry.UNSET
    language: str | None = strawberry.UNSET
    expected_attendance: int | None = strawberry.UNSET
    tags: list[str] | None = strawberry.UNSET
    mentoring_project_id: strawberry.ID | None = strawberry.UNSET
    co_host_chapter_ids: list[strawberry.ID] | None = strawberry.UNSET
    organisations: list[ActivityOrganisationInput] | None = strawberry.UNSET
    participants: list[ActivityParticipantInput] | None = strawberry.UNSET
    links: list[ActivityLinkInput] | None = strawberry.UNSET


def _links(links: list[ActivityLinkInput] | None) -> list[service.LinkEntry]:
    return [
        service.LinkEntry(kind=link.kind, url=link.url, title=link.title) for link in links or []
    ]


_CONVERT: dict[str, Callable[[Any], Any]] = {
    "chapter_id": lambda v: _id(v, "Chapter", "chapterId"),
    "committee_id": lambda v: _id(v, "Committee", "committeeId"),
    "mentoring_project_id": lambda v: _id(v, "MentoringProject", "mentoringProjectId"),
    "co_host_chapter_ids": lambda ids: [
        decode_id(str(v), "Chapter", f"coHostChapterIds.{i}") for i, v in enumerate(ids or [])
    ],
    "organisations": lambda orgs: [
        service.OrganisationEntry(
            organisation_id=decode_id(
                str(o.organisation_id), "Organisation", f"organisations.{i}.organisationId"
            ),
            role=o.role,
        )
        for i, o in enumerate(orgs or [])
    ],
    "participants": lambda people: [
        service.ParticipantEntry(
            role=p.role,
            person_id=_id(p.person_id, "Person", f"participants.{i}.personId"),
            external_name=p.external_name,
            external_affiliation=p.external_affiliation,
            topic=p.topic,
        )
        for i, p in enumerate(people or [])
    ],
    "links": _links,
}


def _fields(data: ActivityCreateInput | ActivityUpdateInput) -> service.ActivityFields:
    values = {}
    for name in service.ActivityFields.__dataclass_fields__:
        value = getattr(data, name, strawberry.UNSET)
        if value is strawberry.UNSET:
            continue
        values[name] = _CONVERT[name](value) if name in _CONVERT else value
    return service.ActivityFields(**values)


@strawberry.input
class ActivitySubmitInput:
    id: strawberry.ID
    comment: str | None = strawberry.field(
        default=None, description="For the reviewers; also posted to the review thread."
    )


@strawberry.input
class ActivityReviewInput:
    id: strawberry.ID
    decision: ActivityReviewDecision
    comment: str | None = strawberry.field(
        default=None,
        description="Required to request changes; also posted to the review thread.",
    )


@strawberry.input
class ActivityCancelInput:
    id: strawberry.ID
    reason: str


@strawberry.input
class ActivityCommentInput:
    activity_id: strawberry.ID
    body: str


@strawberry.input(
    description="The recap of an activity that has ended. Publishing again updates it."
)
class ActivityPublishRecapInput:
    id: strawberry.ID
    summary: str
    actual_attendance: int | None = strawberry.field(
        default=strawberry.UNSET, description="Omitted: stays as it is."
    )
    links: list[ActivityLinkInput] | None = strawberry.field(
        default=None,
        description="Recordings, slides, articles, episodes, photos: added to the activity's.",
    )


@strawberry.type
class ActivityPayload:
    activity: ActivityType | None
    errors: list[UserError]


@strawberry.type
class ActivityCommentPayload:
    comment: ActivityCommentType | None
    errors: list[UserError]


async def _activity_payload(
    info: strawberry.Info, work: Callable[[], Awaitable[Activity]]
) -> ActivityPayload:
    activity, errors = await run_mutation(info, work)
    return ActivityPayload(
        activity=ActivityType.from_model(activity) if activity else None, errors=errors
    )


def _activity_id(value: strawberry.ID, field: str = "id") -> uuid.UUID:
    return decode_id(str(value), "Activity", field)


@strawberry.type
class ActivityQuery:
    @strawberry.field(
        description="Activities the caller may read: accepted ones for everybody, the others "
        "for staff, viewers and the owning chapter's leads. By start time, latest first, unless "
        "ordered otherwise."
    )
    async def activities(
        self,
        info: strawberry.Info,
        filter: ActivityFilter | None = None,
        order_by: ActivityOrderField = ActivityOrderField.STARTS_AT,
        descending: bool = True,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> ActivityConnection:
        ctx = info.context
        filters = (filter or ActivityFilter()).to_service()
        statement = await queries.activity_query(ctx.session, ctx.principal, ctx.tenant.id, filters)
        return await paginate(
            ctx.session,
            statement,
            queries.ordering(order_by.value, descending),
            PageArgs(first=first, after=after, last=last, before=before),
            ActivityType.from_model,
            ActivityConnection,
        )

    @strawberry.field(
        description="Submitted activities awaiting review, oldest submission first (staff, "
        "viewers)."
    )
    async def activity_review_queue(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> ActivityConnection:
        ctx = info.context
        return await paginate(
            ctx.session,
            queries.review_queue_query(ctx.principal),
            queries.REVIEW_QUEUE_ORDER,
            PageArgs(first=first, after=after),
            ActivityType.from_model,
            ActivityConnection,
        )

    @strawberry.field(
        description="Activities whose recap is overdue (see Activity.isRecapOverdue), earliest "
        "first (staff, viewers)."
    )
    async def overdue_recaps(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> ActivityConnection:
        ctx = info.context
        return await paginate(
            ctx.session,
            await queries.overdue_recaps_query(ctx.session, ctx.principal),
            queries.OVERDUE_ORDER,
            PageArgs(first=first, after=after),
            ActivityType.from_model,
            ActivityConnection,
        )

    @strawberry.field(
        description="What the chapter owns or co-hosts and that overlaps [from, to), by start "
        f"time; at most {queries.CALENDAR_MAX_DAYS} days and {queries.CALENDAR_LIMIT} activities."
    )
    async def chapter_calendar(
        self,
        info: strawberry.Info,
        chapter_id: strawberry.ID,
        start: Annotated[datetime, strawberry.argument(name="from")],
        end: Annotated[datetime, strawberry.argument(name="to")],
    ) -> list[ActivityType]:
        ctx = info.context
        chapter = decode_id(str(chapter_id), "Chapter", "chapterId")
        statement = queries.calendar_query(ctx.principal, chapter, _utc(start), _utc(end))
        rows = await ctx.session.scalars(statement)
        return [ActivityType.from_model(row) for row in rows]


@strawberry.type
class ActivityMutation:
    @strawberry.mutation(description="Draft an activity (its chapter's leads, ops, admins).")
    async def activity_create(
        self, info: strawberry.Info, input: ActivityCreateInput
    ) -> ActivityPayload:
        ctx = info.context

        async def work() -> Activity:
            return await service.create_activity(ctx.session, ctx.principal, _fields(input))

        return await _activity_payload(info, work)

    @strawberry.mutation(
        description="Edit a draft or an activity sent back for changes. Accepted activities "
        "are locked but for their recap."
    )
    async def activity_update(
        self, info: strawberry.Info, input: ActivityUpdateInput
    ) -> ActivityPayload:
        ctx = info.context

        async def work() -> Activity:
            return await service.update_activity(
                ctx.session, ctx.principal, _activity_id(input.id), _fields(input)
            )

        return await _activity_payload(info, work)

    @strawberry.mutation(description="Submit a draft, or resubmit after changes, for review.")
    async def activity_submit(
        self, info: strawberry.Info, input: ActivitySubmitInput
    ) -> ActivityPayload:
        ctx = info.context

        async def work() -> Activity:
            activity_id = _activity_id(input.id)
            return await lifecycle.submit(ctx.session, ctx.principal, activity_id, input.comment)

        return await _activity_payload(info, work)

    @strawberry.mutation(description="Accept a submitted activity or request changes (ops).")
    async def activity_review(
        self, info: strawberry.Info, input: ActivityReviewInput
    ) -> ActivityPayload:
        ctx = info.context

        async def work() -> Activity:
            return await lifecycle.review(
                ctx.session,
                ctx.principal,
                _activity_id(input.id),
                input.decision.value,
                input.comment,
            )

        return await _activity_payload(info, work)

    @strawberry.mutation(
        description="Cancel an activity, with the reason (an accepted one before it starts)."
    )
    async def activity_cancel(
        self, info: strawberry.Info, input: ActivityCancelInput
    ) -> ActivityPayload:
        ctx = info.context

        async def work() -> Activity:
            return await lifecycle.cancel(
                ctx.session, ctx.principal, _activity_id(input.id), input.reason
            )

        return await _activity_payload(info, work)

    @strawberry.mutation(description="Add to an activity's review thread.")
    async def activity_comment(
        self, info: strawberry.Info, input: ActivityCommentInput
    ) -> ActivityCommentPayload:
        ctx = info.context

        async def work() -> ActivityComment:
            activity_id = _activity_id(input.activity_id, "activityId")
            return await lifecycle.add_comment(ctx.session, ctx.principal, activity_id, input.body)

        comment, errors = await run_mutation(info, work)
        return ActivityCommentPayload(
            comment=ActivityCommentType.from_model(comment) if comment else None, errors=errors
        )

    @strawberry.mutation(
        description="Publish or update the recap of an activity that has ended; the one change "
        "accepted activities take."
    )
    async def activity_publish_recap(
        self, info: strawberry.Info, input: ActivityPublishRecapInput
    ) -> ActivityPayload:
        ctx = info.context

        async def work() -> Activity:
            return await lifecycle.publish_recap(
                ctx.session,
                ctx.principal,
                _activity_id(input.id),
                summary=input.summary,
                actual_attendance=UNSET
                if input.actual_attendance is strawberry.UNSET
                else input.actual_attendance,
                links=_links(input.links),
            )

        return await _activity_payload(info, work)
