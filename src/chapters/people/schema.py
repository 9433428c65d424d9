from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.api.errors import UserError, run_mutation
from chapters.api.ids import decode_id
from chapters.api.pagination import Ordering, PageArgs, paginate
from chapters.auth.principal import Principal
from chapters.models import Person
from chapters.people import service
from chapters.people.types import (
    PersonConnection,
    PersonSegmentType,
    PersonType,
    TenantRoleType,
    ViewerType,
)

SEARCH_ORDER = Ordering((Person.display_name, Person.id))


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

    def to_service(self) -> service.PersonFilter:
        return service.PersonFilter(
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
    segments: list[PersonSegmentType] | None = None
    tags: list[str] | None = strawberry.field(
        default=None, description="At most 20, each up to 50 characters."
    )
    tenant_role: TenantRoleType | None = strawberry.field(
        default=None, description="Granted by tenant admins, up to their own role."
    )


@strawberry.input(description="Fields to change; omitted fields stay, null clears.")
class PersonUpdateInput:
    id: strawberry.ID
    display_name: str | None = strawberry.UNSET
    email: str | None = strawberry.UNSET
    github_handle: str | None = strawberry.UNSET
    city: str | None = strawberry.UNSET
    company: str | None = strawberry.UNSET
    bio: str | None = strawberry.UNSET
    locale: str | None = strawberry.UNSET
    segments: list[PersonSegmentType] | None = strawberry.UNSET
    tags: list[str] | None = strawberry.UNSET
    tenant_role: TenantRoleType | None = strawberry.field(
        default=strawberry.UNSET,
        description="Changed by tenant admins, up to their own role; never one's own.",
    )


def _fields(data: PersonCreateInput | PersonUpdateInput) -> service.PersonFields:
    values = {}
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


def _payload(result: tuple) -> PersonPayload:
    person, errors = result
    return PersonPayload(person=PersonType.from_model(person) if person else None, errors=errors)


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
        ctx = info.context
        statement = service.search(ctx.principal, (filter or PersonFilter()).to_service())
        return await paginate(
            ctx.session,
            statement,
            SEARCH_ORDER,
            PageArgs(first=first, after=after, last=last, before=before),
            PersonType.from_model,
            PersonConnection,
        )


@strawberry.type
class PeopleMutation:
    @strawberry.mutation(description="Add a person to the community (central ops and admins).")
    async def person_create(self, info: strawberry.Info, input: PersonCreateInput) -> PersonPayload:
        ctx = info.context

        async def work() -> Person:
            return await service.create_person(ctx.session, ctx.principal, _fields(input))

        return _payload(await run_mutation(info, work))

    @strawberry.mutation(description="Edit a person's profile (the person, ops, admins).")
    async def person_update(self, info: strawberry.Info, input: PersonUpdateInput) -> PersonPayload:
        ctx = info.context

        async def work() -> Person:
            person_id = decode_id(str(input.id), "Person", "id")
            return await service.update_person(
                ctx.session, ctx.principal, person_id, _fields(input)
            )

        return _payload(await run_mutation(info, work))

    @strawberry.mutation(
        description="Let a sign-in identity act as this person in this tenant (tenant admins)."
    )
    async def person_link_identity(
        self, info: strawberry.Info, input: PersonIdentityInput
    ) -> PersonPayload:
        return await _identity_change(info, input, service.link_identity)

    @strawberry.mutation(description="Remove a linked sign-in identity (tenant admins).")
    async def person_unlink_identity(
        self, info: strawberry.Info, input: PersonIdentityInput
    ) -> PersonPayload:
        return await _identity_change(info, input, service.unlink_identity)


IdentityChange = Callable[[AsyncSession, Principal | None, uuid.UUID, str, str], Awaitable[Person]]


async def _identity_change(
    info: strawberry.Info, input: PersonIdentityInput, change: IdentityChange
) -> PersonPayload:
    ctx = info.context

    async def work() -> Person:
        person_id = decode_id(str(input.person_id), "Person", "personId")
        return await change(ctx.session, ctx.principal, person_id, input.issuer, input.subject)

    return _payload(await run_mutation(info, work))
