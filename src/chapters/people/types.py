from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, TypeAlias
from uuid import UUID

import strawberry
from strawberry import relay

from chapters import models as m
from chapters.api.ids import LoadedNode, global_id
from chapters.db.pagination import PageArgs
from chapters.models import PersonSegment, PersonStatus, TenantRole
from chapters.people import queries

if TYPE_CHECKING:
    from chapters.feeds.types import CalendarFeedType
    from chapters.incentives.types import IncentiveRewardConnection
    from chapters.insight.types import PersonActivityType
    from chapters.memberships.types import ChapterMembershipConnection
    from chapters.notifications.types import NotificationConnection, NotificationPreferencesType
    from chapters.recognition.types import CertificateConnection
    from chapters.registrations.types import RegistrationConnection

strawberry.enum(TenantRole, name="TenantRole")
strawberry.enum(PersonSegment, name="PersonSegment")
strawberry.enum(PersonStatus, name="PersonStatus")
TenantRoleType: TypeAlias = TenantRole
PersonSegmentType: TypeAlias = PersonSegment
PersonStatusType: TypeAlias = PersonStatus


@strawberry.type(
    name="PersonIdentity",
    description="A sign-in identity (issuer + subject) that acts as a person in this tenant.",
)
class PersonIdentityType:
    issuer: str
    subject: str
    linked_at: datetime

    @classmethod
    def from_model(cls, identity: m.PersonIdentity) -> PersonIdentityType:
        return cls(issuer=identity.issuer, subject=identity.subject, linked_at=identity.created_at)


@strawberry.type(name="Person", description="A person of this community.")
class PersonType(LoadedNode, relay.Node):
    id: relay.NodeID[str]
    display_name: str
    github_handle: str | None
    city: str | None
    company: str | None
    bio: str | None
    locale: str | None
    segments: list[PersonSegmentType] = strawberry.field(
        description="What the person has done, as staff recorded it."
    )
    tags: list[str]
    interests: list[str] = strawberry.field(
        description="What the person says they are interested in."
    )
    tenant_role: TenantRoleType | None
    status: PersonStatusType = strawberry.field(
        description="INVITED: invited by email and not a member anywhere yet (seen only by "
        "staff, themself and the leads of the chapters that invited them); else ACTIVE."
    )
    public_profile: bool = strawberry.field(
        description="The person's choice: their name appears on public activity pages."
    )
    created_at: datetime
    uuid: strawberry.Private[UUID]
    private_email: strawberry.Private[str]

    @classmethod
    def from_model(cls, person: m.Person) -> PersonType:
        return cls(
            id=str(person.id),
            uuid=person.id,
            display_name=person.display_name,
            github_handle=person.github_handle,
            city=person.city,
            company=person.company,
            bio=person.bio,
            locale=person.locale,
            segments=[PersonSegment(s) for s in person.segments or []],
            tags=list(person.tags or []),
            interests=list(person.interests or []),
            tenant_role=person.tenant_role,
            status=person.status,
            public_profile=bool(person.public_profile),
            created_at=person.created_at,
            private_email=person.email,
        )

    @strawberry.field(
        description="Shown to staff, to the person, and to leads and co-leads of a chapter the "
        "person belongs to or that invited them by this address; null for everyone else."
    )
    async def email(self, info: strawberry.Info) -> str | None:
        return await queries.email(info.context, self.uuid, self.private_email)

    @strawberry.field(
        description="The sign-in identities linked to this person. Shown to tenant admins and "
        "to the person; null for everyone else."
    )
    async def identities(self, info: strawberry.Info) -> list[PersonIdentityType] | None:
        identities = await queries.identities(info.context, self.uuid)
        if identities is None:
            return None
        return [PersonIdentityType.from_model(identity) for identity in identities]

    @strawberry.field(
        description="What the person has done (first and last participation, roles, code "
        "contributions, segments from evidence) and whether they are active. Shown to staff, "
        "viewers, the person and the leads of their chapters; null for everyone else."
    )
    async def activity(
        self, info: strawberry.Info
    ) -> Annotated[PersonActivityType, strawberry.lazy("chapters.insight.types")] | None:
        from chapters.insight import service as insight
        from chapters.insight.types import PersonActivityType

        summary = await insight.person_activity_of(info.context, info.context.tenant.id, self.uuid)
        return PersonActivityType.of(summary) if summary else None

    @strawberry.field(description="The person's chapter memberships, current and past.")
    async def memberships(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
    ) -> Annotated[ChapterMembershipConnection, strawberry.lazy("chapters.memberships.types")]:
        from chapters.memberships.types import memberships_of_person

        return await memberships_of_person(info, self.uuid, PageArgs(first=first, after=after))

    @classmethod
    async def load(cls, info: strawberry.Info, person_id: UUID | None) -> PersonType | None:
        return await load_person(info, person_id)


async def load_person(info: strawberry.Info, person_id: UUID | None) -> PersonType | None:
    """A person by id, if the caller may see them (``people.queries.person``)."""
    person = await queries.person(info.context, person_id)
    return PersonType.from_model(person) if person else None


@strawberry.type(name="PersonConnection")
class PersonConnection(relay.Connection[PersonType]):
    pass


