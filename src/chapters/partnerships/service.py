"""Use cases on partner agreements and case users (staff only). Services validate, ask the
policy, write, and never commit.

Agreements are history, like the relationships they are signed on: one that ends is set to
``expired`` or ``terminated`` and stays listed. A terminated agreement is final: a new
agreement is a new row. A case user's publication permission is granted and withdrawn on
dates, each recorded with the staff member who recorded it; the audit log keeps every
earlier grant and withdrawal.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters import authz
from chapters.auth.principal import Principal
from chapters.authz import Action
from chapters.changes import UNSET, Change, Changes
from chapters.db.session import flush_unique, get_row
from chapters.errors import ErrorCode, FieldError, InvalidInput, NotFound
from chapters.models import Activity, ActivityStatus, OrganisationContact, OrganisationRelationship
from chapters.models.partnership import (
    AgreementKind,
    AgreementStatus,
    CaseUser,
    CaseUserActivity,
    PartnerAgreement,
)
from chapters.organisations.service import get_organisation
from chapters.validation import (
    check_date_order,
    check_length,
    check_web_url,
    clean_text,
    is_storable,
    required_text,
)

NOTES_LIMIT = 5000
STORY_LIMIT = 20000
SCALE_LIMIT = 500
NAME_LIMIT = 200
PRODUCT_LIMIT = 100  # characters of a product's name or version
MAX_PRODUCTS = 50
MAX_ACTIVITIES = 50


@dataclass(frozen=True, kw_only=True)
class AgreementFields(Changes):
    """Agreement fields; in updates, UNSET leaves a field as it is and None clears it."""

    kind: Change[AgreementKind | None] = UNSET
    status: Change[AgreementStatus | None] = UNSET
    starts_on: Change[date | None] = UNSET
    ends_on: Change[date | None] = UNSET
    renews_on: Change[date | None] = UNSET
    document_url: Change[str | None] = UNSET
    notes: Change[str | None] = UNSET


@dataclass(frozen=True)
class ProductEntry:
    product: str
    version: str | None = None


@dataclass(frozen=True, kw_only=True)
class CaseUserFields(Changes):
    products: Change[Sequence[ProductEntry] | None] = UNSET
    scale: Change[str | None] = UNSET
    story: Change[str | None] = UNSET
    logo_url: Change[str | None] = UNSET
    activity_ids: Change[Sequence[uuid.UUID] | None] = UNSET
    notes: Change[str | None] = UNSET


# --- agreements -----------------------------------------------------------------------------


async def get_agreement(
    session: AsyncSession, agreement_id: uuid.UUID, field: str = "id", *, lock: bool = False
) -> PartnerAgreement:
    return await get_row(session, PartnerAgreement, agreement_id, "Agreement", field, lock=lock)


def _agreement_values(fields: AgreementFields, *, creating: bool) -> dict[str, Any]:
    values = fields.given_to_create() if creating else fields.given()
    for name in ("document_url", "notes"):
        if name in values:
            values[name] = clean_text(values[name])
    return values


def _check_agreement(values: dict[str, Any], *, creating: bool) -> list[FieldError]:
    errors: list[FieldError] = []
    for name in ("kind", "status"):
        if (creating or name in values) and values.get(name) is None:
            errors.append(FieldError(name, ErrorCode.REQUIRED, f"An agreement needs a {name}"))
    errors += check_web_url(values.get("document_url"), "document_url")
    errors += check_length(values.get("notes"), "notes", NOTES_LIMIT)
    return errors


_DATED = ("status", "starts_on", "ends_on", "renews_on")


def _check_dates(dated: dict[str, Any], changed: set[str]) -> list[FieldError]:
    """The dates as they will be (``dated``: status and dates): an end before the start is
    refused on whichever of the two the caller changed; an active agreement needs its start."""
    starts_on, ends_on, renews_on = dated["starts_on"], dated["ends_on"], dated["renews_on"]
    field = "starts_on" if "starts_on" in changed and "ends_on" not in changed else "ends_on"
    errors = check_date_order(starts_on, ends_on, field)
    if renews_on is not None and starts_on is not None and renews_on < starts_on:
        errors.append(FieldError("renews_on", ErrorCode.INVALID, "Cannot renew before it starts"))
    if dated["status"] == AgreementStatus.ACTIVE and starts_on is None:
        errors.append(
            FieldError("starts_on", ErrorCode.REQUIRED, "An active agreement needs its start")
        )
    return errors


async def add_agreement(
    session: AsyncSession,
    principal: Principal | None,
    relationship_id: uuid.UUID,
    fields: AgreementFields,
) -> PartnerAgreement:
    """Record an agreement signed (or being negotiated) on a relationship."""
    authz.require(principal, Action.AGREEMENT_MANAGE)
    relationship = await get_row(
        session, OrganisationRelationship, relationship_id, "Relationship", "relationship_id"
    )
    values = _agreement_values(fields, creating=True)
    values.setdefault("status", AgreementStatus.DRAFT)
    errors = _check_agreement(values, creating=True)
    errors += _check_dates({name: values.get(name) for name in _DATED}, set(values))
    if errors:
        raise InvalidInput(*errors)
    agreement = PartnerAgreement(
        relationship_id=relationship.id, organisation_id=relationship.organisation_id, **values
    )
    session.add(agreement)
    await session.flush()
    return agreement


async def update_agreement(
    session: AsyncSession,
    principal: Principal | None,
    agreement_id: uuid.UUID,
    fields: AgreementFields,
) -> PartnerAgreement:
    """Change an agreement's kind, status, dates, document or notes. A terminated agreement
    stays terminated (its notes may still be edited)."""
    authz.require(principal, Action.AGREEMENT_MANAGE)
    agreement = await get_agreement(session, agreement_id, lock=True)
    values = _agreement_values(fields, creating=False)
    errors = _check_agreement(values, creating=False)
    if agreement.status == AgreementStatus.TERMINATED and set(values) - {"notes"}:
        errors.append(
            FieldError(
                "status",
                ErrorCode.CONFLICT,
                "This agreement was terminated: record a new agreement instead",
            )
        )
    dated = {name: values.get(name, getattr(agreement, name)) for name in _DATED}
    errors += _check_dates(dated, set(values))
    if errors:
        raise InvalidInput(*errors)
    for key, value in values.items():
        setattr(agreement, key, value)
    await session.flush()
    return agreement


# --- case users -----------------------------------------------------------------------------


async def get_case_user(
    session: AsyncSession, case_user_id: uuid.UUID, field: str = "id", *, lock: bool = False
) -> CaseUser:
    return await get_row(session, CaseUser, case_user_id, "Case user", field, lock=lock)


def _products(
    entries: Sequence[ProductEntry] | None,
) -> tuple[list[dict[str, Any]], list[FieldError]]:
    entries = entries or ()
    errors: list[FieldError] = []
    if len(entries) > MAX_PRODUCTS:
        errors.append(FieldError("products", ErrorCode.INVALID, f"At most {MAX_PRODUCTS} products"))
        return [], errors
    products: list[dict[str, Any]] = []
    for index, entry in enumerate(entries):
        errors += required_text(entry.product, f"products.{index}.product", PRODUCT_LIMIT)
        errors += check_length(entry.version, f"products.{index}.version", PRODUCT_LIMIT)
        for name, value in (("product", entry.product), ("version", entry.version)):
            if value is not None and not is_storable(value):
                errors.append(
                    FieldError(f"products.{index}.{name}", ErrorCode.INVALID, "Not storable text")
                )
        products.append({"product": entry.product.strip(), "version": clean_text(entry.version)})
    return products, errors


async def _accepted_activities(
    session: AsyncSession, activity_ids: Sequence[uuid.UUID] | None
) -> list[uuid.UUID]:
    """The linked articles and talks: accepted activities of the tenant, in the order given,
    each once. Any other id is NOT_FOUND on its place in the list."""
    wanted = list(dict.fromkeys(activity_ids or ()))
    if len(wanted) > MAX_ACTIVITIES:
        raise InvalidInput(
            FieldError("activity_ids", ErrorCode.INVALID, f"At most {MAX_ACTIVITIES} activities")
        )
    if not wanted:
        return []
    accepted = set(
        await session.scalars(
            select(Activity.id).where(
                Activity.id.in_(wanted), Activity.status == ActivityStatus.ACCEPTED
            )
        )
    )
    missing = [
        FieldError(
            f"activity_ids.{index}", ErrorCode.NOT_FOUND, "No accepted activity with this id"
        )
        for index, activity_id in enumerate(activity_ids or ())
        if activity_id not in accepted
    ]
    if missing:
        raise InvalidInput(*missing)
    return wanted


async def _case_user_values(
    session: AsyncSession, fields: CaseUserFields, *, creating: bool
) -> dict[str, Any]:
    values = fields.given_to_create() if creating else fields.given()
    for name in ("scale", "story", "logo_url", "notes"):
        if name in values:
            values[name] = clean_text(values[name])
    errors: list[FieldError] = []
    if "products" in values:
        values["products"], product_errors = _products(values["products"])
        errors += product_errors
    errors += check_length(values.get("scale"), "scale", SCALE_LIMIT)
    errors += check_length(values.get("story"), "story", STORY_LIMIT)
    errors += check_length(values.get("notes"), "notes", NOTES_LIMIT)
    errors += check_web_url(values.get("logo_url"), "logo_url")
    if errors:
        raise InvalidInput(*errors)
    if "activity_ids" in values:
        values["activity_ids"] = await _accepted_activities(session, values["activity_ids"])
    return values


ALREADY_A_CASE_USER = FieldError(
    "organisation_id", ErrorCode.CONFLICT, "This organisation is a case user already"
)
UNIQUE_CASE_USER = {"uq_case_users_tenant_id_organisation_id": ALREADY_A_CASE_USER}


async def add_case_user(
    session: AsyncSession,
    principal: Principal | None,
    organisation_id: uuid.UUID,
    fields: CaseUserFields,
) -> CaseUser:
    """Record an organisation as a case user, with its story; one per organisation."""
    authz.require(principal, Action.CASE_USER_MANAGE)
    organisation = await get_organisation(session, organisation_id, "organisation_id")
    values = await _case_user_values(session, fields, creating=True)
    existing = await session.scalar(
        select(CaseUser.id).where(CaseUser.organisation_id == organisation.id)
    )
    if existing is not None:
        raise InvalidInput(ALREADY_A_CASE_USER)
    values.setdefault("products", [])
    activity_ids = values.pop("activity_ids", [])
    case_user = CaseUser(organisation_id=organisation.id, **values)
    session.add(case_user)
    await flush_unique(session, UNIQUE_CASE_USER)
    await _link_activities(session, case_user, activity_ids)
    return case_user


async def update_case_user(
    session: AsyncSession,
    principal: Principal | None,
    case_user_id: uuid.UUID,
    fields: CaseUserFields,
) -> CaseUser:
    authz.require(principal, Action.CASE_USER_MANAGE)
    case_user = await get_case_user(session, case_user_id, lock=True)
    values = await _case_user_values(session, fields, creating=False)
    if "activity_ids" in values:
        linked = await session.scalars(
            select(CaseUserActivity).where(CaseUserActivity.case_user_id == case_user.id)
        )
        for link in linked.all():
            await session.delete(link)
        await session.flush()  # gone before the new list is written (one link per activity)
        await _link_activities(session, case_user, values.pop("activity_ids") or [])
    if "products" in values and values["products"] is None:
        values["products"] = []
    for key, value in values.items():
        setattr(case_user, key, value)
    await session.flush()
    return case_user


async def _link_activities(
    session: AsyncSession, case_user: CaseUser, activity_ids: Sequence[uuid.UUID]
) -> None:
    for position, activity_id in enumerate(activity_ids):
        session.add(
            CaseUserActivity(case_user_id=case_user.id, activity_id=activity_id, position=position)
        )
    await session.flush()


async def _granting_contact(
    session: AsyncSession, case_user: CaseUser, contact_id: uuid.UUID
) -> OrganisationContact:
    """A contact of the case user's own organisation (another one's is NOT_FOUND)."""
    contact = await session.scalar(
        select(OrganisationContact).where(
            OrganisationContact.id == contact_id,
            OrganisationContact.organisation_id == case_user.organisation_id,
        )
    )
    if contact is None:
        raise NotFound("Contact of this organisation", field="contact_id")
    return contact


async def grant_permission(
    session: AsyncSession,
    principal: Principal | None,
    case_user_id: uuid.UUID,
    *,
    granted_on: date,
    contact_id: uuid.UUID | None = None,
    granted_by_name: str | None = None,
) -> CaseUser:
    """Record the permission to publish the organisation's name and logo: granted on a date
    by one of its contacts, or by a person named in free text; the caller is recorded as
    who recorded it. A new grant replaces a withdrawn one (the audit log keeps both)."""
    caller = authz.require_caller(principal, Action.CASE_USER_MANAGE)
    case_user = await get_case_user(session, case_user_id, "case_user_id", lock=True)
    name = clean_text(granted_by_name)
    errors: list[FieldError] = []
    if contact_id is None and name is None:
        errors.append(
            FieldError(
                "granted_by_name",
                ErrorCode.REQUIRED,
                "Name who granted it, or give the organisation's contact who did",
            )
        )
    if contact_id is not None and name is not None:
        errors.append(
            FieldError("contact_id", ErrorCode.INVALID, "Give a contact or a name, not both")
        )
    errors += check_length(name, "granted_by_name", NAME_LIMIT)
    if name is not None and not is_storable(name):
        errors.append(FieldError("granted_by_name", ErrorCode.INVALID, "Not storable text"))
    if errors:
        raise InvalidInput(*errors)
    if contact_id is not None:
        await _granting_contact(session, case_user, contact_id)
    case_user.permission_granted_on = granted_on
    case_user.permission_contact_id = contact_id
    case_user.permission_granted_by_name = name
    case_user.permission_recorded_by_id = caller.person_id
    case_user.permission_withdrawn_on = None
    case_user.permission_withdrawal_recorded_by_id = None
    await session.flush()
    return case_user


async def withdraw_permission(
    session: AsyncSession,
    principal: Principal | None,
    case_user_id: uuid.UUID,
    *,
    withdrawn_on: date,
) -> CaseUser:
    """Record that the organisation withdrew its permission: it leaves the public list at
    once. Who granted it, and when, stays on record."""
    caller = authz.require_caller(principal, Action.CASE_USER_MANAGE)
    case_user = await get_case_user(session, case_user_id, "case_user_id", lock=True)
    if case_user.permission_granted_on is None or case_user.permission_withdrawn_on is not None:
        raise InvalidInput(
            FieldError("case_user_id", ErrorCode.CONFLICT, "There is no current permission")
        )
    if withdrawn_on < case_user.permission_granted_on:
        raise InvalidInput(
            FieldError("withdrawn_on", ErrorCode.INVALID, "Cannot be withdrawn before granted")
        )
    case_user.permission_withdrawn_on = withdrawn_on
    case_user.permission_withdrawal_recorded_by_id = caller.person_id
    await session.flush()
    return case_user
