"""Which activities a caller sees, and the lists leads and ops work from.

Visibility is a SQL condition, so pages and counts never include what the caller may not read:
accepted activities are public; the others only for callers who may read unaccepted
activities of the owning chapter (staff and viewers: every chapter; leads and co-leads:
their own chapters) or of a chapter co-hosting them (leads and co-leads of the co-host).
Committee-level activities under review are staff's and viewers' (and co-hosts' leads') only.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

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
from chapters.api.pagination import Ordering
from chapters.auth.principal import Principal
from chapters.authz import Action
from chapters.errors import ErrorCode, FieldError, InvalidInput
from chapters.models import (
    Activity,
    ActivityCoHost,
    ActivityKind,
    ActivityOrganisation,
    ActivityParticipant,
    ActivityStatus,
    Chapter,
    Tenant,
)
from chapters.tenants.service import recap_overdue_days

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
    organisation_id = principal.partner_organisation_id if principal else None
    if organisation_id is not None:
        # A partner sees the accepted activities its organisation takes part in, nothing else.
        return and_(
            Activity.status == ActivityStatus.ACCEPTED,
            exists().where(
                ActivityOrganisation.tenant_id == Activity.tenant_id,
                ActivityOrganisation.activity_id == Activity.id,
                ActivityOrganisation.organisation_id == organisation_id,
            ),
        )
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
    organisation_ids: set[uuid.UUID],
    co_hosts: frozenset[uuid.UUID] = frozenset(),
) -> bool:
    """``visible`` for one loaded activity, the organisations taking part in it and the
    chapters co-hosting it."""
    if principal is not None and principal.partner_organisation_id is not None:
        return (
            activity.status == ActivityStatus.ACCEPTED
            and principal.partner_organisation_id in organisation_ids
        )
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
    down = select(Chapter.id.label("id"), literal(0).label("depth")).where(Chapter.id == chapter_id)
    down = down.cte("descendants", recursive=True)
    step = select(Chapter.id, down.c.depth + 1).join(down, Chapter.parent_id == down.c.id)
    down = down.union_all(step.where(down.c.depth < 1000))
    return select(down.c.id)


def credited_to(chapter_ids: Select | list[uuid.UUID]) -> ColumnElement[bool]:
    """Activities the chapters own or co-host."""
    co_hosted = exists().where(
        ActivityCoHost.activity_id == Activity.id, ActivityCoHost.chapter_id.in_(chapter_ids)
    )
    return or_(Activity.chapter_id.in_(chapter_ids), co_hosted)


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


async def overdue_cutoff(session: AsyncSession, tenant_id: uuid.UUID) -> datetime:
    """Activities that ended before this moment and have no recap are overdue (the database
    clock, so that lists and each activity's ``isRecapOverdue`` agree)."""
    tenant, now = (
        await session.execute(select(Tenant, func.now()).where(Tenant.id == tenant_id))
    ).one()
    return now - timedelta(days=recap_overdue_days(tenant))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _matches_text(text: str) -> ColumnElement[bool]:
    pattern = f"%{_escape_like(text.strip())}%"
    return or_(
        Activity.title.ilike(pattern, escape="\\"),
        Activity.description.ilike(pattern, escape="\\"),
        func.array_to_string(Activity.tags, " ").ilike(pattern, escape="\\"),
    )


async def activity_query(
    session: AsyncSession, principal: Principal | None, tenant_id: uuid.UUID, f: ActivityFilter
) -> Select:
    """The activities matching the filters that the caller may read."""
    conditions = [visible(principal)]
    if f.chapter_id is not None:
        chapters = descendant_ids(f.chapter_id) if f.include_sub_chapters else [f.chapter_id]
        conditions.append(credited_to(chapters))
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
        start, end = times.days(*f.starts_on, await _timezone(session, tenant_id, f.chapter_id))
        conditions.append(Activity.starts_at >= start)
        conditions.append(Activity.starts_at < end)
    if f.organisation_id is not None:
        if authz.hides_organisation(principal, f.organisation_id):
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
        overdue = recap_overdue(await overdue_cutoff(session, tenant_id))
        conditions.append(overdue if f.recap_overdue else ~overdue)
    return select(Activity).where(and_(*conditions))


def review_queue_query(principal: Principal | None) -> Select:
    authz.require(principal, Action.ACTIVITY_OVERSEE)
    return select(Activity).where(visible(principal), Activity.status == ActivityStatus.SUBMITTED)


async def overdue_recaps_query(session: AsyncSession, principal: Principal | None) -> Select:
    authz.require(principal, Action.ACTIVITY_OVERSEE)
    cutoff = await overdue_cutoff(session, principal.tenant_id)
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
    pair, names = (days, ("fromDate", "toDate")) if any(days) else (instants, ("from", "to"))
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
    return instants[0], instants[1]  # type: ignore[return-value]


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
