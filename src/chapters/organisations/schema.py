from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import strawberry

from chapters.api.connections import connection
from chapters.api.errors import UserError
from chapters.api.ids import decode_id
from chapters.api.mutations import given_fields, mutate
from chapters.db.pagination import PageArgs
from chapters.local_chapters.types import ChapterType
from chapters.models import Chapter, Organisation, OrganisationContact, OrganisationRelationship
from chapters.organisations import queries, service
from chapters.organisations.types import (
    OrganisationConnection,
    OrganisationContactType,
    OrganisationKindType,
    OrganisationRelationshipType,
    OrganisationType,
    RelationshipKindType,
    RelationshipStatusType,
)

# Ids in inputs are global ids typed as plain ``ID``: ``decode_id`` turns a malformed one into a
# typed INVALID error on the field, and one of another type or tenant into NOT_FOUND.


@strawberry.input
class OrganisationFilter:
    kind: list[OrganisationKindType] | None = None
    relationship: list[RelationshipKindType] | None = strawberry.field(
        default=None, description="Has a relationship of one of these kinds."
    )
    relationship_status: list[RelationshipStatusType] | None = strawberry.field(
        default=None,
        description="Has a relationship in one of these statuses; with `relationship`, the same "
        "relationship must match both (e.g. active sponsors).",
    )
    text: str | None = strawberry.field(default=None, description="Matches name or website.")
    chapter_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only organisations linked to this chapter."
    )

    def to_service(self) -> queries.OrganisationFilter:
        return queries.OrganisationFilter(
            kinds=tuple(self.kind or ()),
            relationship_kinds=tuple(self.relationship or ()),
            relationship_statuses=tuple(self.relationship_status or ()),
            text=self.text,
            chapter_id=decode_id(str(self.chapter_id), "Chapter", "chapterId")
            if self.chapter_id
            else None,
        )


@strawberry.input
class OrganisationCreateInput:
    name: str = strawberry.field(description="Unique in the tenant, ignoring case.")
    kind: OrganisationKindType
    website: str | None = strawberry.field(default=None, description="An http or https URL.")
    notes: str | None = None


@strawberry.input(description="Fields to change; omitted fields stay, null clears.")
class OrganisationUpdateInput:
    id: strawberry.ID
    name: str | None = strawberry.UNSET
    kind: OrganisationKindType | None = strawberry.UNSET
    website: str | None = strawberry.UNSET
    notes: str | None = strawberry.UNSET


@strawberry.input
class OrganisationRelationshipAddInput:
    organisation_id: strawberry.ID
    kind: RelationshipKindType
    status: RelationshipStatusType = RelationshipStatusType.PROPOSED
    starts_on: date | None = None
    ends_on: date | None = None
    notes: str | None = None


@strawberry.input(description="Fields to change; omitted fields stay, null clears.")
class OrganisationRelationshipUpdateInput:
    id: strawberry.ID
    status: RelationshipStatusType | None = strawberry.UNSET
    starts_on: date | None = strawberry.UNSET
    ends_on: date | None = strawberry.UNSET
    notes: str | None = strawberry.UNSET


@strawberry.input
class OrganisationContactAddInput:
    organisation_id: strawberry.ID
    name: str
    email: str | None = None
    title: str | None = None
    person_id: strawberry.ID | None = strawberry.field(
        default=None, description="The person of this community the contact is, if any."
    )


@strawberry.input(description="Fields to change; omitted fields stay, null clears.")
class OrganisationContactUpdateInput:
    id: strawberry.ID
    name: str | None = strawberry.UNSET
    email: str | None = strawberry.UNSET
    title: str | None = strawberry.UNSET
    person_id: strawberry.ID | None = strawberry.UNSET


@strawberry.input
class OrganisationContactRemoveInput:
    contact_id: strawberry.ID


@strawberry.input
class ChapterOrganisationLinkInput:
    chapter_id: strawberry.ID
    organisation_id: strawberry.ID


def _organisation_fields(data: Any) -> service.OrganisationFields:
    return service.OrganisationFields(
        **given_fields(data, service.OrganisationFields.__dataclass_fields__)
    )


