from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import strawberry

from chapters.api.connections import connection
from chapters.api.errors import UserError
from chapters.api.ids import decode_id
from chapters.api.mutations import mutate
from chapters.db.pagination import PageArgs
from chapters.models import EmailChangeRequest, Person
from chapters.people import confirmations, queries, service
from chapters.people.types import (
    PendingEmailChangeType,
    PendingIdentityLinkType,
    PersonConnection,
    PersonSegmentType,
    PersonType,
    TenantRoleType,
    ViewerType,
)


@strawberry.input
class PersonFilter:
    text: str | None = strawberry.field(
        default=None,
        description="Matches display name or GitHub handle (and email, for callers who may see "
        "every email), case-insensitively.",
    )
    segment: PersonSegmentType | None = None
    tag: str | None = strawberry.field(default=None, description="Case-insensitive.")
    city: str | None = strawberry.field(default=None, description="Case-insensitive.")

    def to_service(self) -> queries.PersonFilter:
        return queries.PersonFilter(
            text=self.text, segment=self.segment, tag=self.tag, city=self.city
        )


@strawberry.input
class PersonCreateInput:
    display_name: str
    email: str
    github_handle: str | None = None
    city: str | None = None
    company: str | None = None
    bio: str | None = None
    locale: str | None = strawberry.field(default=None, description="BCP 47, e.g. zh-CN.")
    segments: list[PersonSegmentType] | None = strawberry.field(
        default=None, description="What the person has done; set by staff only."
    )
    tags: list[str] | None = strawberry.field(
        default=None, description="At most 20, each up to 50 characters."
    )
    interests: list[str] | None = strawberry.field(
        default=None,
        description="What the person is interested in: at most 10, each up to 50 characters.",
    )
    tenant_role: TenantRoleType | None = strawberry.field(
        default=None, description="Granted by tenant admins, up to their own role."
    )


@strawberry.input(description="Fields to change; omitted fields stay, null clears.")
class PersonUpdateInput:
    id: strawberry.ID
    display_name: str | None = strawberry.UNSET
    email: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="Staff set the email of people ranked below them at once. A new email of "
        "your own applies only once you confirm the token sent to it "
        "(personConfirmEmailChange); until then the answer shows the current one.",
    )
    github_handle: str | None = strawberry.UNSET
    city: str | None = strawberry.UNSET
    company: str | None = strawberry.UNSET
    bio: str | None = strawberry.UNSET
    locale: str | None = strawberry.UNSET
    segments: list[PersonSegmentType] | None = strawberry.field(
        default=strawberry.UNSET,
        description="What the person has done (a user, a code contributor …): set by staff; "
        "a person editing their own profile cannot change them (FORBIDDEN), but may state "
        "their interests.",
    )
    tags: list[str] | None = strawberry.UNSET
    interests: list[str] | None = strawberry.field(
        default=strawberry.UNSET,
        description="What the person is interested in, in their own words: at most 10, each up "
        "to 50 characters. The person sets them, or staff for them.",
    )
    tenant_role: TenantRoleType | None = strawberry.field(
        default=strawberry.UNSET,
        description="Changed by tenant admins, up to their own role; never one's own.",
    )
    public_profile: bool | None = strawberry.field(
        default=strawberry.UNSET,
        description="Whether your name appears on public activity pages (as a speaker, host, "
        "organiser or author); null means no. Set by the person, or by staff for them.",
    )


def _fields(data: PersonCreateInput | PersonUpdateInput) -> service.PersonFields:
    values: dict[str, Any] = {}
    for name in service.PersonFields.__dataclass_fields__:
        value = getattr(data, name, strawberry.UNSET)
        if value is not strawberry.UNSET:
            values[name] = value
    return service.PersonFields(**values)


@strawberry.input(description="A sign-in identity: the token issuer and its subject claim.")
class PersonIdentityInput:
    person_id: strawberry.ID
    issuer: str
    subject: str


@strawberry.type
class PersonPayload:
    person: PersonType | None
    errors: list[UserError]


def _present(person: Person) -> PersonPayload:
    return PersonPayload(person=PersonType.from_model(person), errors=[])


def _failed(errors: list[UserError]) -> PersonPayload:
    return PersonPayload(person=None, errors=errors)


@strawberry.type
class PersonLinkIdentityPayload:
    person: PersonType | None
    pending_link: PendingIdentityLinkType | None = strawberry.field(
        description="Set when the link waits for the person's confirmation (links made by "
        "admins); null when it was linked at once (by the owner) or on errors."
    )
    errors: list[UserError]


@strawberry.input(description="A sign-in identity proposed for you.")
class PendingIdentityLinkInput:
    id: strawberry.ID


@strawberry.input
class PersonRequestEmailChangeInput:
    email: str


@strawberry.type
class PersonRequestEmailChangePayload:
    pending_email_change: PendingEmailChangeType | None
    errors: list[UserError]


@strawberry.input
class PersonConfirmEmailChangeInput:
    token: str = strawberry.field(description="The token sent to the new address.")


