"""Use cases on the organisation registry: organisations, their relationships with the
community, their contacts, and their links to chapters. Services validate, ask the policy,
write, and never commit (the request's transaction does).

Relationships are history: a sponsorship that ends is set to ``ended`` and stays listed, so
"who sponsored us in 2023" keeps its answer. Contacts are personal data, not history: they are
edited in place and may be removed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlparse

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters import authz
from chapters.auth.principal import Principal
from chapters.authz import Action
from chapters.changes import UNSET, Change, Changes
from chapters.db.session import flush_unique, get_row
from chapters.errors import ErrorCode, FieldError, InvalidInput, NotFound
from chapters.models import (
    Chapter,
    ChapterOrganisation,
    Organisation,
    OrganisationContact,
    OrganisationKind,
    OrganisationRelationship,
    Person,
    RelationshipKind,
    RelationshipStatus,
)
from chapters.validation import (
    check_date_order,
    check_email,
    check_length,
    clean_text,
    required_text,
)

NAME_LIMIT = 200
WEBSITE_LIMIT = 500
NOTES_LIMIT = 5000
TITLE_LIMIT = 200


@dataclass(frozen=True, kw_only=True)
class OrganisationFields(Changes):
    """Organisation fields; in updates, UNSET leaves a field as it is and None clears it."""

    name: Change[str | None] = UNSET
    kind: Change[OrganisationKind | None] = UNSET
    website: Change[str | None] = UNSET
    notes: Change[str | None] = UNSET


@dataclass(frozen=True, kw_only=True)
class RelationshipFields(Changes):
    """The kind is fixed once recorded: a sponsor that becomes a partner is a new relationship,
    so the sponsorship keeps its own dates."""

    kind: Change[RelationshipKind | None] = UNSET
    status: Change[RelationshipStatus | None] = UNSET
    starts_on: Change[date | None] = UNSET
    ends_on: Change[date | None] = UNSET
    notes: Change[str | None] = UNSET


@dataclass(frozen=True, kw_only=True)
class ContactFields(Changes):
    name: Change[str | None] = UNSET
    email: Change[str | None] = UNSET
    title: Change[str | None] = UNSET
    person_id: Change[uuid.UUID | None] = UNSET


def _is_web_url(value: str) -> bool:
    try:
        url = urlparse(value)
        _ = url.port  # a malformed port raises here
    except ValueError:
        return False
    has_space = any(character.isspace() for character in value)
    return url.scheme in {"http", "https"} and bool(url.hostname) and not has_space


def _check_website(website: str | None) -> list[FieldError]:
    if website is None:
        return []
    if len(website) > WEBSITE_LIMIT:
        message = f"website is over {WEBSITE_LIMIT} characters"
        return [FieldError("website", ErrorCode.TOO_LONG, message)]
    if not _is_web_url(website):
        return [FieldError("website", ErrorCode.INVALID, "Use an http or https URL")]
    return []


def _validate_organisation(values: dict[str, Any], *, creating: bool) -> list[FieldError]:
    errors: list[FieldError] = []
    if creating or "name" in values:
        errors += required_text(values.get("name"), "name", NAME_LIMIT)
    if (creating or "kind" in values) and values.get("kind") is None:
        errors.append(FieldError("kind", ErrorCode.REQUIRED, "An organisation needs a kind"))
    errors += _check_website(values.get("website"))
    errors += check_length(values.get("notes"), "notes", NOTES_LIMIT)
    return errors


def _normalized(values: dict[str, Any], texts: tuple[str, ...]) -> dict[str, Any]:
    """Required names are stored trimmed; blank optional texts are stored as absent."""
    if values.get("name") is not None:
        values["name"] = values["name"].strip()
    for name in texts:
        if name in values:
            values[name] = clean_text(values[name])
    return values


NAME_TAKEN = FieldError("name", ErrorCode.CONFLICT, "Another organisation has this name")
# The index compares lower(name): the database alone judges "ACME" and "Acme" the same.
UNIQUE_NAME = {"uq_organisations_tenant_id_name": NAME_TAKEN}


async def get_organisation(
    session: AsyncSession, organisation_id: uuid.UUID, field: str = "id"
) -> Organisation:
    return await get_row(session, Organisation, organisation_id, "Organisation", field)


async def create_organisation(
    session: AsyncSession, principal: Principal | None, fields: OrganisationFields
) -> Organisation:
    authz.require(principal, Action.ORGANISATION_MANAGE)
    values = _normalized(fields.given_to_create(), ("website", "notes"))
    errors = _validate_organisation(values, creating=True)
    if errors:
        raise InvalidInput(*errors)
    organisation = Organisation(**values)
    session.add(organisation)
    await flush_unique(session, UNIQUE_NAME)
    return organisation


async def update_organisation(
    session: AsyncSession,
    principal: Principal | None,
    organisation_id: uuid.UUID,
    fields: OrganisationFields,
) -> Organisation:
    authz.require(principal, Action.ORGANISATION_MANAGE)
    organisation = await get_organisation(session, organisation_id)
    values = _normalized(fields.given(), ("website", "notes"))
    errors = _validate_organisation(values, creating=False)
    if errors:
        raise InvalidInput(*errors)
    for key, value in values.items():
        setattr(organisation, key, value)
    await flush_unique(session, UNIQUE_NAME)
    return organisation


def _validate_relationship(values: dict[str, Any], *, creating: bool) -> list[FieldError]:
    errors: list[FieldError] = []
    for name in ("kind", "status") if creating else ("status",):
        if (creating or name in values) and values.get(name) is None:
            errors.append(FieldError(name, ErrorCode.REQUIRED, f"A relationship needs a {name}"))
    errors += check_length(values.get("notes"), "notes", NOTES_LIMIT)
    return errors


async def add_relationship(
    session: AsyncSession,
    principal: Principal | None,
    organisation_id: uuid.UUID,
    fields: RelationshipFields,
) -> OrganisationRelationship:
    """Record a relationship; an organisation may hold several, of one kind or of many."""
    authz.require(principal, Action.ORGANISATION_MANAGE)
    organisation = await get_organisation(session, organisation_id, "organisation_id")
    values = _normalized(fields.given_to_create(), ("notes",))
    errors = _validate_relationship(values, creating=True)
    errors += check_date_order(values.get("starts_on"), values.get("ends_on"), "ends_on")
    if errors:
        raise InvalidInput(*errors)
    relationship = OrganisationRelationship(organisation_id=organisation.id, **values)
    session.add(relationship)
    await session.flush()
    return relationship


async def get_relationship(
    session: AsyncSession, relationship_id: uuid.UUID, field: str = "id"
) -> OrganisationRelationship:
    return await get_row(
        session, OrganisationRelationship, relationship_id, "Organisation relationship", field
    )


async def update_relationship(
    session: AsyncSession,
    principal: Principal | None,
    relationship_id: uuid.UUID,
    fields: RelationshipFields,
) -> OrganisationRelationship:
    """Change a relationship's status, dates or notes; ending it keeps it on record."""
    authz.require(principal, Action.ORGANISATION_MANAGE)
    relationship = await get_relationship(session, relationship_id)
    values = _normalized(fields.given(), ("notes",))
    errors = _validate_relationship(values, creating=False)
    starts_on = values.get("starts_on", relationship.starts_on)
    ends_on = values.get("ends_on", relationship.ends_on)
    field = "ends_on" if "ends_on" in values or "starts_on" not in values else "starts_on"
    errors += check_date_order(starts_on, ends_on, field)
    if errors:
        raise InvalidInput(*errors)
    for key, value in values.items():
        setattr(relationship, key, value)
    await session.flush()
    return relationship


