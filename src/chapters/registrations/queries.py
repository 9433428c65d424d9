"""Reads of registrations for a request (``Reader``): the counts everyone sees, the
registrants the organisers and staff see, one's own registrations.

Batch functions (``reader.loaders.of(...)``) answer many activities in one statement each.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import segno
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.activities import queries as activity_queries
from chapters.authz import Action
from chapters.db.loaders import Reader, rows_by_id
from chapters.db.pagination import Ordering, Page, PageArgs, paginate, paginate_per_parent
from chapters.errors import Forbidden
from chapters.models import Activity, Chapter, Person, Registration, RegistrationStatus
from chapters.registrations.service import LIVE, registration_refusal, utc_now

REGISTRANT_ORDER = Ordering((Registration.created_at, Registration.id))
OWN_ORDER = Ordering((Registration.created_at, Registration.id), descending=True)


@dataclass(frozen=True)
class Counts:
    seats_taken: int = 0
    waitlisted: int = 0
    pending: int = 0
    checked_in: int = 0


@dataclass(frozen=True)
class Summary:
    capacity: int | None
    open: bool
    public: bool
    refusal: str | None  # why it takes no registration now
    counts: Counts


async def counts_by_activity(
    session: AsyncSession, activity_ids: Sequence[uuid.UUID]
) -> list[Counts]:
    S = RegistrationStatus
    result = await session.execute(
        select(
            Registration.activity_id,
            func.count().filter(Registration.status == S.CONFIRMED),
            func.count().filter(Registration.status == S.WAITLISTED),
            func.count().filter(Registration.status == S.PENDING),
            func.count().filter(Registration.checked_in_at.is_not(None)),
        )
        .where(Registration.activity_id.in_(activity_ids))
        .group_by(Registration.activity_id)
    )
    found = {row[0]: Counts(*row[1:]) for row in result}
    return [found.get(activity_id, Counts()) for activity_id in activity_ids]


async def own_by_activity(
    session: AsyncSession, person_id: uuid.UUID, activity_ids: Sequence[uuid.UUID]
) -> list[Registration | None]:
    """The person's live registration of each activity."""
    rows = await session.scalars(
        select(Registration).where(
            Registration.person_id == person_id,
            Registration.activity_id.in_(activity_ids),
            Registration.status.in_(LIVE),
        )
    )
    found = {row.activity_id: row for row in rows}
    return [found.get(activity_id) for activity_id in activity_ids]


async def summary(reader: Reader, activity: Activity) -> Summary:
    counts: Counts = await reader.loaders.of(counts_by_activity).load(activity.id)
    chapter = None
    if activity.chapter_id is not None:
        chapter = await reader.loaders.of(rows_by_id, Chapter).load(activity.chapter_id)
    return Summary(
        capacity=activity.capacity,
        open=activity.registration_open,
        public=bool(chapter is not None and chapter.public_registration),
        refusal=registration_refusal(activity, utc_now()),
        counts=counts,
    )


async def viewer_registration(reader: Reader, activity: Activity) -> Registration | None:
    principal = reader.principal
    if principal is None or principal.person_id is None:
        return None
    found: Registration | None = await reader.loaders.of(own_by_activity, principal.person_id).load(
        activity.id
    )
    return found


async def may_read_registrants(reader: Reader, activity: Activity) -> bool:
    """The activity's organisers (its chapter's leads, co-hosting chapters' leads, the people
    listed as its organisers or hosts) and staff."""
    return await activity_queries.may_on(reader, activity, Action.REGISTRATION_READ)


async def registrants_by_activity(
    session: AsyncSession,
    args: PageArgs,
    statuses: tuple[RegistrationStatus, ...],
    activity_ids: Sequence[uuid.UUID],
) -> list[Page[Registration]]:
    """The same page of registrants for each activity, in one statement."""
    statement = select(Registration)
    if statuses:
        statement = statement.where(Registration.status.in_(statuses))
    pages: list[Page[Registration]] = await paginate_per_parent(
        session, statement, Registration.activity_id, activity_ids, REGISTRANT_ORDER, args
    )
    return pages


async def registrants(
    reader: Reader, activity: Activity, args: PageArgs, statuses: Sequence[RegistrationStatus]
) -> Page[Registration]:
    """The activity's registrations in the order they came: its organisers' and staff's."""
    if not await may_read_registrants(reader, activity):
        raise Forbidden(Action.REGISTRATION_READ.value)
    key = tuple(sorted(set(statuses)))
    page: Page[Registration] = await reader.loaders.of(
        registrants_by_activity, args.checked(), key
    ).load(activity.id)
    return page


async def own_registrations(reader: Reader, args: PageArgs) -> Page[Registration]:
    """The caller's registrations, the latest first."""
    principal = reader.principal
    if principal is None or principal.person_id is None:
        raise Forbidden("read one's registrations")
    statement = select(Registration).where(Registration.person_id == principal.person_id)
    page: Page[Registration] = await paginate(reader.session, statement, OWN_ORDER, args)
    return page


async def may_see(reader: Reader, registration: Registration) -> bool:
    """The registrant themself, and the activity's organisers and staff."""
    principal = reader.principal
    if principal is None:
        return False
    if principal.person_id is not None and registration.person_id == principal.person_id:
        return True
    activity = await reader.loaders.of(rows_by_id, Activity).load(registration.activity_id)
    return activity is not None and await may_read_registrants(reader, activity)


async def registration(reader: Reader, registration_id: uuid.UUID | None) -> Registration | None:
    """A registration by id, for those who may see it (else None, as if missing)."""
    if registration_id is None:
        return None
    found: Registration | None = await reader.loaders.of(rows_by_id, Registration).load(
        registration_id
    )
    if found is None or not await may_see(reader, found):
        return None
    return found


async def registrant_contact(
    reader: Reader, registration: Registration
) -> tuple[str | None, str | None]:
    """(name, email): a public registrant's own, a person's from their record."""
    if registration.person_id is None:
        return registration.name, registration.email
    person: Person | None = await reader.loaders.of(rows_by_id, Person).load(registration.person_id)
    if person is None:
        return None, None
    return person.display_name, person.email


def check_in_qr_svg(code: str) -> str:
    """The check-in code as a QR code (the code itself, as organisers would type it), an SVG
    element a page shows at the door."""
    qr = segno.make_qr(code, error="m")
    svg: str = qr.svg_inline(scale=4, border=2)
    return svg