@strawberry.type
class PeopleQuery:
    @strawberry.field(description="Who is calling; null for anonymous requests and API clients.")
    async def viewer(self, info: strawberry.Info) -> ViewerType | None:
        principal = info.context.principal
        if principal is None or principal.person_id is None:  # anonymous, or an API client
            return None
        return ViewerType(
            person_id=principal.person_id, email=principal.email, tenant_role=principal.tenant_role
        )

    @strawberry.field(description="People of this community, by display name (signed-in people).")
    async def people(
        self,
        info: strawberry.Info,
        filter: PersonFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> PersonConnection:
        page = await queries.search(
            info.context,
            (filter or PersonFilter()).to_service(),
            PageArgs(first=first, after=after, last=last, before=before),
        )
        return connection(PersonConnection, page, PersonType.from_model)


@strawberry.type
class PeopleMutation:
    @strawberry.mutation(description="Add a person to the community (central ops and admins).")
    async def person_create(self, info: strawberry.Info, input: PersonCreateInput) -> PersonPayload:
        ctx = info.context

        async def work() -> Person:
            return await service.create_person(ctx.session, ctx.principal, _fields(input))

        return await mutate(info, work, present=_present, failed=_failed)

    @strawberry.mutation(description="Edit a person's profile (the person, ops, admins).")
    async def person_update(self, info: strawberry.Info, input: PersonUpdateInput) -> PersonPayload:
        ctx = info.context

        async def work() -> Person:
            person_id = decode_id(str(input.id), "Person", "id")
            return await service.update_person(
                ctx.session, ctx.principal, person_id, _fields(input)
            )

        return await mutate(info, work, present=_present, failed=_failed)

    @strawberry.mutation(
        description="Let a sign-in identity act as this person in this tenant: tenant admins, "
        "for themselves or people ranked below them. The owner's links apply at once; an "
        "admin's wait for the person to confirm them (pendingLink)."
    )
    async def person_link_identity(
        self, info: strawberry.Info, input: PersonIdentityInput
    ) -> PersonLinkIdentityPayload:
        ctx = info.context

        async def work() -> service.LinkResult:
            person_id = decode_id(str(input.person_id), "Person", "personId")
            return await service.link_identity(
                ctx.session, ctx.principal, person_id, input.issuer, input.subject
            )

        return await mutate(
            info,
            work,
            present=lambda linked: PersonLinkIdentityPayload(
                person=PersonType.from_model(linked.person),
                pending_link=(
                    PendingIdentityLinkType.from_model(linked.pending) if linked.pending else None
                ),
                errors=[],
            ),
            failed=lambda errors: PersonLinkIdentityPayload(
                person=None, pending_link=None, errors=errors
            ),
        )

    @strawberry.mutation(
        description="Remove a linked sign-in identity (tenant admins, for themselves or people "
        "ranked below them)."
    )
    async def person_unlink_identity(
        self, info: strawberry.Info, input: PersonIdentityInput
    ) -> PersonPayload:
        ctx = info.context

        async def work() -> Person:
            person_id = decode_id(str(input.person_id), "Person", "personId")
            return await service.unlink_identity(
                ctx.session, ctx.principal, person_id, input.issuer, input.subject
            )

        return await mutate(info, work, present=_present, failed=_failed)

    @strawberry.mutation(
        description="Confirm a sign-in identity proposed for you: from now on it signs in as you."
    )
    async def person_identity_link_confirm(
        self, info: strawberry.Info, input: PendingIdentityLinkInput
    ) -> PersonPayload:
        ctx = info.context

        async def confirm(request_id: uuid.UUID) -> Person:
            return await confirmations.confirm_identity_link(ctx.session, ctx.principal, request_id)

        return await _pending_link_answer(info, input, confirm)

    @strawberry.mutation(description="Decline a sign-in identity proposed for you.")
    async def person_identity_link_decline(
        self, info: strawberry.Info, input: PendingIdentityLinkInput
    ) -> PersonPayload:
        ctx = info.context

        async def decline(request_id: uuid.UUID) -> Person:
            return await confirmations.decline_identity_link(ctx.session, ctx.principal, request_id)

        return await _pending_link_answer(info, input, decline)

    @strawberry.mutation(
        description="Ask to use another email address: a token is sent to it, and the change "
        "applies when you confirm it (personConfirmEmailChange) within 48 hours. The answer is "
        "the same whether or not the address is in use."
    )
    async def person_request_email_change(
        self, info: strawberry.Info, input: PersonRequestEmailChangeInput
    ) -> PersonRequestEmailChangePayload:
        ctx = info.context

        async def work() -> EmailChangeRequest:
            return await service.request_own_email_change(ctx.session, ctx.principal, input.email)

        return await mutate(
            info,
            work,
            present=lambda request: PersonRequestEmailChangePayload(
                pending_email_change=PendingEmailChangeType.from_model(request), errors=[]
            ),
            failed=lambda errors: PersonRequestEmailChangePayload(
                pending_email_change=None, errors=errors
            ),
        )

    @strawberry.mutation(
        description="Apply your requested email change with the token sent to the new address "
        "(signed in as yourself). CONFLICT if someone else uses the address by now."
    )
    async def person_confirm_email_change(
        self, info: strawberry.Info, input: PersonConfirmEmailChangeInput
    ) -> PersonPayload:
        ctx = info.context

        async def work() -> Person:
            return await confirmations.confirm_email_change(ctx.session, ctx.principal, input.token)

        return await mutate(info, work, present=_present, failed=_failed)


async def _pending_link_answer(
    info: strawberry.Info,
    input: PendingIdentityLinkInput,
    answer: Callable[[uuid.UUID], Awaitable[Person]],
) -> PersonPayload:
    async def work() -> Person:
        return await answer(decode_id(str(input.id), "PendingIdentityLink", "id"))

    return await mutate(info, work, present=_present, failed=_failed)
