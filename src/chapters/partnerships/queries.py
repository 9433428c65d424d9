"""What may be read of partner agreements and case users, and by whom.

Agreements: staff; a partner's client reads its own organisation's (``authz.partners``), never
the staff's notes. Case users: anyone reads the public list, which holds those with a current
permission to publish (granted, not withdrawn) and only their public fields; a partner's client
reads its own organisation's story, published or not; staff read every story, their notes and
the permission's record (who granted it, who recorded it).

An agreement's status is shown as it is on the day asked: an active agreement whose end date
has passed reads ``expired`` though nobody recorded it (filters agree).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, select

from chapters import authz
from chapters.authz import Action
from chapters.authz.partners import (
    may_read_linked,
    partner_of,
    visible_agreements,
    visible_case_users,
)
from chapters.db.loaders import Reader, rows_by_id
from chapters.db.pagination import Ordering, Page, PageArgs, paginate
from chapters.errors import ErrorCode, FieldError, InvalidInput
from chapters.models import Organisation
from chapters.models.partnership import AgreementStatus, CaseUser, PartnerAgreement
from chapters.partnerships.loaders import activity_ids_by_case_user

AGREEMENT_ORDER = Ordering((PartnerAgreement.created_at, PartnerAgreement.id))
CASE_USER_ORDER = Ordering((CaseUser.created_at, CaseUser.id))
MAX_RENEWAL_WINDOW = 3660  # days: ten years ahead


def today() -> date:
    return datetime.now(UTC).date()


def effective_status(agreement: PartnerAgreement, on: date | None = None) -> AgreementStatus:
    """The status as of ``on`` (today): an active agreement past its end date is expired."""
    day = on or today()
    if (
        agreement.status == AgreementStatus.ACTIVE
        and agreement.ends_on is not None
        and agreement.ends_on < day
    ):
        return AgreementStatus.EXPIRED
    return agreement.status


def _status_is(status: AgreementStatus, day: date) -> ColumnElement[bool]:
    """``effective_status(...) == status`` as SQL."""
    ran_out = and_(
        PartnerAgreement.status == AgreementStatus.ACTIVE,
        PartnerAgreement.ends_on.is_not(None),
        PartnerAgreement.ends_on < day,
    )
    if status == AgreementStatus.EXPIRED:
        return or_(PartnerAgreement.status == AgreementStatus.EXPIRED, ran_out)
    if status == AgreementStatus.ACTIVE:
        return and_(PartnerAgreement.status == AgreementStatus.ACTIVE, ~ran_out)
    return PartnerAgreement.status == status


def is_published(case_user: CaseUser, on: date | None = None) -> bool:
    """Whether the case user's permission to publish holds on ``on`` (today)."""
    day = on or today()
    granted = case_user.permission_granted_on
    withdrawn = case_user.permission_withdrawn_on
    return granted is not None and granted <= day and (withdrawn is None or withdrawn > day)


def published(day: date) -> ColumnElement[bool]:
    """``is_published`` as SQL."""
    return and_(
        CaseUser.permission_granted_on.is_not(None),
        CaseUser.permission_granted_on <= day,
        or_(CaseUser.permission_withdrawn_on.is_(None), CaseUser.permission_withdrawn_on > day),
    )


def may_read_private(reader: Reader) -> bool:
    """Notes and the record of a permission (who granted it, who recorded it): staff only."""
    return authz.can(reader.principal, Action.ORGANISATION_READ_PRIVATE)


