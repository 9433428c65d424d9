from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime

import strawberry
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry import relay

from chapters import authz
from chapters import models as m
from chapters.api.loaders import rows_by_id
from chapters.api.pagination import Ordering, PageArgs, paginate_per_parent
from chapters.authz import Action
from chapters.local_chapters.types import ChapterConnection, ChapterType
from chapters.models import (
    ChapterOrganisation,
    OrganisationKind,
    RelationshipKind,
    RelationshipStatus,
)
from chapters.organisations.loaders import contacts_by_organisation, relationships_by_organisation
from chapters.people.types import PersonType, load_person, parse_uuid

OrganisationKindType = strawberry.enum(OrganisationKind, name="OrganisationKind")
RelationshipKindType = strawberry.enum(RelationshipKind, name="RelationshipKind")
RelationshipStatusType = strawberry.enum(RelationshipStatus, name="RelationshipStatus")

# Linked chapters in the order they were linked; the id breaks ties.
LINK_ORDER = Ordering((ChapterOrganisation.created_at, ChapterOrganisation.id))


def may_read(info: strawberry.Info) -> bool:
    return authz.can(info.context.principal, Action.ORGANISATION_READ)


def may_read_private(info: strawberry.Info) -> bool:
    return authz.can(info.context.principal, Action.ORGANISATION_READ_PRIVATE)


