"""Every ORM model, so that Alembic and the catalog tests see the whole schema."""

from chapters.models.audit import AuditEntry
from chapters.models.base import Base, TenantScoped, Timestamped, str_enum, tenant_fk
from chapters.models.chapter import (
    Chapter,
    ChapterMembership,
    ChapterMembershipPeriod,
    ChapterRole,
    ChapterStatus,
    ChapterStatusChange,
    MembershipStatus,
)
from chapters.models.committee import Committee, CommitteeKind, CommitteeSeat, SeatRole
from chapters.models.person import Person, PersonIdentity, PersonSegment, TenantRole
from chapters.models.tenant import Tenant

__all__ = [
    "AuditEntry",
    "Base",
    "Chapter",
    "ChapterMembership",
    "ChapterMembershipPeriod",
    "ChapterRole",
    "ChapterStatus",
    "ChapterStatusChange",
    "Committee",
    "CommitteeKind",
    "CommitteeSeat",
    "MembershipStatus",
    "Person",
    "PersonIdentity",
    "PersonSegment",
    "SeatRole",
    "Tenant",
    "TenantRole",
    "TenantScoped",
    "Timestamped",
    "str_enum",
    "tenant_fk",
]
