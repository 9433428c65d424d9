"""Recognition (staff): define titles, award them to people citing their records, issue
certificates for an award or a verified contribution, revoke and re-issue them, and set what
every certificate shows (signatories, logo).

A certificate is issued only from a record that exists, is the person's, and is done: an
accepted activity the person spoke at, organised, hosted or mentored, that has taken place; a
completed mentoring project they were a member of; an ambassador term of theirs that has
started; or an award of theirs. Its content (the holder's name, the title, what for, the date,
the community, the signatories) is fixed and signed when it is issued (``signing.py``).
"""

from __future__ import annotations

import base64
import binascii
import io
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from PIL import Image, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters import authz
from chapters.auth.principal import Principal
from chapters.authz import Action
from chapters.db.session import flush_unique, get_row
from chapters.errors import DomainError, ErrorCode, FieldError, InvalidInput, NotFound
from chapters.mail.service import queue_certificate_issued
from chapters.models import (
    Activity,
    ActivityParticipant,
    ActivityStatus,
    MentoringProgram,
    MentoringProject,
    MentoringProjectMember,
    ParticipantRole,
    Person,
    ProjectStatus,
    Tenant,
)
from chapters.models.ambassador import AmbassadorProgram, AmbassadorTerm
from chapters.models.recognition import (
    Award,
    AwardCitation,
    Certificate,
    CertificateBasis,
    CertificateStatus,
    RecognitionSettings,
    RecognitionTitle,
)
from chapters.recognition.signing import Issuer, new_public_id
from chapters.validation import check_date_order, check_length, is_storable, label

NAME_LENGTH = 200
DESCRIPTION_LENGTH = 2000
REASON_LENGTH = 500
SIGNATORIES = 4
LOGO_BYTES = 256 * 1024
LOGO_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}
REISSUED = "reissued"
CITATIONS = 20
# The roles in which an activity earns a certificate, the first one held naming it.
CERTIFIED_ROLES = {
    ParticipantRole.SPEAKER: ("Speaker", "Spoke at"),
    ParticipantRole.ORGANIZER: ("Organizer", "Organised"),
    ParticipantRole.HOST: ("Host", "Hosted"),
    ParticipantRole.MENTOR: ("Mentor", "Mentored at"),
}
UPDATABLE_TITLE = frozenset({"name", "description"})
UPDATABLE_SETTINGS = frozenset({"signatories", "logo_base64"})


@dataclass(frozen=True)
class RecordRef:
    """A ledger record named by the API: an activity, a mentoring project or an ambassador
    term (``kind``), and the field that named it (for errors)."""

    kind: CertificateBasis
    id: uuid.UUID
    field: str


@dataclass(frozen=True)
class Contribution:
    """A checked record of a person: what a certificate for it says, and how a citation of
    it reads."""

    ref: RecordRef
    title: str
    what_for: str
    label: str


def _text(value: str | None, field: str, limit: int, *, required: bool) -> str | None:
    if value is not None and not is_storable(value):
        raise InvalidInput(FieldError(field, ErrorCode.INVALID, "Contains unusable characters"))
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(FieldError(field, ErrorCode.REQUIRED, f"{label(field)} cannot be empty"))
    errors = check_length(text, field, limit)
    if errors:
        raise InvalidInput(*errors)
    return text or None


def _today(timezone: str) -> date:
    return datetime.now(ZoneInfo(timezone)).date()


def _period(starts_on: date, ends_on: date) -> str:
    return starts_on.isoformat() if starts_on == ends_on else f"{starts_on} to {ends_on}"


# --- titles -----------------------------------------------------------------------------------

_TITLE_TAKEN = {
    "uq_recognition_titles_tenant_id_name": FieldError(
        "name", ErrorCode.CONFLICT, "A title with this name exists"
    )
}


async def create_title(
    session: AsyncSession, principal: Principal | None, *, name: str, description: str | None
) -> RecognitionTitle:
    authz.require(principal, Action.RECOGNITION_MANAGE)
    title = RecognitionTitle(
        name=_text(name, "name", NAME_LENGTH, required=True),
        description=_text(description, "description", DESCRIPTION_LENGTH, required=False),
    )
    session.add(title)
    await flush_unique(session, _TITLE_TAKEN)
    return title


