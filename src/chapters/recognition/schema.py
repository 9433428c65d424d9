"""Recognition's root fields: staff define titles, award them, issue, revoke and re-issue
certificates, and set the certificates' signatories and logo; staff list everything."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry
from strawberry import relay

from chapters.api.connections import connection
from chapters.api.errors import UserError
from chapters.api.ids import decode_id
from chapters.api.mutations import mutate
from chapters.db.pagination import PageArgs
from chapters.errors import ErrorCode, FieldError, InvalidInput
from chapters.models.recognition import CertificateBasis
from chapters.recognition import queries, service
from chapters.recognition.signing import Issuer
from chapters.recognition.types import (
    AwardConnection,
    AwardType,
    CertificateConnection,
    CertificateStatusType,
    CertificateType,
    RecognitionSettingsType,
    RecognitionTitleConnection,
    RecognitionTitleType,
    public_url,
    runtime_of,
)

RECORD_KINDS = {
    "Activity": CertificateBasis.ACTIVITY,
    "MentoringProject": CertificateBasis.MENTORING_PROJECT,
    "AmbassadorTerm": CertificateBasis.AMBASSADOR_TERM,
}


def _issuer(info: strawberry.Info) -> Issuer:
    return Issuer(keys=runtime_of(info).keys, public_url=public_url(info))


def _record(value: str, field: str) -> service.RecordRef:
    """A ledger record's global id: an Activity, a MentoringProject or an AmbassadorTerm."""
    try:
        type_name, _ = relay.from_base64(value)
    except (ValueError, TypeError):
        raise InvalidInput(FieldError(field, ErrorCode.INVALID, "Not a valid id")) from None
    kind = RECORD_KINDS.get(type_name)
    if kind is None:
        raise InvalidInput(
            FieldError(
                field,
                ErrorCode.INVALID,
                "Name an activity, a mentoring project or an ambassador term",
            )
        )
    return service.RecordRef(kind, decode_id(value, type_name, field), field)


@strawberry.input
class RecognitionTitleCreateInput:
    name: str
    description: str | None = None


@strawberry.input(description="Fields to change; omitted fields stay.")
class RecognitionTitleUpdateInput:
    id: strawberry.ID
    name: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET


@strawberry.input
class AwardGrantInput:
    title_id: strawberry.ID
    person_id: strawberry.ID
    starts_on: date
    ends_on: date
    reason: str | None = strawberry.field(default=None, description="What it is for, in words.")
    citing: list[strawberry.ID] | None = strawberry.field(
        default=None,
        description="Records of the person it is for: accepted activities they took part "
        "in, completed mentoring projects of theirs, their ambassador terms (global ids).",
    )


@strawberry.input(
    description="An award (its holder gets the certificate), or a contribution of a person: an "
    "accepted activity they spoke at, organised, hosted or mentored, a completed mentoring "
    "project of theirs, or their ambassador term."
)
class CertificateIssueInput:
    award_id: strawberry.ID | None = None
    contribution_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The global id of an Activity, MentoringProject or AmbassadorTerm.",
    )
    person_id: strawberry.ID | None = strawberry.field(
        default=None, description="Whose contribution (with contributionId)."
    )


@strawberry.input
class CertificateRevokeInput:
    id: strawberry.ID
    reason: str = strawberry.field(description="Shown on the verification page.")


@strawberry.input(description="Fields to change; omitted fields stay.")
class RecognitionSettingsUpdateInput:
    signatories: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Up to four names, printed in order."
    )
    logo_base64: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="A PNG or JPEG of at most 256 KiB, base64; null removes the logo.",
    )


@strawberry.input
class CertificateFilter:
    person_id: strawberry.ID | None = None
    award_id: strawberry.ID | None = None
    status: list[CertificateStatusType] | None = None


@strawberry.type
class RecognitionTitlePayload:
    title: RecognitionTitleType | None
    errors: list[UserError]


@strawberry.type
class RecognitionTitleDeletePayload:
    deleted_id: strawberry.ID | None
    errors: list[UserError]


