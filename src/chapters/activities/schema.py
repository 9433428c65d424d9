from __future__ import annotations

import enum
import uuid
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any

import strawberry

from chapters.activities import lifecycle, queries, recaps, schedule, service
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
    ReachUnitType,
)
from chapters.api.connections import connection
from chapters.api.errors import UserError
from chapters.api.ids import decode_id, decode_optional_id
from chapters.api.mutations import mutate
from chapters.changes import UNSET, Change
from chapters.db.pagination import PageArgs
from chapters.models import Activity, ActivityComment

# Ids in inputs are global ids typed as plain ``ID``, decoded with ``decode_id`` so that a bad
# one is a typed error on its field (see ``chapters.committees.schema``).


@strawberry.input(
    name="DateRange",
    description="Calendar days, both included; either end may be left open. Read in the "
    "timezone of the chapter it is about (see the field).",
)
class DateRange:
    start: date | None = strawberry.field(default=None, name="from")
    end: date | None = strawberry.field(default=None, name="to")


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
    starts_on: DateRange | None = strawberry.field(
        default=None,
        description="Starting on these days, read in the timezone of the chapter given as "
        "chapterId (else the tenant's): an event at 23:30 in Shanghai is on that Shanghai day.",
    )
    organisation_id: strawberry.ID | None = None
    participant_person_id: strawberry.ID | None = None
    text: str | None = strawberry.field(
        default=None, description="Matches title, description or tags."
    )
    recap_overdue: bool | None = None

    def to_service(self) -> queries.ActivityFilter:
        return queries.ActivityFilter(
            chapter_id=decode_optional_id(self.chapter_id, "Chapter", "chapterId"),
            include_sub_chapters=self.include_sub_chapters,
            committee_id=decode_optional_id(self.committee_id, "Committee", "committeeId"),
            kinds=tuple(self.kind or ()),
            statuses=tuple(self.status or ()),
            starts_from=self.starts_from,
            starts_before=self.starts_before,
            starts_on=(self.starts_on.start, self.starts_on.end) if self.starts_on else None,
            organisation_id=decode_optional_id(
                self.organisation_id, "Organisation", "organisationId"
            ),
            participant_person_id=decode_optional_id(
                self.participant_person_id, "Person", "participantPersonId"
            ),
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


@strawberry.input(description="A new draft. Times need a UTC offset (see the DateTime scalar).")
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
    "chapter_id": lambda v: decode_optional_id(v, "Chapter", "chapterId"),
    "committee_id": lambda v: decode_optional_id(v, "Committee", "committeeId"),
    "mentoring_project_id": lambda v: decode_optional_id(
        v, "MentoringProject", "mentoringProjectId"
    ),
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
            person_id=decode_optional_id(p.person_id, "Person", f"participants.{i}.personId"),
            external_name=p.external_name,
            external_affiliation=p.external_affiliation,
            topic=p.topic,
        )
        for i, p in enumerate(people or [])
    ],
    "links": _links,
}


def _fields(data: ActivityCreateInput | ActivityUpdateInput) -> service.ActivityFields:
    values: dict[str, Any] = {}
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


@strawberry.input(description="How many read, watched or listened (see ActivityReachUnit).")
class ActivityReachInput:
    count: int
    unit: ReachUnitType = strawberry.field(
        description="READS for articles, LISTENS for podcast episodes, VIEWS for live streams; "
        "any for other kinds."
    )


