from __future__ import annotations

from datetime import date, datetime
from typing import TypeAlias
from uuid import UUID

import strawberry
from strawberry import relay

from chapters import models as m
from chapters.api.connections import connection
from chapters.api.ids import LoadedNode
from chapters.db.pagination import PageArgs
from chapters.local_chapters.types import ChapterConnection, ChapterType
from chapters.models import OrganisationKind, RelationshipKind, RelationshipStatus
from chapters.organisations import queries
from chapters.people.types import PersonType, load_person

strawberry.enum(OrganisationKind, name="OrganisationKind")
strawberry.enum(RelationshipKind, name="RelationshipKind")
strawberry.enum(RelationshipStatus, name="RelationshipStatus")
OrganisationKindType: TypeAlias = OrganisationKind
RelationshipKindType: TypeAlias = RelationshipKind
RelationshipStatusType: TypeAlias = RelationshipStatus


@strawberry.type(
    name="Organisation",
    description="A partner, sponsor, co-host or case user of the community, or a prospect.",
)
class OrganisationType(LoadedNode, relay.Node):
    id: relay.NodeID[str]
    name: str
    kind: OrganisationKindType
    website: str | None
    created_at: datetime
    updated_at: datetime
    uuid: strawberry.Private[UUID]
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
        return self.private_notes if queries.may_read_private(info.context) else None

    @strawberry.field(
        description="Every relationship with the community, ended ones included, in the order "
        "they were recorded."
    )
    async def relationships(self, info: strawberry.Info) -> list[OrganisationRelationshipType]:
        rows = await queries.relationships(info.context, self.uuid)
        return [OrganisationRelationshipType.from_model(row) for row in rows]

    @strawberry.field(
        description="The people to talk to, by name. Personal data: staff only; null for "
        "everyone else."
    )
    async def contacts(self, info: strawberry.Info) -> list[OrganisationContactType] | None:
        rows = await queries.contacts(info.context, self.uuid)
        if rows is None:
            return None
        return [OrganisationContactType.from_model(row) for row in rows]

    @strawberry.field(description="The chapters the organisation is linked to, oldest link first.")
    async def chapters(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> ChapterConnection:
        args = PageArgs(first=first, after=after)
        page = await queries.linked_chapters(info.context, self.uuid, args)
        return connection(ChapterConnection, page, ChapterType.from_model)

    @classmethod
    async def load(cls, info: strawberry.Info, object_id: UUID | None) -> OrganisationType | None:
        return await load_organisation(info, object_id)


@strawberry.type(
    name="OrganisationRelationship",
    description="How the community relates to an organisation, with its own status and dates.",
)
class OrganisationRelationshipType(LoadedNode, relay.Node):
    id: relay.NodeID[str]
    kind: RelationshipKindType
    status: RelationshipStatusType
    starts_on: date | None
    ends_on: date | None
    created_at: datetime
    uuid: strawberry.Private[UUID]
    organisation_id: strawberry.Private[UUID]
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
        return self.private_notes if queries.may_read_private(info.context) else None

    @strawberry.field
    async def organisation(self, info: strawberry.Info) -> OrganisationType | None:
        return await load_organisation(info, self.organisation_id)

    @classmethod
    async def load(
        cls, info: strawberry.Info, object_id: UUID | None
    ) -> OrganisationRelationshipType | None:
        return await load_relationship(info, object_id)


@strawberry.type(
    name="OrganisationContact",
    description="A person to talk to at an organisation. Personal data: staff only.",
)
class OrganisationContactType(LoadedNode, relay.Node):
    id: relay.NodeID[str]
    name: str
    email: str | None
    title: str | None
    created_at: datetime
    uuid: strawberry.Private[UUID]
    organisation_id: strawberry.Private[UUID]
    person_id: strawberry.Private[UUID | None]

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
    async def load(
        cls, info: strawberry.Info, object_id: UUID | None
    ) -> OrganisationContactType | None:
        return await load_contact(info, object_id)


@strawberry.type(name="OrganisationConnection")
class OrganisationConnection(relay.Connection[OrganisationType]):
    pass


async def load_organisation(
    info: strawberry.Info, organisation_id: UUID | None
) -> OrganisationType | None:
    row = await queries.organisation(info.context, organisation_id)
    return OrganisationType.from_model(row) if row else None


async def load_relationship(
    info: strawberry.Info, relationship_id: UUID | None
) -> OrganisationRelationshipType | None:
    row = await queries.relationship(info.context, relationship_id)
    return OrganisationRelationshipType.from_model(row) if row else None


async def load_contact(
    info: strawberry.Info, contact_id: UUID | None
) -> OrganisationContactType | None:
    row = await queries.contact(info.context, contact_id)
    return OrganisationContactType.from_model(row) if row else None
