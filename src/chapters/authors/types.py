"""The author pool as the API shows it. What a caller may see is decided by
``authors.queries``: how to reach an author, the notes and the outreach log are null for
whoever may not see them, and a person's name follows the people's profile rules."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, TypeAlias
from uuid import UUID

import strawberry
from strawberry import relay

from chapters.api.ids import LoadedNode
from chapters.authors import queries
from chapters.models import Author, AuthorOrigin, AuthorOutreach, OutreachAnswer
from chapters.organisations.types import OrganisationType, load_organisation
from chapters.people.types import PersonType, load_person

if TYPE_CHECKING:
    from chapters.activities.types import ActivityType
    from chapters.articles.types import ArticleType

strawberry.enum(
    AuthorOrigin,
    name="AuthorOrigin",
    description="WROTE: came with an article of their own; INVITED: asked to write; FOUND: "
    "their writing was found elsewhere (a reprint's author, a blog).",
)
strawberry.enum(
    OutreachAnswer,
    name="OutreachAnswer",
    description="PENDING until the author answers: ACCEPTED, DECLINED, or NO_ANSWER (given up).",
)
AuthorOriginType: TypeAlias = AuthorOrigin
OutreachAnswerType: TypeAlias = OutreachAnswer


@strawberry.type(
    name="Author",
    description="An entry of the author pool: a person of the tenant, or a writer from "
    "outside, with their topics, how they came, and their articles.",
)
class AuthorType(LoadedNode, relay.Node):
    id: relay.NodeID[str]
    origin: AuthorOriginType
    topics: list[str]
    source_url: str | None = strawberry.field(description="Where their writing was found.")
    created_at: datetime
    updated_at: datetime
    uuid: strawberry.Private[UUID]
    person_id: strawberry.Private[UUID | None]
    organisation_id: strawberry.Private[UUID | None]
    outside_name: strawberry.Private[str | None]
    private_contact: strawberry.Private[str | None]
    private_notes: strawberry.Private[str | None]
    private_last_contacted_on: strawberry.Private[date | None]

    @classmethod
    def from_model(cls, author: Author) -> AuthorType:
        return cls(
            id=str(author.id),
            uuid=author.id,
            origin=author.origin,
            topics=list(author.topics or []),
            source_url=author.source_url,
            created_at=author.created_at,
            updated_at=author.updated_at,
            person_id=author.person_id,
            organisation_id=author.organisation_id,
            outside_name=author.name,
            private_contact=author.contact,
            private_notes=author.notes,
            private_last_contacted_on=author.last_contacted_on,
        )

    @strawberry.field(description="The person of the tenant they are (null: from outside).")
    async def person(self, info: strawberry.Info) -> PersonType | None:
        return await load_person(info, self.person_id)

    @strawberry.field(
        description="A writer from outside: their name; a person: their display name, for "
        "those who may read people's profiles (null for everyone else)."
    )
    async def name(self, info: strawberry.Info) -> str | None:
        if self.person_id is None:
            return self.outside_name
        person = await load_person(info, self.person_id)
        return person.display_name if person else None

    @strawberry.field(description="Whom they write for.")
    async def organisation(self, info: strawberry.Info) -> OrganisationType | None:
        return await load_organisation(info, self.organisation_id)

    @strawberry.field(
        description="The day of the latest approach to them (readers of their pool entry)."
    )
    async def last_contacted_on(self, info: strawberry.Info) -> date | None:
        visible = await queries.in_view(info.context, self.person_id)
        return self.private_last_contacted_on if visible else None

    @strawberry.field(
        description="How to reach them: editors, ops and admins, and the author themself; "
        "null for everyone else."
    )
    async def contact(self, info: strawberry.Info) -> str | None:
        visible = await queries.sees_contact(info.context, self.person_id)
        return self.private_contact if visible else None

    @strawberry.field(description="Who sees their contact sees these notes; null otherwise.")
    async def notes(self, info: strawberry.Info) -> str | None:
        visible = await queries.sees_contact(info.context, self.person_id)
        return self.private_notes if visible else None

    @strawberry.field(
        description="Every approach to them, the latest contact first (who sees their "
        "contact; null for everyone else)."
    )
    async def outreach(self, info: strawberry.Info) -> list[AuthorOutreachType] | None:
        rows = await queries.outreach(info.context, self.uuid, self.person_id)
        return None if rows is None else [AuthorOutreachType.from_model(row) for row in rows]

    @strawberry.field(
        description="Their articles the caller may read, with their status, the latest first."
    )
    async def articles(
        self, info: strawberry.Info
    ) -> list[Annotated[ArticleType, strawberry.lazy("chapters.articles.types")]]:
        from chapters.articles.types import ArticleType

        rows = await queries.articles(info.context, self.uuid)
        return [ArticleType.from_model(row) for row in rows]

    @classmethod
    async def load(cls, info: strawberry.Info, object_id: UUID | None) -> AuthorType | None:
        return await load_author(info, object_id)


async def load_author(info: strawberry.Info, author_id: UUID | None) -> AuthorType | None:
    """An author by id, if the caller reads their pool entry."""
    row = await queries.author(info.context, author_id)
    return AuthorType.from_model(row) if row else None


@strawberry.type(
    name="AuthorOutreach",
    description="One approach to an author: when, about what, their answer, and when to "
    "follow up while they have not answered.",
)
class AuthorOutreachType(LoadedNode, relay.Node):
    id: relay.NodeID[str]
    contacted_on: date
    topic: str | None
    answer: OutreachAnswerType
    answered_on: date | None
    follow_up_on: date | None = strawberry.field(
        description="Editors are reminded on this day if the answer is still pending."
    )
    notes: str | None
    created_at: datetime
    uuid: strawberry.Private[UUID]
    author_id: strawberry.Private[UUID]
    article_id: strawberry.Private[UUID | None]
    contacted_by_id: strawberry.Private[UUID | None]

    @classmethod
    def from_model(cls, outreach: AuthorOutreach) -> AuthorOutreachType:
        return cls(
            id=str(outreach.id),
            uuid=outreach.id,
            contacted_on=outreach.contacted_on,
            topic=outreach.topic,
            answer=outreach.answer,
            answered_on=outreach.answered_on,
            follow_up_on=outreach.follow_up_on,
            notes=outreach.notes,
            created_at=outreach.created_at,
            author_id=outreach.author_id,
            article_id=outreach.article_id,
            contacted_by_id=outreach.contacted_by_id,
        )

    @strawberry.field
    async def author(self, info: strawberry.Info) -> AuthorType | None:
        return await load_author(info, self.author_id)

    @strawberry.field(description="The article they were asked to write, if one was named.")
    async def article(
        self, info: strawberry.Info
    ) -> Annotated[ArticleType, strawberry.lazy("chapters.articles.types")] | None:
        from chapters.articles.types import load_article

        return await load_article(info, self.article_id)

    @strawberry.field(description="Who approached them.")
    async def contacted_by(self, info: strawberry.Info) -> PersonType | None:
        return await load_person(info, self.contacted_by_id)

    @classmethod
    async def load(cls, info: strawberry.Info, object_id: UUID | None) -> AuthorOutreachType | None:
        row = await queries.outreach_entry(info.context, object_id)
        return cls.from_model(row) if row else None


@strawberry.type(
    name="LikelyAuthor",
    description="Someone who spoke at, organised or hosted accepted activities on a topic "
    "and has written no article yet.",
)
class LikelyAuthorType:
    activity_count: int = strawberry.field(
        description="The accepted activities on the topic they spoke at, organised or hosted."
    )
    latest_activity_at: datetime = strawberry.field(description="The latest one's start.")
    person_id: strawberry.Private[UUID]
    latest_activity_id: strawberry.Private[UUID]

    @classmethod
    def from_model(cls, likely: queries.LikelyAuthor) -> LikelyAuthorType:
        return cls(
            activity_count=likely.activities,
            latest_activity_at=likely.latest_at,
            person_id=likely.person_id,
            latest_activity_id=likely.latest_activity_id,
        )

    @strawberry.field
    async def person(self, info: strawberry.Info) -> PersonType | None:
        return await load_person(info, self.person_id)

    @strawberry.field(description="The latest of those activities.")
    async def latest_activity(
        self, info: strawberry.Info
    ) -> Annotated[ActivityType, strawberry.lazy("chapters.activities.types")] | None:
        from chapters.activities.types import load_activity

        return await load_activity(info, self.latest_activity_id)

    @strawberry.field(description="Their entry in the pool, if they have one (not written yet).")
    async def author(self, info: strawberry.Info) -> AuthorType | None:
        row = await queries.pool_entry_of(info.context, self.person_id)
        return AuthorType.from_model(row) if row else None


@strawberry.type(name="AuthorConnection")
class AuthorConnection(relay.Connection[AuthorType]):
    pass


@strawberry.type(name="LikelyAuthorConnection")
class LikelyAuthorConnection(relay.Connection[LikelyAuthorType]):  # type: ignore[type-var]
    pass
