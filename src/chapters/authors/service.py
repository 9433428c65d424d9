"""The author pool's rules. Services validate, ask the policy, write, and never commit.

An author is a person of the tenant (one entry per person; their name is their profile's) or
a writer from outside, named, with how to reach them and whom they write for. Editors and
staff keep the pool (``AUTHOR_MANAGE``): they add authors, with their topics and where they
were found, and log each approach to them (when, about what, when to follow up), then the
answer; an author's last contact is their latest approach.

``author_for_person`` is how the article pipeline puts a person of the tenant into the pool
when they write (an author's entry is made once per person).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters import authz
from chapters.auth.principal import Principal
from chapters.authz import Action
from chapters.changes import UNSET, Change, Changes
from chapters.db.session import flush_unique, get_row
from chapters.editors.service import is_editor
from chapters.errors import ErrorCode, FieldError, InvalidInput
from chapters.models import (
    Article,
    Author,
    AuthorOrigin,
    AuthorOutreach,
    Organisation,
    OutreachAnswer,
    Person,
)
from chapters.validation import check_texts, check_web_url, clean_text, is_storable

NAME_LIMIT = 200
CONTACT_LIMIT = 500
NOTES_LIMIT = 5000
TOPIC_LIMIT = 100  # one of an author's topics
MAX_TOPICS = 20
OUTREACH_TOPIC_LIMIT = 300
# Dates of contacts and answers may not lie ahead: "today" is taken wherever it is latest on
# Earth, so that nobody east of UTC is told their today is tomorrow.
AHEAD_OF_UTC = timedelta(hours=14)


async def author_for_person(
    session: AsyncSession, person_id: uuid.UUID, origin: AuthorOrigin = AuthorOrigin.WROTE
) -> Author:
    """The person's entry in the pool, made with ``origin`` if they have none yet."""
    author = await session.scalar(select(Author).where(Author.person_id == person_id))
    if author is None:
        author = Author(person_id=person_id, origin=origin)
        session.add(author)
        await session.flush()
    return author


@dataclass(frozen=True, kw_only=True)
class AuthorFields(Changes):
    """An author's fields; in updates, UNSET leaves a field as it is and None clears it."""

    name: Change[str | None] = UNSET  # a writer from outside; a person's is their profile's
    contact: Change[str | None] = UNSET  # how to reach them
    organisation_id: Change[uuid.UUID | None] = UNSET  # whom they write for
    origin: Change[AuthorOrigin | None] = UNSET
    topics: Change[Sequence[str] | None] = UNSET
    source_url: Change[str | None] = UNSET  # where their writing was found
    notes: Change[str | None] = UNSET


@dataclass(frozen=True, kw_only=True)
class OutreachEntry:
    """One approach to an author: when, about which topic or article, when to follow up."""

    contacted_on: date
    topic: str | None = None
    article_id: uuid.UUID | None = None
    follow_up_on: date | None = None
    notes: str | None = None


def latest_today() -> date:
    """The latest date it is anywhere now."""
    return (datetime.now(UTC) + AHEAD_OF_UTC).date()


def clean_topics(topics: Sequence[str]) -> tuple[list[str], list[FieldError]]:
    """Each topic trimmed, blanks dropped, each once (compared case-insensitively, the first
    spelling kept), in the order given; and what is wrong: too many, too long, unstorable."""
    errors: list[FieldError] = []
    kept: dict[str, str] = {}
    for index, raw in enumerate(topics):
        field = f"topics.{index}"
        if not is_storable(raw):
            errors.append(FieldError(field, ErrorCode.INVALID, "Not storable text"))
            continue
        topic = raw.strip()
        if len(topic) > TOPIC_LIMIT:
            message = f"A topic is at most {TOPIC_LIMIT} characters"
            errors.append(FieldError(field, ErrorCode.TOO_LONG, message))
        elif topic:
            kept.setdefault(topic.casefold(), topic)
    if len(kept) > MAX_TOPICS:
        errors.append(FieldError("topics", ErrorCode.INVALID, f"At most {MAX_TOPICS} topics"))
    return list(kept.values()), errors


_AUTHOR_TEXT = {"name": NAME_LIMIT, "contact": CONTACT_LIMIT, "notes": NOTES_LIMIT}


def _author_values(
    fields: AuthorFields, person_id: uuid.UUID | None, *, creating: bool
) -> dict[str, Any]:
    """The given fields, cleaned, for an author who is ``person_id`` (or from outside)."""
    values = fields.given_to_create() if creating else fields.given()
    errors = check_texts(values, _AUTHOR_TEXT)
    errors += check_web_url(clean_text(values.get("source_url")), "source_url")
    if (creating or "origin" in values) and values.get("origin") is None:
        errors.append(FieldError("origin", ErrorCode.REQUIRED, "Say how the author came"))
    if "topics" in values:
        values["topics"], topic_errors = clean_topics(values["topics"] or ())
        errors += topic_errors
    for name in (*_AUTHOR_TEXT, "source_url"):
        if name in values:
            values[name] = clean_text(values[name])
    if creating or "name" in values:
        errors += _check_name(person_id, values.get("name"))
    if errors:
        raise InvalidInput(*errors)
    return values


