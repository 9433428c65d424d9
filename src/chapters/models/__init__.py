"""Every ORM model, so that Alembic and the catalog tests see the whole schema."""

# The outbound side's tables, imported for the metadata Alembic reads; their code imports
# them from their own modules.
from chapters.models import (  # noqa: F401
    ambassador,
    events,
    feed,
    incentive,
    mail,
    notification,
    partnership,
    recognition,
    registration,
    webhook,
)
from chapters.models.access import ApiClient, ClientKind, IdentityProvider
from chapters.models.activity import (
    ORGANISING_ROLES,
    Activity,
    ActivityCoHost,
    ActivityComment,
    ActivityKind,
    ActivityLink,
    ActivityOrganisation,
    ActivityParticipant,
    ActivityRecapVersion,
    ActivityScheduleChange,
    ActivityStatus,
    ActivityTransition,
    LinkKind,
    OrganisationRole,
    ParticipantRole,
    ReachUnit,
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
from chapters.models.events import DomainEvent, JobError
from chapters.models.insight import CodeContribution, ContributionKind
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
from chapters.models.person import (
    Person,
    PersonIdentity,
    PersonSegment,
    PersonStatus,
    TenantRole,
)
from chapters.models.registration import Registration, RegistrationStatus
from chapters.models.tenant import Tenant

__all__ = [
    "ORGANISING_ROLES",
    "Activity",
    "ActivityCoHost",
    "ActivityComment",
    "ActivityKind",
    "ActivityLink",
    "ActivityOrganisation",
    "ActivityParticipant",
    "ActivityRecapVersion",
    "ActivityScheduleChange",
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
    "CodeContribution",
    "Committee",
    "CommitteeKind",
    "CommitteeSeat",
    "ContributionKind",
    "DomainEvent",
    "EmailChangeRequest",
    "IdentityLinkRequest",
    "IdentityProvider",
    "JobError",
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
    "PersonStatus",
    "ProjectRole",
    "ProjectStatus",
    "ReachUnit",
    "Registration",
    "RegistrationStatus",
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