def _relationship_fields(data: Any) -> service.RelationshipFields:
    return service.RelationshipFields(
        **given_fields(data, service.RelationshipFields.__dataclass_fields__)
    )


def _contact_fields(data: Any) -> service.ContactFields:
    values = given_fields(data, service.ContactFields.__dataclass_fields__)
    if values.get("person_id") is not None:
        values["person_id"] = decode_id(str(values["person_id"]), "Person", "personId")
    return service.ContactFields(**values)


@strawberry.type
class OrganisationPayload:
    organisation: OrganisationType | None
    errors: list[UserError]


@strawberry.type
class OrganisationRelationshipPayload:
    relationship: OrganisationRelationshipType | None
    errors: list[UserError]


@strawberry.type
class OrganisationContactPayload:
    contact: OrganisationContactType | None = strawberry.field(
        description="The contact; after a removal, as it was."
    )
    errors: list[UserError]


@strawberry.type
class ChapterOrganisationPayload:
    organisation: OrganisationType | None
    chapter: ChapterType | None
    errors: list[UserError]


def _organisation_payload(organisation: Organisation) -> OrganisationPayload:
    return OrganisationPayload(organisation=OrganisationType.from_model(organisation), errors=[])


def _organisation_failed(errors: list[UserError]) -> OrganisationPayload:
    return OrganisationPayload(organisation=None, errors=errors)


def _relationship_payload(
    relationship: OrganisationRelationship,
) -> OrganisationRelationshipPayload:
    return OrganisationRelationshipPayload(
        relationship=OrganisationRelationshipType.from_model(relationship), errors=[]
    )


def _relationship_failed(errors: list[UserError]) -> OrganisationRelationshipPayload:
    return OrganisationRelationshipPayload(relationship=None, errors=errors)


def _contact_payload(contact: OrganisationContact) -> OrganisationContactPayload:
    return OrganisationContactPayload(
        contact=OrganisationContactType.from_model(contact), errors=[]
    )


def _contact_failed(errors: list[UserError]) -> OrganisationContactPayload:
    return OrganisationContactPayload(contact=None, errors=errors)