async def update_title(
    session: AsyncSession,
    principal: Principal | None,
    title_id: uuid.UUID,
    changes: Mapping[str, Any],
) -> RecognitionTitle:
    """Rename or describe a title. Certificates already issued keep the name they show."""
    authz.require(principal, Action.RECOGNITION_MANAGE)
    title = await get_row(session, RecognitionTitle, title_id, "Title", lock=True)
    if "name" in changes:
        title.name = _text(changes["name"], "name", NAME_LENGTH, required=True) or title.name
    if "description" in changes:
        title.description = _text(
            changes["description"], "description", DESCRIPTION_LENGTH, required=False
        )
    await flush_unique(session, _TITLE_TAKEN)
    return title


async def delete_title(
    session: AsyncSession, principal: Principal | None, title_id: uuid.UUID
) -> uuid.UUID:
    """Delete a title nobody holds (an awarded title stays: its awards cite it)."""
    authz.require(principal, Action.RECOGNITION_MANAGE)
    title = await get_row(session, RecognitionTitle, title_id, "Title", lock=True)
    awarded = await session.scalar(select(Award.id).where(Award.title_id == title.id).limit(1))
    if awarded is not None:
        raise InvalidInput(
            FieldError("id", ErrorCode.CONFLICT, "The title has been awarded: it cannot go")
        )
    await session.delete(title)
    await session.flush()
    return title_id


# --- the ledger records a person may be recognised for ---------------------------------------


def _refused(ref: RecordRef, message: str) -> InvalidInput:
    return InvalidInput(FieldError(ref.field, ErrorCode.INVALID, message))


async def _activity_contribution(
    session: AsyncSession, ref: RecordRef, person_id: uuid.UUID, *, certified_roles: bool
) -> Contribution:
    activity = await session.scalar(select(Activity).where(Activity.id == ref.id))
    if activity is None:
        raise NotFound("Activity", field=ref.field)
    if activity.status != ActivityStatus.ACCEPTED:
        raise _refused(ref, "Only an accepted activity counts")
    roles = set(
        await session.scalars(
            select(ActivityParticipant.role).where(
                ActivityParticipant.activity_id == activity.id,
                ActivityParticipant.person_id == person_id,
            )
        )
    )
    day = activity.starts_at.astimezone(ZoneInfo(activity.timezone)).date()
    label_ = f"{activity.title} ({day.isoformat()})"
    if not certified_roles:
        if not roles:
            raise _refused(ref, "The person took no part in this activity")
        return Contribution(ref, activity.title, label_, label_)
    held = [role for role in CERTIFIED_ROLES if role in roles]
    if not held:
        raise _refused(ref, "The person did not speak at, organise, host or mentor this activity")
    if activity.starts_at > datetime.now(UTC):
        raise _refused(ref, "The activity has not taken place yet")
    title, verb = CERTIFIED_ROLES[held[0]]
    return Contribution(ref, title, f'{verb} "{activity.title}" on {day.isoformat()}', label_)


async def _project_contribution(
    session: AsyncSession, ref: RecordRef, person_id: uuid.UUID
) -> Contribution:
    found = (
        await session.execute(
            select(MentoringProject, MentoringProgram)
            .join(MentoringProgram, MentoringProgram.id == MentoringProject.program_id)
            .where(MentoringProject.id == ref.id)
        )
    ).first()
    if found is None:
        raise NotFound("Mentoring project", field=ref.field)
    project, program = found
    role = await session.scalar(
        select(MentoringProjectMember.role).where(
            MentoringProjectMember.project_id == project.id,
            MentoringProjectMember.person_id == person_id,
        )
    )
    if role is None:
        raise _refused(ref, "The person is not a member of this project")
    if project.status != ProjectStatus.COMPLETED:
        raise _refused(ref, "Only a completed project counts")
    label_ = f"{project.title} ({program.name} {program.year})"
    return Contribution(ref, f"{program.name} {role.value.title()}", f"Completed {label_}", label_)


