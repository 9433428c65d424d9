"""Which activities a caller sees, and the lists leads and ops work from.

Visibility is a SQL condition, so pages and counts never include what the caller may not read:
accepted activities are public; the others only for callers who may read unaccepted
activities of the owning chapter (staff and viewers: every chapter; leads and co-leads:
their own chapters) or of a chapter co-hosting them (leads and co-leads of the co-host).
Committee-level activities under review are staff's and viewers' (and co-hosts' leads') only.
A partner's client reads what ``chapters.authz.partners`` lets it.

The read functions (at the end) take the request's ``Reader`` and answer rows, pages and
``HistoryEntry``s with what the caller may not see already left out; the GraphQL types only
present them.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Generic, TypeVar

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    exists,
    false,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession

from chapters import authz, times
from chapters.activities.loaders import (
    co_hosts_by_activity,
    comments_by_activity,
    current_recap_by_activity,
    organisations_by_activity,
    organisers_by_activity,
    overdue_cutoff,
    overdue_cutoff_by_tenant,
    recap_history_by_activity,
    schedule_changes_by_activity,
    transitions_by_activity,
)
from chapters.auth.principal import Principal
from chapters.authz import Action, partners
from chapters.db.filters import contains_text
from chapters.db.loaders import Reader, rows_by_id
from chapters.db.pagination import Ordering, Page, PageArgs, paginate
from chapters.errors import ErrorCode, FieldError, Forbidden, InvalidInput
from chapters.models import (
    Activity,
    ActivityCoHost,
    ActivityComment,
    ActivityKind,
    ActivityOrganisation,
    ActivityParticipant,
    ActivityRecapVersion,
    ActivityScheduleChange,
    ActivityStatus,
    ActivityTransition,
    Chapter,
    Tenant,
)

T = TypeVar("T")

CALENDAR_MAX_DAYS = 366
CALENDAR_LIMIT = 1000
# A recap can be overdue only once the activity was put forward for (or passed) review.
RECAP_EXPECTED = (
    ActivityStatus.SUBMITTED,
    ActivityStatus.CHANGES_REQUESTED,
    ActivityStatus.ACCEPTED,
)


class OrderField(enum.StrEnum):
    STARTS_AT = "starts_at"
    UPDATED_AT = "updated_at"


def ordering(field: OrderField, descending: bool) -> Ordering:
    column = Activity.starts_at if field is OrderField.STARTS_AT else Activity.updated_at
    return Ordering((column, Activity.id), descending=descending)


# Oldest submission first: whoever waited longest is reviewed next.
REVIEW_QUEUE_ORDER = Ordering((Activity.submitted_at, Activity.id))
# Most overdue first (by start: multi-day activities are rare enough not to need the end).
OVERDUE_ORDER = Ordering((Activity.starts_at, Activity.id))
CALENDAR_ORDER = (Activity.starts_at, Activity.id)


@dataclass(frozen=True)
class ActivityFilter:
    chapter_id: uuid.UUID | None = None
    include_sub_chapters: bool = False
    committee_id: uuid.UUID | None = None
    kinds: tuple[ActivityKind, ...] = ()
    statuses: tuple[ActivityStatus, ...] = ()
    starts_from: datetime | None = None
    starts_before: datetime | None = None
    starts_on: tuple[date | None, date | None] | None = None  # days on the chapter's clock
    organisation_id: uuid.UUID | None = None
    participant_person_id: uuid.UUID | None = None
    text: str | None = None
    recap_overdue: bool | None = None


def ended_at() -> ColumnElement[datetime]:
    """When the activity ended: its end, or its start for activities without one."""
    return func.coalesce(Activity.ends_at, Activity.starts_at)


def unaccepted_chapters(principal: Principal | None) -> set[uuid.UUID] | None:
    """The chapters whose unaccepted activities the caller may read; None means all of them."""
    if authz.can(principal, Action.ACTIVITY_READ_UNACCEPTED):
        return None
    if principal is None:
        return set()
    return {
        chapter_id
        for chapter_id in principal.chapter_roles
        if authz.can(principal, Action.ACTIVITY_READ_UNACCEPTED, chapter_id=chapter_id)
    }


def co_hosting_chapters(principal: Principal | None) -> set[uuid.UUID]:
    """The chapters whose co-hosted activities the caller may read at every status."""
    chapter_ids = principal.chapter_roles if principal is not None else {}
    return {
        chapter_id
        for chapter_id in chapter_ids
        if authz.can(principal, Action.ACTIVITY_READ_UNACCEPTED, co_hosts=(chapter_id,))
    }


def visible(principal: Principal | None) -> ColumnElement[bool]:
    authz.require(principal, Action.ACTIVITY_READ_ACCEPTED)
    organisation = partners.partner_of(principal)
    if organisation is not None:
        return partners.visible_activities(organisation)
    chapters = unaccepted_chapters(principal)
    if chapters is None:
        return true()
    readable = [Activity.status == ActivityStatus.ACCEPTED]
    if chapters:
        readable.append(Activity.chapter_id.in_(chapters))
    co_hosting = co_hosting_chapters(principal)
    if co_hosting:
        readable.append(
            exists().where(
                ActivityCoHost.tenant_id == Activity.tenant_id,
                ActivityCoHost.activity_id == Activity.id,
                ActivityCoHost.chapter_id.in_(co_hosting),
            )
        )
    return or_(*readable)


def may_read(
    principal: Principal | None,
    activity: Activity,
    organisation_ids: Collection[uuid.UUID],
    co_hosts: frozenset[uuid.UUID] = frozenset(),
) -> bool:
    """``visible`` for one loaded activity, the organisations taking part in it and the
    chapters co-hosting it."""
    organisation = partners.partner_of(principal)
    if organisation is not None:
        return partners.may_read_activity(organisation, activity, organisation_ids)
    if activity.status == ActivityStatus.ACCEPTED:
        return authz.can(principal, Action.ACTIVITY_READ_ACCEPTED)
    return authz.can(
        principal,
        Action.ACTIVITY_READ_UNACCEPTED,
        chapter_id=activity.chapter_id,
        co_hosts=co_hosts,
    )


def may_read_thread(
    principal: Principal | None, activity: Activity, co_hosts: frozenset[uuid.UUID]
) -> bool:
    """The review thread (comments, and the comments on transitions)."""
    return any(
        authz.can(principal, action, chapter_id=activity.chapter_id, co_hosts=co_hosts)
        for action in (Action.ACTIVITY_READ_UNACCEPTED, Action.ACTIVITY_COMMENT)
    )


def descendant_ids(chapter_id: uuid.UUID) -> Select:
    """The chapter and all chapters below it (a recursive walk down ``parent_id``)."""
    start = select(Chapter.id.label("id"), literal(0).label("depth")).where(
        Chapter.id == chapter_id
    )
    down = start.cte("descendants", recursive=True)
    step = select(Chapter.id, down.c.depth + 1).join(down, Chapter.parent_id == down.c.id)
    tree = down.union_all(step.where(down.c.depth < 1000))
    return select(tree.c.id)


def credited_to(chapter_ids: Select | list[uuid.UUID]) -> ColumnElement[bool]:
    """Activities the chapters own or co-host."""
    return or_(*credit_sources(chapter_ids))


def credit_sources(
    chapter_ids: Select | list[uuid.UUID],
) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """``credited_to``'s two halves, owned and co-hosted: a page of the activities credited
    to a chapter is the best of a page of each, and each half pages on its own index
    (``compiled.build.Builder.connection``'s ``sources``)."""
    co_hosted = exists().where(
        ActivityCoHost.activity_id == Activity.id, ActivityCoHost.chapter_id.in_(chapter_ids)
    )
    return Activity.chapter_id.in_(chapter_ids), co_hosted


def credited_chapters(f: ActivityFilter) -> Select | list[uuid.UUID]:
    """The chapters a filter's activities are credited to (its chapter, and below it)."""
    assert f.chapter_id is not None
    return descendant_ids(f.chapter_id) if f.include_sub_chapters else [f.chapter_id]


def recap_overdue(cutoff: ColumnElement[datetime] | datetime) -> ColumnElement[bool]:
    return and_(
        Activity.status.in_(RECAP_EXPECTED),
        Activity.recap_published_at.is_(None),
        ended_at() < cutoff,
    )


def is_recap_overdue(activity: Activity, cutoff: datetime) -> bool:
    """``recap_overdue`` for one loaded activity."""
    ended = activity.ends_at or activity.starts_at
    return (
        activity.status in RECAP_EXPECTED and activity.recap_published_at is None and ended < cutoff
    )


def _matches_text(text: str) -> ColumnElement[bool]:
    tags = func.array_to_string(Activity.tags, " ")
    return contains_text(text, Activity.title, Activity.description, tags)


async def activity_query(reader: Reader, tenant_id: uuid.UUID, f: ActivityFilter) -> Select:
    """The activities matching the filters that the caller may read (the database is read
    only for days and overdue recaps)."""
    principal = reader.principal
    conditions = [visible(principal)]
    if f.chapter_id is not None:
        conditions.append(credited_to(credited_chapters(f)))
    if f.committee_id is not None:
        conditions.append(Activity.committee_id == f.committee_id)
    if f.kinds:
        conditions.append(Activity.kind.in_(f.kinds))
    if f.statuses:
        conditions.append(Activity.status.in_(f.statuses))
    if f.starts_from is not None:
        conditions.append(Activity.starts_at >= f.starts_from)
    if f.starts_before is not None:
        conditions.append(Activity.starts_at < f.starts_before)
    if f.starts_on is not None:
        start, end = times.days(
            *f.starts_on, await _timezone(reader.session, tenant_id, f.chapter_id)
        )
        conditions.append(Activity.starts_at >= start)
        conditions.append(Activity.starts_at < end)
    if f.organisation_id is not None:
        if partners.hides_organisation(principal, f.organisation_id):
            conditions.append(false())  # which activities another organisation joins
        conditions.append(
            exists().where(
                ActivityOrganisation.activity_id == Activity.id,
                ActivityOrganisation.organisation_id == f.organisation_id,
            )
        )
    if f.participant_person_id is not None:
        # Who took part is personal data: filtering by it would reveal it.
        authz.require(principal, Action.ACTIVITY_READ_PARTICIPANTS)
        conditions.append(
            exists().where(
                ActivityParticipant.activity_id == Activity.id,
                ActivityParticipant.person_id == f.participant_person_id,
            )
        )
    if f.text and f.text.strip():
        conditions.append(_matches_text(f.text))
    if f.recap_overdue is not None:
        overdue = recap_overdue(await overdue_cutoff(reader.session, tenant_id))
        conditions.append(overdue if f.recap_overdue else ~overdue)
    return select(Activity).where(and_(*conditions))


def review_queue_query(principal: Principal | None) -> Select:
    authz.require(principal, Action.ACTIVITY_OVERSEE)
    return select(Activity).where(visible(principal), Activity.status == ActivityStatus.SUBMITTED)


async def overdue_recaps_query(session: AsyncSession, principal: Principal | None) -> Select:
    caller = authz.require_caller(principal, Action.ACTIVITY_OVERSEE)
    cutoff = await overdue_cutoff(session, caller.tenant_id)
    return select(Activity).where(visible(principal), recap_overdue(cutoff))


async def _timezone(
    session: AsyncSession, tenant_id: uuid.UUID, chapter_id: uuid.UUID | None
) -> str:
    """The clock dates are read on: the chapter's, else the tenant's."""
    if chapter_id is not None:
        timezone = await session.scalar(select(Chapter.timezone).where(Chapter.id == chapter_id))
        if timezone is not None:
            return timezone
    return await session.scalar(select(Tenant.timezone).where(Tenant.id == tenant_id)) or "UTC"


async def calendar_range(
    session: AsyncSession,
    chapter_id: uuid.UUID,
    *,
    instants: tuple[datetime | None, datetime | None],
    days: tuple[date | None, date | None],
) -> tuple[datetime, datetime]:
    """chapterCalendar's range: the instants from/to, or the days fromDate to toDate on the
    chapter's clock, one pair or the other."""
    pair, names = (days, ("from_date", "to_date")) if any(days) else (instants, ("from", "to"))
    errors = [
        FieldError(name, ErrorCode.REQUIRED, "Give from and to, or fromDate and toDate")
        for name, value in zip(names, pair, strict=True)
        if value is None
    ]
    if any(days) and any(instants):
        errors.append(FieldError("from", ErrorCode.INVALID, "Give instants or days, not both"))
    if errors:
        raise InvalidInput(*errors)
    if pair is days:
        timezone = await session.scalar(select(Chapter.timezone).where(Chapter.id == chapter_id))
        return times.days(days[0], days[1], timezone or "UTC")
    start, end = instants
    if start is None or end is None:  # refused above: both were required
        raise InvalidInput(FieldError("from", ErrorCode.REQUIRED, "Give from and to"))
    return start, end


def calendar_query(
    principal: Principal | None, chapter_id: uuid.UUID, start: datetime, end: datetime
) -> Select:
    """What the chapter owns or co-hosts and that overlaps [start, end), by start time."""
    errors = []
    if end <= start:
        errors.append(FieldError("to", ErrorCode.INVALID, "The range must end after it starts"))
    elif end - start > timedelta(days=CALENDAR_MAX_DAYS):
        errors.append(
            FieldError("to", ErrorCode.INVALID, f"At most {CALENDAR_MAX_DAYS} days at once")
        )
    if errors:
        raise InvalidInput(*errors)
    return (
        select(Activity)
        .where(
            visible(principal),
            credited_to([chapter_id]),
            Activity.starts_at < end,
            ended_at() >= start,
        )
        .order_by(*CALENDAR_ORDER)
        .limit(CALENDAR_LIMIT)
    )


# Reading for a request. Each read takes the request's ``Reader`` and decides what of its answer
# the caller may see; the batch loads of ``loaders`` do the SQL.


@dataclass(frozen=True)
class HistoryEntry(Generic[T]):
    """A row of an activity's history as the caller reads it: ``text`` is its part of the
    review thread (a recap version's note, a move's reason, a step's comment), None for
    callers who may not read the thread."""

    row: T
    text: str | None


async def activity(reader: Reader, activity_id: uuid.UUID | None) -> Activity | None:
    """An activity by id, if the caller may read it (None, like a missing one, otherwise)."""
    if activity_id is None:
        return None
    row: Activity | None = await reader.loaders.of(rows_by_id, Activity).load(activity_id)
    if row is None:
        return None
    organisation_ids: set[uuid.UUID] = set()
    if partners.partner_of(reader.principal) is not None:
        taking_part = await reader.loaders.of(organisations_by_activity).load(row.id)
        organisation_ids = {link.organisation_id for link, _ in taking_part}
    co_hosts = await co_host_ids(reader, row)
    return row if may_read(reader.principal, row, organisation_ids, co_hosts) else None


async def co_host_ids(reader: Reader, activity: Activity) -> frozenset[uuid.UUID]:
    """The chapters co-hosting the activity, when they can matter to the caller's roles
    (``service.co_hosts_of`` through the request's loader)."""
    if not authz.co_hosts_matter(reader.principal):
        return frozenset()
    chapters = await co_hosts(reader, activity)
    return frozenset(chapter.id for chapter in chapters)


async def may_on(reader: Reader, activity: Activity, action: Action) -> bool:
    """``service.may_on`` through the request's loaders: the owning chapter, the co-hosts
    and, for the actions organisers may take, the people organising the activity."""
    principal = reader.principal
    co_hosts = await co_host_ids(reader, activity)
    if authz.can(principal, action, chapter_id=activity.chapter_id, co_hosts=co_hosts):
        return True
    if not authz.organisers_matter(principal, action):
        return False
    organisers = await reader.loaders.of(organisers_by_activity).load(activity.id)
    return authz.can(principal, action, chapter_id=activity.chapter_id, organisers=organisers)


async def co_hosts(reader: Reader, activity: Activity) -> list[Chapter]:
    """The chapters co-hosting the activity, by name."""
    chapters: list[Chapter] = await reader.loaders.of(co_hosts_by_activity).load(activity.id)
    return chapters


async def organisations(
    reader: Reader, activity: Activity
) -> list[tuple[ActivityOrganisation, str]]:
    """The organisations taking part, each with its name, by name; a partner's client sees
    its own organisation only."""
    rows: list[tuple[ActivityOrganisation, str]] = await reader.loaders.of(
        organisations_by_activity
    ).load(activity.id)
    return [
        (link, name)
        for link, name in rows
        if not partners.hides_organisation(reader.principal, link.organisation_id)
    ]


async def may_read_thread_of(reader: Reader, activity: Activity) -> bool:
    """Whether the caller reads the activity's review thread (its owning and co-hosting
    chapters decide)."""
    return may_read_thread(reader.principal, activity, await co_host_ids(reader, activity))


async def current_recap(
    reader: Reader, activity: Activity
) -> HistoryEntry[ActivityRecapVersion] | None:
    """The current recap (its latest version), with its note for callers who read the
    review thread; None before one is published."""
    version: ActivityRecapVersion | None = await reader.loaders.of(current_recap_by_activity).load(
        activity.id
    )
    if version is None:
        return None
    thread = await may_read_thread_of(reader, activity)
    return HistoryEntry(version, version.note if thread else None)


async def recap_history(
    reader: Reader, activity: Activity, args: PageArgs
) -> Page[HistoryEntry[ActivityRecapVersion]]:
    """Every published version of the recap, the first first."""
    page: Page[ActivityRecapVersion] = await reader.loaders.of(
        recap_history_by_activity, args
    ).load(activity.id)
    thread = await may_read_thread_of(reader, activity)
    return page.map(lambda version: HistoryEntry(version, version.note if thread else None))


async def schedule_changes(
    reader: Reader, activity: Activity, args: PageArgs
) -> Page[HistoryEntry[ActivityScheduleChange]]:
    """Every move to new dates, oldest first, with its reason for callers who read the
    review thread."""
    page: Page[ActivityScheduleChange] = await reader.loaders.of(
        schedule_changes_by_activity, args
    ).load(activity.id)
    thread = await may_read_thread_of(reader, activity)
    return page.map(lambda change: HistoryEntry(change, change.reason if thread else None))


async def transitions(reader: Reader, activity: Activity) -> list[HistoryEntry[ActivityTransition]]:
    """Every status change, oldest first, with its comment for callers who read the review
    thread."""
    rows: list[ActivityTransition] = await reader.loaders.of(transitions_by_activity).load(
        activity.id
    )
    thread = await may_read_thread_of(reader, activity)
    return [HistoryEntry(step, step.comment if thread else None) for step in rows]


async def comments(reader: Reader, activity: Activity, args: PageArgs) -> Page[ActivityComment]:
    """The review thread, oldest first: FORBIDDEN for callers who may neither read
    unaccepted activities of its chapters nor comment."""
    if not await may_read_thread_of(reader, activity):
        raise Forbidden(Action.ACTIVITY_COMMENT.value)
    page: Page[ActivityComment] = await reader.loaders.of(comments_by_activity, args).load(
        activity.id
    )
    return page


async def recap_is_overdue(reader: Reader, activity: Activity) -> bool:
    """``is_recap_overdue`` by the activity's tenant's rule and the database clock."""
    cutoff: datetime = await reader.loaders.of(overdue_cutoff_by_tenant).load(activity.tenant_id)
    return is_recap_overdue(activity, cutoff)


async def activities(
    reader: Reader,
    tenant_id: uuid.UUID,
    filters: ActivityFilter,
    order: OrderField,
    descending: bool,
    args: PageArgs,
) -> Page[Activity]:
    """A page of the activities matching the filters that the caller may read."""
    statement = await activity_query(reader, tenant_id, filters)
    return await paginate(reader.session, statement, ordering(order, descending), args)


async def review_queue(reader: Reader, args: PageArgs) -> Page[Activity]:
    """Submitted activities awaiting review, oldest submission first (staff, viewers)."""
    statement = review_queue_query(reader.principal)
    return await paginate(reader.session, statement, REVIEW_QUEUE_ORDER, args)


async def overdue_recaps(reader: Reader, args: PageArgs) -> Page[Activity]:
    """Activities whose recap is overdue, most overdue first (staff, viewers)."""
    statement = await overdue_recaps_query(reader.session, reader.principal)
    return await paginate(reader.session, statement, OVERDUE_ORDER, args)


async def calendar(
    reader: Reader,
    chapter_id: uuid.UUID,
    *,
    instants: tuple[datetime | None, datetime | None],
    days: tuple[date | None, date | None],
) -> list[Activity]:
    """What the chapter owns or co-hosts in the range (see ``calendar_range``), by start."""
    start, end = await calendar_range(reader.session, chapter_id, instants=instants, days=days)
    rows = await reader.session.scalars(calendar_query(reader.principal, chapter_id, start, end))
    return list(rows)