@strawberry.type
class OrganisationQuery:
    @strawberry.field(description="The organisation registry, by name. Signed-in people only.")
    async def organisations(
        self,
        info: strawberry.Info,
        filter: OrganisationFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> OrganisationConnection:
        filters = (filter or OrganisationFilter()).to_service()
        args = PageArgs(first=first, after=after, last=last, before=before)
        page = await queries.registry(info.context, filters, args)
        return connection(OrganisationConnection, page, OrganisationType.from_model)


@strawberry.type
class OrganisationMutation:
    @strawberry.mutation(description="Add an organisation to the registry (ops and admins).")
    async def organisation_create(
        self, info: strawberry.Info, input: OrganisationCreateInput
    ) -> OrganisationPayload:
        ctx = info.context

        async def work() -> Organisation:
            fields = _organisation_fields(input)
            return await service.create_organisation(ctx.session, ctx.principal, fields)

        return await mutate(info, work, present=_organisation_payload, failed=_organisation_failed)

    @strawberry.mutation(description="Edit an organisation (ops and admins).")
    async def organisation_update(
        self, info: strawberry.Info, input: OrganisationUpdateInput
    ) -> OrganisationPayload:
        ctx = info.context

        async def work() -> Organisation:
            organisation_id = decode_id(str(input.id), "Organisation", "id")
            fields = _organisation_fields(input)
            return await service.update_organisation(
                ctx.session, ctx.principal, organisation_id, fields
            )

        return await mutate(info, work, present=_organisation_payload, failed=_organisation_failed)

    @strawberry.mutation(
        description="Record a relationship (partner, sponsor …) with an organisation (ops and "
        "admins)."
    )
    async def organisation_relationship_add(
        self, info: strawberry.Info, input: OrganisationRelationshipAddInput
    ) -> OrganisationRelationshipPayload:
        ctx = info.context

        async def work() -> OrganisationRelationship:
            organisation_id = decode_id(
                str(input.organisation_id), "Organisation", "organisationId"
            )
            fields = _relationship_fields(input)
            return await service.add_relationship(
                ctx.session, ctx.principal, organisation_id, fields
            )

        return await mutate(info, work, present=_relationship_payload, failed=_relationship_failed)

    @strawberry.mutation(
        description="Change a relationship's status, dates or notes; an ended relationship "
        "stays on record (ops and admins)."
    )
    async def organisation_relationship_update(
        self, info: strawberry.Info, input: OrganisationRelationshipUpdateInput
    ) -> OrganisationRelationshipPayload:
        ctx = info.context

        async def work() -> OrganisationRelationship:
            relationship_id = decode_id(str(input.id), "OrganisationRelationship", "id")
            fields = _relationship_fields(input)
            return await service.update_relationship(
                ctx.session, ctx.principal, relationship_id, fields
            )

        return await mutate(info, work, present=_relationship_payload, failed=_relationship_failed)

    @strawberry.mutation(description="Add a contact to an organisation (ops and admins).")
    async def organisation_contact_add(
        self, info: strawberry.Info, input: OrganisationContactAddInput
    ) -> OrganisationContactPayload:
        ctx = info.context

        async def work() -> OrganisationContact:
            organisation_id = decode_id(
                str(input.organisation_id), "Organisation", "organisationId"
            )
            fields = _contact_fields(input)
            return await service.add_contact(ctx.session, ctx.principal, organisation_id, fields)

        return await mutate(info, work, present=_contact_payload, failed=_contact_failed)

    @strawberry.mutation(description="Edit a contact (ops and admins).")
    async def organisation_contact_update(
        self, info: strawberry.Info, input: OrganisationContactUpdateInput
    ) -> OrganisationContactPayload:
        ctx = info.context

        async def work() -> OrganisationContact:
            contact_id = decode_id(str(input.id), "OrganisationContact", "id")
            fields = _contact_fields(input)
            return await service.update_contact(ctx.session, ctx.principal, contact_id, fields)

        return await mutate(info, work, present=_contact_payload, failed=_contact_failed)

    @strawberry.mutation(description="Delete a contact for good (ops and admins).")
    async def organisation_contact_remove(
        self, info: strawberry.Info, input: OrganisationContactRemoveInput
    ) -> OrganisationContactPayload:
        ctx = info.context

        async def work() -> OrganisationContact:
            contact_id = decode_id(str(input.contact_id), "OrganisationContact", "contactId")
            return await service.remove_contact(ctx.session, ctx.principal, contact_id)

        return await mutate(info, work, present=_contact_payload, failed=_contact_failed)

    @strawberry.mutation(
        description="Link an organisation to a chapter (its leads and co-leads, ops, admins)."
    )
    async def chapter_organisation_link(
        self, info: strawberry.Info, input: ChapterOrganisationLinkInput
    ) -> ChapterOrganisationPayload:
        return await _link(info, input, service.link_chapter)

    @strawberry.mutation(
        description="Unlink an organisation from a chapter (its leads and co-leads, ops, admins)."
    )
    async def chapter_organisation_unlink(
        self, info: strawberry.Info, input: ChapterOrganisationLinkInput
    ) -> ChapterOrganisationPayload:
        return await _link(info, input, service.unlink_chapter)


async def _link(
    info: strawberry.Info,
    input: ChapterOrganisationLinkInput,
    use_case: Callable[..., Awaitable[tuple[Chapter, Organisation]]],
) -> ChapterOrganisationPayload:
    ctx = info.context

    async def work() -> tuple[Chapter, Organisation]:
        chapter_id = decode_id(str(input.chapter_id), "Chapter", "chapterId")
        organisation_id = decode_id(str(input.organisation_id), "Organisation", "organisationId")
        return await use_case(ctx.session, ctx.principal, chapter_id, organisation_id)

    return await mutate(
        info,
        work,
        present=_link_payload,
        failed=lambda errors: ChapterOrganisationPayload(
            organisation=None, chapter=None, errors=errors
        ),
    )


def _link_payload(linked: tuple[Chapter, Organisation]) -> ChapterOrganisationPayload:
    chapter, organisation = linked
    return ChapterOrganisationPayload(
        organisation=OrganisationType.from_model(organisation),
        chapter=ChapterType.from_model(chapter),
        errors=[],
    )
