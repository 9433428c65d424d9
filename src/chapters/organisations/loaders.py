"""Batch loads for organisations (used through ``ctx.loaders.of(...)``): one statement per
kind of nested list, whatever the number of organisations on the page."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.models import OrganisationContact, OrganisationRelationship


async def relationships_by_organisation(
    session: AsyncSession, organisation_ids: Sequence[uuid.UUID]
) -> list[list[OrganisationRelationship]]:
    """Every relationship, ended ones included, in the order they were recorded."""
    rows = await session.scalars(
        select(OrganisationRelationship)
        .where(OrganisationRelationship.organisation_id.in_(organisation_ids))
        .order_by(OrganisationRelationship.created_at, OrganisationRelationship.id)
    )
    found: dict[uuid.UUID, list[OrganisationRelationship]] = {i: [] for i in organisation_ids}
    for relationship in rows:
        found[relationship.organisation_id].append(relationship)
    return [found[organisation_id] for organisation_id in organisation_ids]


async def contacts_by_organisation(
    session: AsyncSession, organisation_ids: Sequence[uuid.UUID]
) -> list[list[OrganisationContact]]:
    rows = await session.scalars(
        select(OrganisationContact)
        .where(OrganisationContact.organisation_id.in_(organisation_ids))
        .order_by(OrganisationContact.name, OrganisationContact.id)
    )
    found: dict[uuid.UUID, list[OrganisationContact]] = {i: [] for i in organisation_ids}
    for contact in rows:
        found[contact.organisation_id].append(contact)
    return [found[organisation_id] for organisation_id in organisation_ids]