@strawberry.input(
    description="The recap of an activity that has ended. Publishing again adds a version (the "
    "earlier ones stay, see Activity.recapHistory); omitted figures and links stay as they are "
    "in the current version, null clears them."
)
class ActivityPublishRecapInput:
    id: strawberry.ID
    summary: str
    attendance: int | None = strawberry.field(
        default=strawberry.UNSET,
        description="People present: meetups, visits, talks, mentoring sessions, a live "
        "stream's live audience. Not for articles and podcast episodes.",
    )
    reach: ActivityReachInput | None = strawberry.field(
        default=strawberry.UNSET,
        description="Reads of an article, listens of a podcast episode, views of a live "
        "stream. Not for meetups, visits, talks and mentoring sessions.",
    )
    actual_attendance: int | None = strawberry.field(
        default=strawberry.UNSET,
        description="Same as attendance.",
        deprecation_reason="Use attendance (people present) or reach (reads, views, listens).",
    )
    links: list[ActivityLinkInput] | None = strawberry.field(
        default=strawberry.UNSET,
        description="The recap's recordings, slides, articles, episodes and photos: given, "
        "they replace the current version's (a wrong one is corrected or left out).",
    )
    note: str | None = strawberry.field(
        default=None, description="Why this version replaces the previous one."
    )

    def content(self) -> recaps.RecapContent:
        attendance = self.attendance
        if attendance is strawberry.UNSET:
            attendance = self.actual_attendance
        reach: Change[recaps.Reach | None] = UNSET
        if self.reach is not strawberry.UNSET:
            given = self.reach
            reach = None if given is None else recaps.Reach(count=given.count, unit=given.unit)
        return recaps.RecapContent(
            summary=self.summary,
            attendance=UNSET if attendance is strawberry.UNSET else attendance,
            reach=reach,
            links=UNSET if self.links is strawberry.UNSET else _links(self.links),
        )


@strawberry.input(description="Take a wrong link out of the current recap (a new version).")
class ActivityRecapLinkRemoveInput:
    id: strawberry.ID
    url: str = strawberry.field(description="The link's URL, as the recap lists it.")
    note: str | None = strawberry.field(default=None, description="Why it goes.")


@strawberry.input(description="Send an accepted activity back for changes.")
class ActivityReopenInput:
    id: strawberry.ID
    reason: str = strawberry.field(
        description="What to correct; kept in the history and posted to the review thread."
    )


@strawberry.input(description="New dates for an activity, kept in its scheduleChanges.")
class ActivityRescheduleInput:
    id: strawberry.ID
    starts_at: datetime
    ends_at: datetime | None = strawberry.field(
        default=strawberry.UNSET,
        description="Omitted: it lasts as long as before; null: no end.",
    )
    reason: str = strawberry.field(description="Why it moves (for the history).")


@strawberry.type
class ActivityPayload:
    activity: ActivityType | None
    errors: list[UserError]


@strawberry.type
class ActivityCommentPayload:
    comment: ActivityCommentType | None
    errors: list[UserError]


def _activity_payload(activity: Activity) -> ActivityPayload:
    return ActivityPayload(activity=ActivityType.from_model(activity), errors=[])


