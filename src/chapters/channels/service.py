"""Channels, and recording where a piece of content was published.

``record_publications`` is how every domain that publishes (articles, newsletter issues, an
activity's recording) records its channels: one publication per channel and piece of content.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chapters.errors import ErrorCode, FieldError, InvalidInput
from chapters.models import Channel, Publication
from chapters.validation import check_web_url


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
    existing = set(
        (
            await session.scalars(
                select(Publication.channel_id).where(
                    Publication.article_id == article_id
                    if article_id is not None
                    else Publication.newsletter_issue_id == newsletter_issue_id
                    if newsletter_issue_id is not None
                    else Publication.activity_id == activity_id
                )
            )
        ).all()
    )
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
    await session.flush()
    return publications