def _validate_contact(values: dict[str, Any], *, creating: bool) -> list[FieldError]:
    errors: list[FieldError] = []
    if creating or "name" in values:
        errors += required_text(values.get("name"), "name", NAME_LIMIT)
    if values.get("email") is not None:
        errors += check_email(values["email"])
    errors += check_length(values.get("title"), "title", TITLE_LIMIT)
    return errors


async def _check_person(session: AsyncSession, values: dict[str, Any]) -> None:
    person_id = values.get("person_id")
    if person_id is None:
        return
    if await session.scalar(select(Person.id).where(Person.id == person_id)) is None:
        raise NotFound("Person", field="person_id")


async def add_contact(
    session: AsyncSession,
    principal: Principal | None,
    organisation_id: uuid.UUID,
    fields: ContactFields,
) -> OrganisationContact:
    authz.require(principal, Action.ORGANISATION_MANAGE)
    organisation = await get_organisation(session, organisation_id, "organisation_id")
    values = _normalized(fields.given_to_create(), ("email", "title"))
    errors = _validate_contact(values, creating=True)
    if errors:
        raise InvalidInput(*errors)
    await _check_person(session, values)
    contact = OrganisationContact(organisation_id=organisation.id, **values)
    session.add(contact)
    await session.flush()
    return contact