@strawberry.type(name="Viewer", description="The signed-in person making this request.")
class ViewerType:
    email: str
    tenant_role: TenantRoleType | None
    person_id: strawberry.Private[UUID]

    @strawberry.field
    async def person(self, info: strawberry.Info) -> PersonType:
        person = await load_person(info, self.person_id)
        assert person is not None  # the principal was loaded from this very row
        return person

    @strawberry.field(description="The caller's memberships, current and past, in every chapter.")
    async def memberships(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> Annotated[ChapterMembershipConnection, strawberry.lazy("chapters.memberships.types")]:
        from chapters.memberships.types import memberships_of_person

        return await memberships_of_person(info, self.person_id, PageArgs(first=first, after=after))

    @strawberry.field(description="Your registrations for activities, the latest first.")
    async def registrations(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> Annotated[RegistrationConnection, strawberry.lazy("chapters.registrations.types")]:
        from chapters.registrations.types import registrations_of_viewer

        return await registrations_of_viewer(info, first, after)

    @strawberry.field(description="Your certificates, the latest first (revoked ones too).")
    async def certificates(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> Annotated[CertificateConnection, strawberry.lazy("chapters.recognition.types")]:
        from chapters.recognition.types import certificates_of_viewer

        return await certificates_of_viewer(info, first, after)

    @strawberry.field(description="Your notifications, newest first.")
    async def notifications(
        self,
        info: strawberry.Info,
        unread_only: bool = False,
        first: int | None = None,
        after: str | None = None,
    ) -> Annotated[NotificationConnection, strawberry.lazy("chapters.notifications.types")]:
        from chapters.notifications.types import notifications_of_viewer

        args = PageArgs(first=first, after=after)
        return await notifications_of_viewer(info, self.person_id, unread_only, args)

    @strawberry.field(description="How many of your notifications are unread.")
    async def unread_notification_count(self, info: strawberry.Info) -> int:
        from chapters.notifications.types import unread_count_of_viewer

        return await unread_count_of_viewer(info, self.person_id)

    @strawberry.field(description="Which messages you get, by mail and in the app, and how.")
    async def notification_preferences(
        self, info: strawberry.Info
    ) -> Annotated[NotificationPreferencesType, strawberry.lazy("chapters.notifications.types")]:
        from chapters.notifications.types import preferences_of_viewer

        return await preferences_of_viewer(info, self.person_id)

    @strawberry.field(
        description="Sign-in identities a tenant admin proposed for you: none signs in as you "
        "until you confirm it (personIdentityLinkConfirm); each expires after 7 days."
    )
    async def pending_identity_links(self, info: strawberry.Info) -> list[PendingIdentityLinkType]:
        requests = await queries.pending_identity_links(info.context, self.person_id)
        return [PendingIdentityLinkType.from_model(request) for request in requests]

    @strawberry.field(
        description="Your requested email change, until you confirm it with the token sent to "
        "the new address (personConfirmEmailChange) or it expires."
    )
    async def pending_email_change(self, info: strawberry.Info) -> PendingEmailChangeType | None:
        request = await queries.pending_email_change(info.context, self.person_id)
        return PendingEmailChangeType.from_model(request) if request else None

    @strawberry.field(
        description="Your private calendar feed, if you have one (calendarFeedCreate)."
    )
    async def calendar_feed(
        self, info: strawberry.Info
    ) -> Annotated[CalendarFeedType, strawberry.lazy("chapters.feeds.types")] | None:
        from chapters.feeds.types import calendar_feed_of

        return await calendar_feed_of(info, self.person_id)

    @strawberry.field(
        description="Whether staff appointed you a content editor (you review and publish "
        "articles and edit the newsletters)."
    )
    async def is_content_editor(self, info: strawberry.Info) -> bool:
        from chapters.editors.types import viewer_is_editor

        return bool(await viewer_is_editor(info))

    @strawberry.field(description="The rewards promised to you, newest first.")
    async def incentive_rewards(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> Annotated[IncentiveRewardConnection, strawberry.lazy("chapters.incentives.types")]:
        from chapters.incentives.types import rewards_of_viewer

        return await rewards_of_viewer(info, self.person_id, first, after)


@strawberry.type(
    name="PendingIdentityLink",
    description="A sign-in identity proposed for a person; it acts as nobody until confirmed.",
)
class PendingIdentityLinkType:
    id: strawberry.ID
    issuer: str
    subject: str
    requested_at: datetime
    expires_at: datetime
    requested_by_id: strawberry.Private[UUID]

    @classmethod
    def from_model(cls, request: m.IdentityLinkRequest) -> PendingIdentityLinkType:
        return cls(
            id=strawberry.ID(global_id("PendingIdentityLink", request.id)),
            issuer=request.issuer,
            subject=request.subject,
            requested_at=request.created_at,
            expires_at=request.expires_at,
            requested_by_id=request.requested_by_id,
        )

    @strawberry.field(description="The tenant admin who proposed it.")
    async def requested_by(self, info: strawberry.Info) -> PersonType | None:
        return await load_person(info, self.requested_by_id)


@strawberry.type(
    name="PendingEmailChange",
    description="An email change waiting for the token sent to the new address.",
)
class PendingEmailChangeType:
    email: str
    expires_at: datetime

    @classmethod
    def from_model(cls, request: m.EmailChangeRequest) -> PendingEmailChangeType:
        return cls(email=request.new_email, expires_at=request.expires_at)
