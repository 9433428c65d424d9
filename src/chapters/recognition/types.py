"""GraphQL types of recognition: titles, awards with their citations, certificates."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Self, TypeAlias

import strawberry
from strawberry import relay

from chapters.api.connections import connection
from chapters.api.ids import LoadedNode, global_id
from chapters.db.pagination import PageArgs
from chapters.models.recognition import (
    Award,
    AwardCitation,
    Certificate,
    CertificateBasis,
    CertificateStatus,
    RecognitionSettings,
    RecognitionTitle,
)
from chapters.recognition import queries
from chapters.recognition.signing import download_path
from chapters.settings import get_settings

if TYPE_CHECKING:
    from chapters.people.types import PersonType

strawberry.enum(
    CertificateStatus,
    name="CertificateStatus",
    description='VALID, or REVOKED (with a reason; "reissued" when a newer certificate '
    "replaced it).",
)
CertificateStatusType: TypeAlias = CertificateStatus
strawberry.enum(
    CertificateBasis,
    name="CertificateBasis",
    description="What a certificate certifies: an AWARD, or a verified contribution (an "
    "ACTIVITY, a MENTORING_PROJECT, an AMBASSADOR_TERM).",
)
CertificateBasisType: TypeAlias = CertificateBasis

_RECORD_TYPES = {
    "activity_id": "Activity",
    "mentoring_project_id": "MentoringProject",
    "ambassador_term_id": "AmbassadorTerm",
}


def runtime_of(info: strawberry.Info) -> Any:
    """The app's runtime (its settings and signing keys), when the request came through it."""
    request = getattr(info.context, "request", None)
    return getattr(request.app.state, "runtime", None) if request is not None else None


def public_url(info: strawberry.Info) -> str:
    runtime = runtime_of(info)
    settings = runtime.settings if runtime is not None else get_settings()
    return str(settings.public_url)


@strawberry.type(name="RecognitionTitle", description="A title the tenant awards.")
class RecognitionTitleType(LoadedNode, relay.Node):
    id: relay.NodeID[str]
    name: str
    description: str | None
    created_at: datetime

    @classmethod
    def from_model(cls, title: RecognitionTitle) -> Self:
        return cls(
            id=str(title.id),
            name=title.name,
            description=title.description,
            created_at=title.created_at,
        )

    @classmethod
    async def load(cls, info: strawberry.Info, object_id: uuid.UUID | None) -> Self | None:
        found = await queries.title(info.context, object_id)
        return None if found is None else cls.from_model(found)


@strawberry.type(
    name="AwardCitation",
    description="A ledger record an award cites: an Activity, a MentoringProject or an "
    "AmbassadorTerm of the awarded person.",
)
class AwardCitationType:
    record_id: strawberry.ID = strawberry.field(description="The record's global id.")
    record_type: str = strawberry.field(description="Activity, MentoringProject or AmbassadorTerm.")

    @classmethod
    def from_model(cls, citation: AwardCitation) -> Self:
        for column, type_name in _RECORD_TYPES.items():
            record_id = getattr(citation, column)
            if record_id is not None:
                return cls(
                    record_id=strawberry.ID(global_id(type_name, record_id)),
                    record_type=type_name,
                )
        raise AssertionError("a citation names one record (one_record constraint)")


@strawberry.type(
    name="Award",
    description="A title awarded to a person for a period. Seen by staff and the holder.",
)
class AwardType(LoadedNode, relay.Node):
    id: relay.NodeID[str]
    starts_on: date
    ends_on: date
    reason: str | None = strawberry.field(description="What it is for, in words.")
    created_at: datetime
    row: strawberry.Private[Award]

    @classmethod
    def from_model(cls, award: Award) -> Self:
        return cls(
            id=str(award.id),
            starts_on=award.starts_on,
            ends_on=award.ends_on,
            reason=award.reason,
            created_at=award.created_at,
            row=award,
        )

    @classmethod
    async def load(cls, info: strawberry.Info, object_id: uuid.UUID | None) -> Self | None:
        found = await queries.award(info.context, object_id)
        return None if found is None else cls.from_model(found)

    @strawberry.field
    async def title(self, info: strawberry.Info) -> RecognitionTitleType | None:
        found = await queries.title_of_award(info.context, self.row)
        return None if found is None else RecognitionTitleType.from_model(found)

    @strawberry.field
    async def person(
        self, info: strawberry.Info
    ) -> Annotated[PersonType, strawberry.lazy("chapters.people.types")] | None:
        from chapters.people.types import load_person

        return await load_person(info, self.row.person_id)

    @strawberry.field(description="The ledger records it cites.")
    async def citations(self, info: strawberry.Info) -> list[AwardCitationType]:
        return [
            AwardCitationType.from_model(c) for c in await queries.citations(info.context, self.row)
        ]


