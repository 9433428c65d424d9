from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from chapters import authz
from chapters import models as m
from chapters.api.ids import global_id
from chapters.api.loaders import rows_by_id
from chapters.api.pagination import PageArgs
from chapters.memberships.loaders import chapters_by_person
from chapters.models import PersonSegment, PersonStatus, TenantRole
from chapters.people import confirmations
from chapters.people.loaders import identities_by_person

if TYPE_CHECKING:
    from chapters.memberships.types import ChapterMembershipConnection

TenantRoleType = strawberry.enum(TenantRole, name="TenantRole")
PersonSegmentType = strawberry.enum(PersonSegment, name="PersonSegment")
PersonStatusType = strawberry.enum(PersonStatus, name="PersonStatus")


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
class PersonType(relay.Node):
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
    uuid: strawberry.Private[uuid.UUID]
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
        ctx = info.context
        if authz.can(ctx.principal, authz.Action.PERSON_READ_EMAIL, person_id=self.uuid):
            return self.private_email
        if not authz.chapter_ids_led_by(ctx.principal):
            return None
        chapters = await ctx.loaders.of(chapters_by_person).load(self.uuid)
        visible = authz.can_see_email(
            ctx.principal, self.uuid, chapters.active, chapters.invited_with_this_email
        )
        return self.private_email if visible else None

    @strawberry.field(
        description="The sign-in identities linked to this person. Shown to tenant admins and "
        "to the person; null for everyone else."
    )
    async def identities(self, info: strawberry.Info) -> list[PersonIdentityType] | None:
        if not authz.can(
            info.context.principal, authz.Action.PERSON_READ_IDENTITIES, person_id=self.uuid
        ):
            return None
        identities = await info.context.loaders.of(identities_by_person).load(self.uuid)
        return [PersonIdentityType.from_model(identity) for identity in identities]

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
    async def resolve_nodes(
        cls, *, info: strawberry.Info, node_ids: Iterable[str], required: bool = False
    ) -> list[PersonType | None]:
        ids = [parse_uuid(node_id) for node_id in node_ids]
        return list(await asyncio.gather(*(load_person(info, person_id) for person_id in ids)))


async def load_person(info: strawberry.Info, person_id: uuid.UUID | None) -> PersonType | None:
    """A person by id, for those who may read people's profiles: signed-in members of the
    tenant and service clients, never anonymous callers or partners."""
    if person_id is None or not authz.can(info.context.principal, authz.Action.PERSON_READ_PROFILE):
        return None
    person = await info.context.loaders.of(rows_by_id, m.Person).load(person_id)
    if person is None or not await _may_see(info, person):
        return None
    return PersonType.from_model(person)


async def _may_see(info: strawberry.Info, person: m.Person) -> bool:
    """``authz.can_see_person``; the chapters are loaded only for a lead looking at someone
    invited by email who has not accepted yet."""
    principal = info.context.principal
    invited = person.status == PersonStatus.INVITED
    if authz.can_see_person(principal, person.id, invited):
        return True
    if not invited or not authz.chapter_ids_led_by(principal):
        return False
    chapters = await info.context.loaders.of(chapters_by_person).load(person.id)
    return authz.can_see_person(principal, person.id, invited, chapters.any_status)


@strawberry.type(name="PersonConnection")
class PersonConnection(relay.Connection[PersonType]):
    pass


def parse_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


@strawberry.type(name="Viewer", description="The signed-in person making this request.")
class ViewerType:
    email: str
    tenant_role: TenantRoleType | None
    person_id: strawberry.Private[uuid.UUID]

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

    @strawberry.field(
        description="Sign-in identities a tenant admin proposed for you: none signs in as you "
        "until you confirm it (personIdentityLinkConfirm); each expires after 7 days."
    )
    async def pending_identity_links(self, info: strawberry.Info) -> list[PendingIdentityLinkType]:
        requests = await confirmations.pending_identity_links(info.context.session, self.person_id)
        return [PendingIdentityLinkType.from_model(request) for request in requests]

    @strawberry.field(
        description="Your requested email change, until you confirm it with the token sent to "
        "the new address (personConfirmEmailChange) or it expires."
    )
    async def pending_email_change(self, info: strawberry.Info) -> PendingEmailChangeType | None:
        request = await confirmations.pending_email_change(info.context.session, self.person_id)
        return PendingEmailChangeType.from_model(request) if request else None


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
    requested_by_id: strawberry.Private[uuid.UUID]

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