@strawberry.type(
    name="Organisation",
    description="A partner, sponsor, co-host or case user of the community, or a prospect.",
)
class OrganisationType(relay.Node):
    id: relay.NodeID[str]
    name: str
    kind: OrganisationKindType
    website: str | None
    created_at: datetime
    updated_at: datetime
    uuid: strawberry.Private[uuid.UUID]
    private_notes: strawberry.Private[str | None]

    @classmethod
    def from_model(cls, organisation: m.Organisation) -> OrganisationType:
        return cls(
            id=str(organisation.id),
            uuid=organisation.id,
            name=organisation.name,
            kind=organisation.kind,
            website=organisation.website,
            created_at=organisation.created_at,
            updated_at=organisation.updated_at,
            private_notes=organisation.notes,
        )

    @strawberry.field(description="Staff only; null for everyone else.")
    def notes(self, info: strawberry.Info) -> str | None:
        return self.private_notes if may_read_private(info) else None

    @strawberry.field(
        description="Every relationship with the community, ended ones included, in the order "
        "they were recorded."
    )
    async def relationships(self, info: strawberry.Info) -> list[OrganisationRelationshipType]:
        rows = await info.context.loaders.of(relationships_by_organisation).load(self.uuid)
        return [OrganisationRelationshipType.from_model(row) for row in rows]

    @strawberry.field(
        description="The people to talk to, by name. Personal data: staff only; null for "
        "everyone else."
    )
    async def contacts(self, info: strawberry.Info) -> list[OrganisationContactType] | None:
        if not may_read_private(info):
            return None
        rows = await info.context.loaders.of(contacts_by_organisation).load(self.uuid)
        return [OrganisationContactType.from_model(row) for row in rows]

    @strawberry.field(description="The chapters the organisation is linked to, oldest link first.")
    async def chapters(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> ChapterConnection:
        args = PageArgs(first=first, after=after)
        return await info.context.loaders.of(chapters_page_by_organisation, args).load(self.uuid)

    @classmethod
    async def resolve_nodes(
        cls, *, info: strawberry.Info, node_ids: Iterable[str], required: bool = False
    ) -> list[OrganisationType | None]:
        ids = [parse_uuid(node_id) for node_id in node_ids]
        return list(await asyncio.gather(*(load_organisation(info, i) for i in ids)))


@strawberry.type(
    name="OrganisationRelationship",
    description="How the community relates to an organisation, with its own status and dates.",
)
class OrganisationRelationshipType(relay.Node):
    id: relay.NodeID[str]
    kind: RelationshipKindType
    status: RelationshipStatusType
    starts_on: date | None
    ends_on: date | None
    created_at: datetime
    uuid: strawberry.Private[uuid.UUID]
    organisation_id: strawberry.Private[uuid.UUID]
    private_notes: strawberry.Private[str | None]

    @classmethod
    def from_model(cls, relationship: m.OrganisationRelationship) -> OrganisationRelationshipType:
        return cls(
            id=str(relationship.id),
            uuid=relationship.id,
            kind=relationship.kind,
            status=relationship.status,
            starts_on=relationship.starts_on,
            ends_on=relationship.ends_on,
            created_at=relationship.created_at,
            organisation_id=relationship.organisation_id,
            private_notes=relationship.notes,
        )

    @strawberry.field(description="Staff only (terms, amounts …); null for everyone else.")
    def notes(self, info: strawberry.Info) -> str | None:
        return self.private_notes if may_read_private(info) else None

    @strawberry.field
    async def organisation(self, info: strawberry.Info) -> OrganisationType | None:
        return await load_organisation(info, self.organisation_id)

    @classmethod
    async def resolve_nodes(
        cls, *, info: strawberry.Info, node_ids: Iterable[str], required: bool = False
    ) -> list[OrganisationRelationshipType | None]:
        ids = [parse_uuid(node_id) for node_id in node_ids]
        return list(await asyncio.gather(*(load_relationship(info, i) for i in ids)))


@strawberry.type(
    name="OrganisationContact",
    description="A person to talk to at an organisation. Personal data: staff only.",
)
class OrganisationContactType(relay.Node):
    id: relay.NodeID[str]
    name: str
    email: str | None
    title: str | None
    created_at: datetime
    uuid: strawberry.Private[uuid.UUID]
    organisation_id: strawberry.Private[uuid.UUID]
    person_id: strawberry.Private[uuid.UUID | None]

    @classmethod
    def from_model(cls, contact: m.OrganisationContact) -> OrganisationContactType:
        return cls(
            id=str(contact.id),
            uuid=contact.id,
            name=contact.name,
            email=contact.email,
            title=contact.title,
            created_at=contact.created_at,
            organisation_id=contact.organisation_id,
            person_id=contact.person_id,
        )

    @strawberry.field(description="The person of this community the contact is, if any.")
    async def person(self, info: strawberry.Info) -> PersonType | None:
        return await load_person(info, self.person_id)

    @strawberry.field
    async def organisation(self, info: strawberry.Info) -> OrganisationType | None:
        return await load_organisation(info, self.organisation_id)

    @classmethod
    async def resolve_nodes(
        cls, *, info: strawberry.Info, node_ids: Iterable[str], required: bool = False
    ) -> list[OrganisationContactType | None]:
        ids = [parse_uuid(node_id) for node_id in node_ids]
        return list(await asyncio.gather(*(load_contact(info, i) for i in ids)))


@strawberry.type(name="OrganisationConnection")
class OrganisationConnection(relay.Connection[OrganisationType]):
    pass


async def load_organisation(
    info: strawberry.Info, organisation_id: uuid.UUID | None
) -> OrganisationType | None:
    """The registry is for signed-in people of the tenant."""
    if organisation_id is None or not may_read(info):
        return None
    if authz.hides_organisation(info.context.principal, organisation_id):
        return None
    row = await info.context.loaders.of(rows_by_id, m.Organisation).load(organisation_id)
    return OrganisationType.from_model(row) if row else None


async def load_relationship(
    info: strawberry.Info, relationship_id: uuid.UUID | None
) -> OrganisationRelationshipType | None:
    """Relationships are as visible as their organisations."""
    if relationship_id is None or not may_read(info):
        return None
    row = await info.context.loaders.of(rows_by_id, m.OrganisationRelationship).load(
        relationship_id
    )
    if row is None or authz.hides_organisation(info.context.principal, row.organisation_id):
        return None
    return OrganisationRelationshipType.from_model(row)


async def load_contact(
    info: strawberry.Info, contact_id: uuid.UUID | None
) -> OrganisationContactType | None:
    """Contacts are personal data: staff only."""
    if contact_id is None or not may_read_private(info):
        return None
    row = await info.context.loaders.of(rows_by_id, m.OrganisationContact).load(contact_id)
    return OrganisationContactType.from_model(row) if row else None


async def chapters_page_by_organisation(
    session: AsyncSession, args: PageArgs, organisation_ids: Sequence[uuid.UUID]
) -> list[ChapterConnection]:
    """A page of linked chapters per organisation: the links paged in one statement, then
    their chapters fetched in one more."""
    pages = await paginate_per_parent(
        session,
        ChapterOrganisation,
        select(ChapterOrganisation),
        ChapterOrganisation.organisation_id,
        organisation_ids,
        LINK_ORDER,
        args,
        lambda link: link,
        ChapterConnection,
    )
    chapter_ids = list({edge.node.chapter_id for page in pages for edge in page.edges})
    if not chapter_ids:
        return pages
    chapters = dict(
        zip(chapter_ids, await rows_by_id(session, m.Chapter, chapter_ids), strict=True)
    )
    for page in pages:
        for edge in page.edges:
            edge.node = ChapterType.from_model(chapters[edge.node.chapter_id])
    return pages
