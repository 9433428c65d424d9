"""Reads of recognition: staff read every title, award and certificate; a holder reads their
own. Nested lists (an award's citations, a certificate's successor) are batch functions, one
statement per request whatever the page size.

The public side (``verification``) reads one certificate by its public id, for anyone: the
tenant is found first (``certificate_tenant``), then the certificate in a session bound to it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from chapters import authz
from chapters.authz import Action
from chapters.db.loaders import Reader, grouped, rows_by_id
from chapters.db.pagination import Ordering, Page, PageArgs, paginate
from chapters.errors import Forbidden
from chapters.models import Tenant
from chapters.models.recognition import (
    Award,
    AwardCitation,
    Certificate,
    CertificateStatus,
    RecognitionSettings,
    RecognitionTitle,
)
from chapters.recognition import service

TITLE_ORDER = Ordering((RecognitionTitle.name, RecognitionTitle.id))
AWARD_ORDER = Ordering((Award.created_at, Award.id), descending=True)
CERTIFICATE_ORDER = Ordering((Certificate.created_at, Certificate.id), descending=True)
PUBLIC_ID = re.compile(r"^[A-Za-z0-9_-]{16,32}$")


@dataclass(frozen=True)
class CertificateFilter:
    person_id: uuid.UUID | None = None
    award_id: uuid.UUID | None = None
    statuses: tuple[CertificateStatus, ...] = ()


async def titles(reader: Reader, args: PageArgs) -> Page[RecognitionTitle]:
    authz.require(reader.principal, Action.RECOGNITION_READ)
    return await paginate(reader.session, select(RecognitionTitle), TITLE_ORDER, args)


async def awards(
    reader: Reader,
    args: PageArgs,
    person_id: uuid.UUID | None = None,
    title_id: uuid.UUID | None = None,
) -> Page[Award]:
    """Every award (staff), newest first; only a person's or a title's when named."""
    authz.require(reader.principal, Action.RECOGNITION_READ)
    statement = select(Award)
    if person_id is not None:
        statement = statement.where(Award.person_id == person_id)
    if title_id is not None:
        statement = statement.where(Award.title_id == title_id)
    return await paginate(reader.session, statement, AWARD_ORDER, args)


async def certificates(
    reader: Reader, args: PageArgs, filter: CertificateFilter
) -> Page[Certificate]:
    """Every certificate (staff), newest first, narrowed by ``filter``."""
    authz.require(reader.principal, Action.RECOGNITION_READ)
    statement = select(Certificate)
    if filter.person_id is not None:
        statement = statement.where(Certificate.person_id == filter.person_id)
    if filter.award_id is not None:
        statement = statement.where(Certificate.award_id == filter.award_id)
    if filter.statuses:
        statement = statement.where(Certificate.status.in_(filter.statuses))
    return await paginate(reader.session, statement, CERTIFICATE_ORDER, args)


async def own_certificates(reader: Reader, args: PageArgs) -> Page[Certificate]:
    """The caller's certificates, newest first (revoked ones too: the holder sees why)."""
    principal = reader.principal
    person_id = principal.person_id if principal is not None else None
    if person_id is None:
        raise Forbidden(Action.CERTIFICATE_READ_OWN.value)
    authz.require(principal, Action.CERTIFICATE_READ_OWN, person_id=person_id)
    statement = select(Certificate).where(Certificate.person_id == person_id)
    return await paginate(reader.session, statement, CERTIFICATE_ORDER, args)


def may_see_held(reader: Reader, person_id: uuid.UUID) -> bool:
    """Staff, and the holder."""
    return authz.can(reader.principal, Action.RECOGNITION_READ) or authz.can(
        reader.principal, Action.CERTIFICATE_READ_OWN, person_id=person_id
    )


async def certificate(reader: Reader, certificate_id: uuid.UUID | None) -> Certificate | None:
    if certificate_id is None:
        return None
    found: Certificate | None = await reader.loaders.of(rows_by_id, Certificate).load(
        certificate_id
    )
    return found if found is not None and may_see_held(reader, found.person_id) else None


async def award(reader: Reader, award_id: uuid.UUID | None) -> Award | None:
    if award_id is None:
        return None
    found: Award | None = await reader.loaders.of(rows_by_id, Award).load(award_id)
    return found if found is not None and may_see_held(reader, found.person_id) else None


