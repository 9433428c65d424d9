"""What may be read of people, and by whom: a person's profile, their email and sign-in
identities, the directory search, and the caller's own pending account changes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, exists, func, or_, select, true

from chapters import authz
from chapters.authz import Action
from chapters.db.filters import contains_text
from chapters.db.loaders import Reader, rows_by_id
from chapters.db.pagination import Ordering, Page, PageArgs, paginate
from chapters.memberships.loaders import chapters_by_person
from chapters.models import (
    ChapterMembership,
    EmailChangeRequest,
    IdentityLinkRequest,
    Person,
    PersonIdentity,
    PersonSegment,
    PersonStatus,
)
from chapters.people import confirmations
from chapters.people.loaders import identities_by_person

SEARCH_ORDER = Ordering((Person.display_name, Person.id))


async def person(reader: Reader, person_id: uuid.UUID | None) -> Person | None:
    """A person by id, for those who may read people's profiles: signed-in members of the
    tenant and service clients, never anonymous callers or partners."""
    if person_id is None or not authz.can(reader.principal, Action.PERSON_READ_PROFILE):
        return None
    row: Person | None = await reader.loaders.of(rows_by_id, Person).load(person_id)
    if row is None or not await _may_see(reader, row):
        return None
    return row


async def _may_see(reader: Reader, row: Person) -> bool:
    """``authz.can_see_person``; the chapters are loaded only for a lead looking at someone
    invited by email who has not accepted yet."""
    principal = reader.principal
    invited = row.status == PersonStatus.INVITED
    if authz.can_see_person(principal, row.id, invited):
        return True
    if not invited or not authz.chapter_ids_led_by(principal):
        return False
    chapters = await reader.loaders.of(chapters_by_person).load(row.id)
    return authz.can_see_person(principal, row.id, invited, chapters.any_status)


async def email(reader: Reader, person_id: uuid.UUID, address: str) -> str | None:
    """The person's email ``address`` if the caller may see it (``authz.can_see_email``):
    staff, the person, and leads and co-leads of a chapter the person belongs to or that
    invited them by this address; else None. The chapters are loaded only for leads."""
    principal = reader.principal
    if authz.can(principal, Action.PERSON_READ_EMAIL, person_id=person_id):
        return address
    if not authz.chapter_ids_led_by(principal):
        return None
    chapters = await reader.loaders.of(chapters_by_person).load(person_id)
    visible = authz.can_see_email(
        principal, person_id, chapters.active, chapters.invited_with_this_email
    )
    return address if visible else None


async def identities(reader: Reader, person_id: uuid.UUID) -> list[PersonIdentity] | None:
    """The person's linked sign-in identities, oldest link first, for tenant admins and the
    person; None for everyone else."""
    if not authz.can(reader.principal, Action.PERSON_READ_IDENTITIES, person_id=person_id):
        return None
    rows: list[PersonIdentity] = await reader.loaders.of(identities_by_person).load(person_id)
    return rows


@dataclass(frozen=True)
class PersonFilter:
    text: str | None = None
    segment: PersonSegment | None = None
    tag: str | None = None
    city: str | None = None

    def conditions(self, *, match_email: bool) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        text = (self.text or "").strip()
        if text:
            columns = [Person.display_name, Person.github_handle]
            if match_email:
                columns.append(Person.email)
            conditions.append(contains_text(text, *columns))
        if self.segment is not None:
            conditions.append(Person.segments.contains([PersonSegment(self.segment).value]))
        tag = (self.tag or "").strip()
        if tag:
            conditions.append(_has_tag(tag))
        city = (self.city or "").strip()
        if city:
            conditions.append(func.lower(Person.city) == city.lower())
        return conditions


def _has_tag(tag: str) -> ColumnElement[bool]:
    """Tags match case-insensitively, as they are de-duplicated."""
    tags = func.unnest(Person.tags).table_valued("value").render_derived()
    return exists(select(tags.c.value).where(func.lower(tags.c.value) == tag.lower()))


async def search(reader: Reader, filters: PersonFilter, args: PageArgs) -> Page[Person]:
    """One page of the people matching the filters, by display name, for signed-in people.
    Only callers who may see every email match ``text`` against emails: for anyone else a
    search would reveal them."""
    principal = reader.principal
    authz.require(principal, Action.PERSON_SEARCH)
    match_email = authz.can(principal, Action.PERSON_READ_EMAIL)
    conditions = [*filters.conditions(match_email=match_email), listed_to(reader)]
    statement = select(Person).where(and_(*conditions))
    return await paginate(reader.session, statement, SEARCH_ORDER, args)


def listed_to(reader: Reader) -> ColumnElement[bool]:
    """``authz.can_see_person`` as a condition: people invited by email who have not
    accepted yet are listed only to staff, themself and the leads of the inviting chapters."""
    principal = reader.principal
    if authz.can(principal, Action.PERSON_READ_INVITED):
        return true()
    led = authz.chapter_ids_led_by(principal)
    invited_here = exists().where(
        ChapterMembership.person_id == Person.id, ChapterMembership.chapter_id.in_(led)
    )
    own = principal.person_id if principal else None
    return or_(Person.status == PersonStatus.ACTIVE, Person.id == own, invited_here)


async def pending_identity_links(reader: Reader, person_id: uuid.UUID) -> list[IdentityLinkRequest]:
    """The sign-in identities proposed for the person (the caller: see ``Viewer``)."""
    return await confirmations.pending_identity_links(reader.session, person_id)


async def pending_email_change(reader: Reader, person_id: uuid.UUID) -> EmailChangeRequest | None:
    """The person's requested email change, until confirmed or expired."""
    return await confirmations.pending_email_change(reader.session, person_id)