@strawberry.type
class AwardPayload:
    award: AwardType | None
    errors: list[UserError]


@strawberry.type
class CertificatePayload:
    certificate: CertificateType | None
    errors: list[UserError]


@strawberry.type
class RecognitionSettingsPayload:
    settings: RecognitionSettingsType | None
    errors: list[UserError]


def _title_payload(title: Any) -> RecognitionTitlePayload:
    return RecognitionTitlePayload(title=RecognitionTitleType.from_model(title), errors=[])


def _title_failed(errors: list[UserError]) -> RecognitionTitlePayload:
    return RecognitionTitlePayload(title=None, errors=errors)


def _certificate_payload(certificate: Any) -> CertificatePayload:
    return CertificatePayload(certificate=CertificateType.from_model(certificate), errors=[])


def _certificate_failed(errors: list[UserError]) -> CertificatePayload:
    return CertificatePayload(certificate=None, errors=errors)


@strawberry.type
class RecognitionQuery:
    @strawberry.field(description="The tenant's recognition titles, by name (staff).")
    async def recognition_titles(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> RecognitionTitleConnection:
        page = await queries.titles(info.context, PageArgs(first=first, after=after))
        return connection(RecognitionTitleConnection, page, RecognitionTitleType.from_model)

    @strawberry.field(description="Awards, newest first (staff); a person's or a title's.")
    async def awards(
        self,
        info: strawberry.Info,
        person_id: strawberry.ID | None = None,
        title_id: strawberry.ID | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> AwardConnection:
        page = await queries.awards(
            info.context,
            PageArgs(first=first, after=after),
            person_id=decode_id(person_id, "Person", "person_id") if person_id else None,
            title_id=decode_id(title_id, "RecognitionTitle", "title_id") if title_id else None,
        )
        return connection(AwardConnection, page, AwardType.from_model)

    @strawberry.field(description="Certificates, newest first (staff).")
    async def certificates(
        self,
        info: strawberry.Info,
        filter: CertificateFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> CertificateConnection:
        given = filter or CertificateFilter()
        narrowed = queries.CertificateFilter(
            person_id=decode_id(given.person_id, "Person", "person_id")
            if given.person_id
            else None,
            award_id=decode_id(given.award_id, "Award", "award_id") if given.award_id else None,
            statuses=tuple(given.status or ()),
        )
        page = await queries.certificates(
            info.context, PageArgs(first=first, after=after), narrowed
        )
        return connection(CertificateConnection, page, CertificateType.from_model)

    @strawberry.field(description="The certificates' signatories and logo (staff).")
    async def recognition_settings(self, info: strawberry.Info) -> RecognitionSettingsType:
        return RecognitionSettingsType.from_model(await queries.settings(info.context))


@strawberry.type
class RecognitionMutation:
    @strawberry.mutation(description="Define a recognition title (staff).")
    async def recognition_title_create(
        self, info: strawberry.Info, input: RecognitionTitleCreateInput
    ) -> RecognitionTitlePayload:
        ctx = info.context
        return await mutate(
            info,
            lambda: service.create_title(
                ctx.session, ctx.principal, name=input.name, description=input.description
            ),
            present=_title_payload,
            failed=_title_failed,
        )

    @strawberry.mutation(
        description="Rename or describe a title (staff); issued certificates keep their text."
    )
    async def recognition_title_update(
        self, info: strawberry.Info, input: RecognitionTitleUpdateInput
    ) -> RecognitionTitlePayload:
        ctx = info.context
        changes = {
            name: getattr(input, name)
            for name in service.UPDATABLE_TITLE
            if getattr(input, name) is not strawberry.UNSET
        }

        async def work() -> Any:
            title_id = decode_id(input.id, "RecognitionTitle", "id")
            return await service.update_title(ctx.session, ctx.principal, title_id, changes)

        return await mutate(info, work, present=_title_payload, failed=_title_failed)

    @strawberry.mutation(description="Delete a title that was never awarded (staff).")
    async def recognition_title_delete(
        self, info: strawberry.Info, id: strawberry.ID
    ) -> RecognitionTitleDeletePayload:
        ctx = info.context

        async def work() -> strawberry.ID:
            title_id = decode_id(id, "RecognitionTitle", "id")
            await service.delete_title(ctx.session, ctx.principal, title_id)
            return id

        return await mutate(
            info,
            work,
            present=lambda deleted: RecognitionTitleDeletePayload(deleted_id=deleted, errors=[]),
            failed=lambda errors: RecognitionTitleDeletePayload(deleted_id=None, errors=errors),
        )

    @strawberry.mutation(
        description="Award a title to a person for a period, citing their records (staff)."
    )
    async def award_grant(self, info: strawberry.Info, input: AwardGrantInput) -> AwardPayload:
        ctx = info.context

        async def work() -> Any:
            return await service.grant_award(
                ctx.session,
                ctx.principal,
                title_id=decode_id(input.title_id, "RecognitionTitle", "title_id"),
                person_id=decode_id(input.person_id, "Person", "person_id"),
                starts_on=input.starts_on,
                ends_on=input.ends_on,
                reason=input.reason,
                citations=[
                    _record(value, f"citing.{index}")
                    for index, value in enumerate(input.citing or [])
                ],
            )

        return await mutate(
            info,
            work,
            present=lambda award: AwardPayload(award=AwardType.from_model(award), errors=[]),
            failed=lambda errors: AwardPayload(award=None, errors=errors),
        )

    @strawberry.mutation(
        description="Issue a certificate for an award or a verified contribution (staff); the "
        "holder is told by mail."
    )
    async def certificate_issue(
        self, info: strawberry.Info, input: CertificateIssueInput
    ) -> CertificatePayload:
        ctx = info.context

        async def work() -> Any:
            return await service.issue_certificate(
                ctx.session,
                ctx.principal,
                _issuer(info),
                award_id=decode_id(input.award_id, "Award", "award_id") if input.award_id else None,
                record=_record(input.contribution_id, "contribution_id")
                if input.contribution_id
                else None,
                person_id=decode_id(input.person_id, "Person", "person_id")
                if input.person_id
                else None,
            )

        return await mutate(info, work, present=_certificate_payload, failed=_certificate_failed)

    @strawberry.mutation(
        description="Revoke a certificate with a reason (staff); verification shows both."
    )
    async def certificate_revoke(
        self, info: strawberry.Info, input: CertificateRevokeInput
    ) -> CertificatePayload:
        ctx = info.context

        async def work() -> Any:
            certificate_id = decode_id(input.id, "Certificate", "id")
            return await service.revoke_certificate(
                ctx.session, ctx.principal, certificate_id, input.reason
            )

        return await mutate(info, work, present=_certificate_payload, failed=_certificate_failed)

    @strawberry.mutation(
        description="Re-issue a certificate with the holder's current name (staff): a new "
        "certificate naming the old one, which is revoked as reissued."
    )
    async def certificate_reissue(
        self, info: strawberry.Info, id: strawberry.ID
    ) -> CertificatePayload:
        ctx = info.context

        async def work() -> Any:
            certificate_id = decode_id(id, "Certificate", "id")
            return await service.reissue_certificate(
                ctx.session, ctx.principal, _issuer(info), certificate_id
            )

        return await mutate(info, work, present=_certificate_payload, failed=_certificate_failed)

    @strawberry.mutation(description="Set the certificates' signatories and logo (staff).")
    async def recognition_settings_update(
        self, info: strawberry.Info, input: RecognitionSettingsUpdateInput
    ) -> RecognitionSettingsPayload:
        ctx = info.context
        changes = {
            name: getattr(input, name)
            for name in service.UPDATABLE_SETTINGS
            if getattr(input, name) is not strawberry.UNSET
        }
        return await mutate(
            info,
            lambda: service.update_settings(ctx.session, ctx.principal, changes),
            present=lambda settings: RecognitionSettingsPayload(
                settings=RecognitionSettingsType.from_model(settings), errors=[]
            ),
            failed=lambda errors: RecognitionSettingsPayload(settings=None, errors=errors),
        )