async def _term_contribution(
    session: AsyncSession, ref: RecordRef, person_id: uuid.UUID, timezone: str
) -> Contribution:
    found = (
        await session.execute(
            select(AmbassadorTerm.person_id, AmbassadorTerm.starts_on, AmbassadorTerm.ends_on)
            .add_columns(AmbassadorProgram.name)
            .join(AmbassadorProgram, AmbassadorProgram.id == AmbassadorTerm.program_id)
            .where(AmbassadorTerm.id == ref.id)
        )
    ).first()
    if found is None:
        raise NotFound("Ambassador term", field=ref.field)
    holder, starts_on, ends_on, program = found
    if holder != person_id:
        raise _refused(ref, "The term is not the person's")
    if starts_on > _today(timezone):
        raise _refused(ref, "The term has not started yet")
    label_ = f"{program}, {_period(starts_on, ends_on)}"
    return Contribution(ref, program, f"Served as {program}, {_period(starts_on, ends_on)}", label_)


async def contribution(
    session: AsyncSession,
    ref: RecordRef,
    person_id: uuid.UUID,
    timezone: str,
    *,
    certified_roles: bool = True,
) -> Contribution:
    """The record, checked to be the person's and done; ``certified_roles``: an activity
    counts only for those who spoke, organised, hosted or mentored (a citation of an award
    takes any part, an author's article too)."""
    if ref.kind == CertificateBasis.ACTIVITY:
        return await _activity_contribution(
            session, ref, person_id, certified_roles=certified_roles
        )
    if ref.kind == CertificateBasis.MENTORING_PROJECT:
        return await _project_contribution(session, ref, person_id)
    return await _term_contribution(session, ref, person_id, timezone)


# --- awards -----------------------------------------------------------------------------------


async def _tenant(session: AsyncSession, tenant_id: uuid.UUID) -> Tenant:
    tenant: Tenant | None = await session.scalar(select(Tenant).where(Tenant.id == tenant_id))
    assert tenant is not None  # the session is bound to it
    return tenant


async def grant_award(
    session: AsyncSession,
    principal: Principal | None,
    *,
    title_id: uuid.UUID,
    person_id: uuid.UUID,
    starts_on: date,
    ends_on: date,
    reason: str | None,
    citations: Sequence[RecordRef],
) -> Award:
    caller = authz.require_caller(principal, Action.RECOGNITION_MANAGE)
    errors = check_date_order(starts_on, ends_on, "ends_on")
    if len(citations) > CITATIONS:
        errors.append(FieldError("citing", ErrorCode.INVALID, f"At most {CITATIONS} records"))
    if errors:
        raise InvalidInput(*errors)
    text = _text(reason, "reason", REASON_LENGTH, required=False)
    await get_row(session, RecognitionTitle, title_id, "Title", "title_id")
    await get_row(session, Person, person_id, "Person", "person_id")
    tenant = await _tenant(session, caller.tenant_id)
    award = Award(
        title_id=title_id,
        person_id=person_id,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=text,
        awarded_by_id=caller.person_id,
    )
    session.add(award)
    await session.flush()
    seen: set[uuid.UUID] = set()
    for ref in citations:
        if ref.id in seen:
            continue
        seen.add(ref.id)
        await contribution(session, ref, person_id, tenant.timezone, certified_roles=False)
        session.add(AwardCitation(award_id=award.id, **{_column(ref.kind): ref.id}))
    await session.flush()
    return award


def _column(kind: CertificateBasis) -> str:
    return {
        CertificateBasis.AWARD: "award_id",
        CertificateBasis.ACTIVITY: "activity_id",
        CertificateBasis.MENTORING_PROJECT: "mentoring_project_id",
        CertificateBasis.AMBASSADOR_TERM: "ambassador_term_id",
    }[kind]


def citation_ref(citation: AwardCitation) -> RecordRef:
    if citation.activity_id is not None:
        return RecordRef(CertificateBasis.ACTIVITY, citation.activity_id, "citing")
    if citation.mentoring_project_id is not None:
        return RecordRef(
            CertificateBasis.MENTORING_PROJECT, citation.mentoring_project_id, "citing"
        )
    assert citation.ambassador_term_id is not None  # the one_record constraint
    return RecordRef(CertificateBasis.AMBASSADOR_TERM, citation.ambassador_term_id, "citing")


