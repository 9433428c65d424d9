"""What may be read of the organisation registry, and by whom. The registry is for signed-in
people of the tenant; notes and contacts are staff only; a partner's API client sees its own
organisation only (the others are absent, not null). Relationships are as visible as their
organisations."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import ColumnElement, exists, select

from chapters import authz
from chapters.authz import Action
from chapters.authz.partners import hides_organisation, partner_of, visible_organisations
from chapters.db.filters import contains_text
from chapters.db.loaders import Reader, rows_by_id
from chapters.db.pagination import Ordering, Page, PageArgs, paginate
from chapters.models import (
    Chapter,
    ChapterOrganisation,
    Organisation,
    OrganisationContact,
    OrganisationKind,
    OrganisationRelationship,
    RelationshipKind,
    RelationshipStatus,
)
from chapters.organisations.loaders import (
    chapters_by_organisation,
    contacts_by_organisation,
    relationships_by_organisation,
)

REGISTRY_ORDER = Ordering((Organisation.name, Organisation.id))


@dataclass(frozen=True)
class OrganisationFilter:
    """``relationship_kinds`` and ``relationship_statuses`` describe one relationship: both
    given, "sponsor" and "active" keep the organisations that are active sponsors."""

    kinds: tuple[OrganisationKind, ...] = ()
    relationship_kinds: tuple[RelationshipKind, ...] = ()
    relationship_statuses: tuple[RelationshipStatus, ...] = ()
    text: str | None = None
    chapter_id: uuid.UUID | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if self.kinds:
            conditions.append(Organisation.kind.in_(self.kinds))
        if self.relationship_kinds or self.relationship_statuses:
            conditions.append(self._has_relationship())
        if self.text and self.text.strip():
            conditions.append(contains_text(self.text, Organisation.name, Organisation.website))
        if self.chapter_id is not None:
            conditions.append(_linked_to(self.chapter_id))
        return conditions

    def _has_relationship(self) -> ColumnElement[bool]:
        conditions = [
            OrganisationRelationship.tenant_id == Organisation.tenant_id,
            OrganisationRelationship.organisation_id == Organisation.id,
        ]
        if self.relationship_kinds:
            conditions.append(OrganisationRelationship.kind.in_(self.relationship_kinds))
        if self.relationship_statuses:
            conditions.append(OrganisationRelationship.status.in_(self.relationship_statuses))
        return exists().where(*conditions)


def _linked_to(chapter_id: uuid.UUID) -> ColumnElement[bool]:
    return exists().where(
        ChapterOrganisation.tenant_id == Organisation.tenant_id,
        ChapterOrganisation.organisation_id == Organisation.id,
        ChapterOrganisation.chapter_id == chapter_id,
    )


def may_read(reader: Reader) -> bool:
    return authz.can(reader.principal, Action.ORGANISATION_READ)


def may_read_private(reader: Reader) -> bool:
    """Whether the caller reads the staff-only parts of the registry: notes and contacts."""
    return authz.can(reader.principal, Action.ORGANISATION_READ_PRIVATE)


async def registry(
    reader: Reader, filters: OrganisationFilter, args: PageArgs
) -> Page[Organisation]:
    """The organisations matching the filters, by name."""
    authz.require(reader.principal, Action.ORGANISATION_READ)
    conditions: list[ColumnElement[bool]] = []
    partner = partner_of(reader.principal)
    if partner is not None:
        conditions.append(visible_organisations(partner))
    conditions += filters.conditions()
    statement = select(Organisation).where(*conditions)
    return await paginate(reader.session, statement, REGISTRY_ORDER, args)


async def organisation(reader: Reader, organisation_id: uuid.UUID | None) -> Organisation | None:
    if organisation_id is None or not may_read(reader):
        return None
    if hides_organisation(reader.principal, organisation_id):
        return None
    row: Organisation | None = await reader.loaders.of(rows_by_id, Organisation).load(
        organisation_id
    )
    return row


async def relationship(
    reader: Reader, relationship_id: uuid.UUID | None
) -> OrganisationRelationship | None:
    if relationship_id is None or not may_read(reader):
        return None
    row: OrganisationRelationship | None = await reader.loaders.of(
        rows_by_id, OrganisationRelationship
    ).load(relationship_id)
    if row is None or hides_organisation(reader.principal, row.organisation_id):
        return None
    return row


async def contact(reader: Reader, contact_id: uuid.UUID | None) -> OrganisationContact | None:
    """Contacts are personal data: staff only."""
    if contact_id is None or not may_read_private(reader):
        return None
    row: OrganisationContact | None = await reader.loaders.of(rows_by_id, OrganisationContact).load(
        contact_id
    )
    return row


async def relationships(
    reader: Reader, organisation_id: uuid.UUID
) -> list[OrganisationRelationship]:
    """Every relationship of a readable organisation, ended ones included, in the order they
    were recorded."""
    rows: list[OrganisationRelationship] = await reader.loaders.of(
        relationships_by_organisation
    ).load(organisation_id)
    return rows


async def contacts(reader: Reader, organisation_id: uuid.UUID) -> list[OrganisationContact] | None:
    """The contacts of an organisation, by name; None for callers who are not staff."""
    if not may_read_private(reader):
        return None
    rows: list[OrganisationContact] = await reader.loaders.of(contacts_by_organisation).load(
        organisation_id
    )
    return rows


async def linked_chapters(
    reader: Reader, organisation_id: uuid.UUID, args: PageArgs
) -> Page[Chapter]:
    """The chapters an organisation is linked to, oldest link first. Chapters are public."""
    page: Page[Chapter] = await reader.loaders.of(chapters_by_organisation, args).load(
        organisation_id
    )
    return page
