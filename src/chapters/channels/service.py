"""Channels, where content was published, and its reach. Services validate, ask the policy,
write, and never commit.

Staff keep the tenant's channels (a name unique in the tenant, a kind, the channel's home
address); a retired channel takes no new publications but keeps its past ones.
``record_publications`` is how every domain that publishes (articles, newsletter issues, an
activity's recording) records its channels: one publication per channel and piece of content.
Editors and staff record where an activity's recording went, remove a publication entered by
mistake, and enter reach readings: a publication's figures as read on a day, each the
cumulative total so far, so that a later reading never shows less than an earlier one.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Date, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters import authz
from chapters.activities import service as activities
from chapters.auth.principal import Principal
from chapters.authz import Action
from chapters.changes import UNSET, Change, Changes
from chapters.db.session import flush_unique, get_row
from chapters.editors.service import is_editor
from chapters.errors import ErrorCode, FieldError, InvalidInput
from chapters.models import (
    ActivityStatus,
    Channel,
    ChannelKind,
    Publication,
    ReachReading,
    Tenant,
)
from chapters.tenancy import bound_tenant
from chapters.validation import check_web_url, is_storable, required_text

NAME_LIMIT = 200
FIGURES = ("reads", "views", "likes", "followers_gained")
# One publication per channel and piece of content (the partial unique indexes' names).
ONE_PER_CHANNEL = (
    "uq_publications_article",
    "uq_publications_newsletter_issue",
    "uq_publications_activity",
)


@dataclass(frozen=True)
class PublicationEntry:
    """Where a piece of content went: the channel, its address there, the day it appeared."""

    channel_id: uuid.UUID
    url: str | None
    published_on: date


async def record_publications(
    session: AsyncSession,
    entries: Sequence[PublicationEntry],
    *,
    field: str = "publications",
    article_id: uuid.UUID | None = None,
    newsletter_issue_id: uuid.UUID | None = None,
    activity_id: uuid.UUID | None = None,
) -> list[Publication]:
    """Record one publication per entry for the one piece of content named. The caller has
    checked the policy; this checks the entries (known, current channels, each once, web
    addresses) and answers typed errors at ``field.<index>.<name>``."""
    channel_ids = {entry.channel_id for entry in entries}
    channels = {
        channel.id: channel
        for channel in (
            await session.scalars(select(Channel).where(Channel.id.in_(channel_ids)))
        ).all()
    }
    subjects = {
        Publication.article_id: article_id,
        Publication.newsletter_issue_id: newsletter_issue_id,
        Publication.activity_id: activity_id,
    }
    [(subject, subject_id)] = [(column, id_) for column, id_ in subjects.items() if id_]
    published_on = select(Publication.channel_id).where(subject == subject_id)
    existing = set((await session.scalars(published_on)).all())
    errors: list[FieldError] = []
    seen: set[uuid.UUID] = set()
    for index, entry in enumerate(entries):
        at = f"{field}.{index}"
        channel = channels.get(entry.channel_id)
        if channel is None:
            errors.append(FieldError(f"{at}.channel_id", ErrorCode.NOT_FOUND, "Channel not found"))
        elif channel.retired:
            errors.append(FieldError(f"{at}.channel_id", ErrorCode.INVALID, "Channel is retired"))
        elif entry.channel_id in seen or entry.channel_id in existing:
            message = "Already published on this channel"
            errors.append(FieldError(f"{at}.channel_id", ErrorCode.CONFLICT, message))
        seen.add(entry.channel_id)
        errors.extend(check_web_url(entry.url, f"{at}.url"))
    if errors:
        raise InvalidInput(*errors)
    publications = [
        Publication(
            channel_id=entry.channel_id,
            url=entry.url,
            published_on=entry.published_on,
            article_id=article_id,
            newsletter_issue_id=newsletter_issue_id,
            activity_id=activity_id,
        )
        for entry in entries
    ]
    session.add_all(publications)
    # a concurrent request may have recorded the same channel meanwhile
    taken = FieldError(field, ErrorCode.CONFLICT, "Already published on one of these channels")
    await flush_unique(session, dict.fromkeys(ONE_PER_CHANNEL, taken))
    return publications


# --- channels -------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ChannelFields(Changes):
    """Channel fields; in updates, UNSET leaves a field as it is and None clears it."""

    name: Change[str | None] = UNSET
    kind: Change[ChannelKind | None] = UNSET
    url: Change[str | None] = UNSET


def _channel_values(fields: ChannelFields, *, creating: bool) -> dict[str, Any]:
    values = fields.given_to_create() if creating else fields.given()
    errors: list[FieldError] = []
    if creating or "name" in values:
        name = values.get("name")
        errors += required_text(name, "name", NAME_LIMIT)
        if name is not None and not is_storable(name):
            errors.append(FieldError("name", ErrorCode.INVALID, "Not storable text"))
        elif name is not None:
            values["name"] = name.strip()
    if (creating or "kind" in values) and values.get("kind") is None:
        errors.append(FieldError("kind", ErrorCode.REQUIRED, "A channel needs a kind"))
    if "url" in values:
        values["url"] = (values["url"] or "").strip() or None
        errors += check_web_url(values["url"], "url")
    if errors:
        raise InvalidInput(*errors)
    return values


NAME_TAKEN = {
    "uq_channels_tenant_id_name": FieldError(
        "name", ErrorCode.CONFLICT, "There is a channel by this name already"
    )
}


async def get_channel(
    session: AsyncSession, channel_id: uuid.UUID, field: str = "id", *, lock: bool = False
) -> Channel:
    return await get_row(session, Channel, channel_id, "Channel", field, lock=lock)


async def create_channel(
    session: AsyncSession, principal: Principal | None, fields: ChannelFields
) -> Channel:
    authz.require(principal, Action.CHANNEL_MANAGE)
    channel = Channel(**_channel_values(fields, creating=True), retired=False)
    session.add(channel)
    await flush_unique(session, NAME_TAKEN)
    return channel


async def update_channel(
    session: AsyncSession,
    principal: Principal | None,
    channel_id: uuid.UUID,
    fields: ChannelFields,
) -> Channel:
    authz.require(principal, Action.CHANNEL_MANAGE)
    channel = await get_channel(session, channel_id, lock=True)
    for key, value in _channel_values(fields, creating=False).items():
        setattr(channel, key, value)
    await flush_unique(session, NAME_TAKEN)
    return channel


async def set_retired(
    session: AsyncSession, principal: Principal | None, channel_id: uuid.UUID, retired: bool
) -> Channel:
    """Retire a channel (it takes no new publications; its past ones and their reach stay)
    or bring it back; doing either again changes nothing."""
    authz.require(principal, Action.CHANNEL_MANAGE)
    channel = await get_channel(session, channel_id, lock=True)
    if channel.retired != retired:
        channel.retired = retired
        await session.flush()
    return channel


# --- publications ---------------------------------------------------------------------------


async def _require_recorder(session: AsyncSession, principal: Principal | None) -> Principal:
    editor = await is_editor(session, principal)
    return authz.require_caller(principal, Action.REACH_RECORD, editor=editor)


async def publish_recording(
    session: AsyncSession,
    principal: Principal | None,
    activity_id: uuid.UUID,
    entries: Sequence[PublicationEntry],
) -> list[Publication]:
    """Record where an activity's recording was published. The activity must be accepted
    and have started (there is a recording only once it took place)."""
    await _require_recorder(session, principal)
    activity = await activities.get_activity(session, principal, activity_id, "activity_id")
    if activity.status != ActivityStatus.ACCEPTED:
        message = "Only an accepted activity has a recording to publish"
        raise InvalidInput(FieldError("activity_id", ErrorCode.CONFLICT, message))
    if activity.starts_at > datetime.now(UTC):
        message = "The activity has not started yet: it has no recording"
        raise InvalidInput(FieldError("activity_id", ErrorCode.CONFLICT, message))
    if not entries:
        message = "Name at least one channel"
        raise InvalidInput(FieldError("publications", ErrorCode.REQUIRED, message))
    return await record_publications(session, entries, activity_id=activity.id)


async def get_publication(
    session: AsyncSession, publication_id: uuid.UUID, field: str = "id", *, lock: bool = False
) -> Publication:
    return await get_row(session, Publication, publication_id, "Publication", field, lock=lock)


async def remove_publication(
    session: AsyncSession, principal: Principal | None, publication_id: uuid.UUID
) -> uuid.UUID:
    """Remove a publication entered by mistake, with its reach readings; its id."""
    await _require_recorder(session, principal)
    publication = await get_publication(session, publication_id, lock=True)
    await session.delete(publication)
    await session.flush()
    return publication_id


# --- reach ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReachFigures:
    """A publication's figures as read on ``read_on``: each the cumulative total as of that
    day (None: not read)."""

    read_on: date
    reads: int | None = None
    views: int | None = None
    likes: int | None = None
    followers_gained: int | None = None

    def given(self) -> dict[str, int]:
        return {name: value for name in FIGURES if (value := getattr(self, name)) is not None}


async def tenant_today(session: AsyncSession) -> date:
    """Today in the tenant's timezone, by the database clock."""
    local_today = cast(func.timezone(Tenant.timezone, func.now()), Date)
    today = await session.scalar(
        select(local_today).where(Tenant.id == bound_tenant(session.sync_session))
    )
    assert today is not None  # the session's own tenant
    return today


