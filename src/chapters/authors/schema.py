"""This domain's root fields: the author pool and its outreach log (editors, ops and admins
keep them; leads read their chapters' authors), and the likely authors."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry

from chapters.api.connections import connection
from chapters.api.errors import UserError
from chapters.api.ids import decode_id, decode_optional_id
from chapters.api.mutations import given_fields, mutate
from chapters.authors import queries, service
from chapters.authors.types import (
    AuthorConnection,
    AuthorOriginType,
    AuthorOutreachType,
    AuthorType,
    LikelyAuthorConnection,
    LikelyAuthorType,
    OutreachAnswerType,
)
from chapters.db.pagination import PageArgs
from chapters.models import Author, AuthorOutreach


@strawberry.input
class AuthorFilter:
    topic: str | None = strawberry.field(
        default=None, description="One of their topics contains it (case-insensitively)."
    )
    origin: AuthorOriginType | None = None
    has_written: bool | None = strawberry.field(
        default=None, description="Whether they are an author of an article you may read."
    )
    chapter_id: strawberry.ID | None = strawberry.field(
        default=None, description="People with an active membership of this chapter."
    )
    search: str | None = strawberry.field(default=None, description="Their name contains it.")

    def to_service(self) -> queries.AuthorFilter:
        return queries.AuthorFilter(
            topic=self.topic,
            origin=self.origin,
            has_written=self.has_written,
            chapter_id=decode_optional_id(self.chapter_id, "Chapter", "chapter_id"),
            search=self.search,
        )


@strawberry.input(description="A person of the tenant (personId) or a writer from outside (name).")
class AuthorCreateInput:
    origin: AuthorOriginType
    person_id: strawberry.ID | None = strawberry.field(
        default=None, description="A person of the tenant: one entry per person."
    )
    name: str | None = strawberry.field(
        default=None, description="A writer from outside (a person's name is their profile's)."
    )
    contact: str | None = strawberry.field(default=None, description="How to reach them.")
    organisation_id: strawberry.ID | None = strawberry.field(
        default=None, description="Whom they write for."
    )
    topics: list[str] | None = strawberry.field(
        default=None, description="Trimmed, each once (case-insensitively); at most 20."
    )
    source_url: str | None = strawberry.field(
        default=None, description="Where their writing was found (http or https)."
    )
    notes: str | None = None


@strawberry.input(description="Fields to change; omitted fields stay, null clears.")
class AuthorUpdateInput:
    id: strawberry.ID
    name: str | None = strawberry.UNSET
    contact: str | None = strawberry.UNSET
    organisation_id: strawberry.ID | None = strawberry.UNSET
    origin: AuthorOriginType | None = strawberry.UNSET
    topics: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="A given list replaces the list."
    )
    source_url: str | None = strawberry.UNSET
    notes: str | None = strawberry.UNSET


@strawberry.input
class AuthorOutreachLogInput:
    author_id: strawberry.ID
    contacted_on: date = strawberry.field(description="Not after today.")
    topic: str | None = None
    article_id: strawberry.ID | None = strawberry.field(
        default=None, description="The article they were asked to write."
    )
    follow_up_on: date | None = strawberry.field(
        default=None,
        description="When to follow up if they have not answered (the contact's day or later).",
    )
    notes: str | None = None

    def to_service(self) -> service.OutreachEntry:
        return service.OutreachEntry(
            contacted_on=self.contacted_on,
            topic=self.topic,
            article_id=decode_optional_id(self.article_id, "Article", "article_id"),
            follow_up_on=self.follow_up_on,
            notes=self.notes,
        )


@strawberry.input
class AuthorOutreachAnswerInput:
    id: strawberry.ID
    answer: OutreachAnswerType = strawberry.field(description="Not PENDING.")
    answered_on: date | None = strawberry.field(
        default=None, description="Default: today; not before the contact."
    )


@strawberry.type
class AuthorPayload:
    author: AuthorType | None
    errors: list[UserError]


@strawberry.type
class AuthorOutreachPayload:
    outreach: AuthorOutreachType | None
    errors: list[UserError]


def _author_fields(data: Any) -> service.AuthorFields:
    values = given_fields(data, service.AuthorFields.__dataclass_fields__)
    if values.get("organisation_id") is not None:
        values["organisation_id"] = decode_id(
            str(values["organisation_id"]), "Organisation", "organisation_id"
        )
    return service.AuthorFields(**values)


def _author_payload(author: Author) -> AuthorPayload:
    return AuthorPayload(author=AuthorType.from_model(author), errors=[])


def _author_failed(errors: list[UserError]) -> AuthorPayload:
    return AuthorPayload(author=None, errors=errors)


def _outreach_payload(outreach: AuthorOutreach) -> AuthorOutreachPayload:
    return AuthorOutreachPayload(outreach=AuthorOutreachType.from_model(outreach), errors=[])


def _outreach_failed(errors: list[UserError]) -> AuthorOutreachPayload:
    return AuthorOutreachPayload(outreach=None, errors=errors)


@strawberry.type
class AuthorQuery:
    @strawberry.field(
        description="The author pool, the latest added first (editors, ops and admins; leads "
        "and co-leads: the authors who are active members of their chapters)."
    )
    async def authors(
        self,
        info: strawberry.Info,
        filter: AuthorFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> AuthorConnection:
        filters = (filter or AuthorFilter()).to_service()
        args = PageArgs(first=first, after=after, last=last, before=before)
        page = await queries.authors(info.context, filters, args)
        return connection(AuthorConnection, page, AuthorType.from_model)

    @strawberry.field(
        description="People who spoke at, organised or hosted accepted activities on `topic` "
        "(its title, tags or the speaker's topic contain it; none: any) and have written no "
        "article yet: the most such activities first, then the latest (who reads the pool; "
        "leads: their chapters' active members)."
    )
    async def likely_authors(
        self,
        info: strawberry.Info,
        topic: str | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> LikelyAuthorConnection:
        args = PageArgs(first=first, after=after, last=last, before=before)
        page = await queries.likely_authors(info.context, topic, args)
        return connection(LikelyAuthorConnection, page, LikelyAuthorType.from_model)


@strawberry.type
class AuthorMutation:
    @strawberry.mutation(
        description="Add someone to the author pool: a person of the tenant (once) or a writer "
        "from outside (editors, ops and admins)."
    )
    async def author_create(self, info: strawberry.Info, input: AuthorCreateInput) -> AuthorPayload:
        ctx = info.context

        async def work() -> Author:
            person_id = decode_optional_id(input.person_id, "Person", "person_id")
            fields = _author_fields(input)
            return await service.create_author(ctx.session, ctx.principal, fields, person_id)

        return await mutate(info, work, present=_author_payload, failed=_author_failed)

    @strawberry.mutation(description="Change an author's entry (editors, ops and admins).")
    async def author_update(self, info: strawberry.Info, input: AuthorUpdateInput) -> AuthorPayload:
        ctx = info.context

        async def work() -> Author:
            author_id = decode_id(str(input.id), "Author", "id")
            fields = _author_fields(input)
            return await service.update_author(ctx.session, ctx.principal, author_id, fields)

        return await mutate(info, work, present=_author_payload, failed=_author_failed)

    @strawberry.mutation(
        description="Log an approach to an author, its answer pending; their last contact "
        "moves to it if it is the latest (editors, ops and admins)."
    )
    async def author_outreach_log(
        self, info: strawberry.Info, input: AuthorOutreachLogInput
    ) -> AuthorOutreachPayload:
        ctx = info.context

        async def work() -> AuthorOutreach:
            author_id = decode_id(str(input.author_id), "Author", "author_id")
            entry = input.to_service()
            return await service.log_outreach(ctx.session, ctx.principal, author_id, entry)

        return await mutate(info, work, present=_outreach_payload, failed=_outreach_failed)

    @strawberry.mutation(
        description="Record (or correct) an author's answer; nothing is left to follow up "
        "(editors, ops and admins)."
    )
    async def author_outreach_answer(
        self, info: strawberry.Info, input: AuthorOutreachAnswerInput
    ) -> AuthorOutreachPayload:
        ctx = info.context

        async def work() -> AuthorOutreach:
            outreach_id = decode_id(str(input.id), "AuthorOutreach", "id")
            return await service.answer_outreach(
                ctx.session, ctx.principal, outreach_id, input.answer, input.answered_on
            )

        return await mutate(info, work, present=_outreach_payload, failed=_outreach_failed)
