"""Every ORM model, so that Alembic and the catalog tests see the whole schema."""

from chapters.models.access import ApiClient, ClientKind, IdentityProvider
from chapters.models.activity import (
    Activity,
    ActivityCoHost,
    ActivityComment,
    ActivityKind,
    ActivityLink,
    ActivityOrganisation,
    ActivityParticipant,
    ActivityStatus,
    ActivityTransition,
    LinkKind,
    OrganisationRole,
    ParticipantRole,
)
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
from chapters.models.confirmation import EmailChangeRequest, IdentityLinkRequest, OutboxMessage
from chapters.models.mentoring import (
    MentoringProgram,
    MentoringProject,
    MentoringProjectMember,
    ProjectRole,
    ProjectStatus,
)
from chapters.models.organisation import (
    ChapterOrganisation,
    Organisation,
    OrganisationContact,
    OrganisationKind,
    OrganisationRelationship,
    RelationshipKind,
    RelationshipStatus,
)
from chapters.models.person import Person, PersonIdentity, PersonSegment, TenantRole
from chapters.models.tenant import Tenant

__all__ = [
    "Activity",
    "ActivityCoHost",
    "ActivityComment",
    "ActivityKind",
    "ActivityLink",
    "ActivityOrganisation",
    "ActivityParticipant",
    "ActivityStatus",
    "ActivityTransition",
    "ApiClient",
    "AuditEntry",
    "Base",
    "Chapter",
    "ChapterMembership",
    "ChapterMembershipPeriod",
    "ChapterOrganisation",
    "ChapterRole",
    "ChapterStatus",
    "ChapterStatusChange",
    "ClientKind",
    "Committee",
    "CommitteeKind",
    "CommitteeSeat",
    "EmailChangeRequest",
    "IdentityLinkRequest",
    "IdentityProvider",
    "LinkKind",
    "MembershipStatus",
    "MentoringProgram",
    "MentoringProject",
    "MentoringProjectMember",
    "Organisation",
    "OrganisationContact",
    "OrganisationKind",
    "OrganisationRelationship",
    "OrganisationRole",
    "OutboxMessage",
    "ParticipantRole",
    "Person",
    "PersonIdentity",
    "PersonSegment",
    "ProjectRole",
    "ProjectStatus",
    "RelationshipKind",
    "RelationshipStatus",
    "SeatRole",
    "Tenant",
    "TenantRole",
    "TenantScoped",
    "Timestamped",
    "str_enum",
    "tenant_fk",
]