def _check_order(
    figures: dict[str, int], read_on: date, others: Sequence[ReachReading]
) -> list[FieldError]:
    """Totals never go down: each figure is at least any earlier reading's and at most any
    later reading's of the same publication."""
    errors: list[FieldError] = []
    for name, value in figures.items():
        before = [
            (getattr(r, name), r.read_on)
            for r in others
            if r.read_on < read_on and getattr(r, name) is not None
        ]
        after = [
            (getattr(r, name), r.read_on)
            for r in others
            if r.read_on > read_on and getattr(r, name) is not None
        ]
        highest_before = max(before, default=None)
        lowest_after = min(after, default=None)
        if highest_before is not None and value < highest_before[0]:
            total, day = highest_before
            message = f"Below the {total} read on {day.isoformat()}: totals do not go down"
            errors.append(FieldError(name, ErrorCode.INVALID, message))
        elif lowest_after is not None and value > lowest_after[0]:
            total, day = lowest_after
            message = f"Above the {total} read later, on {day.isoformat()}: totals do not go down"
            errors.append(FieldError(name, ErrorCode.INVALID, message))
    return errors


async def record_reach(
    session: AsyncSession,
    principal: Principal | None,
    publication_id: uuid.UUID,
    figures: ReachFigures,
) -> ReachReading:
    """Enter a publication's figures as read on a day; entering the same day again replaces
    that day's figures."""
    caller = await _require_recorder(session, principal)
    # held: readings of one publication are checked against each other one request at a time
    publication = await get_publication(session, publication_id, "publication_id", lock=True)
    given = figures.given()
    errors: list[FieldError] = []
    if not given:
        message = "Give at least one figure: reads, views, likes or followers gained"
        errors.append(FieldError("reads", ErrorCode.REQUIRED, message))
    errors += [
        FieldError(name, ErrorCode.INVALID, "Cannot be negative")
        for name, value in given.items()
        if value < 0
    ]
    if figures.read_on < publication.published_on:
        message = f"Before it was published ({publication.published_on.isoformat()})"
        errors.append(FieldError("read_on", ErrorCode.INVALID, message))
    elif figures.read_on > await tenant_today(session):
        errors.append(FieldError("read_on", ErrorCode.INVALID, "Cannot be in the future"))
    if errors:
        raise InvalidInput(*errors)
    readings = (
        await session.scalars(
            select(ReachReading).where(ReachReading.publication_id == publication.id)
        )
    ).all()
    same_day = next((r for r in readings if r.read_on == figures.read_on), None)
    others = [r for r in readings if r is not same_day]
    errors = _check_order(given, figures.read_on, others)
    if errors:
        raise InvalidInput(*errors)
    reading = same_day or ReachReading(publication_id=publication.id, read_on=figures.read_on)
    for name in FIGURES:
        setattr(reading, name, given.get(name))
    reading.recorded_by_id = caller.person_id
    reading.recorded_at = datetime.now(UTC)
    if same_day is None:
        session.add(reading)
    await session.flush()
    return reading