async def citation_labels(session: AsyncSession, award: Award, timezone: str) -> list[str]:
    """How the award's citations read on its certificate. A record that no longer counts (an
    activity cancelled since) is left out: the award itself is what the certificate is for."""
    citations = await session.scalars(
        select(AwardCitation).where(AwardCitation.award_id == award.id).order_by(AwardCitation.id)
    )
    labels = []
    for citation in citations:
        ref = citation_ref(citation)
        try:
            found = await contribution(
                session, ref, award.person_id, timezone, certified_roles=False
            )
        except DomainError:
            continue
        labels.append(found.label)
    return labels


# --- certificates -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Content:
    """What a certificate says, before it is signed."""

    basis: CertificateBasis
    record_id: uuid.UUID
    title: str
    what_for: str


async def _award_content(session: AsyncSession, award: Award, timezone: str) -> Content:
    title = await get_row(session, RecognitionTitle, award.title_id, "Title")
    parts = [p for p in (award.reason, *await citation_labels(session, award, timezone)) if p]
    period = _period(award.starts_on, award.ends_on)
    what_for = f"{'; '.join(parts)} ({period})" if parts else period
    return Content(CertificateBasis.AWARD, award.id, title.name, what_for)


async def current_settings(session: AsyncSession) -> RecognitionSettings | None:
    found: RecognitionSettings | None = await session.scalar(select(RecognitionSettings))
    return found


def _already_certified(field: str) -> dict[str, FieldError]:
    message = "The person holds a valid certificate for this: re-issue it"
    return {"uq_certificates_valid": FieldError(field, ErrorCode.CONFLICT, message)}


async def _issue(
    session: AsyncSession,
    caller: Principal,
    issuer: Issuer,
    person_id: uuid.UUID,
    content: Content,
    previous: Certificate | None = None,
    field: str = "id",
) -> Certificate:
    person = await get_row(session, Person, person_id, "Person", "person_id")
    tenant = await _tenant(session, caller.tenant_id)
    settings = await current_settings(session)
    public_id = new_public_id()
    issued_on = _today(tenant.timezone)
    signatories = list(settings.signatories) if settings else []
    claims: dict[str, Any] = {
        "iss": issuer.public_url,
        "sub": public_id,
        "iat": int(datetime.now(UTC).timestamp()),
        "holder": person.display_name,
        "title": content.title,
        "for": content.what_for,
        "date": issued_on.isoformat(),
        "community": tenant.name,
        "signatories": signatories,
        "basis": content.basis.value,
        "previous": previous.public_id if previous else None,
        "verify": issuer.verification_url(public_id),
    }
    certificate = Certificate(
        public_id=public_id,
        person_id=person.id,
        basis=content.basis,
        holder_name=person.display_name,
        title=content.title,
        what_for=content.what_for,
        issued_on=issued_on,
        issuer_name=tenant.name,
        signatories=signatories,
        claims=claims,
        jws=issuer.sign(claims),
        kid=issuer.keys.kid,
        status=CertificateStatus.VALID,
        previous_id=previous.id if previous else None,
        issued_by_id=caller.person_id,
        **{_column(content.basis): content.record_id},
    )
    session.add(certificate)
    await flush_unique(session, _already_certified(field))
    await queue_certificate_issued(
        session,
        person.id,
        content.title,
        issuer.verification_url(public_id),
        key=public_id,
    )
    return certificate


async def issue_certificate(
    session: AsyncSession,
    principal: Principal | None,
    issuer: Issuer,
    *,
    award_id: uuid.UUID | None = None,
    record: RecordRef | None = None,
    person_id: uuid.UUID | None = None,
) -> Certificate:
    """A certificate for an award (its holder), or for a person's verified contribution."""
    caller = authz.require_caller(principal, Action.CERTIFICATE_ISSUE)
    if (award_id is None) == (record is None):
        raise InvalidInput(
            FieldError("award_id", ErrorCode.REQUIRED, "Name an award or a contribution, not both")
        )
    tenant = await _tenant(session, caller.tenant_id)
    if award_id is not None:
        award = await get_row(session, Award, award_id, "Award", "award_id")
        content = await _award_content(session, award, tenant.timezone)
        return await _issue(session, caller, issuer, award.person_id, content, field="award_id")
    assert record is not None
    if person_id is None:
        raise InvalidInput(
            FieldError("person_id", ErrorCode.REQUIRED, "Name whose contribution it is")
        )
    await get_row(session, Person, person_id, "Person", "person_id")
    found = await contribution(session, record, person_id, tenant.timezone)
    content = Content(record.kind, record.id, found.title, found.what_for)
    return await _issue(session, caller, issuer, person_id, content, field=record.field)