@strawberry.type(
    name="Certificate",
    description="A certificate as issued: its content is fixed and signed; anyone checks it "
    "at verificationUrl. Seen here by staff and the holder.",
)
class CertificateType(LoadedNode, relay.Node):
    id: relay.NodeID[str]
    public_id: str = strawberry.field(description="The id in its verification URL.")
    basis: CertificateBasisType
    status: CertificateStatusType
    holder_name: str = strawberry.field(description="The holder's name when it was issued.")
    title: str
    what_for: str
    issued_on: date
    issuer_name: str = strawberry.field(description="The issuing community (the tenant).")
    signatories: list[str]
    jws: str = strawberry.field(
        description="The signed content: a compact JWS (ES256) whose key id is in "
        "/.well-known/jwks.json."
    )
    revoked_at: datetime | None
    revoked_reason: str | None
    created_at: datetime
    row: strawberry.Private[Certificate]

    @classmethod
    def from_model(cls, c: Certificate) -> Self:
        return cls(
            id=str(c.id),
            public_id=c.public_id,
            basis=c.basis,
            status=c.status,
            holder_name=c.holder_name,
            title=c.title,
            what_for=c.what_for,
            issued_on=c.issued_on,
            issuer_name=c.issuer_name,
            signatories=list(c.signatories),
            jws=c.jws,
            revoked_at=c.revoked_at,
            revoked_reason=c.revoked_reason,
            created_at=c.created_at,
            row=c,
        )

    @classmethod
    async def load(cls, info: strawberry.Info, object_id: uuid.UUID | None) -> Self | None:
        found = await queries.certificate(info.context, object_id)
        return None if found is None else cls.from_model(found)

    @strawberry.field(description="Where anyone verifies it (no sign-in).")
    def verification_url(self, info: strawberry.Info) -> str:
        return f"{public_url(info)}/verify/{self.row.public_id}"

    @strawberry.field(description="The shareable PDF.")
    def pdf_url(self, info: strawberry.Info) -> str:
        slug = info.context.tenant.slug
        return public_url(info) + download_path(slug, self.row.public_id, "pdf")

    @strawberry.field(description="The shareable PNG.")
    def png_url(self, info: strawberry.Info) -> str:
        slug = info.context.tenant.slug
        return public_url(info) + download_path(slug, self.row.public_id, "png")

    @strawberry.field
    async def person(
        self, info: strawberry.Info
    ) -> Annotated[PersonType, strawberry.lazy("chapters.people.types")] | None:
        from chapters.people.types import load_person

        return await load_person(info, self.row.person_id)

    @strawberry.field(description="The award it certifies (basis AWARD).")
    async def award(self, info: strawberry.Info) -> AwardType | None:
        return await AwardType.load(info, self.row.award_id)

    @strawberry.field(
        description="The certified record's global id (an Activity, MentoringProject or "
        "AmbassadorTerm; null for an award)."
    )
    def record_id(self) -> strawberry.ID | None:
        for column, type_name in _RECORD_TYPES.items():
            record_id = getattr(self.row, column)
            if record_id is not None:
                return strawberry.ID(global_id(type_name, record_id))
        return None

    @strawberry.field(description="The certificate this one re-issued.")
    async def previous(self, info: strawberry.Info) -> CertificateType | None:
        found = await queries.predecessor(info.context, self.row)
        return None if found is None else CertificateType.from_model(found)

    @strawberry.field(description="The certificate that re-issued this one.")
    async def superseded_by(self, info: strawberry.Info) -> CertificateType | None:
        found = await queries.successor(info.context, self.row)
        return None if found is None else CertificateType.from_model(found)


@strawberry.type(
    name="RecognitionSettings",
    description="What every certificate shows besides its content: signatories and a logo.",
)
class RecognitionSettingsType:
    signatories: list[str] = strawberry.field(
        description="Printed on certificates issued from now on."
    )
    logo_media_type: str | None = strawberry.field(
        description="image/png or image/jpeg; null: no logo."
    )

    @classmethod
    def from_model(cls, settings: RecognitionSettings | None) -> Self:
        if settings is None:
            return cls(signatories=[], logo_media_type=None)
        return cls(signatories=list(settings.signatories), logo_media_type=settings.logo_media_type)


@strawberry.type(name="RecognitionTitleConnection")
class RecognitionTitleConnection(relay.Connection[RecognitionTitleType]):
    pass


@strawberry.type(name="AwardConnection")
class AwardConnection(relay.Connection[AwardType]):
    pass


@strawberry.type(name="CertificateConnection")
class CertificateConnection(relay.Connection[CertificateType]):
    pass


async def certificates_of_viewer(
    info: strawberry.Info, first: int | None, after: str | None
) -> CertificateConnection:
    page = await queries.own_certificates(info.context, PageArgs(first=first, after=after))
    return connection(CertificateConnection, page, CertificateType.from_model)