def _activity_failed(errors: list[UserError]) -> ActivityPayload:
    return ActivityPayload(activity=None, errors=errors)


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
        args = PageArgs(first=first, after=after, last=last, before=before)
        page = await queries.activities(
            ctx, ctx.tenant.id, filters, order_by.value, descending, args
        )
        return connection(ActivityConnection, page, ActivityType.from_model)

    @strawberry.field(
        description="Submitted activities awaiting review, oldest submission first (staff, "
        "viewers)."
    )
    async def activity_review_queue(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> ActivityConnection:
        page = await queries.review_queue(info.context, PageArgs(first=first, after=after))
        return connection(ActivityConnection, page, ActivityType.from_model)

    @strawberry.field(
        description="Activities whose recap is overdue (see Activity.isRecapOverdue), earliest "
        "first (staff, viewers)."
    )
    async def overdue_recaps(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> ActivityConnection:
        page = await queries.overdue_recaps(info.context, PageArgs(first=first, after=after))
        return connection(ActivityConnection, page, ActivityType.from_model)

    @strawberry.field(
        description="What the chapter owns or co-hosts and that overlaps a time range, by "
        "start time: the instants [from, to), or the days fromDate to toDate (both included) "
        f"on the chapter's clock; at most {queries.CALENDAR_MAX_DAYS} days and "
        f"{queries.CALENDAR_LIMIT} activities."
    )
    async def chapter_calendar(
        self,
        info: strawberry.Info,
        chapter_id: strawberry.ID,
        start: Annotated[datetime | None, strawberry.argument(name="from")] = None,
        end: Annotated[datetime | None, strawberry.argument(name="to")] = None,
        from_date: Annotated[
            date | None, strawberry.argument(description="The first day, on the chapter's clock.")
        ] = None,
        to_date: Annotated[
            date | None, strawberry.argument(description="The last day, on the chapter's clock.")
        ] = None,
    ) -> list[ActivityType]:
        chapter = decode_id(str(chapter_id), "Chapter", "chapterId")
        rows = await queries.calendar(
            info.context, chapter, instants=(start, end), days=(from_date, to_date)
        )
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

        return await mutate(info, work, present=_activity_payload, failed=_activity_failed)

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

        return await mutate(info, work, present=_activity_payload, failed=_activity_failed)

    @strawberry.mutation(description="Submit a draft, or resubmit after changes, for review.")
    async def activity_submit(
        self, info: strawberry.Info, input: ActivitySubmitInput
    ) -> ActivityPayload:
        ctx = info.context

        async def work() -> Activity:
            activity_id = _activity_id(input.id)
            return await lifecycle.submit(ctx.session, ctx.principal, activity_id, input.comment)

        return await mutate(info, work, present=_activity_payload, failed=_activity_failed)

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

        return await mutate(info, work, present=_activity_payload, failed=_activity_failed)

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

        return await mutate(info, work, present=_activity_payload, failed=_activity_failed)

    @strawberry.mutation(description="Add to an activity's review thread.")
    async def activity_comment(
        self, info: strawberry.Info, input: ActivityCommentInput
    ) -> ActivityCommentPayload:
        ctx = info.context

        async def work() -> ActivityComment:
            activity_id = _activity_id(input.activity_id, "activityId")
            return await lifecycle.add_comment(ctx.session, ctx.principal, activity_id, input.body)

        return await mutate(
            info,
            work,
            present=lambda comment: ActivityCommentPayload(
                comment=ActivityCommentType.from_model(comment), errors=[]
            ),
            failed=lambda errors: ActivityCommentPayload(comment=None, errors=errors),
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
                ctx.session, ctx.principal, _activity_id(input.id), input.content(), input.note
            )

        return await mutate(info, work, present=_activity_payload, failed=_activity_failed)

    @strawberry.mutation(
        description="Take a wrong link out of an activity's recap: a new version of the recap "
        "without it (the owning chapter's leads, ops)."
    )
    async def activity_recap_link_remove(
        self, info: strawberry.Info, input: ActivityRecapLinkRemoveInput
    ) -> ActivityPayload:
        ctx = info.context

        async def work() -> Activity:
            return await lifecycle.remove_recap_link(
                ctx.session, ctx.principal, _activity_id(input.id), input.url, input.note
            )

        return await mutate(info, work, present=_activity_payload, failed=_activity_failed)

    @strawberry.mutation(
        description="Send an accepted activity back for changes, with the reason (ops): its "
        "leads edit and resubmit it."
    )
    async def activity_reopen(
        self, info: strawberry.Info, input: ActivityReopenInput
    ) -> ActivityPayload:
        ctx = info.context

        async def work() -> Activity:
            return await lifecycle.reopen(
                ctx.session, ctx.principal, _activity_id(input.id), input.reason
            )

        return await mutate(info, work, present=_activity_payload, failed=_activity_failed)

    @strawberry.mutation(
        description="Move an activity to new dates with a reason, at any stage short of "
        "cancelled (the owning chapter's leads, ops); kept in its scheduleChanges."
    )
    async def activity_reschedule(
        self, info: strawberry.Info, input: ActivityRescheduleInput
    ) -> ActivityPayload:
        ctx = info.context

        async def work() -> Activity:
            return await schedule.reschedule(
                ctx.session,
                ctx.principal,
                _activity_id(input.id),
                starts_at=input.starts_at,
                ends_at=UNSET if input.ends_at is strawberry.UNSET else input.ends_at,
                reason=input.reason,
            )

        return await mutate(info, work, present=_activity_payload, failed=_activity_failed)