def _check_name(person_id: uuid.UUID | None, name: str | None) -> list[FieldError]:
    """A person's name is their profile's; a writer from outside needs one."""
    if person_id is not None and name is not None:
        message = "A person's name comes from their profile"
        return [FieldError("name", ErrorCode.INVALID, message)]
    if person_id is None and name is None:
        message = "Name the writer, or give the person of the tenant they are"
        return [FieldError("name", ErrorCode.REQUIRED, message)]
    return []


async def _require_manager(session: AsyncSession, principal: Principal | None) -> Principal:
    editor = await is_editor(session, principal)
    return authz.require_caller(principal, Action.AUTHOR_MANAGE, editor=editor)


async def _check_organisation(session: AsyncSession, values: dict[str, Any]) -> None:
    if values.get("organisation_id") is not None:
        organisation_id = values["organisation_id"]
        await get_row(session, Organisation, organisation_id, "Organisation", "organisation_id")


def _already_in_pool() -> FieldError:
    return FieldError("person_id", ErrorCode.CONFLICT, "This person is already in the pool")


async def get_author(
    session: AsyncSession, author_id: uuid.UUID, field: str = "id", *, lock: bool = False
) -> Author:
    return await get_row(session, Author, author_id, "Author", field, lock=lock)


async def create_author(
    session: AsyncSession,
    principal: Principal | None,
    fields: AuthorFields,
    person_id: uuid.UUID | None = None,
) -> Author:
    """Add someone to the pool: a person of the tenant (``person_id``; once) or a writer
    from outside (``name``)."""
    await _require_manager(session, principal)
    values = _author_values(fields, person_id, creating=True)
    if person_id is not None:
        await get_row(session, Person, person_id, "Person", "person_id")
        taken = await session.scalar(select(Author.id).where(Author.person_id == person_id))
        if taken is not None:
            raise InvalidInput(_already_in_pool())
    await _check_organisation(session, values)
    author = Author(person_id=person_id, **values)
    session.add(author)
    await flush_unique(session, {"uq_authors_person": _already_in_pool()})
    return author


async def update_author(
    session: AsyncSession, principal: Principal | None, author_id: uuid.UUID, fields: AuthorFields
) -> Author:
    await _require_manager(session, principal)
    author = await get_author(session, author_id, lock=True)
    values = _author_values(fields, author.person_id, creating=False)
    await _check_organisation(session, values)
    for key, value in values.items():
        setattr(author, key, value)
    await session.flush()
    return author


# --- outreach --------------------------------------------------------------------------------


def _check_outreach(entry: OutreachEntry) -> list[FieldError]:
    values = {"topic": entry.topic, "notes": entry.notes}
    errors = check_texts(values, {"topic": OUTREACH_TOPIC_LIMIT, "notes": NOTES_LIMIT})
    if entry.contacted_on > latest_today():
        message = "A contact cannot lie in the future"
        errors.append(FieldError("contacted_on", ErrorCode.INVALID, message))
    if entry.follow_up_on is not None and entry.follow_up_on < entry.contacted_on:
        message = "Follow up on the day of the contact or later"
        errors.append(FieldError("follow_up_on", ErrorCode.INVALID, message))
    return errors


async def log_outreach(
    session: AsyncSession, principal: Principal | None, author_id: uuid.UUID, entry: OutreachEntry
) -> AuthorOutreach:
    """An approach to the author, its answer pending; the author's last contact moves to it
    if it is the latest."""
    caller = await _require_manager(session, principal)
    author = await get_author(session, author_id, "author_id", lock=True)
    errors = _check_outreach(entry)
    if errors:
        raise InvalidInput(*errors)
    if entry.article_id is not None:
        await get_row(session, Article, entry.article_id, "Article", "article_id")
    outreach = AuthorOutreach(
        author_id=author.id,
        article_id=entry.article_id,
        topic=clean_text(entry.topic),
        contacted_on=entry.contacted_on,
        contacted_by_id=caller.person_id,
        answer=OutreachAnswer.PENDING,
        follow_up_on=entry.follow_up_on,
        notes=clean_text(entry.notes),
    )
    session.add(outreach)
    if author.last_contacted_on is None or entry.contacted_on > author.last_contacted_on:
        author.last_contacted_on = entry.contacted_on
    await session.flush()
    return outreach


async def answer_outreach(
    session: AsyncSession,
    principal: Principal | None,
    outreach_id: uuid.UUID,
    answer: OutreachAnswer,
    answered_on: date | None = None,
) -> AuthorOutreach:
    """Record (or correct) the author's answer, on ``answered_on`` (default: today); nothing
    is left to follow up."""
    await _require_manager(session, principal)
    outreach = await get_row(session, AuthorOutreach, outreach_id, "Outreach", "id", lock=True)
    # by default today, but never before the contact (which may be dated east of UTC)
    day = answered_on or max(datetime.now(UTC).date(), outreach.contacted_on)
    errors: list[FieldError] = []
    if answer == OutreachAnswer.PENDING:
        message = "Give the answer: accepted, declined or no answer"
        errors.append(FieldError("answer", ErrorCode.INVALID, message))
    if day < outreach.contacted_on:
        message = "An answer cannot come before the contact"
        errors.append(FieldError("answered_on", ErrorCode.INVALID, message))
    elif day > latest_today():
        message = "An answer cannot lie in the future"
        errors.append(FieldError("answered_on", ErrorCode.INVALID, message))
    if errors:
        raise InvalidInput(*errors)
    outreach.answer = answer
    outreach.answered_on = day
    outreach.follow_up_on = None
    await session.flush()
    return outreach