@dataclass(frozen=True)
class AgreementFilter:
    organisation_id: uuid.UUID | None = None
    relationship_id: uuid.UUID | None = None
    statuses: tuple[AgreementStatus, ...] = ()
    renewal_within_days: int | None = None  # renewal due from today to this many days ahead

    def conditions(self, day: date) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if self.organisation_id is not None:
            conditions.append(PartnerAgreement.organisation_id == self.organisation_id)
        if self.relationship_id is not None:
            conditions.append(PartnerAgreement.relationship_id == self.relationship_id)
        if self.statuses:
            conditions.append(or_(*(_status_is(status, day) for status in self.statuses)))
        if self.renewal_within_days is not None:
            if not 0 <= self.renewal_within_days <= MAX_RENEWAL_WINDOW:
                message = f"Use 0 to {MAX_RENEWAL_WINDOW} days"
                raise InvalidInput(
                    FieldError("filter.renewal_within_days", ErrorCode.INVALID, message)
                )
            conditions.append(PartnerAgreement.renews_on >= day)
            conditions.append(
                PartnerAgreement.renews_on <= day + timedelta(days=self.renewal_within_days)
            )
        return conditions


async def agreements(
    reader: Reader, filters: AgreementFilter, args: PageArgs
) -> Page[PartnerAgreement]:
    """The agreements matching the filters, oldest first."""
    authz.require(reader.principal, Action.AGREEMENT_READ)
    conditions = filters.conditions(today())
    partner = partner_of(reader.principal)
    if partner is not None:
        conditions.append(visible_agreements(partner))
    statement = select(PartnerAgreement).where(*conditions)
    return await paginate(reader.session, statement, AGREEMENT_ORDER, args)


async def agreement(reader: Reader, agreement_id: uuid.UUID | None) -> PartnerAgreement | None:
    if agreement_id is None or not authz.can(reader.principal, Action.AGREEMENT_READ):
        return None
    row: PartnerAgreement | None = await reader.loaders.of(rows_by_id, PartnerAgreement).load(
        agreement_id
    )
    partner = partner_of(reader.principal)
    if row is None or (partner is not None and not may_read_linked(partner, row.organisation_id)):
        return None
    return row


def _reads_every_story(reader: Reader) -> bool:
    return (
        authz.can(reader.principal, Action.CASE_USER_READ) and partner_of(reader.principal) is None
    )


async def case_users(reader: Reader, published_only: bool | None, args: PageArgs) -> Page[CaseUser]:
    """Staff: every case user (``published_only``: true, only those on the public list;
    false, only the others). A partner's client: its own organisation's. Anyone else: the
    public list."""
    authz.require(reader.principal, Action.CASE_USER_READ_PUBLISHED)
    day = today()
    conditions: list[ColumnElement[bool]] = []
    partner = partner_of(reader.principal)
    if partner is not None:
        conditions.append(visible_case_users(partner))
    elif not _reads_every_story(reader) or published_only:
        conditions.append(published(day))
    elif published_only is False:
        conditions.append(~published(day))
    statement = select(CaseUser).where(*conditions)
    return await paginate(reader.session, statement, CASE_USER_ORDER, args)


async def case_user(reader: Reader, case_user_id: uuid.UUID | None) -> CaseUser | None:
    """One case user, as ``case_users`` would list it to the caller."""
    if case_user_id is None or not authz.can(reader.principal, Action.CASE_USER_READ_PUBLISHED):
        return None
    row: CaseUser | None = await reader.loaders.of(rows_by_id, CaseUser).load(case_user_id)
    if row is None:
        return None
    partner = partner_of(reader.principal)
    if partner is not None:
        return row if may_read_linked(partner, row.organisation_id) else None
    if _reads_every_story(reader) or is_published(row):
        return row
    return None


async def organisation_of(reader: Reader, organisation_id: uuid.UUID) -> Organisation | None:
    """The organisation of a case user or agreement the caller may read: its name and
    website are part of what they read (the public list names its case users)."""
    row: Organisation | None = await reader.loaders.of(rows_by_id, Organisation).load(
        organisation_id
    )
    return row


async def activity_ids(reader: Reader, case_user_id: uuid.UUID) -> list[uuid.UUID]:
    """The activities linked to a case user the caller may read, in the story's order (each
    still shown only if the caller may read it)."""
    ids: list[uuid.UUID] = await reader.loaders.of(activity_ids_by_case_user).load(case_user_id)
    return ids
