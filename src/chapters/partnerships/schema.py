"""This domain's root fields: partner agreements (staff; a partner's client reads its own),
case users and their publication permission (staff), and the public case-user list."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry

from chapters.api.connections import connection
from chapters.api.errors import UserError
from chapters.api.ids import decode_id
from chapters.api.mutations import given_fields, mutate
from chapters.db.pagination import PageArgs
from chapters.models.partnership import CaseUser, PartnerAgreement
from chapters.partnerships import queries, service
from chapters.partnerships.types import (
    AgreementKindType,
    AgreementStatusType,
    CaseUserConnection,
    CaseUserType,
    PartnerAgreementConnection,
    PartnerAgreementType,
)


@strawberry.input
class PartnerAgreementFilter:
    organisation_id: strawberry.ID | None = None
    relationship_id: strawberry.ID | None = None
    status: list[AgreementStatusType] | None = strawberry.field(
        default=None, description="As of today (an active agreement past its end is EXPIRED)."
    )
    renewal_within_days: int | None = strawberry.field(
        default=None, description="Coming up for renewal from today to this many days ahead."
    )

    def to_service(self) -> queries.AgreementFilter:
        return queries.AgreementFilter(
            organisation_id=decode_id(str(self.organisation_id), "Organisation", "organisation_id")
            if self.organisation_id
            else None,
            relationship_id=decode_id(
                str(self.relationship_id), "OrganisationRelationship", "relationship_id"
            )
            if self.relationship_id
            else None,
            statuses=tuple(self.status or ()),
            renewal_within_days=self.renewal_within_days,
        )


@strawberry.input
class PartnerAgreementAddInput:
    relationship_id: strawberry.ID = strawberry.field(
        description="The relationship (partner, sponsor …) it is signed on."
    )
    kind: AgreementKindType
    status: AgreementStatusType = AgreementStatusType.DRAFT
    starts_on: date | None = strawberry.field(default=None, description="Needed once ACTIVE.")
    ends_on: date | None = None
    renews_on: date | None = strawberry.field(
        default=None, description="Staff are reminded 30 and 7 days before."
    )
    document_url: str | None = strawberry.field(default=None, description="http or https.")
    notes: str | None = strawberry.field(default=None, description="Staff only.")


@strawberry.input(description="Fields to change; omitted fields stay, null clears.")
class PartnerAgreementUpdateInput:
    id: strawberry.ID
    kind: AgreementKindType | None = strawberry.UNSET
    status: AgreementStatusType | None = strawberry.UNSET
    starts_on: date | None = strawberry.UNSET
    ends_on: date | None = strawberry.UNSET
    renews_on: date | None = strawberry.UNSET
    document_url: str | None = strawberry.UNSET
    notes: str | None = strawberry.UNSET


@strawberry.input
class CaseUserProductInput:
    product: str
    version: str | None = None


@strawberry.input
class CaseUserAddInput:
    organisation_id: strawberry.ID
    products: list[CaseUserProductInput] | None = None
    scale: str | None = strawberry.field(default=None, description="Clusters, nodes, users …")
    story: str | None = None
    logo_url: str | None = strawberry.field(default=None, description="http or https.")
    activity_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Accepted activities (articles, talks) telling the story."
    )
    notes: str | None = strawberry.field(default=None, description="Staff only.")


@strawberry.input(description="Fields to change; omitted fields stay, null clears.")
class CaseUserUpdateInput:
    id: strawberry.ID
    products: list[CaseUserProductInput] | None = strawberry.UNSET
    scale: str | None = strawberry.UNSET
    story: str | None = strawberry.UNSET
    logo_url: str | None = strawberry.UNSET
    activity_ids: list[strawberry.ID] | None = strawberry.UNSET
    notes: str | None = strawberry.UNSET


@strawberry.input(
    description="Who granted the permission: one of the organisation's contacts, or a name."
)
class CaseUserGrantPermissionInput:
    case_user_id: strawberry.ID
    granted_on: date | None = strawberry.field(default=None, description="Default: today.")
    contact_id: strawberry.ID | None = None
    granted_by_name: str | None = None


@strawberry.input
class CaseUserWithdrawPermissionInput:
    case_user_id: strawberry.ID
    withdrawn_on: date | None = strawberry.field(default=None, description="Default: today.")


@strawberry.type
class PartnerAgreementPayload:
    agreement: PartnerAgreementType | None
    errors: list[UserError]


@strawberry.type
class CaseUserPayload:
    case_user: CaseUserType | None
    errors: list[UserError]


def _agreement_fields(data: Any) -> service.AgreementFields:
    return service.AgreementFields(
        **given_fields(data, service.AgreementFields.__dataclass_fields__)
    )


def _case_user_fields(data: Any) -> service.CaseUserFields:
    values = given_fields(data, service.CaseUserFields.__dataclass_fields__)
    if values.get("products") is not None:
        values["products"] = [
            service.ProductEntry(product=p.product, version=p.version) for p in values["products"]
        ]
    if values.get("activity_ids") is not None:
        values["activity_ids"] = [
            decode_id(str(value), "Activity", f"activity_ids.{index}")
            for index, value in enumerate(values["activity_ids"])
        ]
    return service.CaseUserFields(**values)


def _agreement_payload(agreement: PartnerAgreement) -> PartnerAgreementPayload:
    return PartnerAgreementPayload(agreement=PartnerAgreementType.from_model(agreement), errors=[])


def _agreement_failed(errors: list[UserError]) -> PartnerAgreementPayload:
    return PartnerAgreementPayload(agreement=None, errors=errors)


def _case_user_payload(case_user: CaseUser) -> CaseUserPayload:
    return CaseUserPayload(case_user=CaseUserType.from_model(case_user), errors=[])


def _case_user_failed(errors: list[UserError]) -> CaseUserPayload:
    return CaseUserPayload(case_user=None, errors=errors)


@strawberry.type
class PartnershipQuery:
    @strawberry.field(
        description="Partner agreements, oldest first (staff; a partner's client: its own "
        "organisation's)."
    )
    async def partner_agreements(
        self,
        info: strawberry.Info,
        filter: PartnerAgreementFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> PartnerAgreementConnection:
        filters = (filter or PartnerAgreementFilter()).to_service()
        args = PageArgs(first=first, after=after, last=last, before=before)
        page = await queries.agreements(info.context, filters, args)
        return connection(PartnerAgreementConnection, page, PartnerAgreementType.from_model)

    @strawberry.field(
        description="Case users, oldest first. Anyone, signed in or not: those who allow "
        "publishing their name and logo. Staff: every one (`published` filters). A partner's "
        "client: its own organisation's story."
    )
    async def case_users(
        self,
        info: strawberry.Info,
        published: bool | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> CaseUserConnection:
        args = PageArgs(first=first, after=after, last=last, before=before)
        page = await queries.case_users(info.context, published, args)
        return connection(CaseUserConnection, page, CaseUserType.from_model)


@strawberry.type
class PartnershipMutation:
    @strawberry.mutation(description="Record an agreement on a relationship (ops and admins).")
    async def partner_agreement_add(
        self, info: strawberry.Info, input: PartnerAgreementAddInput
    ) -> PartnerAgreementPayload:
        ctx = info.context

        async def work() -> PartnerAgreement:
            relationship_id = decode_id(
                str(input.relationship_id), "OrganisationRelationship", "relationship_id"
            )
            fields = _agreement_fields(input)
            return await service.add_agreement(ctx.session, ctx.principal, relationship_id, fields)

        return await mutate(info, work, present=_agreement_payload, failed=_agreement_failed)

    @strawberry.mutation(
        description="Change an agreement's kind, status, dates, document or notes; a "
        "terminated one stays terminated (ops and admins)."
    )
    async def partner_agreement_update(
        self, info: strawberry.Info, input: PartnerAgreementUpdateInput
    ) -> PartnerAgreementPayload:
        ctx = info.context

        async def work() -> PartnerAgreement:
            agreement_id = decode_id(str(input.id), "PartnerAgreement", "id")
            fields = _agreement_fields(input)
            return await service.update_agreement(ctx.session, ctx.principal, agreement_id, fields)

        return await mutate(info, work, present=_agreement_payload, failed=_agreement_failed)

    @strawberry.mutation(
        description="Record an organisation as a case user, with its story (ops and admins)."
    )
    async def case_user_add(
        self, info: strawberry.Info, input: CaseUserAddInput
    ) -> CaseUserPayload:
        ctx = info.context

        async def work() -> CaseUser:
            organisation_id = decode_id(
                str(input.organisation_id), "Organisation", "organisation_id"
            )
            fields = _case_user_fields(input)
            return await service.add_case_user(ctx.session, ctx.principal, organisation_id, fields)

        return await mutate(info, work, present=_case_user_payload, failed=_case_user_failed)

    @strawberry.mutation(description="Edit a case user's story (ops and admins).")
    async def case_user_update(
        self, info: strawberry.Info, input: CaseUserUpdateInput
    ) -> CaseUserPayload:
        ctx = info.context

        async def work() -> CaseUser:
            case_user_id = decode_id(str(input.id), "CaseUser", "id")
            fields = _case_user_fields(input)
            return await service.update_case_user(ctx.session, ctx.principal, case_user_id, fields)

        return await mutate(info, work, present=_case_user_payload, failed=_case_user_failed)

    @strawberry.mutation(
        description="Record the permission to publish a case user's name and logo: it joins "
        "the public list (ops and admins)."
    )
    async def case_user_grant_permission(
        self, info: strawberry.Info, input: CaseUserGrantPermissionInput
    ) -> CaseUserPayload:
        ctx = info.context

        async def work() -> CaseUser:
            case_user_id = decode_id(str(input.case_user_id), "CaseUser", "case_user_id")
            contact_id = (
                decode_id(str(input.contact_id), "OrganisationContact", "contact_id")
                if input.contact_id
                else None
            )
            return await service.grant_permission(
                ctx.session,
                ctx.principal,
                case_user_id,
                granted_on=input.granted_on or queries.today(),
                contact_id=contact_id,
                granted_by_name=input.granted_by_name,
            )

        return await mutate(info, work, present=_case_user_payload, failed=_case_user_failed)

    @strawberry.mutation(
        description="Record that a case user withdrew its permission: it leaves the public "
        "list (ops and admins)."
    )
    async def case_user_withdraw_permission(
        self, info: strawberry.Info, input: CaseUserWithdrawPermissionInput
    ) -> CaseUserPayload:
        ctx = info.context

        async def work() -> CaseUser:
            case_user_id = decode_id(str(input.case_user_id), "CaseUser", "case_user_id")
            return await service.withdraw_permission(
                ctx.session,
                ctx.principal,
                case_user_id,
                withdrawn_on=input.withdrawn_on or queries.today(),
            )

        return await mutate(info, work, present=_case_user_payload, failed=_case_user_failed)
