"""What may be read of the author pool, and by whom.

Editors and staff read the whole pool (``AUTHOR_READ``); a chapter's leads and co-leads read
the authors who are people with an active membership of a chapter they lead; a person reads
their own entry. How to reach an author, the notes on them and the outreach log are for
editors, staff and the author themself (``AUTHOR_READ_CONTACT``): never for leads. Partners'
clients read nothing of the pool (an article's byline shows them a writer from outside by
name, and a person not at all: people's profiles are not theirs to read).

Likely authors: people who spoke at, organised or hosted accepted activities on a topic and
have written no article yet, for the pool's readers (leads: their chapters' members).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Integer,
    Uuid,
    and_,
    column,
    distinct,
    exists,
    false,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY, aggregate_order_by

from chapters import authz
from chapters.articles.queries import readable
from chapters.authors.loaders import (
    Readable,
    articles_by_author,
    authors_by_person,
    outreach_by_author,
)
from chapters.authz import Action
from chapters.db.filters import contains_text
from chapters.db.loaders import Reader, rows_by_id
from chapters.db.pagination import Ordering, Page, PageArgs, paginate, paginate_in_memory
from chapters.editors.queries import caller_is_editor
from chapters.errors import ErrorCode, FieldError, Forbidden, InvalidInput
from chapters.memberships.loaders import chapters_by_person
from chapters.models import (
    Activity,
    ActivityParticipant,
    ActivityStatus,
    Article,
    ArticleAuthor,
    Author,
    AuthorOrigin,
    AuthorOutreach,
    ChapterMembership,
    MembershipStatus,
    ParticipantRole,
    Person,
)
from chapters.people.queries import listed_to
from chapters.validation import is_storable

AUTHOR_ORDER = Ordering((Author.created_at, Author.id), descending=True)
LIKELY_ORDER = Ordering(
    (
        column("activities", Integer()),
        column("latest_at", DateTime(timezone=True)),
        column("person_id", Uuid()),
    ),
    descending=True,
)
# Who gave an activity its content: they can write about it.
SPEAKING_ROLES = (ParticipantRole.SPEAKER, ParticipantRole.ORGANIZER, ParticipantRole.HOST)
SEARCH_LIMIT = 200


@dataclass(frozen=True)
class PoolScope:
    """The part of the pool the caller reads: all of it, or the authors who are active
    members of the chapters in ``led``."""

    everyone: bool
    led: frozenset[uuid.UUID]

    @property
    def anything(self) -> bool:
        return self.everyone or bool(self.led)

    def condition(self, person: Any) -> ColumnElement[bool]:
        """People (``person``: a column of person ids) in this scope."""
        if self.everyone:
            return true()
        if not self.led:
            return false()
        return exists().where(
            ChapterMembership.person_id == person,
            ChapterMembership.chapter_id.in_(self.led),
            ChapterMembership.status == MembershipStatus.ACTIVE,
        )


async def scope(reader: Reader) -> PoolScope:
    principal = reader.principal
    if authz.can(principal, Action.AUTHOR_READ, editor=await caller_is_editor(reader)):
        return PoolScope(everyone=True, led=frozenset())
    led = {
        chapter_id
        for chapter_id in authz.chapter_ids_led_by(principal)
        if authz.can(principal, Action.AUTHOR_READ, chapter_id=chapter_id)
    }
    return PoolScope(everyone=False, led=frozenset(led))


async def _required_scope(reader: Reader) -> PoolScope:
    found = await scope(reader)
    if not found.anything:
        raise Forbidden(Action.AUTHOR_READ.value)
    return found


def _me(reader: Reader) -> uuid.UUID | None:
    principal = reader.principal
    if principal is None or principal.client is not None:
        return None
    return principal.person_id


async def in_view(reader: Reader, person_id: uuid.UUID | None) -> bool:
    """Whether the caller reads the pool's entry of an author (``person_id``: the person
    they are, if any): a reader of the whole pool, the person themself, or a lead of a
    chapter the person is an active member of."""
    found = await scope(reader)
    if found.everyone or (person_id is not None and person_id == _me(reader)):
        return True
    if person_id is None or not found.led:
        return False
    chapters = await reader.loaders.of(chapters_by_person).load(person_id)
    return bool(chapters.active & found.led)


async def sees_contact(reader: Reader, person_id: uuid.UUID | None) -> bool:
    """Whether the caller sees how to reach the author, the notes and the outreach log."""
    editor = await caller_is_editor(reader)
    return authz.can(
        reader.principal, Action.AUTHOR_READ_CONTACT, person_id=person_id, editor=editor
    )


async def readable_articles(reader: Reader) -> ColumnElement[bool]:
    """The articles the caller may read, as a condition (the articles' own rule)."""
    return readable(reader.principal, await caller_is_editor(reader))


@dataclass(frozen=True)
class AuthorFilter:
    topic: str | None = None  # one of their topics contains it (case-insensitively)
    origin: AuthorOrigin | None = None
    has_written: bool | None = None  # an author of an article the caller may read
    chapter_id: uuid.UUID | None = None  # people with an active membership of the chapter
    search: str | None = None  # their name contains it

    def check(self) -> None:
        errors: list[FieldError] = []
        for name in ("topic", "search"):
            value = getattr(self, name)
            if value is not None and (not is_storable(value) or len(value) > SEARCH_LIMIT):
                message = f"Give at most {SEARCH_LIMIT} characters of plain text"
                errors.append(FieldError(name, ErrorCode.INVALID, message))
        if errors:
            raise InvalidInput(*errors)

    async def conditions(self, reader: Reader) -> list[ColumnElement[bool]]:
        self.check()
        conditions: list[ColumnElement[bool]] = []
        topic = (self.topic or "").strip()
        if topic:
            topics = func.unnest(Author.topics).table_valued("value").render_derived()
            conditions.append(
                exists(select(topics.c.value).where(contains_text(topic, topics.c.value)))
            )
        if self.origin is not None:
            conditions.append(Author.origin == self.origin)
        if self.has_written is not None:
            written = exists(
                select(ArticleAuthor.id)
                .join(
                    Article,
                    (Article.tenant_id == ArticleAuthor.tenant_id)
                    & (Article.id == ArticleAuthor.article_id),
                )
                .where(
                    ArticleAuthor.tenant_id == Author.tenant_id,
                    ArticleAuthor.author_id == Author.id,
                    await readable_articles(reader),
                )
            )
            conditions.append(written if self.has_written else ~written)
        if self.chapter_id is not None:
            conditions.append(
                exists().where(
                    ChapterMembership.person_id == Author.person_id,
                    ChapterMembership.chapter_id == self.chapter_id,
                    ChapterMembership.status == MembershipStatus.ACTIVE,
                )
            )
        search = (self.search or "").strip()
        if search:
            named = exists(
                select(Person.id).where(
                    Person.id == Author.person_id,
                    contains_text(search, Person.display_name),
                    listed_to(reader),
                )
            )
            conditions.append(or_(contains_text(search, Author.name), named))
        return conditions


async def authors(reader: Reader, filters: AuthorFilter, args: PageArgs) -> Page[Author]:
    """The authors matching the filters that the caller reads, the latest added first."""
    found = await _required_scope(reader)
    conditions = await filters.conditions(reader)
    statement = select(Author).where(*conditions, found.condition(Author.person_id))
    return await paginate(reader.session, statement, AUTHOR_ORDER, args)


async def author(reader: Reader, author_id: uuid.UUID | None) -> Author | None:
    """An author by id, if the caller reads their entry."""
    if author_id is None:
        return None
    row: Author | None = await reader.loaders.of(rows_by_id, Author).load(author_id)
    if row is None or not await in_view(reader, row.person_id):
        return None
    return row


async def outreach(
    reader: Reader, author_id: uuid.UUID, person_id: uuid.UUID | None
) -> list[AuthorOutreach] | None:
    """The author's outreach log, the latest contact first, for who sees their contact."""
    if not await sees_contact(reader, person_id):
        return None
    rows: list[AuthorOutreach] = await reader.loaders.of(outreach_by_author).load(author_id)
    return rows


async def outreach_entry(reader: Reader, outreach_id: uuid.UUID | None) -> AuthorOutreach | None:
    """One approach, if the caller reads the author's outreach log."""
    if outreach_id is None:
        return None
    row: AuthorOutreach | None = await reader.loaders.of(rows_by_id, AuthorOutreach).load(
        outreach_id
    )
    if row is None:
        return None
    of: Author | None = await reader.loaders.of(rows_by_id, Author).load(row.author_id)
    if of is None or not await in_view(reader, of.person_id):
        return None
    return row if await sees_contact(reader, of.person_id) else None


async def articles(reader: Reader, author_id: uuid.UUID) -> list[Article]:
    """The author's articles the caller may read, the latest first."""
    readable = Readable(await readable_articles(reader))
    rows: list[Article] = await reader.loaders.of(articles_by_author, readable).load(author_id)
    return rows


# --- likely authors --------------------------------------------------------------------------


@dataclass(frozen=True)
class LikelyAuthor:
    person_id: uuid.UUID
    activities: int  # accepted activities on the topic they spoke at, organised or hosted
    latest_at: datetime  # the start of the latest of them
    latest_activity_id: uuid.UUID


def _on_topic(topic: str) -> ColumnElement[bool]:
    """An activity on the topic: its title, one of its tags, or the participant's own topic
    contains it (case-insensitively)."""
    tags = func.unnest(Activity.tags).table_valued("value").render_derived()
    tagged = exists(select(tags.c.value).where(contains_text(topic, tags.c.value)))
    return or_(contains_text(topic, ActivityParticipant.topic, Activity.title), tagged)


async def likely_authors(reader: Reader, topic: str | None, args: PageArgs) -> Page[LikelyAuthor]:
    """People who spoke at, organised or hosted accepted activities on ``topic`` (none: on
    anything) and are an author of no article: the most such activities first, then the
    latest. Only people the caller may see; leads: their chapters' active members."""
    found = await _required_scope(reader)
    AuthorFilter(topic=topic).check()
    written = exists(
        select(ArticleAuthor.id)
        .join(
            Author,
            (Author.tenant_id == ArticleAuthor.tenant_id) & (Author.id == ArticleAuthor.author_id),
        )
        .where(Author.person_id == ActivityParticipant.person_id)
    )
    conditions = [
        Activity.status == ActivityStatus.ACCEPTED,
        ActivityParticipant.role.in_(SPEAKING_ROLES),
        ~written,
        listed_to(reader),
        found.condition(ActivityParticipant.person_id),
    ]
    if (topic or "").strip():
        conditions.append(_on_topic(topic or ""))
    latest = func.array_agg(
        aggregate_order_by(Activity.id, Activity.starts_at.desc(), Activity.id.desc()),
        type_=ARRAY(Uuid()),
    )[1]
    statement = (
        select(
            ActivityParticipant.person_id,
            func.count(distinct(Activity.id)),
            func.max(Activity.starts_at),
            latest,
        )
        .join(
            Activity,
            and_(
                Activity.tenant_id == ActivityParticipant.tenant_id,
                Activity.id == ActivityParticipant.activity_id,
            ),
        )
        .join(
            Person,
            and_(
                Person.tenant_id == ActivityParticipant.tenant_id,
                Person.id == ActivityParticipant.person_id,
            ),
        )
        .where(*conditions)
        .group_by(ActivityParticipant.person_id)
    )
    rows = [
        LikelyAuthor(person_id=p, activities=int(n), latest_at=at, latest_activity_id=a)
        for p, n, at, a in (await reader.session.execute(statement)).all()
    ]
    return paginate_in_memory(rows, _likely_key, LIKELY_ORDER, args)


def _likely_key(row: LikelyAuthor) -> Sequence[object]:
    return (row.activities, row.latest_at, row.person_id)


async def pool_entry_of(reader: Reader, person_id: uuid.UUID) -> Author | None:
    """The person's entry in the pool, if they have one the caller reads."""
    row: Author | None = await reader.loaders.of(authors_by_person).load(person_id)
    return row if row is not None and await in_view(reader, person_id) else None