async def get_contact(
    session: AsyncSession, contact_id: uuid.UUID, field: str = "id"
) -> OrganisationContact:
    return await get_row(session, OrganisationContact, contact_id, "Organisation contact", field)


async def update_contact(
    session: AsyncSession,
    principal: Principal | None,
    contact_id: uuid.UUID,
    fields: ContactFields,
) -> OrganisationContact:
    authz.require(principal, Action.ORGANISATION_MANAGE)
    contact = await get_contact(session, contact_id)
    values = _normalized(fields.given(), ("email", "title"))
    errors = _validate_contact(values, creating=False)
    if errors:
        raise InvalidInput(*errors)
    await _check_person(session, values)
    for key, value in values.items():
        setattr(contact, key, value)
    await session.flush()
    return contact


async def remove_contact(
    session: AsyncSession, principal: Principal | None, contact_id: uuid.UUID
) -> OrganisationContact:
    """Delete a contact for good (what the person asked, or someone who left): returns the row
    as it was, so the caller can tell which one went."""
    authz.require(principal, Action.ORGANISATION_MANAGE)
    contact = await get_contact(session, contact_id, "contact_id")
    await session.delete(contact)
    await session.flush()
    return contact


async def _chapter_for_linking(
    session: AsyncSession, principal: Principal | None, chapter_id: uuid.UUID
) -> Chapter:
    """The chapter, once the caller may link organisations to it: staff anywhere, leads and
    co-leads on their own chapter only. Chapters are public, so naming a missing one is
    NOT_FOUND for everyone."""
    chapter = await session.scalar(select(Chapter).where(Chapter.id == chapter_id))
    if chapter is None:
        raise NotFound("Chapter", field="chapter_id")
    authz.require(principal, Action.ORGANISATION_LINK_CHAPTER, chapter_id=chapter.id)
    return chapter


ALREADY_LINKED = FieldError(
    "organisation_id", ErrorCode.CONFLICT, "This organisation is already linked to this chapter"
)
UNIQUE_LINK = {"uq_chapter_organisations_tenant_id_chapter_id_organisation_id": ALREADY_LINKED}


async def link_chapter(
    session: AsyncSession,
    principal: Principal | None,
    chapter_id: uuid.UUID,
    organisation_id: uuid.UUID,
) -> tuple[Chapter, Organisation]:
    chapter = await _chapter_for_linking(session, principal, chapter_id)
    organisation = await get_organisation(session, organisation_id, "organisation_id")
    if await _link_of(session, chapter.id, organisation.id) is not None:
        raise InvalidInput(ALREADY_LINKED)
    session.add(ChapterOrganisation(chapter_id=chapter.id, organisation_id=organisation.id))
    await flush_unique(session, UNIQUE_LINK)
    return chapter, organisation


async def unlink_chapter(
    session: AsyncSession,
    principal: Principal | None,
    chapter_id: uuid.UUID,
    organisation_id: uuid.UUID,
) -> tuple[Chapter, Organisation]:
    chapter = await _chapter_for_linking(session, principal, chapter_id)
    organisation = await get_organisation(session, organisation_id, "organisation_id")
    link = await _link_of(session, chapter.id, organisation.id)
    if link is None:
        raise InvalidInput(
            FieldError(
                "organisation_id",
                ErrorCode.NOT_FOUND,
                "This organisation is not linked to this chapter",
            )
        )
    await session.delete(link)
    await session.flush()
    return chapter, organisation


async def _link_of(
    session: AsyncSession, chapter_id: uuid.UUID, organisation_id: uuid.UUID
) -> ChapterOrganisation | None:
    return await session.scalar(
        select(ChapterOrganisation).where(
            ChapterOrganisation.chapter_id == chapter_id,
            ChapterOrganisation.organisation_id == organisation_id,
        )
    )
