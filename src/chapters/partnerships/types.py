"""Partner agreements and case users as the API shows them. What a caller may see is decided
by ``partnerships.queries``: staff-only fields are null for everyone else."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias
from uuid import UUID

import strawberry
from strawberry import relay

from chapters.api.ids import LoadedNode
from chapters.models.partnership import AgreementKind, AgreementStatus, CaseUser, PartnerAgreement
from chapters.organisations.types import (
    OrganisationContactType,
    OrganisationRelationshipType,
    OrganisationType,
    load_contact,
    load_organisation,
    load_relationship,
)
from chapters.partnerships import queries
from chapters.people.types import PersonType, load_person

if TYPE_CHECKING:
    from chapters.activities.types import ActivityType

strawberry.enum(AgreementKind, name="AgreementKind")
strawberry.enum(
    AgreementStatus,
    name="AgreementStatus",
    description="DRAFT: being negotiated; ACTIVE: in force; EXPIRED: ran out (an active "
    "agreement past its end date reads EXPIRED); TERMINATED: ended early, final.",
)
AgreementKindType: TypeAlias = AgreementKind
AgreementStatusType: TypeAlias = AgreementStatus


@strawberry.type(
    name="PartnerAgreement",
    description="An agreement signed (or being negotiated) on a relationship with an "
    "organisation: a memorandum, a sponsorship, a co-hosting …",
)
class PartnerAgreementType(LoadedNode, relay.Node):
    id: relay.NodeID[str]
    kind: AgreementKindType
    status: AgreementStatusType = strawberry.field(description="As of today.")
    starts_on: date | None
    ends_on: date | None
    renews_on: date | None = strawberry.field(description="When it comes up for renewal.")
    document_url: str | None = strawberry.field(description="The signed document.")
    created_at: datetime
    updated_at: datetime
    uuid: strawberry.Private[UUID]
    organisation_id: strawberry.Private[UUID]
    relationship_id: strawberry.Private[UUID]
    private_notes: strawberry.Private[str | None]

    @classmethod
    def from_model(cls, agreement: PartnerAgreement) -> PartnerAgreementType:
        return cls(
            id=str(agreement.id),
            uuid=agreement.id,
            kind=agreement.kind,
            status=queries.effective_status(agreement),
            starts_on=agreement.starts_on,
            ends_on=agreement.ends_on,
            renews_on=agreement.renews_on,
            document_url=agreement.document_url,
            created_at=agreement.created_at,
            updated_at=agreement.updated_at,
            organisation_id=agreement.organisation_id,
            relationship_id=agreement.relationship_id,
            private_notes=agreement.notes,
        )

    @strawberry.field(description="Staff only (terms, amounts …); null for everyone else.")
    def notes(self, info: strawberry.Info) -> str | None:
        return self.private_notes if queries.may_read_private(info.context) else None

    @strawberry.field
    async def organisation(self, info: strawberry.Info) -> OrganisationType | None:
        return await load_organisation(info, self.organisation_id)

    @strawberry.field(description="The relationship it is signed on.")
    async def relationship(self, info: strawberry.Info) -> OrganisationRelationshipType | None:
        return await load_relationship(info, self.relationship_id)

    @classmethod
    async def load(
        cls, info: strawberry.Info, object_id: UUID | None
    ) -> PartnerAgreementType | None:
        row = await queries.agreement(info.context, object_id)
        return cls.from_model(row) if row else None


@strawberry.type(name="CaseUserProduct", description="A product an organisation runs.")
class CaseUserProductType:
    product: str
    version: str | None


@strawberry.type(
    name="CaseUserPermission",
    description="The permission to publish an organisation's name and logo, as recorded.",
)
class CaseUserPermissionType:
    granted_on: date
    granted_by_name: str | None = strawberry.field(
        description="Who granted it, when not one of the organisation's contacts."
    )
    withdrawn_on: date | None
    contact_id: strawberry.Private[UUID | None]
    recorded_by_id: strawberry.Private[UUID | None]
    withdrawal_recorded_by_id: strawberry.Private[UUID | None]

    @strawberry.field(description="The organisation's contact who granted it, if one did.")
    async def granted_by_contact(self, info: strawberry.Info) -> OrganisationContactType | None:
        return await load_contact(info, self.contact_id)

    @strawberry.field(description="The staff member who recorded the permission.")
    async def recorded_by(self, info: strawberry.Info) -> PersonType | None:
        return await load_person(info, self.recorded_by_id)

    @strawberry.field(description="The staff member who recorded its withdrawal.")
    async def withdrawal_recorded_by(self, info: strawberry.Info) -> PersonType | None:
        return await load_person(info, self.withdrawal_recorded_by_id)


@strawberry.type(
    name="CaseUser",
    description="An organisation using the software, with its story. The public list shows "
    "those who allow publishing their name and logo, and only these public fields: name, "
    "website, logo, products, scale, story and the talks and articles telling it.",
)
class CaseUserType(LoadedNode, relay.Node):
    id: relay.NodeID[str]
    logo_url: str | None
    products: list[CaseUserProductType]
    scale: str | None = strawberry.field(description="In its own words: clusters, nodes, users …")
    story: str | None
    published: bool = strawberry.field(
        description="Whether it allows publishing its name and logo today (on the public list)."
    )
    created_at: datetime
    updated_at: datetime
    uuid: strawberry.Private[UUID]
    organisation_id: strawberry.Private[UUID]
    private_notes: strawberry.Private[str | None]
    row: strawberry.Private[CaseUser]

    @classmethod
    def from_model(cls, case_user: CaseUser) -> CaseUserType:
        products: list[dict[str, Any]] = list(case_user.products or [])
        return cls(
            id=str(case_user.id),
            uuid=case_user.id,
            logo_url=case_user.logo_url,
            products=[
                CaseUserProductType(product=str(p.get("product", "")), version=p.get("version"))
                for p in products
            ],
            scale=case_user.scale,
            story=case_user.story,
            published=queries.is_published(case_user),
            created_at=case_user.created_at,
            updated_at=case_user.updated_at,
            organisation_id=case_user.organisation_id,
            private_notes=case_user.notes,
            row=case_user,
        )

    @strawberry.field(description="The organisation's name.")
    async def name(self, info: strawberry.Info) -> str:
        organisation = await queries.organisation_of(info.context, self.organisation_id)
        return organisation.name if organisation else ""

    @strawberry.field(description="The organisation's website.")
    async def website(self, info: strawberry.Info) -> str | None:
        organisation = await queries.organisation_of(info.context, self.organisation_id)
        return organisation.website if organisation else None

    @strawberry.field(
        description="The organisation in the registry (signed-in people and its own "
        "partner's client; null for the public)."
    )
    async def organisation(self, info: strawberry.Info) -> OrganisationType | None:
        return await load_organisation(info, self.organisation_id)

    @strawberry.field(
        description="The articles and talks telling the story: accepted activities, in the "
        "order given."
    )
    async def activities(
        self, info: strawberry.Info
    ) -> list[Annotated[ActivityType, strawberry.lazy("chapters.activities.types")]]:
        from chapters.activities.types import load_activity

        # gathered: the loaders batch every activity of every case user on the page
        ids = await queries.activity_ids(info.context, self.uuid)
        loaded = await asyncio.gather(*(load_activity(info, a) for a in ids))
        return [activity for activity in loaded if activity is not None]

    @strawberry.field(description="Staff only; null for everyone else.")
    def notes(self, info: strawberry.Info) -> str | None:
        return self.private_notes if queries.may_read_private(info.context) else None

    @strawberry.field(
        description="The permission to publish, as recorded (who granted it, when, who "
        "recorded it; its withdrawal). Staff only; null for everyone else, and when none "
        "was ever granted."
    )
    def permission(self, info: strawberry.Info) -> CaseUserPermissionType | None:
        row = self.row
        if row.permission_granted_on is None or not queries.may_read_private(info.context):
            return None
        return CaseUserPermissionType(
            granted_on=row.permission_granted_on,
            granted_by_name=row.permission_granted_by_name,
            withdrawn_on=row.permission_withdrawn_on,
            contact_id=row.permission_contact_id,
            recorded_by_id=row.permission_recorded_by_id,
            withdrawal_recorded_by_id=row.permission_withdrawal_recorded_by_id,
        )

    @classmethod
    async def load(cls, info: strawberry.Info, object_id: UUID | None) -> CaseUserType | None:
        row = await queries.case_user(info.context, object_id)
        return cls.from_model(row) if row else None


@strawberry.type(name="PartnerAgreementConnection")
class PartnerAgreementConnection(relay.Connection[PartnerAgreementType]):
    pass


@strawberry.type(name="CaseUserConnection")
class CaseUserConnection(relay.Connection[CaseUserType]):
    pass