async def revoke_certificate(
    session: AsyncSession, principal: Principal | None, certificate_id: uuid.UUID, reason: str
) -> Certificate:
    """Revoke a valid certificate; verification shows it revoked, with the reason."""
    caller = authz.require_caller(principal, Action.CERTIFICATE_ISSUE)
    text = _text(reason, "reason", REASON_LENGTH, required=True)
    certificate = await get_row(session, Certificate, certificate_id, "Certificate", lock=True)
    if certificate.status != CertificateStatus.VALID:
        raise InvalidInput(FieldError("id", ErrorCode.CONFLICT, "The certificate is revoked"))
    _mark_revoked(certificate, caller, text or "")
    await session.flush()
    return certificate


def _mark_revoked(certificate: Certificate, caller: Principal, reason: str) -> None:
    certificate.status = CertificateStatus.REVOKED
    certificate.revoked_at = datetime.now(UTC)
    certificate.revoked_reason = reason
    certificate.revoked_by_id = caller.person_id


def _content_of(certificate: Certificate) -> Content:
    for kind in CertificateBasis:
        record_id = getattr(certificate, _column(kind))
        if record_id is not None:
            return Content(kind, record_id, certificate.title, certificate.what_for)
    raise AssertionError("a certificate has a basis (one_basis constraint)")


async def reissue_certificate(
    session: AsyncSession, principal: Principal | None, issuer: Issuer, certificate_id: uuid.UUID
) -> Certificate:
    """A new certificate with the holder's current name, naming the one it replaces; the old
    one is revoked as "reissued" (verification shows both ends of the chain)."""
    caller = authz.require_caller(principal, Action.CERTIFICATE_ISSUE)
    old = await get_row(session, Certificate, certificate_id, "Certificate", lock=True)
    if old.status != CertificateStatus.VALID:
        raise InvalidInput(
            FieldError("id", ErrorCode.CONFLICT, "Only a valid certificate is re-issued")
        )
    _mark_revoked(old, caller, REISSUED)
    await session.flush()
    return await _issue(session, caller, issuer, old.person_id, _content_of(old), previous=old)


# --- settings ---------------------------------------------------------------------------------


def _logo(value: str, field: str = "logo_base64") -> tuple[bytes, str]:
    """PNG or JPEG bytes from base64, checked to be an image of that kind."""
    if len(value) > LOGO_BYTES * 4 // 3 + 4:
        raise InvalidInput(FieldError(field, ErrorCode.TOO_LONG, f"At most {LOGO_BYTES} bytes"))
    try:
        data = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(FieldError(field, ErrorCode.INVALID, "Not base64")) from None
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format or ""
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise InvalidInput(
            FieldError(field, ErrorCode.INVALID, "Not a PNG or JPEG image")
        ) from None
    if kind not in LOGO_FORMATS:
        raise InvalidInput(FieldError(field, ErrorCode.INVALID, "Not a PNG or JPEG image"))
    return data, LOGO_FORMATS[kind]


async def update_settings(
    session: AsyncSession, principal: Principal | None, changes: Mapping[str, Any]
) -> RecognitionSettings:
    """Signatories (printed on certificates issued from now on) and the logo (every
    rendering, old certificates too; null removes it)."""
    authz.require(principal, Action.RECOGNITION_MANAGE)
    settings = await current_settings(session)
    if settings is None:
        settings = RecognitionSettings(signatories=[])
        session.add(settings)
    if "signatories" in changes:
        names = [
            _text(name, f"signatories.{index}", NAME_LENGTH, required=True) or ""
            for index, name in enumerate(changes["signatories"] or [])
        ]
        if len(names) > SIGNATORIES:
            raise InvalidInput(
                FieldError("signatories", ErrorCode.INVALID, f"At most {SIGNATORIES} names")
            )
        settings.signatories = names
    if "logo_base64" in changes:
        value = changes["logo_base64"]
        settings.logo, settings.logo_media_type = (None, None) if value is None else _logo(value)
    await session.flush()
    return settings