async def title(reader: Reader, title_id: uuid.UUID | None) -> RecognitionTitle | None:
    if title_id is None or not authz.can(reader.principal, Action.RECOGNITION_READ):
        return None
    found: RecognitionTitle | None = await reader.loaders.of(rows_by_id, RecognitionTitle).load(
        title_id
    )
    return found


async def title_of_award(reader: Reader, award_row: Award) -> RecognitionTitle | None:
    """The title of an award the caller sees (staff, its holder)."""
    found: RecognitionTitle | None = await reader.loaders.of(rows_by_id, RecognitionTitle).load(
        award_row.title_id
    )
    return found


async def citations_by_award(
    session: AsyncSession, award_ids: Sequence[uuid.UUID]
) -> list[list[AwardCitation]]:
    rows = await session.scalars(
        select(AwardCitation)
        .where(AwardCitation.award_id.in_(award_ids))
        .order_by(AwardCitation.id)
    )
    return grouped(rows, lambda row: row.award_id, award_ids)


async def citations(reader: Reader, award_row: Award) -> list[AwardCitation]:
    found: list[AwardCitation] = await reader.loaders.of(citations_by_award).load(award_row.id)
    return found


async def successors_by_certificate(
    session: AsyncSession, certificate_ids: Sequence[uuid.UUID]
) -> list[Certificate | None]:
    """The certificate that re-issued each one (None where none did)."""
    rows = await session.scalars(
        select(Certificate).where(Certificate.previous_id.in_(certificate_ids))
    )
    found = {row.previous_id: row for row in rows}
    return [found.get(certificate_id) for certificate_id in certificate_ids]


async def successor(reader: Reader, row: Certificate) -> Certificate | None:
    found: Certificate | None = await reader.loaders.of(successors_by_certificate).load(row.id)
    return found


async def predecessor(reader: Reader, row: Certificate) -> Certificate | None:
    if row.previous_id is None:
        return None
    found: Certificate | None = await reader.loaders.of(rows_by_id, Certificate).load(
        row.previous_id
    )
    return found


async def settings(reader: Reader) -> RecognitionSettings | None:
    authz.require(reader.principal, Action.RECOGNITION_READ)
    return await service.current_settings(reader.session)


async def tenant_slug(reader: Reader, tenant_id: uuid.UUID) -> str:
    slug: str | None = await reader.session.scalar(
        select(Tenant.slug).where(Tenant.id == tenant_id)
    )
    assert slug is not None  # the session is bound to it
    return slug


# --- public verification ----------------------------------------------------------------------


def is_public_id(value: str) -> bool:
    return PUBLIC_ID.match(value) is not None


async def certificate_tenant(engine: AsyncEngine, public_id: str) -> uuid.UUID | None:
    """The tenant of the certificate with this public id (the migration's function: the only
    read across tenants, and it returns nothing else)."""
    if not is_public_id(public_id):
        return None
    async with engine.connect() as connection:
        tenant_id: uuid.UUID | None = await connection.scalar(
            text("SELECT recognition_certificate_tenant(:id)"), {"id": public_id}
        )
    return tenant_id


@dataclass(frozen=True)
class Verification:
    """One certificate as the public sees it, with its neighbours in a re-issue chain."""

    certificate: Certificate
    tenant_slug: str
    previous_public_id: str | None
    superseded_by_public_id: str | None
    logo: bytes | None


async def verification(session: AsyncSession, public_id: str) -> Verification | None:
    """The certificate with this public id in the session's tenant, for anyone (None: no such
    certificate here)."""
    authz.require(None, Action.CERTIFICATE_VERIFY)
    if not is_public_id(public_id):
        return None
    found = await session.scalar(select(Certificate).where(Certificate.public_id == public_id))
    if found is None:
        return None
    previous = None
    if found.previous_id is not None:
        previous = await session.scalar(
            select(Certificate.public_id).where(Certificate.id == found.previous_id)
        )
    superseded_by = await session.scalar(
        select(Certificate.public_id).where(Certificate.previous_id == found.id)
    )
    slug = await session.scalar(select(Tenant.slug).where(Tenant.id == found.tenant_id))
    settings_row = await service.current_settings(session)
    return Verification(
        certificate=found,
        tenant_slug=slug or "",
        previous_public_id=previous,
        superseded_by_public_id=superseded_by,
        logo=settings_row.logo if settings_row else None,
    )
